"""TLS below 1.2 negotiated (SSLv3, TLS 1.0, TLS 1.1 are deprecated by RFC 8996)."""

from __future__ import annotations

from lab.analysis.checks.base import CheckContext
from lab.analysis.model import Finding

ID = "tls-version"
OLD = frozenset({"SSLv3", "TLSv1.0", "TLSv1.1"})


def check(ctx: CheckContext) -> list[Finding]:
    return [
        Finding(
            ID,
            "high",
            f"{s.tls_version} negotiated with {s.server.host}:{s.server.port}",
            (s.server_hello_frame,) if s.server_hello_frame else (),
            "versions below TLS 1.2 have known attacks (BEAST, POODLE) and are deprecated (RFC 8996)",
            'tls-protocols "TLSv1.2 TLSv1.3" in redis.conf (the Redis default)',
            s.stream,
        )
        for s in ctx.tls_streams
        if s.tls_version in OLD
    ]
