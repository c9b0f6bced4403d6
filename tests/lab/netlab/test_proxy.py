"""tls-terminating-proxy with Debian's haproxy: the back segment is in clear until the proxy re-encrypts."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.netlab.proxy import PASSWORD, SECRET, run_proxy
from tests.conftest import require_tool


@pytest.fixture
def haproxy(redis_host: None) -> None:
    require_tool("haproxy")


def test_terminating_proxy_the_client_sees_tls_and_the_back_segment_carries_auth_and_data(
        haproxy: None, tmp_path: Path) -> None:
    result = run_proxy(tmp_path, reencrypt=False)
    assert result.client.ok and result.client.replies[-1] == SECRET[1]
    assert [s.label for s in result.front.streams] == ["client→proxy"]
    assert [s.transport for s in result.front.streams] == ["tls"] and not result.front.readable
    assert [(s.label, s.transport) for s in result.back.streams] == [("proxy→server", "plaintext")]
    assert [line.args[-1] for line in result.back.auth] == [PASSWORD]
    assert ("SET", *SECRET) in [line.args for line in result.back.commands]
    assert result.back.exposed_frames and set(result.back.exposed_frames) >= {result.back.auth[0].first_frame}
    assert " ssl " not in result.haproxy_backend


def test_reencrypting_to_redis_leaves_the_back_segment_tls_only(haproxy: None, tmp_path: Path) -> None:
    result = run_proxy(tmp_path, reencrypt=True)
    assert result.client.ok and result.client.replies[-1] == SECRET[1]
    assert [(s.label, s.transport) for s in result.back.streams] == [("proxy→server", "tls")]
    assert not result.back.readable and not result.front.readable
    assert all(e.frames == () for e in result.exposures)
    assert "ssl verify required" in result.haproxy_backend and "verifyhost server.lab.invalid" in (
        result.haproxy_backend)
    assert dict(result.redis_listeners)["port"] == "0"
