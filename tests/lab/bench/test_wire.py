"""lab.bench.wire: bytes per request from a real capture (dumpcap, or the relay without capture rights)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.bench.results import Cell
from lab.bench.wire import sample_wire
from lab.pki import LabPKI
from lab.targets import RunningTarget
from tests.conftest import require_tool


def test_plaintext_is_exactly_resp_and_tls_adds_records(
    redis_target: RunningTarget, pki: LabPKI, tmp_path: Path
) -> None:
    require_tool("tshark")
    cells = [
        Cell("redis-server", "plain", 1, 16),
        Cell("redis-server", "tls1.3", 1, 16),
        Cell("redis-server", "tls1.3", 1, 16, "new-full"),
    ]
    assert redis_target.port is not None and redis_target.tls_port is not None
    plain, tls, new = sample_wire(
        cells,
        redis_target.port,
        redis_target.tls_port,
        pki.ca_cert,
        tmp_path / "wire.pcapng",
        redis_target.pid,
    )
    for s in (plain, tls, new):
        assert s.error is None and s.ops > 0 and s.packets > 0
    # Plaintext carries the RESP bytes and nothing else.
    assert plain.c2s_per_op == pytest.approx(plain.resp_c2s_per_op, abs=0.01)
    assert plain.s2c_per_op == pytest.approx(plain.resp_s2c_per_op, abs=0.01)
    assert plain.tls_records == 0
    # TLS 1.3 at pipeline 1: about one record per request and per reply, each at least 22 bytes more.
    assert tls.tls_records >= 2 * tls.ops
    assert tls.c2s_per_op >= tls.resp_c2s_per_op + 22
    assert tls.c2s_per_op + tls.s2c_per_op >= tls.floor_per_op - 1
    # A new connection per request carries a whole handshake (certificate included) per request.
    assert new.s2c_per_op > 300
