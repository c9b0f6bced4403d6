"""lab.analysis.keylog: NSS key logs validated with one clear error."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from lab.analysis.keylog import client_randoms
from lab.errors import UserError


def test_reads_client_randoms_of_tls12_and_tls13_lines(tmp_path: Path) -> None:
    r12, r13 = secrets.token_hex(32), secrets.token_hex(32)
    log = tmp_path / "k.keylog"
    log.write_text(
        f"# comment\nCLIENT_RANDOM {r12} {secrets.token_hex(48)}\n\n"
        f"CLIENT_HANDSHAKE_TRAFFIC_SECRET {r13.upper()} {secrets.token_hex(48)}\n"
    )
    assert client_randoms(log) == {r12, r13}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "holds no keys"),
        (b"\x00\x01\xff binary", "binary content"),
        (b"hello world\n", "line 1 is not an NSS key log line"),
        (b"CLIENT_RANDOM zz 11\n", "line 1"),
    ],
)
def test_garbage_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    log = tmp_path / "bad.keylog"
    log.write_bytes(content)
    with pytest.raises(UserError, match=message):
        client_randoms(log)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        client_randoms(tmp_path / "nope.keylog")
