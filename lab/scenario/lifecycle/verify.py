"""Step 5, verify: turn what a case left behind into CaseEvidence, then judge every expectation.

Evidence comes from the clients and workload (already data), the capture (analysed once, with the key
log when there is one: exposures in clear and what the passive observer saw are kept apart by the
analysis itself), and the server's data files after it stopped (secrets at rest).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from lab.analysis.analyze import analyze
from lab.analysis.model import CaptureReport
from lab.analysis.secrets import mask
from lab.capture import CaptureResult
from lab.errors import UserError
from lab.scenario.evidence import CaptureEvidence, CaseEvidence, Exposure, Secret, StreamSummary
from lab.scenario.expectations import Check, evaluate
from lab.scenario.lifecycle.disk import exposures, scan_disk
from lab.scenario.results import ExpectationResult
from lab.scenario.schema import Scenario


def _streams(report: CaptureReport) -> tuple[StreamSummary, ...]:
    return tuple(
        StreamSummary(
            server_port=s.server.port,
            transport=s.transport,
            tls_version=s.tls_version,
            cipher=s.cipher,
            sni=s.sni,
            server_cert_visible=any(c.visible_without_keys for c in s.server_certs),
            client_cert_visible=any(c.visible_without_keys for c in s.client_certs),
            alerts=s.alerts,
            record_sizes=tuple(r.length for r in s.record_sizes),
            server_cert_serial=s.server_certs[0].serial or None if s.server_certs else None,
            server_cert_sha256=s.server_certs[0].sha256 or None if s.server_certs else None,
        )
        for s in report.streams
        if s.transport != "empty"
    )


def analyse_capture(result: CaptureResult, secrets: Sequence[Secret]) -> CaptureEvidence:
    """Analyse the pcapng; exposures are frames where a secret is readable *without* the key log."""
    values = [s.value for s in secrets]
    try:
        report = analyze(result.path, keylog=result.keylog, ports=result.ports, secrets=values)
    except UserError:
        if result.keylog is None:
            raise
        # a key log with no session of this capture (every handshake failed): the passive view is all there is
        report = analyze(result.path, ports=result.ports, secrets=values)
    by_mask = {mask(s.value.encode()): s.label for s in secrets}
    # the lab's own test secrets: the page shows the exact bytes read, the secret highlighted
    value_of = {mask(s.value.encode()): s.value for s in secrets}
    port_of = {s.stream: s.server.port for s in report.streams}
    exposures = tuple(
        Exposure(
            label=by_mask.get(x.label, x.label),
            frames=x.frames,
            ports=tuple(sorted({port_of[n] for n in x.streams if n in port_of})),
            decrypted_frames=x.decrypted_frames,
            excerpts=tuple(replace(e, secret=value_of.get(e.secret, e.secret)) for e in x.excerpts),
        )
        for x in report.exposures
        if x.frames or x.decrypted_frames
    )
    commands = sum(
        1 for s in report.streams if s.decrypted for line in s.transcript if line.direction == "c2s"
    )
    return CaptureEvidence(
        pcap=str(result.path),
        keylog=str(result.keylog) if result.keylog else None,
        method=result.method,
        packets=result.packets,
        streams=_streams(report),
        exposures=exposures,
        decrypted_commands=commands,
        findings=tuple(
            {"check": f.check, "severity": f.severity, "title": f.title, "frames": list(f.evidence[:20])}
            for f in report.findings
        ),
    )


def scan_at_rest(data_dir: Path | None, secrets: Sequence[Secret],
                 config: Path | None = None) -> tuple[Exposure, ...]:
    """Which files on the server's disk hold each secret byte for byte, as anyone with disk access sees:
    the data files (AOF parts, RDB), the server's redis.conf (`requirepass` is written there in clear) and
    the TLS key it names."""
    return exposures(scan_disk(data_dir, secrets, config), secrets)


def judge(scenario: Scenario, evidence: Mapping[str, CaseEvidence]) -> tuple[ExpectationResult, ...]:
    """Every expectation against every case it names, in file order; a case that never ran fails them.
    An expectation for another target than the cases ran on is left to `not_judged`."""
    return _judge(scenario, evidence, judged=True)


def not_judged(scenario: Scenario, evidence: Mapping[str, CaseEvidence]) -> tuple[ExpectationResult, ...]:
    """The expectations for the other target, evaluated on this target's evidence only to show what it
    holds here: they never count towards the verdict."""
    return _judge(scenario, evidence, judged=False)


def _judge(scenario: Scenario, evidence: Mapping[str, CaseEvidence],
           judged: bool) -> tuple[ExpectationResult, ...]:
    out = []
    for exp in scenario.expect:
        for case in exp.cases:
            ev = evidence.get(case)
            if ev is not None and exp.judged_on(ev.target_kind) != judged:
                continue
            if ev is None:
                if judged:
                    out.append(ExpectationResult(exp.kind, case, "(case did not run)", None, False,
                                                 target=exp.target))
                continue
            try:
                check = evaluate(exp.kind, exp.params, ev)
            except Exception as exc:  # a broken check must not hide the others
                check = Check(False, exp.kind, f"cannot evaluate: {type(exc).__name__}: {exc}")
            out.append(ExpectationResult(exp.kind, case, check.expected, check.observed, check.met,
                                         check.evidence, exp.target))
    return tuple(out)
