"""The summary's sections on where TLS's cost goes: the crypto floor against the measured total per
request and per handshake, the server's handshake capacity per core, and the handshake storm.

Every number comes from the BenchReport fields (floor, attribution, capacity, storm)."""

from __future__ import annotations

from collections.abc import Sequence

from lab.bench.results import BenchReport, StormLimit, SyscallTrace

KEY_NAMES = {"ecdsa-p256": "ECDSA P-256", "rsa-2048": "RSA-2048", "rsa-4096": "RSA-4096"}
KEY_ORDER = {k: i for i, k in enumerate(KEY_NAMES)}


def _f(v: float | None, digits: int = 0) -> str:
    return "-" if v is None else f"{v:,.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return [*out, *("| " + " | ".join(r) + " |" for r in rows), ""]


def _calls(pair: tuple[float, float] | None) -> str:
    return "-" if pair is None else f"{pair[0]:.2f} / {pair[1]:.2f}"


def _traced(t: SyscallTrace | None) -> str:
    if t is None or t.all_per_request is None:
        return "-"
    return f"{_f(t.reads_per_request, 2)} / {_f(t.writes_per_request, 2)} / {_f(t.all_per_request, 2)}"


def trace_lines(report: BenchReport) -> list[str]:
    """Each strace-counted cell: its source, the most frequent calls per request, or why not counted."""
    traces = [t for a in report.attribution for t in (a.plain_trace, a.tls_trace) if t is not None]
    seen, out = set(), []
    for t in sorted(traces, key=lambda t: t.cell):
        if t.cell in seen:
            continue
        seen.add(t.cell)
        if t.error is not None:
            out.append(f"- {t.cell.target} {t.cell.transport} P{t.cell.pipeline}: not counted ({t.error})")
            continue
        top = ", ".join(f"{name} {n:.2f}" for name, n in t.top())
        out.append(
            f"- {t.cell.target} {t.cell.transport} P{t.cell.pipeline} {t.cell.value_size} B "
            f"(`{t.source}`, {t.requests:,} requests): {_f(t.all_per_request, 2)} syscalls per request; {top}"
        )
    return [*out, ""] if out else []


def floor_lines(report: BenchReport) -> list[str]:
    f = report.floor
    if f is None:
        return []
    out = ["## The crypto floor on this host (measured in this run)", ""]
    out += [f"`{c}` ({f.openssl}):" for c in f.commands] + [""]
    for a in f.aead:
        sizes = ", ".join(f"{s:,} B {r / 1e6:,.0f} MB/s" for s, r in zip(a.sizes, a.bytes_per_s, strict=True))
        out.append(f"- {a.cipher} ({a.evp}): {sizes}")
    for s in f.sign:
        out.append(f"- {s.key_type}: {s.signs_per_s:,.0f} signs/s ({1e6 / s.signs_per_s:,.1f} µs each)")
    if f.x25519_per_s:
        out.append(f"- X25519: {f.x25519_per_s:,.0f} ops/s ({1e6 / f.x25519_per_s:,.1f} µs each)")
    if f.error:
        out.append(f"- not measured: {f.error}")
    negotiated = "; ".join(f"{k}: {v}" for k, v in report.ciphers)
    return [*out, "", f"Negotiated (one real handshake per target and version): {negotiated or 'none'}.", ""]


def attribution_lines(report: BenchReport) -> list[str]:
    if not report.attribution:
        return []
    rows = []
    for a in sorted(report.attribution, key=lambda a: a.tls_cell):
        c = a.tls_cell
        rows.append(
            [
                c.target,
                f"{c.transport} P{c.pipeline} {c.value_size} B"
                + ("" if c.appendfsync == "off" else f" fsync {c.appendfsync}"),
                _f(a.plain_cpu_us, 2),
                _f(a.tls_cpu_us, 2),
                _f(a.extra_cpu_us, 2),
                _f(a.floor_us, 3),
                _f(a.rest_us, 2),
                _calls(a.plain_syscalls),
                _calls(a.tls_syscalls),
                _traced(a.plain_trace),
                _traced(a.tls_trace),
            ]
        )
    return [
        "## Where the cost goes, per request",
        "",
        "Server CPU per request (µs, medians), plaintext and TLS, from /proc/<pid>/stat over the window. "
        "The floor is the AEAD work the server must do per request (open the batch's record, seal the "
        "reply's, over the pipeline depth) at this run's `openssl speed` rates for the negotiated cipher; "
        "the rest is TLS's record layer, OpenSSL's state machine, buffers and the event loop. Syscalls are "
        "the server's read / write calls per request (/proc/<pid>/io syscr / syscw) over the measured runs; "
        "where strace was available, two short extra runs of the cell under `strace -c -f -p <pid>` counted "
        "them by name, and the longer run's calls less the shorter one's, per extra request, leave out the "
        "connections' set-up (reads / writes / all syscalls per request; a traced run's rate means nothing, "
        "its counts do). A negative extra is noise larger than the difference.",
        "",
        *_table(
            [
                "target",
                "cell",
                "plain µs",
                "TLS µs",
                "extra µs",
                "AEAD floor µs",
                "rest µs",
                "plain reads/writes (io)",
                "TLS reads/writes (io)",
                "plain strace r/w/all",
                "TLS strace r/w/all",
            ],
            rows,
        ),
        *trace_lines(report),
    ]


def capacity_lines(report: BenchReport) -> list[str]:
    if not report.capacity:
        return []
    rows = []
    for h in report.capacity:
        rate = h.connections_per_s
        rows.append(
            [
                h.target,
                h.key_type if h.transport != "plain" else "-",
                h.transport,
                h.resumption,
                "-" if rate is None else f"{rate.median:,.0f} ({rate.low:,.0f}-{rate.high:,.0f})",
                _f(h.server_cpu_us),
                _f(h.floor_us),
                _f(h.capacity_per_core),
                _f(h.resumed_fraction and h.resumed_fraction * 100),
                _f(h.server_busy and h.server_busy * 100),
                _f(h.client_busy and h.client_busy * 100),
                str(h.clients),
                ("client" if h.client_bound else "server") if h.measured else "not measured",
            ]
        )
    bound = sum(h.client_bound for h in report.capacity)
    unresumed = [
        f"{h.target} {h.key_type} {h.transport} {h.resumption} ({h.resumed_fraction:.0%} resumed)"
        for h in report.capacity
        if h.resumption in ("ticket", "session-id")
        and h.resumed_fraction is not None
        and h.resumed_fraction < 0.5
    ]
    said = []
    missing = [h for h in report.capacity if not h.measured]
    if missing:
        errors = sorted({r.first_error for h in missing for r in h.runs if r.first_error})
        said += [
            "Not measured (no connection completed inside a window; "
            + ("; ".join(errors) if errors else "no errors: the handshakes outlasted it")
            + "): "
            + "; ".join(f"{h.target} {h.key_type} {h.transport} {h.resumption}" for h in missing)
            + ".",
            "",
        ]
    if unresumed:
        said += [
            "Offered a session but mostly not resumed, so these rows are full handshakes: "
            + "; ".join(unresumed)
            + ".",
            "",
        ]
    said += session_id_lines(report)
    return [
        "## Handshake capacity per server core",
        "",
        "`clients` clients, each opening a new connection per request (handshake, one SET or GET, close). "
        "Server CPU is per connection; capacity per core = 1e6 / that CPU: what one core of the server "
        "could accept if the clients kept up. The floor is the handshake's asymmetric crypto (one "
        "signature with the certificate key + two X25519 operations; resumed TLS 1.3 keeps the key "
        "exchange, resumed TLS 1.2 has none). session-id: the client closes each connection, as redis-py "
        "and hiredis do; session-id-quit: it sends QUIT and the server closes. `limit` = client where the "
        "server used under 85% of its core: the measured rate is the lab's Python client's (its CPU, or its "
        "share of this host's), not the server's, and the capacity per core is computed from the server's "
        f"CPU per connection ({bound} of {len(report.capacity)} rows).",
        "",
        *_table(
            [
                "target",
                "key",
                "transport",
                "resumption",
                "conn/s measured (range)",
                "server CPU µs/conn",
                "crypto floor µs",
                "capacity/core conn/s",
                "resumed %",
                "server busy %",
                "client busy %",
                "clients",
                "limit",
            ],
            rows,
        ),
        *said,
    ]


def session_id_lines(report: BenchReport) -> list[str]:
    """The session-id probe per target: resumed offers per close order, and what that means."""
    out = [
        f"- **{p.target}**: TLS 1.2 session id, no tickets, {p.offers} offers each: "
        f"{p.resumed_client_closes} resumed when the client closed, {p.resumed_server_closes} when the "
        f"server closed (QUIT) — {p.explanation}." + (f" ({p.error})" if p.error else "")
        for p in report.session_ids
    ]
    if not out:
        return []
    head = "Who closes decides TLS 1.2 session-id resumption (a probe of sequential connections):"
    return [head, "", *out, ""]


def storm_lines(report: BenchReport) -> list[str]:
    if not report.storm:
        return []
    rows = [
        [
            p.target,
            _f(p.rate_asked),
            _f(p.rate_achieved),
            str(p.handshake_errors),
            _f(p.p50_us),
            _f(p.p99_us),
            _f(p.p999_us),
            _f(p.established.ops_per_s),
            _f(p.arrival_busy and p.arrival_busy * 100),
            _f(p.established.server_busy and p.established.server_busy * 100),
            "-" if p.limit is StormLimit.REACHED else f"{p.limit.value}-bound",
        ]
        for p in report.storm
    ]
    short = [
        f"{p.target} at {p.rate_asked:,.0f}/s (got {p.rate_achieved:,.0f}, {p.limit.value}-bound)"
        for p in report.storm
        if p.limit is not StormLimit.REACHED
    ]
    said = []
    if short:
        said = [
            "The arrival process fell short of its schedule, so read these points at their achieved rate "
            "(client-bound: the server had CPU to spare, the lab's arrival process shares the host's CPUs; "
            "server-bound: the server was at its core's limit): " + "; ".join(short) + ".",
            "",
        ]
    return [
        "## Handshake storm",
        "",
        "10 established TLS 1.3 clients (pipeline 1, 16 B SET/GET) while new TLS 1.3 connections arrive "
        "on a fixed schedule; latency of the established clients' requests, µs. The connection storm "
        "Redis users report: https://github.com/redis/redis/issues/10524",
        "",
        *_table(
            [
                "target",
                "new conn/s asked",
                "achieved",
                "handshake errors",
                "p50 µs",
                "p99 µs",
                "p99.9 µs",
                "established ops/s",
                "arrival CPU %",
                "server busy %",
                "short of target",
            ],
            rows,
        ),
        *said,
    ]


def headline_lines(report: BenchReport) -> list[str]:
    """Per target: the floor and the total per request (base cell) and per handshake, and capacity."""
    out = []
    for target in report.targets:
        base = next(
            (
                a
                for a in report.attribution
                if a.tls_cell.target == target
                and a.tls_cell.transport == "tls1.3"
                and a.tls_cell.pipeline == 1
                and a.tls_cell.value_size == 16
                and a.tls_cell.appendfsync == "off"
            ),
            None,
        )
        full = {
            h.key_type: h
            for h in report.capacity
            if h.target == target and h.transport == "tls1.3" and h.resumption == "full"
        }
        ticket = next(
            (
                h
                for h in report.capacity
                if h.target == target and h.transport == "tls1.3" and h.resumption == "ticket"
            ),
            None,
        )
        parts = []
        if base is not None:
            parts.append(
                f"TLS 1.3 adds {_f(base.extra_cpu_us, 1)} µs of server CPU per request at pipeline 1 "
                f"({_f(base.plain_cpu_us, 1)} → {_f(base.tls_cpu_us, 1)} µs), of which the AEAD floor is "
                f"{_f(base.floor_us, 2)} µs"
            )
        for key, h in sorted(full.items(), key=lambda kv: KEY_ORDER.get(kv[0], 9)):
            if not h.measured:
                parts.append(f"a full TLS 1.3 handshake ({KEY_NAMES.get(key, key)}) was not measured")
                continue
            bound = " (computed: the client was the limit)" if h.client_bound else ""
            parts.append(
                f"a full TLS 1.3 handshake ({KEY_NAMES.get(key, key)}) costs it {_f(h.server_cpu_us)} µs per "
                f"connection against a crypto floor of {_f(h.floor_us)} µs: "
                f"{_f(h.capacity_per_core)} handshakes/s per core{bound}"
            )
        if ticket is not None:
            bound = " (computed: the client was the limit)" if ticket.client_bound else ""
            parts.append(
                f"a resumed one (ticket) {_f(ticket.server_cpu_us)} µs against {_f(ticket.floor_us)} µs: "
                f"{_f(ticket.capacity_per_core)}/s per core{bound}"
            )
        if parts:
            out.append(f"- **{target}**: " + "; ".join(parts) + ".")
    return [*out, ""] if out else []
