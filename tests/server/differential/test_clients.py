"""Differential cases: CLIENT NO-EVICT, and the flags / ssub fields CLIENT INFO shows (case syntax:
harness.py). CLIENT INFO's other fields carry addresses and times: only the compared fields are parsed."""

from __future__ import annotations

import re

import pytest

from tests.server.differential.harness import Commands, Servers, assert_same, case_id
from tests.server.rawresp import RawClient

COMMANDS: Commands = {}

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("CLIENT NO-EVICT ON", "CLIENT NO-EVICT off", "CLIENT NO-EVICT maybe", "CLIENT NO-EVICT",
     "CLIENT NO-EVICT on x", "RESET", "CLIENT NO-EVICT on"),
]
# fmt: on

CASES = SEQUENCES


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)


_FIELDS = re.compile(rb"\b(flags|sub|psub|ssub)=(\S*)")


def _shown(client: RawClient) -> list[tuple[bytes, bytes]]:
    return _FIELDS.findall(client.call("CLIENT", "INFO")[1])


def test_client_info_flags_as_redis(servers: Servers) -> None:
    seen = []
    for target in (servers.reference, servers.bundled):
        assert target.port is not None
        with RawClient(target.host, target.port) as c:
            steps = [_shown(c)]
            c.call("CLIENT", "NO-EVICT", "on")
            steps.append(_shown(c))
            c.call("MULTI")
            c.call("EXEC")
            c.call("RESET")  # Redis 7.0 keeps NO-EVICT across RESET
            steps.append(_shown(c))
            c.call("SSUBSCRIBE", "a", "b")
            c.read_reply()
            c.call("SUBSCRIBE", "c")
            c.call("RESET")
            steps.append(_shown(c))
            seen.append(steps)
    assert seen[1] == seen[0]
