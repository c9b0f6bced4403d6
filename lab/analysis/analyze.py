"""analyze(capture) → CaptureReport: one streaming tshark pass, per-stream state, then the checks."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from lab.analysis.checks import run_checks
from lab.analysis.keylog import client_randoms
from lab.analysis.model import CaptureReport, ReadStats
from lab.analysis.secrets import SecretFinder
from lab.analysis.streams import DEFAULT_REDIS_PORTS, StreamTable
from lab.analysis.tshark import TsharkOutcome, rows, value_names
from lab.errors import UserError

NAMED_FIELDS = ("tls.handshake.ciphersuite", "tls.alert_message.desc")


def analyze(
    path: Path,
    keylog: Path | None = None,
    ports: Sequence[int] = (),
    secrets: Sequence[str | bytes] = (),
) -> CaptureReport:
    """Analyse a pcap/pcapng. `ports`: where Redis listens (6379 always counts); `secrets`: values to trace.

    Raises lab.errors.UserError for input that cannot be analysed (missing file, not a capture, not a key
    log, a key log with no keys for any TLS session in the capture).
    """
    started = time.monotonic()
    known = client_randoms(keylog) if keylog is not None else None
    finder = SecretFinder([s.encode() if isinstance(s, str) else s for s in secrets])
    table = StreamTable(DEFAULT_REDIS_PORTS | frozenset(ports), finder, value_names(NAMED_FIELDS))
    outcome: list[TsharkOutcome] = []
    for columns in rows(path, keylog, outcome):
        table.feed(columns)
    streams = table.finish()
    if keylog is not None and known is not None:
        randoms = {st.client_random for st in table.streams.values() if st.client_random}
        if randoms and not randoms & known:
            raise UserError(
                f"key log {keylog} holds no keys for any of the {len(randoms)} TLS session(s) in {path}: "
                "pass the key log written while this capture was taken"
            )
    read = ReadStats(
        packets=table.frames,
        tcp_packets=table.tcp_frames,
        truncated=outcome[0].truncated if outcome else False,
        message=outcome[0].message if outcome else "",
    )
    exposures = finder.exposures()
    checks = run_checks(streams, exposures)
    return CaptureReport(
        path=path,
        keylog=keylog,
        read=read,
        streams=streams,
        exposures=exposures,
        checks=checks,
        seconds=time.monotonic() - started,
    )
