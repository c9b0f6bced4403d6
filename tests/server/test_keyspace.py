"""server.keyspace alone: expiry (lazy, active, while loading), WATCH dirtiness, SCAN walks, AOF dump."""

from __future__ import annotations

from server.keyspace import Database, Keyspace, WatchState, now_ms
from server.quicklist import QuickList
from tests.server.commands.conftest import dataset, execute, make_ctx, replay


def _db() -> tuple[Keyspace, Database]:
    ks = Keyspace()
    return ks, ks.db(0)


def test_sixteen_independent_databases() -> None:
    ks = Keyspace()
    assert ks.databases == 16
    ks.db(0).set(b"k", b"zero")
    ks.db(15).set(b"k", b"fifteen")
    assert ks.db(0).lookup(b"k") == b"zero"
    assert ks.db(15).lookup(b"k") == b"fifteen"
    assert ks.db(1).lookup(b"k") is None
    assert ks.info_keyspace() == {0: (1, 0), 15: (1, 0)}


def test_lazy_expiry_reclaims_on_access_and_reports_it() -> None:
    ks, db = _db()
    reclaimed: list[tuple[int, bytes]] = []
    ks.on_expired = lambda index, key: reclaimed.append((index, key))
    db.set(b"gone", b"v")
    db.set_expire_ms(b"gone", now_ms() - 1)
    assert db.size() == 1  # not reclaimed until touched, like DBSIZE in Redis
    assert db.lookup(b"gone") is None
    assert db.size() == 0 and db.expires_count() == 0
    assert reclaimed == [(0, b"gone")]
    assert ks.expired_keys == 1


def test_a_key_expiring_exactly_now_still_exists() -> None:
    _, db = _db()
    db.set(b"k", b"v")
    now = now_ms()
    db.set_expire_ms(b"k", now)
    assert not db.is_expired(b"k", now)
    assert db.is_expired(b"k", now + 1)


def test_no_expiry_while_loading() -> None:
    ks, db = _db()
    db.set(b"k", b"v")
    db.set_expire_ms(b"k", now_ms() - 1000)
    ks.loading = True
    assert db.lookup(b"k") == b"v"
    assert ks.active_expire_cycle() == 0
    ks.loading = False
    assert db.lookup(b"k") is None


def test_set_drops_ttl_unless_keepttl_and_replace_keeps_it() -> None:
    _, db = _db()
    later = now_ms() + 60_000
    db.set(b"k", b"1")
    db.set_expire_ms(b"k", later)
    db.replace(b"k", b"2")
    assert db.get_expire_ms(b"k") == later
    db.set(b"k", b"3", keepttl=True)
    assert db.get_expire_ms(b"k") == later
    db.set(b"k", b"4")
    assert db.get_expire_ms(b"k") is None


def test_keepttl_does_not_resurrect_an_expired_ttl() -> None:
    _, db = _db()
    db.set(b"k", b"old")
    db.set_expire_ms(b"k", now_ms() - 5)
    db.set(b"k", b"new", keepttl=True)
    assert db.lookup(b"k") == b"new"
    assert db.get_expire_ms(b"k") is None


def test_delete_of_an_expired_key_reports_false() -> None:
    _, db = _db()
    db.set(b"k", b"v")
    db.set_expire_ms(b"k", now_ms() - 5)
    assert db.delete(b"k") is False
    assert db.size() == 0
    db.set(b"k", b"v")
    assert db.delete(b"k") is True
    assert db.delete(b"k") is False


def test_rename_carries_the_ttl_and_overwrites() -> None:
    _, db = _db()
    later = now_ms() + 10_000
    db.set(b"a", b"1")
    db.set_expire_ms(b"a", later)
    db.set(b"b", b"2")
    db.rename(b"a", b"b")
    assert db.lookup(b"a") is None
    assert db.lookup(b"b") == b"1"
    assert db.get_expire_ms(b"b") == later


def test_keys_skips_expired_without_reclaiming() -> None:
    _, db = _db()
    db.set(b"live", b"v")
    db.set(b"dead", b"v")
    db.set_expire_ms(b"dead", now_ms() - 5)
    assert list(db.keys()) == [b"live"]
    assert db.size() == 2


def _watching(db: Database, key: bytes) -> WatchState:
    w = WatchState()
    db.watch(key, w)
    return w


def test_watch_sees_writes_deletes_and_in_place_changes() -> None:
    ks, db = _db()
    w = _watching(db, b"k")
    other = _watching(db, b"other")
    assert not w.dirty
    db.set(b"k", b"v")
    assert w.dirty and not other.dirty
    ks.unwatch_all(w)
    assert not w.dirty and not db.watchers.get(b"k")

    db.watch(b"k", w)
    db.touch(b"k")
    assert w.dirty
    ks.unwatch_all(w)

    db.watch(b"k", w)
    assert db.delete(b"k")
    assert w.dirty


def test_watch_sees_expiry_even_when_nobody_reads_the_key() -> None:
    _, db = _db()
    db.set(b"k", b"v")
    db.set_expire_ms(b"k", now_ms() + 30)
    w = _watching(db, b"k")
    assert not w.dirty
    deadline = now_ms() + 2000
    while not db.is_expired(b"k") and now_ms() < deadline:
        pass
    assert w.dirty  # Redis's isWatchedKeyExpired at EXEC time


def test_watch_of_an_already_expired_key_ignores_its_reclaim_but_not_a_write() -> None:
    _, db = _db()
    db.set(b"k", b"v")
    db.set_expire_ms(b"k", now_ms() - 5)
    w = _watching(db, b"k")
    assert db.lookup(b"k") is None  # reclaimed: logically nothing changed
    assert not w.dirty
    db.set(b"k", b"new")
    assert w.dirty


def test_flush_dirties_only_watched_keys_that_exist() -> None:
    ks, db = _db()
    db.set(b"present", b"v")
    w_present = _watching(db, b"present")
    w_absent = _watching(db, b"absent")
    w_other_db = _watching(ks.db(1), b"present")
    db.flush()
    assert w_present.dirty
    assert not w_absent.dirty
    assert not w_other_db.dirty
    ks.db(1).set(b"present", b"v")
    ks.flushall()
    assert w_other_db.dirty


def test_rename_dirties_both_ends() -> None:
    _, db = _db()
    db.set(b"a", b"1")
    wa, wb = _watching(db, b"a"), _watching(db, b"b")
    db.rename(b"a", b"b")
    assert wa.dirty and wb.dirty


def test_active_expiry_reclaims_every_expired_key_and_spares_live_ones() -> None:
    ks, db = _db()
    past, future = now_ms() - 10, now_ms() + 600_000
    for i in range(3000):
        key = b"k%d" % i
        db.set(key, b"v")
        db.set_expire_ms(key, past if i % 3 else future)
    db.set(b"forever", b"v")
    reclaimed = 0
    for _ in range(50):
        reclaimed += ks.active_expire_cycle(budget_ms=1000)
    assert reclaimed == 2000
    assert db.size() == 1001
    assert ks.expired_keys == 2000


def test_active_expiry_stops_sampling_when_few_keys_are_stale() -> None:
    ks, db = _db()
    future = now_ms() + 600_000
    for i in range(1000):
        db.set(b"k%d" % i, b"v")
        db.set_expire_ms(b"k%d" % i, future)
    db.set(b"stale", b"v")
    db.set_expire_ms(b"stale", now_ms() - 1)
    ks.active_expire_cycle(budget_ms=1000)
    # One round of 20 samples had no or one stale key (<= 10%): the cycle moved on after it.
    assert db._exp_pos == 20


def test_scan_returns_every_key_present_for_the_whole_walk() -> None:
    _, db = _db()
    for i in range(100):
        db.set(b"stay%d" % i, b"v")
        db.set(b"churn%d" % i, b"v")
    seen: set[bytes] = set()
    cursor, step = 0, 0
    while True:
        cursor, batch = db.scan(cursor, 7)
        seen.update(batch)
        # Concurrent changes: delete some churn keys and add new ones while the walk goes on.
        db.delete(b"churn%d" % step)
        db.set(b"new%d" % step, b"v")
        step += 1
        if cursor == 0:
            break
    assert {b"stay%d" % i for i in range(100)} <= seen
    assert cursor == 0 and step == 29  # 200 keys, 7 per call


def test_scan_with_an_unknown_cursor_terminates() -> None:
    _, db = _db()
    for i in range(30):
        db.set(b"k%d" % i, b"v")
    cursor, batch = db.scan((12345 << 32) | 25, 10)
    assert cursor == 0 and len(batch) == 5


def test_dump_commands_rebuild_every_type_with_ttls_and_skip_expired() -> None:
    ks = Keyspace()
    db0, db3 = ks.db(0), ks.db(3)
    later = now_ms() + 60_000
    db0.set(b"s", b"text")
    db0.set_expire_ms(b"s", later)
    db0.set(b"h", {b"f%d" % i: b"v%d" % i for i in range(100)})
    db0.set(b"dead", b"x")
    db0.set_expire_ms(b"dead", now_ms() - 5)
    db3.set(b"set", {b"a", b"b"})
    db3.set(b"list", QuickList([b"x", b"y", b"x"]))
    cmds = list(ks.dump_commands())
    assert cmds[0] == [b"SELECT", b"0"]
    assert [b"SET", b"s", b"text"] in cmds
    assert [b"PEXPIREAT", b"s", str(later).encode()] in cmds
    hsets = [c for c in cmds if c[0] == b"HSET"]
    assert [len(c) for c in hsets] == [2 + 128, 2 + 72]  # 64 field/value pairs per command
    assert not any(b"dead" in c for c in cmds)
    assert cmds.index([b"SELECT", b"3"]) > cmds.index([b"SET", b"s", b"text"])
    sadd = next(c for c in cmds if c[0] == b"SADD")
    assert sorted(sadd[2:]) == [b"a", b"b"]
    assert [b"RPUSH", b"list", b"x", b"y", b"x"] in cmds


def test_replaying_dump_commands_through_the_handlers_rebuilds_the_dataset() -> None:
    ctx = make_ctx()
    for argv in [
        [b"SET", b"s", b"v", b"PX", b"100000"],
        [b"HSET", b"h", *[b"x%d" % i for i in range(300)]],
        [b"SADD", b"set", *[b"%d" % i for i in range(200)]],
        [b"RPUSH", b"l", b"a", b"b", b"a"],
        [b"SELECT", b"5"],
        [b"SET", b"other", b"db"],
        [b"EXPIRE", b"other", b"1000"],
    ]:
        execute(ctx, argv)
    rebuilt = replay(list(ctx.keyspace.dump_commands()))
    assert dataset(rebuilt) == dataset(ctx.keyspace)
    assert rebuilt.info_keyspace() == {0: (4, 1), 5: (1, 1)}
