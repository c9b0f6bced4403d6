"""The dataset: numbered databases of typed values, lazy and active expiry, WATCH invalidation, AOF dump.

Value types: bytes (string), dict[bytes, bytes] (hash), set[bytes] (set), QuickList (list).
Expiry times are absolute unix milliseconds; a key is expired when its time is *before* now (Redis's
keyIsExpired), so a key whose time is exactly now still exists.

Handlers mutate container values in place and then call `db.touch(key)` so that WATCH sees the change;
`set`, `delete`, expiry, `persist`, `set_expire_ms` and `flush` touch by themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from itertools import islice
from typing import TYPE_CHECKING

from server.quicklist import QuickList
from server.zset import ZSet

if TYPE_CHECKING:
    from collections import deque

    from server.blocking import Waiter

Value = bytes | dict[bytes, bytes] | set[bytes] | QuickList | ZSet

TYPE_NAMES: dict[type, bytes] = {
    bytes: b"string", dict: b"hash", set: b"set", QuickList: b"list", ZSet: b"zset"
}

# Redis 7 active expiry: sample 20 keys with a TTL per round; another round of the same database
# while more than 10% of the sample had expired (ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE).
EXPIRE_SAMPLE = 20
EXPIRE_STALE_PERCENT = 10
REWRITE_ITEMS_PER_CMD = 64  # AOF_REWRITE_ITEMS_PER_CMD
SCAN_SNAPSHOTS = 8  # SCAN iterations kept per database (see Database.scan)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def type_name(value: Value) -> bytes:
    return TYPE_NAMES[type(value)]


class WatchState:
    """One client's WATCHed keys. `dirty` turns true when a watched key is modified, deleted, expired
    or flushed after WATCH; a key that was already expired at WATCH time only counts when it is written."""

    __slots__ = ("_dirty", "watched")

    def __init__(self) -> None:
        self._dirty = False
        # (database, key) -> the key was already logically expired when WATCH ran
        self.watched: dict[tuple[Database, bytes], bool] = {}

    @property
    def dirty(self) -> bool:
        if self._dirty:
            return True
        # Redis's isWatchedKeyExpired: a watched key that expired since WATCH, even if nobody looked.
        now = now_ms()
        for (db, key), was_expired in self.watched.items():
            if not was_expired and db.is_expired(key, now):
                self._dirty = True
                break
        return self._dirty

    @dirty.setter
    def dirty(self, value: bool) -> None:
        self._dirty = value


class Database:
    __slots__ = (
        "_exp_pos",
        "_exp_sample",
        "_scan_next_id",
        "_scans",
        "blocked",
        "data",
        "expires",
        "index",
        "keyspace",
        "watchers",
    )

    def __init__(self, keyspace: Keyspace, index: int) -> None:
        self.keyspace = keyspace
        self.index = index
        self.data: dict[bytes, Value] = {}
        self.expires: dict[bytes, int] = {}  # always a subset of data's keys
        self.watchers: dict[bytes, set[WatchState]] = {}
        # key -> clients blocked on it (BLPOP, BZPOPMIN ...), first blocked first; owned by server.blocking.
        self.blocked: dict[bytes, deque[Waiter]] = {}
        self._exp_sample: list[bytes] = []
        self._exp_pos = 0
        self._scans: dict[int, list[bytes]] = {}
        self._scan_next_id = 1

    # ---- reads -------------------------------------------------------------------------------

    def lookup(self, key: bytes) -> Value | None:
        """The value, or None when missing; an expired key is deleted on the way (lazy expiry)."""
        if self.expires:
            when = self.expires.get(key)
            if when is not None and when < now_ms() and not self.keyspace.loading:
                self._expire(key)
                return None
        return self.data.get(key)

    def exists(self, key: bytes) -> bool:
        return self.lookup(key) is not None

    def is_expired(self, key: bytes, now: int | None = None) -> bool:
        """Logically expired (time passed) but maybe not yet deleted; never deletes."""
        when = self.expires.get(key)
        if when is None or self.keyspace.loading:
            return False
        return when < (now_ms() if now is None else now)

    def get_expire_ms(self, key: bytes) -> int | None:
        return self.expires.get(key)

    def size(self) -> int:
        """Like DBSIZE: keys that expired but were not reclaimed yet still count."""
        return len(self.data)

    def expires_count(self) -> int:
        return len(self.expires)

    def keys(self) -> Iterator[bytes]:
        """Live keys (KEYS skips expired keys without deleting them)."""
        if not self.expires:
            yield from list(self.data)
            return
        now = now_ms()
        for key in list(self.data):
            if not self.is_expired(key, now):
                yield key

    # ---- writes ------------------------------------------------------------------------------

    def set(self, key: bytes, value: Value, keepttl: bool = False) -> None:
        """Store a value; drops the key's TTL unless keepttl (then an already expired key is reclaimed
        first, so its old TTL is not kept)."""
        if keepttl:
            if self.expires:
                self.lookup(key)
        elif self.expires:
            self.expires.pop(key, None)
        self.data[key] = value
        if self.watchers and key in self.watchers:
            self._touch(key)
        if self.blocked and key in self.blocked:
            self.keyspace.ready[(self, key)] = None

    def replace(self, key: bytes, value: Value) -> None:
        """Overwrite the value of a live key, keeping its TTL (INCR, APPEND, INCRBYFLOAT)."""
        self.data[key] = value
        if self.watchers and key in self.watchers:
            self._touch(key)

    def delete(self, key: bytes) -> bool:
        """Remove a live key; False when missing or expired (an expired key is reclaimed as such)."""
        if self.expires and key in self.expires:
            if self.is_expired(key):
                self._expire(key)
                return False
            del self.expires[key]
        if self.data.pop(key, None) is None:
            return False
        if self.watchers and key in self.watchers:
            self._touch(key)
        return True

    def touch(self, key: bytes) -> None:
        """Signal an in-place modification of key's value (WATCH, and clients blocked on the key)."""
        if self.watchers and key in self.watchers:
            self._touch(key)
        if self.blocked and key in self.blocked:
            self.keyspace.ready[(self, key)] = None

    def set_expire_ms(self, key: bytes, when_ms: int) -> None:
        """Set the absolute expiry of an existing key."""
        self.expires[key] = when_ms
        self.touch(key)

    def persist(self, key: bytes) -> bool:
        """Remove the TTL; True when there was one."""
        if self.expires.pop(key, None) is None:
            return False
        self.touch(key)
        return True

    def rename(self, src: bytes, dst: bytes) -> None:
        """Move src (which must exist) to dst, overwriting dst and carrying src's TTL."""
        value = self.data.pop(src)
        when = self.expires.pop(src, None)
        self.expires.pop(dst, None)
        self.data[dst] = value
        if when is not None:
            self.expires[dst] = when
        self.touch(src)
        self.touch(dst)

    def flush(self) -> None:
        if self.watchers:
            # Redis's touchAllWatchedKeysInDb: only watched keys that exist (even if expired) change.
            present = [key for key in self.watchers if key in self.data]
            self.data.clear()
            self.expires.clear()
            for key in present:
                self._touch(key)
        else:
            self.data.clear()
            self.expires.clear()
        self._exp_sample = []
        self._exp_pos = 0
        self._scans.clear()

    def forget_walks(self) -> None:
        """Drop the expiry and SCAN snapshots (the key set was replaced wholesale: SWAPDB)."""
        self._exp_sample = []
        self._exp_pos = 0
        self._scans.clear()

    # ---- WATCH -------------------------------------------------------------------------------

    def watch(self, key: bytes, w: WatchState) -> None:
        ref = (self, key)
        if ref in w.watched:
            return
        w.watched[ref] = self.is_expired(key)
        self.watchers.setdefault(key, set()).add(w)

    def _touch(self, key: bytes) -> None:
        ref = (self, key)
        for w in self.watchers.get(key, ()):
            if w.watched.get(ref) and key not in self.data:
                # Watched while already expired and now gone: logically no change (Redis 7).
                w.watched[ref] = False
                continue
            w._dirty = True

    # ---- expiry ------------------------------------------------------------------------------

    def _expire(self, key: bytes) -> None:
        del self.data[key]
        del self.expires[key]
        ks = self.keyspace
        ks.expired_keys += 1
        if self.watchers and key in self.watchers:
            self._touch(key)
        if ks.on_expired is not None:
            ks.on_expired(self.index, key)

    def expire_sample(self, now: int, count: int) -> tuple[int, int]:
        """Check up to `count` keys that have a TTL, continuing where the last sample stopped, and reclaim
        the expired ones. Returns (sampled, expired). The walk goes over a snapshot of the TTL keys that
        is renewed when used up, so every TTL key is visited once per pass (like Redis's expires_cursor)."""
        if self._exp_pos >= len(self._exp_sample):
            self._exp_sample = list(self.expires)
            self._exp_pos = 0
        start = self._exp_pos
        batch = self._exp_sample[start : start + count]
        self._exp_pos = start + len(batch)
        sampled = expired = 0
        expires = self.expires
        for key in batch:
            when = expires.get(key)
            if when is None:
                continue  # deleted or persisted since the snapshot
            sampled += 1
            if when < now:
                self._expire(key)
                expired += 1
        return sampled, expired

    # ---- SCAN --------------------------------------------------------------------------------

    def scan(self, cursor: int, count: int) -> tuple[int, list[bytes]]:
        """Walk the keys `count` at a time. The cursor names a snapshot of the key list taken when the
        walk began (high 32 bits) and a position in it (low 32 bits), so a key present for the whole walk
        is returned, as Redis guarantees. Returned keys may have been deleted since: the caller filters.
        Only SCAN_SNAPSHOTS walks are kept per database; an unknown cursor restarts a snapshot at its
        position (a key may then be missed, never an endless walk)."""
        walk_id, pos = cursor >> 32, cursor & 0xFFFFFFFF
        keys = self._scans.pop(walk_id, None) if walk_id else None
        if keys is None:
            keys = list(self.data)
            walk_id = self._scan_next_id
            self._scan_next_id = self._scan_next_id % 0xFFFFFFFF + 1
        batch = keys[pos : pos + count]
        pos += len(batch)
        if pos >= len(keys):
            return 0, batch
        self._scans[walk_id] = keys  # re-inserted last: the dict doubles as an LRU
        while len(self._scans) > SCAN_SNAPSHOTS:
            del self._scans[next(iter(self._scans))]
        return (walk_id << 32) | pos, batch


class Keyspace:
    """All databases, plus what the server wires in: `on_expired(db_index, key)` is called when a key is
    reclaimed because it expired (the AOF logs a DEL then), and `loading` is set during AOF replay
    (no expiry happens then, as in Redis, so the replay rebuilds exactly what was logged)."""

    def __init__(self, databases: int = 16) -> None:
        self.databases = databases
        self._dbs = [Database(self, i) for i in range(databases)]
        self.on_expired: Callable[[int, bytes], None] | None = None
        self.loading = False
        # Keys that clients block on and that a write just set or changed, in signal order (an ordered
        # set): the dispatcher hands them to server.blocking after the command, as Redis's ready_keys.
        self.ready: dict[tuple[Database, bytes], None] = {}
        self.expired_keys = 0  # INFO stats expired_keys
        self._expire_next_db = 0

    def db(self, index: int) -> Database:
        return self._dbs[index]

    def flushall(self) -> None:
        for db in self._dbs:
            db.flush()

    def unwatch_all(self, w: WatchState) -> None:
        """Forget every key w watches and clear its dirty flag (EXEC, DISCARD, UNWATCH, disconnect)."""
        for db, key in w.watched:
            clients = db.watchers.get(key)
            if clients is not None:
                clients.discard(w)
                if not clients:
                    del db.watchers[key]
        w.watched.clear()
        w._dirty = False

    def active_expire_cycle(self, budget_ms: float = 25.0) -> int:
        """Reclaim expired keys by sampling, within a time budget; returns how many were reclaimed.
        Called every 100 ms (hz 10); 25 ms is Redis's 25% CPU cap for the slow cycle."""
        if self.loading:
            return 0
        deadline = time.perf_counter() + budget_ms / 1000
        total = 0
        n = self.databases
        for i in range(n):
            db = self._dbs[(self._expire_next_db + i) % n]
            while db.expires:
                sampled, expired = db.expire_sample(now_ms(), EXPIRE_SAMPLE)
                total += expired
                if time.perf_counter() > deadline:
                    self._expire_next_db = (self._expire_next_db + i) % n
                    return total
                if sampled and expired * 100 <= sampled * EXPIRE_STALE_PERCENT:
                    break
        self._expire_next_db = (self._expire_next_db + 1) % n
        return total

    def info_keyspace(self) -> dict[int, tuple[int, int]]:
        """{db index: (keys, keys with a TTL)} for non-empty databases, as INFO keyspace lists them."""
        return {db.index: (len(db.data), len(db.expires)) for db in self._dbs if db.data}

    def dump_commands(self) -> Iterator[list[bytes]]:
        """Commands whose replay rebuilds the live dataset (AOF rewrite); expired keys are left out."""
        now = now_ms()
        for db in self._dbs:
            if not db.data:
                continue
            yield [b"SELECT", str(db.index).encode()]
            for key, value in list(db.data.items()):
                when = db.expires.get(key)
                if when is not None and when < now:
                    continue
                yield from _rebuild(key, value)
                if when is not None:
                    yield [b"PEXPIREAT", key, str(when).encode()]


def _rebuild(key: bytes, value: Value) -> Iterator[list[bytes]]:
    if isinstance(value, bytes):
        yield [b"SET", key, value]
        return
    if isinstance(value, dict):
        items: list[bytes] = [part for pair in value.items() for part in pair]
        name, step = b"HSET", 2 * REWRITE_ITEMS_PER_CMD
    elif isinstance(value, ZSet):
        items = [part for score, member in value for part in (b"%.17g" % score, member)]
        name, step = b"ZADD", 2 * REWRITE_ITEMS_PER_CMD
    else:
        items = list(value)
        name, step = (b"SADD" if isinstance(value, set) else b"RPUSH"), REWRITE_ITEMS_PER_CMD
    it = iter(items)
    while chunk := list(islice(it, step)):
        yield [name, key, *chunk]
