"""arp-mitm: ARP poisoning + nftables redirect + transparent mitmproxy, the client never told; the lab/mitm
matrix through that position, and the ARP evidence on the switch."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lab.clients import Posture
from lab.mitm.certs import AttackerCert
from lab.netlab.arpmitm import run_arp_mitm
from lab.netlab.transparent import NFT_TABLE
from tests.conftest import require_tool
from tests.lab.netlab.leftovers import lab_links, lab_namespaces


def test_the_matrix_through_a_poisoned_network_and_the_arp_evidence(redis_host: None, tmp_path: Path) -> None:
    require_tool("nft")
    require_tool("redis-cli")
    result = run_arp_mitm(tmp_path,
                          attackers=(AttackerCert.SAME_CA_OTHER_HOST, AttackerCert.STOLEN_CLIENT_CERT))
    assert result.baseline.ok and result.poisoned and result.restored
    assert result.unmet == (), [(c.library, c.posture, c.tls_auth_clients, c.attacker, c.observed)
                                for c in result.unmet]
    by = {(c.library, c.posture.value, c.tls_auth_clients, c.attacker): c for c in result.cells}
    won = by[("redis-cli", "tls-chain-only", "no", AttackerCert.SAME_CA_OTHER_HOST)]
    assert won.observed == "compromised" and won.outcome is not None
    assert won.outcome.tamper_reached_client  # the forged reply reached the client that dialled the server
    assert by[("redis-py", "tls-full", "no", AttackerCert.SAME_CA_OTHER_HOST)].observed == "blocked-at-client"
    stolen = by[("redis-py", "tls-no-verify", "yes", AttackerCert.STOLEN_CLIENT_CERT)]
    assert stolen.observed == "compromised"  # with the victim's client cert mTLS does not stop it
    labels = {s.label for s in result.streams}
    assert {"client→server", "client→attacker", "attacker→server"} <= labels
    # what an IDS sees: forged unsolicited replies and two MACs for one address, for both victims
    attacker, client, server = (result.roles.party(a) for a in ("198.18.0.12", "198.18.0.10", "198.18.0.11"))
    assert attacker is not None and client is not None and server is not None
    forged = result.arp.forged
    assert forged and all(c.sender_mac == attacker.mac and c.claimed_by == "attacker" for c in forged)
    assert any(c.gratuitous for c in forged) and all(c.unsolicited for c in forged)
    dups = {d.ip: d for d in result.arp.duplicates}
    assert set(dups) == {client.address, server.address}
    assert dups[server.address].macs == (server.mac, attacker.mac) and dups[server.address].owner == "server"


def test_a_verifying_client_blocks_it_and_nothing_of_the_attacker_outlives_the_run(
        redis_host: None, tmp_path: Path) -> None:
    require_tool("nft")
    result = run_arp_mitm(tmp_path, attackers=(AttackerCert.MITM_CA,), auth_modes=("no",),
                          libraries=("redis-py",), postures=(Posture.TLS_FULL,))
    assert [c.observed for c in result.cells] == ["blocked-at-client"]
    assert lab_namespaces() == [] and lab_links() == []
    root_tables = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout
    assert NFT_TABLE not in root_tables  # the redirect lived in the attacker's namespace only
