"""Given secrets (passwords, marked values) seen in clear on the wire."""

from __future__ import annotations

from lab.analysis.checks.base import CheckContext
from lab.analysis.model import Finding

ID = "secret-in-clear"


def check(ctx: CheckContext) -> list[Finding]:
    return [
        Finding(
            ID,
            "high",
            f"secret {e.label} seen in clear in {len(e.frames)} frame(s)",
            e.frames,
            "a passive observer of this network path reads the value",
            "encrypt the connection (TLS) and stop sending it over plaintext ports",
            e.streams[0] if len(e.streams) == 1 else None,
        )
        for e in ctx.exposures
        if e.frames
    ]
