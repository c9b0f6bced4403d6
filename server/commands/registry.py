"""Command declarations: name, arity, flags and key positions live on the handler (fakeredis style).

A family module decorates its handlers with `@command(...)`; `build_table` collects them from the
family modules listed in `server.commands.FAMILIES`. There is no global mutable registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from server.commands.keyfinders import KeyFinder
    from server.context import Ctx

Handler = Callable[["Ctx", list[bytes]], Any]


class CommandError(Exception):
    """Raised by a handler: becomes an error reply. `message` is the full text, e.g. 'ERR syntax error'."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
    find_keys: KeyFinder | None = None  # commands flagged movablekeys: where their keys are

    def arity_ok(self, argc: int) -> bool:
        return argc == self.arity if self.arity >= 0 else argc >= -self.arity

    def key_positions(self, argv: Sequence[bytes]) -> list[int] | None:
        """The argument positions of argv's keys (None: the arguments do not say where they are)."""
        if self.find_keys is not None:
            return self.find_keys(argv)
        if self.first_key <= 0:
            return []
        last = self.last_key if self.last_key >= 0 else len(argv) + self.last_key
        return list(range(self.first_key, min(last, len(argv) - 1) + 1, self.step or 1))

    def key_args(self, argv: Sequence[bytes]) -> list[bytes]:
        """argv's keys, as ACL checks them (none when the arguments do not say)."""
        return [argv[i] for i in self.key_positions(argv) or ()]


# What @command records on a handler: name, arity, flags, (first, last, step), key finder.
Declaration = tuple[str, int, str, tuple[int, int, int], "KeyFinder | None"]


def command(
    name: str,
    arity: int,
    flags: str = "",
    keys: tuple[int, int, int] = (0, 0, 0),
    find_keys: KeyFinder | None = None,
) -> Callable[[Handler], Handler]:
    """Declare a handler. `flags` is space-separated Redis command flags (write readonly fast admin
    noscript loading stale pubsub no-auth no-multi ...); `keys` is (first, last, step) as COMMAND shows;
    a command flagged movablekeys says where its keys are with `find_keys` (server.commands.keyfinders)."""

    def mark(fn: Handler) -> Handler:
        specs: list[Declaration] = getattr(fn, "__commands__", [])
        fn.__commands__ = [*specs, (name.lower(), arity, flags, keys, find_keys)]  # type: ignore[attr-defined]
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
            for name, arity, flags, (first, last, step), find_keys in getattr(obj, "__commands__", []):
                key = name.encode()
                if key in table:
                    raise RuntimeError(f"command {name!r} declared twice ({table[key].family}, {family})")
                flagset = frozenset(flags.split())
                unknown = sorted(flagset - FLAGS)
                if unknown:
                    raise RuntimeError(f"command {name!r} in {family}: unknown flag(s) {', '.join(unknown)}; "
                                       f"known flags: {' '.join(sorted(FLAGS))}")
                if ("movablekeys" in flagset) != (find_keys is not None):
                    # ACL would check only the fixed key range: a user could reach keys outside its patterns
                    raise RuntimeError(f"command {name!r} in {family}: movablekeys and find_keys go together")
                table[key] = CommandSpec(name, arity, flagset, first, last, step, family, obj, find_keys)
    return table
