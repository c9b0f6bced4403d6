"""Redis spoken in clear: every command (and AUTH passwords above all) readable by anyone on the path."""

from __future__ import annotations

from lab.analysis.checks.base import CheckContext
from lab.analysis.model import Finding

ID = "plaintext-redis"
FIX = "tls-port 6380 / port 0 in redis.conf (TLS only), and clients with --tls / ssl=True"


def check(ctx: CheckContext) -> list[Finding]:
    findings = []
    for s in ctx.streams:
        if not s.redis or s.transport != "plaintext":
            continue
        auth = s.auth_frames
        if auth:
            findings.append(
                Finding(
                    ID,
                    "high",
                    f"Redis AUTH password in clear on {s.server.host}:{s.server.port}",
                    auth,
                    "anyone who can see this traffic (same host, switch, cloud network) reads the password",
                    FIX,
                    s.stream,
                )
            )
        commands = tuple(line.first_frame for line in s.transcript if line.direction == "c2s")  # kept ones
        findings.append(
            Finding(
                ID,
                "medium",
                f"plaintext Redis on {s.server.host}:{s.server.port}: {s.commands} command(s) in clear",
                commands or (s.first_frame,),
                "keys, values and replies are readable and the TCP stream can be hijacked or injected into",
                FIX,
                s.stream,
            )
        )
    return findings
