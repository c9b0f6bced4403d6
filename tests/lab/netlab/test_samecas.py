"""replication-same-ca: a same-CA attacker between replica and primary reads AUTH and forges data; a CA for
the Redis tier alone stops it."""

from __future__ import annotations

from pathlib import Path

from lab.netlab.replication import MASTERAUTH, MASTERUSER
from lab.netlab.samecas import run_same_ca
from tests.conftest import require_tool


def test_same_ca_attacker_reads_the_link_auth_and_plants_a_key_only_the_replica_has(
        redis_host: None, tmp_path: Path) -> None:
    require_tool("nft")
    result = run_same_ca(tmp_path, ca_per_role=False)
    assert result.link_up
    assert [(c.username, c.password) for c in result.credentials] == [(MASTERUSER, MASTERAUTH)]
    assert result.forged_on_replica and not result.forged_on_primary and result.attacker_wins


def test_a_ca_per_role_makes_the_replica_refuse_the_attacker(redis_host: None, tmp_path: Path) -> None:
    require_tool("nft")
    result = run_same_ca(tmp_path, ca_per_role=True)
    assert not result.attacker_wins and result.credentials == ()
    assert any("certificate verify failed" in line for line in result.replica_refusals)
