"""The watch engine on ring files the tests write: new findings once, the interception burst, rates, log."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.analysis.watch import EventKind, Watch
from tests.conftest import require_tool
from tests.lab.analysis.wire import (
    CLIENT,
    SERVER,
    client_hello,
    conversation,
    self_signed_der,
    server_flight,
    tls_record,
    write,
)

UNKNOWN_CA = tls_record(21, 0x0303, b"\x02\x30")  # fatal unknown_ca, in clear (TLS 1.2)


def _redis(sport: int) -> list[object]:
    turns = [
        (CLIENT, b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"),
        (SERVER, b"+OK\r\n"),
        (CLIENT, b"*1\r\n$3\r\nFOO\r\n"),
    ]
    return conversation([*turns, (SERVER, b"-ERR unknown command 'FOO'\r\n")], sport=sport)


def _rejected(sport: int) -> list[object]:
    flight = server_flight(0x0303, 0xC02F, [self_signed_der("ec")])
    return conversation(
        [(CLIENT, client_hello()), (SERVER, flight), (CLIENT, UNKNOWN_CA)], sport=sport, dport=6380
    )


def test_findings_once_command_log_and_interception(tmp_path: Path) -> None:
    require_tool("tshark")
    watch = Watch(ports=[6380])
    first = watch.feed(write(tmp_path / "1.pcap", _redis(40001)), now=1000.0)
    assert [e.kind for e in first.events] == [EventKind.FINDING, EventKind.FINDING]  # AUTH + plaintext
    assert [(c.command, c.success, c.reply) for c in first.commands] == [
        ("AUTH pw", True, "OK"),
        ("FOO", False, "(error) ERR unknown command 'FOO'"),
    ]
    again = watch.feed(write(tmp_path / "2.pcap", _redis(40002)), now=1002.0)
    assert not again.events  # same checks on the same server: nothing new
    burst = [p for i in range(3) for p in _rejected(41000 + i)]
    update = watch.feed(write(tmp_path / "3.pcap", burst), now=1004.0)
    kinds = [e.kind for e in update.events]
    assert EventKind.INTERCEPTION in kinds
    assert dict(update.rates.alerts)["Unknown CA"] == 3 and update.rates.handshake_failures == 3
    later = watch.feed(write(tmp_path / "4.pcap", burst), now=1100.0)
    assert watch.rates(1100.0).alerts == (("Unknown CA", 3),)  # the first burst left the window
    assert EventKind.INTERCEPTION in [e.kind for e in later.events]  # raised again, a minute later


def test_two_rejections_are_not_an_interception(tmp_path: Path) -> None:
    require_tool("tshark")
    update = Watch().feed(write(tmp_path / "x.pcap", [p for i in range(2) for p in _rejected(42000 + i)]))
    assert EventKind.INTERCEPTION not in [e.kind for e in update.events]


@pytest.mark.parametrize("content", [b"", b"garbage line\n"])
def test_watch_cli_checks_the_key_log_first(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    from lab.cli import main

    keylog = tmp_path / "keys.log"
    keylog.write_bytes(content)
    missing = tmp_path / "absent.log"
    require_tool("tshark")
    assert main(["watch", "--keylog", str(missing), "--duration", "0"]) == 2
    assert "does not exist" in capsys.readouterr().err
    if content:
        assert main(["watch", "--keylog", str(keylog), "--duration", "0"]) == 2
        err = capsys.readouterr().err.strip()
        assert "not an NSS key log line" in err and len(err.splitlines()) == 1


def test_watch_without_tshark_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lab.cli import main

    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["watch", "--duration", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert "tshark not found" in err and "apt-get install tshark" in err and len(err.splitlines()) == 1
