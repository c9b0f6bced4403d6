"""Real runs against redis-server: session-id resumption really resumes, the capacity sweep measures the
server's CPU per connection, the storm's arrivals happen, and the progress output counts cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.bench.handshakes import CapacityCell, run_capacity
from lab.bench.loadgen import LoadSpec, run_load
from lab.bench.progress import Bar, Lines, steps_of
from lab.bench.storm import storm_point
from lab.pki import LabPKI
from lab.targets import RunningTarget, TargetSpec, start_target


def test_session_id_resumption_resumes_without_tickets(tmp_path: Path, pki: LabPKI) -> None:
    """The bundled server caches sessions by id: with no ticket extension offered, every connection after
    the primed one resumes. (redis-server resumes only when it closed the connection itself:
    test_session_cache.py.)"""
    spec = TargetSpec(kind="bundled", plaintext=True, tls=True, tls_auth_clients="no")
    with start_target(spec, tmp_path / "bundled", pki) as target:
        assert target.tls_port is not None
        load = LoadSpec(
            target.host,
            target.tls_port,
            "tls1.2",
            1,
            16,
            "new-resumed-id",
            connections=4,
            seconds=0.3,
            warmup_s=0.05,
            ca=pki.ca_cert,
        )
        run = run_load(load, target.pid)
    assert run.errors == 0 and run.connections > 0
    assert run.resumed == run.connections


def test_session_id_mode_is_tls12_only(pki: LabPKI) -> None:
    with pytest.raises(ValueError, match=r"TLS 1\.2 only"):
        LoadSpec("127.0.0.1", 1, "tls1.3", 1, 16, "new-resumed-id", ca=pki.ca_cert)


def test_capacity_run_measures_server_cpu_per_connection(redis_target: RunningTarget, pki: LabPKI) -> None:
    cells = [CapacityCell("redis-server", "ecdsa-p256", "tls1.3", "full", "new-full")]
    lines: list[str] = []
    (row,) = run_capacity(
        cells, {("redis-server", "ecdsa-p256"): redis_target}, {"ecdsa-p256": pki}, None, 1, 0.6, lines.append
    )
    assert row.connections_per_s is not None and row.connections_per_s.median > 0, row.runs
    assert row.server_cpu_us is not None and row.server_cpu_us > 0
    assert row.capacity_per_core == pytest.approx(1e6 / row.server_cpu_us)
    assert row.resumed_fraction == 0.0 and row.floor_us is None and len(lines) == 1


def test_storm_arrivals_happen_and_latency_is_measured(redis_target: RunningTarget, pki: LabPKI) -> None:
    p = storm_point("redis-server", redis_target, pki.ca_cert, 50.0, 0.4)
    assert p.handshake_errors == 0 and 0 < p.rate_achieved <= 60  # a loaded host may fall short
    assert p.established.ops > 0 and 0 < p.p50_us <= p.p99_us <= p.p999_us


def test_progress_lines_count_cells_and_bar_shows_time_left(capsys: pytest.CaptureFixture[str]) -> None:
    out: list[str] = []
    steps = steps_of(out.append)
    assert isinstance(steps, Lines)
    steps.plan(2)
    steps.step("cell a")
    steps.note("a note")
    steps.step("cell b")
    assert out == ["[1/2] cell a", "a note", "[2/2] cell b"]
    bar = Bar()
    bar.plan(4)
    bar.step("cell a")
    bar.close()
    err = capsys.readouterr().err
    assert "1/4 cells" in err and "<" in err  # elapsed<remaining
