"""The packet attacks (lab.attacks) as scenario workloads, registered in lab.scenario.workloads.

Each runs against the case's own target on loopback, on the plaintext port and on the TLS port alike, so one
scenario shows what TLS changes and what it does not.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

from lab.attacks.inject import inject
from lab.attacks.rst import reset
from lab.attacks.traffic_analysis import analyse_sizes
from lab.attacks.victim import Victim
from lab.jsonable import plain
from lab.scenario.evidence import Json
from lab.scenario.lifecycle.session import Session
from lab.scenario.workloads.result import WorkloadResult


def _result(observations: dict[str, Json]) -> WorkloadResult:
    return WorkloadResult((), observations, ())


def _verbose_log(session: Session) -> None:
    """Turn the server's log up so a TLS read error (wrong version number / bad record mac) is written."""
    pki = session.prepared.pki
    victim = Victim("127.0.0.1", session.server_port("tls"), pki.ca_cert if pki else None,
                    session.case.target.requirepass)
    try:
        victim.call("CONFIG", "SET", "loglevel", "verbose")
    finally:
        victim.close()


def _json(value: object) -> Json:
    return plain(asdict(value))  # type: ignore[call-overload]


@dataclass(frozen=True)
class TcpInjection:
    """Inject `SET injected-by-attacker:<marker> <marker>` into a live plaintext and a live TLS session."""


def tcp_injection(session: Session, _p: TcpInjection) -> WorkloadResult:
    pki, password = session.prepared.pki, session.case.target.requirepass
    _verbose_log(session)
    # The two attacks sniff and forge on different ports and keys, so they run side by side: each one
    # mostly waits (the sniffer settling, segments reaching it), and the waits overlap.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="tcp-injection") as pool:
        tls = pool.submit(inject, "127.0.0.1", session.server_port("tls"), ca=pki.ca_cert if pki else None,
                          password=password)
        # no plaintext listener (`port 0`, the fix): no plaintext session exists to inject into
        plain = (pool.submit(inject, "127.0.0.1", session.server_port("plaintext"), password=password)
                 if "plaintext" in session.ports else None)
        return _result({"plaintext": _json(plain.result()) if plain else None, "tls": _json(tls.result())})


@dataclass(frozen=True)
class RstInjection:
    """Forge a RST into a plaintext and a TLS session, and two blind guesses that miss, for contrast: one
    inside the receive window (RFC 5961: a challenge ACK) and one outside any possible window (dropped)."""

    # 1 byte off is inside any open window; half the sequence space is beyond the largest (2**30) window
    in_window_offset: int = 1
    blind_offset: int = 2**31


def rst_injection(session: Session, p: RstInjection) -> WorkloadResult:
    pki, password = session.prepared.pki, session.case.target.requirepass
    ca = pki.ca_cert if pki else None
    return _result({
        "plaintext": _json(reset("127.0.0.1", session.server_port("plaintext"), password=password)),
        "tls": _json(reset("127.0.0.1", session.server_port("tls"), ca=ca, password=password)),
        "in_window_guess": _json(reset("127.0.0.1", session.server_port("tls"), ca=ca, password=password,
                                       seq_offset=p.in_window_offset)),
        "blind_guess": _json(reset("127.0.0.1", session.server_port("tls"), ca=ca, password=password,
                                   seq_offset=p.blind_offset)),
    })


@dataclass(frozen=True)
class TrafficAnalysis:
    """GET values of random sizes over TLS; recover the sizes from record lengths alone."""

    count: int = 40
    max_size: int = 40_000


def traffic_analysis(session: Session, p: TrafficAnalysis) -> WorkloadResult:
    pki = session.prepared.pki
    if pki is None:
        raise RuntimeError("traffic-analysis needs a TLS target with the lab PKI")
    figure = session.prepared.workdir / "value-sizes-vs-record-lengths.png"
    leak = analyse_sizes("127.0.0.1", session.server_port("tls"), pki.ca_cert,
                         session.case.target.requirepass, count=p.count, max_size=p.max_size, figure=figure)
    return _result({
        "tls_version": leak.tls_version, "values": len(leak.true_sizes), "exact": leak.exact,
        "correlation": round(leak.correlation, 6), "figure": str(leak.figure),
        "true_sizes": list(leak.true_sizes), "recovered_sizes": list(leak.recovered_sizes),
    })
