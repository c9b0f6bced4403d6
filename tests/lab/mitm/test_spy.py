from __future__ import annotations

from pathlib import Path

from lab.mitm.certs import AttackerCert, prepare_attacker
from lab.mitm.runner import MitmSpec, run_mitm
from lab.mitm.spy import Credential, credentials_in, learn
from lab.pki import LabPKI
from lab.targets import RunningTarget
from tests.lab.mitm.conftest import PASSWORD, redis_py_session


def _cmd(*argv: str) -> dict[str, object]:
    return {"kind": "spy.command", "conn": "c", "argv": list(argv)}


def test_credentials_from_every_way_redis_carries_them() -> None:
    assert credentials_in(("AUTH", "pw")) == [Credential("AUTH", "default", "pw")]
    assert credentials_in(("auth", "alice", "pw")) == [Credential("AUTH", "alice", "pw")]
    assert credentials_in(("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "x")) == [
        Credential("HELLO", "default", "s3cret")]
    assert credentials_in(("CONFIG", "SET", "requirepass", "new")) == [
        Credential("CONFIG SET requirepass", "default", "new")]
    assert credentials_in(("ACL", "SETUSER", "bob", ">pw2")) == [Credential("ACL SETUSER", "bob", "pw2")]
    assert credentials_in(("HELLO", "3")) == []


def test_learn_folds_keys_values_and_get_replies() -> None:
    events = [
        _cmd("HELLO", "3", "AUTH", "default", "pw"),
        _cmd("SET", "card", "4111"),
        _cmd("GET", "token"),
        {"kind": "spy.reply", "conn": "c", "answers": ["GET", "token"], "reply": "abc", "is_string": True},
        _cmd("MSET", "a", "1", "b", "2"),
    ]
    learned = learn(events)
    assert learned.credentials == (Credential("HELLO", "default", "pw"),)
    assert learned.keys == ("card", "token", "a", "b")
    assert set(learned.values) == {("card", "4111"), ("token", "abc"), ("a", "1"), ("b", "2")}
    assert learned.anything


def test_learn_of_nothing() -> None:
    assert not learn([]).anything


def test_live_spy_reassembles_a_value_split_over_many_tcp_messages(tls_target: RunningTarget, pki: LabPKI,
                                                                  workdir: Path) -> None:
    assert tls_target.tls_port is not None
    big = "".join(chr(ord("a") + i % 26) for i in range(300_000))  # > 16 KiB TLS records: many recv()s
    spec = MitmSpec("127.0.0.1", tls_target.tls_port, prepare_attacker(AttackerCert.MITM_CA, pki, workdir))
    with run_mitm(spec, workdir) as mitm:
        mark = mitm.mark()
        session = redis_py_session(mitm.port, pki, "no-verify", [["SET", "big", big], ["GET", "big"]])
        events = mitm.settle(mark)
    assert session.error_class is None and session.replies[1] == big.encode()
    learned = learn(events)
    assert learned.credentials == (Credential("HELLO", "default", PASSWORD),)
    assert ("big", big) in learned.values
    set_event = next(e for e in events if e["kind"] == "spy.command" and e["argv"][0] == "SET")
    get_reply = next(e for e in events if e["kind"] == "spy.reply" and e["answers"] == ["GET", "big"])
    assert set_event["chunks"] > 1 and get_reply["chunks"] > 1
    assert get_reply["reply"] == big
