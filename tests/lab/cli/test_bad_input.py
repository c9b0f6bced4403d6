"""Bad input to every subcommand: one line naming the problem and the fix, exit 2; never a traceback, a hang,
or a run whose result is lost at the end because an output path was wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab.cli import main
from lab.pki import LabPKI
from lab.scenario.loader import scenarios_dir

TLSLAB = str(Path(sys.executable).with_name("tlslab"))


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "garbage.pcap").write_text("garbage\n")
    (tmp_path / "empty.pcap").write_bytes(b"")
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo.pcap")
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "broken.toml").write_text('name = "x"\ntitle = [\n')
    (tmp_path / "unknown-key").mkdir()
    (tmp_path / "unknown-key" / "y.toml").write_text('name = "y"\nbogus = 1\n')
    LabPKI.create(tmp_path / "pki")
    (tmp_path / "not-utf8").mkdir()
    (tmp_path / "not-utf8" / "z.toml").write_bytes(b'name = "z"\ntitle = "\xff"\n')
    (tmp_path / "bad-type").mkdir()
    real = (scenarios_dir() / "plaintext-sniff.toml").read_text()  # a whole, valid file but for one value
    bad = real.replace("\ntimeout = 60\n", '\ntimeout = "soon"\n')
    (tmp_path / "bad-type" / "plaintext-sniff.toml").write_text(bad)
    return tmp_path


CASES: list[tuple[str, str, str]] = [
    # (arguments, with {d} for the temp folder; what the line must name)
    ("analyze {d}/missing.pcap", "does not exist", "missing.pcap"),
    ("analyze {d}/garbage.pcap", "not a capture file", "garbage.pcap"),
    ("analyze {d}/empty.pcap", "not a capture file", "empty.pcap"),
    ("analyze {d}/folder", "is a folder", "pass a pcap"),
    ("analyze {d}/fifo.pcap", "not a regular file", "pass a pcap"),
    ("analyze {d}/garbage.pcap --keylog {d}/missing.log", "key log", "missing.log"),
    ("analyze {d}/garbage.pcap --keylog {d}/fifo.pcap", "not a regular file", "SSLKEYLOGFILE"),
    ("watch --keylog {d}/fifo.pcap", "not a regular file", "SSLKEYLOGFILE"),
    ("watch --keylog {d}/folder", "is a folder", "SSLKEYLOGFILE"),
    ("analyze {d}/garbage.pcap --port 99999", "not a TCP port", "1-65535"),
    ("analyze {d}/garbage.pcap --port abc", "not a port number", "1-65535"),
    ("analyze {d}/garbage.pcap --json {d}/folder", "is a folder", "file path"),
    ("analyze {d}/garbage.pcap --html {d}/a-file/page.html", "is a file, not a folder", "another place"),
    ("watch --port 0", "not a TCP port", "1-65535"),
    ("watch -i no-such-if0", "no interface 'no-such-if0'", "lo"),
    ("watch --keylog {d}/missing.log", "does not exist", "SSLKEYLOGFILE"),
    ("watch --json-lines {d}/folder", "is a folder", "file path"),
    ("watch --duration -1", "-1 s", "0 or more"),
    ("watch --duration nan", "nan s", "0 or more"),
    ("run --out {d}/a-file x", "is a file", "give a folder"),
    ("run --junit {d}/folder x", "is a folder", "file path"),
    ("run --scenarios {d}/missing x", "no scenario directory", "--scenarios"),
    ("run --scenarios {d}/scenarios x", "broken.toml", "TOML"),
    ("run --scenarios {d}/unknown-key y", "bogus", "known keys"),
    ("run --target valkey x", "invalid choice", "--help"),
    ("list --scenarios {d}/scenarios", "broken.toml", "TOML"),
    ("list --scenarios {d}/not-utf8", "z.toml", "UTF-8"),
    ("list --scenarios {d}/bad-type", "timeout", "expected a number"),
    ("course --out {d}/a-file --no-pause", "is a file", "give a folder"),
    ("course --scenarios {d}/scenarios --no-pause", "broken.toml", "TOML"),
    ("report nope --reports {d}/folder", "no run 'nope'", "make scenario"),
    ("report {d}/garbage.pcap", "not valid JSON", "re-run"),
    ("bench --out {d}/a-file", "is a file", "give a folder"),
    ("bench --json {d}/folder", "is a folder", "file path"),
    ("bench --endpoint 192.0.2.1:6379", "neither loopback nor", "--i-own-this-network"),
    ("bench --endpoint nonsense", "HOST:PLAIN_PORT", "e.g."),
    ("audit", "nothing to audit", "HOST:PORT"),
    ("audit 192.0.2.1:6379", "neither loopback nor", "--i-own-this-network"),
    ("audit 127.0.0.1:99999", "1-65535", "HOST:PORT"),
    ("audit --plain-port 70000 127.0.0.1:6379", "not a TCP port", "1-65535"),
    ("audit --config {d}/missing.conf", "no such file", "redis.conf"),
    ("audit --config {d}/folder", "a folder", "redis.conf"),
    ("audit 127.0.0.1:6379 --ca {d}/missing.pem", "no such file", "PEM"),
    ("audit 127.0.0.1:6379 --ca {d}/garbage.pcap", "no usable PEM certificate", "the CA that signed"),
    ("audit 127.0.0.1:6379 --ca {d}/pki/ca.crt --cert {d}/garbage.pcap --key {d}/garbage.pcap", "PEM lib",
     "its own private key"),
    ("audit 127.0.0.1:6379 --ca {d}/pki/ca.crt --cert {d}/pki/client.crt --key {d}/pki/server.key",
     "key values mismatch", "its own private key"),
    ("bench --endpoint 127.0.0.1:6380 --ca {d}/garbage.pcap", "no usable PEM certificate",
     "the CA that signed"),
    ("audit --config {d}/a-file --json {d}/folder", "is a folder", "file path"),
    ("audit-client", "no client command", "--"),
    ("audit-client -- /no/such/client", "not found", "full path"),
    ("audit-client --json {d}/folder -- true", "is a folder", "file path"),
    ("audit-client --timeout 0 -- true", "0 s", "above 0"),
    ("audit 127.0.0.1:1", "nothing accepts connections at 127.0.0.1:1", "start the server"),
    ("bench --endpoint 127.0.0.1:1", "nothing accepts connections at 127.0.0.1:1", "start the server"),
    ("netlab", "required: ACTION", "--help"),
    ("netlab bogus", "invalid choice", "cleanup"),
]


@pytest.mark.parametrize(("argv", "problem", "fix"), CASES, ids=[c[0].replace("{d}/", "") for c in CASES])
def test_one_line_naming_problem_and_fix_exit_2(
    files: Path, capsys: pytest.CaptureFixture[str], argv: str, problem: str, fix: str
) -> None:
    args = argv.format(d=files).split()
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code  # type: ignore[assignment]
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert code == 2, (captured.out, err)
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"tlslab {args[0]}: ") or err.startswith("tlslab: "), err
    assert problem in err and fix in err, err


def test_the_installed_command_prints_no_traceback(files: Path) -> None:
    """The same path as a user's shell: the console script, a bad output folder found before any work."""
    done = subprocess.run([TLSLAB, "run", "plaintext-sniff", "--out", str(files / "a-file")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (files / "reports").exists()
