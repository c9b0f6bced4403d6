"""lab.capture against real dumpcap and a real redis-server: nothing of the run may be lost."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from scapy.layers.inet import TCP
from scapy.utils import PcapNgReader

from lab.capture import Capture, CaptureError
from lab.capture.rights import GRANT_HINT, is_permission_problem
from lab.targets import TargetSpec, start_target
from tests.conftest import require_tool
from tests.lab.traffic import session


def _payloads(path: Path) -> bytes:
    with PcapNgReader(str(path)) as reader:
        return b"".join(bytes(p[TCP].payload) for p in reader if TCP in p)


def _marker_run(tmp_path: Path, method: str) -> tuple[Capture, bytes]:
    require_tool("redis-server")
    with start_target(TargetSpec(kind="redis-server"), tmp_path / "target") as srv:
        assert srv.port is not None
        cap = Capture(ports=[srv.port], out=tmp_path / "run.pcapng", method=method)  # type: ignore[arg-type]
        with cap:
            _, port = cap.address(srv.port)
            # The very first and very last packets of the run carry markers: both must be in the file.
            session(
                port,
                [["SET", "marker:first", "alpha"], *[["INCR", "n"]] * 20, ["SET", "marker:last", "omega"]],
            )
        return cap, _payloads(cap.result.path)


def test_dumpcap_keeps_first_and_last_packet(tmp_path: Path) -> None:
    require_tool("dumpcap")
    cap, payload = _marker_run(tmp_path, "dumpcap")
    assert cap.result.method == "dumpcap"
    assert b"marker:first" in payload and b"marker:last" in payload
    assert payload.count(b"INCR") == 20
    assert cap.result.packets >= 2 * 22  # a request and a reply per command at least
    assert cap.result.dropped == 0


def test_relay_fallback_records_at_socket_level(tmp_path: Path) -> None:
    cap, payload = _marker_run(tmp_path, "relay")
    result = cap.result
    assert result.method == "relay"
    assert b"marker:first" in payload and b"marker:last" in payload
    with PcapNgReader(str(result.path)) as reader:
        packets = list(reader)
    assert len(packets) == result.packets
    # Written as seen on the server's real port, with a TCP handshake and a FIN.
    ports = {p[TCP].dport for p in packets} | {p[TCP].sport for p in packets}
    assert result.ports[0] in ports
    assert str(packets[0][TCP].flags) == "S"
    assert any("F" in str(p[TCP].flags) for p in packets)


def test_relay_with_no_traffic_writes_a_valid_empty_capture(tmp_path: Path) -> None:
    with Capture(ports=[1], out=tmp_path / "empty.pcapng", method="relay") as cap:
        pass
    assert cap.result.packets == 0
    tshark = require_tool("tshark")
    done = subprocess.run([tshark, "-r", str(cap.result.path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def test_keylog_path_sits_next_to_capture(tmp_path: Path) -> None:
    with Capture(ports=[1], out=tmp_path / "s.pcapng", method="relay") as cap:
        cap.keylog.write_text("# written by a client\n")
    assert cap.result.keylog == tmp_path / "s.keylog"


def test_unprivileged_dumpcap_message_is_recognised() -> None:
    dumpcap = require_tool("dumpcap")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv not found: apt-get install util-linux")
    done = subprocess.run(
        [
            setpriv,
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            dumpcap,
            "-i",
            "lo",
            "-c",
            "1",
            "-w",
            "/dev/null",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if done.returncode == 0:
        pytest.skip("dumpcap has file capabilities here: even 'nobody' may capture")
    assert is_permission_problem(done.stderr), done.stderr
    assert "setcap cap_net_raw,cap_net_admin+eip" in GRANT_HINT


def test_address_of_an_uncaptured_port_is_refused(tmp_path: Path) -> None:
    require_tool("dumpcap")
    with Capture(ports=[9], out=tmp_path / "x.pcapng", method="dumpcap") as cap, pytest.raises(CaptureError):
        cap.address(10)
