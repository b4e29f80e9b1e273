"""Which packets each device forwards between zones: zone assignment, routing and filters.

For every device and every ordered pair of its layer-3 interfaces (I, O) that sit in different
zones (a boundary; an interface in no zone counts as different from every other) and share a
VRF, the device forwards exactly::

    IN-filters(I) ∩ policy(I→O) ∩ OUT-filters(O) ∩ {dst routed out of O} ∩ {src routed via I}

where "routed out of O" is the longest-prefix-match share of the routing table (connected and
static routes) that leads to O, and "src routed via I" is the same share for I: a device only
sees sources it would route back through the interface the packet entered by (the reverse-path
view, so spoofed sources are not reported). Only packets that can open a session are
considered (``HeaderSpace.initial``): a rule that admits only established TCP is return traffic.

The zone of a packet is the zone of its source and destination *addresses* (the most specific
declared network; ``internet_wan`` for the rest), so transit traffic is classified correctly on
every device it crosses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from netaudit.flow import HeaderSpace, Packet, PacketSet, evaluate, first_match, rules_meeting
from netaudit.model import (
    Action,
    DeviceConfig,
    Direction,
    Filter,
    Interface,
    IPAddress,
    IPNetwork,
    Route,
    Rule,
    SourceSpan,
    SwitchportMode,
)
from netaudit.policy import Policy

if TYPE_CHECKING:
    from netaudit.paths import PathFlow


@dataclass(frozen=True, slots=True)
class InterfaceZone:
    """The zone an interface belongs to, and how that was decided.

    ``zones`` has one entry when all is well, none when its subnet or VLAN is in no declared
    zone, and several when its subnets or VLAN point at different zones.
    """

    device: str
    interface: Interface
    zones: tuple[str, ...]
    reason: str

    @property
    def zone(self) -> str | None:
        """The single zone, or ``None`` when there is none or more than one."""
        return self.zones[0] if len(self.zones) == 1 else None


@dataclass(frozen=True, slots=True)
class Step:
    """What one filter or policy did with a packet on a device."""

    what: str
    action: Action
    rule: Rule | None
    span: SourceSpan | None

    @property
    def evidence_span(self) -> SourceSpan | None:
        """The config line that decided: the rule, or the filter's default line."""
        return self.rule.span if self.rule is not None else self.span


@dataclass(frozen=True, slots=True)
class Crossing:
    """Packets one device forwards from one interface to another, for one zone pair."""

    device: str
    in_interface: str
    out_interface: str
    zone_from: str
    zone_to: str
    packets: PacketSet


@dataclass
class DeviceForwarding:
    """Routing and filtering of one device, as packet sets."""

    device: DeviceConfig
    l3: tuple[Interface, ...]
    routed_out: dict[str, PacketSet]
    discarded: PacketSet
    ingress: dict[str, PacketSet]
    egress: dict[str, PacketSet]
    via_default: dict[str, PacketSet]
    unresolved: list[Rule] = field(default_factory=list)


@dataclass
class NetworkAnalysis:
    """Everything the checks need about what crosses where."""

    space: HeaderSpace
    policy: Policy
    devices: dict[str, DeviceConfig]
    interface_zones: list[InterfaceZone]
    forwarding: dict[str, DeviceForwarding]
    crossings: list[Crossing]
    zone_src: dict[str, PacketSet]
    zone_dst: dict[str, PacketSet]
    # End-to-end paths (netaudit.paths), once computed; ``None``: per-device analysis only.
    paths: list[PathFlow] | None = None
    # Inventory links (device, interface, device, interface): adjacencies configs cannot show.
    links: tuple[tuple[str, str, str, str], ...] = ()
    _through: dict[tuple[str, str, str], PacketSet] | None = field(default=None, repr=False)

    _zone_index: dict[str, dict[str, str | None]] | None = field(default=None, repr=False)

    def zones_of_device(self, device: str) -> dict[str, str | None]:
        """Interface name -> its single zone (``None``: no zone or several), for one device."""
        if self._zone_index is None:
            self._zone_index = {}
            for iz in self.interface_zones:
                self._zone_index.setdefault(iz.device, {})[iz.interface.name] = iz.zone
        return self._zone_index.get(device, {})

    def zone_of(self, device: str, interface: str) -> str | None:
        """The single zone of a device interface, if it has one."""
        return self.zones_of_device(device).get(interface)

    def through(self, device: str, in_if: str, out_if: str) -> PacketSet:
        """Packets, as ``device`` receives them on ``in_if``, that it forwards out of ``out_if``
        and that are delivered end to end (every packet when paths were not computed)."""
        if self.paths is None:
            return self.space.all
        if self._through is None:
            self._through = {}
            for flow in self.paths:
                for k, hop in enumerate(flow.hops):
                    if hop.out_interface is None:
                        continue
                    key = (hop.device, hop.in_interface, hop.out_interface)
                    self._through[key] = self._through.get(key, self.space.empty) | flow.at_hop[k]
        return self._through.get((device, in_if, out_if), self.space.empty)

    def path_of(self, device: str, in_if: str, out_if: str, packet: Packet) -> PathFlow | None:
        """An end-to-end path that carries ``packet`` through that hop of ``device``."""
        for flow in self.paths or ():
            for k, hop in enumerate(flow.hops):
                here = (hop.device, hop.in_interface, hop.out_interface) == (device, in_if, out_if)
                if here and flow.at_hop[k].contains(packet):
                    return flow
        return None

    def steps(self, device: str, in_if: str, out_if: str, packet: Packet) -> list[Step]:
        """The filters a packet meets from ``in_if`` to ``out_if`` on ``device``, in order."""
        return explain(self.devices[device], in_if, out_if, packet)


# -- zones ---------------------------------------------------------------------------------


def assign_zones(
    device: DeviceConfig, policy: Policy, hints: Mapping[tuple[str, str], str] | None = None
) -> list[InterfaceZone]:
    """Zone of each interface: as the inventory says, else by its subnets and VLAN."""
    out: list[InterfaceZone] = []
    for itf in device.interfaces:
        hinted = (hints or {}).get((device.name, itf.name))
        if hinted is not None:
            out.append(
                InterfaceZone(
                    device=device.name, interface=itf, zones=(hinted,), reason="inventory"
                )
            )
            continue
        zones: list[str] = []
        reasons: list[str] = []
        for net in itf.networks:
            hits = policy.zones_of_network(net)
            if hits:
                zones.append(hits[0])
                reasons.append(f"{net} in {hits[0]}")
            else:
                reasons.append(f"{net} in no zone")
                zones.append("")
        vlan = itf.vlan if itf.vlan is not None else itf.access_vlan
        if vlan is not None and (itf.addresses or itf.mode is SwitchportMode.ACCESS):
            vz = policy.zone_of_vlan(vlan)
            if vz is not None:
                zones.append(vz)
                reasons.append(f"VLAN {vlan} in {vz}")
            elif not itf.addresses and any(policy.zone_vlans(z) for z in policy.zone_ids):
                zones.append("")
                reasons.append(f"VLAN {vlan} in no zone")
        if not zones:
            continue
        distinct = tuple(dict.fromkeys(z for z in zones if z))
        if "" in zones:
            distinct = ()
        # A subnet in a child zone and the VLAN of its parent do not disagree.
        if len(distinct) > 1 and len({policy.root(z) for z in distinct}) == 1:
            distinct = (max(distinct, key=lambda z: policy.root(z) != z),)
        out.append(
            InterfaceZone(
                device=device.name, interface=itf, zones=distinct, reason="; ".join(reasons)
            )
        )
    return out


def zone_address_sets(
    space: HeaderSpace, policy: Policy
) -> tuple[dict[str, PacketSet], dict[str, PacketSet]]:
    """For each zone, the packets whose source (and, separately, destination) is in it.

    Each address belongs to its most specific zone; ``internet_wan`` without networks gets
    every address no zone claims.
    """
    entries: list[tuple[int, str, IPNetwork]] = []
    for zid in policy.zone_ids:
        for net in policy.zone_networks(zid):
            entries.append((net.prefixlen + (0 if net.version == 4 else 1000), zid, net))
    entries.sort(key=lambda e: -e[0])
    src: dict[str, PacketSet] = dict.fromkeys(policy.zone_ids, space.empty)
    dst: dict[str, PacketSet] = dict.fromkeys(policy.zone_ids, space.empty)
    taken_src, taken_dst = space.empty, space.empty
    for _, zid, net in entries:
        s, d = space.src([net]), space.dst([net])
        src[zid] = src[zid] | (s - taken_src)
        dst[zid] = dst[zid] | (d - taken_dst)
        taken_src, taken_dst = taken_src | s, taken_dst | d
    for zid in policy.zone_ids:
        if policy.is_rest(zid):
            src[zid], dst[zid] = ~taken_src, ~taken_dst
    return src, dst


# -- routing -------------------------------------------------------------------------------


def _l3_interfaces(device: DeviceConfig) -> tuple[Interface, ...]:
    return tuple(i for i in device.interfaces if i.enabled and i.addresses)


def forwarding_interfaces(device: DeviceConfig) -> tuple[Interface, ...]:
    """Interfaces between which the device forwards: none when IP routing is off."""
    return () if device.routing is False else _l3_interfaces(device)


def _route_interface(device: DeviceConfig, route: Route, l3: Iterable[Interface]) -> str | None:
    if route.interface is not None:
        return route.interface
    if route.next_hop is None:
        return None
    for itf in l3:
        if (itf.vrf or None) != (route.vrf or None):
            continue
        if any(
            route.next_hop in a.network
            for a in itf.addresses
            if a.version == route.next_hop.version
        ):
            return itf.name
    return None


@dataclass(frozen=True, slots=True)
class RouteRegion:
    """The destinations one routing-table entry wins by longest-prefix match, and where to.

    ``egress`` is ``None`` for a discard (null) route; ``next_hop`` is ``None`` for a connected
    subnet or an interface-only route. ECMP entries share the same ``region``.
    """

    vrf: str
    prefix: IPNetwork
    region: PacketSet
    egress: str | None
    next_hop: IPAddress | None
    route: Route | None

    @property
    def connected(self) -> bool:
        """A directly connected subnet (the destination is on the egress segment)."""
        return self.route is None

    @property
    def discard(self) -> bool:
        """A null route: the packets are dropped."""
        return self.egress is None


def route_regions(space: HeaderSpace, device: DeviceConfig) -> dict[str, list[RouteRegion]]:
    """The routing table of each VRF as disjoint destination regions (longest-prefix match).

    Connected subnets beat static routes for the same prefix; equal static routes are all
    kept (ECMP). A static route whose next hop is on no interface of its VRF is inactive.
    """
    l3 = _l3_interfaces(device)
    vrfs = {i.vrf or "" for i in l3} | {r.vrf or "" for r in device.routes}
    names = {i.name for i in l3}
    out: dict[str, list[RouteRegion]] = {}
    for vrf in sorted(vrfs):
        table: dict[IPNetwork, list[tuple[str | None, Route | None]]] = {}
        for itf in l3:
            if (itf.vrf or "") != vrf:
                continue
            for net in itf.networks:
                table.setdefault(net, []).append((itf.name, None))
        for r in device.routes:
            if (r.vrf or "") != vrf:
                continue
            if r.discard:
                table.setdefault(r.prefix, []).append((None, r))
                continue
            egress = _route_interface(device, r, l3)
            if egress is None or egress not in names:
                continue  # next hop on no interface of this VRF: the route is inactive
            table.setdefault(r.prefix, []).append((egress, r))
        taken = space.empty
        regions: list[RouteRegion] = []
        for prefix in sorted(table, key=lambda n: (n.version, -n.prefixlen)):
            whole = space.dst([prefix])
            region = whole - taken
            taken = taken | whole
            if region.is_empty():
                continue
            entries = table[prefix]
            connected = [e for e in entries if e[1] is None]
            for egress, route in connected or entries:
                hop = route.next_hop if route is not None and not route.discard else None
                regions.append(RouteRegion(vrf, prefix, region, egress, hop, route))
        out[vrf] = regions
    return out


def routing(
    space: HeaderSpace, device: DeviceConfig
) -> tuple[dict[str, PacketSet], PacketSet, dict[str, PacketSet]]:
    """Longest-prefix match as packet sets: destinations each interface gets, and discards.

    Returns the per-interface destination sets, the discarded set and, per interface, the
    part it gets only by a default route.
    """
    out: dict[str, PacketSet] = {i.name: space.empty for i in _l3_interfaces(device)}
    by_default: dict[str, PacketSet] = dict(out)
    discarded = space.empty
    for regions in route_regions(space, device).values():
        for rr in regions:
            if rr.egress is None:
                discarded = discarded | rr.region
                continue
            out[rr.egress] = out[rr.egress] | rr.region
            if rr.prefix.prefixlen == 0:
                by_default[rr.egress] = by_default[rr.egress] | rr.region
    return out, discarded, by_default


# -- filters -------------------------------------------------------------------------------


def bound_filters(
    device: DeviceConfig, iface: str, direction: Direction
) -> Iterator[tuple[str, Filter | None, SourceSpan]]:
    """(name, filter or ``None`` when undefined, binding line) of each filter on an interface."""
    for b in device.bound(iface, direction):
        yield b.filter, device.filter(b.filter), b.span


def policy_rules(device: DeviceConfig, in_if: str, out_if: str) -> list[Rule]:
    """The rules of the device's zone/interface policy that apply from ``in_if`` to ``out_if``."""
    if device.policy is None:
        return []
    return [
        r
        for r in device.policy.rules
        if (r.in_interfaces is None or in_if in r.in_interfaces)
        and (r.out_interfaces is None or out_if in r.out_interfaces)
    ]


def device_forwarding(space: HeaderSpace, device: DeviceConfig) -> DeviceForwarding:
    """Per-interface routing and filtering sets of one device."""
    l3 = forwarding_interfaces(device)
    routed, discarded, via_default = routing(space, device)
    initial = space.initial()
    fwd = DeviceForwarding(
        device=device,
        l3=l3,
        routed_out=routed,
        discarded=discarded,
        ingress={},
        egress={},
        via_default=via_default,
    )
    scopes = _scopes(device, l3)
    for itf in l3:
        for direction, target in ((Direction.IN, fwd.ingress), (Direction.OUT, fwd.egress)):
            # Only what can reach this filter matters: sources routed back via the interface
            # for an IN filter, destinations routed out of it for an OUT filter. Rules whose
            # addresses cannot meet those are left out before compiling (flow.rules_meeting).
            scope = scopes.get(itf.name)
            if direction is Direction.IN:
                allowed = initial & _sources(space, routed[itf.name])
                meets = {"src": scope}
            else:
                allowed = initial & routed[itf.name]
                meets = {"dst": scope}
            for _name, flt, _span in bound_filters(device, itf.name, direction):
                if flt is None:
                    # The parser warned; IOS and most platforms pass traffic through a
                    # reference to an undefined filter, so nothing is removed here.
                    continue
                rules = rules_meeting(flt.rules, **meets)
                if flt.family is None:
                    res = first_match(space, rules, flt.default_action, within=allowed)
                    fwd.unresolved.extend(res.unresolved_rules)
                    allowed = res.permitted
                else:
                    # The other address family passes this filter untouched.
                    own = space.family(flt.family)
                    res = first_match(space, rules, flt.default_action, within=allowed & own)
                    fwd.unresolved.extend(res.unresolved_rules)
                    allowed = res.permitted | (allowed - own)
            target[itf.name] = allowed
    return fwd


def _scopes(device: DeviceConfig, l3: tuple[Interface, ...]) -> dict[str, list[IPNetwork] | None]:
    """Per interface, networks covering every address routed through it (``None``: any).

    A superset of the longest-prefix-match share: every connected subnet and every route
    prefix that points at the interface, or ``None`` when a default route does.
    """
    scopes: dict[str, list[IPNetwork] | None] = {i.name: list(i.networks) for i in l3}
    for r in device.routes:
        if r.discard:
            continue
        egress = _route_interface(device, r, l3)
        current = scopes.get(egress or "", [])
        if egress is None or current is None:
            continue
        if r.prefix.prefixlen == 0:
            scopes[egress] = None
        else:
            current.append(r.prefix)
    return scopes


def transfer(
    space: HeaderSpace,
    fwd: DeviceForwarding,
    in_if: str,
    out_if: str,
    plausible_in: PacketSet | None = None,
    plausible_out: PacketSet | None = None,
) -> PacketSet:
    """Everything ``fwd.device`` forwards from ``in_if`` to ``out_if`` (initial packets).

    Sources are those the device routes back through ``in_if``; destinations those it routes
    out of ``out_if``. Of the addresses an interface reaches only by a default route, the
    ``plausible_*`` sets (destination form) keep those that can really be there: the analysis
    passes the external zones and the interface's own zone. A device with no specific route
    to an internal segment neither receives that segment's traffic on its default-route link
    (a マイナンバー系 source arriving from the Internet is spoofed) nor delivers to it there
    (the next hop would send it on towards the Internet). What the default route hides is
    the end-to-end analysis' to follow; a permit-any on a boundary still shows here through
    the external zones and the neighbour zone.
    """
    behind = _plausible(fwd, in_if, plausible_in)
    ahead = _plausible(fwd, out_if, plausible_out)
    packets = (fwd.ingress[in_if] & fwd.egress[out_if] & ahead) & _sources(space, behind)
    device = fwd.device
    if device.policy is not None and not packets.is_empty():
        res = first_match(
            space,
            policy_rules(device, in_if, out_if),
            device.policy.default_action,
            within=packets,
        )
        fwd.unresolved.extend(res.unresolved_rules)
        packets = res.permitted
    return packets


def _plausible(fwd: DeviceForwarding, iface: str, plausible: PacketSet | None) -> PacketSet:
    routed = fwd.routed_out[iface]
    if plausible is None:
        return routed
    return (routed - fwd.via_default[iface]) | (fwd.via_default[iface] & plausible)


def _sources(space: HeaderSpace, dst_set: PacketSet) -> PacketSet:
    """Re-express a destination set as a source set (same addresses)."""
    return space.dst_as_src(dst_set)


# -- explanation of one packet ---------------------------------------------------------------


def explain(device: DeviceConfig, in_if: str, out_if: str, packet: Packet) -> list[Step]:
    """Each filter/policy a packet meets on ``device`` from ``in_if`` to ``out_if``.

    Stops at the first one that denies it.
    """
    steps: list[Step] = []
    for direction, iface in ((Direction.IN, in_if), (Direction.OUT, None)):
        if direction is Direction.OUT:
            if device.policy is not None:
                rules = policy_rules(device, in_if, out_if)
                action, rule = evaluate(rules, device.policy.default_action, packet)
                steps.append(
                    Step(
                        f"policy {device.policy.name}",
                        action,
                        rule,
                        device.policy.default_span or device.policy.span,
                    )
                )
                if action is Action.DENY:
                    return steps
            iface = out_if
        assert iface is not None
        for name, flt, span in bound_filters(device, iface, direction):
            if flt is None or (flt.family is not None and flt.family != packet.src.version):
                continue
            action, rule = evaluate(flt.rules, flt.default_action, packet)
            steps.append(
                Step(f"{name} {direction.value} {iface}", action, rule, flt.default_span or span)
            )
            if action is Action.DENY:
                return steps
    return steps


# -- the whole network ----------------------------------------------------------------------


def analyze(
    space: HeaderSpace,
    devices: Iterable[DeviceConfig],
    policy: Policy,
    zone_hints: Mapping[tuple[str, str], str] | None = None,
) -> NetworkAnalysis:
    """Zone assignment and per-device crossings for a set of devices.

    ``zone_hints`` ((device, interface) -> zone, from the inventory) override the mapping by
    subnet and VLAN for the interfaces they name.
    """
    devs = {d.name: d for d in devices}
    zsrc, zdst = zone_address_sets(space, policy)
    external_dst = space.empty
    for z in policy.zone_ids:
        if policy.is_external(z):
            external_dst = external_dst | zdst[z]
    izones: list[InterfaceZone] = []
    forwarding: dict[str, DeviceForwarding] = {}
    crossings: list[Crossing] = []
    for dev in devs.values():
        dev_zones = assign_zones(dev, policy, zone_hints)
        izones.extend(dev_zones)
        zone_of = {iz.interface.name: iz.zone for iz in dev_zones}
        fwd = device_forwarding(space, dev)
        forwarding[dev.name] = fwd
        # Addresses that can really sit behind each interface (see ``transfer``).
        plausible = {
            itf.name: external_dst | (zdst[zi] if (zi := zone_of.get(itf.name)) else space.empty)
            for itf in fwd.l3
        }
        for i in fwd.l3:
            for o in fwd.l3:
                if i.name == o.name or (i.vrf or "") != (o.vrf or ""):
                    continue
                zi, zo = zone_of.get(i.name), zone_of.get(o.name)
                # Only boundary pairs: interfaces in different zones. An interface in no
                # zone (or several) differs from everything: unknown is not pass.
                if zi is not None and zi == zo:
                    continue
                packets = transfer(space, fwd, i.name, o.name, plausible[i.name], plausible[o.name])
                if packets.is_empty():
                    continue
                for zf in policy.zone_ids:
                    from_part = packets & zsrc[zf]
                    if from_part.is_empty():
                        continue
                    for zt in policy.zone_ids:
                        if zt == zf:
                            continue
                        part = from_part & zdst[zt]
                        if not part.is_empty():
                            crossings.append(Crossing(dev.name, i.name, o.name, zf, zt, part))
    return NetworkAnalysis(
        space=space,
        policy=policy,
        devices=devs,
        interface_zones=izones,
        forwarding=forwarding,
        crossings=crossings,
        zone_src=zsrc,
        zone_dst=zdst,
    )


def host_route(
    device: DeviceConfig, dst: ipaddress.IPv4Address | ipaddress.IPv6Address, vrf: str | None = None
) -> tuple[str | None, Route | None, bool]:
    """Longest-prefix match for one destination: (egress interface, static route, discarded)."""
    best: tuple[int, str | None, Route | None, bool] | None = None
    l3 = _l3_interfaces(device)
    for itf in l3:
        if (itf.vrf or None) != (vrf or None):
            continue
        for net in itf.networks:
            if (
                net.version == dst.version
                and dst in net
                and (best is None or net.prefixlen > best[0])
            ):
                best = (net.prefixlen, itf.name, None, False)
    for r in device.routes:
        if (
            (r.vrf or None) != (vrf or None)
            or r.prefix.version != dst.version
            or dst not in r.prefix
        ):
            continue
        if best is not None and r.prefix.prefixlen <= best[0]:
            continue
        egress = None if r.discard else _route_interface(device, r, l3)
        if not r.discard and egress is None:
            continue
        best = (r.prefix.prefixlen, egress, r, r.discard)
    if best is None:
        return None, None, False
    return best[1], best[2], best[3]
