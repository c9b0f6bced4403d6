from __future__ import annotations

import tomllib
from ipaddress import IPv4Address

import pytest

from lab.errors import UserError
from lab.netlab.topology import CapturePoint, Role, TopologyError, parse_topology

SCENARIO = """
[topology]
[[topology.hosts]]
name = "client"
role = "client"
[[topology.hosts]]
name = "server"
role = "server"
address = "198.18.0.10"
[[topology.hosts]]
name = "attacker"
role = "attacker"
"""


def test_a_scenario_table_parses_verbatim_with_addresses_assigned_around_explicit_ones() -> None:
    topo = parse_topology(tomllib.loads(SCENARIO)["topology"], "arp.toml")
    assert [(h.name, h.role, h.address) for h in topo.hosts] == [
        ("client", Role.CLIENT, IPv4Address("198.18.0.11")),
        ("server", Role.SERVER, IPv4Address("198.18.0.10")),
        ("attacker", Role.ATTACKER, IPv4Address("198.18.0.12")),
    ]
    assert topo.capture is CapturePoint.SWITCH
    assert topo.one(Role.SERVER).name == "server"
    with pytest.raises(UserError, match="0 hosts with role primary"):
        topo.one(Role.PRIMARY)


@pytest.mark.parametrize(("table", "message"), [
    ({"hosts": [{"name": "a", "role": "client"}], "blok": "x"},
     'arp.toml: topology.blok: expected one of the known keys: block, capture, hosts '
     '(did you mean "block"?)'),
    ({"hosts": [{"name": "a", "rol": "client"}]}, 'topology.hosts[0].rol: expected one of the known keys'),
    ({"hosts": [{"name": "a", "role": "sniffer"}]},
     'topology.hosts[0].role: expected one of "client", "server", "attacker", "primary", "replica", "node", '
     '"proxy", got \'sniffer\''),
    ({"hosts": [{"name": "a"}]}, "topology.hosts[0].role: expected this key"),
    ({"hosts": [{"name": "Client1", "role": "client"}]}, "topology.hosts[0].name: expected a short name"),
    ({"hosts": [{"name": "averyveryverylongname", "role": "client"}]}, "hosts[0].name: expected a short"),
    ({"hosts": [{"name": "a", "role": "client"}, {"name": "a", "role": "server"}]},
     "topology.hosts[1].name: expected a name no other host has"),
    ({"hosts": [{"name": "a", "role": "client", "address": "10.0.0.1"}]},
     "topology.hosts[0].address: expected a host address inside 198.18.0.0/24"),
    ({"hosts": [{"name": "a", "role": "client", "address": "198.18.0.255"}]}, "a host address inside"),
    ({"hosts": [{"name": "a", "role": "client", "address": 7}]}, "an IPv4 address inside"),
    ({"hosts": []}, "topology.hosts: expected an array of host tables"),
    ({"hosts": [{"name": "a", "role": "client"}], "block": "198.18.0.0/30"}, "at least 16 addresses"),
    ({"hosts": [{"name": "a", "role": "client"}], "capture": "tap"},
     'topology.capture: expected one of "switch"'),
    ({"hosts": [{"name": "a", "role": "client", "address": "198.18.0.20"},
                {"name": "b", "role": "client", "address": "198.18.0.20"}]}, "a different address for every"),
])
def test_every_mistake_is_an_error_naming_the_key_and_the_choices(table: dict[str, object],
                                                                  message: str) -> None:
    with pytest.raises(TopologyError) as err:
        parse_topology(table, "arp.toml")
    assert message in str(err.value)
    assert str(err.value).startswith("arp.toml: topology")
