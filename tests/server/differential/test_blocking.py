"""Differential cases: blocking commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP
WAIT), their wakeups, timeouts, CLIENT UNBLOCK / KILL, and the state a connection is left in after MULTI
errors, RESET and a blocked command (case syntax: harness.py; `~send` leaves a command blocked)."""

from __future__ import annotations

import pytest

from tests.server.differential.harness import (
    Commands,
    Servers,
    arity_cases,
    assert_same,
    case_id,
    resp3,
    wrongtype_cases,
)

# name: (arity as Redis declares it, key type it works on or None, valid arguments after the name)
COMMANDS: Commands = {
    "BLPOP": (-3, "list", "k 0.01"),
    "BRPOP": (-3, "list", "k 0.01"),
    "BLMOVE": (6, "list", "k dst LEFT RIGHT 0.01"),
    "BRPOPLPUSH": (4, "list", "k dst 0.01"),
    "BLMPOP": (-5, "list", "0.01 1 k LEFT"),
    "BZPOPMIN": (-3, "zset", "k 0.01"),
    "BZPOPMAX": (-3, "zset", "k 0.01"),
    "BZMPOP": (-5, "zset", "0.01 1 k MIN"),
    "WAIT": (3, None, "0 0"),
}

CLIENT_FIELDS = "~fields:flags,db,sub,psub,multi,cmd,resp,name"

# fmt: off
ERRORS: list[tuple[str, ...]] = [
    ("BLPOP k abc",), ("BLPOP k -1",), ("BLPOP k 1e400",), ("BLPOP k inf",), ("BLPOP k -inf",),
    ("BLPOP k nan",), ("BLPOP k 9999999999999999",), ("BLPOP k 0.0001",), ('BLPOP k " 1"',), ("BLPOP k 1x",),
    ("BRPOP k1 k2 abc",), ("BZPOPMIN k -0.5",), ("BZPOPMAX k x",),
    ("BLMOVE a b up right 0",), ("BLMOVE a b left down 0",), ("BLMOVE a b left right x",),
    ("BLMOVE a b left right -1",), ("BRPOPLPUSH a b x",), ("BRPOPLPUSH a b -2",),
    ("BLMPOP x 0 a left",), ("BLMPOP x 1 a middle",), ("BLMPOP 0 1 a left count 0",),
    ("BLMPOP 0 1 a left count x",), ("BLMPOP 0 1 a left count 2 count 3",), ("BLMPOP 0 2 a",),
    ("BLMPOP x 1 a left",), ("BLMPOP -1 1 a left",),
    ("BZMPOP x 1 z foo",), ("BZMPOP 0 0 z min",), ("BZMPOP 0 1 z min count -1",), ("BZMPOP 0 1 z max bar",),
    ("BZMPOP x 1 z min",), ("BZMPOP 0 5 z min",),
    ("WAIT 0 abc",), ("WAIT 0 -1",), ("WAIT x 1",), ("WAIT 0 1.5",), ("WAIT -1 0",), ("WAIT 0 0",),
    ("CLIENT UNBLOCK 1 timeout extra",), ("CLIENT UNBLOCK x foo",), ("CLIENT UNBLOCK 0",),
    ("CLIENT UNBLOCK -1",), ("CLIENT UNBLOCK x",), ("CLIENT UNBLOCK 999999 ERROR",), ("CLIENT UNBLOCK",),
    ("CLIENT UNBLOCK {id@1}",),
]

IMMEDIATE: list[tuple[str, ...]] = [
    ("RPUSH k a b", "BLPOP k 0", "BRPOP k 0", "EXISTS k"),
    ("RPUSH k2 x", "BLPOP k1 k2 0", "RPUSH k1 y", "BRPOP k1 k2 0"),
    ("RPUSH k a", "BLPOP k k 0"),
    ("SET s v", "RPUSH l a", "BLPOP l s 0", "BLPOP s l 0"),
    ("RPUSH a 1 2", "BLMOVE a b LEFT RIGHT 0", "BRPOPLPUSH a b 0", "LRANGE b 0 -1", "EXISTS a"),
    ("RPUSH a 1 2", "BLMOVE a a RIGHT LEFT 0", "LRANGE a 0 -1"),
    ("RPUSH l a", "SET s v", "BLMOVE l s LEFT LEFT 0", "LRANGE l 0 -1"),
    ("RPUSH k2 a b c", "BLMPOP 0 2 k1 k2 RIGHT COUNT 2", "BLMPOP 0 1 k2 LEFT COUNT 9", "EXISTS k2"),
    ("ZADD z 1 a 2 b 3 c", "BZPOPMIN z 0", "BZPOPMAX z 0", "BZPOPMIN nokey z 0"),
    ("ZADD z 1 a 2 b 3 c", "BZMPOP 0 2 nokey z MAX COUNT 2", "BZMPOP 0 1 z MIN COUNT 5", "EXISTS z"),
    ("ZADD z 1.5 a", "SET s v", "BZPOPMIN s z 0",),
    ("ZADD z 1.5 a", "SET s v", "BZPOPMIN z s 0",),
]

TIMEOUTS: list[tuple[str, ...]] = [
    ("BLPOP k1 k2 0.05",), ("BRPOP k 0.02",), ("BLMOVE a b LEFT RIGHT 0.02",), ("BRPOPLPUSH a b 0.02",),
    ("BLMPOP 0.02 1 a LEFT",), ("BZPOPMIN z 0.02",), ("BZPOPMAX z 0.02",), ("BZMPOP 0.02 1 z MIN",),
    ("WAIT 1 20",), ("WAIT 5 1",),
    ("~send @2 BLPOP k 0.1", "SLEEP 0.3", "@2 READ", "RPUSH k a", "LLEN k", "@2 PING"),
    ("~send @2 BZPOPMAX z 0.1", "SLEEP 0.3", "@2 READ", "ZADD z 1 m", "ZCARD z"),
    ("~send @2 WAIT 1 100", "SLEEP 0.3", "@2 READ"),
]

MULTI: list[tuple[str, ...]] = [
    ("MULTI", "BLPOP nokey 0", "BRPOP nokey 1", "BZPOPMIN nokey 0", "BZPOPMAX nokey 0",
     "BLMOVE nokey b LEFT LEFT 0", "BRPOPLPUSH nokey b 0", "BLMPOP 0 1 nokey LEFT", "BZMPOP 0 1 nokey MIN",
     "WAIT 1 0", "BLPOP nokey x", "EXEC"),
    ("RPUSH k a", "SET s v", "MULTI", "BLPOP k 0", "BLPOP k 0", "BLPOP s 0", "EXEC"),
    ("MULTI", "BLPOP k 0", "EXEC", CLIENT_FIELDS + " CLIENT INFO", "~fields:blocked_clients INFO clients"),
]

WAKEUPS: list[tuple[str, ...]] = [
    ("~send @2 BLPOP k 0", "RPUSH k a b", "@2 READ", "LRANGE k 0 -1"),
    ("~send @2 BRPOP k1 k2 0", "RPUSH k2 x", "@2 READ", "EXISTS k2"),
    # FIFO per key: the client that blocked first is served first
    ("~send @2 BLPOP k 0", "~send @3 BRPOP k 0", "RPUSH k a b c", "@2 READ", "@3 READ", "LRANGE k 0 -1"),
    ("~send @2 BLPOP k 0", "~send @3 BLPOP k 0", "RPUSH k a", "@2 READ", "LLEN k", "RPUSH k b", "@3 READ"),
    ("~send @3 BLPOP k 0", "~send @2 BLPOP k 0", "RPUSH k a", "@3 READ", "RPUSH k b", "@2 READ"),
    ("~send @2 BLPOP k1 k2 0", "~send @3 BLPOP k2 0", "RPUSH k2 a", "@2 READ", "RPUSH k2 b", "@3 READ"),
    ("~send @2 BLPOP k 0", "~send @3 BLMPOP 0 1 k LEFT COUNT 5", "RPUSH k a b c", "@2 READ", "@3 READ"),
    # a wakeup that pushes wakes the next waiter (BLMOVE chains)
    ("~send @2 BLMOVE src dst LEFT RIGHT 0", "~send @3 BLPOP dst 0", "RPUSH src x", "@2 READ", "@3 READ",
     "EXISTS src dst"),
    ("~send @2 BRPOPLPUSH a b 0", "~send @3 BRPOPLPUSH b c 0", "LPUSH a v", "@2 READ", "@3 READ",
     "LRANGE c 0 -1", "EXISTS a b"),
    ("SET dst v", "~send @2 BLMOVE src dst LEFT LEFT 0", "RPUSH src a", "@2 READ", "LRANGE src 0 -1"),
    # EXEC serves after the whole transaction, not between its commands
    ("~send @2 BLPOP k 0", "MULTI", "RPUSH k a", "RPUSH k b", "LPOP k", "EXEC", "@2 READ", "LRANGE k 0 -1"),
    ("~send @2 BLPOP k 0", "MULTI", "RPUSH k a", "LPOP k", "EXEC", "~fields:blocked_clients INFO clients",
     "RPUSH k z", "@2 READ"),
    # commands pipelined after the blocking one wait for it
    ("~send @2 BLPOP k 0", "~send @2 PING", "~send @2 SET after 1", "EXISTS after", "RPUSH k a", "@2 READ",
     "@2 READ", "@2 READ", "GET after"),
    # pushes of every kind wake waiters
    ("~send @2 BLPOP k 0", "LPUSH k a", "@2 READ"),
    ("RPUSH src a", "~send @2 BLPOP dst 0", "LMOVE src dst LEFT LEFT", "@2 READ"),
    ("RPUSH src 3 1 2", "~send @2 BLPOP dst 0", "SORT src STORE dst", "@2 READ", "LRANGE dst 0 -1"),
    ("RPUSH src a", "~send @2 BLPOP dst 0", "RENAME src dst", "@2 READ"),
    ("RPUSH src a", "~send @2 BLPOP dst 0", "COPY src dst", "@2 READ", "LRANGE src 0 -1"),
    ("RPUSH k a", "~send @2 BLPOP k 0", "LINSERT k BEFORE a b", "@2 READ"),
    ("~send @2 BLPOP k 0", "RPUSHX k a", "LPUSHX k a", "RPUSH k a", "@2 READ"),
    ("~send @2 BZPOPMIN z 0", "ZADD z 2 b 1 a", "@2 READ", "ZRANGE z 0 -1 WITHSCORES"),
    ("~send @2 BZPOPMAX z1 z2 0", "ZADD z2 2 b 1 a", "@2 READ", "ZRANGE z2 0 -1"),
    ("~send @2 BZMPOP 0 1 z MAX COUNT 2", "ZADD z 1 a 2 b 3 c", "@2 READ", "ZRANGE z 0 -1"),
    ("~send @2 BZPOPMIN z 0", "~send @3 BZPOPMIN z 0", "ZADD z 1 a 2 b", "@2 READ", "@3 READ"),
    ("ZADD src 1 a", "~send @2 BZPOPMIN dst 0", "ZUNIONSTORE dst 1 src", "@2 READ"),
    ("ZADD src 1 a 2 b", "~send @2 BZPOPMAX dst 0", "ZRANGESTORE dst src 0 -1", "@2 READ"),
    ("~send @2 BZPOPMIN z 0", "ZINCRBY z 5 m", "@2 READ"),
    # a key of another type does not serve (and keeps) the waiter
    ("~send @2 BLPOP k 0", "~send @3 BZPOPMIN k 0", "ZADD k 1 m", "@3 READ",
     "~fields:blocked_clients INFO clients", "RPUSH k2 x", "RPUSH k a", "@2 READ"),
    ("~send @2 BLPOP k 0", "SET k v", "~fields:blocked_clients INFO clients", "DEL k", "RPUSH k a", "@2 READ"),
    # the waiter's database
    ("~send @2 BLPOP k 0", "SELECT 1", "RPUSH k a", "SELECT 0", "RPUSH k b", "@2 READ", "SELECT 1", "LLEN k"),
    ("@2 SELECT 2", "~send @2 BLPOP k 0", "RPUSH k a", "SELECT 2", "RPUSH k b", "@2 READ", "SELECT 0",
     "LLEN k"),
    ("~send @2 BLPOP k 0", "SELECT 1", "RPUSH k a", "SWAPDB 0 1", "@2 READ", "SELECT 0", "EXISTS k"),
    # RESP3 replies of a served waiter
    ("@2 HELLO 3", "~send @2 BZPOPMIN z 0", "ZADD z 1.5 a", "@2 READ"),
    ("@2 HELLO 3", "~send @2 BZMPOP 0 1 z MIN", "ZADD z 1.5 a", "@2 READ"),
    ("@2 HELLO 3", "~send @2 BLMOVE a b LEFT LEFT 0", "RPUSH a x", "@2 READ"),
]

CLIENTS: list[tuple[str, ...]] = [
    # CLIENT UNBLOCK: as a timeout, or with -UNBLOCKED; the connection then works as before
    ("~send @2 BLPOP k 0", "CLIENT UNBLOCK {id@2}", "@2 READ", "@2 PING", "RPUSH k a", "LLEN k"),
    ("~send @2 BLPOP k 0", "CLIENT UNBLOCK {id@2} TIMEOUT", "@2 READ", "CLIENT UNBLOCK {id@2}"),
    ("~send @2 BLPOP k 0", "CLIENT UNBLOCK {id@2} error", "@2 READ", "@2 PING"),
    ("~send @2 BLMOVE a b LEFT LEFT 0", "CLIENT UNBLOCK {id@2}", "@2 READ"),
    ("~send @2 BZMPOP 0 1 z MIN", "CLIENT UNBLOCK {id@2} ERROR", "@2 READ"),
    ("@2 HELLO 3", "~send @2 BLPOP k 0", "CLIENT UNBLOCK {id@2}", "@2 READ"),
    ("@2 HELLO 3", "~send @2 BLPOP k 0", "CLIENT UNBLOCK {id@2} ERROR", "@2 READ"),
    ("~send @2 WAIT 1 0", "CLIENT UNBLOCK {id@2}", "@2 READ"),
    ("~send @2 BLPOP k 9000000000000", "~send @3 WAIT 1 9000000000000000", "CLIENT UNBLOCK {id@2}", "@2 READ",
     "CLIENT UNBLOCK {id@3}", "@3 READ"),
    ("~send @2 WAIT 2 0", "CLIENT UNBLOCK {id@2} ERROR", "@2 READ", "@2 WAIT 0 0"),
    ("~send @2 BLPOP k 0", "~send @2 PING", "CLIENT UNBLOCK {id@2}", "@2 READ", "@2 READ"),
    ("~send @2 BLPOP k 0", "~send @3 BLPOP k 0", "CLIENT UNBLOCK {id@2}", "@2 READ", "RPUSH k a", "@3 READ"),
    # a killed or vanished waiter leaves the queue: the next one is served
    ("~send @2 BLPOP k 0", "~send @3 BLPOP k 0", "CLIENT KILL ID {id@2}", "~fields:blocked_clients INFO clients",
     "RPUSH k a", "@3 READ", "LLEN k"),
    ("~send @2 BLPOP k 0", "CLIENT KILL ID {id@2}", "RPUSH k a", "LLEN k", "~fields:blocked_clients INFO clients"),
    ("~send @2 BLPOP k 0", "~send @3 BLPOP k 0", "@2 CLOSE", "RPUSH k a", "@3 READ", "LLEN k"),
    ("~send @2 BZPOPMIN z 0", "@2 CLOSE", "ZADD z 1 a", "ZCARD z", "~fields:blocked_clients INFO clients"),
    # what CLIENT LIST and INFO show of a blocked client
    ("~send @2 BLPOP k 0", CLIENT_FIELDS + " CLIENT LIST ID {id@2}", "RPUSH k a", "@2 READ",
     CLIENT_FIELDS + " CLIENT LIST ID {id@2}"),
    ("~send @2 BZPOPMAX z 0", CLIENT_FIELDS + " CLIENT LIST ID {id@2}", "CLIENT UNBLOCK {id@2}", "@2 READ",
     CLIENT_FIELDS + " CLIENT LIST ID {id@2}"),
    ("~send @2 BLPOP k 0", "~send @3 BLPOP k 1000", "~fields:blocked_clients,clients_in_timeout_table INFO clients",
     "CLIENT UNBLOCK {id@3}", "@3 READ", "~fields:blocked_clients,clients_in_timeout_table INFO clients",
     "RPUSH k a", "@2 READ", "~fields:blocked_clients,clients_in_timeout_table INFO clients"),
    ("~send @2 WAIT 1 0", "~fields:blocked_clients INFO clients", CLIENT_FIELDS + " CLIENT LIST ID {id@2}",
     "CLIENT UNBLOCK {id@2}", "@2 READ"),
    ("@2 MULTI", "@2 BLPOP k 0", CLIENT_FIELDS + " CLIENT LIST ID {id@2}", "@2 EXEC"),
]

# The connection is left exactly as Redis leaves it: after a MULTI error, RESET, a blocked command.
ISOLATION: list[tuple[str, ...]] = [
    ("MULTI", "SET k 1", "NOSUCHCMD", "GET k", "EXEC", "GET k", CLIENT_FIELDS + " CLIENT INFO", "MULTI", "EXEC"),
    ("MULTI", "SET k 1", "GET", "EXEC", "EXEC", "DISCARD", "SET k 2", "GET k"),
    ("MULTI", "SET k 1", "INCR k", "LPUSH k x", "EXEC", CLIENT_FIELDS + " CLIENT INFO", "GET k"),
    ("MULTI", "MULTI", "SET k 1", "EXEC", "GET k"),
    ("MULTI", "WATCH k", "SET k 1", "EXEC", "GET k"),
    ("SET k v", "WATCH k", "MULTI", "NOSUCHCMD", "EXEC", "@2 SET k w", "MULTI", "GET k", "EXEC"),
    ("MULTI", "SET k v", "RESET", "EXEC", "GET k", CLIENT_FIELDS + " CLIENT INFO"),
    ("MULTI", "SET k v", "NOSUCHCMD", "RESET", "MULTI", "SET k w", "EXEC", "GET k"),
    ("SET k v", "WATCH k", "@2 SET k x", "RESET", "MULTI", "GET k", "EXEC"),
    ("SELECT 3", "SET k v", "RESET", "GET k", "SELECT 3", "GET k", CLIENT_FIELDS + " CLIENT INFO"),
    ("SUBSCRIBE c", "PSUBSCRIBE p*", "RESET", "PING", CLIENT_FIELDS + " CLIENT INFO", "@2 PUBLISH c m"),
    ("HELLO 3", "SUBSCRIBE c", "RESET", CLIENT_FIELDS + " CLIENT INFO", "GET nokey", "@2 PUBLISH c m"),
    ("HELLO 3", "SELECT 2", "MULTI", "RESET", "GET k", "HGETALL nokey", CLIENT_FIELDS + " CLIENT INFO"),
    ("CLIENT SETNAME foo", "RESET", "CLIENT GETNAME", CLIENT_FIELDS + " CLIENT INFO"),
    ("~send @2 BLPOP k 0.05", "SLEEP 0.2", "@2 READ", "@2 PING",
     "~fields:blocked_clients INFO clients"),
    ("~send @2 BLPOP k 0", "CLIENT UNBLOCK {id@2}", "@2 READ", "@2 MULTI", "@2 BLPOP k 0", "@2 EXEC", "@2 RESET"),
    # `timeout` closes idle connections, never a blocked one (nor a subscriber); connection 1 stays busy
    ("CONFIG SET timeout 1", "@4 PING", "~send @2 BLPOP k 0", "@3 SUBSCRIBE c", "SLEEP 0.6", "PING", "SLEEP 0.6",
     "PING", "SLEEP 0.6", "PING", "SLEEP 0.6", "PING", "SLEEP 0.6", "PING", "CONFIG SET timeout 0", "RPUSH k a",
     "@2 READ", "PUBLISH c m", "@3 READ", "~fields:connected_clients,blocked_clients INFO clients"),
]
# ACL categories: every blocking command is in @blocking; WAIT is filed under @connection.
ACL: list[tuple[str, ...]] = [
    ("ACL SETUSER bu on nopass ~* +@all -@blocking", "ACL DRYRUN bu BLPOP k 0", "ACL DRYRUN bu BRPOP k 0",
     "ACL DRYRUN bu BLMOVE a b LEFT LEFT 0", "ACL DRYRUN bu BRPOPLPUSH a b 0", "ACL DRYRUN bu BLMPOP 0 1 k LEFT",
     "ACL DRYRUN bu BZPOPMIN z 0", "ACL DRYRUN bu BZPOPMAX z 0", "ACL DRYRUN bu BZMPOP 0 1 z MIN",
     "ACL DRYRUN bu LPOP k", "ACL DRYRUN bu WAIT 0 0", "ACL DELUSER bu"),
    ("ACL SETUSER bu on nopass ~* -@all +@connection", "ACL DRYRUN bu WAIT 0 0", "ACL DRYRUN bu BLPOP k 0",
     "ACL DELUSER bu"),
    ("ACL SETUSER bu on nopass ~* -@all +@blocking", "ACL DRYRUN bu BZMPOP 0 1 z MIN", "ACL DRYRUN bu WAIT 0 0",
     "ACL DELUSER bu"),
]
# fmt: on

SEQUENCES = [*ERRORS, *IMMEDIATE, *TIMEOUTS, *MULTI, *WAKEUPS, *CLIENTS, *ISOLATION, *ACL]
CASES = [
    *arity_cases(COMMANDS),
    *wrongtype_cases(COMMANDS),
    *SEQUENCES,
    *resp3([*IMMEDIATE, *TIMEOUTS[:10], *MULTI]),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
