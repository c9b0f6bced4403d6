from __future__ import annotations

from pathlib import Path

import redis

from lab.mitm.certs import AttackerCert, prepare_attacker
from lab.mitm.runner import MitmSpec, run_mitm
from lab.mitm.tamper import TamperRule, rules_from_option, rules_to_option
from lab.pki import LabPKI
from lab.targets import RunningTarget
from tests.lab.mitm.conftest import PASSWORD, redis_py_session


def test_rules_round_trip_through_the_mitmproxy_option() -> None:
    rules = (TamperRule("GET", "forged", key="k"), TamperRule("SET", "x", direction="command"))
    assert rules_from_option(rules_to_option(rules)) == rules
    assert TamperRule("get", "v", key="k").matches(("GET", "k"))
    assert not TamperRule("GET", "v", key="k").matches(("GET", "other"))


def test_forged_get_reply_reaches_the_client_and_other_replies_pass(tls_target: RunningTarget, pki: LabPKI,
                                                                    workdir: Path) -> None:
    assert tls_target.tls_port is not None
    rules = (TamperRule("GET", "attacker-was-here", key="balance"),)
    spec = MitmSpec("127.0.0.1", tls_target.tls_port, prepare_attacker(AttackerCert.MITM_CA, pki, workdir),
                    tamper=rules)
    big = "z" * 100_000  # the forged reply sits behind a reply spread over many TCP messages
    with run_mitm(spec, workdir) as mitm:
        mark = mitm.mark()
        session = redis_py_session(mitm.port, pki, "no-verify", [
            ["SET", "balance", "100"], ["SET", "other", big], ["GET", "other"], ["GET", "balance"]])
        events = mitm.settle(mark)
    assert session.error_class is None
    assert session.replies[2:] == (big.encode(), b"attacker-was-here")
    applied = [e for e in events if e["kind"] == "tamper.applied"]
    assert [(e["original"], e["replacement"]) for e in applied] == [("100", "attacker-was-here")]


def test_rewritten_command_changes_what_the_server_stores(tls_target: RunningTarget, pki: LabPKI,
                                                          workdir: Path) -> None:
    assert tls_target.tls_port is not None
    rules = (TamperRule("SET", "0", key="limit", direction="command"),)
    spec = MitmSpec("127.0.0.1", tls_target.tls_port, prepare_attacker(AttackerCert.MITM_CA, pki, workdir),
                    tamper=rules)
    with run_mitm(spec, workdir) as mitm:
        session = redis_py_session(mitm.port, pki, "no-verify", [["SET", "limit", "5000"]])
    assert session.error_class is None
    direct = redis.Redis(host="localhost", port=tls_target.tls_port, ssl=True, ssl_ca_certs=str(pki.ca_cert),
                         password=PASSWORD, socket_timeout=3)
    try:
        assert direct.get("limit") == b"0"
    finally:
        direct.close()
