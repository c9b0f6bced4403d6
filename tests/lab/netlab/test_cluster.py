"""cluster-bus on three redis-server hosts: the bus decoded from the switch without tls-cluster only."""

from __future__ import annotations

import struct
from pathlib import Path

from lab.netlab.cluster import SLOT_RANGES, run_cluster
from lab.netlab.clusterbus import BusType, parse_message, slot_ranges


def test_without_tls_cluster_the_switch_reads_node_ids_slot_maps_and_gossip(redis_host: None,
                                                                             tmp_path: Path) -> None:
    result = run_cluster(tmp_path, tls_cluster=False)
    assert result.cluster_ok
    ids = dict(result.node_ids)
    assert set(result.bus.node_ids) == set(ids.values())  # every node id, read off the wire
    owners = dict(result.bus.slot_owners)
    assert [owners[ids[n]] for n in ("node1", "node2", "node3")] == [(r,) for r in SLOT_RANGES]
    assert ("node1→node2", "MEET") in result.bus.labels and ("node2→node1", "PONG") in result.bus.labels
    gossip = {g.node_id for m in result.bus.messages for g in m.gossip}
    assert gossip <= set(ids.values()) and gossip
    assert ("tls-cluster", "no") in result.config


def test_with_tls_cluster_the_same_observer_decodes_nothing(redis_host: None, tmp_path: Path) -> None:
    result = run_cluster(tmp_path, tls_cluster=True)
    assert result.cluster_ok  # the bus works, encrypted
    assert result.capture.packets > 0 and not result.bus.readable and result.bus.node_ids == ()


def test_the_header_decoder_on_a_built_message() -> None:
    slots = bytearray(2048)
    for s in range(5, 9):
        slots[s >> 3] |= 1 << (s & 7)
    header = struct.pack("!4sIHHHHQQQ40s2048s40s46sH30sHHHB3s", b"RCmb", 2256 + 104, 1, 6380, BusType.PING,
                         1, 7, 0, 0, b"a" * 40, bytes(slots), b"0" * 40, b"198.18.0.10", 0, b"", 0, 16379,
                         0, 0, b"")
    gossip = struct.pack("!40sII46sHHHI", b"b" * 40, 0, 0, b"198.18.0.11", 6380, 16379, 0, 0)
    msg = parse_message(header + gossip, 3, "a:1", "b:2")
    assert msg is not None and msg.type is BusType.PING and msg.sender == "a" * 40
    assert msg.slots == ((5, 8),) and msg.replica_of == "" and msg.current_epoch == 7
    assert [(g.node_id, g.ip, g.bus_port) for g in msg.gossip] == [("b" * 40, "198.18.0.11", 16379)]
    assert parse_message(b"\x16\x03\x01" + header[3:], 3, "a", "b") is None  # TLS is not the bus
    assert slot_ranges(bytes(2048)) == ()
