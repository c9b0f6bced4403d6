"""A TLS-terminating proxy: clients see TLS to the proxy; the proxy→Redis hop carries AUTH and data in clear.

The switch captures both segments; the evidence is split by role (client→proxy, proxy→server). The fix
re-encrypts: haproxy speaks TLS to Redis (verifying its certificate, with a client cert of its own), Redis
closes its plaintext port, and the same capture shows the back segment as TLS only.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from lab.analysis import SecretExposure, analyze
from lab.analysis.model import RespLine
from lab.capture import CaptureResult
from lab.clients import ClientOutcome
from lab.netlab.capture import bridge_capture
from lab.netlab.haproxy import FRONT_PORT, Backend, start_haproxy
from lab.netlab.namespaces import network_up
from lab.netlab.roles import NamedStream, RoleMap, name_streams
from lab.netlab.servers import host_cert, start_redis
from lab.netlab.sessions import client_spec, session
from lab.netlab.topology import Role, Topology, topology
from lab.pki import LabPKI
from lab.targets import TargetSpec

PASSWORD = "behind-the-proxy-s3cret"
SECRET = ("session:42", "token=eyJhbGciOi-secret")


def proxy_topology() -> Topology:
    return topology(("client", Role.CLIENT), ("proxy", Role.PROXY), ("server", Role.SERVER))


@dataclass(frozen=True)
class SegmentEvidence:
    """One hop as the switch saw it: its streams, and what of the client's session was readable there."""

    streams: tuple[NamedStream, ...]
    auth: tuple[RespLine, ...]  # AUTH / HELLO AUTH read in clear on this hop
    commands: tuple[RespLine, ...]  # every command read in clear on this hop
    exposed_frames: tuple[int, ...]  # frames of this hop carrying the password or the value in clear

    @property
    def readable(self) -> bool:
        return bool(self.auth or self.commands or self.exposed_frames)


@dataclass(frozen=True)
class ProxyResult:
    reencrypt: bool
    haproxy_backend: str  # the `server` line haproxy ran with
    redis_listeners: tuple[tuple[str, str], ...]  # ("port", ...), ("tls-port", ...) of the Redis config
    roles: RoleMap
    front: SegmentEvidence  # client→proxy
    back: SegmentEvidence  # proxy→server
    exposures: tuple[SecretExposure, ...]
    client: ClientOutcome
    capture: CaptureResult


def _segment(streams: tuple[NamedStream, ...], infos: dict[int, tuple[RespLine, ...]],
             exposures: tuple[SecretExposure, ...]) -> SegmentEvidence:
    ids = {s.stream for s in streams}
    lines = [line for s in streams if s.transport == "plaintext" for line in infos[s.stream]]
    commands = tuple(line for line in lines if line.direction == "c2s" and line.args)
    auth = tuple(line for line in commands
                 if line.args[0].upper() in ("AUTH", "HELLO") and PASSWORD in line.args)
    frames = tuple(sorted({f for e in exposures if ids & set(e.streams) for f in e.frames}))
    return SegmentEvidence(streams, auth, commands, frames)


def run_proxy(workdir: Path, reencrypt: bool) -> ProxyResult:
    workdir.mkdir(parents=True, exist_ok=True)
    pki = LabPKI.create(workdir / "pki")
    with network_up(proxy_topology()) as net, contextlib.ExitStack() as stack:
        proxy_host, server_host = net.one(Role.PROXY), net.one(Role.SERVER)
        spec = TargetSpec(kind="redis-server", plaintext=not reencrypt, tls=reencrypt,
                          tls_auth_clients="yes", requirepass=PASSWORD)
        redis = start_redis(net, server_host, spec, workdir, stack, pki)
        backend = Backend(server_host.address, redis.tls_port, True, pki.ca_cert, server_host.fqdn,
                          host_cert(pki, proxy_host, purpose="client")) if reencrypt else (
            Backend(server_host.address, redis.port))
        cap = stack.enter_context(bridge_capture(net, (FRONT_PORT, *redis.ports),
                                                 workdir / "proxy.pcapng", arp=False))
        haproxy = start_haproxy(net, proxy_host, host_cert(pki, proxy_host), backend, workdir / "haproxy")
        stack.callback(haproxy.terminate)
        spec_front = client_spec(pki, proxy_host.fqdn, PASSWORD, client_cert=False)
        client = session(net, "client", spec_front, proxy_host.address, FRONT_PORT,
                         [("SET", *SECRET), ("GET", SECRET[0])], cap.keylog)
        conf_lines = (workdir / "haproxy" / "haproxy.cfg").read_text().splitlines()
        roles = net.roles
        stack.close()
    result = cap.result
    report = analyze(result.path, result.keylog, ports=(FRONT_PORT, *redis.ports),
                     secrets=[PASSWORD, SECRET[1]])
    streams = name_streams(report.streams, roles)
    transcripts = {s.stream: s.transcript for s in report.streams}
    proxy_addr = proxy_host.address
    front = tuple(s for s in streams if s.server.split(":")[0] == proxy_addr)
    back = tuple(s for s in streams if s.client.split(":")[0] == proxy_addr)
    listeners = (("port", str(redis.port)), ("tls-port", str(redis.tls_port)))
    backend_line = next(line.strip() for line in conf_lines if line.strip().startswith("server"))
    return ProxyResult(reencrypt, backend_line, listeners, roles,
                       _segment(front, transcripts, report.exposures),
                       _segment(back, transcripts, report.exposures), report.exposures, client, result)
