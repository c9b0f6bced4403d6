"""Connection family with real clients: redis-py (sync + asyncio, RESP2 + RESP3, TLS with CA verification
and client certs), redis-cli over TLS, and raw sockets for the exact replies."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from typing import Any

import pytest
import redis
import redis.asyncio
from redis.backoff import NoBackoff
from redis.retry import Retry

from lab.pki import LabPKI
from lab.targets import RunningTarget
from tests.conftest import require_tool
from tests.server.conftest import StartBundled


def py_client(target: RunningTarget, pki: LabPKI | None = None, protocol: int = 3, **kw: Any) -> redis.Redis:
    """redis-py with timeouts and no retries; TLS when a PKI is given (CA-verified, name-checked)."""
    if pki is not None:
        kw.update(port=target.tls_port, ssl=True, ssl_ca_certs=str(pki.ca_cert), ssl_check_hostname=True)
    else:
        kw.update(port=target.port)
    return redis.Redis(host="localhost" if pki else "127.0.0.1", protocol=protocol, socket_timeout=5,
                       retry=Retry(NoBackoff(), 0), **kw)  # fmt: skip


def raw(target: RunningTarget, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", target.port or 0), timeout=5) as s:
        s.sendall(data)
        s.settimeout(0.3)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except TimeoutError:
            pass
        return out


@pytest.mark.parametrize("protocol", [2, 3])
@pytest.mark.parametrize("tls", [False, True])
def test_redis_py_sync(bundled: RunningTarget, lab_pki: LabPKI, protocol: int, tls: bool) -> None:
    kw: dict[str, Any] = {}
    if tls:
        kw = {"ssl_certfile": str(lab_pki.client.cert), "ssl_keyfile": str(lab_pki.client.key)}
    r = py_client(bundled, lab_pki if tls else None, protocol, **kw)
    assert r.ping() is True
    assert r.echo("héllo") == "héllo".encode()
    r.set("conn:k", "v")
    assert r.get("conn:k") == b"v"
    info = r.client_info()
    assert info["resp"] == str(protocol) if isinstance(info["resp"], str) else info["resp"] == protocol
    r.client_setname("tester")
    assert r.client_getname() in ("tester", b"tester")
    assert any(c["name"] == "tester" for c in r.client_list())
    r.close()


@pytest.mark.parametrize("protocol", [2, 3])
def test_redis_py_asyncio_tls_client_cert(bundled: RunningTarget, lab_pki: LabPKI, protocol: int) -> None:
    async def scenario() -> list[Any]:
        r = redis.asyncio.Redis(host="localhost", port=bundled.tls_port or 0, ssl=True, protocol=protocol,
                                ssl_ca_certs=str(lab_pki.ca_cert), ssl_certfile=str(lab_pki.client.cert),
                                ssl_keyfile=str(lab_pki.client.key), socket_timeout=5)  # fmt: skip
        try:
            async with r.pipeline(transaction=True) as p:
                p.set("async:k", "1")
                p.incr("async:k")
                p.get("async:k")
                return list(await p.execute())
        finally:
            await r.aclose()

    assert asyncio.run(scenario()) == [True, 2, b"2"]


def test_tls_client_cert_required(start_bundled: StartBundled, lab_pki: LabPKI) -> None:
    target = start_bundled(plaintext=False, tls=True, tls_auth_clients="yes")
    with pytest.raises(redis.ConnectionError):
        py_client(target, lab_pki).ping()
    cert: dict[str, Any] = {"ssl_certfile": str(lab_pki.client.cert), "ssl_keyfile": str(lab_pki.client.key)}
    ok = py_client(target, lab_pki, **cert)
    assert ok.ping() is True


def test_redis_cli_tls(bundled: RunningTarget, lab_pki: LabPKI) -> None:
    cli = require_tool("redis-cli")
    base = [cli, "-h", "127.0.0.1", "-p", str(bundled.tls_port), "--tls", "--cacert", str(lab_pki.ca_cert),
            "--cert", str(lab_pki.client.cert), "--key", str(lab_pki.client.key)]  # fmt: skip
    run = subprocess.run([*base, "SET", "cli:k", "over tls"], capture_output=True, text=True, timeout=10)
    assert run.stdout.strip() == "OK", run.stderr
    run = subprocess.run([*base, "GET", "cli:k"], capture_output=True, text=True, timeout=10)
    assert run.stdout.strip() == "over tls"
    lines = "PING\nHELLO 3\nCLIENT INFO\n"
    run = subprocess.run(base, input=lines, capture_output=True, text=True, timeout=10)
    assert "PONG" in run.stdout and "proto" in run.stdout and "resp=3" in run.stdout


def test_hello_replies(bundled: RunningTarget) -> None:
    assert raw(bundled, b"HELLO 4\r\nHELLO x\r\nHELLO 3 FOO\r\nHELLO 3 AUTH a\r\n") == (
        b"-NOPROTO unsupported protocol version\r\n"
        b"-ERR Protocol version is not an integer or out of range\r\n"
        b"-ERR Syntax error in HELLO option 'FOO'\r\n"
        b"-ERR Syntax error in HELLO option 'AUTH'\r\n"
    )
    reply = raw(bundled, b"HELLO 3 SETNAME me\r\nCLIENT GETNAME\r\n")
    assert reply.startswith(
        b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n"
    )
    assert reply.endswith(b"$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n$2\r\nme\r\n")


def test_auth_flows(start_bundled: StartBundled) -> None:
    target = start_bundled(requirepass="pw", users=("alice on >wonder ~* +@all",))
    assert raw(target, b"PING\r\nHELLO 3\r\nAUTH nope\r\nAUTH pw\r\nPING\r\n") == (
        b"-NOAUTH Authentication required.\r\n"
        b"-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH "
        b"<user> <pass> option can be used to authenticate the client and select the RESP protocol version "
        b"at the same time\r\n"
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n+PONG\r\n"
    )
    assert raw(target, b"HELLO 2 AUTH alice wonder\r\nACL WHOAMI\r\n").startswith(b"*14\r\n")
    assert py_client(target, password="pw").ping() is True
    assert py_client(target, username="alice", password="wonder", protocol=2).ping() is True
    with pytest.raises(redis.AuthenticationError):
        py_client(target, password="bad").ping()
    assert raw(target, b"AUTH pw\r\nRESET\r\nGET k\r\n") == (
        b"+OK\r\n+RESET\r\n-NOAUTH Authentication required.\r\n"
    )


def test_no_password_configured(bundled: RunningTarget) -> None:
    assert raw(bundled, b"AUTH x\r\nAUTH a b c\r\n") == (
        b"-ERR AUTH <password> called without any password configured for the default user. "
        b"Are you sure your configuration is correct?\r\n-ERR syntax error\r\n"
    )


def test_select_quit_and_errors(bundled: RunningTarget) -> None:
    sent = b"SELECT 16\r\nSELECT x\r\nSELECT 15\r\nECHO\r\nPING a b\r\nPING a\r\nQUIT\r\nPING\r\n"
    assert raw(bundled, sent) == (
        b"-ERR DB index is out of range\r\n-ERR value is not an integer or out of range\r\n+OK\r\n"
        b"-ERR wrong number of arguments for 'echo' command\r\n"
        b"-ERR wrong number of arguments for 'ping' command\r\n$1\r\na\r\n+OK\r\n"
    )


def test_client_subcommands(bundled: RunningTarget) -> None:
    r = py_client(bundled, protocol=2)
    me = r.client_id()
    sent = b"CLIENT SETNAME 'a b'\r\nCLIENT KILL 1.2.3.4:5\r\nCLIENT KILL ID 999999\r\n"
    sent += b"CLIENT KILL USER nobody\r\n"
    assert raw(bundled, sent) == (
        b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
        b"-ERR No such client\r\n:0\r\n-ERR No such user 'nobody'\r\n"
    )
    info = r.client_info()
    assert info["id"] == me and info["laddr"] == f"127.0.0.1:{bundled.port}" and info["cmd"] == "client|info"
    victim = py_client(bundled, protocol=2)
    victim.client_setname("victim")
    victim_id = victim.client_id()
    assert r.client_kill_filter(_id=str(victim_id)) == 1
    try:
        new_id = victim.client_id()  # redis-py reconnects silently once: a new connection, a new id
    except redis.ConnectionError:
        new_id = None
    assert new_id != victim_id
    assert [c["id"] for c in r.client_list(client_id=[me])] == [str(me)]


def test_reset_returns_a_fresh_connection_state(bundled: RunningTarget) -> None:
    reply = raw(bundled, b"HELLO 3\r\nSELECT 2\r\nMULTI\r\nRESET\r\nCLIENT INFO\r\n")
    after = reply.split(b"+RESET\r\n")[1]
    assert after.startswith(b"$") and b" db=0 " in after and b" multi=-1 " in after and b"resp=2" in after
