"""Per-TCP-stream state built frame by frame from tshark's columns, then frozen into StreamInfo."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lab.analysis.certs import cert_info
from lab.analysis.model import (
    CertInfo,
    Confidence,
    Direction,
    Endpoint,
    Problem,
    RecordSize,
    StreamInfo,
    TlsAlert,
    Transport,
)
from lab.analysis.pcapread import PcapngSubset, RawPacket
from lab.analysis.reassembly import Reassembler
from lab.analysis.resp import RespStream
from lab.analysis.secrets import SecretFinder
from lab.analysis.tcpdecode import Segment
from lab.analysis.tlsrecords import ALERT, RecordScanner

TLS_VERSIONS = {0x0300: "SSLv3", 0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
DEFAULT_REDIS_PORTS = frozenset({6379})
# Column positions in tshark.FIELDS.
(
    F_FRAME,
    F_HSTYPE,
    F_HSVER,
    F_SUPVER,
    F_CIPHER,
    F_SNI,
    F_CERT,
    F_RANDOM,
    F_ALEVEL,
    F_ADESC,
    F_DATA,
) = range(11)
_SYN, _RST, _ACK = 0x02, 0x04, 0x10
PRE_TLS_KEEP = 16  # packets of a stream held until its first payload says whether it is TLS
_HS_CLIENT_HELLO, _HS_SERVER_HELLO, _HS_CERTIFICATE = "1", "2", "11"
_ALERT_LEVEL = {"1": "warning", "2": "fatal"}


def is_tls_start(payload: bytes) -> bool:
    """A TLS record header, or an SSLv2-format ClientHello (old clients offering SSLv2/SSLv3/TLS 1.0)."""
    if payload[:1] == b"\x16" and payload[1:2] == b"\x03":
        return True
    # SSLv2 record: 2-byte length with the top bit set, message type 1 (CLIENT-HELLO), version 0x0002-0x0303.
    return (
        len(payload) >= 5
        and payload[0] & 0x80 != 0
        and payload[2] == 1
        and payload[3] in (0, 3)
        and payload[4] <= 4
    )


def _ints(column: str) -> list[int]:
    return [int(v, 0) for v in column.split(",") if v]


@dataclass
class StreamState:
    stream: int
    a: Endpoint  # source of the first frame seen
    b: Endpoint
    first_frame: int
    client_is_a: bool | None = None
    transport: Transport = "empty"
    last_frame: int = 0
    packets: int = 0
    bytes_a: int = 0
    bytes_b: int = 0
    tls_version: str | None = None
    cipher: str | None = None
    sni: str | None = None
    client_hello_frame: int | None = None
    server_hello_frame: int | None = None
    client_random: str | None = None
    server_certs: tuple[CertInfo, ...] = ()
    client_certs: tuple[CertInfo, ...] | None = None  # None: no client Certificate message seen
    alerts: list[str] = field(default_factory=list)
    tls_alerts: list[TlsAlert] = field(default_factory=list)
    resets: int = 0
    decrypted: bool = False
    handshake_decrypted: bool = False
    records: list[RecordSize] = field(default_factory=list)
    held: list[tuple[RawPacket, bool]] = field(default_factory=list)  # (packet, from a) before any payload
    reassembly: dict[bool, Reassembler] = field(
        default_factory=lambda: {True: Reassembler(), False: Reassembler()}
    )
    resp: dict[bool, RespStream] = field(default_factory=dict)  # by "sent by the client"
    record_count: int = 0
    tls_scan: dict[bool, RecordScanner] = field(
        default_factory=lambda: {True: RecordScanner(), False: RecordScanner()}
    )
    subset_done: bool = False  # the handshake is over and nothing more is decryptable: tshark needs no more
    server_spoke_first: bool = False  # with the SYN seen: the server sent bytes before the client (not Redis)
    problems: list[Problem] = field(default_factory=list)


class StreamTable:
    """All TCP streams of a capture, fed frame by frame; `finish` returns frozen StreamInfos.

    TCP, plaintext RESP and secrets are handled here in Python; the frames of TLS streams are copied to
    `tls_subset` so tshark dissects only those, and its rows come back through `feed_tls`.
    """

    def __init__(
        self,
        redis_ports: frozenset[int],
        secrets: SecretFinder,
        tls_subset: PcapngSubset,
        transcript_limit: int = 1_000,
        record_limit: int = 100_000,
        decryptable: frozenset[str] | None = None,
    ) -> None:
        self.decryptable = decryptable  # client randoms of the key log; None: no key log
        self.redis_ports = redis_ports
        self.transcript_limit = transcript_limit
        self.record_limit = record_limit
        self.secrets = secrets
        self.streams: dict[int, StreamState] = {}
        self._by_tuple: dict[tuple[str, int, str, int], StreamState] = {}
        self._ciphers: dict[int, str] = {}
        self._alerts: dict[int, str] = {}
        self._subset = tls_subset
        self._subset_meta: list[tuple[StreamState, bool]] = []  # per subset frame: stream, sent by side a
        self.tcp_frames = 0

    def feed(self, packet: RawPacket, seg: Segment) -> None:
        self.tcp_frames += 1
        frame = packet.frame
        key = (seg.src, seg.sport, seg.dst, seg.dport)
        st = self._by_tuple.get(key)
        if st is None or (seg.flags & _SYN and not seg.flags & _ACK and (st.bytes_a or st.bytes_b)):
            st = StreamState(
                len(self.streams), Endpoint(seg.src, seg.sport), Endpoint(seg.dst, seg.dport), frame
            )
            st.resp = {
                True: RespStream("c2s", self.transcript_limit),
                False: RespStream("s2c", self.transcript_limit),
            }
            self.streams[st.stream] = st
            self._by_tuple[key] = self._by_tuple[(seg.dst, seg.dport, seg.src, seg.sport)] = st
        from_a = seg.src == st.a.host and seg.sport == st.a.port
        st.packets += 1
        st.last_frame = frame
        flags, payload = seg.flags, seg.payload
        if flags & _RST:
            st.resets += 1
        if flags & _SYN:
            if st.client_is_a is None:
                st.client_is_a = from_a == (not flags & _ACK)
            st.reassembly[from_a].syn(seg.seq)
        if st.transport == "tls" and not st.subset_done:
            self._to_subset(packet, st, from_a)
        elif st.transport == "empty" and not payload and len(st.held) < PRE_TLS_KEEP:
            st.held.append((packet, from_a))
        if not payload:
            return
        if from_a:
            st.bytes_a += len(payload)
        else:
            st.bytes_b += len(payload)
        if st.client_is_a is None:
            st.client_is_a = from_a == self._looks_like_client(seg.sport, seg.dport, payload)
        from_client = from_a == st.client_is_a
        direction: Direction = "c2s" if from_client else "s2c"
        if st.transport == "empty":
            st.server_spoke_first = not from_client
            st.transport = "tls" if is_tls_start(payload) else "plaintext"
            if st.transport == "tls":
                for held, held_from_a in st.held:
                    self._to_subset(held, st, held_from_a)
                self._to_subset(packet, st, from_a)
            st.held = []
        for piece, piece_frame in st.reassembly[from_a].push(seg.seq, payload, frame):
            self._in_order(st, from_client, direction, piece, piece_frame)
        if st.transport == "tls" and not st.subset_done:
            st.subset_done = self._handshake_over(st)
        if st.transport == "plaintext":
            self._record(st, frame, direction, len(payload))

    def _handshake_over(self, st: StreamState) -> bool:
        """True once both sides sent application data and no key can decrypt the rest."""
        if not (st.tls_scan[True].app_data_seen and st.tls_scan[False].app_data_seen):
            return False
        if self.decryptable is None:
            return True
        random = st.tls_scan[True].client_random
        return random is not None and random not in self.decryptable

    def _record(self, st: StreamState, frame: int, direction: Direction, length: int) -> None:
        st.record_count += 1
        if len(st.records) < self.record_limit:
            st.records.append(RecordSize(frame, direction, length))

    def _to_subset(self, packet: RawPacket, st: StreamState, from_a: bool) -> None:
        self._subset.write(packet)
        self._subset_meta.append((st, from_a))

    def _looks_like_client(self, sport: int, dport: int, payload: bytes) -> bool:
        """Who sent the first payload of a stream whose SYN is not in the capture."""
        # The ports decide first: a capture that starts mid-connection often starts with a server's reply,
        # and an array reply looks just like a command.
        if (dport in self.redis_ports) != (sport in self.redis_ports):
            return dport in self.redis_ports
        if is_tls_start(payload) and payload[5:6] != b"\x02":  # a handshake that is not a ServerHello
            return True
        if payload[:1] in (b"+", b"-", b":", b"$", b"%", b"_", b"|", b">"):
            return False  # RESP reply types a client never sends
        if payload[:1] == b"*":
            return True
        return sport > dport  # ephemeral ports are the high ones

    def _in_order(
        self, st: StreamState, from_client: bool, direction: Direction, data: bytes, frame: int
    ) -> None:
        self.secrets.feed(st.stream, direction, data, frame)
        if st.transport == "plaintext":
            st.resp[from_client].feed(data, frame)
            return
        for ctype, length in st.tls_scan[from_client].feed(data):
            self._record(st, frame, direction, length)
            if ctype == ALERT and st.subset_done:
                st.alerts.append(f"{direction} encrypted alert (frame {frame})")
                st.tls_alerts.append(TlsAlert(direction, "", "encrypted", frame))

    def tls_server_ports(self) -> tuple[int, ...]:
        """The server ports of the TLS streams (tshark is told they carry TLS)."""
        ports = set()
        for st in self.streams.values():
            if st.transport == "tls":
                client_is_a = st.client_is_a if st.client_is_a is not None else st.a.port > st.b.port
                ports.add(st.b.port if client_is_a else st.a.port)
        return tuple(sorted(ports))

    def name_values(self, names: dict[str, dict[int, str]]) -> None:
        """tshark's names for cipher suites and alerts, needed only when there is TLS to describe."""
        self._ciphers = names.get("tls.handshake.ciphersuite", {})
        self._alerts = names.get("tls.alert_message.desc", {})

    def feed_tls(self, c: Sequence[str]) -> None:
        """One tshark row for a frame of the TLS subset (frame numbers are the subset's).

        A row that cannot be read is a Problem of its stream, never the end of the analysis."""
        try:
            index = int(c[F_FRAME]) - 1
        except ValueError:
            return
        if not 0 <= index < len(self._subset_meta):
            return
        st, from_a = self._subset_meta[index]
        frame = self._subset.frames[index]
        try:
            self._tls_row(st, from_a, frame, c)
        except Exception as exc:
            st.problems.append(Problem(frame, f"TLS fields not readable: {type(exc).__name__}: {exc}"))

    def _tls_row(self, st: StreamState, from_a: bool, frame: int, c: Sequence[str]) -> None:
        from_client = from_a == st.client_is_a
        direction: Direction = "c2s" if from_client else "s2c"
        types = c[F_HSTYPE].split(",") if c[F_HSTYPE] else []
        if _HS_CLIENT_HELLO in types and from_client and st.client_hello_frame is None:
            st.client_hello_frame = frame
            st.sni = c[F_SNI] or None
            st.client_random = c[F_RANDOM].split(",")[0] or None
        if _HS_SERVER_HELLO in types and not from_client and st.server_hello_frame is None:
            st.server_hello_frame = frame
            versions = _ints(c[F_SUPVER]) or _ints(c[F_HSVER])
            if versions:
                st.tls_version = TLS_VERSIONS.get(versions[0], f"0x{versions[0]:04x}")
            ciphers = _ints(c[F_CIPHER])
            if ciphers:
                st.cipher = self._ciphers.get(ciphers[0], f"0x{ciphers[0]:04x}")
        if any(t not in ("1", "2") for t in types) and st.tls_version == "TLSv1.3":
            st.handshake_decrypted = True  # after ServerHello, TLS 1.3 handshake messages are encrypted
        if _HS_CERTIFICATE in types:
            clear = st.tls_version != "TLSv1.3"
            certs = tuple(
                info
                for der in c[F_CERT].split(",")
                if der
                if (info := cert_info(bytes.fromhex(der), frame, clear)) is not None
            )
            st.problems.extend(
                Problem(frame, f"certificate {cert.key_type} not parsed: {cert.parse_error}")
                for cert in certs
                if cert.parse_error
            )
            if from_client:
                st.client_certs = (st.client_certs or ()) + certs
            elif not st.server_certs:
                st.server_certs = certs
        if c[F_ADESC]:
            levels = c[F_ALEVEL].split(",")
            for i, desc in enumerate(_ints(c[F_ADESC])):
                level = _ALERT_LEVEL.get(levels[i] if i < len(levels) else "", "alert")
                name = self._alerts.get(desc, str(desc))
                st.alerts.append(f"{direction} {level} {name} (frame {frame})")
                st.tls_alerts.append(TlsAlert(direction, level, name, frame))
        if c[F_DATA]:
            st.decrypted = True
            data = b"".join(bytes.fromhex(h) for h in c[F_DATA].split(","))
            self.secrets.feed(st.stream, direction, data, frame, decrypted=True)
            st.resp[from_client].feed(data, frame)

    def flush(self) -> None:
        """End of the capture: deliver bytes held behind holes in the TCP data."""
        for st in self.streams.values():
            for from_a, asm in st.reassembly.items():
                from_client = from_a == st.client_is_a
                for piece, frame in asm.finish():
                    self._in_order(st, from_client, "c2s" if from_client else "s2c", piece, frame)

    def finish(self) -> tuple[StreamInfo, ...]:
        for st in self.streams.values():
            if st.client_random is None:
                st.client_random = st.tls_scan[True].client_random
        return tuple(self._freeze(st) for st in sorted(self.streams.values(), key=lambda s: s.stream))

    def _freeze(self, st: StreamState) -> StreamInfo:
        client_is_a = st.client_is_a if st.client_is_a is not None else st.a.port > st.b.port
        client, server = (st.a, st.b) if client_is_a else (st.b, st.a)
        bytes_c2s, bytes_s2c = (st.bytes_a, st.bytes_b) if client_is_a else (st.bytes_b, st.bytes_a)
        c2s, s2c = st.resp[True], st.resp[False]
        content = self._content_confidence(st)
        by_content = content is not Confidence.NONE
        by_port = server.port in self.redis_ports and st.transport != "empty"  # a bare SYN is no Redis
        evidence = "+".join(name for name, hit in (("port", by_port), ("content", by_content)) if hit)
        confidence = content if by_content else Confidence.PORT if by_port else Confidence.NONE
        transcript = tuple(sorted(c2s.lines + s2c.lines, key=lambda line: (line.last_frame, line.direction)))
        gaps = sum(asm.gaps for asm in st.reassembly.values())
        notes = [f"{d}: {r.broken}" for d, r in (("c2s", c2s), ("s2c", s2c)) if r.broken]
        if gaps:
            notes.append(f"{gaps} hole(s) in the captured TCP data: bytes missing from the capture")
        if c2s.count > len(c2s.lines) or s2c.count > len(s2c.lines):
            notes.append(f"transcript limited to the first {self.transcript_limit} messages per direction")
        if st.transport == "tls" and not st.decrypted:
            notes.append("TLS: no key log for this session, application data not readable")
        return StreamInfo(
            stream=st.stream,
            client=client,
            server=server,
            transport=st.transport,
            redis=bool(evidence),
            redis_evidence=evidence,
            first_frame=st.first_frame,
            last_frame=st.last_frame,
            packets=st.packets,
            bytes_c2s=bytes_c2s,
            bytes_s2c=bytes_s2c,
            tls_version=st.tls_version,
            cipher=st.cipher,
            sni=st.sni,
            server_certs=st.server_certs,
            client_cert_present=self._client_cert_present(st),
            client_certs=st.client_certs or (),
            alerts=tuple(st.alerts),
            decrypted=st.decrypted,
            client_hello_frame=st.client_hello_frame,
            server_hello_frame=st.server_hello_frame,
            transcript=transcript if st.transport == "plaintext" or st.decrypted else (),
            transcript_note="; ".join(notes),
            commands=c2s.count,
            replies=s2c.count,
            auth_frames=tuple(c2s.auth_frames),
            record_sizes=tuple(st.records),
            records=st.record_count,
            problems=tuple(st.problems),
            tls_alerts=tuple(st.tls_alerts),
            resets=st.resets,
            redis_confidence=confidence,
        )

    @staticmethod
    def _content_confidence(st: StreamState) -> Confidence:
        """Positive RESP evidence only: any text line parses as an inline command, lines alone prove nothing.

        CERTAIN: Redis-named commands answered by RESP replies (arrays, or text lines that all name Redis
        commands). LIKELY: arrays of bulk strings naming Redis commands with no reply seen (a silent or
        unseen server). A server that speaks first (banner protocols: POP3, FTP, SMTP) is never Redis.
        """
        c2s, s2c = st.resp[True], st.resp[False]
        if not c2s.first_is_command or c2s.broken or s2c.broken or st.server_spoke_first:
            return Confidence.NONE
        if c2s.unknown_names * 2 > c2s.count:  # mostly non-Redis words; a few may be typos or modules
            return Confidence.NONE
        if c2s.inline and c2s.unknown_names:
            return Confidence.NONE  # text lines that are not all Redis commands: another text protocol
        if s2c.count:
            return Confidence.CERTAIN
        return Confidence.LIKELY if c2s.multibulk else Confidence.NONE

    @staticmethod
    def _client_cert_present(st: StreamState) -> bool | None:
        if st.transport != "tls" or st.server_hello_frame is None:
            return None
        if st.client_certs is not None:
            return bool(st.client_certs)
        if st.tls_version == "TLSv1.3" and not st.handshake_decrypted:
            return None  # the client's Certificate message, if any, is encrypted
        return False
