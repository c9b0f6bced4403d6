"""`tlslab audit-client`: the four gradings of the issue, with the real clients."""

from __future__ import annotations

import json
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from lab.audit import Case, client
from lab.cli import main
from tests.conftest import require_tool

CERT_CASES = {Case.EXPIRED, Case.NOT_YET_VALID, Case.WRONG_HOST, Case.SELF_SIGNED, Case.ROGUE_CA,
              Case.SAME_CA_OTHER_HOST}  # fmt: skip
PW = "the-apps-password"


def _cli(*extra: str) -> list[str]:
    return [
        require_tool("redis-cli"),
        "--tls",
        *extra,
        "-h",
        "127.0.0.1",
        "-p",
        "{port}",
        "-a",
        PW,
        "--no-auth-warning",
        "PING",
    ]


def test_redis_cli_checks_the_chain_only() -> None:
    audit = client(_cli("--cacert", "{ca}"))
    assert set(audit.accepted) == {Case.GOOD, Case.WRONG_HOST, Case.SAME_CA_OTHER_HOST}
    same_ca = next(c for c in audit.cases if c.case is Case.SAME_CA_OTHER_HOST)
    assert same_ca.password == PW and ("AUTH", PW) in same_ca.commands
    assert not audit.verifies


def test_redis_cli_insecure_accepts_every_forged_cert(tmp_path: Path) -> None:
    out = tmp_path / "client.json"
    assert main(["audit-client", "--json", str(out), "--", *_cli("--insecure")]) == 1
    data = json.loads(out.read_text())
    accepted = {c["case"] for c in data["cases"] if c["accepted"]}
    assert {c.value for c in CERT_CASES} | {"good"} <= accepted
    assert data["verifies"] is False


def _redis_py(**tls: object):  # type: ignore[no-untyped-def]
    def connect(port: int, ca: Path) -> None:
        r = redis.Redis(
            host="localhost",
            port=port,
            password=PW,
            ssl=True,
            ssl_ca_certs=str(ca),
            socket_timeout=3,
            retry=Retry(NoBackoff(), 0),
            **tls,
        )  # type: ignore[arg-type]
        try:
            r.ping()
        finally:
            r.close()

    return connect


def test_redis_py_defaults_refuse_every_forged_cert() -> None:
    audit = client(_redis_py())
    assert audit.accepted == (Case.GOOD,) and audit.verifies
    assert all(c.password is None for c in audit.cases if c.case is not Case.GOOD)


def test_redis_py_cert_reqs_none_accepts_every_forged_cert() -> None:
    audit = client(_redis_py(ssl_cert_reqs="none"))
    assert set(audit.accepted) >= CERT_CASES
    expired = next(c for c in audit.cases if c.case is Case.EXPIRED)
    assert expired.password == PW  # redis-py 8 sends it in HELLO 3 AUTH default <pw>
    tls10 = next(c for c in audit.cases if c.case is Case.TLS_1_0)
    assert not tls10.accepted  # OpenSSL 3's client security level refuses TLS 1.0 even with verification off
