from __future__ import annotations

import pytest

from lab.attacks.safety import NotLoopbackError, is_loopback, require_loopback


def test_loopback_addresses_and_names_pass() -> None:
    for host in ("127.0.0.1", "127.8.9.10", "::1", "localhost"):
        assert is_loopback(host), host
    require_loopback("127.0.0.1", "localhost")


def test_anything_else_is_refused_with_the_override_named() -> None:
    for host in ("192.0.2.1", "10.0.0.1", "0.0.0.0", "2001:db8::1"):
        with pytest.raises(NotLoopbackError, match="--i-own-this-network"):
            require_loopback(host)


def test_the_explicit_override_allows_it() -> None:
    require_loopback("192.0.2.1", allow_non_loopback=True)


def test_unresolvable_names_are_refused() -> None:
    with pytest.raises(NotLoopbackError, match="cannot resolve"):
        require_loopback("no-such-host.invalid")
