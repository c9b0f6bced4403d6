"""Inputs for the check tests: StreamInfo built from real lab.pki certificates (data, not mocks)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from lab.analysis.certs import cert_info
from lab.analysis.checks.base import CheckContext
from lab.analysis.model import CertInfo, Endpoint, SecretExposure, StreamInfo
from lab.pki import CA, Defect

NOW = dt.datetime.now(dt.UTC)
_CA = CA()


def cert(
    defect: Defect | None = None, purpose: str = "server", visible: bool = True, days: int = 365
) -> CertInfo:
    pem = _CA.issue("localhost", purpose=purpose, defect=defect, valid_days=days).cert_pem  # type: ignore[arg-type]
    info = cert_info(x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER), 12, visible)
    assert info is not None
    return info


def tls_stream(**changes: object) -> StreamInfo:
    base = StreamInfo(
        stream=3,
        client=Endpoint("127.0.0.1", 50000),
        server=Endpoint("127.0.0.1", 6380),
        transport="tls",
        redis=True,
        redis_evidence="port",
        first_frame=1,
        last_frame=40,
        packets=40,
        bytes_c2s=900,
        bytes_s2c=2000,
        tls_version="TLSv1.3",
        cipher="TLS_AES_256_GCM_SHA384",
        sni="localhost",
        client_hello_frame=4,
        server_hello_frame=6,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def ctx(*streams: StreamInfo, exposures: tuple[SecretExposure, ...] = ()) -> CheckContext:
    return CheckContext(streams, exposures, NOW)
