"""tshark as a streaming field extractor: one tab-separated line per frame, never the whole file in memory.

Measured here (600k-packet redis-benchmark capture, 2 vCPU): tshark dissecting every frame runs at ~15-20k
packets/s even printing one field, so it only sees the TLS streams' handshakes (and sessions the key log can
decrypt); pyshark builds per-packet objects on top of tshark, so it can only be slower.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lab import procs
from lab.analysis.pcapread import require_capture
from lab.analysis.tshark_tables import cached, scan_values
from lab.errors import UserError

# Order matters: Row reads the columns by position.
FIELDS: tuple[str, ...] = (
    "frame.number",
    "tls.handshake.type",
    "tls.handshake.version",
    "tls.handshake.extensions.supported_version",
    "tls.handshake.ciphersuite",
    "tls.handshake.extensions_server_name",
    "tls.handshake.certificate",
    "tls.handshake.random",
    "tls.alert_message.level",
    "tls.alert_message.desc",
    "data.data",
)
_TRUNCATED = ("cut short in the middle of a packet", "appears to be damaged or corrupt")
_NOT_CAPTURE = ("isn't a capture file", "unknown file format", "isn't a", "is not a capture")


@dataclass(frozen=True)
class TsharkOutcome:
    truncated: bool
    message: str


def tshark_binary() -> str:
    path = shutil.which("tshark")
    if path is None:
        raise UserError("tshark not found: install it with `apt-get install tshark`")
    return path


@functools.cache  # one read per process; on disk per tshark binary (tshark_tables)
def app_protocols() -> tuple[str, ...]:
    """Every protocol tshark would hand decrypted TLS bytes to (by port, ALPN or heuristic).

    Disabled for the TLS subset, so decrypted application data always comes out as `data.data`, on 443
    as on any port; the lab reads RESP (or learns it is not RESP) itself.
    """
    binary = tshark_binary()
    return tuple(cached(binary, "app-protocols", lambda: list(_read_app_protocols(binary))))


def _read_app_protocols(binary: str) -> tuple[str, ...]:
    names = {"http", "http2"}  # ALPN h2 / http/1.1
    decodes = procs.run([binary, "-G", "decodes"], capture_output=True, text=True, timeout=60)
    for line in decodes.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0] == "tls.port":
            names.add(parts[2])
    heuristics = procs.run(
        [binary, "-G", "heuristic-decodes"], capture_output=True, text=True, timeout=60
    )
    for line in heuristics.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0] == "tls":
            names.add(parts[1])
    return tuple(sorted(n for n in names if n and n not in ("data", "tls")))


def _command(path: Path, keylog: Path | None, tls_ports: Sequence[int] = ()) -> list[str]:
    cmd = [
        tshark_binary(),
        "-r",
        str(path),
        "-n",
        # Our own RESP parser reads every port and decrypted TLS; Wireshark's would claim port 6379 and
        # hide TLS there from the TLS heuristic.
        "--disable-protocol",
        "resp",
        "-T",
        "fields",
        "-E",
        "separator=/t",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
    ]
    if keylog is not None:
        cmd += ["-o", f"tls.keylog_file:{keylog}"]
    for proto in app_protocols():
        cmd += ["--disable-protocol", proto]
    # The lab already knows these streams are TLS (it read their first bytes): say so, so that TLS on port
    # 80 or an SSLv2-format ClientHello is dissected as TLS, not as whatever the port usually carries.
    for port in sorted(set(tls_ports)):
        cmd += ["-d", f"tcp.port=={int(port)},tls"]
    for field in FIELDS:
        cmd += ["-e", field]
    return cmd


def rows(
    path: Path, keylog: Path | None, outcome: list[TsharkOutcome], tls_ports: Sequence[int] = ()
) -> Iterator[Sequence[str]]:
    """Yield the field columns of each TLS frame; append the read outcome to `outcome` when done.

    Raises UserError for a missing file or a file that is not a capture.
    """
    require_capture(path)
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        proc = procs.spawn(
            _command(path, keylog, tls_ports),
            stdout=subprocess.PIPE,
            stderr=err,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            bufsize=1 << 20,
        )
        try:
            assert proc.stdout is not None
            width = len(FIELDS)
            for line in proc.stdout:
                cols = line.rstrip("\n").split("\t")
                if len(cols) == width:
                    yield cols
            proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        message = " ".join(ln.strip() for ln in err if ln.strip() and "Running as user" not in ln)
    if proc.returncode != 0:
        low = message.lower()
        if any(marker in low for marker in _TRUNCATED):
            outcome.append(TsharkOutcome(True, message))
            return
        if any(marker in low for marker in _NOT_CAPTURE):
            raise UserError(f"{path} is not a capture file tshark can read (pcap/pcapng expected): {message}")
        raise UserError(f"tshark could not read {path}: {message or f'exit code {proc.returncode}'}")
    outcome.append(TsharkOutcome(False, message))


@functools.cache  # one read per process; on disk per tshark binary (tshark_tables)
def value_names(fields: tuple[str, ...]) -> dict[str, dict[int, str]]:
    """tshark's own value strings per field (cipher suite ids → IANA names, alert codes → text)."""
    binary = tshark_binary()
    raw = cached(binary, "values:" + ",".join(fields), lambda: scan_values(binary, fields))
    return {f: {int(k): str(v) for k, v in raw.get(f, {}).items()} for f in fields}  # JSON keys are text
