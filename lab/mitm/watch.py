"""mitmproxy addon: who noticed what, per connection, and the fix for the silent mTLS hang.

When the real server requires a client cert (tls-auth-clients yes) and the attacker has none, the upstream TLS
handshake looks complete to mitmproxy (TLS 1.3 sends the client cert after the server's Finished); the server
then drops the link. mitmproxy never tells the client, which would wait for a reply until its own timeout.
This addon closes the client side as soon as that is known, so the outcome is "blocked upstream", promptly.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from mitmproxy import ctx

from lab.mitm.journal import Journal

# After the upstream died, how long to wait for the client's first message (what it reveals is recorded)
# before closing it anyway.
UPSTREAM_DEATH_GRACE_S = 0.3


def _tls_details(conn: Any) -> dict[str, Any]:
    return {"tls_version": conn.tls_version, "cipher": conn.cipher, "sni": conn.sni}


class _TlsAlertHandler(logging.Handler):
    """mitmproxy reports a TLS alert read after the handshake (TLS 1.3's "certificate required", sent once
    the server has checked the attacker's empty client certificate) only as a log line, and may not notice the
    upstream close until the client gives up. The line is the earliest sign, so it is watched for."""

    def __init__(self, watch: Watch) -> None:
        super().__init__(logging.WARNING)
        self.watch = watch

    def emit(self, record: logging.LogRecord) -> None:
        peer = getattr(record, "client", None)
        if peer is not None and record.getMessage().startswith("TLS Error:"):
            asyncio.get_running_loop().call_soon(self.watch.upstream_alert, tuple(peer))


class Watch:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._upstream_dead: set[str] = set()
        self._server_spoke: set[str] = set()
        self._alerts = _TlsAlertHandler(self)

    def running(self) -> None:
        addrs = ctx.master.addons.get("proxyserver").listen_addrs()
        logging.getLogger("mitmproxy.proxy.server").addHandler(self._alerts)
        self.journal.emit("ready", listen=[[a[0], a[1]] for a in addrs])

    def done(self) -> None:
        logging.getLogger("mitmproxy.proxy.server").removeHandler(self._alerts)

    def upstream_alert(self, peer: tuple[Any, ...]) -> None:
        """A TLS alert ended a connection whose server never answered: treat it as the upstream's death."""
        for conn_id, handler in ctx.master.addons.get("proxyserver").connections.items():
            if tuple(handler.client.peername) == peer and conn_id not in self._server_spoke:
                self._upstream_died(conn_id)

    def client_connected(self, client: Any) -> None:
        self.journal.emit("client_connected", client.id, peer=list(client.peername))

    def client_disconnected(self, client: Any) -> None:
        self._upstream_dead.discard(client.id)
        self._server_spoke.discard(client.id)
        self.journal.emit("client_disconnected", client.id)

    def tls_established_client(self, data: Any) -> None:
        self.journal.emit("tls_client_ok", data.context.client.id, **_tls_details(data.conn))

    def tls_failed_client(self, data: Any) -> None:
        self.journal.emit("tls_client_failed", data.context.client.id, error=str(data.conn.error))

    def tls_established_server(self, data: Any) -> None:
        self.journal.emit("tls_server_ok", data.context.client.id, **_tls_details(data.conn))

    def tls_failed_server(self, data: Any) -> None:
        self.journal.emit("tls_server_failed", data.context.client.id, error=str(data.conn.error))

    def server_disconnected(self, data: Any) -> None:
        client = data.client
        got_nothing = client.id not in self._server_spoke
        self.journal.emit("server_disconnected", client.id, before_any_reply=got_nothing)
        if got_nothing and client.timestamp_end is None:
            self._upstream_died(client.id)

    def _upstream_died(self, conn_id: str) -> None:
        if conn_id not in self._upstream_dead:
            self._upstream_dead.add(conn_id)
            asyncio.get_running_loop().call_later(UPSTREAM_DEATH_GRACE_S, self._close_client, conn_id)

    def tcp_message(self, flow: Any) -> None:
        conn_id = flow.client_conn.id
        if not flow.messages[-1].from_client:
            self._server_spoke.add(conn_id)
        elif conn_id in self._upstream_dead:
            self._close_client(conn_id)

    def tcp_error(self, flow: Any) -> None:
        self.journal.emit("tcp_error", flow.client_conn.id, error=str(flow.error))

    def _close_client(self, conn_id: str) -> None:
        if conn_id not in self._upstream_dead:
            return
        self._upstream_dead.discard(conn_id)
        handler = ctx.master.addons.get("proxyserver").connections.get(conn_id)
        if handler is None:
            return
        self.journal.emit("blocked_upstream", conn_id,
                          error="the server closed the attacker's upstream connection before any reply")
        handler.close_connection(handler.client)
