"""End-to-end reachability: what really gets from one zone to another, hop by hop, with NAT.

A permit on one firewall means nothing if the next device drops it. This module follows *sets*
of packets through the whole snapshot, the way a traceroute follows one packet:

1. **Topology.** Two layer-3 interfaces of different devices are neighbours when they share a
   connected subnet (same broadcast domain), or when the inventory links them explicitly (an
   unnumbered or transit link configs cannot show). A next hop that is no interface of the
   snapshot leads out of it (to the Internet, the LGWAN, a device not collected).
2. **Where packets start.** Hosts sit on every connected subnet, and behind every route whose
   next hop is outside the snapshot; behind a default route only the external zones and the
   interface's own zone can really be (the same plausibility rule as the per-device analysis).
   Each start is split by the zone of its source addresses.
3. **At each hop**, in this order: the ingress filters of the interface the packets enter by,
   destination NAT (and the inbound half of static NAT), the routing table of the interface's
   VRF as disjoint longest-prefix regions (ECMP keeps every egress, null routes drop), the
   zone/interface policy from that interface to the egress, the egress filters, then source NAT
   (and the outbound half of static NAT). The rewritten headers travel on to the next hop.
4. **Where packets end.** On a connected subnet (delivered to its hosts), or out of the
   snapshot (exited), or, on a device whose forwarding the inventory marks unknown, nowhere
   known (the affected results are ``unknown``, never ``pass``). A device met twice is a loop.

Every delivered set is then split by the zone of its *final* destination; a :class:`PathFlow`
is one zone pair over one distinct hop sequence, with the packets as the source sends them,
as each hop receives them, and as they arrive, and one consistent example packet for each.

Only packets that can open a session are followed (``HeaderSpace.initial``): stateful devices
let the replies of an allowed session back, and a stateless rule that admits only established
TCP is return traffic, not a crossing.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from netaudit.flow import HeaderSpace, Packet, PacketSet, evaluate, first_match
from netaudit.model import (
    Action,
    DeviceConfig,
    Direction,
    IPAddress,
    IPNetwork,
    NatKind,
    NatRule,
    PortRange,
    Route,
    ServiceMatch,
)
from netaudit.reach import (
    NetworkAnalysis,
    RouteRegion,
    Step,
    bound_filters,
    forwarding_interfaces,
    host_route,
    policy_rules,
    route_regions,
)

MAX_HOPS = 24
# Platforms whose firewall policy matches destination-NAT'd traffic by the address it arrived
# with (a FortiGate VIP's external IP, PAN-OS pre-NAT addresses with post-NAT zones); the
# others (SRX, ASA 8.3+, Linux FORWARD) see the translated address.
POLICY_BEFORE_DNAT = frozenset({"fortinet", "paloalto_panos"})
ANY_V4 = ipaddress.IPv4Network("0.0.0.0/0")
ANY_V6 = ipaddress.IPv6Network("::/0")


class Disposition(enum.Enum):
    """How a path (or a traced packet) ends."""

    DELIVERED = "delivered"
    EXITED = "exited"
    STRAY = "stray"  # out by a default route towards where its destination cannot be
    UNKNOWN = "unknown"
    DENIED = "denied"
    NO_ROUTE = "no_route"
    NULL_ROUTE = "null_route"
    LOOP = "loop"


@dataclass(frozen=True, slots=True)
class Hop:
    """One device on a path: where packets enter and leave, the route used, the NAT applied."""

    device: str
    in_interface: str
    out_interface: str | None
    route: Route | None = None
    nat: tuple[NatRule, ...] = ()

    def __str__(self) -> str:
        return f"{self.device}:{self.in_interface}->{self.out_interface or '?'}"


@dataclass(frozen=True, slots=True)
class NatOp:
    """One translation as a set transformer: the packets it applies to and what they become."""

    rule: NatRule
    which: str  # "src" or "dst"
    region: PacketSet
    networks: tuple[IPNetwork, ...]
    ports: PortRange | None = None

    def image(self, s: PacketSet) -> PacketSet:
        """What the packets of ``s`` this rule matches become."""
        hit = s & self.region
        if hit.is_empty():
            return hit
        return s.space.rewrite(hit, self.which, self.networks, self.ports)

    def apply(self, s: PacketSet) -> PacketSet:
        """The image of ``s``: matched packets rewritten, the rest unchanged."""
        return (s - self.region) | self.image(s)

    def preimage(self, before: PacketSet, after: PacketSet) -> PacketSet:
        """The packets of ``before`` whose image lies in ``after``."""
        space = before.space
        target = space.src(self.networks) if self.which == "src" else space.dst(self.networks)
        if not self.networks:
            target = space.all
        if self.ports is not None:
            target = target & _port_set(space, self.which, self.ports)
        back = space.rewrite(
            after & target,
            self.which,
            (ANY_V4, ANY_V6),
            (0, 65535) if self.ports is not None else None,
        )
        return ((before - self.region) & after) | (before & self.region & back)

    def apply_packet(self, space: HeaderSpace, p: Packet, within: PacketSet | None) -> Packet:
        """The concrete packet after translation (one of the possible ones, inside ``within``)."""
        one = space.packet(p)
        if (one & self.region).is_empty():
            return p
        image = self.apply(one)
        if within is not None and not (image & within).is_empty():
            image = image & within
        return space.witness(image)


@dataclass(frozen=True, slots=True)
class NatStage:
    """The translations of one device at one stage, first match: a packet is rewritten by the
    first rule whose region holds it and by no other (iptables ends the nat chain at the first
    DNAT/SNAT; vendor NAT tables are ordered the same way). ``ops`` carry their *effective*
    regions, disjoint, so the stage is their union applied in parallel."""

    which: str
    ops: tuple[NatOp, ...]
    claimed: PacketSet

    def apply(self, s: PacketSet) -> PacketSet:
        """The image of ``s``: each packet rewritten by its first matching rule, or unchanged."""
        out = s - self.claimed
        for op in self.ops:
            out = out | op.image(s)
        return out

    def preimage(self, before: PacketSet, after: PacketSet) -> PacketSet:
        """The packets of ``before`` whose image lies in ``after``."""
        out = (before - self.claimed) & after
        for op in self.ops:
            part = before & op.region
            if not part.is_empty():
                out = out | op.preimage(part, after)
        return out

    def apply_packet(self, space: HeaderSpace, p: Packet, within: PacketSet | None) -> Packet:
        """The concrete packet after the stage (one of the possible ones, inside ``within``)."""
        one = space.packet(p)
        for op in self.ops:
            if not (one & op.region).is_empty():
                return op.apply_packet(space, p, within)
        return p

    def rules_hit(self, s: PacketSet) -> tuple[NatRule, ...]:
        """The rules that translate some packet of ``s``."""
        return tuple(op.rule for op in self.ops if not (s & op.region).is_empty())

    def rule_for(self, space: HeaderSpace, p: Packet) -> NatRule | None:
        """The rule that translates ``p``, if any."""
        one = space.packet(p)
        return next((op.rule for op in self.ops if not (one & op.region).is_empty()), None)


def _port_set(space: HeaderSpace, which: str, ports: PortRange) -> PacketSet:
    svc = ServiceMatch(src_ports=(ports,)) if which == "src" else ServiceMatch(dst_ports=(ports,))
    return space.services([svc])


@dataclass
class PathFlow:
    """The packets delivered from one zone to another over one distinct hop sequence.

    ``packets`` are the headers as the source sends them; ``at_hop[k]`` as hop ``k`` receives
    them (before its filters); ``delivered`` as they arrive. ``examples[k]`` is one packet
    followed consistently through the path (``examples[0]`` as sent, ``final_example`` as
    received), so a hop-by-hop trace of it can be shown and checked.
    """

    zone_from: str
    zone_to: str
    hops: tuple[Hop, ...]
    packets: PacketSet
    delivered: PacketSet
    at_hop: tuple[PacketSet, ...]
    disposition: Disposition
    examples: tuple[Packet, ...]
    final_example: Packet
    nat_ops: tuple[tuple[int, NatStage, PacketSet], ...] = ()

    @property
    def example(self) -> Packet:
        """One packet of the path as its source sends it."""
        return self.examples[0]

    @property
    def translated(self) -> bool:
        """Whether any hop rewrites addresses on this path."""
        return bool(self.nat_ops)

    def names(self) -> tuple[str, ...]:
        """The hops as ``device:in->out`` strings (the ``path`` of a finding)."""
        return tuple(str(h) for h in self.hops)

    def to_entry(self, hop: int, packets: PacketSet) -> PacketSet:
        """Packets as hop ``hop`` receives them, re-expressed as the source sent them."""
        x = packets
        for k, op, before in reversed(self.nat_ops):
            if k < hop:
                x = op.preimage(before, x)
        return x & self.packets

    def mixed(self) -> PacketSet:
        """The path's packets with the original source and the final destination.

        What a policy entry means by "from these hosts to that server": source NAT hides the
        host, destination NAT reveals the server. Only destination rewrites are applied.
        """
        x = self.packets
        for _, op, _before in self.nat_ops:
            if op.which == "dst":
                x = op.apply(x)
        return x

    def from_mixed(self, packets: PacketSet) -> PacketSet:
        """The inverse of :meth:`mixed` restricted to this path's packets."""
        steps: list[tuple[NatStage, PacketSet]] = []
        x = self.packets
        for _, op, _before in self.nat_ops:
            if op.which == "dst":
                steps.append((op, x))
                x = op.apply(x)
        y = packets
        for op, before in reversed(steps):
            y = op.preimage(before, y)
        return y & self.packets


@dataclass(frozen=True, slots=True)
class _Trail:
    """A partial path during the walk (immutable, shared between branches)."""

    zone_from: str
    hops: tuple[Hop, ...] = ()
    entry: tuple[PacketSet, ...] = ()
    ops: tuple[tuple[int, NatStage, PacketSet], ...] = ()
    visited: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class _End:
    trail: _Trail
    final: PacketSet
    disposition: Disposition


class Network:
    """The snapshot as one forwarding graph of packet-set transformers.

    ``links`` add adjacencies configs cannot show, as (device, interface, device, interface);
    ``externals`` maps (device, interface) to the external zone it faces; ``unknown`` names
    devices whose forwarding is not known. ``isolated`` treats every device as a network of
    its own (configs of unrelated sites whose private subnets overlap).
    """

    def __init__(
        self,
        analysis: NetworkAnalysis,
        links: Iterable[tuple[str, str, str, str]] = (),
        externals: Mapping[tuple[str, str], str] | None = None,
        unknown: Iterable[str] = (),
        *,
        isolated: bool = False,
    ) -> None:
        self.analysis = analysis
        self.space = analysis.space
        self.devices = analysis.devices
        self.externals = dict(externals or {})
        self.unknown = frozenset(unknown)
        self.initial = self.space.initial()
        self.interfaces = {
            name: {i.name: i for i in forwarding_interfaces(dev)}
            for name, dev in self.devices.items()
        }
        self.regions = {
            name: route_regions(self.space, dev)
            for name, dev in self.devices.items()
            if self.interfaces[name]
        }
        self.neighbours: dict[tuple[str, str], list[tuple[str, str]]] = {}
        by_net: dict[IPNetwork, list[tuple[str, str]]] = {}
        for dname, itfs in self.interfaces.items():
            for itf in itfs.values():
                for net in itf.networks:
                    if net.prefixlen < net.max_prefixlen:
                        by_net.setdefault(net, []).append((dname, itf.name))
        for members in () if isolated else by_net.values():
            for a in members:
                for b in members:
                    if a[0] != b[0]:
                        self._adjoin(a, b)
        for a_dev, a_if, b_dev, b_if in links:
            a, b = (a_dev, a_if), (b_dev, b_if)
            self._adjoin(a, b)
            self._adjoin(b, a)
        self._filter_cache: dict[tuple[str, str, Direction], PacketSet] = {}
        self._policy_cache: dict[tuple[str, str, str], PacketSet] = {}
        self._nat_cache: dict[tuple[str, str, str | None, str], NatStage | None] = {}
        self._sources: dict[tuple[str, str], PacketSet] = {}
        self._martian: dict[str, PacketSet] = {}
        self._plausible: dict[tuple[str, str], PacketSet] = {}
        self._exits: dict[tuple[str, str], list[tuple[RouteRegion, str, PacketSet, PacketSet]]] = {}

    def _adjoin(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        peers = self.neighbours.setdefault(a, [])
        if b not in peers:
            peers.append(b)

    # -- per-hop transformers ------------------------------------------------------------------

    def filter_set(self, device: str, iface: str, direction: Direction) -> PacketSet:
        """What the filters bound on an interface in one direction let pass (initial packets)."""
        key = (device, iface, direction)
        cached = self._filter_cache.get(key)
        if cached is not None:
            return cached
        allowed = self.initial
        for _name, flt, _span in bound_filters(self.devices[device], iface, direction):
            if flt is None:
                continue
            if flt.family is None:
                allowed = first_match(
                    self.space, flt.rules, flt.default_action, within=allowed
                ).permitted
            else:
                own = self.space.family(flt.family)
                kept = first_match(self.space, flt.rules, flt.default_action, within=allowed & own)
                allowed = kept.permitted | (allowed - own)
        self._filter_cache[key] = allowed
        return allowed

    def policy_set(self, device: str, in_if: str, out_if: str) -> PacketSet:
        """What the device's zone/interface policy lets from ``in_if`` to ``out_if``."""
        dev = self.devices[device]
        if dev.policy is None:
            return self.space.all
        key = (device, in_if, out_if)
        cached = self._policy_cache.get(key)
        if cached is None:
            cached = first_match(
                self.space,
                policy_rules(dev, in_if, out_if),
                dev.policy.default_action,
                within=self.initial,
            ).permitted
            self._policy_cache[key] = cached
        return cached

    def plausible_dst(self, device: str, iface: str) -> PacketSet:
        """Destinations that can lie beyond an interface reached by a default route."""
        key = (device, iface)
        cached = self._plausible.get(key)
        if cached is None:
            a = self.analysis
            zone = self.externals.get(key) or a.zone_of(device, iface)
            cached = self.space.empty
            for z in a.policy.zone_ids:
                if a.policy.is_external(z) or z == zone:
                    cached = cached | a.zone_dst[z]
            if not a.policy.zone_ids:
                cached = self.space.all  # no zones (a bare trace): nothing to judge by
            self._plausible[key] = cached
        return cached

    def exits(self, device: str, in_if: str) -> list[tuple[RouteRegion, str, PacketSet, PacketSet]]:
        """Per route region of the entry interface's VRF: (region, egress, what the policy and
        the egress filters let through there, what the egress filters alone let through).

        Computed once per entry interface, so a visit costs one intersection per region.
        """
        key = (device, in_if)
        cached = self._exits.get(key)
        if cached is not None:
            return cached
        itf = self.interfaces[device][in_if]
        out: list[tuple[RouteRegion, str, PacketSet, PacketSet]] = []
        for rr in self.regions[device].get(itf.vrf or "", []):
            if rr.egress is None:
                continue
            leaving = rr.region & self.filter_set(device, rr.egress, Direction.OUT)
            if leaving.is_empty():
                continue
            passing = leaving & self.policy_set(device, in_if, rr.egress)
            out.append((rr, rr.egress, passing, leaving))
        self._exits[key] = out
        return out

    def martian(self, device: str) -> PacketSet:
        """Packets a device drops on arrival because their source is one of its own addresses.

        Linux does so by default (``accept_local=0``: a "martian source"), which matters after
        a source NAT to the router's own address sends the packet back to it. Other platforms:
        nothing is assumed (empty).
        """
        cached = self._martian.get(device)
        if cached is not None:
            return cached
        dev = self.devices[device]
        if dev.platform != "linux":
            self._martian[device] = self.space.empty
            return self.space.empty
        own = [
            ipaddress.ip_network(a.ip)
            for itf in self.interfaces[device].values()
            for a in itf.addresses
        ]
        self._martian[device] = self.space.src(own) if own else self.space.empty
        return self._martian[device]

    def nat_stage(self, device: str, in_if: str, out_if: str | None, stage: str) -> NatStage | None:
        """A device's translations at one stage, ``pre`` (destination) or ``post`` (source),
        in rule order with first-match regions; ``None`` when it has none there."""
        if not self.devices[device].nat:
            return None
        key = (device, in_if, out_if, stage)
        if key in self._nat_cache:
            return self._nat_cache[key]
        ops: list[NatOp] = []
        claimed = self.space.empty
        for op in self._nat_ops(self.devices[device], in_if, out_if, stage):
            ops.append(replace(op, region=op.region - claimed))
            claimed = claimed | op.region
        result = NatStage("dst" if stage == "pre" else "src", tuple(ops), claimed) if ops else None
        self._nat_cache[key] = result
        return result

    def _nat_ops(
        self, dev: DeviceConfig, in_if: str, out_if: str | None, stage: str
    ) -> Iterator[NatOp]:
        side = {i.name: i.extras.get("nat") for i in dev.interfaces}

        def admits(names: frozenset[str] | None, iface: str | None) -> bool:
            return names is None or (iface is not None and iface in names)

        for rule in dev.nat:
            if not rule.enabled:
                continue
            ios = rule.extras.get("side") is not None
            if ios:
                # IOS "ip nat inside source": inside -> outside rewrites the source; the
                # static form also lets outside -> inside packets to the global address in.
                if rule.extras.get("side") != "inside":
                    continue
                inbound = side.get(in_if) == "outside"
                outbound = side.get(in_if) == "inside" and side.get(out_if or "") == "outside"
            else:
                inbound = admits(rule.in_interfaces, in_if)
                outbound = admits(rule.out_interfaces, out_if) and admits(rule.in_interfaces, in_if)
            region = self._nat_region(dev, rule)
            if region is None:
                continue
            if stage == "pre" and rule.kind is NatKind.DESTINATION and inbound:
                yield NatOp(
                    rule, "dst", region, rule.translated_dst or (), rule.translated_dst_ports
                )
            elif stage == "pre" and rule.kind is NatKind.STATIC and rule.translated_src:
                if ios and not inbound:
                    continue
                if not ios and (rule.in_interfaces is None or in_if not in rule.in_interfaces):
                    continue
                local = rule.match.src.networks
                back = self.space.dst(rule.translated_src) & self.space.services(
                    rule.match.services
                )
                yield NatOp(rule, "dst", back, tuple(local))
            elif stage == "post" and rule.kind is NatKind.SOURCE and outbound:
                nets = rule.translated_src or self._interface_address(dev, out_if)
                if nets:
                    yield NatOp(rule, "src", region, nets)
            elif stage == "post" and rule.kind is NatKind.STATIC and rule.translated_src:
                if ios and not outbound:
                    continue
                if not ios and (rule.out_interfaces is None or out_if not in rule.out_interfaces):
                    continue
                if not ios and rule.in_interfaces is not None and in_if in rule.in_interfaces:
                    continue  # Yamaha-style: the NAT interface itself is the outside
                yield NatOp(rule, "src", region, rule.translated_src)

    def _nat_region(self, dev: DeviceConfig, rule: NatRule) -> PacketSet | None:
        region = self.space.match(rule.match)
        if not rule.match.unresolved:
            return region
        acl = rule.extras.get("list")
        flt = dev.filter(acl) if isinstance(acl, str) else None
        if flt is None:
            return None  # a route-map or an undefined list: which packets is not known
        listed = first_match(self.space, flt.rules, flt.default_action).permitted
        return listed & self.space.match(replace(rule.match, unresolved=()))

    def _interface_address(self, dev: DeviceConfig, iface: str | None) -> tuple[IPNetwork, ...]:
        itf = dev.interface(iface) if iface else None
        if itf is None:
            return ()
        return tuple(ipaddress.ip_network(a.ip) for a in itf.addresses[:1])

    def next_devices(
        self, device: str, out_if: str, next_hop: IPAddress | None
    ) -> list[tuple[str, str]]:
        """The neighbour interfaces that receive what leaves ``out_if`` (towards ``next_hop``)."""
        peers = self.neighbours.get((device, out_if), [])
        if next_hop is None:
            return list(peers)
        chosen = [
            (d, i)
            for d, i in peers
            if (itf := self.interfaces.get(d, {}).get(i)) is not None
            and any(a.ip == next_hop for a in itf.addresses)
        ]
        return chosen

    # -- the walk --------------------------------------------------------------------------------

    def sources(self, device: str, iface: str) -> PacketSet:
        """Sources that can start at an interface: its subnets and what it routes outward.

        Hosts sit on the interface's subnets and behind its routes to next hops outside the
        snapshot (the share each route wins by longest-prefix match, so a source the device
        would route elsewhere does not start here). Behind a default route only the external
        zones and the interface's own zone can really be.
        """
        key = (device, iface)
        cached = self._sources.get(key)
        if cached is not None:
            return cached
        itf = self.interfaces[device][iface]
        dst_side = self.space.dst(itf.networks) if itf.networks else self.space.empty
        for regions in self.regions.get(device, {}).values():
            for rr in regions:
                if rr.egress != iface or rr.connected or rr.discard:
                    continue
                if rr.next_hop is not None and self.next_devices(device, iface, rr.next_hop):
                    continue  # hosts behind a neighbour in the snapshot start there
                if rr.next_hop is None and self.neighbours.get((device, iface)):
                    continue
                if rr.prefix.prefixlen == 0:
                    dst_side = dst_side | (rr.region & self.plausible_dst(device, iface))
                else:
                    dst_side = dst_side | rr.region
        out = self.space.dst_as_src(dst_side) & self.initial
        self._sources[key] = out
        return out

    def walk(self) -> list[_End]:
        """Follow every start through the network; the ends reached."""
        ends: list[_End] = []
        a = self.analysis
        for device, itfs in self.interfaces.items():
            for iface in itfs:
                start = self.sources(device, iface)
                if start.is_empty():
                    continue
                for zf in a.policy.zone_ids:
                    part = start & a.zone_src[zf]
                    if part.is_empty():
                        continue
                    self._visit(device, iface, part, _Trail(zone_from=zf), ends)
        return ends

    def _visit(
        self, device: str, in_if: str, s: PacketSet, trail: _Trail, ends: list[_End]
    ) -> None:
        if device in self.unknown:
            hop = Hop(device, in_if, None)
            ends.append(_End(self._extend(trail, hop, s, ()), s, Disposition.UNKNOWN))
            return
        if device in trail.visited or len(trail.hops) >= MAX_HOPS:
            return  # a loop: what circulates is delivered nowhere
        entry = s
        s = s & self.filter_set(device, in_if, Direction.IN) - self.martian(device)
        if s.is_empty():
            return
        ops: list[tuple[NatStage, PacketSet]] = []
        natted = self.space.empty  # what destination NAT rewrote here
        pre = self.nat_stage(device, in_if, None, "pre")
        if pre is not None:
            before = s
            s = pre.apply(s)
            if s != before:
                ops.append((pre, before))
                natted = s - (before - pre.claimed)
        before_dnat = bool(ops) and self.devices[device].platform in POLICY_BEFORE_DNAT
        for rr, out_if, passing, leaving in self.exits(device, in_if):
            if before_dnat:
                # The policy names the addresses as they arrived (a VIP's external address):
                # judge the original packets, carry on with their translations.
                stage, before = ops[0]
                part = s & leaving
                if not part.is_empty():
                    policy = self.policy_set(device, in_if, out_if)
                    part = stage.apply(stage.preimage(before, part) & policy) & part
            else:
                part = s & passing
            if part.is_empty():
                continue
            if out_if == in_if and (rr.connected or not self.neighbours.get((device, in_if))):
                # Hosts of one segment talk directly; only what destination NAT rewrote here
                # is sent back out of the interface it came in by.
                part = part & natted
                if part.is_empty():
                    continue
            hop_ops = list(ops)
            post = self.nat_stage(device, in_if, out_if, "post")
            if post is not None:
                before = part
                part = post.apply(part)
                if part != before:
                    hop_ops.append((post, before))
            hop = Hop(
                device,
                in_if,
                out_if,
                rr.route,
                _distinct(r for st, b in hop_ops for r in st.rules_hit(b)),
            )
            nxt = self._extend(trail, hop, entry, hop_ops)
            if rr.connected:
                ends.append(_End(nxt, part, Disposition.DELIVERED))
                continue
            peers = self.next_devices(device, out_if, rr.next_hop)
            if not peers:
                if rr.prefix.prefixlen == 0:
                    # Out of the snapshot by a default route: only what can really be out
                    # there (the external zones and the interface's own zone) arrives, as
                    # for the sources in ``sources``; the rest strays.
                    part = part & self.plausible_dst(device, out_if)
                ends.append(_End(nxt, part, Disposition.EXITED))
                continue
            for peer_dev, peer_if in peers:
                self._visit(peer_dev, peer_if, part, nxt, ends)

    @staticmethod
    def _extend(
        trail: _Trail, hop: Hop, entry: PacketSet, ops: Sequence[tuple[NatStage, PacketSet]]
    ) -> _Trail:
        k = len(trail.hops)
        # A device met again is a loop only if the headers did not change since: after a
        # translation the packet may legitimately come back through a device it crossed.
        seen = frozenset() if ops else trail.visited
        return _Trail(
            zone_from=trail.zone_from,
            hops=(*trail.hops, hop),
            entry=(*trail.entry, entry),
            ops=(*trail.ops, *((k, op, before) for op, before in ops)),
            visited=seen | {hop.device},
        )

    # -- results ---------------------------------------------------------------------------------

    def paths(self) -> list[PathFlow]:
        """Every (zone pair, distinct hop sequence) with delivered packets."""
        a = self.analysis
        merged: dict[tuple[str, str, tuple[str, ...]], PathFlow] = {}
        translated: list[PathFlow] = []
        for end in self.walk():
            for zt in a.policy.zone_ids:
                if zt == end.trail.zone_from:
                    continue
                final = end.final & a.zone_dst[zt]
                if final.is_empty():
                    continue
                flow = self._path(end, zt, final)
                if flow.translated:
                    # Translated sets are tied to their own NAT steps: kept apart.
                    translated.append(flow)
                    continue
                key = (flow.zone_from, zt, flow.names())
                old = merged.get(key)
                merged[key] = flow if old is None else _union(old, flow)
        return [*merged.values(), *translated]

    def _path(self, end: _End, zone_to: str, final: PacketSet) -> PathFlow:
        trail = end.trail
        n = len(trail.hops)
        x = final
        at_hop: list[PacketSet] = [self.space.empty] * n
        after: dict[int, PacketSet] = {}
        for k in range(n - 1, -1, -1):
            for j in range(len(trail.ops) - 1, -1, -1):
                hop_k, op, before = trail.ops[j]
                if hop_k == k:
                    after[j] = x
                    x = op.preimage(before, x)
            at_hop[k] = x & trail.entry[k]
        entry = at_hop[0]
        examples: list[Packet] = []
        w = self.space.witness(entry)
        for k in range(n):
            examples.append(w)
            for j, (hop_k, op, _before) in enumerate(trail.ops):
                if hop_k == k:
                    w = op.apply_packet(self.space, w, after.get(j))
        return PathFlow(
            zone_from=trail.zone_from,
            zone_to=zone_to,
            hops=trail.hops,
            packets=entry,
            delivered=final,
            at_hop=tuple(at_hop),
            disposition=end.disposition,
            examples=tuple(examples),
            final_example=w,
            nat_ops=trail.ops,
        )


def _distinct(rules: Iterable[NatRule]) -> tuple[NatRule, ...]:
    out: list[NatRule] = []
    for r in rules:
        if not any(r is o for o in out):
            out.append(r)
    return tuple(out)


def _union(a: PathFlow, b: PathFlow) -> PathFlow:
    return PathFlow(
        zone_from=a.zone_from,
        zone_to=a.zone_to,
        hops=a.hops,
        packets=a.packets | b.packets,
        delivered=a.delivered | b.delivered,
        at_hop=tuple(x | y for x, y in zip(a.at_hop, b.at_hop, strict=True)),
        disposition=a.disposition,
        examples=a.examples,
        final_example=a.final_example,
    )


def end_to_end(
    analysis: NetworkAnalysis,
    links: Iterable[tuple[str, str, str, str]] = (),
    externals: Mapping[tuple[str, str], str] | None = None,
    unknown: Iterable[str] = (),
    *,
    isolated: bool = False,
) -> list[PathFlow]:
    """The end-to-end paths of an analysed network (see the module docstring)."""
    return Network(analysis, links, externals, unknown, isolated=isolated).paths()


# -- one packet, hop by hop ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TraceHop:
    """What one device did with the traced packet."""

    device: str
    in_interface: str
    out_interface: str | None
    packet: Packet
    steps: tuple[Step, ...]
    route: Route | None
    nat: tuple[NatRule, ...]
    translated: Packet | None


@dataclass(frozen=True, slots=True)
class PacketTrace:
    """A packet's journey: the hops, how it ends, and the packet as it arrives."""

    hops: tuple[TraceHop, ...]
    disposition: Disposition
    reason: str
    final_packet: Packet


@dataclass
class _TraceState:
    network: Network
    results: list[PacketTrace] = field(default_factory=list)


def start_points(network: Network, packet: Packet) -> list[tuple[str, str]]:
    """Where a packet from ``packet.src`` enters the snapshot: the same starts as the sets."""
    one = network.space.packet(packet)
    return [
        (dname, iface)
        for dname, itfs in network.interfaces.items()
        for iface in itfs
        if not (network.sources(dname, iface) & one).is_empty()
    ]


def trace_packet(
    network: Network,
    packet: Packet,
    *,
    device: str | None = None,
    in_interface: str | None = None,
) -> list[PacketTrace]:
    """Follow one packet across devices; one trace per start point (and per ECMP branch)."""
    if device is not None:
        dev = network.devices[device]
        iface = in_interface
        if iface is None:
            iface, _r, _d = host_route(dev, packet.src)
        starts = [(device, iface)] if iface is not None else []
    else:
        starts = start_points(network, packet)
    state = _TraceState(network)
    for d, i in starts:
        _trace(state, d, i, packet, (), frozenset())
    return state.results


def _changed(before: Packet, after: Packet) -> Packet | None:
    return after if after != before else None


def _trace(
    st: _TraceState,
    device: str,
    in_if: str,
    p: Packet,
    hops: tuple[TraceHop, ...],
    visited: frozenset[str],
) -> None:
    net = st.network
    dev = net.devices[device]

    def stop(disp: Disposition, reason: str, hop: TraceHop | None, final: Packet) -> None:
        st.results.append(PacketTrace((*hops, *([hop] if hop else [])), disp, reason, final))

    if device in visited or len(hops) >= MAX_HOPS:
        stop(Disposition.LOOP, f"{device} is met twice: a routing loop", None, p)
        return
    if device in net.unknown:
        stop(Disposition.UNKNOWN, f"{device}: its forwarding is not known (inventory)", None, p)
        return
    if not (net.martian(device) & net.space.packet(p)).is_empty():
        stop(Disposition.DENIED, f"{device}: drops a packet from its own address {p.src}", None, p)
        return
    if in_if not in net.interfaces.get(device, {}):
        stop(Disposition.NO_ROUTE, f"{device}: {in_if} does not forward", None, p)
        return
    steps: list[Step] = []
    for name, flt, span in bound_filters(dev, in_if, Direction.IN):
        if flt is None or (flt.family is not None and flt.family != p.src.version):
            continue
        action, rule = evaluate(flt.rules, flt.default_action, p)
        steps.append(Step(f"{name} in {in_if}", action, rule, flt.default_span or span))
        if action is Action.DENY:
            hop = TraceHop(device, in_if, None, p, tuple(steps), None, (), None)
            stop(Disposition.DENIED, f"{device}: denied entering {in_if}", hop, p)
            return
    q = p
    applied: list[NatRule] = []
    pre = net.nat_stage(device, in_if, None, "pre")
    nat_rule = pre.rule_for(net.space, q) if pre is not None else None
    if pre is not None and nat_rule is not None:
        applied.append(nat_rule)
        q = pre.apply_packet(net.space, q, None)
    itf = net.interfaces[device][in_if]
    egress, route, dropped = host_route(dev, q.dst, itf.vrf)
    if dropped:
        hop = TraceHop(device, in_if, None, p, tuple(steps), route, tuple(applied), _changed(p, q))
        stop(Disposition.NULL_ROUTE, f"{device}: null route", hop, q)
        return
    # Back out of the interface it came in by: only towards a router there, or after a
    # destination NAT here (the same rule as the sets, Network._visit).
    hairpin = (
        egress == in_if
        and (route is None or not net.neighbours.get((device, in_if)))
        and not applied
    )
    if egress is None or egress not in net.interfaces[device] or hairpin:
        hop = TraceHop(device, in_if, None, p, tuple(steps), route, tuple(applied), _changed(p, q))
        stop(Disposition.NO_ROUTE, f"{device}: no route to {q.dst}", hop, q)
        return
    if dev.policy is not None:
        judged = p if applied and dev.platform in POLICY_BEFORE_DNAT else q
        action, rule = evaluate(policy_rules(dev, in_if, egress), dev.policy.default_action, judged)
        steps.append(
            Step(
                f"policy {dev.policy.name}",
                action,
                rule,
                dev.policy.default_span or dev.policy.span,
            )
        )
        if action is Action.DENY:
            hop = TraceHop(
                device, in_if, egress, p, tuple(steps), route, tuple(applied), _changed(p, q)
            )
            stop(Disposition.DENIED, f"{device}: denied by the policy", hop, q)
            return
    for name, flt, span in bound_filters(dev, egress, Direction.OUT):
        if flt is None or (flt.family is not None and flt.family != q.src.version):
            continue
        action, rule = evaluate(flt.rules, flt.default_action, q)
        steps.append(Step(f"{name} out {egress}", action, rule, flt.default_span or span))
        if action is Action.DENY:
            hop = TraceHop(
                device, in_if, egress, p, tuple(steps), route, tuple(applied), _changed(p, q)
            )
            stop(Disposition.DENIED, f"{device}: denied leaving {egress}", hop, q)
            return
    post = net.nat_stage(device, in_if, egress, "post")
    nat_rule = post.rule_for(net.space, q) if post is not None else None
    if post is not None and nat_rule is not None:
        applied.append(nat_rule)
        q = post.apply_packet(net.space, q, None)
    hop = TraceHop(device, in_if, egress, p, tuple(steps), route, tuple(applied), _changed(p, q))
    if route is None:
        stop(Disposition.DELIVERED, f"{device}: delivered on {egress}", hop, q)
        return
    peers = net.next_devices(device, egress, route.next_hop)
    if not peers:
        zone = net.externals.get((device, egress))
        where = f" to {zone}" if zone else ""
        if (
            route.prefix.prefixlen == 0
            and (net.plausible_dst(device, egress) & net.space.packet(q)).is_empty()
        ):
            reason = (
                f"{device}: leaves by the default route via {egress}, but {q.dst} is not out there"
            )
            stop(Disposition.STRAY, reason, hop, q)
            return
        stop(Disposition.EXITED, f"{device}: leaves the snapshot via {egress}{where}", hop, q)
        return
    for peer_dev, peer_if in peers:
        seen = frozenset() if applied else visited
        _trace(st, peer_dev, peer_if, q, (*hops, hop), seen | {device})


__all__ = [
    "Disposition",
    "Hop",
    "NatOp",
    "NatStage",
    "Network",
    "PacketTrace",
    "PathFlow",
    "RouteRegion",
    "TraceHop",
    "end_to_end",
    "start_points",
    "trace_packet",
]
