"""Whole connections fuzzed against one real bundled server (plaintext and TLS listeners, requirepass), with a
real redis-server 7.0 beside it for the differential cases.

After every example the bundled server must still be serving: its process is alive, a fresh connection gets
PONG, two long-lived "bystander" clients opened when the module starts (one plaintext, one TLS) still get
correct replies, and its log holds no Python traceback (an exception that escaped a handler or the protocol).
Every fuzz connection is half-closed after its input and read until the server closes it, with a socket
timeout: a server that neither answers nor closes fails the example as a hang.

Differential properties (bundled == redis-server, byte for byte, including whether a trailing PING probe is
still answered, i.e. whether the connection was kept open):
- every bad-input case of the issue, plaintext and (a few) over TLS;
- a bad frame of each family, with random parameters, between random valid commands;
- mutated pipelines of valid commands, before and after AUTH.
The differential fuzz inputs hold no NUL byte: error replies that quote client bytes are checked with a NUL
by one case per site instead; the bundled-only fuzz (random bytes, random commands, TLS garbage) does send
NUL bytes.

Runs are derandomized and keep no example database, so CI sees the same examples every time.
"""

from __future__ import annotations

import itertools
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lab.pki import LabPKI
from lab.targets import RunningTarget, TargetKind, TargetSpec, start_target
from server.commands import FAMILIES
from server.commands.registry import build_table
from tests.conftest import require_tool
from tests.server.conftest import client_tls_context
from tests.server.mutation import mutate
from tests.server.rawresp import RawClient, encode_command
from tests.server.respgen import FUZZ as PARSER_FUZZ

PASSWORD = "fuzz-s3cret"
AUTH = b"AUTH " + PASSWORD.encode() + b"\r\n"
HOST = "127.0.0.1"
IO_TIMEOUT_S = 10.0  # a server that neither answers nor closes within this is hung
PROBE = b"*1\r\n$4\r\nPING\r\n"  # answered only if the connection survived the input before it
LINE_MAX = 64 * 1024
# The log of a server whose handler or protocol raised: asyncio's "Exception in callback ... Traceback".
_CRASH_MARKS = ("Traceback (most recent call last)", "Exception in callback", "Fatal error")

FUZZ = settings(PARSER_FUZZ, max_examples=150)


def _spec(kind: TargetKind) -> TargetSpec:
    return TargetSpec(kind=kind, tls=True, tls_auth_clients="optional", requirepass=PASSWORD)


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory, lab_pki: LabPKI) -> Iterator[RunningTarget]:
    with start_target(_spec("bundled"), tmp_path_factory.mktemp("fuzz-bundled"), pki=lab_pki) as target:
        yield target


@pytest.fixture(scope="module")
def theirs(tmp_path_factory: pytest.TempPathFactory, lab_pki: LabPKI) -> Iterator[RunningTarget]:
    require_tool("redis-server")
    with start_target(_spec("redis-server"), tmp_path_factory.mktemp("fuzz-redis"), pki=lab_pki) as target:
        yield target


@pytest.fixture(scope="module")
def tls_ctx(lab_pki: LabPKI) -> ssl.SSLContext:
    return client_tls_context(lab_pki)


# ---------------------------------------------------------------- wire


def connect(port: int, ctx: ssl.SSLContext | None = None) -> socket.socket:
    raw = socket.create_connection((HOST, port), timeout=IO_TIMEOUT_S)
    return ctx.wrap_socket(raw, server_hostname="localhost") if ctx is not None else raw


def converse(port: int, data: bytes, ctx: ssl.SSLContext | None = None) -> bytes:
    """Send data, half-close, and return everything the server sends until it closes the connection."""
    with connect(port, ctx) as sock:
        try:
            sock.sendall(data)
            socket.socket.shutdown(sock, socket.SHUT_WR)  # the plain socket's: keeps the TLS layer readable
        except OSError:  # the server closed while we were sending: what it sent before is still readable
            pass
        out = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, ssl.SSLError):
                return out  # closed with our unread input still in its buffer: a reset
            except TimeoutError:
                raise AssertionError(
                    f"server hung: no close {IO_TIMEOUT_S} s after EOF; got {out[-200:]!r}"
                ) from None
            if not chunk:
                return out
            out += chunk


def assert_no_raw_cr_lf(reply: bytes) -> None:
    """Every reply in these cases is a one-line type (+ - :): CR or LF inside a line would desync a client."""
    assert reply == b"" or reply.endswith(b"\r\n")
    for line in reply.split(b"\r\n")[:-1]:
        assert b"\r" not in line and b"\n" not in line, reply


def multibulk(*args: bytes) -> bytes:
    return encode_command(list(args))


# ---------------------------------------------------------------- is it still serving?


class Bystander:
    """A client connected since the module started; its own key in db 9, out of the fuzz's way."""

    _serial = itertools.count()

    def __init__(self, port: int, ctx: ssl.SSLContext | None, name: str) -> None:
        self.client = RawClient(HOST, port)
        if ctx is not None:
            self.client.sock = ctx.wrap_socket(self.client.sock, server_hostname="localhost")
        self.key = f"bystander:{name}".encode()
        assert self.client.pipeline([["AUTH", PASSWORD], ["SELECT", 9]]) == [("+", b"OK"), ("+", b"OK")]

    def check(self) -> None:
        value = b"v%d" % next(self._serial)
        replies = self.client.pipeline([["SET", self.key, value], ["GET", self.key], ["PING"]])
        assert replies == [("+", b"OK"), ("$", value), ("+", b"PONG")], f"bystander {self.key!r}: {replies}"


@pytest.fixture(scope="module")
def bystanders(ours: RunningTarget, tls_ctx: ssl.SSLContext) -> Iterator[list[Bystander]]:
    clients = [Bystander(ours.port or 0, None, "plain"), Bystander(ours.tls_port or 0, tls_ctx, "tls")]
    yield clients
    for b in clients:
        b.client.close()


def assert_serving(ours: RunningTarget, bystanders: list[Bystander]) -> None:
    assert ours.alive, f"the bundled server died: {ours.log_text()[-2000:]}"
    assert converse(ours.port or 0, AUTH + b"PING\r\n") == b"+OK\r\n+PONG\r\n"
    for b in bystanders:
        b.check()
    log = ours.log_text()
    at = min((log.find(mark) for mark in _CRASH_MARKS if mark in log), default=-1)
    assert at < 0, f"the server log shows an escaped exception: {log[max(0, at - 500) :][:3000]}"


def assert_like_redis(
    ours: RunningTarget, theirs: RunningTarget, data: bytes, ctx: ssl.SSLContext | None = None
) -> bytes:
    if ctx is None:
        got, want = converse(ours.port or 0, data), converse(theirs.port or 0, data)
    else:
        got, want = converse(ours.tls_port or 0, data, ctx), converse(theirs.tls_port or 0, data, ctx)
    assert got == want, f"input {data[:300]!r}"
    return got


# ---------------------------------------------------------------- the issue's bad-input list

_BIG = LINE_MAX + 1
_MAX_BULK = 512 * 1024 * 1024  # proto-max-bulk-len default, on both servers


@dataclass(frozen=True)
class BadInput:
    data: bytes
    reply: bytes | None  # text the issue requires in the reply; None: the connection closes silently
    kept_open: bool  # is a PING sent after the input still answered?
    probe: bool = True  # False when a trailing PING would change the case (a line left without its end)


ISSUE_CASES: dict[str, BadInput] = {
    "*3000000000": BadInput(
        AUTH + b"*3000000000\r\n", b"-ERR Protocol error: invalid multibulk length\r\n", False
    ),
    "expected '$'": BadInput(
        AUTH + b"*1\r\nfoo\r\n", b"-ERR Protocol error: expected '$', got 'f'\r\n", False
    ),
    "expected '$', got CR": BadInput(
        AUTH + b"*1\r\n\r\n\r\n", b"-ERR Protocol error: expected '$', got ' '\r\n", False
    ),
    "$-10": BadInput(AUTH + b"*1\r\n$-10\r\n", b"-ERR Protocol error: invalid bulk length\r\n", False),
    "$blabla": BadInput(AUTH + b"*1\r\n$blabla\r\n", b"-ERR Protocol error: invalid bulk length\r\n", False),
    "over proto-max-bulk-len": BadInput(
        AUTH + b"*1\r\n$%d\r\n" % (_MAX_BULK + 1), b"-ERR Protocol error: invalid bulk length\r\n", False
    ),
    "unbalanced quotes": BadInput(
        AUTH + b'SET k "abc\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n", False
    ),
    "64 KB inline": BadInput(
        AUTH + b"x" * _BIG, b"-ERR Protocol error: too big inline request\r\n", False, False
    ),
    "64 KB mbulk count": BadInput(
        AUTH + b"*" + b"1" * _BIG, b"-ERR Protocol error: too big mbulk count string\r\n", False, False
    ),
    "64 KB bulk count": BadInput(
        AUTH + b"*1\r\n$" + b"1" * _BIG, b"-ERR Protocol error: too big bulk count string\r\n", False, False
    ),
    "unauthenticated multibulk length": BadInput(
        b"*11\r\n", b"-ERR Protocol error: unauthenticated multibulk length\r\n", False
    ),
    "unauthenticated bulk length": BadInput(
        b"*2\r\n$4\r\nAUTH\r\n$16385\r\n", b"-ERR Protocol error: unauthenticated bulk length\r\n", False
    ),
    # Redis 7.0 reads 16 KB at a time, so its 64 KB line rule answers before the 1 MB pre-auth limit is
    # reached; what matters is that the megabyte is neither run nor kept, and the connection is closed.
    "1 MB unauthenticated query buffer": BadInput(
        b"y" * (1024 * 1024 + 100), b"-ERR Protocol error: too big inline request\r\n", False, False
    ),
    # POST / Host: drop the connection at once: even replies already due are never sent.
    "POST": BadInput(AUTH + b"PING\r\nPOST / HTTP/1.1\r\n", None, False),
    "POST unauthenticated": BadInput(b"POST / HTTP/1.1\r\nHost: x\r\n\r\n", None, False),
    "Host:": BadInput(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", None, False),
    "CR/LF in an unknown command": BadInput(
        AUTH + b'"a\\r\\nb" "c\\nd"\r\n',
        b"-ERR unknown command 'a  b', with args beginning with: 'c d' \r\n",
        True,
    ),
    "CR/LF unauthenticated": BadInput(b'"x\\ry"\r\n', b"-NOAUTH Authentication required.\r\n", True),
}
TLS_CASES = [
    "expected '$'",
    "unauthenticated multibulk length",
    "64 KB inline",
    "POST",
    "CR/LF in an unknown command",
]


def check_issue_case(
    ours: RunningTarget, theirs: RunningTarget, case: BadInput, ctx: ssl.SSLContext | None = None
) -> None:
    reply = assert_like_redis(ours, theirs, case.data + (PROBE if case.probe else b""), ctx)
    assert_no_raw_cr_lf(reply)
    if case.reply is not None:
        assert case.reply in reply
    else:
        assert reply == b""
    if case.probe:  # the probe adds a reply exactly when the connection stayed open
        port = (ours.port if ctx is None else ours.tls_port) or 0
        assert (reply != converse(port, case.data, ctx)) == case.kept_open


@pytest.mark.parametrize("name", list(ISSUE_CASES))
def test_issue_bad_input_like_redis(
    ours: RunningTarget, theirs: RunningTarget, bystanders: list[Bystander], name: str
) -> None:
    check_issue_case(ours, theirs, ISSUE_CASES[name])
    assert_serving(ours, bystanders)


@pytest.mark.parametrize("name", TLS_CASES)
def test_issue_bad_input_over_tls_like_redis(
    ours: RunningTarget,
    theirs: RunningTarget,
    bystanders: list[Bystander],
    tls_ctx: ssl.SSLContext,
    name: str,
) -> None:
    check_issue_case(ours, theirs, ISSUE_CASES[name], tls_ctx)
    assert_serving(ours, bystanders)


# Redis stops at a NUL when it finds a header's or an inline line's end (strchr): it waits, runs nothing.
NUL_LINES = [
    b"ECHO a\x00b\r\n",
    b"*1\x00\r\n$4\r\nPING\r\n",
    b"*1\r\n$\x004\r\nPING\r\n",
    b"*1\r\n\x00$4\r\n",
]


@pytest.mark.parametrize("line", NUL_LINES)
def test_nul_before_a_line_end_waits_like_redis(
    ours: RunningTarget, theirs: RunningTarget, bystanders: list[Bystander], line: bytes
) -> None:
    assert assert_like_redis(ours, theirs, AUTH + line + PROBE) == b"+OK\r\n"
    assert_serving(ours, bystanders)


# Redis formats client bytes into error replies with C's %s, which stops at a NUL byte: one case per site that
# quotes them, so a site that shows the bytes after the NUL fails on its own.
NUL_IN_ERRORS = {
    "unknown command (dispatch.py)": multibulk(b"fo\x00o", b"a\x00b"),
    "unknown subcommand (dispatch.py)": multibulk(b"CLIENT", b"x\x00y"),
    "EXPIRE option (commands/keys.py)": multibulk(b"EXPIRE", b"k", b"1", b"N\x00X"),
    "HELLO option (commands/connection.py)": multibulk(b"HELLO", b"3", b"fo\x00o"),
    "CLIENT LIST TYPE (commands/connection.py)": multibulk(b"CLIENT", b"LIST", b"TYPE", b"n\x00x"),
    "CLIENT KILL USER (commands/connection.py)": multibulk(b"CLIENT", b"KILL", b"USER", b"n\x00x"),
    "CONFIG SET option (config.py)": multibulk(b"CONFIG", b"SET", b"timeout\x00x", b"1"),
}


@pytest.mark.parametrize("name", list(NUL_IN_ERRORS))
def test_nul_in_error_replies_like_redis(ours: RunningTarget, theirs: RunningTarget, name: str) -> None:
    assert_like_redis(ours, theirs, AUTH + NUL_IN_ERRORS[name] + PROBE)


# ---------------------------------------------------------------- differential fuzz

# Safe commands only: whatever a mutation makes of them stays on both servers' common ground (no name
# within a few edits of a command one server lacks; "howdy" since "hello" would run HELLO, whose reply
# carries the connection id).
_WORDS = [b"k", b"n", b"v1", b"howdy", b"a b", b"-1", b"0", b"12"]
_COMMANDS = [[b"PING"], [b"ECHO", b"howdy"], [b"SET", b"k", b"v1"], [b"GET", b"k"], [b"DEL", b"k", b"n"],
             [b"EXISTS", b"k", b"n"], [b"INCR", b"n"], [b"STRLEN", b"k"]]  # fmt: skip


@st.composite
def valid_frame(draw: st.DrawFn) -> bytes:
    argv = list(draw(st.sampled_from(_COMMANDS)))
    if argv[0] == b"ECHO":
        argv[1] = draw(st.sampled_from(_WORDS))
    if draw(st.booleans()):
        return multibulk(*argv)
    quoted = [b'"%s"' % a if b" " in a else a for a in argv]
    return b" ".join(quoted) + draw(st.sampled_from([b"\r\n", b"\n"]))


_MUTATION = st.tuples(
    st.sampled_from(["replace", "insert", "delete", "truncate"]),
    st.integers(0, 10**6),
    st.sampled_from(
        [b"*", b"$", b"\r", b"\n", b"-", b"0", b"1", b"9", b"x", b" ", b'"', b"'", b"\\", b"\xff"]
    ),
)


@FUZZ
@given(
    st.lists(valid_frame(), min_size=1, max_size=6),
    st.lists(_MUTATION, min_size=1, max_size=3),
    st.booleans(),
)
def test_mutated_pipelines_like_redis(
    ours: RunningTarget,
    theirs: RunningTarget,
    bystanders: list[Bystander],
    frames: list[bytes],
    mutations: list[tuple[str, int, bytes]],
    authenticated: bool,
) -> None:
    data = (AUTH if authenticated else b"") + mutate(b"".join(frames), mutations) + PROBE
    assert_like_redis(ours, theirs, data)
    assert_serving(ours, bystanders)


@st.composite
def bad_frame(draw: st.DrawFn) -> bytes:
    """One frame of each protocol-error family of the issue, with random parameters."""
    kind = draw(st.sampled_from(["count", "not $", "bulk length", "quotes", "unauth count", "unauth bulk"]))
    if kind == "count":
        junk = st.text(alphabet="0123456789+-x .", min_size=1, max_size=12).map(str.encode)
        return b"*%b\r\n" % draw(st.one_of(st.integers(2**31, 2**70).map(lambda n: b"%d" % n), junk))
    if kind == "not $":
        head = draw(st.binary(min_size=1, max_size=4).filter(lambda b: b[0] != 36 and b"\0" not in b))
        return b"*2\r\n$4\r\nECHO\r\n" + head + b"\r\n"
    if kind == "bulk length":
        size = draw(st.one_of(st.integers(-(2**40), -1), st.integers(_MAX_BULK + 1, 2**70)))
        return b"*1\r\n$%d\r\n" % size
    if kind == "quotes":
        word = draw(st.sampled_from([b'"abc', b"'abc", b'"a"b', b"'a'b", b'"\\x4"x', b'"a\\"']))
        return b"ECHO " + word + b"\r\n"
    if kind == "unauth count":
        return b"*%d\r\n" % draw(st.integers(11, 2**31 - 1))
    return b"*2\r\n$4\r\nAUTH\r\n$%d\r\n" % draw(st.integers(16385, 2**20))  # Redis preallocates big bulks


@FUZZ
@given(
    st.lists(valid_frame(), max_size=4),
    bad_frame(),
    st.lists(valid_frame(), max_size=2),
    st.booleans(),
)
def test_bad_frame_between_valid_commands_like_redis(
    ours: RunningTarget,
    theirs: RunningTarget,
    bystanders: list[Bystander],
    before: list[bytes],
    bad: bytes,
    after: list[bytes],
    authenticated: bool,
) -> None:
    data = (AUTH if authenticated else b"") + b"".join(before) + bad + b"".join(after) + PROBE
    reply = assert_like_redis(ours, theirs, data)
    assert_no_raw_cr_lf(reply)  # ECHO / GET here only return words without CR or LF
    assert_serving(ours, bystanders)


# ---------------------------------------------------------------- bundled-only fuzz (NUL bytes included)

_TOKENS = [b"*", b"$", b"\r\n", b"\n", b"\r", b"1", b"3", b"-1", b"16385", b"11", b"PING", b"ECHO", b"AUTH",
           PASSWORD.encode(), b" ", b'"', b"'", b"\\x", b"\x00", b"\xff", b"POST", b"Host:"]  # fmt: skip
random_input = st.one_of(
    st.binary(max_size=400), st.lists(st.sampled_from(_TOKENS), max_size=80).map(b"".join)
)


@FUZZ
@given(random_input, st.booleans(), st.booleans())
def test_random_bytes_keep_the_server_serving(
    ours: RunningTarget,
    bystanders: list[Bystander],
    tls_ctx: ssl.SSLContext,
    data: bytes,
    authenticated: bool,
    tls: bool,
) -> None:
    data = (AUTH if authenticated else b"") + data
    if tls:
        converse(ours.tls_port or 0, data, tls_ctx)
    else:
        converse(ours.port or 0, data)
    assert_serving(ours, bystanders)


# Commands a fuzz example must not run: they act on the server or on other clients, not on the connection.
_NOT_FUZZED = {
    b"shutdown": "stops the server",
    b"config|set": "changes limits, ports or the password for everyone",
    b"client|kill": "may drop a bystander",
    b"bgrewriteaof": "forks a child per call",
}
_NAMES = sorted(name for name in build_table(FAMILIES) if name not in _NOT_FUZZED)
_ARGS = [b"k", b"k2", b"h", b"0", b"1", b"-1", b"9223372036854775807", b"-9223372036854775808",
         b"9223372036854775808", b"17179869184", b"1.5", b"inf", b"-inf", b"nan", b"1e400", b"", b"EX", b"PX",
         b"EXAT", b"PXAT", b"NX", b"XX", b"GT", b"LT", b"GET", b"KEEPTTL", b"PERSIST", b"COUNT", b"MATCH",
         b"TYPE", b"*", b"[", b"\\", b"[a-", b"AUTH", b"SETNAME", b"default", b"x y", b"\xff\x00", b"ID",
         b"3", b"2", b"SYNC", b"ASYNC", b" 1", b"+1", b"0x10", PASSWORD.encode()]  # fmt: skip


@st.composite
def random_command(draw: st.DrawFn) -> bytes:
    name = draw(st.sampled_from(_NAMES))
    args = draw(st.lists(st.one_of(st.sampled_from(_ARGS), st.binary(max_size=8)), max_size=6))
    return multibulk(*name.split(b"|"), *args)


@FUZZ
@given(st.lists(random_command(), min_size=1, max_size=10), st.booleans())
def test_random_commands_keep_the_server_serving(
    ours: RunningTarget, bystanders: list[Bystander], commands: list[bytes], authenticated: bool
) -> None:
    converse(ours.port or 0, (AUTH if authenticated else b"") + b"".join(commands))
    assert_serving(ours, bystanders)


def _client_hello(ctx: ssl.SSLContext) -> bytes:
    """The first flight of a real TLS client, taken from an in-memory handshake."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    with pytest.raises(ssl.SSLWantReadError):
        ctx.wrap_bio(incoming, outgoing, server_hostname="localhost").do_handshake()
    return outgoing.read()


@FUZZ
@given(st.one_of(st.binary(max_size=300), st.lists(_MUTATION, min_size=1, max_size=4)))
def test_garbage_and_mutated_client_hellos_on_the_tls_port(
    ours: RunningTarget,
    bystanders: list[Bystander],
    tls_ctx: ssl.SSLContext,
    garbage: bytes | list[tuple[str, int, bytes]],
) -> None:
    data = garbage if isinstance(garbage, bytes) else mutate(_client_hello(tls_ctx), garbage)
    reply = converse(ours.tls_port or 0, data)
    assert b"PONG" not in reply and b"-ERR" not in reply  # nothing but TLS records (an alert) comes back
    assert_serving(ours, bystanders)
