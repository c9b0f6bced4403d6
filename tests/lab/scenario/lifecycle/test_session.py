"""lab.scenario.lifecycle.session on real redis-server: start, endpoints, crash-restart, stop, Ctrl-C held."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
import redis

from lab.scenario.lifecycle.prepare import RunPaths, prepare
from lab.scenario.lifecycle.session import Session, _sigint_deferred
from lab.scenario.loader import REGISTRIES
from lab.scenario.schema import Scenario, parse_scenario
from tests.conftest import require_tool
from tests.lab.scenario.leftovers import listening

DOC = {
    "name": "s",
    "title": "T",
    "story": "S",
    "claim": {"kind": "promise", "text": "C"},
    "remediation": {"summary": "R", "advice": True},
    "capture": False,
    "target": {"plaintext": True, "tls": True, "appendonly": True, "appendfsync": "always"},
    "workload": {"name": "ping"},
    "expect": [{"kind": "target-start", "starts": True}],
}


def _scenario(**target: object) -> Scenario:
    doc = dict(DOC, target={**DOC["target"], **target})  # type: ignore[dict-item]
    return parse_scenario(doc, Path("s.toml"), REGISTRIES)


def test_start_restart_stop(tmp_path: Path) -> None:
    require_tool("redis-server")
    (prepared,) = prepare(_scenario(), RunPaths.new(tmp_path))
    session = Session(prepared, "redis-server")
    try:
        assert session.start()
        assert session.target is not None
        host, port = session.endpoint("plaintext")
        assert (host, port) == ("127.0.0.1", session.ports["plaintext"])
        redis.Redis(host=host, port=port, socket_timeout=3).set("k", "v")
        first_pid = session.target.pid
        session.restart()  # kill -9, then start again on the same data dir
        assert session.target.pid != first_pid
        host, port = session.endpoint("plaintext")
        assert redis.Redis(host=host, port=port, socket_timeout=3).get("k") == b"v"
    finally:
        stopped = session.stop()
    assert stopped is session.stop()  # idempotent
    assert not session.target.alive
    assert not listening(port)
    assert "Ready to accept connections" in stopped.log_text
    assert stopped.data_dir is not None and any(stopped.data_dir.rglob("*.aof"))


def test_a_refused_start_is_data(tmp_path: Path) -> None:
    require_tool("redis-server")
    (prepared,) = prepare(_scenario(**{"server-cert": "none", "plaintext": False}), RunPaths.new(tmp_path))
    session = Session(prepared, "redis-server")
    assert session.start() is False
    assert "No tls-cert-file configured" in str(session.start_error)
    stopped = session.stop()
    assert "No tls-cert-file configured" in stopped.log_text
    with pytest.raises(RuntimeError, match="not running"):
        session.endpoint("tls")


def test_ctrl_c_waits_until_cleanup_is_done() -> None:
    done = []
    with pytest.raises(KeyboardInterrupt), _sigint_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        done.append("cleanup finished")
    assert done == ["cleanup finished"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
