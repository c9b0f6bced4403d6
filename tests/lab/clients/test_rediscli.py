"""lab.clients.rediscli: the real redis-cli binary — what it can do, and what it says it cannot."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from lab.clients import ClientSpec, ErrorKind, ErrorReply, Posture, run_session
from lab.clients.rediscli import parse_reply
from lab.pki import LabPKI
from lab.targets import TargetKind, TargetSpec, start_target


def test_parse_reply() -> None:
    assert parse_reply('"OK"') == "OK"
    assert parse_reply('["a",1,null]') == ["a", 1, None]
    assert parse_reply('error:"NOAUTH Auth required."') == ErrorReply("NOAUTH Auth required.")
    assert parse_reply("not json") == "not json"


@pytest.mark.parametrize("posture", [Posture.TLS_FULL, Posture.TLS_PINNED])
def test_postures_redis_cli_cannot_do_are_reported_not_faked(pki: LabPKI, posture: Posture) -> None:
    outcome = run_session(ClientSpec.from_pki(pki, "redis-cli", posture), "127.0.0.1", 1)
    assert outcome.error_class is ErrorKind.POSTURE_UNSUPPORTED and not outcome.connected
    assert outcome.elapsed_s == 0.0  # nothing was run


def test_session_values_password_and_protocols(kind: TargetKind, tmp_path: Path, pki: LabPKI,
                                               redis_cli_bin: str) -> None:
    spec = TargetSpec(kind=kind, plaintext=False, tls=True, requirepass="p w")
    odd = 'two words "quoted" \\ back\nnew line'
    commands = [["SET", "k", odd], ["GET", "k"], ["HSET", "h", "a", "1"], ["HGETALL", "h"], ["GET", "h"]]
    with start_target(spec, tmp_path / "t", pki) as t:
        assert t.tls_port is not None
        base = ClientSpec.from_pki(pki, "redis-cli", Posture.TLS_CHAIN_ONLY, password="p w")
        outcome = run_session(base, t.host, t.tls_port, commands, keylog=tmp_path / "keys.log")
        assert outcome.ok, outcome
        assert outcome.replies[:4] == ("OK", odd, 1, ["a", "1"])
        last = outcome.replies[4]
        assert isinstance(last, ErrorReply) and last.message.startswith("WRONGTYPE")
        assert any("no key log" in note for note in outcome.notes) and not (tmp_path / "keys.log").exists()
        resp3 = run_session(ClientSpec.from_pki(pki, "redis-cli", Posture.TLS_CHAIN_ONLY, password="p w",
                                                protocol=3), t.host, t.tls_port, [["HGETALL", "h"]])
        assert resp3.replies == ({"a": "1"},)
        wrong = run_session(ClientSpec.from_pki(pki, "redis-cli", Posture.TLS_NO_VERIFY, password="bad"),
                            t.host, t.tls_port, [["GET", "k"]])
        # redis-cli reports the failed AUTH and carries on unauthenticated: the server answers NOAUTH.
        assert wrong.error_class is ErrorKind.AUTH_FAILED and wrong.connected
        assert wrong.replies == (ErrorReply("NOAUTH Authentication required."),)


def test_forced_versions_through_openssl_conf(kind: TargetKind, tmp_path: Path, pki: LabPKI,
                                              redis_cli_bin: str) -> None:
    with start_target(TargetSpec(kind=kind, tls=True, tls_protocols="TLSv1.3"), tmp_path, pki) as t:
        assert t.tls_port is not None
        ok = run_session(ClientSpec.from_pki(pki, "redis-cli", Posture.TLS_CHAIN_ONLY, tls_min="TLSv1.3"),
                         t.host, t.tls_port)
        assert ok.ok, ok
        capped = run_session(ClientSpec.from_pki(pki, "redis-cli", Posture.TLS_CHAIN_ONLY, tls_max="TLSv1.2"),
                             t.host, t.tls_port)
        assert not capped.connected and capped.error_class is ErrorKind.TLS_ERROR
        assert "protocol version" in (capped.error_text or "")


def test_a_server_that_never_answers_ends_in_a_timeout(pki: LabPKI, redis_cli_bin: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts (backlog), never speaks TLS
        outcome = run_session(ClientSpec.from_pki(pki, "redis-cli", Posture.TLS_CHAIN_ONLY, timeout=0.5),
                              "127.0.0.1", silent.getsockname()[1])
    assert outcome.error_class is ErrorKind.TIMEOUT and not outcome.connected
