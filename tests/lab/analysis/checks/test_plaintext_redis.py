from __future__ import annotations

from dataclasses import replace

from lab.analysis.checks import plaintext_redis
from lab.analysis.model import RespLine
from tests.lab.analysis.checks.conftest import ctx, tls_stream


def test_plaintext_redis_with_auth_is_high_and_lists_frames() -> None:
    lines = (RespLine("c2s", 4, 4, "*", "AUTH pw", ("AUTH", "pw")), RespLine("s2c", 6, 6, "+", "OK"))
    plain = replace(
        tls_stream(),
        transport="plaintext",
        tls_version=None,
        transcript=lines,
        commands=7,
        auth_frames=(4, 90),
    )
    findings = plaintext_redis.check(ctx(plain))
    assert [(f.severity, f.evidence) for f in findings] == [("high", (4, 90)), ("medium", (4,))]
    assert "7 command(s)" in findings[1].title


def test_tls_and_non_redis_streams_are_not_flagged() -> None:
    other = replace(tls_stream(), transport="plaintext", redis=False, redis_evidence="")
    assert plaintext_redis.check(ctx(tls_stream(), other)) == []
