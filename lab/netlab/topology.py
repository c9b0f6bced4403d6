"""A lab network as plain data: hosts with roles and addresses, parsed strictly from a TOML table.

The table is what a scenario file carries under `[topology]`, verbatim:

    [topology]
    block = "198.18.0.0/24"        # optional; the lab's own block (see DEFAULT_BLOCK)
    capture = "switch"             # where the observer sits: the bridge, as a switch's mirror port
    [[topology.hosts]]
    name = "client"
    role = "client"
    [[topology.hosts]]
    name = "server"
    role = "server"
    address = "198.18.0.20"        # optional; otherwise the next free address of the block

Unknown keys, roles and malformed addresses are errors naming the file, the key and the valid choices.
"""

from __future__ import annotations

import difflib
import enum
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lab.errors import UserError

# RFC 2544's benchmarking range (198.18.0.0/15) is reserved for isolated test networks and is never assigned
# to real hosts, unlike RFC 1918's 10/8 or 192.168/16, which real company networks use: an address of the lab
# can only ever mean a lab host, so the safety guard can never mistake a real server for one.
DEFAULT_BLOCK = "198.18.0.0/24"
FIRST_HOST_OFFSET = 10  # hosts get .10, .11, ... in declaration order; explicit addresses are kept
HOST_NAME = re.compile(r"^[a-z][a-z0-9]{0,9}$")  # short: it is part of interface names (15 bytes at most)


class Role(enum.StrEnum):
    """What a host is for; who captures, attacks or serves is said by its role, never by its name."""

    CLIENT = "client"
    SERVER = "server"  # the Redis a client talks to
    ATTACKER = "attacker"
    PRIMARY = "primary"  # replication source
    REPLICA = "replica"
    NODE = "node"  # a cluster node
    PROXY = "proxy"  # a TLS-terminating (or re-encrypting) proxy in front of Redis


class CapturePoint(enum.StrEnum):
    SWITCH = "switch"  # the bridge in the switch namespace: every frame between any two hosts
    NONE = "none"


class TopologyError(UserError):
    """The [topology] table is wrong: file, dotted key, what was expected, what was found."""

    def __init__(self, file: Path | str, key: str, expected: str, got: object | None = None) -> None:
        found = "" if got is None else f", got {got!r}"
        super().__init__(f"{file}: {key}: expected {expected}{found}")
        self.file = str(file)
        self.key = key


@dataclass(frozen=True)
class HostSpec:
    name: str
    role: Role
    address: ipaddress.IPv4Address


@dataclass(frozen=True)
class Topology:
    block: ipaddress.IPv4Network
    hosts: tuple[HostSpec, ...]
    capture: CapturePoint = CapturePoint.SWITCH

    def host(self, name: str) -> HostSpec:
        for h in self.hosts:
            if h.name == name:
                return h
        raise KeyError(f"no host {name!r} in the topology; hosts: {', '.join(h.name for h in self.hosts)}")

    def with_role(self, role: Role) -> tuple[HostSpec, ...]:
        return tuple(h for h in self.hosts if h.role is role)

    def one(self, role: Role) -> HostSpec:
        """The single host with `role` (a scenario that needs exactly one server asks this way)."""
        found = self.with_role(role)
        if len(found) != 1:
            raise UserError(f"the topology has {len(found)} hosts with role {role.value}; this needs exactly "
                            f"one (hosts: {', '.join(f'{h.name}={h.role.value}' for h in self.hosts)})")
        return found[0]


_TOP_KEYS = ("block", "capture", "hosts")
_HOST_KEYS = ("name", "role", "address")


def _choices(values: Sequence[str]) -> str:
    return "one of " + ", ".join(f'"{v}"' for v in values)


def _check_keys(table: Mapping[str, object], allowed: Sequence[str], file: Path | str, key: str) -> None:
    for name in table:
        if name not in allowed:
            close = difflib.get_close_matches(name, list(allowed), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise TopologyError(file, f"{key}.{name}", f"one of the known keys: {', '.join(allowed)}{hint}")


def _enum(cls: type[Role] | type[CapturePoint], value: object, file: Path | str, key: str) -> object:
    names = [m.value for m in cls]
    if not isinstance(value, str) or value not in names:
        raise TopologyError(file, key, _choices(names), value)
    return cls(value)


def parse_topology(table: Mapping[str, object], file: Path | str = "<topology>",
                   key: str = "topology") -> Topology:
    """Build a Topology from its TOML table (already parsed by tomllib)."""
    if not isinstance(table, Mapping):
        raise TopologyError(file, key, "a table", table)
    _check_keys(table, _TOP_KEYS, file, key)
    raw_block = table.get("block", DEFAULT_BLOCK)
    try:
        if not isinstance(raw_block, str):
            raise ValueError
        block = ipaddress.IPv4Network(raw_block)
    except ValueError:
        raise TopologyError(file, f"{key}.block", 'an IPv4 network such as "198.18.0.0/24"',
                            raw_block) from None
    if block.num_addresses < 16:
        raise TopologyError(file, f"{key}.block", "a block of at least 16 addresses (/28 or larger)",
                            raw_block)
    capture = _enum(CapturePoint, table.get("capture", CapturePoint.SWITCH.value), file, f"{key}.capture")
    hosts_raw = table.get("hosts")
    if not isinstance(hosts_raw, list) or not hosts_raw:
        raise TopologyError(file, f"{key}.hosts",
                            "an array of host tables ([[topology.hosts]]), at least one", hosts_raw)
    explicit: dict[int, ipaddress.IPv4Address] = {}
    names: list[str] = []
    roles: list[Role] = []
    for i, raw in enumerate(hosts_raw):
        where = f"{key}.hosts[{i}]"
        if not isinstance(raw, Mapping):
            raise TopologyError(file, where, "a table", raw)
        _check_keys(raw, _HOST_KEYS, file, where)
        name = raw.get("name")
        if not isinstance(name, str) or not HOST_NAME.match(name):
            raise TopologyError(file, f"{where}.name", "a short name: a lowercase letter, then up to 9 "
                                "lowercase letters or digits", name)
        if name in names:
            raise TopologyError(file, f"{where}.name", "a name no other host has", name)
        names.append(name)
        if "role" not in raw:
            raise TopologyError(file, f"{where}.role", f"this key ({_choices([r.value for r in Role])}); "
                                "it is missing")
        role = _enum(Role, raw["role"], file, f"{where}.role")
        assert isinstance(role, Role)
        roles.append(role)
        if "address" in raw:
            explicit[i] = _address(raw["address"], block, file, f"{where}.address")
    taken = set(explicit.values())
    if len(taken) != len(explicit):
        raise TopologyError(file, f"{key}.hosts", "a different address for every host")
    pool = (a for a in list(block.hosts())[FIRST_HOST_OFFSET - 1:] if a not in taken)
    hosts = []
    for i, (name, role) in enumerate(zip(names, roles, strict=True)):
        address = explicit.get(i) or next(pool, None)
        if address is None:
            raise TopologyError(file, f"{key}.hosts", f"no more hosts than {block} has free addresses")
        hosts.append(HostSpec(name, role, address))
    assert isinstance(capture, CapturePoint)
    return Topology(block, tuple(hosts), capture)


def _address(value: object, block: ipaddress.IPv4Network, file: Path | str,
             key: str) -> ipaddress.IPv4Address:
    try:
        if not isinstance(value, str):
            raise ValueError
        address = ipaddress.IPv4Address(value)
    except ValueError:
        raise TopologyError(file, key, f"an IPv4 address inside {block}", value) from None
    if address not in block or address in (block.network_address, block.broadcast_address):
        raise TopologyError(file, key, f"a host address inside {block}", value)
    return address


def topology(*hosts: tuple[str, Role], block: str = DEFAULT_BLOCK) -> Topology:
    """The same Topology from Python: topology(("client", Role.CLIENT), ("server", Role.SERVER))."""
    return parse_topology({"block": block, "hosts": [{"name": n, "role": r.value} for n, r in hosts]},
                          "<python>")
