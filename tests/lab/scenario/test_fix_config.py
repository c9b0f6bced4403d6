"""Every printed fix is a config real redis-server 7.0 starts with, as written.

The block is written to a redis.conf unchanged except for what only a real machine has: the paths under
/etc/redis/tls/ and /var/lib/redis point at this test's files, and the port numbers at free ones. The
server must start and listen on the ports the block opens — and on no port the block closes.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

from lab import procs
from lab.pki import LabPKI
from lab.scenario.loader import load_all
from lab.scenario.schema import Scenario
from tests.conftest import require_tool

WITH_CONFIG = [s for s in load_all() if s.remediation.config]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _config(scenario: Scenario, tmp: Path, pki: LabPKI) -> tuple[str, dict[str, int]]:
    """The block as written, with machine-specific paths and ports replaced; the ports it opens."""
    paths = {
        "/etc/redis/tls/server.crt": pki.server.cert, "/etc/redis/tls/server.key": pki.server.key,
        "/etc/redis/tls/ca.crt": pki.ca_cert, "/var/lib/redis": tmp / "data",
    }
    (tmp / "data").mkdir()
    ports: dict[str, int] = {}
    lines = []
    for line in scenario.remediation.config:
        for old, new in paths.items():
            line = line.replace(old, str(new))
        m = re.fullmatch(r"(port|tls-port) (\d+)", line)
        if m and m.group(2) != "0":
            ports[m.group(1)] = _free_port()
            line = f"{m.group(1)} {ports[m.group(1)]}"
        lines.append(line)
    assert not any("/etc/redis" in line for line in lines), f"a path the test cannot provide: {lines}"
    # only what a test needs around the block: loopback, a private dir, and no default port 6379 clash
    head = ["bind 127.0.0.1", f"dir {tmp / 'data'}", "save \"\""]
    if not any(line.startswith("port ") for line in lines):
        ports["port"] = _free_port()
        head.append(f"port {ports['port']}")
    return "\n".join([*head, *lines]) + "\n", ports


@pytest.mark.parametrize("scenario", WITH_CONFIG, ids=[s.name for s in WITH_CONFIG])
def test_fix_config_starts_real_redis_server(scenario: Scenario, tmp_path: Path) -> None:
    binary = require_tool("redis-server")
    pki = LabPKI.create(tmp_path / "pki")
    text, ports = _config(scenario, tmp_path, pki)
    conf = tmp_path / "redis.conf"
    conf.write_text(text)
    proc = procs.spawn([binary, str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and proc.poll() is None:
            if all(map(_listening, ports.values())):
                break
            time.sleep(0.05)
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            pytest.fail(f"redis-server refused the fix of {scenario.name}:\n{text}\n{out[-800:]}")
        assert all(map(_listening, ports.values())), f"not listening on {ports}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_fix_that_closes_the_plaintext_port_says_port_0() -> None:
    """The fix case ran without the plaintext listener: a printed server block must close it too
    (a client-only fix prints no server block)."""
    for s in load_all():
        fix = s.fix_case
        if fix is None or fix.target.plaintext or not s.remediation.config:
            continue
        assert "port 0" in s.remediation.config, f"{s.name}: the fix closes port but its config does not"


def test_every_tls_fix_block_is_complete() -> None:
    """A block that opens a TLS port names its cert, key and tls-auth-clients (Redis's default is yes)."""
    for s in WITH_CONFIG:
        names = {line.split()[0] for line in s.remediation.config}
        if "tls-port" in names:
            assert {"tls-cert-file", "tls-key-file", "tls-auth-clients"} <= names, s.name
