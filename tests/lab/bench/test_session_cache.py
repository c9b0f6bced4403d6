"""TLS 1.2 session-id resumption, judged on redis-server: it resumes only when it closed the previous
connection itself; the capacity sweep's session-id-quit rows resume, its session-id rows say why not."""

from __future__ import annotations

from pathlib import Path

from lab.bench.handshakes import CapacityCell, run_capacity
from lab.bench.session_cache import EXPLANATION, SessionIdVerdict, probe, verdict_of
from lab.pki import LabPKI
from lab.targets import RunningTarget, TargetSpec, start_target


def test_verdict_counts_most_offers() -> None:
    assert verdict_of(6, 6, 6) is SessionIdVerdict.RESUMES
    assert verdict_of(6, 5, 6) is SessionIdVerdict.RESUMES  # one cache race does not flip it
    assert verdict_of(6, 0, 6) is SessionIdVerdict.ONLY_WHEN_SERVER_CLOSES
    assert verdict_of(6, 1, 2) is SessionIdVerdict.NEVER
    assert verdict_of(0, 0, 0) is SessionIdVerdict.NEVER
    assert set(EXPLANATION) == set(SessionIdVerdict)


def test_redis_server_drops_a_session_the_client_closed(redis_target: RunningTarget, pki: LabPKI) -> None:
    assert redis_target.tls_port is not None
    p = probe("redis-server", redis_target.host, redis_target.tls_port, pki.ca_cert)
    assert p.error is None
    assert p.resumed_client_closes <= 1 and p.resumed_server_closes == p.offers
    assert p.verdict is SessionIdVerdict.ONLY_WHEN_SERVER_CLOSES
    assert p.explanation == EXPLANATION[p.verdict] and "close_notify" in p.explanation


def test_bundled_server_resumes_whoever_closes(tmp_path: Path, pki: LabPKI) -> None:
    spec = TargetSpec(kind="bundled", plaintext=False, tls=True, tls_auth_clients="no")
    with start_target(spec, tmp_path / "bundled", pki) as target:
        assert target.tls_port is not None
        p = probe("bundled", target.host, target.tls_port, pki.ca_cert)
    assert p.verdict is SessionIdVerdict.RESUMES, p


def test_probe_of_a_closed_port_is_data(pki: LabPKI) -> None:
    p = probe("redis-server", "127.0.0.1", 1, pki.ca_cert)
    assert p.verdict is SessionIdVerdict.NOT_MEASURED and p.error is not None


def test_capacity_session_id_resumes_on_redis_server_when_it_closes(
    redis_target: RunningTarget, pki: LabPKI
) -> None:
    cells = [
        CapacityCell("redis-server", "ecdsa-p256", "tls1.2", "session-id", "new-resumed-id"),
        CapacityCell("redis-server", "ecdsa-p256", "tls1.2", "session-id-quit", "new-resumed-id"),
    ]
    servers = {("redis-server", "ecdsa-p256"): redis_target}
    closes, quits = run_capacity(cells, servers, {"ecdsa-p256": pki}, None, 1, 0.4, lambda _: None)
    assert quits.resumed_fraction is not None and quits.resumed_fraction > 0.9, quits
    assert closes.resumed_fraction is not None and closes.resumed_fraction < 0.5, closes
    assert all(r.errors == 0 for r in (*closes.runs, *quits.runs))


def test_capacity_session_id_quit_resumes_on_the_bundled_server(tmp_path: Path, pki: LabPKI) -> None:
    """50 concurrent clients that end with QUIT: the server's close must keep their sessions cached
    (it sends close_notify, as Redis's connTLSClose does); closing without it resumed about a third."""
    spec = TargetSpec(kind="bundled", plaintext=False, tls=True, tls_auth_clients="no")
    cell = CapacityCell("bundled", "ecdsa-p256", "tls1.2", "session-id-quit", "new-resumed-id")
    with start_target(spec, tmp_path / "bundled", pki) as target:
        (quits,) = run_capacity([cell], {("bundled", "ecdsa-p256"): target}, {"ecdsa-p256": pki}, None, 1,
                                0.6, lambda _: None)  # fmt: skip
    assert quits.resumed_fraction is not None and quits.resumed_fraction > 0.9, quits
    assert all(r.errors == 0 for r in quits.runs)
