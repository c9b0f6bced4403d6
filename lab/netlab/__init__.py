"""The lab network: hosts as network namespaces on a bridge in a namespace of its own (pyroute2).

Topology (plain data, from a scenario's [topology] table) → network_up() → Network (hosts, run inside them)
→ capture on the bridge, attacks from the attacker host, Redis links between hosts → torn down always.
"""
