"""Figures of a bench report (matplotlib, Agg backend: no display). Each draws only what was measured."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lab.bench import figures_cost
from lab.bench.results import TRANSPORTS, BenchReport, Cell, Overhead

COLORS = {"plain": "#4c72b0", "tls1.2": "#dd8452", "tls1.3": "#c44e52"}


def _label(cell: Cell) -> str:
    parts = [f"P{cell.pipeline}", f"{cell.value_size}B"]
    if cell.connection != "reuse":
        parts.append(cell.connection)
    if cell.appendfsync != "off":
        parts.append(f"fsync {cell.appendfsync}")
    return " ".join(parts)


def throughput(report: BenchReport, fig: Figure) -> bool:
    """Median ops/s of every cell (range as error bars), one panel per target, log scale."""
    targets = [t for t in report.targets if any(r.cell.target == t for r in report.cells)]
    if not targets:
        return False
    axes = fig.subplots(len(targets), 1, squeeze=False)[:, 0]
    for ax, target in zip(axes, targets, strict=True):
        rows = [r for r in report.cells if r.cell.target == target and r.ops_per_s]
        order = sorted(
            rows, key=lambda r: (r.cell.connection, r.cell.appendfsync, r.cell.pipeline, r.cell.value_size)
        )
        labels = list(dict.fromkeys(_label(r.cell) for r in order))
        width = 0.27
        for k, transport in enumerate(TRANSPORTS):
            xs, ys, lo, hi = [], [], [], []
            for i, label in enumerate(labels):
                match = [r for r in rows if r.cell.transport == transport and _label(r.cell) == label]
                if match and match[0].ops_per_s:
                    s = match[0].ops_per_s
                    xs.append(i + (k - 1) * width)
                    ys.append(s.median)
                    lo.append(s.median - s.low)
                    hi.append(s.high - s.median)
            ax.bar(xs, ys, width, yerr=[lo, hi], label=transport, color=COLORS[transport], capsize=2)
        ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right", fontsize=7)
        ax.set_yscale("log")
        ax.set_ylabel("ops/s (median, range)")
        ax.set_title(f"{target}: throughput by variant (SET/GET 1:1, 50 connections)", fontsize=9)
        ax.legend(fontsize=7)
    return True


def latency_cdf(report: BenchReport, fig: Figure) -> bool:
    """Latency distribution of the base cells (16 B, reused connections, no AOF) per pipeline depth."""
    rows = [
        r
        for r in report.cells
        if r.latency_curve
        and r.cell.connection == "reuse"
        and r.cell.value_size == 16
        and r.cell.appendfsync == "off"
    ]
    if not rows:
        return False
    ax = fig.subplots()
    styles = {1: "-", 16: "--", 64: ":"}
    for r in rows:
        us = [v for _, v in r.latency_curve]
        pct = [p / 100 for p, _ in r.latency_curve]
        marker = "o" if r.cell.target == "bundled" else None
        ax.plot(
            us,
            pct,
            styles.get(r.cell.pipeline, "-"),
            color=COLORS[r.cell.transport],
            marker=marker,
            markersize=2,
            label=f"{r.cell.target} {r.cell.transport} P{r.cell.pipeline}",
        )
    ax.set_xscale("log")
    ax.set_xlabel("latency per request, µs (from the write of its batch)")
    ax.set_ylabel("fraction of requests")
    ax.set_title("Latency CDF, 16 B values, reused connections", fontsize=9)
    ax.legend(fontsize=6, ncol=2)
    return True


def _overhead_panel(ax: Axes, rows: Sequence[Overhead], axis: str) -> None:
    for target in sorted({o.tls_cell.target for o in rows}):
        for transport in ("tls1.2", "tls1.3"):
            pts = sorted(
                (getattr(o.tls_cell, axis), o.throughput_change_pct)
                for o in rows
                if o.tls_cell.target == target and o.tls_cell.transport == transport
            )
            if pts:
                ax.plot(
                    [p[0] for p in pts],
                    [p[1] for p in pts],
                    "o-" if target == "redis-server" else "s--",
                    color=COLORS[transport],
                    label=f"{target} {transport}",
                )
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xscale("log", base=2)
    ax.set_ylabel("throughput change vs plaintext, %")
    ax.legend(fontsize=7)


def overhead(report: BenchReport, fig: Figure) -> bool:
    """TLS throughput change against plaintext, by pipeline depth (16 B) and by value size (pipeline 1)."""
    base = [
        o for o in report.overheads if o.tls_cell.connection == "reuse" and o.tls_cell.appendfsync == "off"
    ]
    by_pipe = [o for o in base if o.tls_cell.value_size == 16]
    by_size = [o for o in base if o.tls_cell.pipeline == 1]
    if not base:
        return False
    ax1, ax2 = fig.subplots(1, 2)
    _overhead_panel(ax1, by_pipe, "pipeline")
    ax1.set_xlabel("pipeline depth (16 B values)")
    _overhead_panel(ax2, by_size, "value_size")
    ax2.set_xlabel("value size, bytes (pipeline 1)")
    fig.suptitle("TLS overhead: where the per-request cost is amortised, it shrinks", fontsize=9)
    return True


def wire(report: BenchReport, fig: Figure) -> bool:
    """Measured bytes per op (both directions) beside the floor: RESP bytes + 22 B (TLS 1.3) per record."""
    rows = [w for w in report.wire if w.ops > 0 and w.error is None and w.cell.connection == "reuse"]
    if not rows:
        return False
    ax = fig.subplots()
    labels = [f"{w.cell.target[:7]} {w.cell.transport} {_label(w.cell)}" for w in rows]
    xs = range(len(rows))
    ax.bar(
        [x - 0.2 for x in xs],
        [w.c2s_per_op + w.s2c_per_op for w in rows],
        0.4,
        label="measured (TCP payload)",
        color="#c44e52",
    )
    ax.bar(
        [x + 0.2 for x in xs],
        [w.floor_per_op for w in rows],
        0.4,
        label="floor: RESP + per-record overhead",
        color="#4c72b0",
    )
    ax.set_xticks(list(xs), labels, rotation=40, ha="right", fontsize=6)
    ax.set_yscale("log")
    ax.set_ylabel("bytes per request, both directions")
    ax.set_title("Bytes on the wire per request vs the TLS record-overhead floor", fontsize=9)
    ax.legend(fontsize=7)
    return True


def handshakes(report: BenchReport, fig: Figure) -> bool:
    """New connections per second and connect (+handshake) time: plaintext, full and resumed TLS."""
    rows = [r for r in report.cells if r.cell.connection != "reuse" and r.new_connections_per_s]
    if not rows:
        return False
    ax1, ax2 = fig.subplots(1, 2)
    labels = [f"{r.cell.target[:7]}\n{r.cell.transport}\n{r.cell.connection}" for r in rows]
    colors = [COLORS[r.cell.transport] for r in rows]
    ax1.bar(range(len(rows)), [r.new_connections_per_s or 0 for r in rows], color=colors)
    ax1.set_xticks(range(len(rows)), labels, fontsize=6)
    ax1.set_ylabel("new connections per second (1 request each)")
    ax1.set_yscale("log")
    ax2.bar(range(len(rows)), [r.cpu_us_per_op or 0 for r in rows], color=colors)
    ax2.set_xticks(range(len(rows)), labels, fontsize=6)
    ax2.set_ylabel("server CPU µs per connection+request")
    fig.suptitle("Handshake costs: full vs resumed", fontsize=9)
    return True


def fsync(report: BenchReport, fig: Figure) -> bool:
    """Throughput by appendfsync policy, plaintext vs TLS 1.3 (pipeline 1, 16 B)."""
    rows = [
        r
        for r in report.cells
        if r.cell.connection == "reuse"
        and r.cell.pipeline == 1
        and r.cell.value_size == 16
        and r.cell.transport in ("plain", "tls1.3")
        and r.ops_per_s
    ]
    policies = [p for p in ("off", "everysec", "always") if any(r.cell.appendfsync == p for r in rows)]
    if len(policies) < 2:
        return False
    ax = fig.subplots()
    series = sorted({(r.cell.target, r.cell.transport) for r in rows})
    width = 0.8 / len(series)
    for k, (target, transport) in enumerate(series):
        xs, ys = [], []
        for i, p in enumerate(policies):
            m = [
                r
                for r in rows
                if (r.cell.target, r.cell.transport, r.cell.appendfsync) == (target, transport, p)
            ]
            if m and m[0].ops_per_s:
                xs.append(i + k * width - 0.4 + width / 2)
                ys.append(m[0].ops_per_s.median)
        ax.bar(
            xs,
            ys,
            width,
            label=f"{target} {transport}",
            color=COLORS[transport],
            alpha=1.0 if target == "redis-server" else 0.55,
        )
    ax.set_xticks(range(len(policies)), [f"appendfsync {p}" if p != "off" else "no AOF" for p in policies])
    ax.set_ylabel("ops/s (median)")
    ax.set_title("The price of fast and safe: fsync policy x TLS", fontsize=9)
    ax.legend(fontsize=7)
    return True


FIGURES: dict[str, Callable[[BenchReport, Figure], bool]] = {
    "throughput": throughput,
    "latency_cdf": latency_cdf,
    "tls_overhead": overhead,
    "bytes_per_op": wire,
    "handshakes": handshakes,
    "fsync_tls": fsync,
    "cost_attribution": figures_cost.attribution,
    "handshake_capacity": figures_cost.capacity,
    "handshake_storm": figures_cost.storm,
}


def draw_all(report: BenchReport, directory: Path) -> list[Path]:
    """Write each figure that has data as PNG; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in FIGURES.items():
        fig = plt.figure(figsize=(10, 7) if name == "throughput" else (9, 4.5))
        try:
            if draw(report, fig):
                fig.tight_layout()
                path = directory / f"{name}.png"
                fig.savefig(path, dpi=110)
                written.append(path)
        finally:
            plt.close(fig)
    return written
