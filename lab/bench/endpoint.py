"""`tlslab bench --endpoint HOST:PLAIN[,TLS]`: what TLS costs a server the user already runs.

The plaintext and TLS cells of the matrix that redis-benchmark can measure (reused connections at P1 and
P16, new connections per request), against the user's own ports, one run, as ratios of TLS to plaintext.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from lab.audit.endpoint import parse_endpoint, require_client_files, require_listening, require_owned
from lab.bench.redis_benchmark import BenchmarkSpec, run_benchmark
from lab.bench.results import BenchmarkRun, Connection, Transport
from lab.errors import UserError
from lab.jsonable import plain

CELLS: tuple[tuple[int, Connection], ...] = ((1, "reuse"), (16, "reuse"), (1, "new-full"))


@dataclass(frozen=True)
class EndpointCell:
    transport: Transport
    pipeline: int
    connection: Connection
    run: BenchmarkRun

    def rps(self, test: str) -> float | None:
        return next((r.rps for r in self.run.rows if r.test == test), None)


@dataclass(frozen=True)
class EndpointBench:
    host: str
    plain_port: int | None
    tls_port: int | None
    cells: tuple[EndpointCell, ...]

    def ratio(self, test: str, pipeline: int, connection: Connection) -> float | None:
        """TLS rps / plaintext rps for one cell (None when either side did not measure)."""
        found = {
            c.transport: c.rps(test)
            for c in self.cells
            if (c.pipeline, c.connection) == (pipeline, connection)
        }
        p, t = found.get("plain"), found.get("tls1.3")
        return t / p if p and t else None

    def table(self) -> str:
        lines = ["| cell | test | plaintext rps | TLS rps | TLS / plaintext |", "|---|---|---:|---:|---:|"]
        for pipeline, connection in CELLS:
            for test in ("SET", "GET"):
                got = {
                    c.transport: c.rps(test)
                    for c in self.cells
                    if (c.pipeline, c.connection) == (pipeline, connection)
                }
                ratio = self.ratio(test, pipeline, connection)
                lines.append(
                    f"| P{pipeline} {connection} | {test} | {_n(got.get('plain'))} | {_n(got.get('tls1.3'))} "
                    f"| {'—' if ratio is None else f'{ratio:.2f}'} |"
                )
        errors = [
            f"- {c.transport} P{c.pipeline} {c.connection}: {c.run.error}" for c in self.cells if c.run.error
        ]
        return "\n".join(lines + (["", "not measured:", *errors] if errors else []))


def _n(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def parse_ports(text: str) -> tuple[str, int | None, int | None]:
    """`HOST:PLAIN,TLS`, `HOST:PLAIN` or `HOST:,TLS` (a side may be missing)."""
    host_port, _, tls_text = text.partition(",")
    host, _, plain_text = host_port.rpartition(":")
    try:
        plain_port = int(plain_text) if plain_text else None
        tls_port = int(tls_text) if tls_text else None
    except ValueError:
        raise UserError(
            f"--endpoint {text!r}: write HOST:PLAIN_PORT[,TLS_PORT], e.g. 127.0.0.1:6379,6380"
        ) from None
    if not host or (plain_port is None and tls_port is None):
        raise UserError(f"--endpoint {text!r}: write HOST:PLAIN_PORT[,TLS_PORT], e.g. 127.0.0.1:6379,6380")
    return host, plain_port, tls_port


def bench_endpoint(
    text: str,
    *,
    ca: Path | None,
    cert: Path | None = None,
    key: Path | None = None,
    password: str | None = None,
    sni: str = "localhost",
    requests: int = 20_000,
    i_own_this_network: bool = False,
) -> EndpointBench:
    host, plain_port, tls_port = parse_ports(text)
    require_owned(parse_endpoint(f"{host}:{plain_port or tls_port}"), i_own_this_network)
    if tls_port is not None and ca is None:
        raise UserError("a TLS port needs --ca (the CA that signed the server's certificate)")
    require_client_files(ca, cert, key)
    for port in (plain_port, tls_port):
        if port is not None:
            require_listening(parse_endpoint(f"{host}:{port}"))  # redis-benchmark would wait forever
    cells = []
    sides: tuple[tuple[Transport, int | None], ...] = (("plain", plain_port), ("tls1.3", tls_port))
    for transport, port in sides:
        if port is None:
            continue
        for pipeline, connection in CELLS:
            n = requests // 10 if connection == "new-full" else requests
            spec = BenchmarkSpec(
                host,
                port,
                transport,
                pipeline,
                16,
                n,
                connection,
                ca=ca,
                cert=cert,
                key=key,
                password=password,
                sni=sni,
            )
            cells.append(EndpointCell(transport, pipeline, connection, run_benchmark(spec)))
    return EndpointBench(host, plain_port, tls_port, tuple(cells))


def write(result: EndpointBench, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    data, table = out / "endpoint.json", out / "endpoint.md"
    data.write_text(json.dumps(plain(asdict(result)), indent=2) + "\n")
    table.write_text(
        f"# TLS cost on {result.host} (plaintext {result.plain_port}, TLS {result.tls_port})\n\n"
        + result.table()
        + "\n"
    )
    return data, table
