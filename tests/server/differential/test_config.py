"""Differential cases: every Redis 7.0 CONFIG parameter, read back and set (case syntax: harness.py).

Both servers start from the same rendered redis.conf, so every parameter but the per-process ones (port,
dir, pidfile, logfile) must read the same."""

from __future__ import annotations

import pytest

from server.config_catalog import ALIASES, CATALOG
from tests.server.differential.harness import Commands, Servers, assert_same, case_id

COMMANDS: Commands = {"CONFIG": (-2, None, "GET maxmemory")}

NAMES = sorted({d.name for d in CATALOG} | set(ALIASES))

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    *[tuple(f"CONFIG GET {name}" for name in NAMES[i:i + 20]) for i in range(0, len(NAMES), 20)],
    ("CONFIG SET hash-max-listpack-entries 7", "CONFIG GET hash-max-ziplist-entries",
     "CONFIG SET hash-max-ziplist-entries 512", "CONFIG GET hash-max-listpack-entries",
     "CONFIG SET hash-max-listpack-entries -1", "CONFIG SET hash-max-listpack-entries x"),
    ("CONFIG SET maxmemory 1mb", "CONFIG GET maxmemory", "CONFIG SET maxmemory 0", "CONFIG SET maxmemory x",
     "CONFIG SET maxmemory-policy allkeys-lru", "CONFIG GET maxmemory-policy",
     "CONFIG SET maxmemory-policy lru",
     "CONFIG SET maxmemory-policy noeviction"),
    ("CONFIG SET io-threads 2", "CONFIG SET cluster-enabled yes", "CONFIG SET active-expire-effort 11",
     "CONFIG SET active-expire-effort 0", "CONFIG SET activerehashing maybe",
     "CONFIG SET slowlog-log-slower-than -2", "CONFIG GET slowlog-log-slower-than",
     "CONFIG SET lazyfree-lazy-user-del yes", "~sort CONFIG GET lazyfree-lazy-*",
     "CONFIG SET lazyfree-lazy-user-del no"),
    ("CONFIG SET zset-max-listpack-value 32 zset-max-ziplist-value 16", "CONFIG GET zset-max-listpack-value",
     "CONFIG SET latency-tracking-info-percentiles \"50 99\"", "CONFIG GET latency-tracking-info-percentiles",
     "CONFIG SET latency-tracking-info-percentiles \"50 99 99.9\"", "CONFIG SET zset-max-listpack-value 64"),
    ("~sort CONFIG GET *max-*-entries", "~sort CONFIG GET *ziplist*", "~sort CONFIG GET slave*",
     "~sort CONFIG GET repl-*", "~sort CONFIG GET cluster-*", "~sort CONFIG GET active*"),
]
# fmt: on

CASES = SEQUENCES


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
