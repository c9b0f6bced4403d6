"""analyze() on a real capture finds exactly what the clients sent: no more, no less."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from scapy.layers.inet import TCP
from scapy.utils import PcapNgReader

from lab.analysis import CaptureReport, StreamInfo, analyze
from lab.errors import UserError
from tests.lab.analysis.conftest import PASSWORD, VALUE, LabCapture


def frames_containing(pcap: Path, needle: bytes) -> tuple[int, ...]:
    """The oracle: 1-based frame numbers whose raw TCP payload holds `needle`, read by scapy, not tshark."""
    with PcapNgReader(str(pcap)) as reader:
        return tuple(n for n, p in enumerate(reader, start=1) if TCP in p and needle in bytes(p[TCP].payload))


@pytest.fixture(scope="module")
def blind(lab_capture: LabCapture) -> CaptureReport:
    return analyze(lab_capture.pcap, ports=[lab_capture.tls_port], secrets=[PASSWORD, VALUE])


@pytest.fixture(scope="module")
def keyed(lab_capture: LabCapture) -> CaptureReport:
    return analyze(
        lab_capture.pcap, keylog=lab_capture.keylog, ports=[lab_capture.tls_port], secrets=[PASSWORD, VALUE]
    )


def by_transport(report: CaptureReport, transport: str) -> list[StreamInfo]:
    return [s for s in report.streams if s.transport == transport]


def test_every_plaintext_auth_password_is_found_with_its_frames(
    lab_capture: LabCapture, blind: CaptureReport
) -> None:
    truth = frames_containing(lab_capture.pcap, PASSWORD.encode())
    assert len(truth) == 2  # one AUTH per plaintext session
    password = blind.exposures[0]
    assert password.frames == truth
    assert {s.stream for s in by_transport(blind, "plaintext")} == set(password.streams)
    auth = [f for f in blind.findings if f.check == "plaintext-redis" and "AUTH" in f.title]
    assert sorted(frame for f in auth for frame in f.evidence) == list(truth)
    value = blind.exposures[1]
    assert value.frames == frames_containing(lab_capture.pcap, VALUE.encode())
    assert len(value.frames) == 4  # SET and GET's reply, twice


def test_plaintext_transcript_is_the_exact_conversation(
    lab_capture: LabCapture, blind: CaptureReport
) -> None:
    plain = by_transport(blind, "plaintext")
    assert len(plain) == 2
    for s in plain:
        assert s.redis and "content" in s.redis_evidence
        sent = [line.args for line in s.transcript if line.direction == "c2s"]
        assert sent == [tuple(c) for c in lab_capture.commands]
        replies = [line.text for line in s.transcript if line.direction == "s2c"]
        assert replies == ["OK", "OK", f'"{VALUE}"', "(integer) 1"]


def test_tls_without_key_log_shows_metadata_but_no_secret(blind: CaptureReport) -> None:
    tls = by_transport(blind, "tls")
    assert [s.tls_version for s in tls] == ["TLSv1.2", "TLSv1.3", "TLSv1.3", "TLSv1.2"]
    assert all(s.transcript == () and not s.decrypted for s in tls)
    tls_streams = {s.stream for s in tls}
    assert all(not set(e.streams) & tls_streams for e in blind.exposures)
    assert all(e.decrypted_frames == () for e in blind.exposures)
    assert [s.sni for s in tls] == ["localhost", "localhost", "localhost", None]
    assert all(s.redis_evidence == "port" and s.cipher for s in tls)


def test_certificates_are_visible_in_tls12_only_without_key_log(blind: CaptureReport) -> None:
    t12, t13, t13_nocert, t12_nosni = by_transport(blind, "tls")
    assert t12.server_cert is not None and "CN=localhost" in t12.server_cert.subject
    assert t12.server_cert.visible_without_keys and "Redis TLS Lab CA" in t12.server_cert.issuer
    assert t12.client_cert_present is True and "CN=lab-client" in t12.client_certs[0].subject
    assert t12_nosni.client_cert_present is False
    assert t13.server_certs == () and t13.client_cert_present is None
    assert t13_nocert.client_cert_present is None


def test_key_log_decrypts_full_transcripts_and_tls13_certificates(
    lab_capture: LabCapture, keyed: CaptureReport
) -> None:
    tls = by_transport(keyed, "tls")
    assert all(s.decrypted for s in tls)
    for s in tls:
        assert [line.args for line in s.transcript if line.direction == "c2s"] == [
            tuple(c) for c in lab_capture.commands
        ]
        assert "content" in s.redis_evidence
    _, t13, t13_nocert, _ = tls
    assert t13.server_cert is not None and not t13.server_cert.visible_without_keys
    assert t13.client_cert_present is True and t13_nocert.client_cert_present is False
    password = keyed.exposures[0]
    # Still only the plaintext frames are "in clear"; the TLS ones are seen only after decryption.
    assert password.frames == frames_containing(lab_capture.pcap, PASSWORD.encode())
    assert len(password.decrypted_frames) == len(tls)
    assert not set(password.decrypted_frames) & set(password.frames)


def test_findings_name_what_is_wrong(blind: CaptureReport) -> None:
    checks = {f.check for f in blind.findings}
    assert {"plaintext-redis", "secret-in-clear", "client-cert-in-clear", "no-sni"} <= checks
    assert not checks & {"tls-version", "weak-cipher", "cert-validity", "cert-self-signed"}
    assert all(c.status == "completed" for c in blind.checks)
    assert blind.to_dict()["findings"]


def test_truncated_capture_reports_what_was_read(lab_capture: LabCapture, tmp_path: Path) -> None:
    data = lab_capture.pcap.read_bytes()
    cut = tmp_path / "cut.pcapng"
    cut.write_bytes(data[: len(data) // 2 + 7])
    report = analyze(cut, secrets=[PASSWORD])
    assert report.read.truncated and "cut short" in report.read.message
    assert 0 < report.read.packets < analyze(lab_capture.pcap).read.packets


def test_bad_inputs_fail_with_one_clear_error(lab_capture: LabCapture, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        analyze(tmp_path / "missing.pcapng")
    text = tmp_path / "notes.txt"
    text.write_text("not a capture\n" * 50)
    with pytest.raises(UserError, match="not a capture file"):
        analyze(text)
    with pytest.raises(UserError, match="not an NSS key log line"):
        analyze(lab_capture.pcap, keylog=text)
    other = tmp_path / "other.keylog"
    other.write_text(f"CLIENT_RANDOM {secrets.token_hex(32)} {secrets.token_hex(48)}\n")
    with pytest.raises(UserError, match="holds no keys for any"):
        analyze(lab_capture.pcap, keylog=other)
