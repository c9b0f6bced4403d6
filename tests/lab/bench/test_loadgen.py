"""lab.bench.loadgen on a real redis-server: plain and TLS, reuse and new connections, failures as data."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from lab.bench.loadgen import (
    LoadSpec,
    batches,
    client_context,
    count_replies,
    default_processes,
    replies,
    resp_bytes_per_op,
    run_load,
)
from lab.bench.results import Connection, Transport
from lab.pki import LabPKI
from lab.targets import RunningTarget, TargetSpec, start_target
from server import tls_native
from tests.conftest import recv_at_least, require_tool


def test_count_replies_stops_at_an_incomplete_bulk_string() -> None:
    buf = bytearray(b"+OK\r\n$3\r\nabc\r\n$-1\r\n-ERR x\r\n:5\r\n$10\r\nabc")
    assert count_replies(buf) == (5, 1, len(buf) - len(b"$10\r\nabc"))
    assert count_replies(bytearray(b"$5\r\nhel")) == (0, 0, 0)


def test_batches_alternate_set_and_get_of_the_same_key() -> None:
    one, two = batches(1, 4, 7)
    assert one == b"*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000007\r\n$4\r\nxxxx\r\n"
    assert two == b"*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000007\r\n"
    a, b = batches(4, 4, 0)
    assert a.count(b"SET") == a.count(b"GET") == b.count(b"SET") == b.count(b"GET") == 2
    assert b"key:000000000000" in a and b"key:000000000003" in b


@pytest.mark.parametrize(("pipeline", "size"), [(1, 16), (4, 0), (16, 1024)])
def test_replies_are_byte_for_byte_what_the_server_answers(
    redis_target: RunningTarget, pipeline: int, size: int
) -> None:
    """The generator recognises a batch by comparing with replies(): a real server must send exactly that."""
    assert redis_target.port is not None
    want = replies(pipeline, size)
    with socket.create_connection((redis_target.host, redis_target.port), timeout=5) as sock:
        for batch, expected in zip(batches(pipeline, size, 900), want, strict=True):
            sock.sendall(batch)
            assert recv_at_least(sock, len(expected)) == expected


@pytest.mark.parametrize("transport", ["tls1.2", "tls1.3"])
def test_client_context_is_pinned_and_keeps_its_buffers(pki: LabPKI, transport: Transport) -> None:
    ctx = client_context(transport, pki.ca_cert)
    assert ctx.minimum_version == ctx.maximum_version
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert not tls_native.modes(ctx) & tls_native.MODE_RELEASE_BUFFERS  # as hiredis: no free per request


# 300 TLS 1.2 reads into 256 KiB buffers, as uvloop does them; prints the page faults they cost.
_READS_SCRIPT = """
import resource, ssl, sys
from lab.bench.loadgen import keep_tls_reads_on_the_heap
cert, key, ca, fixed = sys.argv[1:]
if fixed == "yes":
    assert keep_tls_reads_on_the_heap()
server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
server.load_cert_chain(cert, key)
client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
client.load_verify_locations(ca)
client.maximum_version = ssl.TLSVersion.TLSv1_2
si, so, ci, co = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
s = server.wrap_bio(si, so, server_side=True)
c = client.wrap_bio(ci, co, server_hostname="localhost")
for _ in range(6):
    for side in (c, s):
        try:
            side.do_handshake()
        except ssl.SSLWantReadError:
            pass
    si.write(co.read())
    ci.write(so.read())
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(300):
    s.write(b"+OK\\r\\n")
    ci.write(so.read())
    c.read(1 << 18)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def test_tls_reads_stay_on_the_heap(pki: LabPKI) -> None:
    """With the fixed threshold the 256 KiB reads reuse heap memory. Without it, whether each read is an
    mmap, page faults and a munmap depends on whether glibc's dynamic threshold rose earlier in the process
    (it did in some of our checkouts and not in others), so only the fixed side is required; the unfixed
    side must never be better than it."""

    def faults(fixed: str) -> int:
        argv = [sys.executable, "-c", _READS_SCRIPT, str(pki.server.cert), str(pki.server.key)]
        done = subprocess.run([*argv, str(pki.ca_cert), fixed], capture_output=True, text=True, check=True)
        return int(done.stdout)

    fixed = faults("yes")
    assert fixed < 30
    assert faults("no") >= fixed


def test_default_processes_leave_a_cpu_to_the_server() -> None:
    assert default_processes() == max(1, (os.cpu_count() or 1) - 1)


def test_error_replies_are_counted_as_errors(tmp_path: Path, pki: LabPKI) -> None:
    """A server that refuses every command (NOAUTH): the batches do not match replies(), so the
    generator counts reply by reply and reports the errors instead of hanging or counting them as done."""
    require_tool("redis-server")
    spec = TargetSpec(kind="redis-server", requirepass="secret")
    with start_target(spec, tmp_path / "noauth", pki) as target:
        assert target.port is not None
        load = LoadSpec(target.host, target.port, "plain", 4, 16, connections=2, processes=1, seconds=0.2)
        run = run_load(load)
    assert run.ops > 0 and run.errors * 4 == run.ops  # one error entry per batch of 4 refused commands
    assert run.first_error == "server replied with 4 error(s)"


def test_resp_bytes_per_op_averages_set_and_get() -> None:
    c2s, s2c = resp_bytes_per_op(1, 16)
    assert c2s == (len(batches(1, 16, 0)[0]) + len(batches(1, 16, 0)[1])) / 2
    assert s2c == (5 + len(b"$16\r\n") + 16 + 2) / 2


def test_spec_validation() -> None:
    with pytest.raises(ValueError, match="CA"):
        LoadSpec("127.0.0.1", 1, "tls1.3", 1, 16)
    with pytest.raises(ValueError, match="resumption needs TLS"):
        LoadSpec("127.0.0.1", 1, "plain", 1, 16, "new-resumed")


def _spec(
    target: RunningTarget, ca: Path, transport: Transport, connection: Connection = "reuse", pipeline: int = 4
) -> LoadSpec:
    port = target.port if transport == "plain" else target.tls_port
    assert port is not None
    return LoadSpec(
        target.host,
        port,
        transport,
        pipeline,
        16,
        connection,
        connections=4,
        processes=2,
        seconds=0.3,
        warmup_s=0.05,
        ca=ca,
    )


@pytest.mark.parametrize("transport", ["plain", "tls1.2", "tls1.3"])
def test_reused_connections_measure_requests(
    redis_target: RunningTarget, pki: LabPKI, transport: Transport
) -> None:
    run = run_load(_spec(redis_target, pki.ca_cert, transport), redis_target.pid)
    assert run.errors == 0, run.first_error
    assert run.ops > 0
    assert run.seconds == pytest.approx(0.3)  # replies count inside a fixed window, not until the last one
    assert run.replies > run.ops  # the warm-up's replies and the batches in flight at the end came too
    assert run.latency.count == run.ops
    assert run.latency.p50_us <= run.latency.p99_us <= run.latency.p999_us <= run.latency.max_us
    assert run.processes == 2 and run.connections == 4
    assert run.server_cpu_s is not None and run.server_cpu_s >= 0
    assert run.connect is None  # reused connections: no per-request handshake
    # the workers' own CPU over the window: something, and no more than each worker's one core
    assert run.client_cpu_s is not None and run.client_cpu_s > 0
    assert run.client_busy is not None and run.client_busy <= 1.05


@pytest.mark.parametrize(
    ("transport", "mode", "resumes"),
    [
        ("tls1.3", "new-resumed", True),
        ("tls1.2", "new-resumed", True),
        ("tls1.3", "new-full", False),
    ],
)
def test_new_connections_resume_only_when_asked(
    redis_target: RunningTarget, pki: LabPKI, transport: Transport, mode: Connection, resumes: bool
) -> None:
    run = run_load(_spec(redis_target, pki.ca_cert, transport, mode, pipeline=1))
    assert run.errors == 0, run.first_error
    assert run.connections > 0 and run.connect is not None and run.connect.count == run.connections
    assert run.ops == run.connections  # one request per connection, counted when its reply came in time
    assert run.seconds == pytest.approx(0.3)
    # The first connection of each client has no session to offer yet.
    if resumes:
        assert run.resumed >= run.connections - 4
    else:
        assert run.resumed == 0


def test_a_dead_port_is_reported_not_raised() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    run = run_load(
        LoadSpec("127.0.0.1", port, "plain", 1, 16, connections=2, processes=1, seconds=0.2, timeout=1.0)
    )
    assert run.ops == 0 and run.ops_per_s == 0.0
    assert run.errors > 0 and run.first_error
