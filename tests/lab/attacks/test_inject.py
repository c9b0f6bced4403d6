from __future__ import annotations

from lab.attacks.inject import inject
from lab.pki import LabPKI
from lab.targets import RunningTarget


def test_plaintext_injection_is_executed_and_desyncs_the_victim(dual_target: RunningTarget,
                                                                no_leftover_threads: None) -> None:
    assert dual_target.port is not None
    out = inject("127.0.0.1", dual_target.port)
    assert out.server_executed and out.verdict == "injected"
    assert out.victim_state == "desynchronised"


def test_tls_injection_is_rejected_and_nothing_runs(dual_target: RunningTarget, attack_pki: LabPKI,
                                                    no_leftover_threads: None) -> None:
    assert dual_target.tls_port is not None
    offset = len(dual_target.log_text())
    out = inject("127.0.0.1", dual_target.tls_port, ca=attack_pki.ca_cert)
    assert not out.server_executed and out.verdict == "rejected"
    # its own key: the plaintext test's value, on the same server, is not reported as this one's
    assert out.injected_key_value is None
    assert out.victim_state == "dropped"
    log = dual_target.log_text()[offset:]
    assert "wrong version number" in log or "bad record mac" in log
