"""Split each reused-connection TLS cell's extra server CPU per request into the AEAD floor (measured by
`openssl speed` for the cipher the server negotiated, at the cell's record sizes) and the rest, with the
server's syscalls per request beside it, TLS and plaintext: reads and writes from /proc/<pid>/io over the
measured runs, and by name from strace where a traced run of the cell exists."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from lab.bench.crypto_floor import CryptoFloor
from lab.bench.loadgen import resp_bytes_per_op
from lab.bench.results import Attribution, Cell, CellResult, LoadRun, SyscallTrace


def _syscalls(runs: Sequence[LoadRun]) -> tuple[float, float] | None:
    per = [s for r in runs if r.ops > 0 and (s := r.syscalls_per_op) is not None]
    if not per:
        return None
    return statistics.median(p[0] for p in per), statistics.median(p[1] for p in per)


def attribute(
    results: Sequence[CellResult],
    floor: CryptoFloor | None,
    ciphers: Mapping[str, str],
    traces: Sequence[SyscallTrace] = (),
) -> tuple[Attribution, ...]:
    """`ciphers` maps "<target>/<transport>" to the negotiated cipher name."""
    by_cell = {r.cell: r for r in results}
    traced = {t.cell: t for t in traces}
    out = []
    for r in results:
        c = r.cell
        if c.transport == "plain" or c.connection != "reuse" or r.cpu_us_per_op is None:
            continue
        base = by_cell.get(c.with_transport("plain"))
        if base is None or base.cpu_us_per_op is None:
            continue
        cipher = ciphers.get(f"{c.target}/{c.transport}")
        c2s, s2c = resp_bytes_per_op(c.pipeline, c.value_size)
        aead = floor.per_request_us(cipher, c2s, s2c, c.pipeline) if floor is not None else None
        extra = r.cpu_us_per_op - base.cpu_us_per_op
        out.append(
            Attribution(
                tls_cell=c,
                cipher=cipher,
                plain_cpu_us=base.cpu_us_per_op,
                tls_cpu_us=r.cpu_us_per_op,
                extra_cpu_us=extra,
                floor_us=aead,
                rest_us=extra - aead if aead is not None else None,
                plain_syscalls=_syscalls(base.runs),
                tls_syscalls=_syscalls(r.runs),
                plain_trace=traced.get(base.cell),
                tls_trace=traced.get(c),
            )
        )
    return tuple(out)


def cipher_key(cell: Cell) -> str:
    return f"{cell.target}/{cell.transport}"
