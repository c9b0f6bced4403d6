from __future__ import annotations

from lab.attacks.rst import reset
from lab.pki import LabPKI
from lab.targets import RunningTarget


def test_forged_rst_ends_a_plaintext_session(dual_target: RunningTarget, no_leftover_threads: None) -> None:
    assert dual_target.port is not None
    out = reset("127.0.0.1", dual_target.port)
    assert out.before == "PONG" and out.session_ended


def test_forged_rst_ends_a_tls_session_too(dual_target: RunningTarget, attack_pki: LabPKI) -> None:
    assert dual_target.tls_port is not None
    out = reset("127.0.0.1", dual_target.tls_port, ca=attack_pki.ca_cert)
    assert out.before == "PONG" and out.session_ended


def test_a_blind_guess_of_the_sequence_number_fails(dual_target: RunningTarget) -> None:
    assert dual_target.port is not None
    # outside any window (half the sequence space away): dropped; one byte off, inside the window: RFC 5961's
    # challenge ACK. Neither ends the session.
    for offset in (2**31, 1):
        out = reset("127.0.0.1", dual_target.port, seq_offset=offset)
        assert not out.session_ended and out.after_error is None and out.seq_offset == offset
