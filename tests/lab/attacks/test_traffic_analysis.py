from __future__ import annotations

from pathlib import Path

from lab.attacks.traffic_analysis import analyse_sizes, bulk_size, pearson, tls_version
from lab.pki import LabPKI
from lab.targets import RunningTarget


def test_bulk_size_inverts_the_resp_framing() -> None:
    for n in (0, 1, 9, 10, 99, 100, 12345, 10**6):
        assert bulk_size(len(f"${n}\r\n") + n + 2) == n
    assert bulk_size(2) is None


def test_pearson_and_version_detection() -> None:
    assert pearson([1, 2, 3], [2, 4, 6]) == 1.0
    assert pearson([1, 1], [1, 2]) == 0.0
    assert tls_version(b"\x16\x03\x03..\x00\x2b\x00\x02\x03\x04") == "TLSv1.3"
    assert tls_version(b"\x16\x03\x03....") == "TLSv1.2"


def test_value_sizes_leak_through_tls_record_lengths(dual_target: RunningTarget, attack_pki: LabPKI,
                                                     tmp_path: Path) -> None:
    assert dual_target.tls_port is not None
    leak = analyse_sizes("127.0.0.1", dual_target.tls_port, attack_pki.ca_cert, count=15,
                         figure=tmp_path / "sizes.png")
    assert leak.exact == 15 and leak.correlation > 0.999
    assert leak.figure is not None and leak.figure.stat().st_size > 0
