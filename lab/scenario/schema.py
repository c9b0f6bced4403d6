"""What a scenario file may say: frozen dataclasses, and the parser from a TOML document to a `Scenario`.

A file describes one *base* case (`[target]`, `[clients.NAME]`, `[workload]`, `[attacker]`, `capture`) and,
optionally, `[[case]]` entries that override parts of it (e.g. the same workload under TLS 1.3 and TLS 1.2).
Expectations name the cases they judge (all cases when `cases` is absent). Workload, attacker and expectation
parameters are validated against the parameter dataclass their registry declares, so every key in a file
is checked before anything is started.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lab.clients.model import Posture
from lab.errors import UserError
from lab.pki import Defect
from lab.scenario.strict import FieldError, SchemaError, build, choices, convert
from lab.targets.spec import KINDS, TargetKind, TargetSpec

TlsVersion = Literal["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
ClaimKind = Literal["myth", "pitfall", "promise"]
DEFAULT_CASE = "main"


# What the TLS port serves: the lab's valid cert, none at all (tls-port without cert/key), or a named defect.
CertChoice = Defect | Literal["valid", "none"]
_CERT_KEY = "server-cert"


def _target(table: Mapping[str, object], file: Path, key: str) -> tuple[TargetSpec, CertChoice]:
    """A [target] table is a TargetSpec (the one shape of a server under test) plus `server-cert`;
    the target kind is chosen at run time (--target), never in the file."""
    rest = {k: v for k, v in table.items() if k != _CERT_KEY}
    if "kind" in rest:
        raise SchemaError(file, f"{key}.kind", "no kind key (the target is chosen at run time: --target)")
    raw = table.get(_CERT_KEY, "valid")
    names = ["valid", "none", *(d.value for d in Defect)]
    if raw not in names:
        raise SchemaError(file, f"{key}.{_CERT_KEY}", choices(names), raw)
    cert: CertChoice = raw if raw in ("valid", "none") else Defect(raw)  # type: ignore[assignment]
    try:
        return build(TargetSpec, rest, file, key), cert
    except UserError as exc:
        if isinstance(exc, SchemaError):
            raise
        raise SchemaError(file, key, str(exc)) from None


@dataclass(frozen=True)
class ClientConfig:
    """One client: library, TLS posture, which port it dials, whether it shows a client cert."""

    name: str = ""  # the key of its [clients.NAME] table, filled in by the parser
    library: Literal["redis-py", "redis-cli"] = "redis-py"
    posture: Posture = Posture.TLS_FULL
    port: Literal["plaintext", "tls"] | None = (
        None  # default: "plaintext" for the plaintext posture, else "tls"
    )
    cert: bool = False  # present the lab's client certificate (mTLS)
    auth: bool = True  # send the password: the target's requirepass, or `password`
    # for a server whose password is not in its redis.conf (an ACL user with the password's hash)
    password: str | None = None
    tls_min: TlsVersion | None = None
    tls_max: TlsVersion | None = None

    def __post_init__(self) -> None:
        if self.password is not None and not self.auth:
            raise FieldError("password", "no password with auth = false (it would never be sent)")

    @property
    def dials(self) -> Literal["plaintext", "tls"]:
        if self.port is not None:
            return self.port
        return "plaintext" if self.posture == "plaintext" else "tls"


@dataclass(frozen=True)
class Claim:
    kind: ClaimKind  # a myth it busts, a pitfall it shows, or a promise it checks
    text: str


FIX_CASE = "fix"


@dataclass(frozen=True)
class Remediation:
    """What to change. Unless it is advice, the lab runs it: a fix case (the scenario's base case with the
    fix applied) judged by the fix's own expectations, so the result says whether the fix held."""

    summary: str
    config: tuple[str, ...] = ()  # redis.conf lines, each one real redis-server 7.0 accepts as written
    client: str = ""  # client code that does it right
    advice: bool = False  # true: a change the lab cannot run (an encrypted volume, application design)


_ACL_HASH = re.compile(r"[#!][0-9a-fA-F]{64}")  # an ACL rule: add / remove a password by its SHA-256


def _has_comment(line: str) -> bool:
    """A word outside quotes starting with `#` (other than an ACL password hash on a `user` line): redis.conf
    has no trailing comments, the server reads them as arguments and refuses to start."""
    words: list[str] = []
    word, quote = "", ""
    for c in line + " ":
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c.isspace():
            words, word = [*words, word] if word else words, ""
            continue
        word += c
    is_user = bool(words) and words[0].lower() == "user"
    return any(w.startswith("#") and not (is_user and _ACL_HASH.fullmatch(w)) for w in words[1:])


@dataclass(frozen=True)
class _FixTable:
    """[remediation.fix]: overrides on a case of the file (the first, unless `base` names one)."""

    expect: tuple[dict[str, object], ...]
    base: str | None = None
    target: dict[str, object] = dataclasses.field(default_factory=dict)
    clients: dict[str, dict[str, object]] = dataclasses.field(default_factory=dict)
    workload: dict[str, object] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class _RemediationTable:
    summary: str
    config: tuple[str, ...] = ()
    client: str = ""
    advice: bool = False
    fix: _FixTable | None = None

    def __post_init__(self) -> None:
        for i, line in enumerate(self.config):
            if _has_comment(line):
                raise FieldError(f"config[{i}]", "a redis.conf line without a trailing comment "
                                 "(redis.conf has none: the server refuses to start)", line)


@dataclass(frozen=True)
class Step:
    """A reference to a registered workload or attacker with its validated parameter dataclass."""

    name: str
    params: object


@dataclass(frozen=True)
class Case:
    name: str
    target: TargetSpec  # its kind is a placeholder until the session runs it on the chosen target
    server_cert: CertChoice
    clients: tuple[ClientConfig, ...]
    workload: Step
    attacker: Step | None
    capture: bool
    fix: bool = False  # the case the runner adds to prove the remediation

    def client(self, name: str) -> ClientConfig:
        for c in self.clients:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class Expectation:
    kind: str
    cases: tuple[str, ...]
    params: object
    # judged only on this target (a fact about one server, e.g. an RDB the bundled server never writes);
    # on the other target it is shown as not judged, never as met
    target: TargetKind | None = None

    def judged_on(self, kind: str) -> bool:
        return self.target is None or self.target == kind


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    claim: Claim
    story: str  # two or three sentences a trainer reads out
    tags: tuple[str, ...]
    order: int
    timeout_s: float
    cases: tuple[Case, ...]
    expect: tuple[Expectation, ...]
    remediation: Remediation
    path: str

    @property
    def fix_case(self) -> Case | None:
        return next((c for c in self.cases if c.fix), None)


@dataclass(frozen=True)
class _Header:
    """The top-level keys of a scenario file (structure checked here, tables parsed below)."""

    name: str
    title: str
    claim: Claim
    story: str
    workload: dict[str, object]
    remediation: _RemediationTable
    expect: tuple[dict[str, object], ...]
    tags: tuple[str, ...] = ()
    order: int = 100  # place in the catalogue: the story order a trainer follows (then by name)
    timeout: float = 60.0
    capture: bool = True
    target: dict[str, object] = dataclasses.field(default_factory=dict)
    clients: dict[str, dict[str, object]] = dataclasses.field(default_factory=dict)
    attacker: dict[str, object] | None = None
    case: tuple[dict[str, object], ...] = ()


@dataclass(frozen=True)
class _CaseTable:
    name: str
    target: dict[str, object] = dataclasses.field(default_factory=dict)
    clients: dict[str, dict[str, object]] = dataclasses.field(default_factory=dict)
    workload: dict[str, object] = dataclasses.field(default_factory=dict)
    attacker: dict[str, object] | None = None
    capture: bool | None = None


@dataclass(frozen=True)
class Registries:
    """Parameter dataclasses by name, as the workload, attacker and expectation registries declare them."""

    workloads: Mapping[str, type]
    attackers: Mapping[str, type]
    expectations: Mapping[str, type]
    # the observation fields each workload / attacker declares (what `observation` keys may name)
    workload_observes: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    attacker_observes: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


def _step(table: Mapping[str, object], registry: Mapping[str, type], what: str, file: Path, key: str) -> Step:
    name = table.get("name")
    if not isinstance(name, str) or name not in registry:
        known = ", ".join(sorted(registry)) or "none registered yet"
        raise SchemaError(file, f"{key}.name", f"the name of a registered {what} ({known})", name)
    params = {k: v for k, v in table.items() if k != "name"}
    return Step(name, build(registry[name], params, file, key))


def _clients(
    base: Mapping[str, Mapping[str, object]],
    override: Mapping[str, Mapping[str, object]],
    file: Path,
    key: str,
) -> tuple[ClientConfig, ...]:
    out = []
    for name in dict.fromkeys([*base, *override]):
        table = {**base.get(name, {}), **override.get(name, {})}
        where = f"{key}.{name}" if name in override else f"clients.{name}"
        if "name" in table:
            raise SchemaError(
                file, f"{where}.name", "no name key (the table's own name is the client's name)"
            )
        out.append(dataclasses.replace(build(ClientConfig, table, file, where), name=name))
    return tuple(out)


def _case(header: _Header, over: _CaseTable, key: str, file: Path, reg: Registries) -> Case:
    def where(part: str, overridden: bool) -> str:
        return f"{key}.{part}" if overridden else part

    target, server_cert = _target({**header.target, **over.target}, file, where("target", bool(over.target)))
    workload = _step(
        {**header.workload, **over.workload},
        reg.workloads,
        "workload",
        file,
        where("workload", bool(over.workload)),
    )
    attacker_table = over.attacker if over.attacker is not None else header.attacker
    attacker = None
    if attacker_table is not None:
        attacker = _step(
            attacker_table, reg.attackers, "attacker", file, where("attacker", over.attacker is not None)
        )
    clients = _clients(header.clients, over.clients, file, f"{key}.clients")
    declared = [c.name for c in clients]
    for sub, name in getattr(workload.params, "clients_named", ()):  # a workload whose steps name clients
        if name not in declared:
            known = ", ".join(declared) or "none declared"
            raise SchemaError(file, f"{where('workload', bool(over.workload))}.{sub}",
                              f"the name of a declared client ({known})", name)
    capture = header.capture if over.capture is None else over.capture
    return Case(over.name, target, server_cert, clients, workload, attacker, capture)


def _observed_fields(case: Case, reg: Registries) -> tuple[str, ...]:
    """The observation keys a case can have: its workload's fields, plus attacker.<field> with an attacker."""
    own = getattr(case.workload.params, "observes", None)  # a workload whose file names its fields
    fields = own if isinstance(own, tuple) else tuple(reg.workload_observes.get(case.workload.name, ()))
    if case.attacker is not None:
        fields += tuple(f"attacker.{f}" for f in reg.attacker_observes.get(case.attacker.name, ()))
    return fields


def _check_observation_key(
    key: str, where: str, cases: tuple[Case, ...], file: Path, reg: Registries
) -> None:
    """An `observation` expectation names a field its cases' workload (or attacker) declares, or it could
    never be observed and would pass whenever it asks for nil."""
    for case in cases:
        fields = _observed_fields(case, reg)
        parts = key.split(".")
        head = ".".join(parts[:2]) if parts[0] == "attacker" else parts[0]
        if head not in fields:
            what = f"workload {case.workload.name}"
            if case.attacker is not None:
                what += f" / attacker {case.attacker.name}"
            expected = f"a field that {what} reports (one of {', '.join(fields)})"
            raise SchemaError(file, f"{where}.key", expected, key)


def _expectation(
    table: Mapping[str, object], index: int, all_cases: tuple[Case, ...], file: Path, reg: Registries,
    prefix: str = "",
) -> Expectation:
    key = f"{prefix}expect[{index}]"
    case_names = tuple(c.name for c in all_cases)
    kind = table.get("kind")
    if not isinstance(kind, str) or kind not in reg.expectations:
        raise SchemaError(
            file, f"{key}.kind", f"an expectation kind ({', '.join(sorted(reg.expectations))})", kind
        )
    cases = case_names
    if "cases" in table:
        cases = convert(tuple[str, ...], table["cases"], file, f"{key}.cases")
        for name in cases:
            if name not in case_names:
                raise SchemaError(
                    file, f"{key}.cases", f"names of this file's cases ({', '.join(case_names)})", name
                )
    target = table.get("target")
    if target is not None and target not in KINDS:
        raise SchemaError(file, f"{key}.target", f"the target it is judged on ({choices(KINDS)})", target)
    params = {k: v for k, v in table.items() if k not in ("kind", "cases", "target")}
    built: object = build(reg.expectations[kind], params, file, key)
    observed_key = getattr(built, "observation_key", None)
    if isinstance(observed_key, str) and reg.workload_observes:
        _check_observation_key(observed_key, key, tuple(c for c in all_cases if c.name in cases), file, reg)
    return Expectation(kind, cases, built, target)


def _fix(
    header: _Header, fix: _FixTable, tables: list[_CaseTable], file: Path, reg: Registries
) -> tuple[Case, tuple[Expectation, ...]]:
    """The fix case: the base case with the fix's overrides, and the fix's expectations on it alone."""
    names = [t.name for t in tables]
    if FIX_CASE in names:
        raise SchemaError(file, "case", f'case names other than "{FIX_CASE}" (the runner adds that case)')
    if fix.base is not None and fix.base not in names:
        raise SchemaError(file, "remediation.fix.base",
                          f"the name of a case of this file ({', '.join(names)})", fix.base)
    base = tables[names.index(fix.base)] if fix.base is not None else tables[0]
    clients = {n: {**base.clients.get(n, {}), **fix.clients.get(n, {})}
               for n in {**base.clients, **fix.clients}}
    over = _CaseTable(
        name=FIX_CASE,
        target={**base.target, **fix.target},
        clients=clients,
        workload={**base.workload, **fix.workload},
        attacker=base.attacker,
        capture=base.capture,
    )
    case = dataclasses.replace(_case(header, over, "remediation.fix", file, reg), fix=True)
    if not fix.expect:
        raise SchemaError(file, "remediation.fix.expect",
                          "at least one expectation that the threat is gone")
    for i, t in enumerate(fix.expect):
        if "cases" in t:
            raise SchemaError(file, f"remediation.fix.expect[{i}].cases",
                              "no cases key (it judges the fix case)")
    expect = tuple(_expectation(t, i, (case,), file, reg, "remediation.fix.")
                   for i, t in enumerate(fix.expect))
    return case, expect


def parse_scenario(doc: Mapping[str, object], file: Path, reg: Registries) -> Scenario:
    """Turn a parsed TOML document into a Scenario, or raise SchemaError naming file, key and expectation."""
    header = build(_Header, doc, file)
    if header.name != file.stem:
        raise SchemaError(file, "name", f'the file name without .toml ("{file.stem}")', header.name)
    if header.timeout <= 0:
        raise SchemaError(file, "timeout", "a positive number of seconds", header.timeout)
    tables = [build(_CaseTable, t, file, f"case[{i}]") for i, t in enumerate(header.case)]
    if not tables:
        tables = [_CaseTable(name=DEFAULT_CASE)]
    names = tuple(t.name for t in tables)
    if len(set(names)) != len(names):
        raise SchemaError(file, "case", "case names that are all different", list(names))
    cases = tuple(_case(header, t, f"case[{i}]", file, reg) for i, t in enumerate(tables))
    if not header.expect:
        raise SchemaError(file, "expect", "at least one [[expect]] entry (a scenario must be able to fail)")
    expect = tuple(_expectation(t, i, cases, file, reg) for i, t in enumerate(header.expect))
    rem = header.remediation
    if rem.advice == (rem.fix is not None):
        raise SchemaError(file, "remediation", "either a [remediation.fix] table (the lab runs the fix "
                          "and checks that the threat is gone) or advice = true (a change it cannot run), "
                          "not both")
    if rem.fix is not None:
        fix_case, fix_expect = _fix(header, rem.fix, tables, file, reg)
        cases, expect = (*cases, fix_case), (*expect, *fix_expect)
    return Scenario(
        name=header.name,
        title=header.title,
        claim=header.claim,
        story=header.story.strip(),
        tags=header.tags,
        order=header.order,
        timeout_s=header.timeout,
        cases=cases,
        expect=expect,
        remediation=Remediation(rem.summary, rem.config, rem.client, rem.advice),
        path=str(file),
    )
