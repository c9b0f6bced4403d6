"""Cost attribution, handshake capacity, the storm, their summary sections and figures: every number
comes from a results field."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lab.bench.figures import draw_all
from lab.bench.handshakes import CapacityCell, capacity_cells
from lab.bench.handshakes import summarize as capacity_of
from lab.bench.loadgen import resp_bytes_per_op
from lab.bench.results import BenchReport, Cell, StormLimit
from lab.bench.summary import render
from tests.lab.bench.conftest import load_run, png


def test_extra_cpu_is_split_into_the_aead_floor_and_the_rest(cost_report: BenchReport) -> None:
    by = {a.tls_cell: a for a in cost_report.attribution}
    a = by[Cell("redis-server", "tls1.3", 1, 16)]
    # conftest: plaintext 0.5 s / 100k ops = 5 µs, TLS 1.0 s / 75k ops = 13.33 µs
    assert a.plain_cpu_us == pytest.approx(5.0) and a.tls_cpu_us == pytest.approx(1e6 / 75_000)
    assert a.extra_cpu_us == pytest.approx(1e6 / 75_000 - 5.0)
    assert cost_report.floor is not None
    c2s, s2c = resp_bytes_per_op(1, 16)
    aead = cost_report.floor.aead[0]
    assert a.floor_us == pytest.approx(aead.record_us(round(c2s)) + aead.record_us(round(s2c)))
    assert a.rest_us == pytest.approx(a.extra_cpu_us - a.floor_us)
    # TLS 1.2 has no negotiated cipher in this report: no floor rather than a guessed one
    assert by[Cell("redis-server", "tls1.2", 1, 16)].floor_us is None
    assert all(x.tls_cell.connection == "reuse" for x in cost_report.attribution)


def test_capacity_is_the_servers_and_client_bound_rows_are_marked(cost_report: BenchReport) -> None:
    (full,) = cost_report.capacity
    assert full.server_cpu_us == pytest.approx(400.0)
    assert full.capacity_per_core == pytest.approx(2500.0)
    assert full.floor_us == pytest.approx(1e6 / 40000 + 2 * 1e6 / 25000)
    assert full.server_busy == pytest.approx(0.8) and full.client_bound  # under 85% of a core
    saturated = capacity_of(
        CapacityCell("redis-server", "ecdsa-p256", "tls1.3", "full", "new-full"),
        [load_run(2000, cpu_s=0.95, connections=2000)],
        cost_report.floor,
    )
    assert not saturated.client_bound


def test_capacity_plan_has_the_key_and_resumption_axes() -> None:
    default = capacity_cells(("bundled", "redis-server"), quick=False)
    kinds = {(c.key_type, c.transport, c.resumption) for c in default if c.target == "redis-server"}
    # every certificate key in the default run, for the handshakes that sign with it
    for key in ("ecdsa-p256", "rsa-2048", "rsa-4096"):
        assert {(key, "tls1.3", "full"), (key, "tls1.2", "full")} <= kinds
    assert ("rsa-4096", "tls1.3", "ticket") not in kinds  # a resumed handshake does not sign
    assert {("ecdsa-p256", "tls1.2", r) for r in ("ticket", "session-id", "session-id-quit")} <= kinds
    assert {c.target for c in default} == {"bundled", "redis-server"}
    assert sum(c.transport == "plain" for c in default) == 2  # one plaintext baseline per target
    every = capacity_cells(("redis-server",), quick=False, key_axis=True)
    assert ("rsa-4096", "tls1.2", "session-id-quit") in {
        (c.key_type, c.transport, c.resumption) for c in every
    }
    assert [c.quit_first for c in every if c.resumption.startswith("session-id")] == [False, True] * 3
    quick = capacity_cells(("redis-server",), quick=True)  # plaintext, TLS 1.3 full and ticket
    assert {c.key_type for c in quick} == {"ecdsa-p256"} and len(quick) == 3
    # ~5 ms of server CPU per RSA-4096 signature: fewer clients, so that handshakes complete in the window
    assert {(c.key_type, c.clients) for c in default if c.transport != "plain"} == {
        ("ecdsa-p256", 50),
        ("rsa-2048", 50),
        ("rsa-4096", 10),
    }


def test_a_row_with_no_connection_in_its_window_says_not_measured(cost_report: BenchReport) -> None:
    cell = CapacityCell("redis-server", "rsa-4096", "tls1.3", "full", "new-full")
    row = capacity_of(cell, [load_run(0, cpu_s=0.3, connections=0)], cost_report.floor)
    assert not row.measured and row.server_cpu_us is None and row.clients == 10
    text = render(dataclasses.replace(cost_report, capacity=(*cost_report.capacity, row)))
    assert "| 10 | not measured |" in text
    assert "Not measured (no connection completed inside a window" in text
    assert "redis-server rsa-4096 tls1.3 full" in text
    assert "a full TLS 1.3 handshake (RSA-4096) was not measured" in text


def test_rsa_4096_floor_is_its_signature_plus_the_key_exchange() -> None:
    from lab.bench.crypto_floor import CryptoFloor, parse_asymmetric

    signs, x25519 = parse_asymmetric(
        "+F2:0:2048:3000.0:90000.0\n+F2:1:4096:450.0:25000.0\n+F4:2:256:45000.0:13000.0\n+F5:3:253:27000.0:0.0\n"
    )
    assert signs["rsa-4096"].signs_per_s == 450.0
    floor = CryptoFloor("OpenSSL 3", (), tuple(signs.values()), x25519, ())
    assert floor.handshake_us("rsa-4096", "tls1.3", False) == pytest.approx(1e6 / 450 + 2e6 / 27000)
    assert floor.handshake_us("rsa-4096", "tls1.2", True) == 0.0


def test_storm_steps_short_of_target_name_the_side_that_limited_them() -> None:
    from lab.bench.storm import limit_of

    assert limit_of(0.0, 0.0, 0.2) is StormLimit.REACHED
    assert limit_of(400.0, 370.0, 0.5) is StormLimit.REACHED  # within 10%
    assert limit_of(400.0, 130.0, 0.5) is StormLimit.CLIENT  # the server had half a core free
    assert limit_of(400.0, 130.0, 0.97) is StormLimit.SERVER
    assert limit_of(400.0, 130.0, None) is StormLimit.CLIENT


def test_summary_states_floor_total_capacity_and_storm(cost_report: BenchReport) -> None:
    text = render(cost_report)
    (full,) = cost_report.capacity
    a = next(x for x in cost_report.attribution if x.tls_cell == Cell("redis-server", "tls1.3", 1, 16))
    assert f"adds {a.extra_cpu_us:,.1f} µs of server CPU per request" in text
    assert f"the AEAD floor is {a.floor_us:,.2f} µs" in text
    assert (
        f"costs it {full.server_cpu_us:,.0f} µs per connection against a crypto floor of {full.floor_us:,.0f}"
        in text
    )
    assert f"{full.capacity_per_core:,.0f} handshakes/s per core (computed: the client was the limit)" in text
    assert "## Handshake storm" in text and "| redis-server | 200 | 180 | 0 | 700 | 2,100 |" in text
    assert "| redis-server | 400 | 130 | 0 | 900 | 2,700 | 3,600 | 25,000 | 97 | 50 | client-bound |" in text
    assert "redis-server at 400/s (got 130, client-bound)" in text
    assert "40,000 signs/s" in text and "X25519: 25,000 ops/s" in text


def test_summary_names_the_syscall_source_and_the_session_id_cause(cost_report: BenchReport) -> None:
    text = render(cost_report)
    a = next(x for x in cost_report.attribution if x.tls_cell == Cell("redis-server", "tls1.3", 1, 16))
    assert a.plain_trace is not None and a.tls_trace is not None
    assert a.tls_trace.all_per_request == 5.0 and a.plain_trace.reads_per_request == 2.0
    assert "| 2.00 / 1.00 / 4.00 | 3.00 / 1.00 / 5.00 |" in text
    assert "(`strace -c -f -p 42`, 1,000 requests): 5.00 syscalls per request; read 3.00" in text
    (probe,) = cost_report.session_ids
    assert (
        f"0 resumed when the client closed, 6 when the server closed (QUIT) — {probe.explanation}." in text
    )


def test_nothing_measured_no_section(small_report: BenchReport) -> None:
    text = render(small_report)
    for heading in ("Where the cost goes", "Handshake capacity", "Handshake storm", "crypto floor on"):
        assert heading not in text


def test_cost_figures_are_drawn(cost_report: BenchReport, tmp_path: Path) -> None:
    names = {p.name: p for p in draw_all(cost_report, tmp_path)}
    for name in ("cost_attribution.png", "handshake_capacity.png", "handshake_storm.png"):
        assert name in names and png(names[name])


def test_unresumed_offers_and_short_storms_are_said(cost_report: BenchReport) -> None:
    import dataclasses

    (full,) = cost_report.capacity
    offered = dataclasses.replace(full, transport="tls1.2", resumption="session-id", resumed_fraction=0.01)
    report = dataclasses.replace(cost_report, capacity=(full, offered), storm=cost_report.storm[:2])
    text = render(report)
    assert "mostly not resumed" in text and "tls1.2 session-id (1% resumed)" in text
    assert "fell short of its schedule" not in text  # 180 of 200 is within 10%
    short = dataclasses.replace(cost_report.storm[1], rate_achieved=100.0, limit=StormLimit.SERVER)
    text = render(dataclasses.replace(cost_report, storm=(cost_report.storm[0], short)))
    assert "redis-server at 200/s (got 100, server-bound)" in text
