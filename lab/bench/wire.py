"""Bytes on the wire per op, each direction, from one capture of a few short samples (lab.capture + tshark).

One capture per target covers all its samples; each sample runs alone in its own time window (one process,
one connection, no warm-up), so its packets are told apart by capture time. Per op counts all TCP payload
(TLS records with their headers, tags and handshakes; for reuse samples the one handshake is amortised).
The floor is the RESP bytes of the workload plus the fixed per-record overhead times the records seen.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lab import procs
from lab.bench.loadgen import LoadSpec, resp_bytes_per_op, run_load
from lab.bench.results import Cell, LoadRun, WireSample
from lab.capture import Capture

# Bytes a record adds to its plaintext: header 5 + GCM tag 16 (+ inner content type 1 in TLS 1.3,
# + explicit nonce 8 in TLS 1.2 AES-GCM).
RECORD_OVERHEAD = {"plain": 0, "tls1.2": 29, "tls1.3": 22}
SAMPLE_SECONDS = 0.15  # a few hundred requests per cell: bytes per request settle long before
GAP_SECONDS = 0.1  # quiet time between samples so windows never overlap


@dataclass(frozen=True)
class Packet:
    time: float
    to_server: bool
    payload: int
    records: int


@dataclass(frozen=True)
class _Window:
    cell: Cell
    start: float
    end: float
    run: LoadRun


def read_packets(pcap: Path, server_ports: Sequence[int], tls_port: int | None) -> list[Packet]:
    """TCP payload sizes and TLS record counts per packet, via tshark (decoding the TLS port as TLS)."""
    tshark = shutil.which("tshark")
    if tshark is None:
        raise RuntimeError("tshark not found: apt-get install tshark")
    argv = [
        tshark,
        "-r",
        str(pcap),
        "-n",
        "-Y",
        "tcp.len > 0",
        "-T",
        "fields",
        "-E",
        "separator=\t",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
        "-e",
        "frame.time_epoch",
        "-e",
        "tcp.dstport",
        "-e",
        "tcp.len",
        "-e",
        "tls.record.length",
    ]
    if tls_port is not None:
        argv[3:3] = ["-d", f"tcp.port=={tls_port},tls"]
    out = procs.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"tshark failed on {pcap}: {out.stderr.strip()[-300:]}")
    packets = []
    for line in out.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[2]:
            continue
        records = len([r for r in parts[3].split(",") if r]) if len(parts) > 3 else 0
        packets.append(Packet(float(parts[0]), int(parts[1]) in server_ports, int(parts[2]), records))
    return packets


def _sample(window: _Window, packets: Sequence[Packet], method: str, error: str | None) -> WireSample:
    cell, run = window.cell, window.run
    mine = [p for p in packets if window.start <= p.time <= window.end]
    c2s = sum(p.payload for p in mine if p.to_server)
    s2c = sum(p.payload for p in mine if not p.to_server)
    records = sum(p.records for p in mine)
    ops = run.replies  # every request of the run crossed the wire, the ones after its window too
    resp_c2s, resp_s2c = resp_bytes_per_op(cell.pipeline, cell.value_size)
    overhead = RECORD_OVERHEAD[cell.transport]
    per = (lambda n: n / ops) if ops else (lambda n: 0.0)
    return WireSample(
        cell=cell,
        ops=ops,
        connections=run.connections,
        packets=len(mine),
        client_to_server_bytes=c2s,
        server_to_client_bytes=s2c,
        c2s_per_op=per(c2s),
        s2c_per_op=per(s2c),
        resp_c2s_per_op=resp_c2s,
        resp_s2c_per_op=resp_s2c,
        tls_records=records,
        record_overhead_bytes=overhead,
        floor_per_op=resp_c2s + resp_s2c + per(records) * overhead,
        capture_method=method,
        error=error or run.first_error or (None if ops else "the sample completed no request"),
    )


def sample_wire(
    cells: Sequence[Cell], port: int, tls_port: int, ca: Path, pcap: Path, server_pid: int | None = None
) -> tuple[WireSample, ...]:
    """Run each cell briefly under one capture of the target's two ports and count its bytes per op."""
    windows: list[_Window] = []
    with Capture(ports=[port, tls_port], out=pcap) as cap:
        for cell in cells:
            host, p = cap.address(port if cell.transport == "plain" else tls_port)
            spec = LoadSpec(
                host,
                p,
                cell.transport,
                cell.pipeline,
                cell.value_size,
                cell.connection,
                connections=1,
                processes=1,
                seconds=SAMPLE_SECONDS,
                warmup_s=0.0,
                ca=None if cell.transport == "plain" else ca,
            )
            start = time.time()
            run = run_load(spec, server_pid)
            windows.append(_Window(cell, start, time.time(), run))
            time.sleep(GAP_SECONDS)
    result = cap.result
    try:
        packets = read_packets(result.path, (port, tls_port), tls_port)
        error = None
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        packets, error = [], str(exc)
    return tuple(_sample(w, packets, result.method, error) for w in windows)
