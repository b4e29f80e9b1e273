"""Hypothesis strategies (and seeded plain-random generators) for the flow algebra's inputs.

Everything here draws from a deliberately *small* address pool so that random rules overlap,
nest and shadow each other — uniformly random prefixes out of 2^32 would almost never meet, and
a property test over disjoint rules proves little. The pool mixes /8, /16, /24, /25 and /32
networks inside ``10.0.0.0/8`` and /32, /48, /64, /128 networks inside ``2001:db8::/32``
(RFC 5737/3849 style documentation space), plus the two "any" networks.

Public strategies (all return model objects from :mod:`netaudit.model` / :mod:`netaudit.flow`):

* :func:`networks`, :func:`address_matches` — addresses, optionally one family, optionally negated;
* :func:`port_ranges`, :func:`services` — services that are *coherent* (ports only on TCP/UDP/SCTP
  or protocol ``None``, ICMP type/code only on ICMP/ICMPv6 or ``None``, ``established`` only on
  TCP or ``None``), which is what a parser produces;
* :func:`matches`, :func:`rules`, :func:`rule_lists` — rules with conditions, exceptions, disabled
  entries and unresolved names;
* :func:`packets` — concrete packets that tend to land inside the pool (and on its edges).

For lists far too long to draw element by element through hypothesis (10,000 rules), use the
seeded generators :func:`random_rules` and :func:`random_packets`: draw a seed with
``st.integers()`` or ``st.randoms()`` and build the list with :class:`random.Random`.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Sequence

from hypothesis import strategies as st

from netaudit.flow import Packet
from netaudit.model import (
    ICMP_PROTOCOLS,
    NO_SPAN,
    PORT_PROTOCOLS,
    PROTO_GRE,
    PROTO_ICMP,
    PROTO_ICMPV6,
    PROTO_OSPF,
    PROTO_SCTP,
    PROTO_TCP,
    PROTO_UDP,
    Action,
    AddressMatch,
    IPAddress,
    IPNetwork,
    Match,
    PortRange,
    Rule,
    ServiceMatch,
    SourceSpan,
)

# -- the address pool ------------------------------------------------------------------------

V4_POOL: tuple[ipaddress.IPv4Network, ...] = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "10.0.0.0/8",
        "10.1.0.0/16",
        "10.2.0.0/16",
        "10.1.1.0/24",
        "10.1.2.0/24",
        "10.2.1.0/24",
        "10.1.1.128/25",
        "10.1.1.1/32",
        "10.1.1.130/32",
        "10.2.1.5/32",
    )
)
V6_POOL: tuple[ipaddress.IPv6Network, ...] = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "2001:db8::/32",
        "2001:db8:1::/48",
        "2001:db8:2::/48",
        "2001:db8:1:1::/64",
        "2001:db8:1:1::1/128",
        "2001:db8:2::5/128",
    )
)
ANY4 = ipaddress.IPv4Network("0.0.0.0/0")
ANY6 = ipaddress.IPv6Network("::/0")
POOL: tuple[IPNetwork, ...] = (*V4_POOL, *V6_POOL, ANY4, ANY6)

#: Protocols the strategies pick from: the ones with ports, the ICMPs, and a few without either.
PROTOCOLS: tuple[int, ...] = (
    PROTO_TCP,
    PROTO_UDP,
    PROTO_SCTP,
    PROTO_ICMP,
    PROTO_ICMPV6,
    PROTO_GRE,
    PROTO_OSPF,
)
#: Port values where off-by-one mistakes live.
EDGE_PORTS: tuple[int, ...] = (
    0,
    1,
    22,
    53,
    79,
    80,
    81,
    443,
    1023,
    1024,
    49151,
    49152,
    65534,
    65535,
)

SPAN = NO_SPAN


def networks(version: int | None = None) -> st.SearchStrategy[IPNetwork]:
    """A network from the pool; ``version`` 4 or 6 keeps to one family."""
    pool: Sequence[IPNetwork] = POOL
    if version == 4:
        pool = (*V4_POOL, ANY4)
    elif version == 6:
        pool = (*V6_POOL, ANY6)
    return st.sampled_from(pool)


@st.composite
def address_matches(
    draw: st.DrawFn, version: int | None = None, negate: bool | None = None
) -> AddressMatch:
    """An address match of 0-3 pool networks; negated about one time in five.

    ``negate`` forces (True/False) or randomises (``None``) the negation flag.
    """
    nets = draw(st.lists(networks(version), min_size=0, max_size=3, unique=True))
    neg = draw(st.sampled_from([False, False, False, False, True])) if negate is None else negate
    return AddressMatch(networks=tuple(nets), negate=neg)


def ports() -> st.SearchStrategy[int]:
    """A port number, half of the time one of :data:`EDGE_PORTS`."""
    return st.one_of(st.sampled_from(EDGE_PORTS), st.integers(0, 65535))


@st.composite
def port_range(draw: st.DrawFn) -> PortRange:
    """One inclusive range ``(lo, hi)``; single ports, full range and odd bounds included."""
    kind = draw(st.sampled_from(["single", "range", "range", "full"]))
    if kind == "full":
        return (0, 65535)
    a = draw(ports())
    if kind == "single":
        return (a, a)
    b = draw(ports())
    return (min(a, b), max(a, b))


def port_ranges() -> st.SearchStrategy[tuple[PortRange, ...]]:
    """One to three (possibly overlapping) ranges, as a service's ``src_ports``/``dst_ports``."""
    return st.lists(port_range(), min_size=1, max_size=3).map(tuple)


@st.composite
def services(draw: st.DrawFn, coherent: bool = True) -> ServiceMatch:
    """A service; by default *coherent*: constraints only on protocols that carry those fields.

    Protocol ``None`` may carry ports (meaning TCP/UDP/SCTP only), ICMP fields (ICMP/ICMPv6
    only) or ``established`` (TCP only), as the model documents. ``coherent=False`` also draws
    what no parser should produce (ICMP with ports, UDP ``established``, ...), which must match
    nothing in the BDD and in the oracle alike.
    """
    proto = draw(st.one_of(st.none(), st.sampled_from(PROTOCOLS)))
    src_ports = dst_ports = None
    icmp_type = icmp_code = None
    established = False
    if not coherent or proto is None or proto in PORT_PROTOCOLS:
        src_ports = draw(st.one_of(st.none(), st.none(), port_ranges()))
        dst_ports = draw(st.one_of(st.none(), port_ranges()))
    if not coherent or proto is None or proto in ICMP_PROTOCOLS:
        icmp_type = draw(st.one_of(st.none(), st.sampled_from([0, 3, 8, 128, 255])))
        icmp_code = draw(st.one_of(st.none(), st.none(), st.sampled_from([0, 1, 255])))
    if not coherent or proto is None or proto == PROTO_TCP:
        established = draw(st.sampled_from([False, False, True]))
    return ServiceMatch(
        protocol=proto,
        src_ports=src_ports,
        dst_ports=dst_ports,
        icmp_type=icmp_type,
        icmp_code=icmp_code,
        established=established,
    )


@st.composite
def matches(draw: st.DrawFn, unresolved: bool = True) -> Match:
    """A rule match: two address matches and 1-3 services (rarely none, which matches nothing)."""
    svc_count = draw(st.sampled_from([0, 1, 1, 1, 1, 2, 3]))
    names: tuple[str, ...] = ()
    if unresolved and draw(st.integers(0, 9)) == 0:
        names = ("fqdn:example.jp",)
    return Match(
        src=draw(address_matches()),
        dst=draw(address_matches()),
        services=tuple(draw(st.lists(services(), min_size=svc_count, max_size=svc_count))),
        unresolved=names,
    )


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    """A rule: match, sometimes conditions/exceptions, one in eight disabled."""
    return Rule(
        action=draw(st.sampled_from(Action)),
        match=draw(matches()),
        span=SPAN,
        enabled=draw(st.integers(0, 7)) != 0,
        conditions=tuple(draw(st.lists(matches(unresolved=False), max_size=2))),
        exceptions=tuple(draw(st.lists(matches(unresolved=False), max_size=2))),
    )


def rule_lists(max_size: int = 12) -> st.SearchStrategy[list[Rule]]:
    """An ordered rule list of 0..``max_size`` rules."""
    return st.lists(rules(), max_size=max_size)


# -- packets -----------------------------------------------------------------------------------


def _address_in(rng_int: int, net: IPNetwork, edge: int) -> IPAddress:
    """An address of ``net``: its first/last address (``edge`` 0/1) or pseudo-random inside."""
    if edge == 0:
        return net.network_address
    if edge == 1:
        return net.broadcast_address
    return net.network_address + (rng_int % net.num_addresses)


@st.composite
def addresses(draw: st.DrawFn, version: int) -> IPAddress:
    """An address that usually falls inside a pool network, often at its first/last address."""
    pool: Sequence[IPNetwork] = V4_POOL if version == 4 else V6_POOL
    if draw(st.integers(0, 7)) == 0:  # now and then anywhere at all
        if version == 4:
            return ipaddress.IPv4Address(draw(st.integers(0, 2**32 - 1)))
        return ipaddress.IPv6Address(draw(st.integers(0, 2**128 - 1)))
    net = draw(st.sampled_from(pool))
    return _address_in(draw(st.integers(0, 2**128 - 1)), net, draw(st.integers(0, 3)))


@st.composite
def packets(draw: st.DrawFn, version: int | None = None) -> Packet:
    """A concrete, well-formed packet: same family on both ends, ports exactly on TCP/UDP/SCTP,
    ICMP fields exactly on ICMP/ICMPv6, ``established`` only on TCP."""
    ver = version if version is not None else draw(st.sampled_from([4, 4, 6]))
    proto = draw(st.one_of(st.sampled_from(PROTOCOLS), st.integers(0, 255)))
    has_ports = proto in PORT_PROTOCOLS
    is_icmp = proto in ICMP_PROTOCOLS
    return Packet(
        proto=proto,
        src=draw(addresses(ver)),
        dst=draw(addresses(ver)),
        sport=draw(ports()) if has_ports else None,
        dport=draw(ports()) if has_ports else None,
        icmp_type=draw(st.sampled_from([0, 3, 8, 128, 255])) if is_icmp else None,
        icmp_code=draw(st.sampled_from([0, 1, 255])) if is_icmp else None,
        established=draw(st.booleans()) if proto == PROTO_TCP else False,
    )


# -- seeded generators for very long lists ---------------------------------------------------------


def _random_pool(rng: random.Random) -> list[IPNetwork]:
    """A few hundred v4 networks (/8 .. /32, nested) and a few dozen v6 ones, for one rule list."""
    pool: list[IPNetwork] = [ipaddress.IPv4Network("10.0.0.0/8")]
    sixteens = [ipaddress.IPv4Network(f"10.{rng.randrange(256)}.0.0/16") for _ in range(8)]
    pool += sixteens
    for _ in range(120):
        b = rng.choice(sixteens).network_address.packed[1]
        pool.append(ipaddress.IPv4Network(f"10.{b}.{rng.randrange(256)}.0/24"))
    for _ in range(300):
        base = rng.choice(pool[9:])
        pool.append(ipaddress.IPv4Network(f"{base.network_address + rng.randrange(256)}/32"))
    pool6: list[IPNetwork] = [ipaddress.IPv6Network("2001:db8::/32")]
    for _ in range(10):
        pool6.append(ipaddress.IPv6Network(f"2001:db8:{rng.randrange(8):x}::/48"))
    for _ in range(20):
        pool6.append(
            ipaddress.IPv6Network(f"2001:db8:{rng.randrange(8):x}:{rng.randrange(4)}::/64")
        )
    for _ in range(30):
        base6 = rng.choice(pool6[11:])
        pool6.append(ipaddress.IPv6Network(f"{base6.network_address + rng.randrange(16)}/128"))
    return pool + pool6


def _random_service(rng: random.Random) -> ServiceMatch:
    roll = rng.random()
    if roll < 0.05:
        return ServiceMatch()
    if roll < 0.75:
        proto = rng.choice([PROTO_TCP, PROTO_TCP, PROTO_UDP])
        lo = rng.choice(EDGE_PORTS) if rng.random() < 0.5 else rng.randrange(65536)
        hi = lo if rng.random() < 0.6 else min(65535, lo + rng.randrange(2000))
        return ServiceMatch(
            protocol=proto,
            dst_ports=((lo, hi),),
            src_ports=((1024, 65535),) if rng.random() < 0.1 else None,
            established=proto == PROTO_TCP and rng.random() < 0.05,
        )
    if roll < 0.85:
        proto = rng.choice([PROTO_ICMP, PROTO_ICMPV6])
        return ServiceMatch(protocol=proto, icmp_type=rng.choice([None, 0, 3, 8, 128]))
    if roll < 0.92:
        return ServiceMatch(dst_ports=((53, 53),))
    return ServiceMatch(protocol=rng.choice([PROTO_GRE, PROTO_OSPF, PROTO_TCP, PROTO_UDP]))


def _random_address(rng: random.Random, fam: Sequence[IPNetwork], version: int) -> AddressMatch:
    if rng.random() < 0.08:
        return AddressMatch(networks=(ANY4 if version == 4 else ANY6,))
    count = 1 if rng.random() < 0.85 else rng.randrange(2, 4)
    return AddressMatch(networks=tuple(rng.sample(fam, count)), negate=rng.random() < 0.03)


def random_rules(rng: random.Random, count: int) -> list[Rule]:
    """``count`` overlapping rules (85 % IPv4) from a per-list pool of nested networks.

    About 2 % are disabled, 2 % carry a condition and 2 % an exception.
    """
    pool = _random_pool(rng)
    by_version = {v: [n for n in pool if n.version == v] for v in (4, 6)}
    out: list[Rule] = []
    for i in range(count):
        version = 4 if rng.random() < 0.85 else 6
        match = Match(
            src=_random_address(rng, by_version[version], version),
            dst=_random_address(rng, by_version[version], version),
            services=tuple(_random_service(rng) for _ in range(1 if rng.random() < 0.9 else 2)),
        )
        conditions: tuple[Match, ...] = ()
        exceptions: tuple[Match, ...] = ()
        roll = rng.random()
        if roll < 0.02:
            conditions = (Match(services=(_random_service(rng),)),)
        elif roll < 0.04:
            exceptions = (Match(src=_random_address(rng, by_version[version], version)),)
        out.append(
            Rule(
                action=Action.PERMIT if rng.random() < 0.6 else Action.DENY,
                match=match,
                span=SourceSpan(file="random.acl", line=i + 1),
                enabled=rng.random() >= 0.02,
                conditions=conditions,
                exceptions=exceptions,
            )
        )
    return out


def _random_port(rng: random.Random, ranges: tuple[PortRange, ...] | None) -> int:
    if ranges and rng.random() < 0.8:
        lo, hi = rng.choice(ranges)
        return rng.choice([lo, hi, rng.randint(lo, hi)])
    return rng.choice(EDGE_PORTS) if rng.random() < 0.5 else rng.randrange(65536)


def random_packets(rng: random.Random, rules: Sequence[Rule], count: int) -> list[Packet]:
    """``count`` packets, each aimed at a random rule: addresses inside that rule's networks,
    a protocol, ports and ICMP fields taken from (or next to) one of its services."""
    out: list[Packet] = []
    for _ in range(count):
        m = rng.choice(rules).match
        nets = m.src.networks + m.dst.networks
        version = nets[0].version if nets else 4

        def pick(am: AddressMatch, version: int = version) -> IPAddress:
            fam = [n for n in am.networks if n.version == version] or [
                ANY4 if version == 4 else ANY6
            ]
            return _address_in(rng.getrandbits(128), rng.choice(fam), rng.randrange(4))

        svc = rng.choice(m.services) if m.services else ServiceMatch()
        proto = svc.protocol
        if proto is None or rng.random() < 0.1:
            proto = rng.choice(PROTOCOLS)
        has_ports = proto in PORT_PROTOCOLS
        is_icmp = proto in ICMP_PROTOCOLS
        out.append(
            Packet(
                proto=proto,
                src=pick(m.src),
                dst=pick(m.dst),
                sport=_random_port(rng, svc.src_ports) if has_ports else None,
                dport=_random_port(rng, svc.dst_ports) if has_ports else None,
                icmp_type=(
                    svc.icmp_type
                    if svc.icmp_type is not None and rng.random() < 0.8
                    else rng.choice([0, 3, 8, 128])
                )
                if is_icmp
                else None,
                icmp_code=rng.choice([0, 0, 1]) if is_icmp else None,
                established=proto == PROTO_TCP and rng.random() < 0.3,
            )
        )
    return out
