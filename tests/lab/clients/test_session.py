"""lab.clients.session: which postures notice which certificate defect, by library, against real servers.

The expected tables below are the lab's claims (they go into reports): a test, so they cannot drift.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.clients import ClientSpec, ErrorKind, Posture, run_session
from lab.clients.model import Library
from lab.pki import Defect, LabPKI
from lab.targets import TargetKind, TargetSpec, start_target
from lab.targets.spec import AuthClients

OK, VERIFY, PIN = "ok", ErrorKind.CERT_VERIFY_FAILED, ErrorKind.PIN_MISMATCH
NA = ErrorKind.POSTURE_UNSUPPORTED
TLS_POSTURES = (Posture.TLS_NO_VERIFY, Posture.TLS_CHAIN_ONLY, Posture.TLS_FULL, Posture.TLS_PINNED)

# Rows: the cert the server presents. Columns: TLS_POSTURES. Same for both libraries where supported.
# WEAK_KEY is not here: no server will even load it (tests/lab/targets: "ee key too small").
REDIS_PY: dict[Defect | None, tuple[object, ...]] = {
    None: (OK, OK, OK, OK),
    Defect.EXPIRED: (OK, VERIFY, VERIFY, PIN),
    Defect.NOT_YET_VALID: (OK, VERIFY, VERIFY, PIN),
    Defect.WRONG_HOST: (OK, OK, VERIFY, PIN),
    Defect.SELF_SIGNED: (OK, VERIFY, VERIFY, PIN),
    Defect.ROGUE_CA: (OK, VERIFY, VERIFY, PIN),
    Defect.SAME_CA_OTHER_HOST: (OK, OK, VERIFY, PIN),
    Defect.NO_SERVER_AUTH_EKU: (OK, VERIFY, VERIFY, PIN),
}
# redis-cli checks the chain only: it cannot do tls-full or tls-pinned, and says so instead of connecting.
REDIS_CLI = {defect: (row[0], row[1], NA, NA) for defect, row in REDIS_PY.items()}


def _observed(pki: LabPKI, library: Library, port: int) -> tuple[object, ...]:
    row: list[object] = []
    for posture in TLS_POSTURES:
        outcome = run_session(ClientSpec.from_pki(pki, library, posture), "127.0.0.1", port)
        if outcome.ok:
            assert outcome.replies == ("OK", "lab-value")
            row.append(OK)
        else:
            assert not outcome.connected and outcome.replies == ()
            row.append(outcome.error_class)
    return tuple(row)


@pytest.mark.parametrize("defect", list(REDIS_PY), ids=lambda d: d.value if d else "good")
def test_which_postures_notice_which_defect(kind: TargetKind, tmp_path: Path, pki: LabPKI,
                                            defect: Defect | None, redis_cli_bin: str) -> None:
    cert = pki.server_with(defect) if defect else None
    with start_target(TargetSpec(kind=kind, tls=True), tmp_path, pki, server_cert=cert) as t:
        assert t.tls_port is not None
        assert _observed(pki, "redis-py", t.tls_port) == REDIS_PY[defect]
        assert _observed(pki, "redis-cli", t.tls_port) == REDIS_CLI[defect]


@pytest.mark.parametrize("auth_clients", ["yes", "optional", "no"])
@pytest.mark.parametrize("library", ["redis-py", "redis-cli"])
def test_client_certificate_against_each_auth_mode(
    kind: TargetKind, tmp_path: Path, pki: LabPKI, auth_clients: AuthClients, library: Library,
    redis_cli_bin: str,
) -> None:
    spec = TargetSpec(kind=kind, plaintext=False, tls=True, tls_auth_clients=auth_clients)
    with start_target(spec, tmp_path, pki) as t:
        assert t.tls_port is not None
        for with_cert in (True, False):
            client = ClientSpec.from_pki(pki, library, Posture.TLS_CHAIN_ONLY, client_cert=with_cert)
            outcome = run_session(client, t.host, t.tls_port)
            if with_cert or auth_clients != "yes":
                assert outcome.ok, outcome
            else:
                # TLS 1.3: the client's handshake ends before the server checks the (missing) cert;
                # the refusal arrives on the first read.
                assert not outcome.connected
                assert outcome.error_class in (ErrorKind.CONNECTION_CLOSED, ErrorKind.TLS_ERROR), outcome


@pytest.mark.parametrize("library", ["redis-py", "redis-cli"])
def test_plaintext_and_tls_clients_on_the_wrong_port(kind: TargetKind, tmp_path: Path, pki: LabPKI,
                                                     library: Library, redis_cli_bin: str) -> None:
    with start_target(TargetSpec(kind=kind, tls=True), tmp_path, pki) as t:
        assert t.port is not None and t.tls_port is not None
        plain = ClientSpec(library=library, posture=Posture.PLAINTEXT, timeout=1.0)
        plain_on_tls = run_session(plain, t.host, t.tls_port)
        # The server sees a non-TLS first byte, logs it and resets the connection.
        assert not plain_on_tls.connected and plain_on_tls.error_class is ErrorKind.CONNECTION_CLOSED
        assert "wrong version number" in t.log_text()
        # Redis reads the ClientHello as an inline command: if its random bytes hold no "\n" (about 2 times
        # in 3) it waits for the rest and the client times out waiting for a ServerHello; otherwise it
        # answers -ERR in plaintext, which the client's TLS layer reports as "wrong version number".
        chain_only = ClientSpec.from_pki(pki, library, Posture.TLS_CHAIN_ONLY, timeout=1.0)
        tls_on_plain = run_session(chain_only, t.host, t.port)
        assert not tls_on_plain.connected
        assert tls_on_plain.error_class in (ErrorKind.TIMEOUT, ErrorKind.TLS_ERROR), tls_on_plain
