"""TLS connections whose ClientHello carries no server name (SNI)."""

from __future__ import annotations

from lab.analysis.checks.base import CheckContext
from lab.analysis.model import Finding

ID = "no-sni"


def check(ctx: CheckContext) -> list[Finding]:
    return [
        Finding(
            ID,
            "info",
            f"no SNI in ClientHello to {s.server.host}:{s.server.port}",
            (s.client_hello_frame,),
            "without SNI a proxy or multi-tenant endpoint cannot pick the right certificate, and the client "
            "likely connects by IP address (hostname checks then rely on IP SANs)",
            "connect by host name or set it explicitly (redis-cli --sni <name>, redis-py server_hostname)",
            s.stream,
        )
        for s in ctx.tls_streams
        if s.client_hello_frame is not None and not s.sni
    ]
