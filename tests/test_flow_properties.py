"""Property tests: the BDD algebra against set laws and against packet-by-packet evaluation.

DESIGN.md principle 1 ("exact, not sampled") rests on these: for random overlapping rule lists
(tests/strategies.py) the exact packet set computed by :func:`first_match` must agree with the
concrete oracle :func:`evaluate` on every packet we can throw at it, including long lists.
"""

from __future__ import annotations

import ipaddress
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netaudit.flow import HeaderSpace, Packet, PacketSet, evaluate, first_match, rule_matches
from netaudit.model import Action, AddressMatch, Match, Rule, ServiceMatch
from tests import strategies as S

# One space for the whole module: spaces are pure factories and the caches make tests faster.
SPACE = HeaderSpace()
PERMIT = Action.PERMIT

# Draws that build BDDs are not "slow data generation"; a fixed space is shared on purpose.
DEFAULT = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# For the tests that evaluate whole rule lists per example (keeps the module under ~45 s).
LISTS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def packet_sets(draw: st.DrawFn) -> PacketSet:
    """A packet set built from a rule, a service list, a network or a packet, combined."""
    kind = draw(st.sampled_from(["rule", "services", "src", "dst", "packet", "initial"]))
    if kind == "rule":
        s = SPACE.rule(draw(S.rules()))
    elif kind == "services":
        s = SPACE.services(draw(st.lists(S.services(), max_size=3)))
    elif kind == "src":
        s = SPACE.src(draw(st.lists(S.networks(), max_size=3)))
    elif kind == "dst":
        s = SPACE.dst(draw(st.lists(S.networks(), max_size=3)))
    elif kind == "packet":
        s = SPACE.packet(draw(S.packets()))
    else:
        s = SPACE.initial()
    if draw(st.booleans()):
        s = ~s
    return s


# -- set laws ---------------------------------------------------------------------------------


@DEFAULT
@given(packet_sets(), packet_sets(), packet_sets())
def test_set_laws(a: PacketSet, b: PacketSet, c: PacketSet) -> None:
    assert a | b == b | a and a & b == b & a
    assert (a | b) | c == a | (b | c) and (a & b) & c == a & (b & c)
    assert a & (b | c) == (a & b) | (a & c)
    assert ~(a | b) == ~a & ~b and ~(a & b) == ~a | ~b  # De Morgan
    assert ~~a == a
    assert ((a - b) & b).is_empty()
    assert (a & b) | (a - b) == a
    assert a - b == a & ~b
    assert (a & b).issubset(a) and a.issubset(a | b)
    assert (a - b).issubset(a)
    assert a.issubset(b) == (a | b == b) == (a & b == a)
    assert (a | ~a).is_full() and (a & ~a).is_empty()
    assert (a == b) == (a.issubset(b) and b.issubset(a))


@DEFAULT
@given(packet_sets(), packet_sets(), S.packets())
def test_membership_follows_the_operators(a: PacketSet, b: PacketSet, p: Packet) -> None:
    # A well-formed packet is a "point": it is in exactly one of a set and its complement.
    in_a, in_b = a.contains(p), b.contains(p)
    assert (~a).contains(p) is (not in_a)
    assert (a | b).contains(p) is (in_a or in_b)
    assert (a & b).contains(p) is (in_a and in_b)
    assert (a - b).contains(p) is (in_a and not in_b)


@DEFAULT
@given(packet_sets())
def test_witness_is_a_member(a: PacketSet) -> None:
    w = a.witness()
    assert (w is None) == a.is_empty()
    if w is not None:
        assert a.contains(w)
        assert SPACE.packet(w).issubset(a)  # the whole "point" is inside, not just part of it
        if not (a & SPACE.initial()).is_empty():
            assert SPACE.initial().contains(w)


@DEFAULT
@given(S.packets())
def test_packet_singleton(p: Packet) -> None:
    s = SPACE.packet(p)
    assert s.contains(p)
    w = s.witness()
    assert w == p
    assert s.issubset(SPACE.family(p.src.version))


# -- BDD against the oracle -------------------------------------------------------------------


@DEFAULT
@given(S.rules(), S.packets())
def test_rule_set_agrees_with_rule_matches(r: Rule, p: Packet) -> None:
    assert SPACE.rule(r).contains(p) == rule_matches(r, p)


@DEFAULT
@given(S.address_matches(version=4, negate=False), S.packets())
def test_ipv4_addresses_never_match_ipv6_packets(a: AddressMatch, p: Packet) -> None:
    m = Match(src=a, dst=a)
    if p.src.version == 6:
        assert not SPACE.match(m).contains(p)
    assert SPACE.match(m).issubset(SPACE.family(4))


@DEFAULT
@given(S.address_matches(version=6, negate=False))
def test_ipv6_addresses_never_match_ipv4_packets(a: AddressMatch) -> None:
    assert SPACE.match(Match(src=a)).issubset(SPACE.family(6))
    assert SPACE.match(Match(dst=a)).issubset(SPACE.family(6))


@DEFAULT
@given(S.services(coherent=False), st.lists(S.packets(), min_size=1, max_size=5))
def test_services_agree_with_oracle(svc: ServiceMatch, pkts: list[Packet]) -> None:
    r = Rule(action=PERMIT, match=Match(services=(svc,)), span=S.SPAN)
    s = SPACE.services([svc])
    for p in pkts:
        assert s.contains(p) == rule_matches(r, p)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    S.rule_lists(max_size=12),
    st.sampled_from(Action),
    st.lists(S.packets(), min_size=1, max_size=20),
)
def test_first_match_agrees_with_evaluate(
    rules: list[Rule], default: Action, pkts: list[Packet]
) -> None:
    fm = first_match(SPACE, rules, default)
    assert (fm.permitted & fm.denied).is_empty() and (fm.permitted | fm.denied).is_full()
    for p in pkts:
        action, decider = evaluate(rules, default, p)
        assert fm.permitted.contains(p) == (action is PERMIT), (p, decider)
        assert fm.denied.contains(p) == (action is Action.DENY)
    w = fm.permitted.witness()
    if w is not None:
        assert evaluate(rules, default, w)[0] is PERMIT
    wd = fm.denied.witness()
    if wd is not None:
        assert evaluate(rules, default, wd)[0] is Action.DENY
    expected_unresolved = [r for r in rules if r.enabled and r.unresolved]
    assert set(map(id, fm.unresolved_rules)) <= set(map(id, expected_unresolved))


@LISTS
@given(
    S.rule_lists(max_size=10),
    st.sampled_from(Action),
    packet_sets(),
    st.lists(S.packets(), min_size=1, max_size=10),
)
def test_within_agrees(
    rules: list[Rule], default: Action, within: PacketSet, pkts: list[Packet]
) -> None:
    full = first_match(SPACE, rules, default)
    fm = first_match(SPACE, rules, default, within=within)
    assert (fm.permitted | fm.denied) == within
    assert (fm.permitted & fm.denied).is_empty()
    assert fm.permitted == full.permitted & within
    assert fm.denied == full.denied & within
    for p in pkts:
        if within.contains(p):
            assert fm.permitted.contains(p) == (evaluate(rules, default, p)[0] is PERMIT)
        else:
            assert not fm.permitted.contains(p) and not fm.denied.contains(p)


@LISTS
@given(
    S.address_matches(version=4, negate=False),
    S.address_matches(version=4, negate=False),
    S.rule_lists(max_size=10),
    st.lists(S.packets(version=4), min_size=1, max_size=10),
)
def test_zone_pair_question(
    za: AddressMatch, zb: AddressMatch, rules: list[Rule], pkts: list[Packet]
) -> None:
    """The question the engine asks: which packets from zone A to zone B does the ACL let through."""
    q = SPACE.src(za.networks) & SPACE.dst(zb.networks)
    fm = first_match(SPACE, rules, Action.DENY, within=q)
    for p in pkts:
        in_q = any(p.src in n for n in za.networks) and any(p.dst in n for n in zb.networks)
        allowed = in_q and evaluate(rules, Action.DENY, p)[0] is PERMIT
        assert fm.permitted.contains(p) == allowed


# -- long lists ----------------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(0, 2**32 - 1), st.sampled_from(Action))
def test_ten_thousand_rules(seed: int, default: Action) -> None:
    """10,000 overlapping rules, 2,000 packets aimed at their networks, in a fresh space."""
    rng = random.Random(seed)
    rules = S.random_rules(rng, 10_000)
    pkts = S.random_packets(rng, rules, 2_000)
    space = HeaderSpace()
    fm = first_match(space, rules, default)
    outcomes = {True: 0, False: 0}
    for p in pkts:
        action, _ = evaluate(rules, default, p)
        assert fm.permitted.contains(p) == (action is PERMIT), p
        outcomes[action is PERMIT] += 1
    # the packet generator must exercise both outcomes, or the test proves little
    assert outcomes[True] > 0 and outcomes[False] > 0, outcomes
    w = fm.permitted.witness()
    assert w is None or evaluate(rules, default, w)[0] is PERMIT
    # a zone-pair question over the same list agrees with the full answer
    zone_a = space.src([ipaddress.ip_network("10.0.0.0/9")])
    zone_b = space.dst([ipaddress.ip_network("10.128.0.0/9")])
    q = zone_a & zone_b
    assert first_match(space, rules, default, within=q).permitted == fm.permitted & q
