"""Does a client verify? Point it at the rogue server once per defective certificate and see what it sends.

A client "accepted" a case when, over that forged connection, it sent a command (AUTH, HELLO, PING, ...):
the password in an AUTH or HELLO is what it would have given an attacker. The "good" case (a valid cert for
the name the client uses, of the CA it is told to trust) shows that the client works at all; without it
every refusal could be a broken command line.
"""

from __future__ import annotations

import enum
import shlex
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lab import procs
from lab.audit.rogue import rogue_server
from lab.errors import UserError
from lab.jsonable import plain
from lab.pki import SERVER_NAMES, Defect, LabPKI

CLIENT_TIMEOUT_S = 15.0
SETTLE_S = 0.3  # the rogue's handler thread records the last command after the client has exited


class Case(enum.Enum):
    GOOD = "good"
    EXPIRED = Defect.EXPIRED.value
    NOT_YET_VALID = Defect.NOT_YET_VALID.value
    WRONG_HOST = Defect.WRONG_HOST.value
    SELF_SIGNED = Defect.SELF_SIGNED.value
    ROGUE_CA = Defect.ROGUE_CA.value
    SAME_CA_OTHER_HOST = Defect.SAME_CA_OTHER_HOST.value
    TLS_1_0 = "tls1.0-only"  # a valid certificate, but the server speaks only TLS 1.0

    @property
    def defect(self) -> Defect | None:
        return Defect(self.value) if self.value in {d.value for d in Defect} else None


@dataclass(frozen=True)
class ClientCase:
    case: Case
    accepted: bool  # the client sent a command over this connection
    handshake: bool
    error: str  # the rogue's view of a refused handshake (the client's alert)
    commands: tuple[tuple[str, ...], ...]
    password: str | None  # what the client gave away in AUTH / HELLO ... AUTH
    exit_code: int | None  # the client command's (None for an in-process client)
    output: str  # the tail of the client's stdout/stderr


@dataclass(frozen=True)
class ClientAudit:
    command: str
    cases: tuple[ClientCase, ...]

    @property
    def accepted(self) -> tuple[Case, ...]:
        return tuple(c.case for c in self.cases if c.accepted)

    @property
    def verifies(self) -> bool:
        """Works against the good server and sends nothing to any defective one."""
        return self.accepted == (Case.GOOD,)

    def to_dict(self) -> dict[str, object]:
        import dataclasses

        return plain({**dataclasses.asdict(self), "verifies": self.verifies, "kind": "audit-client"})


def _password(commands: Sequence[tuple[str, ...]]) -> str | None:
    for args in commands:
        upper = [a.upper() for a in args]
        if upper[:1] == ["AUTH"] and len(args) > 1:
            return args[-1]
        if upper[:1] == ["HELLO"] and "AUTH" in upper and len(args) > upper.index("AUTH") + 2:
            return args[upper.index("AUTH") + 2]
    return None


Runner = Callable[[int, Path], None]  # an in-process client: (port, ca file) -> connects, or raises


def client(
    command: Sequence[str] | Runner, cases: Sequence[Case] = tuple(Case), timeout: float = CLIENT_TIMEOUT_S
) -> ClientAudit:
    """Run the client once per case: argv with {port}, {ca}, {host} placeholders, or a callable."""
    if not callable(command) and not command:
        raise UserError(
            "no client command: give it after --, e.g. -- redis-cli --tls --cacert {ca} -p {port} PING"
        )
    results = []
    with tempfile.TemporaryDirectory(prefix="tlslab-audit-client-") as tmp:
        pki = LabPKI.create(Path(tmp))
        for case in cases:
            files = pki.server_with(case.defect) if case.defect is not None else pki.server
            max_version = ssl.TLSVersion.TLSv1 if case is Case.TLS_1_0 else None
            try:
                with rogue_server(files.cert, files.key, max_version) as rogue:
                    code, output = _run(command, rogue.port, pki.ca_cert, timeout)
                    time.sleep(SETTLE_S)
                    visits = list(rogue.visits)
            except ssl.SSLError as exc:  # this OpenSSL cannot serve the case (e.g. TLS 1.0 compiled out)
                results.append(
                    ClientCase(case, False, False, f"rogue server could not start: {exc}", (), None, None, "")
                )
                continue
            commands = tuple(c for v in visits for c in v.commands)
            results.append(
                ClientCase(
                    case=case,
                    accepted=bool(commands),
                    handshake=any(v.handshake for v in visits),
                    error="; ".join(sorted({v.error for v in visits if v.error and not v.handshake})),
                    commands=commands,
                    password=_password(commands),
                    exit_code=code,
                    output=output,
                )
            )
    shown = "<python callable>" if callable(command) else shlex.join(command)
    return ClientAudit(shown, tuple(results))


def _run(command: Sequence[str] | Runner, port: int, ca: Path, timeout: float) -> tuple[int | None, str]:
    if callable(command):
        try:
            command(port, ca)
        except Exception as exc:  # the client refusing is the expected outcome, as data
            return None, f"{type(exc).__name__}: {exc}"[-400:]
        return None, ""
    argv = [a.format(port=port, ca=ca, host=SERVER_NAMES[0]) for a in command]
    try:
        done = procs.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except FileNotFoundError:
        raise UserError(f"client command {argv[0]!r} not found: give the full path") from None
    except subprocess.TimeoutExpired as exc:
        return (
            None,
            f"timed out after {timeout:.0f} s: {(exc.stderr or b'').decode('utf-8', 'replace')[-300:]}",
        )
    return done.returncode, (done.stdout + done.stderr).decode("utf-8", "replace")[-400:]
