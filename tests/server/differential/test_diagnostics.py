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
    # COMMAND GETKEYS finds keys as ACL does (numkeys, STORE, KEYS), COMMAND LIST filters the table.
    ("COMMAND GETKEYS get k", "COMMAND GETKEYS mset a 1 b 2", "COMMAND GETKEYS zunionstore d 2 a b WEIGHTS 1 2",
     "COMMAND GETKEYS zunion 2 a b", "COMMAND GETKEYS zunion x a", "COMMAND GETKEYS zunion 3 a b",
     "COMMAND GETKEYS zunion 0", "COMMAND GETKEYS lmpop 2 l1 l2 LEFT", "COMMAND GETKEYS blmpop 0 1 l LEFT",
     "COMMAND GETKEYS sort k LIMIT 0 1 GET store BY store STORE d", "COMMAND GETKEYS sort_ro k",
     'COMMAND GETKEYS migrate h 1 "" 0 5 KEYS a b', "COMMAND GETKEYS migrate h 1 k 0 5 COPY",
     "COMMAND GETKEYS ping", "COMMAND GETKEYS nosuch x", "COMMAND GETKEYS get", "COMMAND GETKEYS get a b",
     "COMMAND GETKEYS config get x", "COMMAND GETKEYS object encoding k", "COMMAND GETKEYS GET K",
     "COMMAND GETKEYS", "COMMAND HELP"),
    ("~sort COMMAND LIST FILTERBY PATTERN z*", "~sort COMMAND LIST FILTERBY PATTERN CONFIG*",
     "~sort COMMAND LIST FILTERBY ACLCAT hash", "~sort COMMAND LIST FILTERBY aclcat SortedSet",
     "COMMAND LIST FILTERBY ACLCAT nosuch", "COMMAND LIST FILTERBY MODULE x", "COMMAND LIST FILTERBY",
     "COMMAND LIST FOO", "COMMAND LIST FILTERBY BAR x", "COMMAND LIST FILTERBY PATTERN a b"),
    ("HELLO 3", "CONFIG RESETSTAT", "SET a b", "MULTI", "GET a", "EXEC", "~hist LATENCY HISTOGRAM get exec set",
     "LATENCY HISTOGRAM x"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *SEQUENCES]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
