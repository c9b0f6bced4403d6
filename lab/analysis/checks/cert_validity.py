"""Server and client certificates that are expired, not yet valid, or expire within 30 days."""

from __future__ import annotations

import datetime as dt

from lab.analysis.checks.base import CheckContext
from lab.analysis.model import Finding

ID = "cert-validity"
SOON = dt.timedelta(days=30)


def check(ctx: CheckContext) -> list[Finding]:
    findings = []
    seen: set[tuple[str, str]] = set()
    for s in ctx.tls_streams:
        for role, certs in (("server", s.server_certs[:1]), ("client", s.client_certs[:1])):
            for cert in certs:
                if cert.parse_error:
                    continue  # no dates to judge: reported by could-not-parse
                if (cert.subject, cert.not_after) in seen:
                    continue  # one finding per certificate, not per connection
                seen.add((cert.subject, cert.not_after))
                not_before = dt.datetime.fromisoformat(cert.not_before)
                not_after = dt.datetime.fromisoformat(cert.not_after)
                fix = f"issue a new {role} certificate and reload it (CONFIG SET tls-cert-file <same path>)"
                where = f"{role} cert {cert.subject}"
                if not_after < ctx.now:
                    findings.append(
                        Finding(
                            ID,
                            "high",
                            f"{where} expired on {cert.not_after}",
                            (cert.frame,),
                            "verifying peers refuse it; clients that accept it verify nothing",
                            fix,
                            s.stream,
                        )
                    )
                elif not_before > ctx.now:
                    findings.append(
                        Finding(
                            ID,
                            "medium",
                            f"{where} not valid before {cert.not_before}",
                            (cert.frame,),
                            "verifying peers refuse it until then",
                            fix,
                            s.stream,
                        )
                    )
                elif not_after - ctx.now < SOON:
                    days = (not_after - ctx.now).days
                    findings.append(
                        Finding(
                            ID,
                            "medium",
                            f"{where} expires in {days} day(s) ({cert.not_after})",
                            (cert.frame,),
                            "connections will fail once it expires",
                            fix,
                            s.stream,
                        )
                    )
    return findings
