"""lab.scenario.lifecycle.disk: every file the server left, its kind, mode, secrets and key encryption;
the disk-file expectation on it; and expectations judged on one target only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from lab.scenario.evidence import CaseEvidence, DiskFile, FileKind, Secret
from lab.scenario.expectations import AtRest, DiskFileCheck, at_rest, disk_file
from lab.scenario.lifecycle.disk import exposures, key_encrypted, scan_disk
from lab.scenario.lifecycle.verify import judge, not_judged
from lab.scenario.loader import REGISTRIES
from lab.scenario.schema import parse_scenario
from lab.scenario.strict import SchemaError

SECRETS = (Secret("password", "pw-123"), Secret("email", "a@example.com"))


def _key(password: bytes | None) -> bytes:
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption())
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


def _server_files(tmp_path: Path, key: bytes) -> tuple[Path, Path]:
    data = tmp_path / "data"
    (data / "appendonlydir").mkdir(parents=True)
    (data / "appendonlydir" / "appendonly.aof.1.incr.aof").write_bytes(b"$13\r\na@example.com\r\n")
    (data / "snap.rdb").write_bytes(b"REDIS0010\x00a@example.com")
    (data / "notes.txt").write_bytes(b"nothing")
    (tmp_path / "pki").mkdir()
    (tmp_path / "pki" / "server.key").write_bytes(key)
    os.chmod(tmp_path / "pki" / "server.key", 0o600)
    conf = tmp_path / "redis.conf"
    conf.write_text(f'dir {data}\ndbfilename "snap.rdb"\ntls-key-file {tmp_path}/pki/server.key\n'
                    "requirepass pw-123\n")
    os.chmod(conf, 0o644)
    return data, conf


def test_every_file_with_its_kind_mode_and_secrets(tmp_path: Path) -> None:
    data, conf = _server_files(tmp_path, _key(None))
    files = {f.name: f for f in scan_disk(data, SECRETS, conf)}
    assert {n: f.kind for n, f in files.items()} == {
        "appendonlydir/appendonly.aof.1.incr.aof": FileKind.AOF, "notes.txt": FileKind.OTHER,
        "snap.rdb": FileKind.RDB, "redis.conf": FileKind.CONFIG, "server.key": FileKind.TLS_KEY}
    assert files["snap.rdb"].secrets == ("email",) and files["redis.conf"].secrets == ("password",)
    conf_file = files["redis.conf"]
    assert (conf_file.mode, conf_file.readable_by) == ("0644", ("owner", "group", "others"))
    assert (files["server.key"].mode, files["server.key"].readable_by) == ("0600", ("owner",))
    assert files["server.key"].encrypted is False and files["redis.conf"].encrypted is None
    by_secret = {x.label: x.files for x in exposures(tuple(files.values()), SECRETS)}
    assert by_secret == {"password": ("redis.conf",),
                         "email": ("appendonlydir/appendonly.aof.1.incr.aof", "snap.rdb")}


def test_an_encrypted_key_is_told_apart_from_a_plain_one() -> None:
    assert key_encrypted(_key(b"passphrase")) is True
    assert key_encrypted(_key(None)) is False
    assert key_encrypted(b"-----BEGIN CERTIFICATE-----\nnot a key\n") is None


def test_no_data_dir_and_no_config_is_an_empty_disk() -> None:
    assert scan_disk(None, SECRETS) == ()


def _ev(*files: DiskFile, secrets: tuple[Secret, ...] = SECRETS) -> CaseEvidence:
    return CaseEvidence(case="main", target_kind="bundled", disk=files, secrets=secrets)


AOF = DiskFile("appendonly.aof", FileKind.AOF, 10, "0644", "redis", ("owner", "group", "others"), ("email",))
KEY = DiskFile("server.key", FileKind.TLS_KEY, 10, "0600", "redis", ("owner",), (), False)


@pytest.mark.parametrize(
    ("check", "met"),
    [
        (DiskFileCheck(FileKind.AOF, holds=("email",), lacks=("password",)), True),
        (DiskFileCheck(FileKind.AOF, holds=("password",)), False),
        (DiskFileCheck(FileKind.AOF, lacks=("email",)), False),
        (DiskFileCheck(FileKind.RDB, present=False), True),
        (DiskFileCheck(FileKind.RDB, holds=("email",)), False),  # no RDB: nothing holds it
        (DiskFileCheck(FileKind.TLS_KEY, encrypted=False), True),
        (DiskFileCheck(FileKind.TLS_KEY, encrypted=True), False),
        (DiskFileCheck(FileKind.AOF, lacks=("pasword",)), False),  # a misspelt label cannot pass
    ],
)
def test_disk_file_expectation(check: DiskFileCheck, met: bool) -> None:
    assert disk_file(check, _ev(AOF, KEY)).met is met


def test_at_rest_on_a_secret_the_case_never_had_is_not_met() -> None:
    """A case that did not run has no secrets: "not readable" must not pass for it."""
    assert at_rest(AtRest("password", in_clear=False), _ev(secrets=())).met is False
    assert at_rest(AtRest("password", in_clear=False), _ev(AOF)).met is True


DOC: dict[str, Any] = {
    "name": "s", "title": "T", "story": "S", "claim": {"kind": "promise", "text": "C"},
    "remediation": {"summary": "R", "advice": True}, "workload": {"name": "ping"},
}


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        ({"kind": "disk-file", "file": "rbd"}, r'expect\[0\].file: expected one of "aof", "rdb"'),
        ({"kind": "disk-file", "file": "aof", "encrypted": False}, r'expect\[0\].encrypted: .*"tls-key"'),
        ({"kind": "disk-file", "file": "rdb", "present": False, "holds": ["email"]}, r"expect\[0\].present"),
        ({"kind": "disk-file", "file": "aof", "holds": ["email"], "lacks": ["email"]}, r"expect\[0\].lacks"),
        ({"kind": "disk-file", "file": "aof", "target": "redis"},
         r'expect\[0\].target: expected the target it is judged on \(one of "bundled", "redis-server"\)'),
    ],
)
def test_bad_disk_expectations_are_load_errors(expect: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        parse_scenario({**DOC, "expect": [expect]}, Path("s.toml"), REGISTRIES)


def test_an_expectation_for_the_other_target_is_shown_not_judged() -> None:
    doc = {**DOC, "expect": [{"kind": "disk-file", "file": "aof", "holds": ["email"]},
                             {"kind": "disk-file", "file": "rdb", "holds": ["email"],
                              "target": "redis-server"}]}
    scenario = parse_scenario(doc, Path("s.toml"), REGISTRIES)
    on_bundled = {"main": _ev(AOF)}
    assert [e.expected for e in judge(scenario, on_bundled)] == ["aof file present holding email"]
    (other,) = not_judged(scenario, on_bundled)
    assert other.target == "redis-server" and other.observed["files"] == []  # type: ignore[index]
    on_redis = {"main": CaseEvidence(case="main", target_kind="redis-server", disk=(AOF,), secrets=SECRETS)}
    assert len(judge(scenario, on_redis)) == 2 and not not_judged(scenario, on_redis)
    assert judge(scenario, on_redis)[1].met is False  # judged there: no RDB is unmet, not skipped
