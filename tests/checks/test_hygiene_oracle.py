"""Rule hygiene line analysis against a naive exact oracle (random small rule lists).

The oracle knows nothing of indexes, witnesses or greedy covers: a line is unreachable when
its set minus the union of every earlier enabled line (that applies on the same interface
pair) is empty, and redundant when first-match over all lines with and without it permits
the same packets on every interface pair.
"""

from __future__ import annotations

import ipaddress
import random

import pytest

from checks._hygiene_lines import LineAnalyzer, is_synthetic
from netaudit.flow import HeaderSpace, first_match
from netaudit.model import (
    PROTO_TCP,
    PROTO_UDP,
    Action,
    AddressMatch,
    Filter,
    FilterKind,
    Match,
    Rule,
    ServiceMatch,
    SourceSpan,
)

NETS = [
    "10.0.0.0/8",
    "10.1.0.0/16",
    "10.1.1.0/24",
    "10.1.2.0/24",
    "10.1.1.0/25",
    "10.1.1.128/25",
    "10.2.0.0/16",
    "10.1.1.5/32",
    "0.0.0.0/0",
]
SERVICES = [
    ServiceMatch(),
    ServiceMatch(protocol=PROTO_TCP),
    ServiceMatch(protocol=PROTO_TCP, dst_ports=((443, 443),)),
    ServiceMatch(protocol=PROTO_TCP, dst_ports=((1, 1023),)),
    ServiceMatch(protocol=PROTO_TCP, dst_ports=((1024, 65535),)),
    ServiceMatch(protocol=PROTO_UDP, dst_ports=((53, 53),)),
    ServiceMatch(protocol=PROTO_UDP),
]
IFACES = ["p1", "p2", "p3"]


def _am(rng: random.Random) -> AddressMatch:
    k = rng.choice([1, 1, 1, 2])
    return AddressMatch(networks=tuple(ipaddress.IPv4Network(rng.choice(NETS)) for _ in range(k)))


def _scope(rng: random.Random) -> frozenset[str] | None:
    if rng.random() < 0.4:
        return None
    return frozenset(rng.sample(IFACES, rng.choice([1, 1, 2])))


def random_filter(seed: int, n: int, policy: bool) -> Filter:
    rng = random.Random(seed)
    rules = []
    for i in range(n):
        rules.append(
            Rule(
                action=rng.choice([Action.PERMIT, Action.DENY]),
                match=Match(
                    src=_am(rng),
                    dst=_am(rng),
                    services=tuple(rng.sample(SERVICES, rng.choice([1, 1, 2]))),
                ),
                span=SourceSpan(file="t", line=i + 1, text=f"rule {i}"),
                name=str(i),
                enabled=rng.random() > 0.1,
                in_interfaces=_scope(rng) if policy else None,
                out_interfaces=_scope(rng) if policy else None,
            )
        )
    return Filter(
        name="F",
        kind=FilterKind.POLICY if policy else FilterKind.ACL,
        rules=tuple(rules),
        default_action=rng.choice([Action.PERMIT, Action.DENY]),
        family=4,
    )


def _pairs(policy: bool) -> list[tuple[str | None, str | None]]:
    return [(a, b) for a in IFACES for b in IFACES] if policy else [(None, None)]


def _applies(r: Rule, a: str | None, b: str | None) -> bool:
    return (a is None or r.in_interfaces is None or a in r.in_interfaces) and (
        b is None or r.out_interfaces is None or b in r.out_interfaces
    )


def oracle(space: HeaderSpace, flt: Filter) -> tuple[set[int], set[int]]:
    """(unreachable, redundant) line indexes, the slow and obvious way."""
    fam = space.family(4)
    unreachable: set[int] = set()
    redundant: set[int] = set()
    pairs = _pairs(flt.kind is FilterKind.POLICY)
    for i, r in enumerate(flt.rules):
        if not r.enabled:
            continue
        s = space.rule(r) & fam
        if s.is_empty():
            continue
        mine = [(a, b) for a, b in pairs if _applies(r, a, b)]
        if not mine:
            continue
        covered = True
        same = True
        for a, b in mine:
            earlier = space.empty
            for e in flt.rules[:i]:
                if e.enabled and _applies(e, a, b):
                    earlier = earlier | space.rule(e)
            if not (s - earlier).is_empty():
                covered = False
            live = [x for x in flt.rules if _applies(x, a, b)]
            without = [x for k, x in enumerate(flt.rules) if k != i and _applies(x, a, b)]
            with_ = first_match(space, live, flt.default_action, fam).permitted
            wo = first_match(space, without, flt.default_action, fam).permitted
            if with_ != wo:
                same = False
        if covered:
            unreachable.add(i)
        elif same:
            redundant.add(i)
    return unreachable, redundant


@pytest.mark.parametrize("policy", [False, True], ids=["acl", "policy"])
@pytest.mark.parametrize("seed", range(12))
def test_line_analysis_matches_the_oracle(seed: int, policy: bool) -> None:
    space = HeaderSpace()
    flt = random_filter(seed, 18, policy)
    an = LineAnalyzer(space, flt, interfaces=IFACES)
    got = an.analyse()
    unreachable, redundant = oracle(space, flt)
    assert {u.index for u in got.unreachable} == unreachable
    # The analyser leaves out explicit catch-all defaults (stated on purpose); the oracle
    # does not know that convention.
    exempt = {i for i in redundant if an.is_explicit_default(i) or is_synthetic(flt.rules[i])}
    assert {r.index for r in got.redundant} == redundant - exempt
    for u in got.unreachable:
        # The reported blockers alone cover the line (on every pair it applies to).
        s = an.set_of(u.index)
        for a, b in _pairs(policy):
            if not _applies(u.rule, a, b):
                continue
            cover = space.empty
            for bl in u.blockers:
                if _applies(bl, a, b):
                    cover = cover | space.rule(bl)
            assert s.issubset(cover)
