"""Differential cases: the ACL command, its error texts and ACL LOG (case syntax: harness.py).

Users created here are deleted at the end of each case (the servers live for the whole session)."""

from __future__ import annotations

import pytest

from tests.server.differential.harness import Commands, Servers, arity_cases, assert_same, case_id

COMMANDS: Commands = {"ACL": (-2, None, "WHOAMI")}

CLEAN = "ACL DELUSER u v w x y z"

# fmt: off
SEQUENCES: list[tuple[str, ...]] = [
    ("ACL WHOAMI", "ACL USERS", "ACL LIST", "ACL GETUSER default", "ACL GETUSER nobody", "ACL CAT"),
    ("ACL SETUSER u on >pw ~k* &ch +get +set -get +@hash", "ACL LIST", "ACL GETUSER u", "ACL USERS",
     CLEAN),
    ("ACL SETUSER x", "ACL GETUSER x", "ACL LIST", "ACL SETUSER y on nopass allkeys allchannels +@all -get",
     "ACL GETUSER y", "ACL SETUSER v resetchannels &a allchannels", "ACL GETUSER v",
     CLEAN),
    ("ACL SETUSER q badrule", "ACL SETUSER q +nocmd", "ACL SETUSER q +@nocat", 'ACL SETUSER "a b"',
     "ACL SETUSER q >x <y", "ACL SETUSER q #abc", "ACL SETUSER q ~* ~a", "ACL USERS"),
    ("ACL SETUSER u on >pw ~k* +get +set", "ACL DRYRUN u get k", "ACL DRYRUN u set k v",
     "ACL DRYRUN u set x v", "ACL DRYRUN u del k", "ACL DRYRUN nouser get k", "ACL DRYRUN u foo",
     "ACL DRYRUN u get", CLEAN),
    ("ACL DELUSER default", "ACL DELUSER nobody", "ACL SETUSER u", "ACL DELUSER u u nobody", "ACL DELUSER u"),
    ("ACL CAT nocat", "ACL CAT a b", "ACL GENPASS 0", "ACL GENPASS 4097", "ACL GENPASS x", "ACL GENPASS 1 2",
     "ACL FOO", "acl whoami x", "ACL LOG x", "ACL LOG -1", "ACL LOG 1 2", "ACL HELP", "ACL SAVE", "ACL LOAD"),
    ("ACL LOG RESET", "ACL LOG", "AUTH nobody wrong", "AUTH wrong", "~acllog ACL LOG", "ACL LOG RESET",
     "ACL LOG"),
    ("ACL LOG RESET", "HELLO 3 AUTH nobody x", "HELLO 3 AUTH nobody x", "~acllog ACL LOG", "ACL LOG RESET"),
    ("ACL SETUSER u on >pw ~k* +get +acl", "@2 AUTH u pw", "@2 GET k", "@2 GET x", "@2 SET k v",
     "@2 ACL WHOAMI", "~acllog @2 ACL LOG", "~acllog ACL LOG 2", "ACL LOG RESET", CLEAN),
    ("ACL SETUSER u on >pw ~* +@all resetchannels &news.* &ops", "@2 AUTH u pw", "@2 PUBLISH news.x hi",
     "@2 PUBLISH other hi", "@2 SUBSCRIBE ops", "@2 SUBSCRIBE news.a secret", "@2 PSUBSCRIBE news.*",
     "@2 PSUBSCRIBE news.x*", "@2 PSUBSCRIBE *", "~acllog ACL LOG", "ACL LOG RESET",
     CLEAN),
    ("ACL SETUSER u on >pw", "AUTH u pw", "ACL WHOAMI", "GET k", "AUTH default x", "ACL WHOAMI"),
    # Commands whose keys move (numkeys, STORE, KEYS): every key is checked, not only a fixed range.
    ("ZADD k1 1 a", "ZADD secret 1 b", "RPUSH lst x", "ACL LOG RESET", "ACL SETUSER u on >pw ~k* +@all",
     "@2 AUTH u pw", "@2 ZUNIONSTORE k2 2 k1 secret", "@2 ZUNIONSTORE k2 1 k1", "@2 ZUNION 2 k1 secret",
     "@2 ZINTERCARD 2 k1 secret", "@2 ZDIFFSTORE secret 1 k1", "@2 SINTERCARD 1 secret", "@2 LMPOP 1 lst LEFT",
     "@2 ZMPOP 1 secret MIN", "@2 ZMPOP 1 k1 MIN", "@2 SORT k1 STORE secret", "@2 SORT k1 BY secret_* STORE k3", "@2 SORT k1 BY nosort", "@2 SORT k1 GET #",
     "@2 SORT_RO secret", '@2 MIGRATE 127.0.0.1 1 "" 0 10 KEYS k1 secret', "@2 ZUNION x k1",
     "~acllog ACL LOG 3", "ACL DRYRUN u ZUNION 2 k1 secret", "ACL DRYRUN u LMPOP 1 k9 LEFT",
     "ACL LOG RESET", CLEAN),
]
# fmt: on

CASES = [*arity_cases(COMMANDS), *SEQUENCES]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_replies_as_redis(servers: Servers, case: tuple[str, ...]) -> None:
    assert_same(servers, case)
