from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from lab.attacks.safety import NotLoopbackError
from lab.mitm.certs import AttackerCert, prepare_attacker
from lab.mitm.runner import MitmSpec, MitmStartError, run_mitm
from lab.pki import LabPKI
from lab.targets import RunningTarget


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_mitm_listens_then_leaves_no_process_and_no_port(tls_target: RunningTarget, pki: LabPKI,
                                                         workdir: Path) -> None:
    assert tls_target.tls_port is not None
    spec = MitmSpec("127.0.0.1", tls_target.tls_port, prepare_attacker(AttackerCert.MITM_CA, pki, workdir))
    with run_mitm(spec, workdir) as mitm:
        pid, port = mitm.pid, mitm.port
        assert _alive(pid)
        assert not _port_free(port)
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert mitm.process.returncode == 0  # SIGINT: a clean mitmdump exit
    assert not _alive(pid)
    assert _port_free(port)


def test_stopped_on_error_inside_the_block(tls_target: RunningTarget, pki: LabPKI, workdir: Path) -> None:
    assert tls_target.tls_port is not None
    spec = MitmSpec("127.0.0.1", tls_target.tls_port, prepare_attacker(AttackerCert.MITM_CA, pki, workdir))
    with pytest.raises(RuntimeError), run_mitm(spec, workdir) as mitm:
        raise RuntimeError("workload failed")
    assert not _alive(mitm.pid)
    assert _port_free(mitm.port)


def test_a_bad_option_is_a_clear_start_error(pki: LabPKI, workdir: Path) -> None:
    attacker = prepare_attacker(AttackerCert.MITM_CA, pki, workdir)
    broken = type(attacker)(attacker.source, attacker.confdir, (("certs", "*=/nonexistent.pem"),), "broken")
    with pytest.raises(MitmStartError, match="mitmdump"), run_mitm(MitmSpec("127.0.0.1", 1, broken), workdir):
        pass


def test_refuses_a_non_loopback_upstream(pki: LabPKI, workdir: Path) -> None:
    attacker = prepare_attacker(AttackerCert.MITM_CA, pki, workdir)
    with pytest.raises(NotLoopbackError, match="i-own-this-network"), run_mitm(
            MitmSpec("192.0.2.10", 6379, attacker), workdir):
        pass
