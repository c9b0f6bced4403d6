"""Every cell of the MITM matrix, observed with a real attacker, real clients and a real redis-server."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.clients import Posture
from lab.mitm.certs import AttackerCert
from lab.mitm.matrix import MATRIX_AUTH, MATRIX_POSTURES, expected_verdict, run_matrix
from lab.pki import LabPKI
from tests.conftest import require_tool


def test_the_claims_cover_every_cell_with_the_issue_truths() -> None:
    same_ca, own = AttackerCert.SAME_CA_OTHER_HOST, AttackerCert.MITM_CA
    stolen = AttackerCert.STOLEN_CLIENT_CERT
    assert expected_verdict("redis-py", Posture.TLS_NO_VERIFY, "no", own) == "compromised"
    assert expected_verdict("redis-cli", Posture.TLS_CHAIN_ONLY, "no", same_ca) == "compromised"
    assert expected_verdict("redis-py", Posture.TLS_FULL, "no", same_ca) == "blocked-at-client"
    assert expected_verdict("redis-py", Posture.TLS_PINNED, "yes", stolen) == "blocked-at-client"
    assert expected_verdict("redis-py", Posture.TLS_NO_VERIFY, "yes", own) == "blocked-at-server"
    assert expected_verdict("redis-cli", Posture.TLS_NO_VERIFY, "yes", stolen) == "compromised"
    assert expected_verdict("redis-cli", Posture.TLS_FULL, "no", own) == "not-applicable"
    # the same CA, both ways under mTLS: serverAuth only is refused, serverAuth + clientAuth passes
    any_purpose = AttackerCert.SAME_CA_ANY_PURPOSE
    assert expected_verdict("redis-cli", Posture.TLS_CHAIN_ONLY, "yes", same_ca) == "blocked-at-server"
    assert expected_verdict("redis-cli", Posture.TLS_CHAIN_ONLY, "yes", any_purpose) == "compromised"
    assert expected_verdict("redis-py", Posture.TLS_FULL, "yes", any_purpose) == "blocked-at-client"


@pytest.mark.slow
def test_every_matrix_cell_matches_its_claim(tmp_path: Path) -> None:
    require_tool("redis-server")
    require_tool("redis-cli")
    result = run_matrix(tmp_path, LabPKI.create(tmp_path / "pki"))
    assert len(result.cells) == 2 * len(MATRIX_POSTURES) * len(MATRIX_AUTH) * 4
    assert result.unmet == (), result.table()
    compromised = [c for c in result.cells if c.observed == "compromised"]
    assert compromised and all(c.outcome is not None and c.outcome.tamper_reached_client for c in compromised)
    assert all(c.outcome is not None and c.outcome.learned.credentials for c in compromised)
    blocked_upstream = [c for c in result.cells if c.observed == "blocked-at-server"]
    assert blocked_upstream and all(c.client.error_class != "timeout" for c in blocked_upstream)
