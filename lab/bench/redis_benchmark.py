"""redis-benchmark as the cross-check: run it at the lab generator's settings and parse its --csv output."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from lab import procs
from lab.bench.cpu import children_cpu_seconds, cpu_seconds
from lab.bench.results import BenchmarkRow, BenchmarkRun, Connection, Transport

KEYSPACE = 1000  # -r: random keys from a small space, like the generator's


@dataclass(frozen=True)
class BenchmarkSpec:
    host: str
    port: int
    transport: Transport
    pipeline: int
    value_size: int
    requests: int
    connection: Connection = "reuse"
    clients: int = 50
    tests: tuple[str, ...] = ("set", "get")
    ca: Path | None = None
    timeout: float = 120.0
    # a server the user runs (`tlslab bench --endpoint`): its client cert, password and name
    cert: Path | None = None
    key: Path | None = None
    password: str | None = None
    sni: str = "localhost"

    def __post_init__(self) -> None:
        if self.transport == "tls1.2":
            # redis-benchmark has no protocol-version flag; it negotiates what the server allows (1.3 here).
            raise ValueError("redis-benchmark cannot pin TLS 1.2: cross-check plain or tls1.3 cells")
        if self.connection == "new-resumed":
            raise ValueError(
                "redis-benchmark never resumes TLS sessions: cross-check reuse or new-full cells"
            )
        if self.transport != "plain" and self.ca is None:
            raise ValueError("a TLS benchmark spec needs the CA file (ca=...)")


def argv_for(spec: BenchmarkSpec, binary: str = "redis-benchmark") -> list[str]:
    argv = [
        binary,
        "-h",
        spec.host,
        "-p",
        str(spec.port),
        "-c",
        str(spec.clients),
        "-n",
        str(spec.requests),
        "-d",
        str(spec.value_size),
        "-P",
        str(spec.pipeline),
        "-r",
        str(KEYSPACE),
        "-t",
        ",".join(spec.tests),
        "--csv",
    ]
    if spec.connection != "reuse":
        argv += ["-k", "0"]
    if spec.transport != "plain":
        argv += ["--tls", "--cacert", str(spec.ca), "--sni", spec.sni]
        if spec.cert is not None:
            argv += ["--cert", str(spec.cert), "--key", str(spec.key or spec.cert)]
    if spec.password is not None:
        argv += ["-a", spec.password]
    return argv


def parse_csv(text: str) -> tuple[BenchmarkRow, ...]:
    """Rows of `redis-benchmark --csv` (7.x header: test,rps,avg_latency_ms,min,p50,p95,p99,max)."""
    rows = []
    start = text.find('"test"')  # skip anything printed before the header (warnings)
    for rec in csv.DictReader(io.StringIO(text[start:] if start >= 0 else "")):
        try:
            rows.append(
                BenchmarkRow(
                    test=rec["test"],
                    rps=float(rec["rps"]),
                    avg_ms=float(rec["avg_latency_ms"]),
                    p50_ms=float(rec["p50_latency_ms"]),
                    p99_ms=float(rec["p99_latency_ms"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue  # a warning line or a truncated row is not a measurement
    return tuple(rows)


def run_benchmark(spec: BenchmarkSpec, server_pid: int | None = None) -> BenchmarkRun:
    """Run redis-benchmark once; a missing binary, a timeout or a failure come back as `error`.

    With server_pid, the server's CPU seconds over the run are kept (to tell which side was the bottleneck).
    """
    binary = shutil.which("redis-benchmark")
    argv = argv_for(spec, binary or "redis-benchmark")
    if binary is None:
        return BenchmarkRun(tuple(argv), (), 0.0, "redis-benchmark not found: apt-get install redis-tools")
    cpu0 = cpu_seconds(server_pid) if server_pid else None
    own0 = children_cpu_seconds()
    t0 = time.monotonic()
    try:
        proc = procs.run(argv, capture_output=True, text=True, timeout=spec.timeout, check=False)
    except subprocess.TimeoutExpired:  # subprocess.run kills the child before raising
        return BenchmarkRun(tuple(argv), (), time.monotonic() - t0, f"timed out after {spec.timeout:.0f} s")
    seconds = time.monotonic() - t0
    own = children_cpu_seconds() - own0  # redis-benchmark was the only child reaped meanwhile
    cpu1 = cpu_seconds(server_pid) if server_pid and cpu0 is not None else None
    rows = parse_csv(proc.stdout)
    error = None
    if proc.returncode != 0 or len(rows) != len(spec.tests):
        lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip() and "WARNING" not in ln]
        error = f"exit {proc.returncode}: {lines[-1] if lines else 'no CSV rows'}"
    cpu = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
    return BenchmarkRun(tuple(argv), rows, seconds, error, cpu, own)


def requests_for(expected_ops_per_s: float, seconds: float, tests: int = 2, minimum: int = 500) -> int:
    """-n so that all tests together last about `seconds` at the expected rate."""
    return max(minimum, int(expected_ops_per_s * seconds / tests))
