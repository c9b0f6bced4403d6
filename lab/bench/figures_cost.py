"""Figures of where TLS's cost goes: stacked bars (floor vs the rest) per cell, the server's handshake
capacity per core, and the storm's p99 vs arrival rate. Each draws only what was measured."""

from __future__ import annotations

from matplotlib.figure import Figure

from lab.bench.results import BenchReport, StormLimit

FLOOR, REST, PLAIN = "#55a868", "#c44e52", "#4c72b0"


def attribution(report: BenchReport, fig: Figure) -> bool:
    """Server CPU per request: the plaintext cost, then TLS's extra split into AEAD floor and the rest."""
    rows = sorted(report.attribution, key=lambda a: a.tls_cell)
    if not rows:
        return False
    targets = [t for t in report.targets if any(a.tls_cell.target == t for a in rows)]
    axes = fig.subplots(1, len(targets), squeeze=False)[0]
    for ax, target in zip(axes, targets, strict=True):
        mine = [a for a in rows if a.tls_cell.target == target]
        xs = range(len(mine))
        plain = [a.plain_cpu_us for a in mine]
        floor = [a.floor_us or 0.0 for a in mine]
        rest = [max(0.0, a.extra_cpu_us - (a.floor_us or 0.0)) for a in mine]
        ax.bar(xs, plain, color=PLAIN, label="plaintext cost")
        ax.bar(xs, floor, bottom=plain, color=FLOOR, label="TLS: AEAD floor (openssl speed)")
        ax.bar(
            xs,
            rest,
            bottom=[p + f for p, f in zip(plain, floor, strict=True)],
            color=REST,
            label="TLS: the rest",
        )
        labels = [
            f"{a.tls_cell.transport}\nP{a.tls_cell.pipeline} {a.tls_cell.value_size}B"
            + ("" if a.tls_cell.appendfsync == "off" else f"\n{a.tls_cell.appendfsync}")
            for a in mine
        ]
        # linear: on a log axis the stacked segments' heights would not read as their shares
        ax.set_xticks(list(xs), [lab.replace("\n", " ") for lab in labels], fontsize=6, rotation=90)
        ax.set_ylabel("server CPU µs per request (median)")
        ax.set_title(target, fontsize=9)
    axes[0].legend(fontsize=7)
    fig.suptitle("Where TLS's server CPU goes: crypto floor vs the rest", fontsize=9)
    return True


def capacity(report: BenchReport, fig: Figure) -> bool:
    """Connections per second one server core could take, per key and resumption kind (hatched: the
    measured rate was the client's, the capacity is computed from the server's CPU)."""
    rows = [h for h in report.capacity if h.capacity_per_core]
    if not rows:
        return False
    ax = fig.subplots()
    labels = [
        f"{h.target[:7]}\n{h.transport} {h.resumption}\n{h.key_type if h.transport != 'plain' else ''}"
        for h in rows
    ]
    ax.bar(
        range(len(rows)),
        [h.capacity_per_core or 0 for h in rows],
        color=[PLAIN if h.transport == "plain" else REST for h in rows],
        hatch=[("//" if h.client_bound else "") for h in rows],
    )
    ax.set_xticks(range(len(rows)), labels, fontsize=5)
    ax.set_yscale("log")
    ax.set_ylabel("new connections/s per server core (1e6 / CPU µs)")
    ax.set_title("Handshake capacity per core (hatched: client-bound, computed)", fontsize=9)
    return True


def storm(report: BenchReport, fig: Figure) -> bool:
    """p99 of established clients against the achieved rate of new TLS connections, per target; a step
    that fell short of its asked rate is drawn hollow and labelled with its asked rate and which side was
    the limit (client-bound: the lab's arrival process)."""
    if not report.storm:
        return False
    ax = fig.subplots()
    for target in report.targets:
        # along the x axis: an asked rate the client fell short of may land left of a lower one
        pts = sorted((p for p in report.storm if p.target == target), key=lambda p: p.rate_achieved)
        if not pts:
            continue
        achieved = [p.rate_achieved for p in pts]
        (line,) = ax.plot(achieved, [p.p99_us for p in pts], label=f"{target} p99")
        ax.plot(
            achieved,
            [p.p50_us for p in pts],
            marker=".",
            linestyle=":",
            color=line.get_color(),
            label=f"{target} p50",
        )
        for p in pts:
            short = p.limit is not StormLimit.REACHED
            ax.plot(
                [p.rate_achieved],
                [p.p99_us],
                marker="o",
                color=line.get_color(),
                markerfacecolor="none" if short else line.get_color(),
            )
            if short:
                ax.annotate(
                    f"asked {p.rate_asked:,.0f}/s\n{p.limit.value}-bound",
                    (p.rate_achieved, p.p99_us),
                    textcoords="offset points",
                    xytext=(4, 4),
                    fontsize=6,
                )
    ax.set_xlabel("new TLS 1.3 connections per second (achieved; hollow: short of the asked rate)")
    ax.set_ylabel("established clients' latency, µs")
    ax.set_yscale("log")
    ax.set_title("Handshake storm: established clients' latency vs achieved arrival rate", fontsize=9)
    ax.legend(fontsize=7)
    return True
