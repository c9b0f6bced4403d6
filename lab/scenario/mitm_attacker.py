"""The MITM attacker (lab.mitm) as the scenario attacker `mitm`, registered in lab.scenario.attackers.

`[attacker] name = "mitm"` puts mitmproxy between the scenario's TLS clients and the server; its
observations (under `attacker.`) say what it read, forged and was refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from lab.mitm.certs import AttackerCert, prepare_attacker
from lab.mitm.journal import Event
from lab.mitm.runner import MitmProxy, MitmSpec, run_mitm
from lab.mitm.spy import learn
from lab.mitm.tamper import TamperRule
from lab.scenario.evidence import Json

if TYPE_CHECKING:  # type only: the session module imports the attacker registry, which imports this
    from lab.scenario.lifecycle.session import Session


@dataclass(frozen=True)
class MitmAttacker:
    """cert: an AttackerCert value (mitm-ca, rogue-ca, same-ca-other-host, stolen-client-cert, expired,
    self-signed). forge_get / forge_value: the reply to GET <forge_get> becomes forge_value ("": none)."""

    cert: AttackerCert = AttackerCert.MITM_CA
    forge_get: str = ""
    forge_value: str = "forged-by-attacker"


class _ScenarioMitm:
    def __init__(self, mitm: MitmProxy, upstream_port: int) -> None:
        self._mitm = mitm
        self._upstream = upstream_port

    @property
    def ports(self) -> tuple[int, ...]:
        return (self._mitm.port,)

    def endpoint(self, dial: Literal["plaintext", "tls"]) -> tuple[str, int] | None:
        return ("127.0.0.1", self._mitm.port) if dial == "tls" else None

    def observations(self) -> Mapping[str, Json]:
        return summarize(self._mitm.events())


MITM_OBSERVES = ("passwords", "keys", "values", "commands_read", "replies_read", "tampered",
                 "client_tls_refusals", "blocked_upstream", "noticed")


def summarize(events: tuple[Event, ...]) -> dict[str, Json]:
    """What the attacker can tell a trainer: what it read, what it forged, where it was turned away."""
    learned = learn(events)
    return {
        "passwords": [c.password for c in learned.credentials],
        "keys": list(learned.keys),
        "values": [f"{k}={v}" for k, v in learned.values],
        "commands_read": learned.commands,
        "replies_read": learned.replies,
        "tampered": sum(1 for e in events if e["kind"] == "tamper.applied"),
        "client_tls_refusals": sum(1 for e in events if e["kind"] == "tls_client_failed"),
        "blocked_upstream": sum(1 for e in events if e["kind"] == "blocked_upstream"),
        "noticed": [e["error"] for e in events if e["kind"] in ("tls_client_failed", "blocked_upstream")],
    }


@contextmanager
def start_mitm(session: Session, params: MitmAttacker) -> Iterator[_ScenarioMitm]:
    pki = session.prepared.pki
    if pki is None:
        raise RuntimeError("the mitm attacker needs the case's lab PKI (a TLS target)")
    upstream = session.server_port("tls")
    workdir = session.prepared.workdir / "attacker"
    rules = (TamperRule("GET", params.forge_value, key=params.forge_get),) if params.forge_get else ()
    spec = MitmSpec("127.0.0.1", upstream, prepare_attacker(params.cert, pki, workdir),
                    tamper=rules)
    with run_mitm(spec, workdir) as mitm:
        yield _ScenarioMitm(mitm, upstream)
