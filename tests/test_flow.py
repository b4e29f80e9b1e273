"""Unit tests of the header-space algebra (netaudit.flow): building blocks, edge cases, witnesses.

Each membership check is made twice where it makes sense: through the BDD (``contains``) and
through the concrete oracle (``rule_matches`` / ``evaluate``), so a mistake in either shows.
"""

from __future__ import annotations

import ipaddress

import pytest

from netaudit.flow import (
    HeaderSpace,
    Packet,
    PacketSet,
    evaluate,
    first_match,
    match_contains,
    protocol_name,
    rule_matches,
)
from netaudit.model import (
    ANY_ADDRESS,
    ANY_V4,
    ANY_V6,
    NO_SPAN,
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
    Match,
    PortRange,
    Rule,
    ServiceMatch,
)

PERMIT, DENY = Action.PERMIT, Action.DENY


def ip(text: str) -> IPAddress:
    return ipaddress.ip_address(text)


def am(*nets: str, negate: bool = False) -> AddressMatch:
    return AddressMatch(networks=tuple(ipaddress.ip_network(n) for n in nets), negate=negate)


def tcp(
    src: str = "10.1.1.1",
    dst: str = "10.2.2.2",
    dport: int = 80,
    sport: int = 50000,
    established: bool = False,
) -> Packet:
    return Packet(
        proto=PROTO_TCP, src=ip(src), dst=ip(dst), sport=sport, dport=dport, established=established
    )


def udp(
    src: str = "10.1.1.1", dst: str = "10.2.2.2", dport: int = 53, sport: int = 50000
) -> Packet:
    return Packet(proto=PROTO_UDP, src=ip(src), dst=ip(dst), sport=sport, dport=dport)


def icmp(src: str = "10.1.1.1", dst: str = "10.2.2.2", itype: int = 8, code: int = 0) -> Packet:
    proto = PROTO_ICMPV6 if ":" in src else PROTO_ICMP
    return Packet(proto=proto, src=ip(src), dst=ip(dst), icmp_type=itype, icmp_code=code)


def other(proto: int, src: str = "10.1.1.1", dst: str = "10.2.2.2") -> Packet:
    return Packet(proto=proto, src=ip(src), dst=ip(dst))


def rule(
    action: Action = PERMIT,
    *,
    src: AddressMatch = ANY_ADDRESS,
    dst: AddressMatch = ANY_ADDRESS,
    services: tuple[ServiceMatch, ...] = (ServiceMatch(),),
    enabled: bool = True,
    conditions: tuple[Match, ...] = (),
    exceptions: tuple[Match, ...] = (),
    unresolved: tuple[str, ...] = (),
) -> Rule:
    return Rule(
        action=action,
        match=Match(src=src, dst=dst, services=services, unresolved=unresolved),
        span=NO_SPAN,
        enabled=enabled,
        conditions=conditions,
        exceptions=exceptions,
    )


def both(space: HeaderSpace, r: Rule, p: Packet) -> bool:
    """Membership by the BDD and by the oracle; they must agree."""
    by_bdd = space.rule(r).contains(p)
    by_oracle = rule_matches(r, p)
    assert by_bdd == by_oracle, (r, p)
    return by_bdd


def port_count(space: HeaderSpace, s: PacketSet) -> int:
    """How many port values a single-protocol, single-port-field service set admits.

    Exact model count: the protocol bits are quantified away, leaving a function of the 16 bits
    of the one constrained port field (reaches into the space's variable names on purpose).
    """
    node = space.bdd.exist(space._vars["proto"], s.node)
    return int(space.bdd.count(node, nvars=16))


# -- prefixes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("net", "inside", "outside"),
    [
        ("10.1.0.0/16", ["10.1.0.0", "10.1.255.255", "10.1.128.7"], ["10.0.255.255", "10.2.0.0"]),
        ("10.1.1.1/32", ["10.1.1.1"], ["10.1.1.0", "10.1.1.2"]),
        ("10.1.1.128/25", ["10.1.1.128", "10.1.1.255"], ["10.1.1.127", "10.1.2.0"]),
        ("0.0.0.0/0", ["0.0.0.0", "255.255.255.255", "10.0.0.1"], ["::1", "2001:db8::1"]),
        (
            "2001:db8:1::/48",
            ["2001:db8:1::", "2001:db8:1:ffff:ffff:ffff:ffff:ffff"],
            ["2001:db8:2::"],
        ),
        ("2001:db8::1/128", ["2001:db8::1"], ["2001:db8::", "2001:db8::2", "10.0.0.1"]),
        ("::/0", ["::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"], ["0.0.0.0", "10.0.0.1"]),
    ],
)
def test_prefix_membership(
    space: HeaderSpace, net: str, inside: list[str], outside: list[str]
) -> None:
    for field in ("src", "dst"):
        r = rule(**{field: am(net)})  # type: ignore[arg-type]
        for a in inside:
            peer = "::9" if ":" in a else "10.9.9.9"
            p = tcp(src=a, dst=peer) if field == "src" else tcp(src=peer, dst=a)
            assert both(space, r, p), (field, net, a)
        for a in outside:
            peer = "::9" if ":" in a else "10.9.9.9"
            p = tcp(src=a, dst=peer) if field == "src" else tcp(src=peer, dst=a)
            assert not both(space, r, p), (field, net, a)


def test_src_and_dst_constructors(space: HeaderSpace) -> None:
    nets = [ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("2001:db8::/32")]
    s, d = space.src(nets), space.dst(nets)
    assert s.contains(tcp(src="10.1.2.3", dst="192.0.2.1"))
    assert s.contains(tcp(src="2001:db8::5", dst="::1"))
    assert not s.contains(tcp(src="10.2.2.3", dst="10.1.2.3"))
    assert d.contains(tcp(src="10.2.2.3", dst="10.1.2.3"))
    assert space.src([]).is_empty() and space.dst([]).is_empty()
    # /8 contains the /16, and the prefix sets nest exactly that way
    n8 = space.src([ipaddress.ip_network("10.0.0.0/8")])
    assert space.src(nets[:1]).issubset(n8)
    assert not n8.issubset(space.src(nets[:1]))


# -- ports ------------------------------------------------------------------------------------

ODD_RANGES: list[PortRange] = [
    (0, 0),
    (65535, 65535),
    (0, 65535),
    (80, 80),
    (1, 65534),
    (1023, 1025),
    (7, 9),
    (32767, 32768),
    (0, 1023),
    (1024, 65535),
    (49151, 49153),
    (12345, 23456),
]


@pytest.mark.parametrize("ports", ODD_RANGES, ids=[f"{lo}-{hi}" for lo, hi in ODD_RANGES])
@pytest.mark.parametrize("field", ["src_ports", "dst_ports"])
def test_port_range_exact(space: HeaderSpace, ports: PortRange, field: str) -> None:
    lo, hi = ports
    svc = ServiceMatch(protocol=PROTO_TCP, **{field: (ports,)})  # type: ignore[arg-type]
    s = space.services([svc])
    # exactly hi - lo + 1 values of the field (model count over that field's 16 bits)
    assert port_count(space, s) == hi - lo + 1
    key = "sport" if field == "src_ports" else "dport"
    r = rule(services=(svc,))
    for value, expected in [(lo, True), (hi, True), ((lo + hi) // 2, True)]:
        assert both(space, r, tcp(**{key: value})) is expected  # type: ignore[arg-type]
    if lo > 0:
        assert not both(space, r, tcp(**{key: lo - 1}))  # type: ignore[arg-type]
    if hi < 65535:
        assert not both(space, r, tcp(**{key: hi + 1}))  # type: ignore[arg-type]


def test_several_port_ranges_are_a_union(space: HeaderSpace) -> None:
    ranges = ((20, 21), (80, 80), (8000, 8080), (21, 25))
    svc = ServiceMatch(protocol=PROTO_UDP, dst_ports=ranges)
    assert port_count(space, space.services([svc])) == 6 + 1 + 81  # 20..25, 80, 8000..8080
    union = space.empty
    for one in ranges:
        union = union | space.services([ServiceMatch(protocol=PROTO_UDP, dst_ports=(one,))])
    assert union == space.services([svc])
    r = rule(services=(svc,))
    for port, expected in [(19, False), (20, True), (25, True), (26, False), (8080, True)]:
        assert both(space, r, udp(dport=port)) is expected


def test_src_and_dst_ports_together(space: HeaderSpace) -> None:
    svc = ServiceMatch(protocol=PROTO_TCP, src_ports=((1024, 65535),), dst_ports=((443, 443),))
    r = rule(services=(svc,))
    assert both(space, r, tcp(sport=1024, dport=443))
    assert not both(space, r, tcp(sport=1023, dport=443))
    assert not both(space, r, tcp(sport=2000, dport=444))
    assert not both(space, r, udp(sport=2000, dport=443))


def test_protocol_none_with_ports_means_port_protocols_only(space: HeaderSpace) -> None:
    r = rule(services=(ServiceMatch(dst_ports=((53, 53),)),))
    assert both(space, r, udp(dport=53))
    assert both(space, r, tcp(dport=53))
    sctp = Packet(proto=PROTO_SCTP, src=ip("10.0.0.1"), dst=ip("10.0.0.2"), sport=9, dport=53)
    assert both(space, r, sctp)
    assert not both(space, r, udp(dport=54))
    assert not both(space, r, icmp())
    assert not both(space, r, other(PROTO_GRE))
    assert not both(space, r, other(PROTO_OSPF))


def test_portless_protocol_ignores_port_fields(space: HeaderSpace) -> None:
    r = rule(services=(ServiceMatch(protocol=PROTO_GRE),))
    assert both(space, r, other(PROTO_GRE))
    assert not both(space, r, tcp())
    w = space.rule(r).witness()
    assert w is not None and w.proto == PROTO_GRE and w.sport is None and w.dport is None


# -- ICMP ----------------------------------------------------------------------------------------


def test_icmp_type_and_code(space: HeaderSpace) -> None:
    echo = rule(services=(ServiceMatch(protocol=PROTO_ICMP, icmp_type=8),))
    assert both(space, echo, icmp(itype=8, code=0))
    assert both(space, echo, icmp(itype=8, code=5))
    assert not both(space, echo, icmp(itype=0))
    assert not both(space, echo, icmp(src="2001:db8::1", dst="2001:db8::2", itype=8))
    assert not both(space, echo, tcp())
    unreach = rule(services=(ServiceMatch(protocol=PROTO_ICMP, icmp_type=3, icmp_code=4),))
    assert both(space, unreach, icmp(itype=3, code=4))
    assert not both(space, unreach, icmp(itype=3, code=3))
    code_only = rule(services=(ServiceMatch(protocol=PROTO_ICMP, icmp_code=0),))
    assert both(space, code_only, icmp(itype=0, code=0))
    assert not both(space, code_only, icmp(itype=0, code=1))
    edges = rule(services=(ServiceMatch(protocol=PROTO_ICMP, icmp_type=255, icmp_code=255),))
    assert both(space, edges, icmp(itype=255, code=255))
    assert not both(space, edges, icmp(itype=254, code=255))


def test_icmpv6_and_protocol_none_icmp_fields(space: HeaderSpace) -> None:
    v6echo = rule(services=(ServiceMatch(protocol=PROTO_ICMPV6, icmp_type=128),))
    assert both(space, v6echo, icmp(src="2001:db8::1", dst="2001:db8::2", itype=128))
    assert not both(space, v6echo, icmp(src="2001:db8::1", dst="2001:db8::2", itype=129))
    # protocol None + ICMP type: both ICMPs, nothing else
    any_echo = rule(services=(ServiceMatch(icmp_type=8),))
    assert both(space, any_echo, icmp(itype=8))
    assert both(space, any_echo, icmp(src="2001:db8::1", dst="2001:db8::2", itype=8))
    assert not both(space, any_echo, tcp())
    assert not both(space, any_echo, other(PROTO_GRE))


# -- established ------------------------------------------------------------------------------


def test_established(space: HeaderSpace) -> None:
    est = rule(services=(ServiceMatch(protocol=PROTO_TCP, established=True),))
    assert both(space, est, tcp(established=True))
    assert not both(space, est, tcp(established=False))
    assert not both(space, est, udp())
    # protocol None + established means TCP only (IOS "permit tcp any any established")
    any_est = rule(services=(ServiceMatch(established=True),))
    assert both(space, any_est, tcp(established=True))
    assert not both(space, any_est, udp())
    assert not both(space, any_est, icmp())
    # established with ports
    est443 = rule(
        services=(ServiceMatch(protocol=PROTO_TCP, src_ports=((443, 443),), established=True),)
    )
    assert both(space, est443, tcp(sport=443, dport=50000, established=True))
    assert not both(space, est443, tcp(sport=443, dport=50000))


def test_initial_set(space: HeaderSpace) -> None:
    init = space.initial()
    assert init.contains(tcp())
    assert not init.contains(tcp(established=True))
    assert init.contains(udp()) and init.contains(icmp()) and init.contains(other(PROTO_GRE))
    est = space.services([ServiceMatch(protocol=PROTO_TCP, established=True)])
    assert (init & est).is_empty()
    assert (init | est).is_full()


# -- addresses: negation and families ----------------------------------------------------------


def test_negated_addresses(space: HeaderSpace) -> None:
    r = rule(src=am("10.1.0.0/16", negate=True), dst=am("10.2.0.0/16"))
    assert both(space, r, tcp(src="10.3.0.1", dst="10.2.0.1"))
    assert not both(space, r, tcp(src="10.1.0.1", dst="10.2.0.1"))
    assert not both(space, r, tcp(src="10.3.0.1", dst="10.3.0.1"))
    two = rule(dst=am("10.1.0.0/16", "10.2.0.0/16", negate=True))
    assert not both(space, two, tcp(dst="10.1.5.5"))
    assert not both(space, two, tcp(dst="10.2.5.5"))
    assert both(space, two, tcp(dst="10.3.5.5"))
    # "not nothing" is everything; "nothing" is nothing
    assert space.rule(rule(src=am(negate=True))).is_full()
    assert space.rule(rule(src=am())).is_empty()


def test_negated_ipv4_list_matches_ipv6_packets(space: HeaderSpace) -> None:
    """Pins current semantics: negation complements within the whole (dual-family) space.

    ``not 10.0.0.0/8`` therefore also matches every IPv6 packet — in the BDD and the oracle
    alike. Parsers of IPv4-only ACLs must combine a negated address with the IPv4 family
    (e.g. via a condition ``Match(src=ANY_V4)``) if that is not what the vendor means.
    """
    r = rule(src=am("10.0.0.0/8", negate=True))
    assert both(space, r, tcp(src="2001:db8::1", dst="2001:db8::2"))
    guarded = rule(src=am("10.0.0.0/8", negate=True), conditions=(Match(src=ANY_V4),))
    assert not both(space, guarded, tcp(src="2001:db8::1", dst="2001:db8::2"))
    assert both(space, guarded, tcp(src="192.0.2.1", dst="10.0.0.1"))


def test_ipv4_and_ipv6_are_separate(space: HeaderSpace) -> None:
    v4 = rule(src=ANY_V4, dst=ANY_V4)
    v6 = rule(src=ANY_V6, dst=ANY_V6)
    dual = rule(src=ANY_ADDRESS, dst=ANY_ADDRESS)
    p4, p6 = tcp(), tcp(src="2001:db8::1", dst="2001:db8::2")
    assert both(space, v4, p4) and not both(space, v4, p6)
    assert both(space, v6, p6) and not both(space, v6, p4)
    assert both(space, dual, p4) and both(space, dual, p6)
    # a v4-only source with a v6-only destination matches nothing at all
    assert space.rule(rule(src=ANY_V4, dst=ANY_V6)).is_empty()
    assert space.rule(v4) == space.family(4)
    assert space.rule(v6) == space.family(6)


def test_family(space: HeaderSpace) -> None:
    f4, f6 = space.family(4), space.family(6)
    assert (f4 & f6).is_empty()
    assert (f4 | f6).is_full()
    assert f4 == ~f6
    assert f4.contains(tcp()) and not f4.contains(tcp(src="::1", dst="::2"))
    assert space.src([ipaddress.ip_network("10.0.0.0/8")]).issubset(f4)
    assert space.dst([ipaddress.ip_network("2001:db8::/32")]).issubset(f6)


# -- rules: conditions, exceptions, disabled, defaults, unresolved ---------------------------


def test_rule_conditions_and_exceptions(space: HeaderSpace) -> None:
    # A jump "-s 10.1.0.0/16 -j CHAIN" inlined: the jump's match is a condition;
    # an earlier "-p udp -j RETURN" in the chain is an exception.
    r = rule(
        dst=am("10.2.0.0/16"),
        conditions=(Match(src=am("10.1.0.0/16")),),
        exceptions=(Match(services=(ServiceMatch(protocol=PROTO_UDP),)),),
    )
    assert both(space, r, tcp(src="10.1.0.1", dst="10.2.0.1"))
    assert not both(space, r, tcp(src="10.3.0.1", dst="10.2.0.1"))  # condition fails
    assert not both(space, r, udp(src="10.1.0.1", dst="10.2.0.1"))  # exception hits
    assert not both(space, r, tcp(src="10.1.0.1", dst="10.3.0.1"))  # match fails
    expected = space.match(r.match) & space.match(r.conditions[0]) - space.match(r.exceptions[0])
    assert space.rule(r) == expected
    # several conditions all apply; several exceptions each remove
    r2 = rule(
        conditions=(Match(src=am("10.0.0.0/8")), Match(dst=am("10.2.0.0/16"))),
        exceptions=(Match(src=am("10.1.1.1/32")), Match(dst=am("10.2.2.2/32"))),
    )
    assert both(space, r2, tcp(src="10.1.1.2", dst="10.2.2.3"))
    assert not both(space, r2, tcp(src="10.1.1.1", dst="10.2.2.3"))
    assert not both(space, r2, tcp(src="10.1.1.2", dst="10.2.2.2"))
    assert not both(space, r2, tcp(src="192.0.2.1", dst="10.2.2.3"))


def test_several_services_are_a_union(space: HeaderSpace) -> None:
    r = rule(
        services=(
            ServiceMatch(protocol=PROTO_TCP, dst_ports=((22, 22),)),
            ServiceMatch(protocol=PROTO_UDP, dst_ports=((161, 162),)),
        )
    )
    assert both(space, r, tcp(dport=22)) and both(space, r, udp(dport=162))
    assert not both(space, r, tcp(dport=161)) and not both(space, r, udp(dport=22))
    assert space.rule(rule(services=())).is_empty()


def test_default_actions(space: HeaderSpace) -> None:
    deny_all = first_match(space, [], DENY)
    assert deny_all.permitted.is_empty() and deny_all.denied.is_full()
    permit_all = first_match(space, [], PERMIT)
    assert permit_all.permitted.is_full() and permit_all.denied.is_empty()
    assert evaluate([], DENY, tcp()) == (DENY, None)
    assert evaluate([], PERMIT, tcp()) == (PERMIT, None)
    # default applies only to what no rule matched
    web = rule(DENY, services=(ServiceMatch(protocol=PROTO_TCP, dst_ports=((80, 80),)),))
    fm = first_match(space, [web], PERMIT)
    assert not fm.permitted.contains(tcp(dport=80)) and fm.permitted.contains(tcp(dport=81))


def test_first_match_order_and_shadowing(space: HeaderSpace) -> None:
    deny_host = rule(DENY, src=am("10.1.1.1/32"))
    permit_net = rule(PERMIT, src=am("10.1.0.0/16"))
    fm = first_match(space, [deny_host, permit_net], DENY)
    assert not fm.permitted.contains(tcp(src="10.1.1.1"))
    assert fm.permitted.contains(tcp(src="10.1.1.2"))
    assert evaluate([deny_host, permit_net], DENY, tcp(src="10.1.1.1")) == (DENY, deny_host)
    assert evaluate([deny_host, permit_net], DENY, tcp(src="10.1.1.2")) == (PERMIT, permit_net)
    # reversed: the /16 shadows the host deny completely
    fm2 = first_match(space, [permit_net, deny_host], DENY)
    assert fm2.permitted == space.src([ipaddress.ip_network("10.1.0.0/16")])


def test_disabled_rules_are_skipped(space: HeaderSpace) -> None:
    off = rule(DENY, src=am("10.1.1.1/32"), enabled=False)
    on = rule(PERMIT, src=am("10.1.0.0/16"))
    fm = first_match(space, [off, on], DENY)
    assert fm.permitted.contains(tcp(src="10.1.1.1"))
    assert evaluate([off, on], DENY, tcp(src="10.1.1.1")) == (PERMIT, on)
    only_off = rule(PERMIT, enabled=False)
    assert first_match(space, [only_off], DENY).permitted.is_empty()
    assert evaluate([only_off], DENY, tcp()) == (DENY, None)


def test_within_restricts_the_question(space: HeaderSpace) -> None:
    rules = [
        rule(DENY, dst=am("10.2.2.2/32")),
        rule(PERMIT, src=am("10.1.0.0/16"), dst=am("10.2.0.0/16")),
    ]
    zone_a = space.src([ipaddress.ip_network("10.1.0.0/16")])
    zone_b = space.dst([ipaddress.ip_network("10.2.0.0/16")])
    q = zone_a & zone_b
    fm = first_match(space, rules, DENY, within=q)
    assert fm.permitted | fm.denied == q
    assert (fm.permitted & fm.denied).is_empty()
    assert fm.permitted == q - space.dst([ipaddress.ip_network("10.2.2.2/32")])
    assert fm.permitted == first_match(space, rules, DENY).permitted & q
    # default PERMIT never leaks outside the question
    fm_p = first_match(space, [], PERMIT, within=q)
    assert fm_p.permitted == q and fm_p.denied.is_empty()


def test_unresolved_parts_match_nothing_and_are_reported(space: HeaderSpace) -> None:
    fqdn = AddressMatch(networks=(), unresolved=("www.example.jp",))
    r_unres = rule(PERMIT, dst=fqdn)
    r_web = rule(PERMIT, services=(ServiceMatch(protocol=PROTO_TCP, dst_ports=((80, 80),)),))
    assert r_unres.unresolved == ("www.example.jp",)
    assert space.rule(r_unres).is_empty()
    fm = first_match(space, [r_unres, r_web], DENY)
    assert fm.unresolved_rules == (r_unres,)
    assert fm.permitted == space.rule(r_web)
    # disabled unresolved rules are not reported
    off = rule(PERMIT, dst=fqdn, enabled=False)
    assert first_match(space, [off], DENY).unresolved_rules == ()
    # an unresolved rule behind a catch-all is never reached, hence not reported
    assert first_match(space, [rule(DENY), r_unres], DENY).unresolved_rules == ()
    # unresolved names on a condition count too
    cond = rule(PERMIT, conditions=(Match(unresolved=("geo:JP",)),))
    assert first_match(space, [cond], DENY).unresolved_rules == (cond,)
    assert match_contains(Match(unresolved=("x",)), tcp())  # the name itself constrains nothing


# -- set operations -----------------------------------------------------------------------------


def test_issubset_equality_and_hash(space: HeaderSpace) -> None:
    a = space.src([ipaddress.ip_network("10.1.0.0/16")])
    b = space.src([ipaddress.ip_network("10.0.0.0/8")])
    assert a.issubset(b) and not b.issubset(a)
    assert a.issubset(a) and space.empty.issubset(a) and a.issubset(space.all)
    same = space.src([ipaddress.ip_network("10.1.0.0/17"), ipaddress.ip_network("10.1.128.0/17")])
    assert same == a and hash(same) == hash(a)
    assert a != b and a != "not a set"
    assert len({a, same, b}) == 2
    assert (a | b) == b and (a & b) == a and (a - b).is_empty()
    assert (~space.all).is_empty() and (~space.empty).is_full()


# -- witnesses ----------------------------------------------------------------------------------


def test_witness_of_empty_is_none(space: HeaderSpace) -> None:
    assert space.empty.witness() is None
    assert repr(space.empty) == "PacketSet(empty)"


def test_witness_prefers_an_initial_tcp_packet(space: HeaderSpace) -> None:
    w = space.all.witness()
    assert w is not None
    assert w.proto == PROTO_TCP and not w.established
    assert w.sport is not None and 49152 <= w.sport <= 65535
    assert space.all.contains(w)
    assert repr(space.all).startswith("PacketSet(e.g. tcp ")
    # TCP and UDP allowed -> TCP; only established TCP and UDP -> the initial one (UDP)
    tcp_udp = space.services([ServiceMatch(protocol=PROTO_UDP), ServiceMatch(protocol=PROTO_TCP)])
    w2 = tcp_udp.witness()
    assert w2 is not None and w2.proto == PROTO_TCP
    est_or_udp = space.services(
        [ServiceMatch(protocol=PROTO_TCP, established=True), ServiceMatch(protocol=PROTO_UDP)]
    )
    w3 = est_or_udp.witness()
    assert w3 is not None and w3.proto == PROTO_UDP
    only_est = space.services([ServiceMatch(protocol=PROTO_TCP, established=True)])
    w4 = only_est.witness()
    assert w4 is not None and w4.proto == PROTO_TCP and w4.established
    assert only_est.contains(w4)


def test_witness_is_a_member(space: HeaderSpace) -> None:
    sets = [
        space.rule(rule(src=am("10.1.1.0/24"), dst=am("10.2.0.0/16", negate=True))),
        space.rule(rule(src=am("10.1.1.1/32"), dst=am("10.2.2.2/32"))),
        space.rule(rule(src=am("2001:db8::/32"), dst=am("2001:db8:1::1/128"))),
        space.services([ServiceMatch(protocol=PROTO_ICMP, icmp_type=3, icmp_code=13)]),
        space.services([ServiceMatch(protocol=PROTO_ICMPV6, icmp_type=128)]) & space.family(6),
        space.services([ServiceMatch(protocol=PROTO_UDP, src_ports=((123, 123),))]),
        space.services([ServiceMatch(protocol=PROTO_OSPF)]),
        space.services([ServiceMatch(protocol=PROTO_TCP, src_ports=((0, 0),))]),
    ]
    for s in sets:
        w = s.witness()
        assert w is not None and s.contains(w), s
    icmp_w = sets[3].witness()
    assert icmp_w is not None and (icmp_w.icmp_type, icmp_w.icmp_code) == (3, 13)
    assert icmp_w.sport is None and icmp_w.dport is None
    v6 = sets[2].witness()
    assert v6 is not None and v6.src.version == 6 and v6.dst == ip("2001:db8:1::1")
    # a /24 witness avoids the network address (prefers an odd, host-looking address)
    w0 = sets[0].witness()
    assert w0 is not None and w0.src != ip("10.1.1.0")


def test_packet_rendering() -> None:
    p = tcp(dport=443, established=True)
    assert p.to_json() == {
        "proto": "tcp",
        "src": "10.1.1.1",
        "dst": "10.2.2.2",
        "sport": 50000,
        "dport": 443,
        "established": True,
    }
    assert str(p) == "tcp 10.1.1.1:50000 -> 10.2.2.2:443"
    e = icmp(itype=8, code=0)
    assert e.to_json()["icmp_type"] == 8 and "icmp_type" not in udp().to_json()
    assert str(e) == "icmp 10.1.1.1 -> 10.2.2.2 type 8 code 0"
    assert str(other(PROTO_GRE)) == "47 10.1.1.1 -> 10.2.2.2"
    assert protocol_name(PROTO_ICMPV6) == "icmpv6" and protocol_name(132) == "132"


# -- regressions: incoherent services (fixed in 809ae14, found by these tests' first version) -----


def test_ports_on_a_portless_protocol_match_nothing(space: HeaderSpace) -> None:
    """ICMP with ports matches nothing, in the BDD as in evaluate() (it used to match all ICMP)."""
    r = rule(services=(ServiceMatch(protocol=PROTO_ICMP, dst_ports=((80, 80),)),))
    assert not both(space, r, icmp())
    assert space.rule(r).is_empty()


def test_icmp_fields_on_a_non_icmp_protocol_match_nothing(space: HeaderSpace) -> None:
    """TCP with an ICMP type matches nothing, in the BDD as in evaluate()."""
    r = rule(services=(ServiceMatch(protocol=PROTO_TCP, icmp_type=3),))
    assert not both(space, r, tcp())
    assert space.rule(r).is_empty()


def test_dst_as_src(space: HeaderSpace) -> None:
    nets = [ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("2001:db8:1::/48")]
    assert space.dst_as_src(space.dst(nets)) == space.src(nets)
    assert space.dst_as_src(space.dst(nets) & space.family(4)) == space.src(nets[:1])
    assert space.dst_as_src(space.empty).is_empty()
