"""redis-server on a lab host: lab.targets started inside the host's namespace, listening on its address.

lab.targets renders the config, waits until the server answers (on the host's own loopback) and stops it;
here the server also binds the host's address, so the other hosts reach it, with a certificate for the
host's name and address from the lab CA.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from lab.netlab.namespaces import LiveHost, Network
from lab.pki import CertFiles, LabPKI
from lab.targets import RunningTarget, TargetSpec, start_target


@dataclass(frozen=True)
class HostServer:
    host: LiveHost
    target: RunningTarget
    cert: CertFiles | None

    @property
    def address(self) -> str:
        return self.host.address

    @property
    def port(self) -> int:
        """The plaintext port (0 when closed, as `port 0` says)."""
        return self.target.port or 0

    @property
    def tls_port(self) -> int:
        return self.target.tls_port or 0

    @property
    def ports(self) -> tuple[int, ...]:
        return self.target.ports


def host_cert(pki: LabPKI, host: LiveHost, purpose: str = "server") -> CertFiles:
    """A cert from the lab CA for the host's name and address (what a verifying client checks)."""
    return pki.issue(f"{purpose}-{host.name}", [host.fqdn, host.address],
                     purpose="client" if purpose == "client" else "server")


def start_redis(net: Network, host: LiveHost, spec: TargetSpec, workdir: Path, stack: contextlib.ExitStack,
                pki: LabPKI | None = None, cert: CertFiles | None = None) -> HostServer:
    """Start redis-server per `spec` on `host` (kept running until `stack` closes)."""
    if pki is not None and cert is None and spec.tls:
        cert = host_cert(pki, host)
    # Redis keeps the last `bind`: the host's address for its peers, loopback for lab.targets' readiness.
    spec = dataclasses.replace(spec, kind="redis-server",
                               extra=(("bind", f"{host.address} 127.0.0.1"), *spec.extra))
    target = net.enter(host.name, start_target(spec, workdir / host.name, pki, cert), stack)
    return HostServer(host, target, cert)
