"""The TLS side of a live audit, with sslyze as the engine: one scan, its results as frozen facts.

sslyze is imported inside `scan` (it is heavy); each scan command that fails is kept as an error string
beside the facts of those that completed, never raised.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.audit.certfacts import CertFacts, cert_facts
from lab.audit.endpoint import Endpoint

PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")  # Redis's tls-protocols spelling


class ClientAuth(enum.Enum):
    """What the server does about client certificates (Redis: tls-auth-clients yes / optional / no)."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    NOT_ASKED = "not-asked"


@dataclass(frozen=True)
class ProtocolSupport:
    version: str  # PROTOCOLS spelling
    accepted: bool | None  # None: the scan of this version failed (see TlsFacts.errors)
    ciphers: tuple[str, ...]  # IANA names of the accepted suites


@dataclass(frozen=True)
class TlsFacts:
    reachable: bool
    error: str  # why the server could not be scanned (reachable False)
    client_auth: ClientAuth | None
    protocols: tuple[ProtocolSupport, ...]
    groups: tuple[str, ...]  # key-exchange groups the server accepts (sslyze's ECDH group scan)
    chain: tuple[CertFacts, ...]  # as the server sent it, leaf first
    chain_trusted: bool | None  # against the --ca file; None when no CA was given
    trust_error: str
    session_id_resumption: str | None  # sslyze's verdict: FULLY_SUPPORTED, PARTIALLY_SUPPORTED, NOT_SUPPORTED
    ticket_resumption: str | None
    secure_renegotiation: bool | None
    client_renegotiation: bool | None  # the server accepts client-initiated renegotiation (DoS lever)
    compression: bool | None
    errors: tuple[str, ...]  # scan commands that failed, in sslyze's words

    def accepted(self, version: str) -> bool:
        return any(p.version == version and p.accepted for p in self.protocols)

    @property
    def accepted_versions(self) -> tuple[str, ...]:
        return tuple(p.version for p in self.protocols if p.accepted)

    @property
    def leaf(self) -> CertFacts | None:
        return self.chain[0] if self.chain else None


def unreachable(error: str) -> TlsFacts:
    return TlsFacts(False, error, None, (), (), (), None, "", None, None, None, None, None, ())


def _command_result(attempt: Any, name: str, errors: list[str]) -> Any:
    if attempt.status.name == "COMPLETED":
        return attempt.result
    reason = attempt.error_reason.name if attempt.error_reason is not None else "ERROR"
    trace = str(attempt.error_trace or "").strip().splitlines()
    errors.append(f"{name}: {reason}" + (f" ({trace[-1]})" if trace else ""))
    return None


def scan(
    endpoint: Endpoint,
    server_name: str | None = None,
    ca_file: Path | None = None,
    client_cert: Path | None = None,
    client_key: Path | None = None,
    now: dt.datetime | None = None,
) -> TlsFacts:
    """Scan the TLS listener at endpoint (SNI server_name), verifying the chain against ca_file."""
    import sslyze

    cmd = sslyze.ScanCommand
    per_version = {
        "SSLv2": cmd.SSL_2_0_CIPHER_SUITES, "SSLv3": cmd.SSL_3_0_CIPHER_SUITES,
        "TLSv1": cmd.TLS_1_0_CIPHER_SUITES, "TLSv1.1": cmd.TLS_1_1_CIPHER_SUITES,
        "TLSv1.2": cmd.TLS_1_2_CIPHER_SUITES, "TLSv1.3": cmd.TLS_1_3_CIPHER_SUITES,
    }  # fmt: skip
    credentials = None
    if client_cert is not None:
        credentials = sslyze.ClientAuthenticationCredentials(
            certificate_chain_path=client_cert, key_path=client_key or client_cert
        )
    location = sslyze.ServerNetworkLocation(
        server_name or endpoint.host, endpoint.port, ip_address=_address(endpoint.host)
    )
    network = sslyze.ServerNetworkConfiguration(
        tls_server_name_indication=server_name or endpoint.host,
        tls_client_auth_credentials=credentials,
        network_timeout=5,
    )
    extra = sslyze.ScanCommandsExtraArguments(
        certificate_info=sslyze.CertificateInfoExtraArgument(custom_ca_file=ca_file) if ca_file else None
    )
    request = sslyze.ServerScanRequest(
        server_location=location,
        network_configuration=network,
        scan_commands={
            *per_version.values(),
            cmd.CERTIFICATE_INFO,
            cmd.ELLIPTIC_CURVES,
            cmd.SESSION_RESUMPTION,
            cmd.SESSION_RENEGOTIATION,
            cmd.TLS_COMPRESSION,
        },
        scan_commands_extra_arguments=extra,
    )
    scanner = sslyze.Scanner(per_server_concurrent_connections_limit=4)
    scanner.queue_scans([request])
    result = next(iter(scanner.get_results()))
    if result.connectivity_status.name != "COMPLETED" or result.scan_result is None:
        return unreachable(str(result.connectivity_error_trace or result.connectivity_status.name))
    probing = result.connectivity_result
    auth = {
        "REQUIRED": ClientAuth.REQUIRED,
        "OPTIONAL": ClientAuth.OPTIONAL,
        "DISABLED": ClientAuth.NOT_ASKED,
    }
    if credentials is not None:
        # with a certificate in hand sslyze does not ask whether one is needed: ask without it, once
        from sslyze.errors import ConnectionToServerFailed
        from sslyze.server_connectivity import check_connectivity_to_server

        bare = sslyze.ServerNetworkConfiguration(
            tls_server_name_indication=network.tls_server_name_indication, network_timeout=5
        )
        try:
            probing = check_connectivity_to_server(location, bare)
        except ConnectionToServerFailed:
            probing = None
    client_auth = auth[probing.client_auth_requirement.name] if probing is not None else None
    sr = result.scan_result
    errors: list[str] = []
    protocols = []
    for version, command in per_version.items():
        attempt = getattr(sr, command.value)
        res = _command_result(attempt, version, errors)
        ciphers = tuple(c.cipher_suite.name for c in res.accepted_cipher_suites) if res is not None else ()
        protocols.append(ProtocolSupport(version, bool(ciphers) if res is not None else None, ciphers))
    curves = _command_result(sr.elliptic_curves, "groups", errors)
    groups = tuple(c.name for c in curves.supported_curves or ()) if curves is not None else ()
    chain: tuple[CertFacts, ...] = ()
    trusted: bool | None = None
    trust_error = ""
    info = _command_result(sr.certificate_info, "certificate", errors)
    when = now or dt.datetime.now(dt.UTC)
    if info is not None and info.certificate_deployments:
        deployment = info.certificate_deployments[0]
        chain = tuple(cert_facts(c, when) for c in deployment.received_certificate_chain)
        if ca_file is not None:
            custom = [p for p in deployment.path_validation_results if p.trust_store.path == ca_file]
            trusted = bool(custom) and custom[0].was_validation_successful
            trust_error = str(custom[0].validation_error or "") if custom else "no result for the CA file"
    resumption = _command_result(sr.session_resumption, "resumption", errors)
    reneg = _command_result(sr.session_renegotiation, "renegotiation", errors)
    compression = _command_result(sr.tls_compression, "compression", errors)
    return TlsFacts(
        reachable=True,
        error="",
        client_auth=client_auth,
        protocols=tuple(protocols),
        groups=groups,
        chain=chain,
        chain_trusted=trusted,
        trust_error=trust_error,
        session_id_resumption=resumption.session_id_resumption_result.name if resumption else None,
        ticket_resumption=resumption.tls_ticket_resumption_result.name if resumption else None,
        secure_renegotiation=reneg.supports_secure_renegotiation if reneg else None,
        client_renegotiation=reneg.is_vulnerable_to_client_renegotiation_dos if reneg else None,
        compression=compression.supports_compression if compression else None,
        errors=tuple(errors),
    )


def _address(host: str) -> str:
    import socket

    try:
        return str(socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)[0][4][0])
    except socket.gaierror:
        return host  # sslyze reports the failure to connect, as data
