"""lab.analysis.tlsrecords: record framing across arbitrary TCP boundaries."""

from __future__ import annotations

import os

from lab.analysis.tlsrecords import RecordScanner


def record(ctype: int, body: bytes) -> bytes:
    return bytes([ctype, 3, 3]) + len(body).to_bytes(2, "big") + body


def test_records_sizes_types_and_client_random_across_splits() -> None:
    random = os.urandom(32)
    hello = bytes([1, 0, 0, 100, 3, 3]) + random + b"\0" * 62
    stream = record(22, hello) + record(23, b"x" * 300) + record(21, b"\x02\x28")
    for step in (1, 7, len(stream)):
        s = RecordScanner()
        out = [r for i in range(0, len(stream), step) for r in s.feed(stream[i : i + step])]
        assert out == [(22, len(hello)), (23, 300), (21, 2)]
        assert s.app_data_seen and not s.broken
        if step > 43:  # the random is read when the ClientHello's start arrives with its header
            assert s.client_random == random.hex()


def test_non_tls_bytes_stop_the_scan() -> None:
    s = RecordScanner()
    assert s.feed(b"*1\r\n$4\r\nPING\r\n") == [] and s.broken
