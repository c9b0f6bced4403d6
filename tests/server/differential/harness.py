"""The differential suite's machinery: the same command sequences go to a real redis-server 7.0 and to
the bundled server, over raw RESP connections; every reply must be identical (wire type and bytes).

Each family has one test module here: a COMMANDS table (arity, key type, valid arguments) from which arity
errors and WRONGTYPE against every other type are generated, and hand-written SEQUENCES (options, edge cases,
TTLs, transactions), usually repeated under RESP3. Each case starts on fresh connections after FLUSHALL;
both servers run once per test session (conftest.py).

Case syntax: one string per command. Tokens are split on blanks; a token in double quotes may hold blanks and
Python escapes ("a\\x00b", "" is the empty string); other tokens are literal (glob patterns keep their
backslashes). `{s+N}` / `{ms+N}` become the unix time in seconds / milliseconds plus N (the same value for
both servers). `@2 CMD` runs CMD on a second connection (`@3` a third ...). `SLEEP 0.05` waits client-side.
`READ` sends nothing and reads the connection's next reply (pub/sub messages, a SUBSCRIBE's later
confirmations, the answer of a command sent with ~send). `@2 CLOSE` closes connection 2 and waits until the
server has forgotten it. `{id@2}` is connection 2's CLIENT ID on that server.
A prefix says how replies compare:
  ~send  send the command and do not wait for its reply (a blocking command): a later READ gets it
  ~sort  element order is unspecified (sets, KEYS): compare sorted
  ~ttl   TTL-like integers: equal within 1 (seconds) ; ~pttl within 1000 (milliseconds)
  ~scan  run the SCAN to the end (cursor 0) and compare the sorted union of the keys it returned
  ~kind  compare only the reply's wire type (replies that carry server identity)
  ~acllog  ACL LOG entries without their age-seconds and client-info values (time and addresses)
  ~fields:a,b  only the named `a=v` / `a:v` fields of each line of a text reply (CLIENT LIST, INFO)
  ~hist  LATENCY HISTOGRAM: per command its name, calls and final count, and that the bucket labels are
         Redis's (1, 2, 4, 8, 16, 33 ... us) with cumulative counts; not the durations themselves

Deliberate differences (why replies are normalised above, not compared byte for byte):
- SCAN cursors and batch sizes: Redis walks hash-table buckets; the bundled server walks a snapshot of the
  key list. Both honour SCAN's guarantee (a key present for the whole walk is returned); the cursor values
  and how many keys come per call differ. Compared with ~scan.
- Order of members of set replies and of KEYS: Redis's hash order is seeded at random per process, so
  even two redis-servers disagree. Compared with ~sort. (Hash field order is insertion order in both, as
  Redis keeps small hashes in a listpack, and is compared exactly.)
"""

from __future__ import annotations

import codecs
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from lab.targets import RunningTarget
from server.slowlog import HISTOGRAM_KEYS
from tests.server.rawresp import RawClient, Reply

# name: (arity as Redis declares it, the key type it works on or None, valid arguments after the name)
Commands = dict[str, tuple[int, str | None, str]]

# A command that creates a key of each type, for the WRONGTYPE cases.
MAKE = {
    "string": "SET k sv", "hash": "HSET k f hv", "set": "SADD k m", "list": "RPUSH k e",
    "zset": "ZADD k 1 zm",
}  # fmt: skip


def arity_cases(commands: Commands) -> Iterator[tuple[str, ...]]:
    """One argument too few for every command, and one too many for those of fixed arity."""
    for name, (arity, _, _) in commands.items():
        need = abs(arity)
        if need >= 2:
            yield (" ".join([name] + ["x"] * (need - 2)),)
        if arity > 0:
            yield (" ".join([name.lower()] + ["x"] * arity),)  # one too many (name as sent in lower case)


def wrongtype_cases(commands: Commands, sort: Iterable[str] = ()) -> Iterator[tuple[str, ...]]:
    """Every typed command against a key of every other type; `sort` names replies compared sorted."""
    sorted_names = set(sort)
    for name, (_, kind, args) in commands.items():
        if kind is None:
            continue
        for other, make in MAKE.items():
            if other != kind:
                prefix = "~sort " if name in sorted_names else ""
                yield (make, f"{prefix}{name} {args}", "GET k" if other == "string" else "TYPE k")


def resp3(cases: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The same sequences in RESP3 (maps, sets, nulls, doubles have their own wire types there)."""
    return [("HELLO 3", *case) for case in cases]


@dataclass(frozen=True)
class Servers:
    reference: RunningTarget
    bundled: RunningTarget


_TIME = re.compile(r"\{(s|ms)([+-]\d+)\}")
_CLIENT_ID = re.compile(rb"\{id@(\d)\}")
_CONN = re.compile(r"@(\d) ")
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def tokens(line: str, now: float) -> list[bytes]:
    line = _TIME.sub(lambda m: str(int(now * (1 if m[1] == "s" else 1000)) + int(m[2])), line)
    out = []
    for quoted, bare in _TOKEN.findall(line):
        if bare:
            out.append(bare.encode())
        else:
            out.append(codecs.escape_decode(quoted.encode())[0])
    return out


@dataclass(frozen=True)
class Step:
    mode: str  # "", "sort", "ttl", "pttl", "scan", "kind", "acllog", "hist", "sleep", "send", "fields:a,b"
    conn: int
    argv: list[bytes]


def command_line(line: str) -> str:
    """The command of a case line, without its comparison mode and connection prefixes."""
    if line.startswith("~"):
        line = line.split(" ", 1)[1]
    return line[3:] if _CONN.match(line) else line


def steps(case: tuple[str, ...]) -> list[Step]:
    now = time.time()
    out = []
    for line in case:
        mode, conn = "", 1
        if line.startswith("~"):
            word, line = line.split(" ", 1)
            mode = word[1:]
        if _CONN.match(line):
            conn, line = int(line[1]), line[3:]
        argv = tokens(line, now)
        if argv[0] == b"SLEEP":
            mode = "sleep"
        out.append(Step(mode, conn, argv))
    return out


def run(target: RunningTarget, plan: list[Step]) -> list[Any]:
    assert target.port is not None
    clients: dict[int, RawClient] = {}
    ids: dict[bytes, bytes] = {}  # connection number -> its CLIENT ID, asked only when a case uses {id@N}
    sends = any(step.mode == "send" or step.argv == [b"CLOSE"] for step in plan)
    wants_ids = sends or any(_CLIENT_ID.search(arg) for step in plan for arg in step.argv)
    control: RawClient | None = None
    try:
        out: list[Any] = []
        for step in plan:
            if step.mode == "sleep":
                time.sleep(float(step.argv[1]))
                continue
            if step.conn not in clients:
                clients[step.conn] = RawClient(target.host, target.port)
                if step.conn == 1:
                    clients[1].call(b"FLUSHALL")
                if wants_ids:
                    ids[b"%d" % step.conn] = b"%d" % clients[step.conn].call(b"CLIENT", b"ID")[1]
            client = clients[step.conn]
            argv = [_CLIENT_ID.sub(lambda m: ids[m[1]], arg) for arg in step.argv] if wants_ids else step.argv
            if step.mode == "send" or argv == [b"CLOSE"]:
                if control is None:
                    control = RawClient(target.host, target.port)
                if argv == [b"CLOSE"]:
                    client.close()
                    _gone(control, ids[b"%d" % step.conn])
                else:
                    client.send(*argv)
                    _settle(control, client, ids[b"%d" % step.conn])
                continue
            reply = client.read_reply() if argv == [b"READ"] else client.call(*argv)
            if step.mode == "scan":
                reply = _scan_to_end(client, step.argv, reply)
            out.append((step, reply))
        return out
    finally:
        for client in clients.values():
            client.close()
        if control is not None:
            control.close()


def _settle(control: RawClient, client: RawClient, client_id: bytes) -> None:
    """Wait until the server has run the command just sent: it answered, or it shows the client blocked
    (flags=b). Without this, the next step on another connection could overtake it."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if client.has_reply():
            return
        line = control.call(b"CLIENT", b"LIST", b"ID", client_id)[1]
        flags = re.search(rb" flags=(\S*)", line or b"")
        if flags is not None and b"b" in flags[1]:
            return
        time.sleep(0.002)
    raise AssertionError("the sent command neither answered nor blocked within 10 s")


def _gone(control: RawClient, client_id: bytes) -> None:
    deadline = time.monotonic() + 10
    while control.call(b"CLIENT", b"LIST", b"ID", client_id)[1]:
        if time.monotonic() > deadline:
            raise AssertionError("a closed connection is still listed after 10 s")
        time.sleep(0.002)


def _scan_to_end(client: RawClient, argv: list[bytes], reply: Reply) -> Reply:
    if reply[0] != "*":
        return reply
    keys: set[bytes] = set()
    while True:
        cursor, batch = reply[1]
        keys.update(value for _, value in batch[1])
        if cursor[1] == b"0":
            return ("scan", tuple(sorted(keys)))
        at = 1 if argv[0].upper() == b"SCAN" else 2  # HSCAN / SSCAN / ZSCAN: key, then cursor
        reply = client.call(*argv[:at], cursor[1], *argv[at + 1 :])


def _normalise(mode: str, reply: Reply) -> Any:
    if mode == "sort" and reply[0] in "*~" and reply[1] is not None:
        return (reply[0], tuple(sorted(reply[1])))
    if mode == "kind":
        return reply[0]
    if mode == "acllog" and reply[0] == "*":
        return tuple(_without_identity(entry) for entry in reply[1])
    if mode.startswith("fields:") and reply[0] in "$=" and reply[1] is not None:
        return (reply[0], _fields(mode[7:].split(","), reply[1]))
    if mode == "hist" and reply[0] in "*%":
        return _histogram_shape(reply)
    return reply


def _pairs(reply: Reply) -> list[tuple[Reply, Reply]]:
    """A RESP3 map's pairs, or a RESP2 flat array read as pairs."""
    items = reply[1]
    return list(items) if reply[0] == "%" else list(zip(items[::2], items[1::2], strict=True))


def _histogram_shape(reply: Reply) -> Any:
    out = []
    for name, body in _pairs(reply):
        fields = {key[1]: value for key, value in _pairs(body)}
        buckets = _pairs(fields[b"histogram_usec"])
        labels = [label[1] for label, _ in buckets]
        counts = [count[1] for _, count in buckets]
        shape_ok = set(labels) <= set(HISTOGRAM_KEYS) and labels == sorted(labels) \
            and counts == sorted(counts)  # fmt: skip
        out.append((name, body[0], fields[b"calls"], shape_ok, counts[-1] if counts else 0))
    return ("hist", reply[0], tuple(sorted(out)))


def _fields(names: list[str], text: bytes) -> tuple[tuple[bytes, ...], ...]:
    """The named fields of each line: `k=v` words (CLIENT LIST) or `k:v` lines (INFO)."""
    wanted = {n.encode() for n in names}
    lines = []
    for line in text.removeprefix(b"txt:").splitlines():
        words = [w for w in re.split(rb"[ ]", line) if re.split(rb"[=:]", w, maxsplit=1)[0] in wanted]
        if words:
            lines.append(tuple(words))
    return tuple(lines)


_IDENTITY_FIELDS = {b"age-seconds", b"client-info"}


def _without_identity(entry: Reply) -> Any:
    """An ACL LOG entry (RESP2 flat array or RESP3 map) minus the fields that differ by nature."""
    if entry[0] == "%":
        return tuple((k, v) for k, v in entry[1] if k[1] not in _IDENTITY_FIELDS)
    items = entry[1]
    return tuple(
        (items[i], items[i + 1]) for i in range(0, len(items), 2) if items[i][1] not in _IDENTITY_FIELDS
    )


def _same(mode: str, ours: Reply, theirs: Reply) -> bool:
    if mode in ("ttl", "pttl") and ours[0] == theirs[0] == ":" and theirs[1] >= 0:
        return bool(abs(ours[1] - theirs[1]) <= (1 if mode == "ttl" else 1000))
    return bool(_normalise(mode, ours) == _normalise(mode, theirs))


def case_id(case: tuple[str, ...]) -> str:
    return " | ".join(case)[:80]


def assert_same(servers: Servers, case: tuple[str, ...]) -> None:
    """Run `case` on both servers; every reply must be the same (HELLO: the same wire type)."""
    plan = steps(case)
    theirs = run(servers.reference, plan)
    ours = run(servers.bundled, plan)
    for (step, mine), (_, reference) in zip(ours, theirs, strict=True):
        if step.argv[0].upper() == b"HELLO":
            assert mine[0] == reference[0], "HELLO reply type"
            continue
        assert _same(step.mode, mine, reference), (
            f"{b' '.join(step.argv)!r}: bundled {mine!r} != redis {reference!r}"
        )
