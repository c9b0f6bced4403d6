"""`tlslab audit --config redis.conf`: the same findings from the file alone, no server started."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lab import procs
from lab.audit import AuditOptions, Source, audit
from lab.audit.redis70 import CONFIG_NAMES
from lab.cli import main
from lab.errors import UserError
from lab.pki import LabPKI


def _conf(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "redis.conf"
    path.write_text(text)
    return path


def _checks(path: Path) -> dict[str, list[str]]:
    report = audit(AuditOptions(config=path))
    assert all(f.source is Source.CONFIG for f in report.findings)
    out: dict[str, list[str]] = {}
    for f in report.findings:
        out.setdefault(f.check, []).append(f.title)
    return out


def test_defaults_of_an_empty_file_are_redis_defaults(tmp_path: Path) -> None:
    found = _checks(_conf(tmp_path, "# nothing set\n"))
    assert found["plaintext-port"] == ["no TLS: Redis listens in clear on port 6379"]
    assert found["no-auth"] == ["the config sets no password"]
    assert found["bind-all"]  # Redis 7's compiled default is `bind * -::*`
    assert "client-cert-not-required" not in found  # TLS is off: nothing to say about client certs


def test_tls_defects_and_their_lines(tmp_path: Path, pki: LabPKI) -> None:
    key = tmp_path / "other.key"
    shutil.copy(pki.client.key, key)  # a key, but not tls-cert-file's
    os.chmod(key, 0o644)
    inc = tmp_path / "tls.conf"
    inc.write_text(f"tls-cert-file {pki.server.cert}\ntls-key-file {key}\ntls-ca-cert-file {pki.ca_cert}\n")
    path = _conf(
        tmp_path,
        f"port 6379\ntls-port 6380\ninclude {inc}\ntls-auth-clients no\n"
        'tls-protocols "TLSv1 TLSv1.2"\ntls-ciphers AES128-SHA:ECDHE-ECDSA-AES128-GCM-SHA256\n'
        "protected-mode no\nreplicaof 10.0.0.5 6380\ncluster-enabled yes\nrequirepass s3cret-pw\n",
    )
    report = audit(AuditOptions(config=path))
    by = {(f.check, f.title): f for f in report.findings}
    titles = {c for c, _ in by}
    assert {
        "plaintext-port",
        "client-cert-not-required",
        "tls-old-protocol",
        "weak-cipher",
        "protected-mode-off",
        "links-in-clear",
        "tls-file-problem",
    } <= titles
    assert "no-auth" not in titles
    assert by[("tls-old-protocol", "tls-protocols allows TLSv1")].observed.endswith(f"({path}:5)")
    assert any("AES128-SHA" in t for c, t in by if c == "weak-cipher")
    problems = [t for c, t in by if c == "tls-file-problem"]
    assert f"the private key {key} is world-readable" in problems
    assert f"{key} is not the key of {pki.server.cert}" in problems
    assert {t for c, t in by if c == "links-in-clear"} == {
        "replication to the primary runs in clear",
        "the cluster bus runs in clear",
    }
    assert "s3cret-pw" not in str(report.to_dict())


def test_a_name_redis_does_not_know_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Bad directive"):
        audit(AuditOptions(config=_conf(tmp_path, "tls-prot 6380\n")))
    assert main(["audit", "--config", str(_conf(tmp_path, "prot 0\n"))]) == 2
    # a real Redis directive the bundled server does not implement is read, not refused
    assert _checks(_conf(tmp_path, "maxmemory-policy allkeys-lru\nport 0\ntls-port 6380\n"))


def test_the_directive_list_is_redis_servers_own(tmp_path: Path) -> None:
    binary = shutil.which("redis-server")
    cli = shutil.which("redis-cli")
    if binary is None or cli is None:
        pytest.skip("redis-server/redis-cli not found: apt-get install redis-server redis-tools")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = procs.spawn(
        [binary, "--port", str(port), "--save", "", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL
    )
    try:
        out = ""
        for _ in range(50):
            r = subprocess.run([cli, "-p", str(port), "config", "get", "*"], capture_output=True, text=True)
            if r.returncode == 0 and r.stdout:
                out = r.stdout
                break
            import time

            time.sleep(0.1)
        names = set(out.splitlines()[0::2])
    finally:
        proc.terminate()
        proc.wait(10)
    assert names == CONFIG_NAMES
