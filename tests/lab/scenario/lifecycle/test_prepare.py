"""lab.scenario.lifecycle.prepare: run folders, one CA per scenario, the cert each case's server presents."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cryptography import x509

from lab.scenario.lifecycle.prepare import RunPaths, prepare
from lab.scenario.loader import REGISTRIES
from lab.scenario.schema import parse_scenario

DOC = {
    "name": "s",
    "title": "T",
    "story": "S",
    "claim": {"kind": "promise", "text": "C"},
    "remediation": {"summary": "R", "advice": True},
    "target": {"plaintext": False, "tls": True},
    "workload": {"name": "ping"},
    "expect": [{"kind": "target-start", "starts": True}],
}


def test_run_ids_are_unique_and_paths_absolute(tmp_path: Path) -> None:
    os.chdir(tmp_path)
    a, b = RunPaths.new(Path(".")), RunPaths.new(Path("."))
    assert a.run_id != b.run_id and a.out.is_absolute()
    assert a.reports.is_dir() and a.captures.is_dir() and a.reports == tmp_path / "reports" / a.run_id


def test_cases_get_their_certs_and_capture_names(tmp_path: Path) -> None:
    cases = [
        {"name": "good"},
        {"name": "old", "target": {"server-cert": "expired"}, "capture": False},
        {"name": "bare", "target": {"server-cert": "none"}},
    ]
    scenario = parse_scenario(dict(DOC, case=cases), Path("s.toml"), REGISTRIES)
    paths = RunPaths.new(tmp_path)
    good, old, bare = prepare(scenario, paths)
    assert good.pki is not None and good.server_cert == good.pki.server
    assert good.pcap == paths.captures / "s--good.pcapng" and old.pcap is None
    assert old.server_cert is not None
    expired = x509.load_pem_x509_certificate(old.server_cert.cert.read_bytes())
    assert expired.not_valid_after_utc < dt.datetime.now(dt.UTC)
    assert bare.pki is None and bare.server_cert is None
    assert good.workdir != old.workdir and good.workdir.parent == paths.captures / "work" / "s"


def test_a_single_case_capture_is_named_after_the_scenario(tmp_path: Path) -> None:
    (only,) = prepare(parse_scenario(DOC, Path("s.toml"), REGISTRIES), RunPaths.new(tmp_path))
    assert only.pcap is not None and only.pcap.name == "s.pcapng"
