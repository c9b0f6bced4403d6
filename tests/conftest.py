"""Shared test plumbing: skip with a clear reason only when a Debian tool is really missing."""

from __future__ import annotations

import shutil
import socket
import ssl

import pytest

INSTALL_HINT = {
    "redis-server": "apt-get install redis-server",
    "redis-cli": "apt-get install redis-tools",
    "redis-benchmark": "apt-get install redis-tools",
    "redis-check-aof": "apt-get install redis-tools",
    "tshark": "apt-get install tshark",
    "dumpcap": "apt-get install tshark",
    "chromium": "apt-get install chromium",
}


def require_tool(name: str) -> str:
    """Return the tool's path or skip the test, saying how to install it (`make test` does as root)."""
    path = shutil.which(name)
    if path is None:
        hint = INSTALL_HINT.get(name, f"install {name}")
        pytest.skip(f"{name} not found: {hint} (make test installs it when run as root)")
    return path


@pytest.fixture
def redis_server_bin() -> str:
    return require_tool("redis-server")


@pytest.fixture
def redis_cli_bin() -> str:
    return require_tool("redis-cli")


def recv_at_least(sock: socket.socket | ssl.SSLSocket, n: int) -> bytes:
    """Read until n bytes have arrived (a test fails, not hangs, if the server closes first)."""
    got = b""
    while len(got) < n:
        chunk = sock.recv(1 << 20)
        assert chunk, "server closed the connection"
        got += chunk
    return got
