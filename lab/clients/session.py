"""run_session: one client session with a posture, by the chosen library. Failure is data, not raised."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lab.clients import rediscli, redispy
from lab.clients.model import ClientOutcome, ClientSpec

DEFAULT_COMMANDS: tuple[tuple[str, ...], ...] = (("SET", "lab:key", "lab-value"), ("GET", "lab:key"))


def run_session(spec: ClientSpec, host: str, port: int,
                commands: Sequence[Sequence[str]] = DEFAULT_COMMANDS,
                keylog: Path | None = None) -> ClientOutcome:
    """Connect (one try, spec.timeout), run the commands in order on one connection, disconnect.

    keylog: append the session's TLS secrets (NSS key log format) to this file, for decrypting a capture.
    """
    if spec.library == "redis-cli":
        return rediscli.run(spec, host, port, commands, keylog)
    return redispy.run(spec, host, port, commands, keylog)
