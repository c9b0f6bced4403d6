from __future__ import annotations

from lab.scenario.workloads import WORKLOADS
from lab.scenario.workloads import attacks as scenario_steps


def test_packet_attacks_are_registered_workloads() -> None:
    assert WORKLOADS["tcp-injection"].run is scenario_steps.tcp_injection
    assert WORKLOADS["rst-injection"].run is scenario_steps.rst_injection
    assert WORKLOADS["traffic-analysis"].run is scenario_steps.traffic_analysis
