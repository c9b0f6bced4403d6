"""The rest of Redis 7.0's CONFIG parameters: accepted in redis.conf and by CONFIG SET, shown by CONFIG GET,
with Redis's defaults, types, ranges and enum choices (checked against redis-server 7.0.15's CONFIG GET *).

Most of them change nothing in the bundled server (there is no replication, cluster, eviction or RDB);
they exist so that a redis.conf written for Redis loads as written and CONFIG GET answers as Redis does.
The encoding thresholds (hash-max-listpack-entries ...) are read by OBJECT ENCODING. The directives the
server acts on live in server.config; a name defined there wins over this catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.config import IMMUTABLE, SENSITIVE, Bool, Directive, Enum, Int, Kind, Str

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_UINT_MAX = 2**32 - 1
_LONG_MAX = _LLONG_MAX = 2**63 - 1
_ULLONG_MAX = 2**64 - 1


class Words(Kind):
    """A multi-argument value kept as its words (client-output-buffer-limit, oom-score-adj-values ...)."""

    multi_arg = True

    def parse(self, args: Sequence[str]) -> str:
        return " ".join(args)

    def render(self, value: Any) -> str:
        return str(value)


def _b(name: str, default: str, *flags: str) -> Directive:
    return Directive(name, Bool(), (default,), frozenset(flags))


def _i(name: str, low: int, high: int, default: str, *flags: str, memory: bool = False) -> Directive:
    return Directive(name, Int(low, high, memory=memory), (default,), frozenset(flags))


def _e(name: str, choices: str, default: str, *flags: str) -> Directive:
    return Directive(name, Enum(tuple(choices.split())), (default,), frozenset(flags))


def _s(name: str, default: str = "", *flags: str) -> Directive:
    return Directive(name, Str(), (default,), frozenset(flags))


def _w(name: str, *default: str, flags: tuple[str, ...] = ()) -> Directive:
    return Directive(name, Words(), default, frozenset(flags))


_EVICTION = (
    "volatile-lru volatile-lfu volatile-random volatile-ttl allkeys-lru allkeys-lfu allkeys-random noeviction"
)
_FACILITY = "user local0 local1 local2 local3 local4 local5 local6 local7"
_SHUTDOWN = "default save nosave now force"

CATALOG: tuple[Directive, ...] = (
    _e("acl-pubsub-default", "allchannels resetchannels", "resetchannels"),
    _s("aclfile", "", IMMUTABLE),
    _i("acllog-max-len", 0, _LONG_MAX, "128"),
    _i("active-defrag-cycle-max", 1, 99, "25"),
    _i("active-defrag-cycle-min", 1, 99, "1"),
    _i("active-defrag-ignore-bytes", 1, _LLONG_MAX, "104857600", memory=True),
    _i("active-defrag-max-scan-fields", 1, _LONG_MAX, "1000"),
    _i("active-defrag-threshold-lower", 0, 1000, "10"),
    _i("active-defrag-threshold-upper", 0, 1000, "100"),
    _i("active-expire-effort", 1, 10, "1"),
    _b("activedefrag", "no"),
    _b("activerehashing", "yes"),
    _b("always-show-logo", "no", IMMUTABLE),
    _b("aof-disable-auto-gc", "no"),
    _b("aof-rewrite-incremental-fsync", "yes"),
    _b("aof-timestamp-enabled", "no"),
    _b("aof-use-rdb-preamble", "yes"),
    _s("aof_rewrite_cpulist", "", IMMUTABLE),
    _s("appenddirname", "appendonlydir", IMMUTABLE),
    _i("auto-aof-rewrite-min-size", 0, _LLONG_MAX, "67108864", memory=True),
    _i("auto-aof-rewrite-percentage", 0, _INT_MAX, "100"),
    _s("bgsave_cpulist", "", IMMUTABLE),
    _s("bind-source-addr"),
    _s("bio_cpulist", "", IMMUTABLE),
    _i("busy-reply-threshold", 0, _LONG_MAX, "5000"),
    _w("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
    _b("cluster-allow-pubsubshard-when-down", "yes"),
    _b("cluster-allow-reads-when-down", "no"),
    _b("cluster-allow-replica-migration", "yes"),
    _i("cluster-announce-bus-port", 0, 65535, "0"),
    _s("cluster-announce-hostname"),
    _s("cluster-announce-ip"),
    _i("cluster-announce-port", 0, 65535, "0"),
    _i("cluster-announce-tls-port", 0, 65535, "0"),
    _s("cluster-config-file", "nodes.conf", IMMUTABLE),
    _b("cluster-enabled", "no", IMMUTABLE),
    _i("cluster-link-sendbuf-limit", 0, _ULLONG_MAX, "0", memory=True),
    _i("cluster-migration-barrier", 0, _INT_MAX, "1"),
    _i("cluster-node-timeout", 0, _LLONG_MAX, "15000"),
    _i("cluster-port", 0, 65535, "0", IMMUTABLE),
    _e("cluster-preferred-endpoint-type", "ip hostname unknown-endpoint", "ip"),
    _b("cluster-replica-no-failover", "no"),
    _i("cluster-replica-validity-factor", 0, _INT_MAX, "10"),
    _b("cluster-require-full-coverage", "yes"),
    _b("crash-log-enabled", "yes"),
    _b("crash-memcheck-enabled", "yes"),
    _b("disable-thp", "yes", IMMUTABLE),
    _b("dynamic-hz", "yes"),
    _e("enable-debug-command", "no yes local", "no", IMMUTABLE),
    _e("enable-module-command", "no yes local", "no", IMMUTABLE),
    _i("hash-max-listpack-entries", 0, _LONG_MAX, "512"),
    _i("hash-max-listpack-value", 0, _LONG_MAX, "64", memory=True),
    _i("hll-sparse-max-bytes", 0, _LONG_MAX, "3000", memory=True),
    _s("ignore-warnings", "", IMMUTABLE),
    _i("io-threads", 1, 128, "1", IMMUTABLE),
    _b("io-threads-do-reads", "no", IMMUTABLE),
    _b("jemalloc-bg-thread", "yes"),
    _i("latency-monitor-threshold", 0, _LLONG_MAX, "0"),
    _b("latency-tracking", "yes"),
    _w("latency-tracking-info-percentiles", "50 99 99.9"),
    _b("lazyfree-lazy-eviction", "no"),
    _b("lazyfree-lazy-expire", "no"),
    _b("lazyfree-lazy-server-del", "no"),
    _b("lazyfree-lazy-user-del", "no"),
    _b("lazyfree-lazy-user-flush", "no"),
    _i("lfu-decay-time", 0, _INT_MAX, "1"),
    _i("lfu-log-factor", 0, _INT_MAX, "10"),
    _i("list-compress-depth", 0, _INT_MAX, "0"),
    _i("list-max-listpack-size", _INT_MIN, _INT_MAX, "-2"),
    _s("masterauth", "", SENSITIVE),
    _s("masteruser"),
    _i("maxmemory", 0, _ULLONG_MAX, "0", memory=True),
    _i("maxmemory-clients", 0, _LONG_MAX, "0", memory=True),
    _i("maxmemory-eviction-tenacity", 0, 100, "10"),
    _e("maxmemory-policy", _EVICTION, "noeviction"),
    _i("maxmemory-samples", 1, 64, "5"),
    _i("min-replicas-max-lag", 0, _INT_MAX, "10"),
    _i("min-replicas-to-write", 0, _INT_MAX, "0"),
    _b("no-appendfsync-on-rewrite", "no"),
    _s("notify-keyspace-events"),
    _e("oom-score-adj", "no yes relative absolute", "no"),
    _w("oom-score-adj-values", "0 200 800"),
    _s("proc-title-template", "{title} {listen-addr} {server-mode}"),
    _e("propagation-error-behavior", "ignore panic panic-on-replicas", "ignore"),
    _b("rdb-del-sync-files", "no"),
    _b("rdb-save-incremental-fsync", "yes"),
    _b("rdbchecksum", "yes", IMMUTABLE),
    _b("rdbcompression", "yes"),
    _i("repl-backlog-size", 1, _LLONG_MAX, "1048576", memory=True),
    _i("repl-backlog-ttl", 0, _LONG_MAX, "3600"),
    _b("repl-disable-tcp-nodelay", "no"),
    _e("repl-diskless-load", "disabled on-empty-db swapdb", "disabled"),
    _b("repl-diskless-sync", "yes"),
    _i("repl-diskless-sync-delay", 0, _INT_MAX, "5"),
    _i("repl-diskless-sync-max-replicas", 0, _INT_MAX, "0"),
    _i("repl-ping-replica-period", 1, _INT_MAX, "10"),
    _i("repl-timeout", 1, _INT_MAX, "60"),
    _s("replica-announce-ip"),
    _i("replica-announce-port", 0, 65535, "0"),
    _b("replica-announced", "yes"),
    _b("replica-ignore-disk-write-errors", "no"),
    _b("replica-ignore-maxmemory", "yes"),
    _b("replica-lazy-flush", "no"),
    _i("replica-priority", 0, _INT_MAX, "100"),
    _b("replica-read-only", "yes"),
    _b("replica-serve-stale-data", "yes"),
    _w("replicaof", "", flags=(IMMUTABLE,)),
    _e("sanitize-dump-payload", "no yes clients", "no"),
    _s("server_cpulist", "", IMMUTABLE),
    _i("set-max-intset-entries", 0, _LONG_MAX, "512"),
    _b("set-proc-title", "yes", IMMUTABLE),
    _e("shutdown-on-sigint", _SHUTDOWN, "default"),
    _e("shutdown-on-sigterm", _SHUTDOWN, "default"),
    _i("shutdown-timeout", 0, _INT_MAX, "10"),
    _i("slowlog-log-slower-than", -1, _LLONG_MAX, "10000"),
    _i("slowlog-max-len", 0, _LONG_MAX, "128"),
    _i("socket-mark-id", 0, _UINT_MAX, "0"),
    _b("stop-writes-on-bgsave-error", "yes"),
    _i("stream-node-max-bytes", 0, _LONG_MAX, "4096", memory=True),
    _i("stream-node-max-entries", 0, _LLONG_MAX, "100"),
    _e("supervised", "upstart systemd auto no", "no", IMMUTABLE),
    _b("syslog-enabled", "no", IMMUTABLE),
    _e("syslog-facility", _FACILITY, "local0", IMMUTABLE),
    _s("syslog-ident", "redis", IMMUTABLE),
    _i("tcp-backlog", 0, _INT_MAX, "511", IMMUTABLE),
    _i("tcp-keepalive", 0, _INT_MAX, "300"),
    _i("tracking-table-max-keys", 0, _LONG_MAX, "1000000"),
    _s("unixsocket", "", IMMUTABLE),
    _i("unixsocketperm", 0, 0o777, "0", IMMUTABLE),
    _i("zset-max-listpack-entries", 0, _LONG_MAX, "128"),
    _i("zset-max-listpack-value", 0, _LONG_MAX, "64", memory=True),
)

# Old names Redis still accepts; CONFIG GET * lists both, with the same value.
ALIASES: dict[str, str] = {
    "hash-max-ziplist-entries": "hash-max-listpack-entries",
    "hash-max-ziplist-value": "hash-max-listpack-value",
    "zset-max-ziplist-entries": "zset-max-listpack-entries",
    "zset-max-ziplist-value": "zset-max-listpack-value",
    "list-max-ziplist-size": "list-max-listpack-size",
    "lua-time-limit": "busy-reply-threshold",
    "min-slaves-max-lag": "min-replicas-max-lag",
    "min-slaves-to-write": "min-replicas-to-write",
    "repl-ping-slave-period": "repl-ping-replica-period",
    "slave-announce-ip": "replica-announce-ip",
    "slave-announce-port": "replica-announce-port",
    "slave-ignore-maxmemory": "replica-ignore-maxmemory",
    "slave-lazy-flush": "replica-lazy-flush",
    "slave-priority": "replica-priority",
    "slave-read-only": "replica-read-only",
    "slave-serve-stale-data": "replica-serve-stale-data",
    "slaveof": "replicaof",
    "cluster-slave-no-failover": "cluster-replica-no-failover",
    "cluster-slave-validity-factor": "cluster-replica-validity-factor",
}
