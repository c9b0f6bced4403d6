"""ARP poisoning from the attacker host, and the ARP evidence an IDS would alert on, read from the capture.

`poison(net, attacker, a, b)` runs lab.netlab.arp_poison in the attacker's namespace and restores the caches
when it ends. `arp_evidence(pcap, roles)` lists every ARP claim on the switch and the duplicate-address
signature: one IP claimed by two MACs (the owner's and the attacker's).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyroute2 import IPRoute

from lab.attacks.safety import require_loopback
from lab.errors import UserError
from lab.netlab.namespaces import LiveHost, Network
from lab.netlab.roles import RoleMap

_ETHERNET = 1
_ARP = 0x0806
_ARP_BODY = struct.Struct("!HHBBH6s4s6s4s")
POISON_TIMEOUT_S = 10.0


def _mac(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw)


def _ip(raw: bytes) -> str:
    return ".".join(str(b) for b in raw)


@dataclass(frozen=True)
class ArpClaim:
    """One ARP packet's claim "sender_ip is at sender_mac", as seen on the switch."""

    frame: int
    op: str  # "request" or "reply"
    sender_ip: str
    sender_mac: str
    target_ip: str
    ether_dst: str
    gratuitous: bool  # announces its own mapping to everyone (sender IP = target IP)
    unsolicited: bool  # a reply no request on the wire asked for
    forged: bool  # the lab knows the true owner: sender_mac is not that host's MAC
    claimed_by: str  # who sent it, by MAC, as a role label ("attacker", "server", ...)


@dataclass(frozen=True)
class DuplicateAddress:
    """The classic IDS alert (arpwatch "flip flop", Wireshark's arp.duplicate-address-detected)."""

    ip: str
    owner: str  # role label of the host that has the IP
    macs: tuple[str, ...]  # every MAC that claimed it, first claim first
    frames: tuple[int, ...]  # frames of the claims by a MAC other than the first


@dataclass(frozen=True)
class ArpEvidence:
    claims: tuple[ArpClaim, ...]
    duplicates: tuple[DuplicateAddress, ...]

    @property
    def forged(self) -> tuple[ArpClaim, ...]:
        return tuple(c for c in self.claims if c.forged)


def arp_evidence(pcap: Path, roles: RoleMap) -> ArpEvidence:
    from lab.analysis.pcapread import ReadState, read_packets

    claims: list[ArpClaim] = []
    pending: set[tuple[str, str]] = set()  # (asker ip, asked-for ip) of requests not answered yet
    for packet in read_packets(pcap, ReadState()):
        data = packet.data
        if packet.linktype != _ETHERNET or len(data) < 14 + _ARP_BODY.size:
            continue
        if struct.unpack_from("!H", data, 12)[0] != _ARP:
            continue
        _, _, _, _, op, smac, sip, _, tip = _ARP_BODY.unpack_from(data, 14)
        sender_ip, sender_mac, target_ip = _ip(sip), _mac(smac), _ip(tip)
        owner = roles.party(sender_ip)
        solicited = op == 2 and (target_ip, sender_ip) in pending
        if op == 1:
            pending.add((sender_ip, target_ip))
        else:
            pending.discard((target_ip, sender_ip))
        claims.append(ArpClaim(
            packet.frame, "request" if op == 1 else "reply", sender_ip, sender_mac, target_ip,
            _mac(data[0:6]),
            sender_ip == target_ip, op == 2 and not solicited,
            owner is not None and owner.mac != sender_mac, roles.label_mac(_mac(data[6:12]))))
    by_ip: dict[str, list[ArpClaim]] = {}
    for claim in claims:
        by_ip.setdefault(claim.sender_ip, []).append(claim)
    duplicates = []
    for ip, seen in by_ip.items():
        macs = tuple(dict.fromkeys(c.sender_mac for c in seen))
        if len(macs) > 1:
            duplicates.append(DuplicateAddress(ip, roles.label(ip), macs,
                                               tuple(c.frame for c in seen if c.sender_mac != macs[0])))
    return ArpEvidence(tuple(claims), tuple(duplicates))


def neighbour_mac(net: Network, host: LiveHost, address: str) -> str | None:
    """The MAC `host`'s ARP cache holds for `address` (None: no entry)."""
    with IPRoute(netns=host.netns) as ipr:
        for entry in ipr.get_neighbours(dst=address):
            mac = entry.get("NDA_LLADDR")
            if mac:
                return str(mac)
    return None


def _knock(address: str) -> None:
    """Any packet to the address makes the kernel resolve it (a closed port answers RST: enough)."""
    with contextlib.suppress(OSError), socket.create_connection((address, 9), timeout=1):
        pass


@contextlib.contextmanager
def poison(net: Network, attacker: LiveHost, a: LiveHost, b: LiveHost, workdir: Path) -> Iterator[None]:
    """Poison a's and b's caches (each other's address → the attacker) until the block ends, then restore.
    Yields once a's cache really points at the attacker."""
    require_loopback(a.address, b.address)
    # Linux creates no cache entry from an unsolicited reply, it only overwrites one: hosts on one LAN have
    # usually talked already; here they are made to, so the poisoning has entries to overwrite.
    net.call(a.name, _knock, b.address)
    net.call(b.name, _knock, a.address)
    workdir.mkdir(parents=True, exist_ok=True)
    log = (workdir / "arp-poison.log").open("wb")
    argv = [sys.executable, "-m", "lab.netlab.arp_poison", attacker.iface, attacker.mac,
            a.address, a.mac, b.address, b.mac]
    proc = net.popen(attacker.name, argv,
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        deadline = time.monotonic() + POISON_TIMEOUT_S
        while neighbour_mac(net, a, b.address) != attacker.mac:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise UserError(f"ARP poisoning did not take ({line!r}): "
                                f"{(workdir / 'arp-poison.log').read_text()[-400:]}")
            time.sleep(0.05)
        yield
    finally:
        proc.terminate()  # the poisoner restores both caches before it exits
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
