"""Step 1, prepare: where a run writes, and the certificates each case's server will present."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from lab.pki import CertFiles, LabPKI
from lab.scenario.schema import Case, Scenario


@dataclass(frozen=True)
class RunPaths:
    """reports/<run-id>/ for results, captures/<run-id>/ for evidence (pcapng, key logs, work dirs)."""

    out: Path
    run_id: str

    @property
    def reports(self) -> Path:
        return self.out / "reports" / self.run_id

    @property
    def captures(self) -> Path:
        return self.out / "captures" / self.run_id

    @classmethod
    def new(cls, out: Path) -> RunPaths:
        """A fresh run id from the clock (a suffix when two runs start in the same second)."""
        out = out.resolve()  # servers run with their workdir as cwd: every path handed to them is absolute
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        (out / "reports").mkdir(parents=True, exist_ok=True)
        (out / "captures").mkdir(parents=True, exist_ok=True)
        n = 1
        while True:  # mkdir is the claim: two runs starting in the same second (both targets) get two ids
            run_id = stamp if n == 1 else f"{stamp}-{n}"
            n += 1
            paths = cls(out, run_id)
            try:
                paths.reports.mkdir()
            except FileExistsError:
                continue
            try:
                paths.captures.mkdir()
            except FileExistsError:
                paths.reports.rmdir()
                continue
            return paths


@dataclass(frozen=True)
class PreparedCase:
    case: Case
    workdir: Path  # redis.conf, server.log, data/ (the AOF) of this case's server
    pki: LabPKI | None  # None when the server must start without any TLS files
    server_cert: CertFiles | None
    pcap: Path | None  # where the capture goes, None when the case captures nothing


def _server_cert(pki: LabPKI, case: Case) -> CertFiles | None:
    choice = case.server_cert
    if choice == "valid":
        return pki.server
    return None if choice == "none" else pki.server_with(choice)


def prepare(scenario: Scenario, paths: RunPaths) -> tuple[PreparedCase, ...]:
    """One CA per scenario (its cases share it, as servers of one organisation would); certs per case."""
    base = paths.captures / "work" / scenario.name
    pki = LabPKI.create(base / "pki")
    single = sum(not c.fix for c in scenario.cases) == 1  # the fix case does not rename the main capture
    out = []
    for case in scenario.cases:
        stem = scenario.name if single and not case.fix else f"{scenario.name}--{case.name}"
        no_tls_files = case.server_cert == "none"
        out.append(
            PreparedCase(
                case=case,
                workdir=base / case.name,
                pki=None if no_tls_files else pki,
                server_cert=_server_cert(pki, case),
                pcap=paths.captures / f"{stem}.pcapng" if case.capture else None,
            )
        )
    return tuple(out)
