"""Layer-2 and routing facts shared by the whole-network checks (and the reachability engine).

``layer2_domains`` builds the broadcast domains of a set of devices from their VLANs, access
ports, trunks, SVIs and subinterfaces, joined across devices by explicit links (configs do not
say which port faces which; the inventory's ``links`` do). The other helpers answer per-device
questions the separation checks share: which zones a device serves, whether it is a filtering
boundary, and which static routes leak between VRFs.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from netaudit.model import DeviceConfig, Interface, InterfaceKind, Route, SwitchportMode
from netaudit.policy import AllowedFlow, Policy, SpecifiedCommunication

# Platforms whose parsers model switch ports (mode, access VLAN, allowed list, native VLAN).
L2_PLATFORMS = frozenset(
    {"cisco_ios", "cisco_nxos", "alaxala_ax", "allied_telesis_awplus", "juniper_junos"}
)
# The native VLAN a trunk uses when none is configured: VLAN 1 on IOS, NX-OS, AlaxalA and AW+
# (vendor defaults); Junos trunks carry no untagged frames unless ``native-vlan-id`` is set.
DEFAULT_NATIVE = {"cisco_ios": 1, "cisco_nxos": 1, "alaxala_ax": 1, "allied_telesis_awplus": 1}
INTERNET_SIDE = frozenset({"internet", "internet_wan", "sec_cloud"})

Endpoint = tuple[str, str]  # (device, interface)
# (device, interface, device, interface), as netaudit.paths and the inventory's links give them.
Link = tuple[str, str, str, str]


# -- layer 2 ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class L2Member:
    """One interface's part in a broadcast domain.

    ``role`` is ``access``, ``trunk`` (``tagged`` False for its native VLAN), ``svi``,
    ``subinterface`` or ``routed`` (a routed port's untagged frames).
    """

    device: str
    interface: str
    role: str
    vlan: int | None
    tagged: bool = False


@dataclass(frozen=True, slots=True)
class L2Domain:
    """One broadcast domain: the (device, VLAN) pairs it joins and the interfaces in it.

    ``vlans`` holds ``(device, vlan)`` for switch VLANs; a routed port or subinterface is its
    own segment and appears only among ``members``. ``zones`` are the policy zones of the VLAN
    ids in the domain (several when a link or native VLAN joins VLANs of different zones).
    """

    vlans: frozenset[tuple[str, int]]
    members: tuple[L2Member, ...]
    zones: frozenset[str]

    @property
    def l3_interfaces(self) -> tuple[Endpoint, ...]:
        """SVIs, subinterfaces and routed ports in this domain: they share one subnet."""
        return tuple(
            (m.device, m.interface)
            for m in self.members
            if m.role in ("svi", "subinterface", "routed")
        )


def known_vlans(device: DeviceConfig) -> frozenset[int]:
    """VLANs that exist on a device: its VLAN database plus those its ports and SVIs use."""
    out = {v.id for v in device.vlans}
    for itf in device.interfaces:
        if itf.access_vlan is not None:
            out.add(itf.access_vlan)
        if itf.kind is InterfaceKind.SVI and itf.vlan is not None:
            out.add(itf.vlan)
    if device.platform in DEFAULT_NATIVE:
        out.add(1)  # the default VLAN always exists on these platforms
    return frozenset(out)


def l3_interfaces(device: DeviceConfig) -> list[Interface]:
    """Enabled interfaces with addresses (the device's layer-3 interfaces)."""
    return [i for i in device.interfaces if i.enabled and i.addresses]


def enabled_trunks(device: DeviceConfig) -> list[Interface]:
    """The device's trunk ports that are not shut down."""
    return [i for i in device.interfaces if i.enabled and i.mode is SwitchportMode.TRUNK]


def carried_vlans(device: DeviceConfig, itf: Interface) -> frozenset[int]:
    """VLANs a trunk really carries: its allowed list (all when none) ∩ the device's VLANs."""
    known = known_vlans(device)
    return known if itf.trunk_vlans is None else known & itf.trunk_vlans


def native_vlan(device: DeviceConfig, itf: Interface) -> int | None:
    """A trunk's effective native VLAN: configured or the platform default, if it is carried.

    Untagged frames are dropped when the native VLAN is not in the allowed list, so such a
    native VLAN joins nothing. AW+ ``native vlan none`` (extras) means no untagged frames.
    """
    if itf.extras.get("native_vlan") == "none":
        return None
    n = itf.native_vlan if itf.native_vlan is not None else DEFAULT_NATIVE.get(device.platform)
    if n is None or n not in carried_vlans(device, itf):
        return None
    return n


def _wire_nodes(device: DeviceConfig, itf: Interface) -> dict[int | None, tuple[object, ...]]:
    """Frames on the wire of one port, by tag (``None`` = untagged) → the domain node they join."""
    d = device.name
    out: dict[int | None, tuple[object, ...]] = {}
    if not itf.enabled:
        return out
    if itf.mode is SwitchportMode.ACCESS and itf.access_vlan is not None:
        out[None] = ("vlan", d, itf.access_vlan)
    elif itf.mode is SwitchportMode.TRUNK:
        for v in carried_vlans(device, itf):
            out[v] = ("vlan", d, v)
        n = native_vlan(device, itf)
        if n is not None:
            out[None] = ("vlan", d, n)
            out.pop(n, None)  # the native VLAN leaves untagged
    elif itf.kind is not InterfaceKind.SVI:
        out[None] = ("port", d, itf.name, None)
        for sub in device.interfaces:
            if sub.parent == itf.name and sub.vlan is not None and sub.enabled:
                tag: int | None = None if sub.extras.get("native") else sub.vlan
                out[tag] = ("port", d, itf.name, sub.vlan)
    return out


class _Union:
    def __init__(self) -> None:
        self.parent: dict[tuple[object, ...], tuple[object, ...]] = {}

    def find(self, x: tuple[object, ...]) -> tuple[object, ...]:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: tuple[object, ...], b: tuple[object, ...]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb, key=repr)] = min(ra, rb, key=repr)


def _port_of(device: DeviceConfig, name: str) -> Interface | None:
    """The interface a link names; a port-channel member stands for its port-channel."""
    itf = device.interface(name)
    if itf is None:
        return None
    group = itf.extras.get("channel_group")
    if group is not None:
        for cand in device.interfaces:
            if re.fullmatch(rf"(?i)port-channel\s*{group}", cand.name):
                return cand
    return itf


def layer2_domains(
    devices: Iterable[DeviceConfig], policy: Policy, links: Iterable[Link] = ()
) -> tuple[L2Domain, ...]:
    """The broadcast domains of ``devices``.

    Within a device, a VLAN is one domain: its access ports, the trunks that carry it (tagged,
    or untagged as their native VLAN) and its SVI. A routed port is a segment of its own, and
    each of its subinterfaces another (their dot1q tag). Devices with ``no ip routing`` still
    bridge. ``links`` (``(device, interface, device, interface)``, e.g. the inventory's links)
    join the two ends frame by frame: the same tag on both sides, and the untagged frames of each side
    (a native or access VLAN mismatch joins two different VLANs into one domain).

    Returns:
        The domains, each with the (device, VLAN) pairs it spans, its member interfaces and
        the policy zones of its VLANs, sorted for stable output.
    """
    devs = {d.name: d for d in devices}
    uf = _Union()
    members: dict[tuple[object, ...], list[L2Member]] = {}

    def add(node: tuple[object, ...], m: L2Member) -> None:
        uf.find(node)
        members.setdefault(node, []).append(m)

    for dev in devs.values():
        for v in known_vlans(dev):
            uf.find(("vlan", dev.name, v))
        for itf in dev.interfaces:
            if not itf.enabled:
                continue
            if itf.kind is InterfaceKind.SVI and itf.vlan is not None:
                add(("vlan", dev.name, itf.vlan), L2Member(dev.name, itf.name, "svi", itf.vlan))
            elif itf.mode is SwitchportMode.ACCESS and itf.access_vlan is not None:
                add(
                    ("vlan", dev.name, itf.access_vlan),
                    L2Member(dev.name, itf.name, "access", itf.access_vlan),
                )
            elif itf.mode is SwitchportMode.TRUNK:
                n = native_vlan(dev, itf)
                for v in sorted(carried_vlans(dev, itf)):
                    add(
                        ("vlan", dev.name, v),
                        L2Member(dev.name, itf.name, "trunk", v, tagged=v != n),
                    )
            elif itf.kind is InterfaceKind.SUBINTERFACE and itf.parent and itf.vlan is not None:
                add(
                    ("port", dev.name, itf.parent, itf.vlan),
                    L2Member(dev.name, itf.name, "subinterface", itf.vlan),
                )
            elif itf.addresses and itf.kind is not InterfaceKind.LOOPBACK:
                add(
                    ("port", dev.name, itf.name, None), L2Member(dev.name, itf.name, "routed", None)
                )
    for da, ia, db, ib in links:
        a_dev, b_dev = devs.get(da), devs.get(db)
        if a_dev is None or b_dev is None:
            continue
        a_itf, b_itf = _port_of(a_dev, ia), _port_of(b_dev, ib)
        if a_itf is None or b_itf is None:
            continue
        a_nodes, b_nodes = _wire_nodes(a_dev, a_itf), _wire_nodes(b_dev, b_itf)
        for tag, node in a_nodes.items():
            if tag in b_nodes:
                uf.union(node, b_nodes[tag])
    groups: dict[tuple[object, ...], list[tuple[object, ...]]] = {}
    for node in list(uf.parent):
        groups.setdefault(uf.find(node), []).append(node)
    out: list[L2Domain] = []
    for nodes in groups.values():
        vlans = frozenset((str(nd[1]), int(str(nd[2]))) for nd in nodes if nd[0] == "vlan")
        ms = sorted({m for nd in nodes for m in members.get(nd, [])})
        zones = {z for _, v in vlans if (z := policy.zone_of_vlan(v)) is not None}
        for nd in nodes:
            if nd[0] == "port" and nd[3] is not None:
                z = policy.zone_of_vlan(int(str(nd[3])))
                if z is not None:
                    zones.add(z)
        if not vlans and not ms:
            continue
        out.append(L2Domain(vlans=vlans, members=tuple(ms), zones=frozenset(zones)))
    return tuple(sorted(out, key=lambda d: (sorted(d.vlans), d.members)))


def domain_of(domains: Sequence[L2Domain], device: str, vlan: int) -> L2Domain | None:
    """The domain holding ``vlan`` of ``device``."""
    return next((d for d in domains if (device, vlan) in d.vlans), None)


# -- devices, zones and boundaries -----------------------------------------------------------


def segment_zone(policy: Policy, zone: str | None) -> str | None:
    """The canonical zone of ``zone`` unless it is the management network (or none)."""
    if not zone:
        return None
    root = policy.root(zone)
    return None if root == "mgmt" else root


def vlan_root(policy: Policy, vlan: int | None) -> str | None:
    """The canonical zone of a VLAN, ``None`` for a VLAN in no zone or in ``mgmt``."""
    return None if vlan is None else segment_zone(policy, policy.zone_of_vlan(vlan))


def filters_between(device: DeviceConfig, a: Interface, b: Interface) -> bool:
    """Whether any filter or zone policy stands between two interfaces of a device."""
    if device.policy is not None:
        return True
    return any(bd.interface in (a.name, b.name) for bd in device.bindings)


def declared_pairs(policy: Policy) -> frozenset[frozenset[str]]:
    """Canonical zone pairs the policy declares traffic between (特定通信 and allowed flows).

    A 特定通信 ``via`` a zone also declares its source's boundary with that zone.
    """
    out: set[frozenset[str]] = set()
    entries: list[SpecifiedCommunication | AllowedFlow] = [
        *policy.data.specified_communications,
        *policy.data.allowed_flows,
    ]
    for e in entries:
        a, b = policy.root(e.from_), policy.root(e.to)
        out.add(frozenset((a, b)))
        via = getattr(e, "via", None)
        if via:
            out.add(frozenset((a, policy.root(via))))
            out.add(frozenset((policy.root(via), b)))
    return frozenset(out)


# -- routes ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RouteLeak:
    """A static route whose next hop lives in another VRF (``None`` = the global table)."""

    route: Route
    from_vrf: str | None
    to_vrf: str | None
    how: str


def route_leaks(device: DeviceConfig) -> Iterator[RouteLeak]:
    """Static routes that send one VRF's traffic into another.

    Read from the model where parsers record it: ``Route.extras["next_hop_vrf"]``, NX-OS
    ``DeviceConfig.extras["route_next_hop_vrf"]`` (``vrf X`` after the next hop), and a route
    whose exit interface sits in another VRF. IOS ``ip route vrf X ... global`` is read from
    the route's own line (the parser accepts the keyword without recording it).
    """
    vrf_of = {i.name: i.vrf or None for i in device.interfaces}
    nx = {
        (str(t[0]), int(t[1])): str(t[2])
        for t in device.extras.get("route_next_hop_vrf", ())  # type: ignore[attr-defined]
        if isinstance(t, tuple) and len(t) == 3
    }
    for r in device.routes:
        own = r.vrf or None
        target: str | bool | None = False  # False: no leak seen
        how = ""
        nh_vrf = r.extras.get("next_hop_vrf")
        if isinstance(nh_vrf, str):
            target, how = (None if nh_vrf in ("global", "default") else nh_vrf), "next-hop VRF"
        elif (str(r.prefix), r.span.line) in nx:
            v = nx[(str(r.prefix), r.span.line)]
            target, how = (None if v == "default" else v), "next-hop VRF"
        elif device.platform == "cisco_ios" and own is not None and "global" in r.span.text.split():
            target, how = None, "next hop in the global table"
        elif r.interface is not None and r.interface in vrf_of and vrf_of[r.interface] != own:
            target, how = vrf_of[r.interface], "exit interface in another VRF"
        if target is not False and target != own:
            assert target is None or isinstance(target, str)
            yield RouteLeak(route=r, from_vrf=own, to_vrf=target, how=how)


def interface_of_address(
    devices: Iterable[DeviceConfig], addr: ipaddress.IPv4Address | ipaddress.IPv6Address
) -> tuple[DeviceConfig, Interface] | None:
    """The snapshot device interface that owns ``addr`` (a next hop), if any."""
    for dev in devices:
        for itf in dev.interfaces:
            if itf.enabled and any(a.ip == addr for a in itf.addresses):
                return dev, itf
    return None
