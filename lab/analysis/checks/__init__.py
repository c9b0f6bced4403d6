"""The observatory's checks: one module and one CHECKS line each. A failing check is reported, not raised."""

from __future__ import annotations

import datetime as dt
from types import ModuleType

from lab.analysis.checks import (
    cert_self_signed,
    cert_validity,
    client_cert_in_clear,
    no_sni,
    plaintext_redis,
    secrets_in_clear,
    tls_version,
    unparsed,
    weak_cipher,
)
from lab.analysis.checks.base import CheckContext
from lab.analysis.model import CheckResult, Finding, SecretExposure, StreamInfo, run_check_modules

CHECKS: tuple[ModuleType, ...] = (
    plaintext_redis,
    secrets_in_clear,
    tls_version,
    weak_cipher,
    cert_validity,
    cert_self_signed,
    client_cert_in_clear,
    no_sni,
    unparsed,
)


def run_checks(
    streams: tuple[StreamInfo, ...], exposures: tuple[SecretExposure, ...], now: dt.datetime | None = None
) -> tuple[CheckResult[Finding], ...]:
    return run_check_modules(CHECKS, CheckContext(streams, exposures, now or dt.datetime.now(dt.UTC)))
