"""The registry: every check runs, and a check that raises becomes an error result, not a crash."""

from __future__ import annotations

from lab.analysis import checks
from lab.analysis.model import StreamInfo
from tests.lab.analysis.checks.conftest import NOW, tls_stream


def test_every_registered_check_completes() -> None:
    results = checks.run_checks((tls_stream(),), (), NOW)
    assert [r.check for r in results] == [m.ID for m in checks.CHECKS]
    assert all(r.status == "completed" for r in results)


def test_a_failing_check_is_reported_as_data() -> None:
    broken = tls_stream(server_certs=("not a CertInfo",))
    results = {r.check: r for r in checks.run_checks((broken,), (), NOW)}
    assert results["cert-validity"].status == "error" and "AttributeError" in results["cert-validity"].error
    assert results["no-sni"].status == "completed"
    assert isinstance(broken, StreamInfo)
