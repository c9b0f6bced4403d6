from __future__ import annotations

from lab.analysis.checks import secrets_in_clear
from lab.analysis.model import SecretExposure
from tests.lab.analysis.checks.conftest import ctx


def test_only_secrets_seen_in_clear_are_findings() -> None:
    seen = SecretExposure("pw**", (4, 9), (0,), ())
    hidden = SecretExposure("va***", (), (), (31,))
    findings = secrets_in_clear.check(ctx(exposures=(seen, hidden)))
    assert [(f.evidence, f.stream) for f in findings] == [((4, 9), 0)]
