"""Each kind of verdict, from a real attacker and a real client (the full matrix is in test_matrix)."""

from __future__ import annotations

from pathlib import Path

from lab.mitm.certs import AttackerCert, prepare_attacker
from lab.mitm.outcome import MitmOutcome, judge
from lab.mitm.runner import MitmSpec, run_mitm
from lab.mitm.tamper import TamperRule
from lab.pki import LabPKI
from lab.targets import RunningTarget
from tests.lab.mitm.conftest import PASSWORD, redis_py_session

COMMANDS = [["SET", "k", "secret-value"], ["GET", "k"]]


def _attack(target: RunningTarget, pki: LabPKI, workdir: Path, source: AttackerCert, posture: str,
            ) -> MitmOutcome:
    assert target.tls_port is not None
    offset = len(target.log_text())
    spec = MitmSpec("127.0.0.1", target.tls_port, prepare_attacker(source, pki, workdir),
                    tamper=(TamperRule("GET", "forged"),))
    with run_mitm(spec, workdir) as mitm:
        mark = mitm.mark()
        session = redis_py_session(mitm.port, pki, posture, COMMANDS)
        events = mitm.settle(mark)
        log = mitm.log_text()
    return judge(events, session, log, target.log_text()[offset:].splitlines())


def test_no_verify_client_is_compromised(tls_target: RunningTarget, pki: LabPKI, workdir: Path) -> None:
    out = _attack(tls_target, pki, workdir, AttackerCert.MITM_CA, "no-verify")
    assert out.verdict == "compromised" and out.through_attacker
    assert [c.password for c in out.learned.credentials] == [PASSWORD]
    assert ("k", "secret-value") in out.learned.values
    assert out.tamper_reached_client is True
    assert out.noticed == ()


def test_full_verification_blocks_at_the_client(tls_target: RunningTarget, pki: LabPKI,
                                                workdir: Path) -> None:
    out = _attack(tls_target, pki, workdir, AttackerCert.MITM_CA, "full")
    assert out.verdict == "blocked-at-client" and not out.through_attacker
    assert not out.learned.anything and out.tamper_reached_client is None
    parties = {n.party for n in out.noticed}
    assert parties == {"client", "mitmproxy"}
    assert "CERTIFICATE_VERIFY_FAILED" in (out.client_error or "")


def test_mtls_without_a_client_cert_is_blocked_upstream_promptly(mtls_target: RunningTarget, pki: LabPKI,
                                                                 workdir: Path) -> None:
    out = _attack(mtls_target, pki, workdir, AttackerCert.MITM_CA, "no-verify")
    assert out.verdict == "blocked-at-server"
    # The client is cut off, not left to its timeout (the mitmproxy hang this lab works around).
    assert out.client_error is not None and "Timeout" not in out.client_error
    assert {n.party for n in out.noticed} == {"client", "mitmproxy", "server"}
    assert any("did not return a certificate" in n.error for n in out.noticed if n.party == "server")


def test_stolen_client_cert_opens_mtls_for_the_attacker(mtls_target: RunningTarget, pki: LabPKI,
                                                        workdir: Path) -> None:
    out = _attack(mtls_target, pki, workdir, AttackerCert.STOLEN_CLIENT_CERT, "no-verify")
    assert out.verdict == "compromised" and out.tamper_reached_client is True
    assert [c.password for c in out.learned.credentials] == [PASSWORD]
