"""The audit's checks: one module and one CHECKS line each. A failing check is reported, not raised."""

from __future__ import annotations

from types import ModuleType

from lab.analysis.model import run_check_modules
from lab.audit.checks import (
    admin_readable,
    bind_all,
    cert_expiry,
    cert_name,
    cert_self_signed,
    cert_untrusted,
    cert_weak_key,
    client_auth,
    drift,
    no_auth,
    no_tls13,
    not_redis,
    plaintext_port,
    pq_hybrid,
    protected_mode,
    replication_plaintext,
    resumption,
    same_ca_client,
    tls_extras,
    tls_files,
    tls_old_protocol,
    weak_cipher,
    weak_group,
)
from lab.audit.checks.base import AuditContext
from lab.audit.model import AuditCheckResult

CHECKS: tuple[ModuleType, ...] = (
    plaintext_port,
    no_auth,
    admin_readable,
    protected_mode,
    bind_all,
    client_auth,
    same_ca_client,
    tls_old_protocol,
    no_tls13,
    weak_cipher,
    weak_group,
    pq_hybrid,
    cert_expiry,
    cert_untrusted,
    cert_name,
    cert_self_signed,
    cert_weak_key,
    tls_files,
    replication_plaintext,
    tls_extras,
    resumption,
    drift,
    not_redis,
)


def run_checks(ctx: AuditContext) -> tuple[AuditCheckResult, ...]:
    return run_check_modules(CHECKS, ctx)
