"""lab.analysis.streams on a relay-recorded capture (synthetic TCP from lab.capture's fallback) and on TLS."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

from lab.analysis import analyze
from lab.capture import Capture
from lab.pki import LabPKI
from lab.targets import TargetSpec, start_target
from tests.conftest import require_tool
from tests.lab.traffic import TlsOptions, session


def test_relay_capture_gives_the_same_story(tmp_path: Path) -> None:
    pki = LabPKI.create(tmp_path / "pki")
    spec = TargetSpec(kind="bundled", tls=True, requirepass="relay-pw")
    with start_target(spec, tmp_path / "target", pki) as srv:
        assert srv.port is not None and srv.tls_port is not None
        with Capture(ports=[srv.port, srv.tls_port], out=tmp_path / "r.pcapng", method="relay") as cap:
            session(cap.address(srv.port)[1], [["AUTH", "relay-pw"], ["SET", "big", "x" * 200_000]])
            tls = TlsOptions(pki.ca_cert, ssl.TLSVersion.TLSv1_2, keylog=cap.keylog)
            session(cap.address(srv.tls_port)[1], [["AUTH", "relay-pw"], ["PING"]], tls)
    report = analyze(cap.result.path, keylog=cap.keylog, secrets=["relay-pw"])
    plain, tls_stream = report.streams
    assert plain.transport == "plaintext" and plain.server.port == srv.port and plain.client.port != srv.port
    assert [line.args[0] for line in plain.transcript if line.direction == "c2s"] == ["AUTH", "SET"]
    assert len(plain.transcript[2].args[2]) == 200_000  # a value spread over several segments
    assert plain.auth_frames and report.exposures[0].frames == plain.auth_frames
    assert tls_stream.tls_version == "TLSv1.2" and tls_stream.decrypted
    assert [line.text for line in tls_stream.transcript if line.direction == "s2c"] == ["OK", "PONG"]
    # Record sizes: every TLS record, client and server, with its frame.
    assert tls_stream.records == len(tls_stream.record_sizes) > 6
    assert {r.direction for r in tls_stream.record_sizes} == {"c2s", "s2c"}


def test_stream_without_syn_takes_the_redis_port_as_server(tmp_path: Path) -> None:
    require_tool("redis-server")
    require_tool("dumpcap")
    with start_target(TargetSpec(kind="redis-server"), tmp_path / "target") as srv:
        assert srv.port is not None
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        try:
            # The connection exists before the capture starts: no SYN in the file.
            with Capture(ports=[srv.port], out=tmp_path / "mid.pcapng", method="dumpcap") as cap:
                sock.sendall(b"*1\r\n$4\r\nPING\r\n")
                assert sock.recv(100) == b"+PONG\r\n"
        finally:
            sock.close()
    (stream,) = analyze(cap.result.path, ports=[srv.port]).streams
    assert stream.server.port == srv.port and stream.redis_evidence == "port+content"
    assert [line.text for line in stream.transcript] == ["PING", "PONG"]
