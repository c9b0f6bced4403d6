"""A redis.conf read with the bundled server's own config parser (Redis's syntax, includes, defaults for
what is absent), reduced to the facts the checks judge, each with the file and line it came from.

Directives of redis-server 7.0 that the bundled server does not implement are kept as read; a name neither
knows is an error, as redis-server would refuse to start with it.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from lab.audit.certfacts import CertFacts, cert_facts
from lab.audit.redis70 import DIRECTIVES
from lab.errors import UserError

TLS_FILES = ("tls-cert-file", "tls-key-file", "tls-ca-cert-file")


@dataclass(frozen=True)
class FileFacts:
    """One file a TLS directive names, as the server would find it."""

    directive: str
    path: str
    exists: bool
    readable: bool
    mode: str  # "0600"; "" when missing
    world_readable: bool
    cert: CertFacts | None  # for certificate files
    key_matches_cert: bool | None  # for tls-key-file: its public key is tls-cert-file's
    error: str  # why it could not be read or parsed


@dataclass(frozen=True)
class ConfFacts:
    path: str
    values: dict[str, str]  # the effective value of every judged directive (defaults for what is absent)
    where: dict[str, str]  # directive -> "file:line" of the line that set it (absent: the default)
    requirepass_set: bool  # the value itself is never kept
    users: tuple[str, ...]  # ACL user names declared with `user`
    users_without_password: tuple[str, ...]  # enabled users with nopass
    aclfile: str
    replicaof: str  # "host port" or ""
    cluster_enabled: bool
    files: tuple[FileFacts, ...]

    def at(self, name: str) -> str:
        """Where a directive's value comes from, for a finding's evidence."""
        value = self.values.get(name, "")
        place = self.where.get(name)
        shown = f'{name} "{value}"' if " " in value or not value else f"{name} {value}"
        return f"{shown} ({place})" if place else f"{shown} (not in the file: Redis's default)"

    @property
    def auth_required(self) -> bool:
        default_open = "default" in self.users_without_password or "default" not in self.users
        return self.requirepass_set or bool(self.aclfile) or not default_open


JUDGED = ("port", "tls-port", "bind", "protected-mode", "tls-auth-clients", "tls-protocols", "tls-ciphers",
          "tls-ciphersuites", "tls-replication", "tls-cluster", *TLS_FILES)  # fmt: skip


# Where redis-server 7.0's compiled default differs from the bundled server's (checked with CONFIG GET).
REDIS_DEFAULTS = {"bind": "* -::*"}


class _Observer:
    def __init__(self) -> None:
        self.where: dict[str, str] = {}
        self.extra: dict[str, list[str]] = {}  # Redis directives the bundled server does not implement

    def directive(self, source: str | None, lineno: int, name: str, args: list[str]) -> None:
        self.where[name] = f"{source or '<args>'}:{lineno}"

    def unknown(self, name: str, args: list[str]) -> bool:
        if name not in DIRECTIVES:
            return False
        self.extra[name] = args
        return True


def _file(directive: str, path: str, cert_path: str, now: dt.datetime) -> FileFacts:
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        return FileFacts(directive, path, False, False, "", False, None, None, exc.strerror or str(exc))
    mode = stat.S_IMODE(st.st_mode)
    readable = os.access(p, os.R_OK)
    cert, matches, error = None, None, ""
    try:
        data = p.read_bytes()
        if directive == "tls-key-file":
            key = serialization.load_pem_private_key(data, password=None)
            mine = key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            if cert_path:
                leaf = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
                theirs = leaf.public_key().public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                )
                matches = mine == theirs
        else:
            cert = cert_facts(x509.load_pem_x509_certificate(data), now)
    except (OSError, ValueError, TypeError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    return FileFacts(
        directive, path, True, readable, f"{mode:04o}", bool(mode & stat.S_IROTH), cert, matches, error
    )


def read_config(path: Path, now: dt.datetime | None = None) -> ConfFacts:
    """Raises UserError when the file cannot be read or redis-server would refuse it."""
    from server.config import Config, ConfigFileError

    observer = _Observer()
    try:
        cfg = Config.load(str(path), observer=observer)
    except ConfigFileError as exc:
        raise UserError(
            f"{path} is not a config redis-server would start with:{exc}".replace("\n", " ")
            + " — fix that line first"
        ) from None
    values = {name: cfg.render(name) for name in JUDGED}
    for name, value in REDIS_DEFAULTS.items():
        if name not in observer.where:
            values[name] = value
    users, open_users = [], []
    for line in cfg.user_lines:
        users.append(line[0])
        rules = [r.lower() for r in line[1:]]
        if "nopass" in rules and "off" not in rules[rules.index("nopass") :]:
            open_users.append(line[0])
    when = now or dt.datetime.now(dt.UTC)
    files = tuple(_file(d, values[d], values["tls-cert-file"], when) for d in TLS_FILES if values[d])

    def raw(name: str, default: str) -> str:
        # the server's parser may know the directive (its catalog) or leave it to the observer
        if name in cfg.directives:
            return str(cfg.render(name))
        return " ".join(observer.extra.get(name, [])) or default

    return ConfFacts(
        path=str(path),
        values=values,
        where={k: v for k, v in observer.where.items() if k in JUDGED or k in ("requirepass",)},
        requirepass_set=bool(cfg["requirepass"]),
        users=tuple(users),
        users_without_password=tuple(open_users),
        aclfile=raw("aclfile", ""),
        replicaof=raw("replicaof", "") or raw("slaveof", ""),
        cluster_enabled=raw("cluster-enabled", "no").lower() == "yes",
        files=files,
    )
