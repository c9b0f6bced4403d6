"""Differential cases: pub/sub, RESP2 subscribed mode and RESP3 push frames (case syntax: harness.py)."""

from __future__ import annotations

import pytest

from tests.server.differential.harness import Commands, Servers, arity_cases, assert_same, case_id

# name: (arity as Redis declares it, key type it works on or None, valid arguments after the name)
COMMANDS: Commands = {
    "SUBSCRIBE": (-2, None, "c"),
    "PSUBSCRIBE": (-2, None, "c*"),
    "UNSUBSCRIBE": (-1, None, ""),
    "PUNSUBSCRIBE": (-1, None, ""),
    "PUBLISH": (3, None, "c m"),
    "PUBSUB": (-2, None, "NUMPAT"),
    "SSUBSCRIBE": (-2, None, "c"),
    "SUNSUBSCRIBE": (-1, None, ""),
    "SPUBLISH": (3, None, "c m"),
}

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("PING", "@2 SUBSCRIBE news", "PUBLISH news hello", "@2 READ", "PUBLISH other x", "PUBLISH news again",
     "@2 READ"),
    ("PING", "@2 SUBSCRIBE a b c", "@2 READ", "@2 READ", "@2 SUBSCRIBE a", "@2 UNSUBSCRIBE b",
     "@2 UNSUBSCRIBE c", "@2 UNSUBSCRIBE", "@2 UNSUBSCRIBE", "@2 PUNSUBSCRIBE", "PUBLISH a x"),
    ("PING", "@2 PSUBSCRIBE n* x?", "@2 READ", "PUBLISH news hi", "@2 READ", "PUBLISH xy yo", "@2 READ",
     "@2 SUBSCRIBE news", "PUBLISH news both", "@2 READ", "@2 READ", "@2 PUNSUBSCRIBE n*", "@2 PUNSUBSCRIBE",
     "@2 PUNSUBSCRIBE"),
    ("SUBSCRIBE c", "GET k", "SET k v", "PING", "PING hello", "PUBLISH c m", "CONFIG GET port", "MULTI",
     "UNSUBSCRIBE c", "PING", "GET k"),
    ("SUBSCRIBE c", "RESET", "GET k", "PUBSUB NUMSUB c", "PING"),
    ("PSUBSCRIBE p*", "ECHO x", "PUNSUBSCRIBE", "ECHO x"),
    ("MULTI", "SUBSCRIBE c", "EXEC", "PING"),
    ("HELLO 3", "SUBSCRIBE c d", "READ", "PING", "GET k", "PUBLISH c self", "READ", "PUBLISH nobody x",
     "UNSUBSCRIBE d", "UNSUBSCRIBE", "UNSUBSCRIBE"),
    ("HELLO 3", "PSUBSCRIBE c*", "PUBLISH cat meow", "READ", "PUNSUBSCRIBE c*", "PUNSUBSCRIBE"),
    ("PING", "@2 HELLO 3", "@2 SUBSCRIBE c", "@2 PSUBSCRIBE *", "PUBLISH c m", "@2 READ", "@2 READ"),
    ("PING", "@2 SUBSCRIBE a b", "@2 READ", "@2 PSUBSCRIBE p*", "~sort PUBSUB CHANNELS", "PUBSUB CHANNELS a*",
     "PUBSUB NUMSUB a b z", "PUBSUB NUMSUB", "PUBSUB NUMPAT", "PUBSUB CHANNELS a b", "PUBSUB FOO",
     "PUBSUB SHARDCHANNELS", "PUBSUB SHARDNUMSUB a", "PUBSUB NUMPAT x", "PUBSUB HELP"),
    ("PUBSUB CHANNELS", "PUBSUB NUMPAT", "PUBLISH c m", "UNSUBSCRIBE", "PUNSUBSCRIBE", "PUNSUBSCRIBE x",
     "UNSUBSCRIBE a b", "READ"),
    ("HELLO 3", "PUBSUB NUMSUB a", "UNSUBSCRIBE", "PUNSUBSCRIBE x y", "READ"),
    ('SUBSCRIBE "" "a\\x00b"', "READ", 'UNSUBSCRIBE "a\\x00b"'),
    ("PING", "@2 SUBSCRIBE a b", "@2 READ", "@2 PSUBSCRIBE p*", "~kind CLIENT LIST"),
    # Sharded pub/sub: its own namespace, counts and message kind.
    ("PING", "@2 SSUBSCRIBE news sport", "@2 READ", "SPUBLISH news hi", "@2 READ", "PUBLISH news plain",
     "SPUBLISH nobody x", "~sort PUBSUB SHARDCHANNELS", "PUBSUB SHARDCHANNELS n*", "PUBSUB SHARDNUMSUB news x",
     "PUBSUB CHANNELS", "PUBSUB NUMSUB news", "@2 SUBSCRIBE news", "@2 PSUBSCRIBE *", "SPUBLISH news again",
     "@2 READ", "@2 SUNSUBSCRIBE news", "@2 UNSUBSCRIBE", "@2 PUNSUBSCRIBE", "@2 SUNSUBSCRIBE", "@2 PING",
     "PUBSUB SHARDCHANNELS"),
    ("SSUBSCRIBE c", "GET k", "PING", "SUNSUBSCRIBE", "SUNSUBSCRIBE", "GET k", "SUNSUBSCRIBE x y", "READ"),
    ("SSUBSCRIBE c", "SUBSCRIBE d", "UNSUBSCRIBE d", "GET k", "SUNSUBSCRIBE c", "GET k"),
    ("MULTI", "SSUBSCRIBE c", "EXEC", "PING", "SPUBLISH c m"),
    # (SUNSUBSCRIBE without names leaves in the client's hash order in Redis: one channel left then.)
    ("HELLO 3", "SSUBSCRIBE c d", "READ", "SPUBLISH c self", "READ", "GET k", "SUNSUBSCRIBE d", "SUNSUBSCRIBE",
     "PUBSUB SHARDNUMSUB c"),
    ("SSUBSCRIBE c", "RESET", "PUBSUB SHARDNUMSUB c", "PING"),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *SEQUENCES]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
