"""lab.analysis.tshark: the real tshark's value names and its error handling."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.analysis.tshark import TsharkOutcome, rows, value_names
from lab.errors import UserError
from tests.conftest import require_tool


def test_cipher_and_alert_names_come_from_tshark() -> None:
    require_tool("tshark")
    names = value_names(("tls.handshake.ciphersuite", "tls.alert_message.desc"))
    assert names["tls.handshake.ciphersuite"][0x1302] == "TLS_AES_256_GCM_SHA384"
    assert names["tls.alert_message.desc"][48] == "Unknown CA"


def test_not_a_capture_is_a_user_error(tmp_path: Path) -> None:
    require_tool("tshark")
    junk = tmp_path / "junk.pcapng"
    junk.write_bytes(b"nonsense" * 10)
    outcome: list[TsharkOutcome] = []
    with pytest.raises(UserError, match="not a capture file"):
        list(rows(junk, None, outcome))
