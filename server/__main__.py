"""`python -m server [redis.conf] [--directive value ...]`: start the bundled server like redis-server."""

from __future__ import annotations

import sys

from server.config import Config, ConfigFileError

USAGE = """Usage: python -m server [/path/to/redis.conf] [options]
       python -m server -v or --version
       python -m server -h or --help

Examples:
       python -m server (run the server with default conf)
       python -m server /etc/redis/6379.conf
       python -m server --port 7777
       python -m server --port 7777 --tls-port 7778 --tls-cert-file s.crt --tls-key-file s.key \\
           --tls-ca-cert-file ca.crt
       python -m server /etc/myredis.conf --loglevel verbose"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if args and args[0] in ("-v", "--version"):
        from server.commands.connection import REDIS_VERSION

        print(f"Redis server v={REDIS_VERSION} (redis-tls-lab bundled server, Python)")
        return 0
    path = None
    if args and not args[0].startswith("--"):
        path, args = args[0], args[1:]
    try:
        cfg = Config.load(path, args)
    except ConfigFileError as e:
        print(e, file=sys.stderr)
        return 1
    from server.app import run

    return run(cfg)


if __name__ == "__main__":
    sys.exit(main())
