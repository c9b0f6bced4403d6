"""Audits of the user's own Redis: a live server (`audit`), a config file (the same call with `config`), and
a client's certificate checking (`client`, against the lab's rogue server).

    from lab.audit import AuditOptions, audit
    report = audit(AuditOptions(endpoint="127.0.0.1:6380", ca=Path("ca.crt"), config=Path("redis.conf")))
    report.at_least("high")  # the findings a CI gate fails on
"""

from __future__ import annotations

from lab.audit.clientaudit import Case, ClientAudit, client
from lab.audit.model import AuditFinding, AuditReport, Source
from lab.audit.runner import AuditOptions, audit

__all__ = ["AuditFinding", "AuditOptions", "AuditReport", "Case", "ClientAudit", "Source", "audit", "client"]
