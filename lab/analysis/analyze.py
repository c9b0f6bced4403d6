"""analyze(capture) → CaptureReport: one streaming pass in Python, tshark on the TLS streams only, checks."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from lab.analysis.checks import run_checks
from lab.analysis.keylog import client_randoms
from lab.analysis.model import CaptureReport, ReadStats, Skipped
from lab.analysis.pcapread import PcapngSubset, ReadState, read_packets
from lab.analysis.secrets import SecretFinder
from lab.analysis.streams import DEFAULT_REDIS_PORTS, StreamTable
from lab.analysis.tcpdecode import decode
from lab.analysis.tshark import TsharkOutcome, rows, value_names
from lab.analysis.tunnels import unwrap
from lab.errors import UserError

NAMED_FIELDS = ("tls.handshake.ciphersuite", "tls.alert_message.desc")


def analyze(
    path: Path,
    keylog: Path | None = None,
    ports: Sequence[int] = (),
    secrets: Sequence[str | bytes] = (),
    transcript_limit: int = 1_000,
    require_keys: bool = True,
) -> CaptureReport:
    """Analyse a pcap/pcapng. `ports`: where Redis listens (6379 always counts); `secrets`: values to trace.

    `require_keys=False` accepts a key log with no keys for this capture (a live watch: the keys of a
    session may be written after its first packets were analysed).
    `transcript_limit` bounds the RESP lines kept per stream direction (all are parsed and counted).

    Raises lab.errors.UserError for input that cannot be analysed (missing file, not a capture, not a key
    log, a key log with no keys for any TLS session in the capture). A truncated capture is not an error:
    what was read is analysed and `report.read` says where it stopped.
    """
    started = time.monotonic()
    if keylog is not None and not require_keys and keylog.is_file() and keylog.stat().st_size == 0:
        keylog = None  # no client has written a key yet
    known = client_randoms(keylog) if keylog is not None else None
    finder = SecretFinder([s.encode() if isinstance(s, str) else s for s in secrets])
    state = ReadState()
    with tempfile.TemporaryDirectory(prefix="tlslab-analyze-") as tmp:
        subset_path = Path(tmp) / "tls-streams.pcapng"
        with subset_path.open("wb") as out:
            subset = PcapngSubset(out, state.linktypes)
            table = StreamTable(
                DEFAULT_REDIS_PORTS | frozenset(ports), finder, subset, transcript_limit, decryptable=known
            )
            skipped: dict[str, list[int]] = {}  # reason -> [frames, first frame]
            for packet in read_packets(path, state):
                segment = decode(packet.linktype, packet.data)
                if segment is None:
                    inner = unwrap(packet.linktype, packet.data)
                    if isinstance(inner, str):
                        count = skipped.setdefault(inner, [0, packet.frame])
                        count[0] += 1
                        continue
                    segment = inner
                table.feed(packet, segment)
        table.flush()
        outcome: list[TsharkOutcome] = []
        if subset.frames:
            table.name_values(value_names(NAMED_FIELDS))
            for columns in rows(subset_path, keylog, outcome, table.tls_server_ports()):
                table.feed_tls(columns)
    streams = table.finish()
    if known is not None and require_keys:
        randoms = {st.client_random for st in table.streams.values() if st.client_random}
        if randoms and not randoms & known:
            raise UserError(
                f"key log {keylog} holds no keys for any of the {len(randoms)} TLS session(s) in {path}: "
                "pass the key log written while this capture was taken"
            )
    read = ReadStats(
        packets=state.packets,
        tcp_packets=table.tcp_frames,
        truncated=state.truncated,
        message=state.message,
        skipped=tuple(Skipped(reason, n, first) for reason, (n, first) in sorted(skipped.items())),
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
