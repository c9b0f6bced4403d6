"""Users and AUTH as Redis 7: the `default` user, `user` lines from the config, requirepass.

Supported rules: on off >pass <pass #hash !hash nopass resetpass ~pattern allkeys resetkeys
&pattern allchannels resetchannels (checked for PUBLISH, SUBSCRIBE, PSUBSCRIBE) +cmd -cmd +cmd|sub +@cat -@cat
allcommands nocommands reset. Command rules are evaluated in order, last match wins, which is what
Redis's command bitmap computes. Not supported: %R~/%W~ key permissions and (selectors).

Deliberate difference: a bad rule in a `user` line names the offending rule itself; Redis 7.0 names
an argument next to it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from server import texts
from server.stringmatch import compile_pattern
from server.texts import CHANNELS_DENIED, KEYS_DENIED, NO_DEFAULT_PASSWORD, WRONGPASS

if TYPE_CHECKING:
    from server.commands.registry import CommandSpec
    from server.config import Config

# Commands whose arguments are channels: (first channel, whether they are patterns, only the first one).
CHANNEL_ARGS = {"publish": (1, False, True), "subscribe": (1, False, False), "psubscribe": (1, True, False)}

CATEGORIES = frozenset(
    {
        "keyspace",
        "read",
        "write",
        "set",
        "sortedset",
        "list",
        "hash",
        "string",
        "bitmap",
        "hyperloglog",
        "geo",
        "stream",
        "pubsub",
        "admin",
        "fast",
        "slow",
        "blocking",
        "dangerous",
        "connection",
        "transaction",
        "scripting",
    }
)
_FAMILY_CATEGORY = {"keys": "keyspace", "strings": "string", "hashes": "hash", "sets": "set", "lists": "list",
                    "connection": "connection", "transactions": "transaction", "zsets": "sortedset",
                    "pubsub": "pubsub", "dumps": "keyspace", "objects": "keyspace", "generic": "keyspace",
                    "bitmaps": "bitmap"}  # fmt: skip
# Container commands and WAIT have no family category in Redis; SORT and COMMAND have more than theirs.
_WITHOUT_FAMILY = frozenset({"client", "pubsub", "pubsub|help", "object", "wait"})
_EXTRA_CATEGORIES = {"sort": ("list", "set", "sortedset"), "sort_ro": ("list", "set", "sortedset"),
                     "command": ("connection",)}  # fmt: skip
# Not admin-flagged, yet Redis files them under @dangerous.
_DANGEROUS = frozenset(
    {"keys", "flushall", "flushdb", "info", "sort", "sort_ro", "swapdb", "migrate", "restore", "role"}
)
# Commands whose first argument is a subcommand: NOPERM names them "config|get", rules may say +config|get.
CONTAINERS = frozenset(
    {"config", "client", "command", "acl", "object", "memory", "script", "slowlog", "latency"}
)



class AclRuleError(ValueError):
    """A rule Redis would refuse; the message is Redis's text."""


class AuthError(Exception):
    """AUTH refused; str(err) is the full error reply (WRONGPASS ..., ERR AUTH <password> ...)."""


class AclLoadError(Exception):
    """Users from the config cannot be built (e.g. an unknown command in a rule): start-up must stop."""


def _hash(password: bytes) -> str:
    return hashlib.sha256(password).hexdigest()


def _raw(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")


def _glob(pattern: str, subject: bytes) -> bool:
    # Redis's own matcher, as for KEYS: fnmatch reads a backslash as a plain byte (so `~lit\*` denied
    # `lit*` and allowed `lit\x`), which let a user reach keys outside its patterns.
    return compile_pattern(_raw(pattern))(subject)


def categories_of(spec: CommandSpec) -> frozenset[str]:
    """The ACL categories of a command, derived from its declared flags and family."""
    cats = {"fast" if "fast" in spec.flags else "slow"}
    if "write" in spec.flags:
        cats.add("write")
    if "readonly" in spec.flags:
        cats.add("read")
    if spec.name == "lastsave":  # neither admin- nor write-flagged, yet @admin @dangerous in Redis
        cats.update(("admin", "dangerous"))
    if "admin" in spec.flags or spec.name in _DANGEROUS:
        cats.update(("admin", "dangerous") if "admin" in spec.flags else ("dangerous",))
    if "pubsub" in spec.flags:
        cats.add("pubsub")
    if "blocking" in spec.flags:
        cats.add("blocking")
    if spec.name == "wait":  # a generic command, filed by Redis with the connection ones
        cats.add("connection")
    if spec.family in _FAMILY_CATEGORY and spec.name not in _WITHOUT_FAMILY:
        cats.add(_FAMILY_CATEGORY[spec.family])
    cats.update(_EXTRA_CATEGORIES.get(spec.name.split("|")[0], ()))
    return frozenset(cats)


@dataclass
class User:
    name: str
    enabled: bool = False
    nopass: bool = False
    passwords: set[str] = field(default_factory=set)  # sha256 hex digests, as ACL GETUSER shows them
    command_rules: list[tuple[bool, str, str]] = field(default_factory=list)  # (allow, "all"|"cat"|"cmd", x)
    key_patterns: list[str] = field(default_factory=list)
    channel_patterns: list[str] = field(default_factory=list)
    all_keys: bool = False
    all_channels: bool = False
    unrestricted: bool = False  # every command on every key: the hot path skips all checks

    def apply(self, rule: str, known_commands: Collection[str] | None = None) -> None:
        """Apply one ACL rule (ACL SETUSER syntax). `known_commands` None skips the command-name check."""
        low = rule.lower()
        if low == "on":
            self.enabled = True
        elif low == "off":
            self.enabled = False
        elif low == "nopass":
            self.nopass, self.passwords = True, set()
        elif low == "resetpass":
            self.nopass, self.passwords = False, set()
        elif rule[:1] in (">", "#"):
            digest = _hash(_raw(rule[1:])) if rule[0] == ">" else rule[1:]
            if rule[0] == "#" and re.fullmatch(r"[0-9a-f]{64}", digest) is None:
                raise AclRuleError(texts.ACL_REASON_BAD_HASH)
            self.passwords.add(digest)
            self.nopass = False
        elif rule[:1] in ("<", "!"):
            digest = _hash(_raw(rule[1:])) if rule[0] == "<" else rule[1:]
            if rule[0] == "!" and re.fullmatch(r"[0-9a-f]{64}", digest) is None:
                raise AclRuleError(texts.ACL_REASON_BAD_HASH)
            if digest not in self.passwords:
                raise AclRuleError(texts.ACL_REASON_NO_SUCH_PASS)
            self.passwords.discard(digest)
        elif low == "allkeys" or rule == "~*":
            self.all_keys, self.key_patterns = True, []
        elif low == "resetkeys":
            self.all_keys, self.key_patterns = False, []
        elif rule.startswith("~"):
            if self.all_keys:
                raise AclRuleError(texts.ACL_REASON_AFTER_ALLKEYS)
            self.key_patterns.append(rule[1:])
        elif low == "allchannels" or rule == "&*":
            self.all_channels, self.channel_patterns = True, []
        elif low == "resetchannels":
            self.all_channels, self.channel_patterns = False, []
        elif rule.startswith("&"):
            if self.all_channels:
                raise AclRuleError(texts.ACL_REASON_AFTER_ALLCHANNELS)
            if rule[1:] not in self.channel_patterns:
                self.channel_patterns.append(rule[1:])
        elif low in ("allcommands", "+@all"):
            self.command_rules = [(True, "all", "")]
        elif low in ("nocommands", "-@all"):
            self.command_rules = [(False, "all", "")]
        elif rule[:2] in ("+@", "-@"):
            if low[2:] not in CATEGORIES:
                raise AclRuleError(texts.ACL_REASON_UNKNOWN)
            self.command_rules.append((rule[0] == "+", "cat", low[2:]))
        elif rule[:1] in ("+", "-") and len(rule) > 1:
            if known_commands is not None and low[1:].split("|")[0] not in known_commands:
                raise AclRuleError(texts.ACL_REASON_UNKNOWN)
            self.command_rules.append((rule[0] == "+", "cmd", low[1:]))
        elif low == "reset":  # back to a fresh, disabled user
            self.enabled = self.nopass = self.all_keys = self.all_channels = False
            self.passwords, self.command_rules, self.key_patterns = set(), [], []
            self.channel_patterns = []
        else:
            raise AclRuleError(texts.ACL_REASON_SYNTAX)
        everything = self.command_rules[-1:] == [(True, "all", "")]
        self.unrestricted = self.all_keys and self.all_channels and everything

    def check_password(self, password: bytes) -> bool:
        if not self.enabled:
            return False
        if self.nopass:
            return True
        digest = _hash(password)
        return any(hmac.compare_digest(digest, p) for p in self.passwords)

    def allowed(self, spec: CommandSpec, argv: Sequence[bytes]) -> str | None:
        """None when this user may run argv; otherwise Redis's NOPERM error text."""
        if self.unrestricted:
            return None
        sub = argv[1].decode("latin-1").lower() if spec.name in CONTAINERS and len(argv) > 1 else ""
        if not self._command_allowed(spec, sub):
            shown = f"{spec.name}|{sub}" if sub else spec.name
            return texts.command_denied(shown)
        if not self.all_keys and not all(map(self.key_allowed, spec.key_args(argv))):
            return KEYS_DENIED
        channels_checked = not self.all_channels and spec.name in CHANNEL_ARGS
        if channels_checked and self.refused_channel(spec.name, argv) is not None:
            return CHANNELS_DENIED
        return None

    def key_allowed(self, key: bytes) -> bool:
        return self.all_keys or any(_glob(p, key) for p in self.key_patterns)

    def refused_channel(self, name: str, argv: Sequence[bytes]) -> bytes | None:
        """The first channel (or pattern, for PSUBSCRIBE) argv names outside this user's & patterns. A
        channel must match a pattern; a PSUBSCRIBE pattern must be one of them literally, as in Redis."""
        first, literal, single = CHANNEL_ARGS[name]
        for channel in argv[first : first + 1] if single else argv[first:]:
            if literal:
                if channel not in [_raw(p) for p in self.channel_patterns]:
                    return channel
            elif not any(_glob(p, channel) for p in self.channel_patterns):
                return channel
        return None

    def _command_allowed(self, spec: CommandSpec, sub: str) -> bool:
        cats: frozenset[str] | None = None
        for allow, kind, value in reversed(self.command_rules):
            if kind == "all":
                return allow
            parent = spec.name.split("|", 1)[0]  # a subcommand's own spec ("config|get") is its parent's too
            if kind == "cmd" and (value in (spec.name, parent) or (sub and value == f"{spec.name}|{sub}")):
                return allow
            if kind == "cat":
                cats = categories_of(spec) if cats is None else cats
                if value in cats:
                    return allow
        return False


def check_user_line(args: Sequence[str]) -> tuple[int, str] | None:
    """Validate a config `user name rule...` line (without the keyword): (index of the bad argument,
    Redis's reason) or None. Command names are checked later, by Users.from_config, as Redis does."""
    if " " in args[0]:
        return 0, "Spaces not allowed in ACL usernames"
    user = User(args[0])
    for i, rule in enumerate(args[1:], 1):
        try:
            user.apply(rule)
        except AclRuleError as e:
            return i, str(e)
    return None


def default_user() -> User:
    user = User("default")
    for rule in ("on", "nopass", "~*", "&*", "+@all"):
        user.apply(rule)
    return user


class Users:
    """The user table of one server. The core keeps `client.user` (a User) per connection."""

    def __init__(self, users: dict[str, User]) -> None:
        self.users = users
        self.default = users["default"]

    @classmethod
    def from_config(cls, cfg: Config, known_commands: Collection[str] | None = None) -> Users:
        """Build users from `user` lines, then requirepass; CONFIG SET requirepass updates `default`.
        Raises AclLoadError with Redis's text when a rule names an unknown command."""
        users = {"default": default_user()}
        for name, *rules in cfg.user_lines:
            user = users[name] if name == "default" else User(name)
            for rule in rules:
                try:
                    user.apply(rule, known_commands)
                except AclRuleError as e:
                    raise AclLoadError(
                        f"Error loading ACL rule '{rule}' for the user named '{name}': {e}"
                    ) from None
            users[name] = user
        table = cls(users)
        if cfg["requirepass"]:
            table.set_default_password(cfg["requirepass"])
        cfg.on_change("requirepass", lambda: table.set_default_password(cfg["requirepass"]))
        return table

    def set_default_password(self, password: str) -> None:
        """Redis's ACLUpdateDefaultUserPassword: resetpass, then >password (or nopass when empty)."""
        self.default.apply("resetpass")
        self.default.apply(">" + password if password else "nopass")

    def auth_required(self) -> bool:
        """New connections start authenticated as `default` unless this is True (Redis's authRequired)."""
        return not (self.default.nopass and self.default.enabled)

    def authenticate(self, username: str | bytes, password: str | bytes) -> User | None:
        name = username.decode("utf-8", "surrogateescape") if isinstance(username, bytes) else username
        user = self.users.get(name)
        return user if user is not None and user.check_password(_raw(password)) else None

    def auth_command(self, args: Sequence[bytes]) -> User:
        """AUTH <password> | AUTH <username> <password> (args without the command name).
        Returns the user to switch to, or raises AuthError with Redis's reply text."""
        if len(args) == 1:
            if self.default.nopass:
                raise AuthError(NO_DEFAULT_PASSWORD)
            username, password = b"default", args[0]
        else:
            username, password = args[0], args[1]
        user = self.authenticate(username, password)
        if user is None:
            raise AuthError(WRONGPASS)
        return user
