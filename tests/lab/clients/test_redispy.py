"""lab.clients.redispy: what only the redis-py driver does — key log, versions, the pin before any byte."""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path

import pytest
import redis

from lab.clients import ClientSpec, ErrorKind, ErrorReply, Posture, run_session
from lab.clients.redispy import classify, normalize
from lab.pki import Defect, LabPKI
from lab.targets import TargetKind, TargetSpec, start_target


def test_normalize_and_classify() -> None:
    assert normalize([b"a", 1, None, {b"k": {b"x", b"y"}}, 1.5]) == ["a", 1, None, {"k": ["x", "y"]}, 1.5]
    assert normalize(redis.ResponseError("WRONGTYPE x")) == ErrorReply("WRONGTYPE x")
    wrapped = redis.ConnectionError("Error 1 connecting")
    wrapped.__context__ = ssl.SSLCertVerificationError("certificate verify failed")
    assert classify(wrapped) is ErrorKind.CERT_VERIFY_FAILED
    assert classify(redis.TimeoutError("Timeout connecting to server")) is ErrorKind.TIMEOUT
    assert classify(ValueError("x")) is ErrorKind.OTHER


def test_session_facts_keylog_and_passwords(kind: TargetKind, tmp_path: Path, pki: LabPKI) -> None:
    spec = TargetSpec(kind=kind, plaintext=False, tls=True, requirepass="pw")
    keylog = tmp_path / "keys.log"
    with start_target(spec, tmp_path / "t", pki) as t:
        assert t.tls_port is not None
        good = run_session(ClientSpec.from_pki(pki, "redis-py", Posture.TLS_FULL, password="pw"), t.host,
                           t.tls_port, [["SET", "k", "v"], ["GET", "k"], ["INCRBYFLOAT", "f", "1.5"],
                                        ["HSET", "k", "a", "1"]], keylog=keylog)
        assert good.ok and good.tls_version == "TLSv1.3" and good.cipher and good.cipher.startswith("TLS_")
        assert good.replies[:3] == ("OK", "v", "1.5")  # raw replies, not redis-py's conversions
        assert isinstance(good.replies[3], ErrorReply) and good.replies[3].message.startswith("WRONGTYPE")
        lines = keylog.read_text().splitlines()
        assert any(line.startswith("CLIENT_TRAFFIC_SECRET_0 ") for line in lines)

        wrong = run_session(ClientSpec.from_pki(pki, "redis-py", Posture.TLS_FULL, password="nope"), t.host,
                            t.tls_port)
        assert not wrong.connected and wrong.error_class is ErrorKind.AUTH_FAILED
        resp2 = ClientSpec.from_pki(pki, "redis-py", Posture.TLS_FULL, protocol=2)
        missing = run_session(resp2, t.host, t.tls_port)
        # No password, no HELLO: the first command gets NOAUTH, an answer from the server.
        assert missing.connected and missing.error_class is ErrorKind.AUTH_FAILED


def test_forced_versions(kind: TargetKind, tmp_path: Path, pki: LabPKI) -> None:
    with start_target(TargetSpec(kind=kind, tls=True), tmp_path, pki) as t:
        assert t.tls_port is not None
        tls12 = run_session(ClientSpec.from_pki(pki, "redis-py", Posture.TLS_FULL, tls_max="TLSv1.2"), t.host,
                            t.tls_port)
        assert tls12.ok and tls12.tls_version == "TLSv1.2"
        # Redis's default tls-protocols is "TLSv1.2 TLSv1.3": an old client is refused in the handshake.
        legacy = ClientSpec.from_pki(pki, "redis-py", Posture.TLS_FULL, tls_min="TLSv1", tls_max="TLSv1.1")
        old = run_session(legacy, t.host, t.tls_port)
        assert not old.connected and old.error_class is ErrorKind.TLS_ERROR


def test_pin_is_checked_before_any_redis_byte_is_sent(tmp_path: Path, pki: LabPKI) -> None:
    """An impostor with a valid-looking cert must not receive the password: it sees zero application bytes."""
    impostor = pki.server_with(Defect.SAME_CA_OTHER_HOST)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(impostor.cert, impostor.key)
    listener = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve() -> None:
        conn, _ = listener.accept()
        conn.settimeout(3)
        try:
            with ctx.wrap_socket(conn, server_side=True) as tls:
                while chunk := tls.recv(4096):
                    received.append(chunk)
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        spec = ClientSpec.from_pki(pki, "redis-py", Posture.TLS_PINNED, password="the-secret")
        outcome = run_session(spec, "127.0.0.1", listener.getsockname()[1])
    finally:
        thread.join(timeout=5)
        listener.close()
    assert outcome.error_class is ErrorKind.PIN_MISMATCH and not outcome.connected
    assert received == []


def test_nothing_listening(pki: LabPKI) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connection refused
        outcome = run_session(ClientSpec.from_pki(pki, "redis-py", Posture.TLS_FULL), "127.0.0.1", port)
    assert outcome.error_class is ErrorKind.CONNECTION_REFUSED and not outcome.connected
    assert "Connection refused" in (outcome.error_text or "")


@pytest.mark.parametrize("protocol", [2, 3])
def test_both_protocols_against_plaintext(kind: TargetKind, tmp_path: Path, protocol: int) -> None:
    with start_target(TargetSpec(kind=kind), tmp_path) as t:
        assert t.port is not None
        outcome = run_session(ClientSpec(posture=Posture.PLAINTEXT, protocol=protocol), t.host, t.port,
                              [["HSET", "h", "a", "1"], ["HGETALL", "h"]])
        expected = ["a", "1"] if protocol == 2 else {"a": "1"}
        assert outcome.ok and outcome.replies == (1, expected) and outcome.tls_version is None
