"""Packet-level attacks on loopback (scapy): TCP injection, forged RST, traffic analysis; safety first."""
