"""The redis-cli driver: the real binary as a subprocess, commands on stdin, replies read as --json lines.

What redis-cli 7.0 (hiredis, OpenSSL 3.0) can and cannot do, reported rather than faked:
- it never checks the server's hostname (--sni only sets SNI) and cannot pin: tls-full and tls-pinned
  are POSTURE_UNSUPPORTED;
- it has no TLS version options: tls_min / tls_max go through an OPENSSL_CONF file (MinProtocol/MaxProtocol),
  which OpenSSL applies to every context the process makes;
- OpenSSL 3.0 writes no key log (no SSLKEYLOGFILE): a keylog request is noted, not honoured;
- it does not print the negotiated version or cipher (read them from the capture);
- on a failed connection it tries again for each command line (hiredis reconnects), as it does for users.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from lab import procs
from lab.clients.model import ClientOutcome, ClientSpec, ErrorKind, ErrorReply, Posture, Reply
from lab.targets.redisconf import quote

_EXTRA_WAIT_S = 0.5  # beyond spec.timeout: process start and exit (redis-cli 7.0 has no timeout option)
_UNSUPPORTED = {
    Posture.TLS_FULL: "redis-cli 7.0 never checks the server's hostname (hiredis verifies the chain only; "
                      "--sni only sets SNI): tls-full cannot be done with it, use tls-chain-only or redis-py",
    Posture.TLS_PINNED: "redis-cli has no certificate or key pinning: use redis-py for tls-pinned",
}
# stderr text → kind, most specific first (redis-cli prints hiredis / OpenSSL messages as they are).
_STDERR_KINDS: tuple[tuple[str, ErrorKind], ...] = (
    ("certificate verify failed", ErrorKind.CERT_VERIFY_FAILED),
    ("Connection refused", ErrorKind.CONNECTION_REFUSED),
    ("AUTH failed", ErrorKind.AUTH_FAILED),
    ("SSL_connect failed", ErrorKind.TLS_ERROR),
    ("timed out", ErrorKind.TIMEOUT),
    ("Server closed the connection", ErrorKind.CONNECTION_CLOSED),
    ("Connection reset", ErrorKind.CONNECTION_CLOSED),
    ("I/O error", ErrorKind.CONNECTION_CLOSED),
)


def _openssl_conf(directory: Path, tls_min: str | None, tls_max: str | None) -> Path:
    lines = ["openssl_conf = lab_conf", "[lab_conf]", "ssl_conf = lab_ssl", "[lab_ssl]",
             "system_default = lab_tls", "[lab_tls]"]
    if tls_min:
        lines.append(f"MinProtocol = {tls_min}")
        if tls_min in ("TLSv1", "TLSv1.1"):
            lines.append("CipherString = DEFAULT:@SECLEVEL=0")  # OpenSSL 3 offers TLS < 1.2 only at level 0
    if tls_max:
        lines.append(f"MaxProtocol = {tls_max}")
    path = directory / "openssl.cnf"
    path.write_text("\n".join(lines) + "\n")
    return path


def _argv(binary: str, spec: ClientSpec, host: str, port: int) -> list[str]:
    argv = [binary, "-h", host, "-p", str(port), "--json"]
    argv.append("-3" if spec.protocol == 3 else "-2")  # redis-cli defaults to RESP2, but --json to RESP3
    if spec.username is not None:
        argv += ["--user", spec.username]
    if spec.posture.tls:
        argv += ["--tls", "--sni", spec.server_hostname]
        if spec.posture is Posture.TLS_NO_VERIFY:
            argv.append("--insecure")
        elif spec.ca is not None:
            argv += ["--cacert", str(spec.ca)]
        if spec.cert is not None and spec.key is not None:
            argv += ["--cert", str(spec.cert), "--key", str(spec.key)]
    return argv


def parse_reply(line: str) -> Reply:
    """One --json output line: `error:"..."` for an error reply, else one JSON value."""
    if line.startswith("error:"):
        body = line[len("error:"):]
        try:
            return ErrorReply(str(json.loads(body)))
        except json.JSONDecodeError:
            return ErrorReply(body)
    try:
        value: Reply = json.loads(line)
    except json.JSONDecodeError:
        return line  # e.g. a non-UTF-8 value redis-cli wrote raw: keep what was printed
    return value


def _classify(stderr: str) -> ErrorKind:
    for text, kind in _STDERR_KINDS:
        if text in stderr:
            return kind
    return ErrorKind.OTHER


def run(spec: ClientSpec, host: str, port: int, commands: Sequence[Sequence[str]],
        keylog: Path | None) -> ClientOutcome:
    start = time.perf_counter()
    if spec.posture in _UNSUPPORTED:
        return ClientOutcome("redis-cli", spec.posture, False, ErrorKind.POSTURE_UNSUPPORTED,
                             _UNSUPPORTED[spec.posture], (), None, None, 0.0)
    binary = shutil.which("redis-cli")
    if binary is None:
        return ClientOutcome("redis-cli", spec.posture, False, ErrorKind.POSTURE_UNSUPPORTED,
                             "redis-cli is not installed: apt-get install redis-tools", (), None, None, 0.0)
    notes: list[str] = []
    if keylog is not None and spec.posture.tls:
        notes.append("no key log: redis-cli uses OpenSSL 3.0, which has no SSLKEYLOGFILE support")
    env = dict(os.environ)
    env.pop("REDISCLI_AUTH", None)
    if spec.password is not None:
        env["REDISCLI_AUTH"] = spec.password  # not -a: a password in argv is visible to every local user
    stdin = "".join(" ".join(quote(arg) for arg in command) + "\n" for command in commands)
    timed_out = False
    with tempfile.TemporaryDirectory(prefix="lab-redis-cli-") as tmp:
        if spec.tls_min or spec.tls_max:
            env["OPENSSL_CONF"] = str(_openssl_conf(Path(tmp), spec.tls_min, spec.tls_max))
        try:
            proc = procs.run(_argv(binary, spec, host, port), input=stdin.encode(), capture_output=True,
                                  env=env, timeout=spec.timeout + _EXTRA_WAIT_S)
            out, err = proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:  # subprocess.run has killed and reaped it
            timed_out = True
            out, err = exc.stdout or b"", exc.stderr or b""
    elapsed = time.perf_counter() - start
    replies = tuple(parse_reply(line) for line in out.decode("utf-8", "replace").splitlines() if line.strip())
    stderr = err.decode("utf-8", "replace").strip()
    kind: ErrorKind | None = ErrorKind.TIMEOUT if timed_out else (_classify(stderr) if stderr else None)
    text = (stderr or "redis-cli did not finish in time") if kind else None
    connected = bool(replies) or (not commands and kind is None)
    return ClientOutcome("redis-cli", spec.posture, connected, kind, text, replies, None, None, elapsed,
                         tuple(notes))
