from __future__ import annotations

from lab.analysis.checks import weak_cipher
from tests.lab.analysis.checks.conftest import ctx, tls_stream


def test_weak_suites_by_name() -> None:
    verdicts = {
        name: verdict[0] if (verdict := weak_cipher.weakness(name)) else None
        for name in (
            "TLS_RSA_WITH_RC4_128_SHA",
            "TLS_NULL_WITH_NULL_NULL",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
        )
    }
    assert list(verdicts.values()) == ["high", "high", "low", None, None]


def test_findings_per_stream() -> None:
    findings = weak_cipher.check(ctx(tls_stream(cipher="TLS_RSA_WITH_3DES_EDE_CBC_SHA"), tls_stream()))
    assert [(f.severity, f.evidence) for f in findings] == [("high", (6,))]
