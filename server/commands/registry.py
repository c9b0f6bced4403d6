"""Command declarations: name, arity, flags and key positions live on the handler (fakeredis style).

A family module decorates its handlers with `@command(...)`; `build_table` collects them from the
family modules listed in `server.commands.FAMILIES`. There is no global mutable registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from server.context import Ctx

Handler = Callable[["Ctx", list[bytes]], Any]


class CommandError(Exception):
    """Raised by a handler: becomes an error reply. `message` is the full text, e.g. 'ERR syntax error'."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range"
TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range"
TIMEOUT_NEGATIVE = "ERR timeout is negative"
UNBLOCKED = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
UNBLOCK_ARITY = "ERR unknown subcommand or wrong number of arguments for '{}'. Try CLIENT HELP."  # as sent
UNBLOCK_REASON = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
BUSYKEY = "BUSYKEY Target key name already exists."
BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong"
BAD_DATA_FORMAT = "ERR Bad data format"
BAD_TTL = "ERR Invalid TTL value, must be >= 0"
BAD_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0"
BAD_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255"
MIGRATE_KEYS_ARG = "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"
MIGRATE_CONNECT = "IOERR error or timeout connecting to the client"


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    arity: int  # Redis convention: N = exactly N args incl. the name; -N = at least N
    flags: frozenset[str]
    first_key: int
    last_key: int
    step: int
    family: str
    handler: Handler

    def arity_ok(self, argc: int) -> bool:
        return argc == self.arity if self.arity >= 0 else argc >= -self.arity


def command(
    name: str,
    arity: int,
    flags: str = "",
    keys: tuple[int, int, int] = (0, 0, 0),
) -> Callable[[Handler], Handler]:
    """Declare a handler. `flags` is space-separated Redis command flags (write readonly fast admin
    noscript loading stale pubsub no-auth no-multi ...); `keys` is (first, last, step) as COMMAND shows."""

    def mark(fn: Handler) -> Handler:
        specs: list[tuple[str, int, str, tuple[int, int, int]]] = getattr(fn, "__commands__", [])
        fn.__commands__ = [*specs, (name.lower(), arity, flags, keys)]  # type: ignore[attr-defined]
        return fn

    return mark


# Every flag a declaration may use: a misspelt one ("wirte") would silently drop the command from the AOF
# and from replication, so build_table refuses it.
FLAGS = frozenset({  # Redis 7's COMMAND INFO flag names
    "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking", "loading", "stale",
    "skip-monitor", "skip-slowlog", "asking", "fast", "no-auth", "may-replicate", "no-mandatory-keys",
    "no-multi", "allow-busy", "sentinel", "only-sentinel", "movablekeys", "no-async-loading",
})


def build_table(modules: Iterable[ModuleType]) -> dict[bytes, CommandSpec]:
    table: dict[bytes, CommandSpec] = {}
    for module in modules:
        family = module.__name__.rsplit(".", 1)[-1]
        for obj in vars(module).values():
            for name, arity, flags, (first, last, step) in getattr(obj, "__commands__", []):
                key = name.encode()
                if key in table:
                    raise RuntimeError(f"command {name!r} declared twice ({table[key].family}, {family})")
                flagset = frozenset(flags.split())
                unknown = sorted(flagset - FLAGS)
                if unknown:
                    raise RuntimeError(f"command {name!r} in {family}: unknown flag(s) {', '.join(unknown)}; "
                                       f"known flags: {' '.join(sorted(FLAGS))}")
                table[key] = CommandSpec(name, arity, flagset, first, last, step, family, obj)
    return table
