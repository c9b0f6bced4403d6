"""Differential cases: SLOWLOG and LATENCY (case syntax: harness.py). Entries carry times, durations and
client addresses, so they are compared by wire type; counts, resets and errors byte for byte."""

from __future__ import annotations

import pytest

from tests.server.differential.harness import Commands, Servers, arity_cases, assert_same, case_id

COMMANDS: Commands = {"SLOWLOG": (-2, None, "LEN"), "LATENCY": (-2, None, "LATEST")}

RESTORE = "CONFIG SET slowlog-log-slower-than 10000"

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("CONFIG SET slowlog-log-slower-than 0", "SLOWLOG RESET", "SET a b", "GET a", "SLOWLOG LEN",
     "~kind SLOWLOG GET", "SLOWLOG GET 0", "~kind SLOWLOG GET -1", "SLOWLOG RESET",
     "CONFIG SET slowlog-log-slower-than -1", "SET a b", "SLOWLOG LEN",
     RESTORE),
    ("CONFIG SET slowlog-log-slower-than 0", "CONFIG SET slowlog-max-len 2", "SLOWLOG RESET", "PING", "PING",
     "PING", "SLOWLOG LEN", "CONFIG SET slowlog-max-len 128", RESTORE,
     "SLOWLOG RESET"),
    ("SLOWLOG GET x", "SLOWLOG GET -2", "SLOWLOG GET 1 2", "SLOWLOG FOO", "SLOWLOG HELP", "SLOWLOG LEN x"),
    ("LATENCY LATEST", "LATENCY HISTORY command", "LATENCY RESET", "LATENCY RESET command x",
     "LATENCY GRAPH command", "LATENCY DOCTOR", "LATENCY FOO", "LATENCY HELP", "LATENCY HISTORY"),
    ("HELLO 3", "LATENCY DOCTOR", "SLOWLOG LEN"),
    ("CONFIG RESETSTAT", "SET a b", "GET a", "GET a", "GET nokey", "INCR a", "~hist LATENCY HISTOGRAM set get incr",
     "~hist LATENCY HISTOGRAM nosuch GET", "LATENCY HISTOGRAM nosuch", "~hist LATENCY HISTOGRAM CONFIG",
     "~hist LATENCY HISTOGRAM config|resetstat", "CONFIG SET latency-tracking no", "GET a",
     "~hist LATENCY HISTOGRAM get", "CONFIG SET latency-tracking yes", "CONFIG RESETSTAT",
     "LATENCY HISTOGRAM get", "~hist LATENCY HISTOGRAM"),
    ("HELLO 3", "CONFIG RESETSTAT", "SET a b", "MULTI", "GET a", "EXEC", "~hist LATENCY HISTOGRAM get exec set",
     "LATENCY HISTOGRAM x"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *SEQUENCES]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
