"""lab.analysis.tshark_tables: tshark's value names scanned fast and cached per binary, never wrong."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from lab.analysis import tshark_tables
from lab.analysis.tshark import tshark_binary
from tests.conftest import require_tool

FIELDS = ("tls.handshake.ciphersuite", "tls.alert_message.desc")


def test_the_byte_scan_reads_what_a_line_by_line_parse_reads() -> None:
    require_tool("tshark")
    binary = tshark_binary()
    reference: dict[str, dict[int, str]] = {f: {} for f in FIELDS}
    out = subprocess.run([binary, "-G", "values"], capture_output=True, text=True, timeout=120).stdout
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[0] == "V" and parts[1] in reference:
            reference[parts[1]][int(parts[2])] = parts[3]
    scanned = tshark_tables.scan_values(binary, FIELDS)
    assert scanned == reference and scanned["tls.handshake.ciphersuite"][0x1302] == "TLS_AES_256_GCM_SHA384"


def test_a_cached_table_is_read_back_and_a_new_binary_gets_its_own(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    binary = tmp_path / "tshark"
    binary.write_text("v1")
    calls: list[int] = []

    def read() -> list[str]:
        calls.append(1)
        return ["resp", "http"]

    assert tshark_tables.cached(str(binary), "app-protocols", read) == ["resp", "http"]
    assert tshark_tables.cached(str(binary), "app-protocols", read) == ["resp", "http"]
    assert len(calls) == 1, "the second process reads the file, not tshark"
    binary.write_text("v2, upgraded")  # another size and mtime: another tshark
    os.utime(binary, ns=(1, 1))
    tshark_tables.cached(str(binary), "app-protocols", read)
    assert len(calls) == 2


def test_a_broken_or_unwritable_cache_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    binary = tmp_path / "tshark"
    binary.write_text("v1")
    tshark_tables.cached(str(binary), "x", lambda: {"a": 1})
    (cache,) = (tmp_path / "cache" / "redis-tls-lab").iterdir()
    cache.write_text("{not json")
    assert tshark_tables.cached(str(binary), "x", lambda: {"a": 2}) == {"a": 2}
    assert json.loads(cache.read_text())["value"] == {"a": 2}, "a broken file is replaced"
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert tshark_tables.cached(str(binary), "x", lambda: {"a": 3}) == {"a": 3}
