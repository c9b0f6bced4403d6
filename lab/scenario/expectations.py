"""Expectation kinds: what an `[[expect]]` entry may claim, and how it is judged against a case's evidence.

Each kind is a parameter dataclass (its TOML keys), one small function `(params, evidence) -> Check`, and
one line in `EXPECTATIONS`. A check always carries the observed value, so a report shows what happened
next to what was expected, met or not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from lab.analysis.checks import CHECKS
from lab.scenario.evidence import CaseEvidence, Exposure, FileKind, Json
from lab.scenario.strict import FieldError, choices


@dataclass(frozen=True)
class Check:
    met: bool
    expected: str
    observed: Json
    evidence: tuple[str, ...] = ()  # pointers a person can follow: "frame 12", "appendonly.aof", a log line


def _search(pattern: str | None, text: str | None) -> bool:
    return pattern is None or (text is not None and re.search(pattern, text, re.IGNORECASE) is not None)


def _check_regex(pattern: str | None, what: str) -> None:
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{what} to be a valid regular expression ({exc})") from None


# --- client: did a client's session connect (or fail with the expected error)? -------------------


@dataclass(frozen=True)
class ClientOutcome:
    client: str
    connects: bool
    error_matches: str | None = None  # regex the client's error must match when it does not connect

    def __post_init__(self) -> None:
        _check_regex(self.error_matches, "error-matches")


def client_outcome(p: ClientOutcome, ev: CaseEvidence) -> Check:
    # the row names its client: two rows "connects" in one case say nothing about who
    expected = f"{p.client} " + (
        "connects" if p.connects else "refused" + (f" (/{p.error_matches}/)" if p.error_matches else "")
    )
    obs = ev.client(p.client)
    if obs is None:
        return Check(False, expected, f"client {p.client!r} did not run")
    observed = "connected" if obs.connected else f"refused: {obs.error}"
    met = obs.connected == p.connects and (p.connects or _search(p.error_matches, obs.error))
    return Check(met, expected, observed)


# --- server-log: a line the server wrote (or must not write) -------------------------------------


@dataclass(frozen=True)
class ServerLog:
    matches: str
    present: bool = True

    def __post_init__(self) -> None:
        _check_regex(self.matches, "matches")


def server_log(p: ServerLog, ev: CaseEvidence) -> Check:
    hits = [line for line in ev.log_text.splitlines() if _search(p.matches, line)]
    expected = f"log {'has' if p.present else 'has no'} line /{p.matches}/"
    return Check(bool(hits) == p.present, expected, hits[0] if hits else None, tuple(hits[:3]))


# --- target-start: does the server start with this configuration? --------------------------------


@dataclass(frozen=True)
class TargetStart:
    starts: bool
    error_matches: str | None = None

    def __post_init__(self) -> None:
        _check_regex(self.error_matches, "error-matches")


def target_start(p: TargetStart, ev: CaseEvidence) -> Check:
    expected = (
        "starts" if p.starts else "refuses to start" + (f" (/{p.error_matches}/)" if p.error_matches else "")
    )
    if ev.started:
        return Check(p.starts, expected, "started")
    return Check(
        not p.starts and _search(p.error_matches, ev.start_error), expected, f"refused: {ev.start_error}"
    )


# --- secret-in-clear: can a passive observer read a secret in the capture? ------------------------


@dataclass(frozen=True)
class SecretInClear:
    secret: str  # a label the workload declared ("password", "email", ...)
    in_clear: bool
    port: Literal["plaintext", "tls"] | None = None  # only streams to this server port


def _exposure(exposures: tuple[Exposure, ...], label: str) -> Exposure | None:
    return next((e for e in exposures if e.label == label), None)


def secret_in_clear(p: SecretInClear, ev: CaseEvidence) -> Check:
    where = f" on the {p.port} port" if p.port else ""
    expected = f"{p.secret} {'readable' if p.in_clear else 'not readable'} in the capture{where}"
    if ev.capture is None:
        return Check(False, expected, "no capture was made")
    if p.secret not in {s.label for s in ev.secrets}:
        return Check(False, expected, f"the workload declared no secret {p.secret!r}")
    found = _exposure(ev.capture.exposures, p.secret)
    port = ev.ports.get(p.port) if p.port else None
    seen = found is not None and bool(found.frames) and (port is None or port in found.ports)
    frames = found.frames if found is not None and seen else ()
    observed: Json = {"frames": list(frames), "ports": list(found.ports) if found else []}
    return Check(seen == p.in_clear, expected, observed, tuple(f"frame {f}" for f in frames[:10]))


# --- secret-with-keylog: the key log decrypts the capture and the secret is in it ----------------

@dataclass(frozen=True)
class SecretWithKeylog:
    """Proves a TLS capture really holds the session: with the key log, the secret is readable."""

    secret: str
    readable: bool = True


def secret_with_keylog(p: SecretWithKeylog, ev: CaseEvidence) -> Check:
    expected = f"{p.secret} {'readable' if p.readable else 'not readable'} after decryption with the key log"
    if ev.capture is None:
        return Check(False, expected, "no capture was made")
    if ev.capture.keylog is None:
        return Check(not p.readable, expected, "no key log was written")
    found = _exposure(ev.capture.exposures, p.secret)
    frames = found.decrypted_frames if found else ()
    return Check(bool(frames) == p.readable, expected, {"decrypted_frames": list(frames)},
                 tuple(f"frame {f}" for f in frames[:10]))


# --- at-rest: is a secret readable in the server's data files (AOF) after it stopped? -------------


@dataclass(frozen=True)
class AtRest:
    secret: str
    in_clear: bool


def at_rest(p: AtRest, ev: CaseEvidence) -> Check:
    expected = f"{p.secret} {'readable' if p.in_clear else 'not readable'} in the server's files"
    if p.secret not in {s.label for s in ev.secrets}:  # nothing looked for it: not "absent"
        return Check(False, expected, {"unknown_secret": p.secret,
                                       "secrets": sorted(s.label for s in ev.secrets)})
    found = _exposure(ev.at_rest, p.secret)
    files = found.files if found else ()
    return Check(bool(files) == p.in_clear, expected, {"files": list(files)}, files)


# --- disk-file: what one kind of file on the server's disk holds, and the state of its TLS key --------


@dataclass(frozen=True)
class DiskFileCheck:
    file: FileKind  # which kind of file (all AOF parts together)
    present: bool = True
    holds: tuple[str, ...] = ()  # secret labels each found byte for byte in one of these files
    lacks: tuple[str, ...] = ()  # secret labels found in none of them
    encrypted: bool | None = None  # tls-key only: does the private key need a passphrase

    def __post_init__(self) -> None:
        if not self.present and (self.holds or self.lacks or self.encrypted is not None):
            raise FieldError("present", "present = true with holds / lacks / encrypted (an absent file "
                             "holds nothing to check)", self.present)
        if self.encrypted is not None and self.file is not FileKind.TLS_KEY:
            raise FieldError("encrypted", 'no encrypted key unless file = "tls-key"', self.encrypted)
        both = sorted(set(self.holds) & set(self.lacks))
        if both:
            raise FieldError("lacks", "labels not also listed in holds", both)


def disk_file(p: DiskFileCheck, ev: CaseEvidence) -> Check:
    kind = p.file.value
    parts = [f"{kind} file {'present' if p.present else 'absent'}"]
    parts += [f"holding {', '.join(p.holds)}"] if p.holds else []
    parts += [f"without {', '.join(p.lacks)}"] if p.lacks else []
    if p.encrypted is not None:
        parts.append("encrypted" if p.encrypted else "unencrypted")
    expected = " ".join(parts)
    files = [f for f in ev.disk if f.kind is p.file]
    names = tuple(f.name for f in files)
    found = sorted({label for f in files for label in f.secrets})
    observed: dict[str, Json] = {"files": list(names), "secrets": list(found),
                                 "modes": {f.name: f.mode for f in files}}
    labels = {s.label for s in ev.secrets}
    unknown = sorted(set(p.holds + p.lacks) - labels)
    if unknown:  # a misspelt label must not make `lacks` pass
        observed["unknown_secrets"] = list(unknown)
        return Check(False, expected, observed, names)
    met = bool(files) == p.present
    met = met and all(h in found for h in p.holds) and not any(x in found for x in p.lacks)
    if p.encrypted is not None:
        observed["encrypted"] = [f.encrypted for f in files]
        met = met and all(f.encrypted is p.encrypted for f in files)
    return Check(met, expected, observed, names)


# --- tls: what the handshake showed a passive observer -------------------------------------------

# No key-exchange group here: the capture analysis lacks it (the internals workload asks openssl s_client).
TlsField = Literal["version", "cipher", "sni", "server-cert-visible", "client-cert-visible"]


@dataclass(frozen=True)
class Tls:
    field: TlsField
    port: Literal["plaintext", "tls"] = "tls"
    equals: str | None = None
    matches: str | None = None
    visible: bool | None = None  # for the *-visible fields

    def __post_init__(self) -> None:
        _check_regex(self.matches, "matches")
        is_flag = self.field.endswith("-visible")
        if is_flag != (self.visible is not None) or (is_flag and (self.equals or self.matches)):
            raise ValueError("visible = true|false for the *-visible fields, equals/matches for the others")
        if not is_flag and self.equals is None and self.matches is None:
            raise ValueError(f"equals or matches for field {self.field!r}")


def tls(p: Tls, ev: CaseEvidence) -> Check:
    if p.visible is not None:
        who = p.field.removesuffix("-cert-visible")
        expected = f"{who} certificate {'visible' if p.visible else 'hidden'} to a passive observer"
    else:
        expected = f"{p.field} " + (f"= {p.equals}" if p.equals is not None else f"~ /{p.matches}/")
    port = ev.ports.get(p.port)
    streams = [s for s in ev.capture.streams if s.server_port == port] if ev.capture else []
    tls_streams = [s for s in streams if s.transport == "tls"]
    if not tls_streams:
        return Check(False, expected, f"no TLS stream to the {p.port} port in the capture")
    attr = {"version": "tls_version"}.get(p.field, p.field.replace("-", "_"))
    values: list[Any] = sorted({getattr(s, attr) for s in tls_streams}, key=str)
    if p.visible is not None:
        # Said in the expectation's words: a bare yes/no next to "hidden" reads backwards.
        shown = ["visible" if v else "hidden" for v in values]
        return Check(values == [p.visible], expected, shown[0] if len(shown) == 1 else shown)
    met = all(
        v == p.equals if p.equals is not None else _search(p.matches, v) and v is not None for v in values
    )
    return Check(met, expected, values[0] if len(values) == 1 else values)


# --- observation: a value the workload measured ---------------------------------------------------


@dataclass(frozen=True)
class Observation:
    key: str  # dotted path into the workload's observations
    equals: str | int | float | bool | None = None
    at_least: float | None = None
    at_most: float | None = None
    matches: str | None = None
    is_nil: bool | None = None  # the value is (or is not) nil / absent
    count: int | None = None  # the value is a list or table of exactly this many entries

    def __post_init__(self) -> None:
        _check_regex(self.matches, "matches")
        given = [self.equals, self.at_least, self.at_most, self.matches, self.is_nil, self.count]
        if all(v is None for v in given):
            raise ValueError("at least one of equals, at-least, at-most, matches, is-nil, count")

    @property
    def observation_key(self) -> str:
        """The loader checks this against the fields the case's workload and attacker declare."""
        return self.key


_MISSING = object()


def _lookup(data: Mapping[str, Json], key: str) -> object:
    value: object = data
    for part in key.split("."):
        if not isinstance(value, dict | MappingProxyType) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _equal(value: object, number: float | None, wanted: str | int | float | bool) -> bool:
    if isinstance(wanted, bool) or isinstance(value, bool):
        return value is wanted
    if isinstance(wanted, int | float):
        return number == wanted
    return value == wanted


def _matches_any(pattern: str, value: object) -> bool:
    """A string matches the pattern; a list matches when one of its strings does."""
    items = value if isinstance(value, list | tuple) else [value]
    return any(isinstance(v, str) and _search(pattern, v) for v in items)


def observation(p: Observation, ev: CaseEvidence) -> Check:
    parts = [
        f"= {p.equals!r}" if p.equals is not None else "",
        f">= {p.at_least:g}" if p.at_least is not None else "",
        f"<= {p.at_most:g}" if p.at_most is not None else "",
        f"~ /{p.matches}/" if p.matches is not None else "",
        ("is nil" if p.is_nil else "is not nil") if p.is_nil is not None else "",
        f"has {p.count} entries" if p.count is not None else "",
    ]
    expected = f"{p.key} " + " and ".join(x for x in parts if x)
    value = _lookup(ev.observations, p.key)
    if value is _MISSING:
        return Check(
            bool(p.is_nil) and p.equals is None and p.at_least is None and p.at_most is None
            and p.count is None,
            expected,
            f"{p.key} was not observed",
        )
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    met = (
        (p.equals is None or _equal(value, number, p.equals))
        and (p.at_least is None or (number is not None and number >= p.at_least))
        and (p.at_most is None or (number is not None and number <= p.at_most))
        and (p.matches is None or _matches_any(p.matches, value))
        and (p.is_nil is None or (value is None) == p.is_nil)
        and (p.count is None or (isinstance(value, list | tuple | dict) and len(value) == p.count))
    )
    return Check(met, expected, value)  # type: ignore[arg-type]


# --- finding: an analysis check that fired (or did not) ------------------------------------------


CHECK_IDS: tuple[str, ...] = tuple(sorted(m.ID for m in CHECKS))


@dataclass(frozen=True)
class Finding:
    check: str  # the id of one of the capture analysis's checks
    present: bool = True

    def __post_init__(self) -> None:
        if self.check not in CHECK_IDS:
            raise FieldError("check", f"the id of an analysis check ({choices(CHECK_IDS)})", self.check)


def finding(p: Finding, ev: CaseEvidence) -> Check:
    expected = f"finding {p.check} {'reported' if p.present else 'not reported'}"
    if ev.capture is None:
        return Check(False, expected, "no capture was made")
    hits = [f for f in ev.capture.findings if f.get("check") == p.check]
    observed: Json = [str(f.get("title", p.check)) for f in hits]
    return Check(bool(hits) == p.present, expected, observed)


@dataclass(frozen=True)
class Kind:
    params: type
    evaluate: Callable[[Any, CaseEvidence], Check]


# One line per kind. The attacks helper adds its kinds here.
EXPECTATIONS: Mapping[str, Kind] = MappingProxyType(
    {
        "client": Kind(ClientOutcome, client_outcome),
        "server-log": Kind(ServerLog, server_log),
        "target-start": Kind(TargetStart, target_start),
        "secret-in-clear": Kind(SecretInClear, secret_in_clear),
        "secret-with-keylog": Kind(SecretWithKeylog, secret_with_keylog),
        "at-rest": Kind(AtRest, at_rest),
        "disk-file": Kind(DiskFileCheck, disk_file),
        "tls": Kind(Tls, tls),
        "observation": Kind(Observation, observation),
        "finding": Kind(Finding, finding),
    }
)


def evaluate(kind: str, params: object, ev: CaseEvidence) -> Check:
    return EXPECTATIONS[kind].evaluate(params, ev)
