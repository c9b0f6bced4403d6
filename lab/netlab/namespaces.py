"""Bring a Topology up as network namespaces on a bridge, and always tear it down.

    with network_up(topology) as net:                 # root (CAP_NET_ADMIN + CAP_SYS_ADMIN) only
        net.call("client", run_session, spec, str(net.host("server").address), port)
        proc = net.popen("server", ["redis-server", conf])

Shape: one namespace per host plus one for the switch (a bridge); each host has one veth pair, `eth0` inside
the host, `sw-<host>` on the bridge. Every interface is created directly inside a lab namespace (a veth is
made in the switch with its peer placed in the host), so nothing ever appears in the root namespace, and no
host has a default route: a host reaches the block and nothing else.
Teardown (success, error, Ctrl-C, SIGTERM): kill what still runs inside, remove the namespaces (their
interfaces, bridge and nft tables go with them), drop the owner record.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pyroute2 import IPRoute, netns

from lab.attacks.safety import lab_hosts
from lab.errors import UserError
from lab.netlab import names, nsexec, reaper
from lab.netlab.roles import RoleMap
from lab.netlab.topology import HostSpec, Role, Topology
from lab.procs import sigterm_as_interrupt, start_time

T = TypeVar("T")
log = logging.getLogger(__name__)


class NetlabPermissionError(UserError):
    """Namespaces need root (CAP_NET_ADMIN and CAP_SYS_ADMIN)."""


@dataclass(frozen=True)
class LiveHost:
    name: str
    role: Role
    address: str
    mac: str
    netns: str  # the namespace's name (`ip netns list` shows it)
    iface: str = names.HOST_IFACE

    @property
    def fqdn(self) -> str:
        """The name its certificate carries (RFC 2606 `.invalid`: it can never resolve to a real machine)."""
        return f"{self.name}.lab.invalid"


def can_build() -> str | None:
    """None when this process may build lab networks, else why not (tests skip with this reason)."""
    if os.geteuid() != 0:
        return "network namespaces need root (CAP_NET_ADMIN, CAP_SYS_ADMIN): run as root, as CI does"
    return None


class Network:
    """A live lab network (made by network_up). Hosts by name, processes and calls inside them."""

    def __init__(self, run_id: str, topology: Topology, hosts: tuple[LiveHost, ...]) -> None:
        self.run_id = run_id
        self.topology = topology
        self.hosts = hosts
        self.switch_ns = names.switch_ns(run_id)
        self.bridge = names.BRIDGE
        self._procs: list[subprocess.Popen[bytes]] = []

    @property
    def namespaces(self) -> tuple[str, ...]:
        return (self.switch_ns, *(h.netns for h in self.hosts))

    @property
    def roles(self) -> RoleMap:
        return RoleMap.of((h.address, h.name, h.role, h.mac) for h in self.hosts)

    def host(self, name: str) -> LiveHost:
        for h in self.hosts:
            if h.name == name:
                return h
        raise KeyError(f"no host {name!r}; hosts: {', '.join(h.name for h in self.hosts)}")

    def one(self, role: Role) -> LiveHost:
        return self.host(self.topology.one(role).name)

    def with_role(self, role: Role) -> tuple[LiveHost, ...]:
        return tuple(self.host(h.name) for h in self.topology.with_role(role))

    def popen(self, host: str, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        """Start a process inside `host` (or "switch"); it is killed at teardown if still running."""
        ns = self.switch_ns if host == "switch" else self.host(host).netns
        proc = nsexec.popen(ns, argv, **kwargs)
        self._procs.append(proc)
        return proc

    def call(self, host: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """fn(*args, **kwargs) inside `host` (or "switch"): its sockets and child processes live there."""
        ns = self.switch_ns if host == "switch" else self.host(host).netns
        return nsexec.call(ns, fn, *args, **kwargs)

    def enter(self, host: str, cm: contextlib.AbstractContextManager[T], stack: contextlib.ExitStack) -> T:
        """Enter a context manager inside `host` (e.g. lab.targets.start_target) and leave it with `stack`."""
        value = self.call(host, cm.__enter__)
        stack.push(cm.__exit__)
        return value

    def stop_processes(self) -> None:
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _owner_path(run_id: str) -> os.PathLike[str]:
    return names.OWNERS_DIR / f"{run_id}.json"


def owner_alive(run_id: str) -> bool:
    """True while the process that built run `run_id` still runs (a pid reused since does not count)."""
    try:
        with open(_owner_path(run_id)) as fh:
            owner = json.load(fh)
    except (OSError, ValueError):
        return False
    return start_time(int(owner["pid"])) == owner.get("start")


def _record_owner(run_id: str) -> None:
    names.OWNERS_DIR.mkdir(parents=True, exist_ok=True)
    with open(_owner_path(run_id), "w") as fh:
        json.dump({"pid": os.getpid(), "start": start_time(os.getpid())}, fh)


def _up(ipr: IPRoute, ifname: str) -> int:
    index = ipr.link_lookup(ifname=ifname)[0]
    ipr.link("set", index=index, state="up")
    return int(index)


def _quiet_host() -> None:
    """No IPv6 (router solicitations and MLD would be noise in the evidence); answer ARP as Linux does."""
    for path in ("/proc/sys/net/ipv6/conf/all/disable_ipv6", "/proc/sys/net/ipv6/conf/default/disable_ipv6"):
        with contextlib.suppress(OSError), open(path, "w") as fh:
            fh.write("1")


def _build(run_id: str, topology: Topology) -> tuple[LiveHost, ...]:
    switch = names.switch_ns(run_id)
    netns.create(switch)
    hosts = tuple(_host_of(h, run_id) for h in topology.hosts)
    for host in hosts:
        netns.create(host.netns)
    nsexec.call(switch, _quiet_host)
    with IPRoute(netns=switch) as sw:
        sw.link("add", ifname=names.BRIDGE, kind="bridge")
        bridge = _up(sw, names.BRIDGE)
        _up(sw, "lo")
        for host in hosts:
            port = names.switch_port(host.name)
            fd = os.open(nsexec.ns_path(host.netns), os.O_RDONLY)
            try:
                sw.link("add", ifname=port, kind="veth",
                        peer={"ifname": host.iface, "net_ns_fd": fd, "address": host.mac})
            finally:
                os.close(fd)
            index = sw.link_lookup(ifname=port)[0]
            sw.link("set", index=index, master=bridge, state="up")
    for host in hosts:
        nsexec.call(host.netns, _quiet_host)
        with IPRoute(netns=host.netns) as ipr:
            _up(ipr, "lo")
            index = _up(ipr, host.iface)
            ipr.addr("add", index=index, address=host.address, prefixlen=topology.block.prefixlen)
    return hosts


def teardown(run_id: str, namespaces: Sequence[str]) -> None:
    """Kill what runs inside, remove the namespaces and the owner record. Idempotent; never raises for a
    namespace that is already gone."""
    reaper.kill_all_in(namespaces)
    for name in namespaces:
        try:
            reaper.remove_namespace(name)
        except OSError as exc:
            log.warning("could not remove namespace %s: %s", name, exc)
    with contextlib.suppress(OSError):
        os.unlink(_owner_path(run_id))


@contextlib.contextmanager
def network_up(topology: Topology, run_id: str | None = None) -> Iterator[Network]:
    """Build the network, yield it, tear it down however the block ends."""
    reason = can_build()
    if reason is not None:
        raise NetlabPermissionError(reason)
    run_id = run_id or names.new_run_id()
    if not names.RUN_ID.match(run_id):
        raise UserError(f"run id {run_id!r} must be 6 lowercase hex digits")
    spec_ns = (names.switch_ns(run_id), *(names.host_ns(run_id, h.name) for h in topology.hosts))
    clash = [n for n in spec_ns if nsexec.ns_path(n).exists()]
    if clash:
        raise UserError(f"namespace {clash[0]} already exists: another run uses id {run_id}, "
                        "or a crashed one left it (remove it with `tlslab netlab cleanup-stale`)")
    started = time.monotonic()
    with sigterm_as_interrupt():  # the `finally` below runs on SIGTERM too
        net: Network | None = None
        try:
            _record_owner(run_id)
            hosts = _build(run_id, topology)
            net = Network(run_id, topology, hosts)
            with lab_hosts(h.address for h in hosts):
                log.info("network %s up in %.2f s", run_id, time.monotonic() - started)
                yield net
        finally:
            if net is not None:
                net.stop_processes()
            teardown(run_id, spec_ns)


def _host_of(spec: HostSpec, run_id: str) -> LiveHost:
    return LiveHost(spec.name, spec.role, str(spec.address), names.mac_for(str(spec.address)),
                    names.host_ns(run_id, spec.name))
