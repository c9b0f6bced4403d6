"""`tlslab watch`: live capture (a dumpcap ring buffer), analysed as it goes, findings shown at once."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import signal
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from lab.cli.analyze import say
from lab.cli.options import add_traffic, duration, output_file
from lab.errors import UserError

if TYPE_CHECKING:
    from lab.analysis.watch import Rates, Watch

HELP = "watch live traffic: plaintext Redis, AUTH in clear, weak TLS, bad certs, alert/failure rates"
POLL_S = 0.2
NET_DEVICES = Path("/sys/class/net")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-i", "--interface", default="lo", help="interface to capture on (default: lo)")
    add_traffic(
        parser, "a port to watch (repeatable; default: all TCP; Redis on 6379 and by content is always found)"
    )
    parser.add_argument(
        "--json-lines", type=output_file, metavar="OUT", help="append events and commands as JSON lines"
    )
    parser.add_argument(
        "--interval", type=int, default=2, metavar="S", help="seconds per ring file (default 2)"
    )
    parser.add_argument(
        "--files", type=int, default=10, metavar="N", help="ring files kept on disk (default 10)"
    )
    parser.add_argument(
        "--duration", type=duration, metavar="S", help="stop after S seconds (default: until Ctrl-C)"
    )


def _check_keylog(path: Path | None) -> None:
    """A bad key log is an error now, not at the first TLS session; an empty one is fine (no client yet)."""
    if path is None:
        return
    from lab.analysis.keylog import client_randoms, require_keylog

    require_keylog(path, missing=f"create it (touch {path}) and set SSLKEYLOGFILE={path}")
    if path.stat().st_size:
        client_randoms(path)


def _check_interface(name: str) -> None:
    """A missing interface is named now, with the ones that exist, not after dumpcap has failed."""
    present = sorted(p.name for p in NET_DEVICES.iterdir()) if NET_DEVICES.is_dir() else []
    if present and name != "any" and name not in present:
        raise UserError(f"no interface {name!r} here: pass -i with one of {', '.join(present)} (or any)")


def _rates_line(rates: Rates) -> str:
    alerts = ", ".join(f"{name} {n}" for name, n in rates.alerts) or "none"
    return (
        f"last minute: {rates.tls_streams} TLS / {rates.redis_streams} Redis streams, "
        f"{rates.handshake_failures} handshake failure(s), alerts: {alerts}, {rates.resets} reset(s)"
    )


def _emit(out: TextIO | None, record: dict[str, object]) -> None:
    if out is not None:
        from lab.jsonable import plain

        out.write(json.dumps(plain(record)) + "\n")
        out.flush()


def _process(watch: Watch, paths: list[Path], out: TextIO | None) -> int:
    """Analyse the ring files in order; returns how many were lost (dumpcap's ring deleted them first)."""
    lost = 0
    for path in paths:
        try:
            update = watch.feed(path)
        except UserError:
            if path.exists():
                raise
            lost += 1  # the ring deleted it: analysis is slower than the traffic
            say(f"warning: ring file {path.name} was gone before it was analysed: raise --files, or --port")
            continue
        finally:
            path.unlink(missing_ok=True)  # analysed: nothing left to grow on disk
        for event in update.events:
            clock = time.strftime("%H:%M:%S", time.localtime(event.seen))
            say(f"{clock} {event.severity.upper():6} {event.title}")
            _emit(out, {"type": "event", **dataclasses.asdict(event)})
        for line in update.commands:
            _emit(out, {"type": "redis", **dataclasses.asdict(line)})
    return lost


def run(args: argparse.Namespace) -> int:
    from lab.analysis.tshark import tshark_binary
    from lab.analysis.watch import Watch
    from lab.capture.ring import RingCapture

    tshark_binary()  # missing tshark: the clear one-line error now, not at the first TLS session
    _check_keylog(args.keylog)
    _check_interface(args.interface)
    if args.interval < 1 or args.files < 2:
        raise UserError(
            "--interval must be >= 1 s and --files >= 2: the ring needs a file to write and one to read"
        )
    watch = Watch(args.port, args.keylog, args.secret)
    # SIGINT may arrive ignored (a job started with `&`) and SIGTERM would skip the cleanup: both stop
    # the watch the way Ctrl-C does.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    out = args.json_lines.open("a", encoding="utf-8") if args.json_lines else None
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tlslab-watch-") as tmp:
        ring = RingCapture(Path(tmp), args.port, args.interface, args.interval, args.files)
        try:
            with ring:
                what = ", ".join(map(str, args.port)) if args.port else "all TCP"
                say(f"watching {args.interface} ({what}); Ctrl-C prints a summary and stops")
                while args.duration is None or time.monotonic() - started < args.duration:
                    _process(watch, ring.finished(), out)
                    time.sleep(POLL_S)
        except KeyboardInterrupt:
            pass  # the ring is stopped by its context manager; the summary below still runs
        finally:
            ring.stop()
            # Only the newest file is analysed after a stop: a backlog would keep the user waiting.
            rest = ring.last()
            if len(rest) > 1:
                say(f"stopping: {len(rest) - 1} ring file(s) not analysed yet are dropped")
            with contextlib.suppress(KeyboardInterrupt):  # a 2nd Ctrl-C skips the last file only
                _process(watch, rest[-1:], out)
            if out is not None:
                out.close()
    elapsed = time.monotonic() - started
    say(
        f"summary: {elapsed:.0f} s, {watch.packets} packets in {watch.files} ring file(s), "
        f"{len(watch.findings)} finding(s), analysis {watch.seconds:.2f} s "
        f"({100 * watch.seconds / max(elapsed, 1e-9):.1f}% of the time); kernel drops: {ring.dropped}"
    )
    say(_rates_line(watch.rates(time.time())))
    for f in watch.findings:
        say(f"  {f.severity:6} {f.check}: {f.title}")
    return 0
