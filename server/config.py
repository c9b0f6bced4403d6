"""redis.conf parsing and the one typed directive registry behind the file, argv, CONFIG GET and CONFIG SET.

Behaviour follows Redis 7.0.15 (checked against the real redis-server): sdssplitargs quoting, the
"FATAL CONFIG FILE ERROR" report, argv options appended to the file text as `name "value"` lines,
error texts of CONFIG SET, all-or-nothing multi-pair CONFIG SET with rollback.

Deliberate differences, all about the process rather than the data:
- `dir` is stored as an absolute path and never chdir()ed into (the server may share its process with tests);
- `daemonize yes` is refused (the bundled server runs in the foreground; use a supervisor);
- `save` is accepted and rendered as Redis does, but RDB snapshots are not implemented (the AOF persists);
- `bind` with no address is refused (Redis would listen on every interface).
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from server import texts
from server.resp import split_args  # Redis's sdssplitargs: config lines and inline commands alike

REDIS_VERSION = "7.0.15"


def quote_arg(arg: bytes) -> bytes:
    """Redis's sdscatrepr: how argv values are written into the config text (and shown in errors)."""
    out = bytearray(b'"')
    for c in arg:
        if c in (0x5C, 0x22):
            out += b"\\" + bytes([c])
        elif c == 0x0A:
            out += b"\\n"
        elif c == 0x0D:
            out += b"\\r"
        elif c == 0x09:
            out += b"\\t"
        elif c == 0x07:
            out += b"\\a"
        elif c == 0x08:
            out += b"\\b"
        elif 0x20 <= c < 0x7F:
            out.append(c)
        else:
            out += b"\\x%02x" % c
    out += b'"'
    return bytes(out)


def _text(raw: bytes | str) -> str:
    return raw if isinstance(raw, str) else raw.decode("utf-8", "surrogateescape")


# ---------------------------------------------------------------- value types


class ConfigValueError(ValueError):
    """A value rejected by a directive's type; the message is Redis's reason text."""


_INT_RE = re.compile(r"0|-?[1-9][0-9]*\Z")
_MEM_RE = re.compile(r"([0-9]*)(b|k|kb|m|mb|g|gb)?\Z", re.IGNORECASE)
_MEM_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3}
_ULLONG_MAX = 2**64 - 1


def parse_memory(text: str) -> int:
    """Redis's memtoull: digits plus an optional unit (k=1000, kb=1024, m, mb, g, gb; any case)."""
    m = _MEM_RE.fullmatch(text)
    if m is None:
        raise ConfigValueError(texts.CONFIG_REASON_NOT_MEMORY)
    digits, unit = m.group(1), (m.group(2) or "").lower()
    return min(int(digits or "0"), _ULLONG_MAX) * _MEM_UNITS[unit]


def _parse_ll(text: str) -> int:
    """Redis's string2ll: no sign '+', no spaces, no leading zeros, within 64-bit signed."""
    if _INT_RE.fullmatch(text) is None or not -(2**63) <= int(text) < 2**63:
        raise ConfigValueError(texts.CONFIG_REASON_NOT_INTEGER)
    return int(text)


class Kind(ABC):
    """How one directive parses its arguments and renders its value for CONFIG GET."""

    multi_arg = False

    @abstractmethod
    def parse(self, args: Sequence[str]) -> Any: ...

    def render(self, value: Any) -> str:
        return str(value)


class Bool(Kind):
    def parse(self, args: Sequence[str]) -> bool:
        word = args[0].lower()
        if word not in ("yes", "no"):
            raise ConfigValueError(texts.CONFIG_REASON_NOT_BOOL)
        return word == "yes"

    def render(self, value: Any) -> str:
        return "yes" if value else "no"


@dataclass(frozen=True)
class Int(Kind):
    low: int
    high: int
    memory: bool = False
    clamp: tuple[int, int] | None = None  # Redis clamps some values after accepting them (hz: 1..500)

    def parse(self, args: Sequence[str]) -> int:
        value = parse_memory(args[0]) if self.memory else _parse_ll(args[0])
        if not self.low <= value <= self.high:
            raise ConfigValueError(texts.config_out_of_bounds(self.low, self.high))
        if self.clamp is not None:
            value = max(self.clamp[0], min(self.clamp[1], value))
        return value


@dataclass(frozen=True)
class Enum(Kind):
    choices: tuple[str, ...]

    def parse(self, args: Sequence[str]) -> str:
        word = args[0].lower()
        if word not in self.choices:
            raise ConfigValueError(texts.config_not_a_choice(self.choices))
        return word


@dataclass(frozen=True)
class Str(Kind):
    check: Callable[[str], str | None] | None = None  # returns a reason when the value is refused

    def parse(self, args: Sequence[str]) -> str:
        if self.check is not None and (reason := self.check(args[0])) is not None:
            raise ConfigValueError(reason)
        return args[0]


class Save(Kind):
    """`save <seconds> <changes> ...` as (seconds, changes) pairs; `save ""` disables snapshots."""

    multi_arg = True

    def parse(self, args: Sequence[str]) -> tuple[tuple[int, int], ...]:
        if len(args) == 1 and args[0] == "":
            args = ()
        if len(args) % 2:
            raise ConfigValueError(texts.CONFIG_REASON_BAD_SAVE)
        nums: list[int] = []
        for j, arg in enumerate(args):
            m = re.fullmatch(r"\s*([+-]?[0-9]+)?", arg)  # strtoll: blanks, a sign, even nothing (0)
            val = int(m.group(1) or 0) if m else -1
            if m is None or (j % 2 == 0 and val < 1) or (j % 2 == 1 and val < 0):
                raise ConfigValueError(texts.CONFIG_REASON_BAD_SAVE)
            nums.append(val)
        return tuple(zip(nums[::2], nums[1::2], strict=True))

    def render(self, value: Any) -> str:
        return " ".join(f"{s} {c}" for s, c in value)


class Bind(Kind):
    """Listen addresses; a leading '-' marks an address that may be missing (Redis semantics)."""

    multi_arg = True

    def parse(self, args: Sequence[str]) -> tuple[str, ...]:
        if len(args) > 16:
            raise ConfigValueError(texts.CONFIG_REASON_TOO_MANY_BINDS)
        addrs = tuple(a for a in args if a)
        if not addrs:
            raise ConfigValueError(
                "bind needs at least one address (the bundled server never binds every interface)"
            )
        return addrs

    def render(self, value: Any) -> str:
        return " ".join(value)


def _basename_only(name: str) -> Callable[[str], str | None]:
    return lambda v: None if os.path.basename(v) == v and v else f"{name} can't be a path, just a filename"


def _existing_dir(path: str) -> str | None:
    if not os.path.exists(path):
        return "No such file or directory"
    if not os.path.isdir(path):
        return "Not a directory"
    return None


def _no_daemonize(value: bool) -> str | None:
    if value:
        return "daemonize yes is not supported by the bundled server: use daemonize no and a supervisor"
    return None


# ---------------------------------------------------------------- the registry

IMMUTABLE = "immutable"  # CONFIG SET refuses: "can't set immutable config"
PROTECTED = "protected"  # CONFIG SET refuses unless enable-protected-configs allows it
VOLATILE = "volatile"  # setting the same value again still counts as a change (file reload)
SENSITIVE = "sensitive"  # value is a secret: redact in MONITOR / logs


@dataclass(frozen=True)
class Directive:
    name: str
    kind: Kind
    default: tuple[str, ...]
    flags: frozenset[str] = frozenset()
    post: Callable[[Any], str | None] | None = None  # extra check on the parsed value (bundled-server limits)


_INT_MAX = 2**31 - 1
_UINT_MAX = 2**32 - 1
_LONG_MAX = 2**63 - 1
_TLS_FILES = ("tls-cert-file", "tls-key-file", "tls-client-cert-file", "tls-client-key-file",
              "tls-ca-cert-file", "tls-ca-cert-dir", "tls-dh-params-file")  # fmt: skip


def _d(name: str, kind: Kind, *default: str, flags: Iterable[str] = (), post: Any = None) -> Directive:
    return Directive(name, kind, default, frozenset(flags), post)


DIRECTIVES: tuple[Directive, ...] = (
    _d("bind", Bind(), "127.0.0.1"),
    _d("port", Int(0, 65535), "6379"),
    _d("protected-mode", Bool(), "yes"),
    _d("enable-protected-configs", Enum(("no", "yes", "local")), "no", flags=[IMMUTABLE]),
    _d("requirepass", Str(), "", flags=[SENSITIVE]),
    _d("maxclients", Int(1, _UINT_MAX), "10000"),
    _d("timeout", Int(0, _INT_MAX), "0"),
    _d("proto-max-bulk-len", Int(1024 * 1024, _LONG_MAX, memory=True), "536870912"),
    _d("client-query-buffer-limit", Int(1024 * 1024, _LONG_MAX, memory=True), "1073741824"),
    _d("databases", Int(1, _INT_MAX), "16", flags=[IMMUTABLE]),
    _d("dir", Str(_existing_dir), ".", flags=[PROTECTED]),
    _d("dbfilename", Str(_basename_only("dbfilename")), "dump.rdb", flags=[PROTECTED]),
    _d("save", Save(), "3600", "1", "300", "100", "60", "10000"),
    _d("appendonly", Bool(), "no"),
    _d("appendfsync", Enum(("everysec", "always", "no")), "everysec"),
    _d("appendfilename", Str(_basename_only("appendfilename")), "appendonly.aof", flags=[IMMUTABLE]),
    _d("aof-load-truncated", Bool(), "yes"),
    _d("loglevel", Enum(("debug", "verbose", "notice", "warning")), "notice"),
    _d("logfile", Str(), "", flags=[IMMUTABLE]),
    _d("daemonize", Bool(), "no", flags=[IMMUTABLE], post=_no_daemonize),
    _d("pidfile", Str(), "", flags=[IMMUTABLE]),
    _d("hz", Int(0, _INT_MAX, clamp=(1, 500)), "10"),
    _d("tls-port", Int(0, 65535), "0"),
    *(_d(name, Str(), "", flags=[VOLATILE]) for name in _TLS_FILES),
    _d("tls-key-file-pass", Str(), "", flags=[SENSITIVE]),
    _d("tls-client-key-file-pass", Str(), "", flags=[SENSITIVE]),
    _d("tls-auth-clients", Enum(("no", "yes", "optional")), "yes"),
    _d("tls-replication", Bool(), "no"),
    _d("tls-cluster", Bool(), "no"),
    _d("tls-protocols", Str(), ""),  # "" means Redis's default: "TLSv1.2 TLSv1.3"
    _d("tls-ciphers", Str(), ""),
    _d("tls-ciphersuites", Str(), ""),
    _d("tls-prefer-server-ciphers", Bool(), "no"),
    _d("tls-session-caching", Bool(), "yes"),
    _d("tls-session-cache-size", Int(0, _INT_MAX), "20480"),
    _d("tls-session-cache-timeout", Int(0, _INT_MAX), "300"),
)


# ---------------------------------------------------------------- errors


class ConfigFileError(Exception):
    """Start-up must stop; str(err) is Redis's report, ready for stderr."""


class ConfigSetError(Exception):
    """CONFIG SET refused; str(err) is the full error reply text incl. the 'ERR ' prefix."""


class ConfigApplyError(Exception):
    """Raised by an on_change callback that cannot apply the new value; CONFIG SET rolls back."""


def _file_error(reason: str, lineno: int | None = None, line: str | None = None) -> ConfigFileError:
    text = f"\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\n"
    if lineno is not None:
        text += f"Reading the configuration file, at line {lineno}\n>>> '{line}'\n"
    return ConfigFileError(text + reason)


def argv_to_text(overrides: Sequence[str]) -> bytes:
    """Turn `--port 7000 --save ""` into config lines as redis-server's main() does."""
    lines: list[bytes] = []
    handled_last = True
    for j, arg in enumerate(overrides):
        raw = arg.encode("utf-8", "surrogateescape")
        if handled_last and raw.startswith(b"--"):
            lines.append(raw[2:] + b" ")
            handled_last = len(split_args(raw) or []) != 1
            last = j == len(overrides) - 1
            if not handled_last and raw.lower() == b"--save" and (last or overrides[j + 1].startswith("--")):
                lines[-1] += b'""'  # `--save` with no value means `save ""` (Redis 7.0.1+)
                handled_last = True
        else:
            if not lines:
                lines.append(b"")
            lines[-1] += quote_arg(raw) + b" "
            handled_last = True
    return b"\n".join(lines)


# ---------------------------------------------------------------- the config object

Callback = Callable[[], None]


class LoadObserver(Protocol):
    """Sees every directive as the file is read (a config audit keeps where each came from)."""

    def directive(self, source: str | None, lineno: int, name: str, args: list[str]) -> None: ...

    def unknown(self, name: str, args: list[str]) -> bool:
        """A directive this server does not implement: True takes it as read, False makes it an error."""
        ...


class Config:
    """Typed values of every directive. `cfg["port"]` is a plain dict lookup (hot paths use it)."""

    def __init__(self) -> None:
        from server.config_catalog import ALIASES, CATALOG  # the rest of Redis 7.0's parameters

        own = {d.name for d in DIRECTIVES}
        every = (*DIRECTIVES, *(d for d in CATALOG if d.name not in own))
        self.directives: dict[str, Directive] = {d.name: d for d in every}
        for alias, name in ALIASES.items():  # an alias shares its directive, hence its value
            self.directives[alias] = self.directives[name]
        self._values: dict[str, Any] = {}
        self._callbacks: dict[str, list[Callback]] = {}
        self.user_lines: list[tuple[str, ...]] = []  # `user` directives, arguments after the keyword
        for d in every:
            self._values[d.name] = self._parse(d, list(d.default))
        self.path: str | None = None
        self._save_seen = False  # the first `save` line of a file replaces the default points
        self._observer: LoadObserver | None = None

    # -- loading

    @classmethod
    def load(cls, path: str | None = None, overrides: Sequence[str] = (),
             observer: LoadObserver | None = None) -> Config:
        cfg = cls()
        cfg._observer = observer
        text = b""
        if path is not None:
            cfg.path = os.path.abspath(path)
            text = cls._read(path)
        options = argv_to_text(overrides)
        if options:
            text += b"\n" + options
        cfg._load_text(text, cfg.path)
        return cfg

    @staticmethod
    def _read(path: str) -> bytes:
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError as e:
            raise ConfigFileError(f"Fatal error, can't open config file '{path}': {e.strerror}") from None

    def _load_text(self, text: bytes, source: str | None = None) -> None:
        for lineno, raw_line in enumerate(text.split(b"\n"), 1):
            line = raw_line.strip(b" \t\r\n")
            if not line or line.startswith(b"#"):
                continue
            shown = _text(line)
            argv_b = split_args(line)
            if argv_b is None:
                raise _file_error("Unbalanced quotes in configuration line", lineno, shown)
            if not argv_b:
                continue
            argv = [_text(a) for a in argv_b]
            if self._observer is not None:
                self._observer.directive(source, lineno, argv[0].lower(), argv[1:])
            try:
                self._load_directive(argv[0].lower(), argv[1:])
            except ConfigValueError as e:
                raise _file_error(str(e), lineno, shown) from None

    def _load_directive(self, name: str, args: list[str]) -> None:
        d = self.directives.get(name)
        if d is not None:
            if not d.kind.multi_arg and len(args) != 1:
                raise ConfigValueError("wrong number of arguments")
            if d.kind.multi_arg and len(args) == 1 and args[0]:
                # `save "900 1"` or `--bind "a b"`: a single non-empty argument is split again
                args = [_text(a) for a in split_args(args[0].encode("utf-8", "surrogateescape")) or []]
            value = self._parse(d, args)
            if d.name == "save" and self._save_seen and args != [""]:
                value = self._values["save"] + value  # later `save` lines add points (Redis)
            self._save_seen = self._save_seen or d.name == "save"
            self._values[d.name] = value
        elif name == "include" and len(args) == 1:
            self._load_text(self._read(args[0]), os.path.abspath(args[0]))
        elif name == "user" and args:
            from server.acl import check_user_line  # acl owns the rule syntax

            if any(line[0] == args[0] for line in self.user_lines):
                reason = texts.ACL_REASON_DUPLICATE_USER
                raise ConfigValueError(f"Error in user declaration '{args[0]}': {reason}")
            problem = check_user_line(args)
            if problem is not None:
                index, reason = problem
                raise ConfigValueError(f"Error in user declaration '{args[index]}': {reason}")
            self.user_lines.append(tuple(args))
        elif self._observer is None or not self._observer.unknown(name, args):
            raise ConfigValueError("Bad directive or wrong number of arguments")

    @staticmethod
    def _parse(d: Directive, args: list[str]) -> Any:
        value = d.kind.parse(args)
        if d.name == "dir":
            value = os.path.abspath(value)
        if d.post is not None and (reason := d.post(value)) is not None:
            raise ConfigValueError(reason)
        return value

    # -- reading

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def default_value(self, name: str) -> Any:
        """The parsed default of a directive (CONFIG REWRITE writes only what differs)."""
        d = self.directives[name]
        return self._parse(d, list(d.default))

    def render(self, name: str) -> str:
        d = self.directives[name]
        return d.kind.render(self._values[d.name])

    def get_pattern(self, pattern: str) -> dict[str, str]:
        """CONFIG GET: an exact name answers under the name as given; a glob matches case-insensitively."""
        if not any(c in pattern for c in "*?[\\"):
            name = pattern.lower()
            return {pattern: self.render(name)} if name in self.directives else {}
        glob = pattern.lower().replace("[^", "[!")
        return {n: self.render(n) for n in self.directives if fnmatch.fnmatchcase(n, glob)}

    def get_patterns(self, patterns: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for p in patterns:
            out.update(self.get_pattern(p))
        return out

    def is_sensitive(self, name: str) -> bool:
        d = self.directives.get(name.lower())
        return d is not None and SENSITIVE in d.flags

    # -- changing

    def on_change(self, name: str, callback: Callback) -> None:
        """Run `callback()` after CONFIG SET changed `name`; it may raise ConfigApplyError to refuse.
        A callback registered for several names runs once per CONFIG SET, in registration order."""
        if name not in self.directives:
            raise KeyError(f"no directive {name!r}")
        self._callbacks.setdefault(name, []).append(callback)

    def set(self, name: str | bytes, value: str | bytes, *, local_client: bool = False) -> None:
        self.set_many([(name, value)], local_client=local_client)

    def set_many(
        self, pairs: Sequence[tuple[str | bytes, str | bytes]], *, local_client: bool = False
    ) -> None:
        """CONFIG SET name value [name value ...]: all or nothing, as Redis 7."""
        given = [(_text(n), _text(v)) for n, v in pairs]
        for name, _ in given:
            if name.lower() not in self.directives:
                shown = name.partition("\0")[0]  # Redis quotes it with %s, which stops at a NUL
                raise ConfigSetError(texts.config_set_unknown(shown))
        seen: set[str] = set()
        spelled: set[str] = set()  # an alias and its name may both be set (the later one wins), as in Redis
        for name, _ in given:
            d = self.directives[name.lower()]
            if IMMUTABLE in d.flags:
                raise _set_error(name, "can't set immutable config")
            if PROTECTED in d.flags and not self._protected_allowed(local_client):
                raise _set_error(name, "can't set protected config")
            if name.lower() in spelled:
                raise _set_error(name, "duplicate parameter")
            spelled.add(name.lower())
            seen.add(d.name)

        old = {d: self._values[d] for d in seen}
        changed: list[str] = []
        for name, raw in given:
            d = self.directives[name.lower()]
            args = raw.split(" ") if d.kind.multi_arg else [raw]
            try:
                value = self._parse(d, args)
            except ConfigValueError as e:
                self._values.update(old)
                raise _set_error(d.name, str(e)) from None
            if value != self._values[d.name] or VOLATILE in d.flags:
                changed.append(d.name)
            self._values[d.name] = value

        done: list[Callback] = []
        try:
            for name in changed:
                for cb in self._callbacks.get(name, ()):
                    if cb not in done:
                        done.append(cb)
                        cb()
        except ConfigApplyError as e:
            self._values.update(old)
            for cb in done:
                with contextlib.suppress(ConfigApplyError):  # the old values worked before
                    cb()
            raise _set_error(name, str(e)) from None

    def _protected_allowed(self, local_client: bool) -> bool:
        mode = self._values["enable-protected-configs"]
        return mode == "yes" or (mode == "local" and local_client)


def _set_error(name: str, reason: str) -> ConfigSetError:
    return ConfigSetError(texts.config_set_failed(name, reason))
