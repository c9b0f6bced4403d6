"""What the pages show, computed from a scenario's result JSON: rows of the verdict table, per-case evidence.

Pure functions over the JSON the engine wrote; the only file reads are artefacts the run left behind
(the generated redis.conf of a case). Figures are copied by figures.py.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JsonDict = dict[str, Any]
INDEX_TEXT = 100  # characters of an expected/observed value in the index (the page has more)
SHOWN_RECORDS = 24


def _words(value: Any) -> str:
    """JSON as a person reads it: `frames: 4, 17 · ports: 55537` rather than braces and quotes."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_words(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return " · ".join(f"{k.replace('_', ' ')}: {_words(v)}" for k, v in value.items()) or "none"
    return str(value)


def short(value: Any, limit: int = 140, keep: str | None = None) -> str:
    """One line of a JSON value for a table cell, cut at `limit` characters. `keep` is a regex (the one an
    expectation matched): the cut is placed around its first match, so the point of the line survives."""
    text = " ".join(_words(value).split())
    if len(text) <= limit:
        return text
    hit = _search(keep, text)
    if hit is None or hit[1] <= limit - 1:
        return text[: limit - 1] + "…"
    start, end = hit
    room = max(limit - 2 - (end - start), 0)
    lo = max(start - room // 2, 0)
    hi = min(max(end, lo + limit - 2), len(text))
    return "…" + text[lo:hi] + ("…" if hi < len(text) else "")


_PATTERN = re.compile(r"/(.+?)/")


def _search(pattern: str | None, text: str) -> tuple[int, int] | None:
    try:
        m = re.search(pattern, text) if pattern else None
    except re.error:
        return None
    return (m.start(), m.end()) if m else None


def pattern_of(expected: Any) -> str | None:
    """The regex an expectation quotes (`log has line /wrong version number/`), if any."""
    m = _PATTERN.search(expected) if isinstance(expected, str) else None
    return m.group(1) if m else None


@dataclass(frozen=True)
class CheckRow:
    case: str
    kind: str
    expected: str
    observed: str
    met: bool
    evidence: tuple[str, ...]
    target: str | None = None  # judged on this target only


@dataclass(frozen=True)
class Links:
    page: str
    markdown: str
    json: str
    captures: tuple[tuple[str, str], ...]  # (label, relative href)


@dataclass(frozen=True)
class VerdictRow:
    name: str
    title: str
    claim_kind: str
    claim: str
    verdict: str
    duration_s: float
    checks: tuple[CheckRow, ...]  # the first few, for the index
    more: int
    error: str | None
    links: Links


def checks(scenario: JsonDict, limit: int = 140, key: str = "expectations") -> tuple[CheckRow, ...]:
    """The rows of the judged expectations; key="not_judged": those for the other target (no verdict)."""
    return tuple(
        CheckRow(
            case=e.get("case", ""),
            kind=e.get("kind", ""),
            expected=short(e.get("expected"), limit),
            observed=short(e.get("observed"), limit, pattern_of(e.get("expected"))),
            met=bool(e.get("met")),
            evidence=tuple(str(x) for x in e.get("evidence", ())),
            target=e.get("target"),
        )
        for e in scenario.get(key, ())
    )


def _first_shown(rows: tuple[CheckRow, ...]) -> tuple[CheckRow, ...]:
    """Every expectation, unmet first (that is what a reader must see), then the rest in file order."""
    return tuple(r for r in rows if not r.met) + tuple(r for r in rows if r.met)


def relative(target: str | Path, start: Path) -> str:
    return Path(os.path.relpath(Path(target), start)).as_posix()


def links(scenario: JsonDict, reports_dir: Path) -> Links:
    name = scenario["name"]
    caps: list[tuple[str, str]] = []
    for case in scenario.get("cases", ()):
        cap = case.get("capture")
        if not cap:
            continue
        single = sum(not c.get("fix") for c in scenario["cases"]) == 1  # the fix case is extra evidence
        label = "pcapng" if single and not case.get("fix") else f"{case['name']}.pcapng"
        caps.append((label, relative(cap["pcap"], reports_dir)))
        if cap.get("keylog"):
            caps.append(("key log", relative(cap["keylog"], reports_dir)))
    return Links(f"{name}.html", f"{name}.md", f"{name}.json", tuple(caps))


def verdict_row(scenario: JsonDict, reports_dir: Path) -> VerdictRow:
    rows = checks(scenario, INDEX_TEXT)
    shown = _first_shown(rows)
    claim = scenario.get("claim") or {}
    return VerdictRow(
        name=scenario["name"],
        title=str(scenario.get("title") or scenario["name"]),
        claim_kind=claim.get("kind", ""),
        claim=claim.get("text", ""),
        verdict=scenario.get("verdict", "error"),
        duration_s=float(scenario.get("duration_s", 0.0)),
        checks=shown,
        more=len(rows) - len(shown),
        error=scenario.get("error"),
        links=links(scenario, reports_dir),
    )


# --- one case, as the scenario page shows it -----------------------------------------------------


@dataclass(frozen=True)
class LogLine:
    text: str
    cited: bool  # an expectation quotes it


@dataclass(frozen=True)
class CaseView:
    name: str
    started: bool
    start_error: str | None
    error: str | None
    ports: tuple[tuple[str, int], ...]
    clients: tuple[JsonDict, ...]
    config: tuple[str, ...]  # the redis.conf the server ran with (TLS and port lines)
    capture: JsonDict | None
    streams: tuple[JsonDict, ...]
    findings: tuple[JsonDict, ...]
    exposures: tuple[JsonDict, ...]  # secrets readable without any key: they have frames
    keylog_only: tuple[JsonDict, ...]  # secrets readable only with the key log (no frame in clear)
    at_rest: tuple[JsonDict, ...]
    disk: tuple[JsonDict, ...]  # every file the server left: kind, mode, readers, secrets, key encryption
    attacker: JsonDict | None
    attacker_ports: tuple[int, ...]  # where the clients really connected: capture streams to no server port
    refused: tuple[str, ...]  # names of the clients that did not connect
    role_streams: tuple[JsonDict, ...]  # a lab network's streams named by host role (segment, label, ...)
    observations: str  # pretty JSON of the rest
    log: tuple[LogLine, ...]


_CONF_KEEP = re.compile(r"^(port|tls-|requirepass|appendonly|appendfsync|user )")


def config_lines(workdir: str | None) -> tuple[str, ...]:
    """The lines of the generated redis.conf that set ports, TLS, auth and persistence."""
    if not workdir:
        return ()
    path = Path(workdir) / "redis.conf"
    try:
        text = path.read_text("utf-8")
    except OSError:
        return ()
    lines = (line.strip() for line in text.splitlines())
    keep = [line for line in lines if _CONF_KEEP.match(line)]
    return tuple(_tidy(line) for line in keep)


def masked(secret: str) -> str:
    """A secret as a page shows it: its first two characters, the rest as dots of the same length."""
    return secret[:2] + "•" * max(len(secret) - 2, 1) if len(secret) > 3 else "•" * len(secret)


def _tidy(line: str) -> str:
    """Mask passwords (reports carry labels, not secrets) and shorten the run's absolute paths."""
    line = re.sub(r"^(requirepass\s+)(?!\"\"$)\S+", r"\1•••", line)  # `requirepass ""`: no password
    line = re.sub(r">\S+", ">•••", line)
    return re.sub(r"/\S+/([^/\s]+/[^/\s]+)", r"…/\1", line)


def _cited(scenario: JsonDict, case: str) -> set[str]:
    out: set[str] = set()
    for e in scenario.get("expectations", ()):
        if e.get("case") == case and e.get("kind") == "server-log":
            out.update(str(x) for x in e.get("evidence", ()))
            if isinstance(e.get("observed"), str):
                out.add(e["observed"])
    return out


def stream_label(port: int, server_ports: set[int], mitm: bool) -> str:
    """Which hop a stream is: with an attacker in the path, clients dial it and it dials the server."""
    if not mitm:
        return f"client ↔ server (port {port})"
    if port in server_ports:
        return f"attacker ↔ server (port {port})"
    return f"client ↔ attacker (the attacker listens on port {port})"


# Observation keys holding a lab network's streams (workloads.netlab), and the segment each names.
ROLE_STREAM_KEYS = {"streams": "", "front_streams": "front", "back_streams": "back"}


def role_streams(observations: dict[str, Any]) -> tuple[JsonDict, ...]:
    """Pop the role-named stream lists out of the observations: one row per stream, with its segment."""
    rows: list[JsonDict] = []
    for key, segment in ROLE_STREAM_KEYS.items():
        value = observations.get(key)
        if isinstance(value, list) and value and all(isinstance(v, dict) and "label" in v for v in value):
            del observations[key]
            rows += [{**v, "segment": segment} for v in value]
    return tuple(rows)


DISK_KINDS = ("disk-file", "at-rest")


def about_disk(scenario: JsonDict) -> bool:
    """The page lists the server's files when the scenario judges them (every case has a redis.conf)."""
    rows = (*scenario.get("expectations", ()), *scenario.get("not_judged", ()))
    return any(e.get("kind") in DISK_KINDS for e in rows)


def case_view(scenario: JsonDict, case: JsonDict) -> CaseView:
    observations = dict(case.get("observations") or {})
    named = role_streams(observations)
    attacker = observations.pop("attacker", None)
    observations.pop("table", None)  # the MITM matrix renders its own table
    cited = _cited(scenario, case["name"])
    capture = case.get("capture") or None
    server_ports = {int(v) for v in (case.get("ports") or {}).values()}
    is_mitm = isinstance(attacker, dict)
    streams = tuple(
        {**s, "record_sizes": s.get("record_sizes", [])[:SHOWN_RECORDS],
         "more_records": max(0, len(s.get("record_sizes", [])) - SHOWN_RECORDS),
         "label": stream_label(int(s.get("server_port", 0)), server_ports, is_mitm)}
        for s in (capture or {}).get("streams", ())
    )
    attacker_ports = tuple(sorted({int(s["server_port"]) for s in (capture or {}).get("streams", ())
                                   if is_mitm and int(s.get("server_port", 0)) not in server_ports}))
    return CaseView(
        name=case["name"],
        started=bool(case.get("started")),
        start_error=case.get("start_error"),
        error=case.get("error"),
        ports=tuple((k, int(v)) for k, v in (case.get("ports") or {}).items()),
        clients=tuple(case.get("clients", ())),
        config=config_lines(case.get("workdir")),
        capture=capture,
        streams=streams,
        findings=tuple((capture or {}).get("findings", ())),
        exposures=tuple(x for x in (capture or {}).get("exposures", ()) if x.get("frames")),
        keylog_only=tuple(x for x in (capture or {}).get("exposures", ())
                          if not x.get("frames") and x.get("decrypted_frames")),
        at_rest=tuple(case.get("at_rest", ())),
        disk=tuple(case.get("disk", ())) if about_disk(scenario) else (),
        attacker=attacker if isinstance(attacker, dict) else None,
        attacker_ports=attacker_ports,
        refused=tuple(str(c.get("name")) for c in case.get("clients", ()) if not c.get("connected")),
        role_streams=named,
        observations=json.dumps(observations, indent=2, ensure_ascii=False) if observations else "",
        log=tuple(LogLine(line, line in cited) for line in case.get("log_tail", ())),
    )
