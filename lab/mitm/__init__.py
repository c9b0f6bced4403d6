"""The man-in-the-middle attacker: mitmproxy in reverse TLS mode with the lab's spy and tamper addons."""
