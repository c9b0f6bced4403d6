"""Benchmark: `lab.analysis.analyze` throughput on big real captures (goal: >= 20k packets/s).

Generates each capture with a real redis-server and redis-benchmark under dumpcap, then times the analysis:
- plaintext SET/GET: every packet goes through TCP reassembly, RESP parsing and the secret scan (Python);
- TLS 1.3 SET/GET without key log: record framing in Python, tshark only for each stream's handshake.
Both wall and CPU time (this process plus tshark) are reported: on a shared, loaded machine the wall
figure also measures the neighbours, the CPU figure measures the analysis.
Results go to reports/bench/analyze-throughput.json.

    .venv/bin/python bench/analyze_throughput.py [--requests 150000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lab.analysis import analyze  # noqa: E402
from lab.capture import Capture  # noqa: E402
from lab.pki import LabPKI  # noqa: E402

GOAL_PPS = 20_000
MIN_PACKETS = 200_000
PASSWORD = "bench-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} is needed: apt-get install redis-server redis-tools tshark")
    return path


def generate(workdir: Path, requests: int, tls: bool) -> Path:
    """A capture of redis-benchmark SET/GET traffic (20 connections, 16-byte values)."""
    port = _free_port()
    server_args = [
        _tool("redis-server"),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--requirepass",
        PASSWORD,
        "--dir",
        str(workdir),
    ]
    bench_args = [
        _tool("redis-benchmark"),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-a",
        PASSWORD,
        "-n",
        str(requests),
        "-c",
        "20",
        "-d",
        "16",
        "-t",
        "set,get",
        "-q",
    ]
    if tls:
        pki = LabPKI.create(workdir / "pki")
        server_args += [
            "--port",
            "0",
            "--tls-port",
            str(port),
            "--tls-cert-file",
            str(pki.server.cert),
            "--tls-key-file",
            str(pki.server.key),
            "--tls-ca-cert-file",
            str(pki.ca_cert),
            "--tls-auth-clients",
            "no",
            "--tls-protocols",
            "TLSv1.3",
        ]
        bench_args += ["--tls", "--cacert", str(pki.ca_cert), "--sni", "localhost"]
    else:
        server_args += ["--port", str(port)]
    server = subprocess.Popen(server_args, stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        name = "tls13" if tls else "plaintext"
        with Capture(ports=[port], out=workdir / f"bench-{name}.pcapng", method="dumpcap") as cap:
            subprocess.run(bench_args, check=True, stdout=subprocess.DEVNULL, timeout=900)
        return cap.result.path
    finally:
        server.terminate()
        server.wait(10)


def measure(pcap: Path) -> dict[str, object]:
    cpu0 = time.process_time()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall0 = time.perf_counter()
    report = analyze(pcap, secrets=[PASSWORD])
    wall = time.perf_counter() - wall0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (
        time.process_time()
        - cpu0
        + (children.ru_utime - children0.ru_utime)
        + (children.ru_stime - children0.ru_stime)
    )
    packets = report.read.packets
    return {
        "capture": pcap.name,
        "packets": packets,
        "bytes": pcap.stat().st_size,
        "streams": len(report.streams),
        "tls_streams": sum(1 for s in report.streams if s.transport == "tls"),
        "commands_parsed": sum(s.commands for s in report.streams),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "packets_per_s_wall": round(packets / wall),
        "packets_per_s_cpu": round(packets / cpu),
        "load_average_1m": round(__import__("os").getloadavg()[0], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--requests", type=int, default=150_000, help="redis-benchmark -n per test (set, get)"
    )
    parser.add_argument("--keep", type=Path, help="keep the generated captures in this folder")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "bench" / "analyze-throughput.json")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for tls in (False, True):
            results.append(measure(generate(workdir, args.requests, tls)))
    big_enough = all(int(str(r["packets"])) >= MIN_PACKETS for r in results)
    summary = {
        "goal_packets_per_s": GOAL_PPS,
        "min_packets": MIN_PACKETS,
        "runs": results,
        "goal_met_cpu": big_enough and all(int(str(r["packets_per_s_cpu"])) >= GOAL_PPS for r in results),
        "goal_met_wall": big_enough and all(int(str(r["packets_per_s_wall"])) >= GOAL_PPS for r in results),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    if not big_enough:
        print(f"a capture has fewer than {MIN_PACKETS} packets: raise --requests", file=sys.stderr)
    return 0 if summary["goal_met_cpu"] else 1


if __name__ == "__main__":
    sys.exit(main())
