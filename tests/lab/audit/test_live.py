"""`tlslab audit HOST:PORT` against the bundled server and redis-server with known defects."""

from __future__ import annotations

import json
from pathlib import Path

from lab import procs
from lab.audit import AuditOptions, Source, audit
from lab.audit.output import junit, render
from lab.cli import main
from lab.pki import LabPKI
from lab.targets.process import RunningTarget
from tests.lab.audit.conftest import PASSWORD


def _ids(findings: tuple, source: Source) -> dict[str, str]:  # type: ignore[type-arg]
    return {f.check: f.severity for f in findings if f.source is source}


def _options(target: RunningTarget, pki: LabPKI, **extra: object) -> AuditOptions:
    return AuditOptions(
        endpoint=f"127.0.0.1:{target.tls_port}",
        ca=pki.ca_cert,
        name="localhost",
        plain_port=tuple(p for p in (target.port,) if p),
        **extra,
    )  # type: ignore[arg-type]


def test_each_defect_is_named_with_its_evidence_and_fix(defective: RunningTarget, pki: LabPKI) -> None:
    report = audit(_options(defective, pki, ca_key=pki.dir / "ca.key", config=defective.conf_path))
    live = {f.check: f for f in report.findings if f.source is Source.LIVE}
    assert live["plaintext-port"].severity == "high"
    assert f"port {defective.port} answered PONG" in live["plaintext-port"].observed
    assert live["plaintext-port"].fix == ("port 0",)
    assert "PONG" in live["no-auth"].observed and live["no-auth"].fix[0].startswith("requirepass ")
    assert (
        "TLS_ECDHE_ECDSA_WITH_NULL_SHA" in live["weak-cipher"].title
        and live["weak-cipher"].severity == "high"
    )
    assert live["cert-expiry"].severity == "medium" and "expires in 9 day" in live["cert-expiry"].title
    assert live["client-cert-not-required"].title == "client certificates are optional"
    assert live["same-ca-client-accepted"].observed.endswith("PONG")
    assert "config-readable" in live
    pq = report.facts["post_quantum"]  # the hand-made hybrid-only hello got an answer either way
    assert pq["error"] == "" and (pq["offered"] or "no-pq-hybrid" in live)
    # a cert that names localhost, signed by the CA given, TLS 1.2+: these checks must stay quiet
    assert not {"cert-untrusted", "cert-name-mismatch", "tls-old-protocol", "cert-self-signed"} & set(live)
    # the file names the same defects (the cert file's expiry included)
    conf = _ids(report.findings, Source.CONFIG)
    for check in ("plaintext-port", "no-auth", "weak-cipher", "cert-expiry", "client-cert-not-required"):
        assert check in conf, check
    assert not [c for c in report.checks if c.status == "error"]
    text = render(report)
    assert "plaintext-port" in text and "port 0" in text


def test_cli_fails_on_high_and_writes_json_junit_html(
    defective: RunningTarget, pki: LabPKI, tmp_path: Path
) -> None:
    out = tmp_path / "audit.json"
    argv = [
        "audit",
        f"127.0.0.1:{defective.tls_port}",
        "--ca",
        str(pki.ca_cert),
        "--name",
        "localhost",
        "--plain-port",
        str(defective.port),
        "--json",
        str(out),
        "--junit",
        str(tmp_path / "j.xml"),
        "--html",
        str(tmp_path / "audit.html"),
    ]
    assert main([*argv, "--fail-on", "high"]) == 1
    data = json.loads(out.read_text())
    assert data["kind"] == "audit" and {"plaintext-port", "no-auth"} <= {f["check"] for f in data["findings"]}
    assert "<failure" in (tmp_path / "j.xml").read_text()
    page = (tmp_path / "audit.html").read_text()
    assert "Redis answers in clear on port" in page and "TLSv1.2" in page


def test_hardened_server_has_no_high_finding(hardened: RunningTarget, pki: LabPKI) -> None:
    report = audit(
        _options(
            hardened,
            pki,
            cert=pki.client.cert,
            key=pki.client.key,
            password=PASSWORD,
            config=hardened.conf_path,
        )
    )
    assert report.at_least("high") == (), render(report)
    tls = report.facts["tls"]
    assert tls["client_auth"] == "required"
    assert report.facts["redis"]["tls"]["exchanges"][0][1].startswith("(error) NOAUTH")
    assert report.facts["redis"]["authenticated"]["config"]  # the operator's view, read with the password
    assert PASSWORD not in json.dumps(report.to_dict())
    assert "<testsuite" in junit(report)


def test_required_client_cert_scanned_without_one(hardened: RunningTarget, pki: LabPKI) -> None:
    report = audit(_options(hardened, pki))
    assert report.facts["tls"]["client_auth"] == "required"
    assert [p["version"] for p in report.facts["tls"]["protocols"] if p["accepted"]] == ["TLSv1.2", "TLSv1.3"]
    assert "client-cert-not-required" not in {f.check for f in report.findings}


def test_unsaved_config_set_shows_as_drift(hardened: RunningTarget, pki: LabPKI) -> None:
    import ssl

    from lab.audit.endpoint import Endpoint
    from lab.audit.redisprobe import converse, probe_context

    ctx: ssl.SSLContext = probe_context(None, pki.client.cert, pki.client.key)
    ep = Endpoint("127.0.0.1", hardened.tls_port or 0)
    converse(ep, ctx, None, (("AUTH", PASSWORD), ("CONFIG", "SET", "protected-mode", "no")))
    try:
        report = audit(
            _options(
                hardened,
                pki,
                cert=pki.client.cert,
                key=pki.client.key,
                password=PASSWORD,
                config=hardened.conf_path,
            )
        )
    finally:
        converse(ep, ctx, None, (("AUTH", PASSWORD), ("CONFIG", "SET", "protected-mode", "yes")))
    drift = [f for f in report.findings if f.check == "config-drift"]
    assert [f.title for f in drift] == ["protected-mode differs: the server runs 'no'"]
    assert "protected-mode yes" in drift[0].observed


def test_non_loopback_target_is_refused(pki: LabPKI) -> None:
    assert main(["audit", "192.0.2.10:6380"]) == 2


def test_the_proposed_fixes_start_redis_server_and_clear_the_findings(
    defective: RunningTarget, pki: LabPKI, tmp_path: Path
) -> None:
    import socket
    import subprocess
    import time

    from lab.audit.prove import fixed_config
    from lab.pki import SERVER_NAMES

    if defective.spec.kind != "redis-server":
        return  # the claim is judged on redis-server
    before = audit(AuditOptions(config=defective.conf_path))
    text, actions = fixed_config(defective.conf_path.read_text(), before.findings)
    # cert-expiry's fix is a renewal at the same paths: issue the new cert there, as an operator would
    renewed = pki.ca.issue(*SERVER_NAMES).write(tmp_path, "renewed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conf = tmp_path / "fixed.conf"
    conf.write_text(
        text.replace(str(pki.dir / "server-10d.crt"), str(renewed.cert)).replace(
            str(pki.dir / "server-10d.key"), str(renewed.key)
        )
        + f"tls-port {port}\n"
    )
    proc = procs.spawn(["redis-server", str(conf)], cwd=tmp_path, stdout=subprocess.DEVNULL)
    try:
        password = next(line.split()[1] for line in text.splitlines() if line.startswith("requirepass "))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        assert proc.poll() is None, "redis-server refused the fixed config"
        after = audit(
            AuditOptions(
                endpoint=f"127.0.0.1:{port}",
                ca=pki.ca_cert,
                name="localhost",
                cert=pki.client.cert,
                key=pki.client.key,
                password=password,
                config=conf,
            )
        )
    finally:
        proc.terminate()
        proc.wait(10)
    gone = {
        "plaintext-port",
        "no-auth",
        "weak-cipher",
        "client-cert-not-required",
        "cert-expiry",
        "config-readable",
    }
    assert gone <= {f.check for f in before.findings} | {"config-readable"}
    assert not gone & {f.check for f in after.findings}, render(after)
    assert actions == ()
