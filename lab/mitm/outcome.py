"""One client session against the attacker, judged: who won, what leaked, who noticed and with what words.

Built only from observations: the attacker's journal and log, the client's own result, the server's log.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from lab.mitm.journal import Event
from lab.mitm.spy import Learned, learn

Verdict = Literal["compromised", "blocked-at-client", "blocked-at-server", "no-session"]
Party = Literal["client", "mitmproxy", "server"]

# Server log lines that mean "this TLS connection was refused" (redis-server and the bundled server alike).
_SERVER_REFUSAL = re.compile(r"Error accepting a client connection|SSL|TLS|certificate", re.IGNORECASE)
# A client that checked and said no (lab.clients ErrorKind values, or the library's own words).
_CLIENT_REJECTED = re.compile(r"cert-verify-failed|pin-mismatch|CERTIFICATE_VERIFY_FAILED", re.IGNORECASE)
_MITM_LINE = re.compile(r"^\[[^\]]*\]\[(?P<peer>[^\]]+)\]\s*(?P<msg>.*)$")
# Only mitmproxy lines about trust; e.g. redis-py closing without close_notify logs a TLS "decode error" that
# says nothing about the attack.
_MITM_TRUST = re.compile(r"certificate|handshake|unknown ca", re.IGNORECASE)


class ClientView(Protocol):
    """What the outcome needs from a client run (lab.clients.ClientOutcome has these fields)."""

    @property
    def connected(self) -> bool: ...
    @property
    def error_class(self) -> str | None: ...
    @property
    def error_text(self) -> str | None: ...
    @property
    def replies(self) -> tuple[object, ...]: ...


@dataclass(frozen=True)
class Notice:
    party: Party
    error: str


@dataclass(frozen=True)
class MitmOutcome:
    verdict: Verdict
    through_attacker: bool  # the client's session ran over the attacker's TLS (the attacker saw plaintext)
    learned: Learned
    tampered: tuple[str, ...]  # values the attacker forged into the session
    tamper_reached_client: bool | None  # None: no tampering happened
    noticed: tuple[Notice, ...]  # who noticed, in their own words
    client_error: str | None
    why: str

    @property
    def attacker_wins(self) -> bool:
        return self.verdict == "compromised"


def mitm_notices(log_text: str, client_peers: Sequence[tuple[str, int]]) -> list[Notice]:
    """mitmproxy's own warnings about these client connections, from its log ("[time][peer] message")."""
    wanted = {f"{host}:{port}" for host, port in client_peers}
    notices = []
    for line in log_text.splitlines():
        m = _MITM_LINE.match(line.strip())
        if m and m["peer"] in wanted and _MITM_TRUST.search(m["msg"]):
            notices.append(Notice("mitmproxy", m["msg"]))
    return notices


def _replies_contain(replies: Sequence[object], needle: str) -> bool:
    for reply in replies:
        if isinstance(reply, bytes | bytearray) and reply.decode("utf-8", "replace") == needle:
            return True
        if isinstance(reply, str) and reply == needle:
            return True
        if isinstance(reply, list | tuple) and _replies_contain(reply, needle):
            return True
    return False


def judge(events: Sequence[Event], client: ClientView, mitm_log: str = "",
          server_log_lines: Sequence[str] = ()) -> MitmOutcome:
    """Decide one session's outcome from the attacker's events for it and the client's own result."""
    learned = learn(events)
    kinds = {e["kind"] for e in events}
    peers = [(e["peer"][0], e["peer"][1]) for e in events if e["kind"] == "client_connected"]
    noticed: list[Notice] = []
    if not client.connected or client.error_class:
        noticed.append(Notice("client", f"{client.error_class}: {client.error_text}"))
    noticed += [Notice("mitmproxy", e["error"]) for e in events
                if e["kind"] in ("tls_client_failed", "tls_server_failed", "blocked_upstream", "tcp_error")]
    noticed += [n for n in mitm_notices(mitm_log, peers) if n not in noticed]
    noticed += [Notice("server", line.strip()) for line in server_log_lines if _SERVER_REFUSAL.search(line)]

    tampers = [e for e in events if e["kind"] == "tamper.applied"]
    forged = tuple(e["replacement"] for e in tampers)
    reached = None
    if forged:
        reached = any(_replies_contain(client.replies, value) for value in forged)

    through = "tls_client_ok" in kinds and learned.commands > 0
    upstream_died = "blocked_upstream" in kinds or "tls_server_failed" in kinds or any(
        e["kind"] == "server_disconnected" and e.get("before_any_reply") and "tls_client_ok" in kinds
        for e in events)

    client_rejected = bool(_CLIENT_REJECTED.search(f"{client.error_class} {client.error_text}"))
    verdict: Verdict
    if learned.commands == 0 and ("tls_client_failed" in kinds or client_rejected):
        verdict, why = "blocked-at-client", "the client refused the attacker's certificate: nothing was sent"
    elif upstream_died and learned.replies == 0:
        verdict = "blocked-at-server"
        why = ("the server refused the attacker's upstream connection (no valid client certificate); "
               "the client was cut off")
        if learned.credentials:
            why += ", but its first command had already revealed the password to the attacker"
    elif through and learned.replies > 0:
        verdict = "compromised"
        why = "the client accepted the attacker's certificate; the attacker read the session in clear"
        if reached:
            why += " and the forged reply reached the client"
    else:
        verdict, why = "no-session", "no client session reached the attacker"
    return MitmOutcome(verdict, through, learned, forged, reached, tuple(noticed),
                       f"{client.error_class}: {client.error_text}" if client.error_class else None, why)
