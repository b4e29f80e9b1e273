"""Rule hygiene (RUL-001…008): focused semantics, per-platform facts, and the checks' output.

The pass/fail fixture folders (``fixtures/RUL-0xx*``) run through the shared harness; here each
verdict-deciding rule of the line analysis gets its own small case, built either from model
objects directly or from a few config lines of a real platform.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import pytest

from checks._hygiene_lines import LineAnalyzer
from checks.base import CheckContext
from checks.hygiene import (
    AnyAnyPermit,
    CrossZoneNoLog,
    DisabledCrossZone,
    RedundantLine,
    UndefinedObject,
    UnreachableLine,
    UnusedFilter,
    UnusedObject,
    filter_usage,
)
from netaudit.flow import HeaderSpace, Packet, evaluate
from netaudit.model import (
    PROTO_TCP,
    Action,
    AddressMatch,
    Filter,
    FilterKind,
    Match,
    Rule,
    ServiceMatch,
    SourceSpan,
)
from netaudit.parsers import parse_text
from netaudit.policy import load_policy
from netaudit.reach import analyze
from netaudit.result import Finding, Severity, Status

FIXTURES = Path(__file__).parent / "fixtures"
POLICY = FIXTURES / "RUL-001" / "policy.yaml"


def _net(text: str) -> AddressMatch:
    return AddressMatch(networks=(ipaddress.ip_network(text),))


def _rule(
    n: int,
    action: Action,
    src: str,
    dst: str = "10.20.20.30/32",
    port: int | tuple[int, int] | None = 443,
    *,
    enabled: bool = True,
    log: bool = False,
    ins: frozenset[str] | None = None,
    outs: frozenset[str] | None = None,
    unresolved: tuple[str, ...] = (),
) -> Rule:
    rng = None if port is None else ((port, port) if isinstance(port, int) else port)
    svc = ServiceMatch(protocol=PROTO_TCP, dst_ports=None if rng is None else (rng,))
    src_am = AddressMatch(
        networks=(ipaddress.ip_network(src),) if src else (), unresolved=unresolved
    )
    return Rule(
        action=action,
        match=Match(src=src_am, dst=_net(dst), services=(svc,)),
        span=SourceSpan(file="t.cfg", line=n, text=f"line {n}"),
        name=str(n),
        enabled=enabled,
        log=log,
        in_interfaces=ins,
        out_interfaces=outs,
    )


def _acl(*rules: Rule, default: Action = Action.DENY, kind: FilterKind = FilterKind.ACL) -> Filter:
    return Filter(name="F", kind=kind, rules=rules, default_action=default, family=4)


P, D = Action.PERMIT, Action.DENY


# -- the line analysis -------------------------------------------------------------------------


def test_shadowed_by_a_combination_of_two_earlier_lines(space: HeaderSpace) -> None:
    """Neither /25 covers the /24 alone; together they do, and both are named."""
    flt = _acl(
        _rule(10, P, "10.10.11.0/25"),
        _rule(20, P, "10.10.11.128/25"),
        _rule(30, D, "10.10.11.0/24"),
    )
    got = LineAnalyzer(space, flt).analyse()
    assert [u.rule.name for u in got.unreachable] == ["30"]
    u = got.unreachable[0]
    assert [b.name for b in u.blockers] == ["10", "20"]
    assert u.action_differs


def test_partial_overlap_is_not_shadowing(space: HeaderSpace) -> None:
    """The /24 is only half covered: reachable, and a packet proves it."""
    flt = _acl(_rule(10, P, "10.10.11.0/25"), _rule(20, D, "10.10.11.0/24"))
    got = LineAnalyzer(space, flt).analyse()
    assert got.unreachable == []
    p = Packet(
        proto=PROTO_TCP,
        src=ipaddress.ip_address("10.10.11.200"),
        dst=ipaddress.ip_address("10.20.20.30"),
        sport=50000,
        dport=443,
    )
    assert evaluate(flt.rules, flt.default_action, p)[1] is flt.rules[1]


def test_same_action_shadowing_is_low_and_different_action_medium(space: HeaderSpace) -> None:
    same = LineAnalyzer(space, _acl(_rule(10, P, "10.10.0.0/16"), _rule(20, P, "10.10.11.5/32")))
    diff = LineAnalyzer(space, _acl(_rule(10, P, "10.10.0.0/16"), _rule(20, D, "10.10.11.5/32")))
    assert [u.action_differs for u in same.analyse().unreachable] == [False]
    assert [u.action_differs for u in diff.analyse().unreachable] == [True]


def test_minimal_blockers_drop_lines_that_are_not_needed(space: HeaderSpace) -> None:
    """A narrow earlier line that the broad one already covers is not reported as a blocker."""
    flt = _acl(
        _rule(10, P, "10.10.11.5/32"),
        _rule(20, P, "10.10.0.0/16"),
        _rule(30, D, "10.10.11.0/24"),
    )
    (u,) = LineAnalyzer(space, flt).analyse().unreachable
    assert [b.name for b in u.blockers] == ["20"]


def test_redundant_versus_unreachable(space: HeaderSpace) -> None:
    """10 is reached but later 20 decides its packets the same way: redundant, not shadowed."""
    flt = _acl(_rule(10, P, "10.10.11.5/32"), _rule(20, P, "10.10.11.0/24"))
    got = LineAnalyzer(space, flt).analyse()
    assert got.unreachable == []
    assert [(r.rule.name, r.decided_by.name if r.decided_by else None) for r in got.redundant] == [
        ("10", "20")
    ]


def test_a_line_the_default_would_treat_alike_is_redundant_unless_it_logs(
    space: HeaderSpace,
) -> None:
    quiet = _acl(_rule(10, D, "10.10.11.5/32"), _rule(20, P, "10.30.0.0/16"))
    logged = _acl(_rule(10, D, "10.10.11.5/32", log=True), _rule(20, P, "10.30.0.0/16"))
    red = LineAnalyzer(space, quiet).analyse().redundant
    assert [(r.rule.name, r.decided_by) for r in red] == [("10", None)]
    assert LineAnalyzer(space, logged).analyse().redundant == []


def test_a_line_needed_for_its_action_is_not_redundant(space: HeaderSpace) -> None:
    """Without 10 its host would be denied by 20; 20 itself only repeats the default."""
    flt = _acl(_rule(10, P, "10.10.11.5/32"), _rule(20, D, "10.10.11.0/24"))
    assert [r.rule.name for r in LineAnalyzer(space, flt).analyse().redundant] == ["20"]


def test_explicit_catch_all_default_is_not_redundant(space: HeaderSpace) -> None:
    """``deny ip any any`` at the end states the default on purpose."""
    catch_all = Rule(
        action=D,
        match=Match(src=_net("0.0.0.0/0"), dst=_net("0.0.0.0/0")),
        span=SourceSpan(file="t.cfg", line=99, text="deny ip any any"),
        name="99",
    )
    flt = _acl(_rule(10, P, "10.10.11.0/24"), catch_all)
    an = LineAnalyzer(space, flt)
    assert an.is_explicit_default(1)
    assert an.analyse().redundant == []


def test_disabled_lines_neither_block_nor_are_reported(space: HeaderSpace) -> None:
    flt = _acl(
        _rule(10, P, "10.10.0.0/16", enabled=False),
        _rule(20, D, "10.10.11.5/32"),
        _rule(30, P, "10.10.11.5/32", enabled=False),
    )
    got = LineAnalyzer(space, flt).analyse()
    assert got.unreachable == []


def test_policy_scope_only_rules_applying_everywhere_block(space: HeaderSpace) -> None:
    """Rule 20 applies on p1→p2 and p3→p2; rule 10 covers it only on p1→p2."""
    p1, p2, p3 = frozenset({"p1"}), frozenset({"p2"}), frozenset({"p3"})
    flt = _acl(
        _rule(10, P, "10.10.0.0/16", ins=p1, outs=p2),
        _rule(20, D, "10.10.11.5/32", ins=p1 | p3, outs=p2),
        _rule(30, D, "10.10.11.5/32", ins=p1, outs=p2),
        kind=FilterKind.POLICY,
    )
    got = LineAnalyzer(space, flt, interfaces=["p1", "p2", "p3"]).analyse()
    assert [u.rule.name for u in got.unreachable] == ["30"]
    assert [b.name for b in got.unreachable[0].blockers] == ["10"]


def test_unresolved_line_is_uncertain_and_unresolved_blockers_still_block(
    space: HeaderSpace,
) -> None:
    """An FQDN source: the resolved part of the line may be covered, the rest is unknown."""
    flt = _acl(
        _rule(10, P, "10.10.0.0/16"),
        _rule(20, D, "10.10.11.5/32", unresolved=("fqdn update.example.jp",)),
        _rule(30, P, "10.20.0.0/16", unresolved=("OLD-GROUP",)),
        _rule(40, P, "10.20.1.0/24"),
    )
    got = {u.rule.name: u for u in LineAnalyzer(space, flt).analyse().unreachable}
    assert got["20"].uncertain
    assert not got["40"].uncertain and [b.name for b in got["40"].blockers] == ["30"]


def test_enabling_reports_only_new_packets(space: HeaderSpace) -> None:
    """A disabled permit inside an enabled permit opens nothing; outside it, it does."""
    inside = _acl(_rule(10, P, "10.10.0.0/16"), _rule(20, P, "10.10.11.0/24", enabled=False))
    outside = _acl(_rule(10, P, "10.10.0.0/16"), _rule(20, P, "10.30.11.0/24", enabled=False))
    assert LineAnalyzer(space, inside).enabling(1, space.all) is None
    en = LineAnalyzer(space, outside).enabling(1, space.all)
    assert en is not None and en.opened == space.rule(outside.rules[1])


# -- the checks on parsed configs --------------------------------------------------------------


def _run(check: object, *configs: tuple[str, str], platform: str | None = None) -> list[Finding]:
    """Run one hygiene check over configs given as (name, text)."""
    space = HeaderSpace()
    devices = [
        parse_text(text, source=f"{name}.cfg", name=name, platform=platform)
        for name, text in configs
    ]
    analysis = analyze(space, devices, load_policy(POLICY))
    ctx = CheckContext(analysis=analysis, today=dt.date(2026, 1, 15))
    return list(check.run(ctx))  # type: ignore[attr-defined]


IOS_SHADOW = """hostname r1
interface GigabitEthernet0/0
 ip address 10.10.255.1 255.255.255.252
 ip access-group MYN-OUT in
interface GigabitEthernet0/1
 ip address 10.20.255.1 255.255.255.252
ip access-list extended MYN-OUT
 10 permit tcp 10.10.11.0 0.0.0.127 host 10.20.20.30 eq 443
 20 permit tcp 10.10.11.128 0.0.0.127 host 10.20.20.30 eq 443 log
 30 deny tcp 10.10.11.0 0.0.0.255 host 10.20.20.30 eq 443 log
 40 deny ip any any log
ip access-list extended SPARE
 10 permit ip any any
end
"""


def test_unreachable_finding_names_the_line_and_its_blockers() -> None:
    (f,) = _run(UnreachableLine(), ("r1", IOS_SHADOW))
    assert f.status is Status.FAIL and f.severity is Severity.MEDIUM
    assert [(e.line, e.role) for e in f.evidence] == [
        (10, "unreachable line"),
        (8, "blocked by (permit)"),
        (9, "blocked by (permit)"),
    ]
    assert "30" in f.message.en and "10, 20" in f.message.en
    assert f.message.ja != f.message.en


def test_fingerprints_do_not_depend_on_line_numbers() -> None:
    before = _run(UnreachableLine(), ("r1", IOS_SHADOW))
    after = _run(UnreachableLine(), ("r1", "!\n!\n" + IOS_SHADOW))
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]
    assert [e.line + 2 for e in before[0].evidence] == [e.line for e in after[0].evidence]


def test_unbound_filter_is_reported_and_an_unbound_any_any_is_not() -> None:
    """SPARE is dead config (RUL-006); its permit any any opens nothing (no RUL-003)."""
    (f,) = _run(UnusedFilter(), ("r1", IOS_SHADOW))
    assert "SPARE" in f.message.en and f.evidence[0].line == 12
    assert _run(AnyAnyPermit(), ("r1", IOS_SHADOW)) == []


def test_cross_zone_permit_without_log() -> None:
    (f,) = _run(CrossZoneNoLog(), ("r1", IOS_SHADOW))
    assert f.evidence[0].line == 8 and f.policy_ref is not None


def test_redundant_check_skips_unreachable_lines() -> None:
    """Line 30 is RUL-001's; RUL-002 does not repeat it."""
    assert _run(RedundantLine(), ("r1", IOS_SHADOW)) == []


def test_no_log_facts_is_not_applicable_not_pass() -> None:
    nec = """hostname ix1
ip access-list MYN-OUT permit ip src 10.10.0.0/16 dest 10.20.0.0/16
interface GigaEthernet0.0
  ip address 10.10.255.1/30
  ip filter MYN-OUT 10 in
  no shutdown
interface GigaEthernet1.0
  ip address 10.20.255.1/30
  no shutdown
"""
    (f,) = _run(CrossZoneNoLog(), ("ix1", nec), platform="nec_ix")
    assert f.status is Status.NOT_APPLICABLE and "nec_ix" in f.message.en


YAMAHA = """ip lan1 address 10.10.255.2/30
ip lan1 secure filter in 10 99
ip lan2 address 10.20.255.1/30
ip filter 10 pass 10.10.11.20 198.51.100.10 tcp * https
ip filter 99 reject * * * * *
ip filter 500 pass * * * * *
"""


def test_yamaha_filters_in_a_secure_filter_list_are_used() -> None:
    dev = parse_text(YAMAHA, source="rtx.cfg", name="rtx", platform="yamaha")
    usage = filter_usage(dev)
    assert usage["ip filter 10"] == "composite" and usage["ip filter 99"] == "composite"
    assert "ip filter 500" not in usage
    (f,) = _run(UnusedFilter(), ("rtx", YAMAHA), platform="yamaha")
    assert "500" in f.message.en


def test_management_acl_counts_as_used() -> None:
    cfg = """hostname sw1
ip access-list standard MGMT
 permit 10.99.0.0 0.0.0.255
line vty 0 4
 access-class MGMT in
 transport input ssh
end
"""
    assert _run(UnusedFilter(), ("sw1", cfg)) == []


def test_disabled_fortigate_policy_opening_a_zone_pair() -> None:
    cfg = (FIXTURES / "RUL-005" / "fail_fgt_disabled_all.conf").read_text(encoding="utf-8")
    (f,) = _run(DisabledCrossZone(), ("fw", cfg))
    assert f.severity is Severity.INFO
    assert "internet→lgwan" in f.message.en and "mynumber" not in f.message.en


def test_object_tables_per_platform() -> None:
    """IOS, FortiGate, PAN-OS and Junos report unused objects; without the fact it is n/a."""
    ios = (FIXTURES / "RUL-007" / "fail_unused_group.cfg").read_text(encoding="utf-8")
    fgt = (FIXTURES / "RUL-007-fortinet" / "fail_fgt_unused_address.conf").read_text(
        encoding="utf-8"
    )
    pan = (FIXTURES / "RUL-007-paloalto" / "fail_pa_unused_address.txt").read_text(encoding="utf-8")
    found = _run(UnusedObject(), ("ios", ios), ("fgt", fgt), ("pan", pan))
    assert {(f.device, f.message.en.split()[-4]) for f in found} == {
        ("ios", "OG-OLD-SERVERS"),
        ("fgt", "MYN-NET"),
        ("pan", "MYN-NET"),
    }
    junos = (FIXTURES / "RUL-007-junos" / "fail_srx_unused.conf").read_text(encoding="utf-8")
    (srx,) = _run(UnusedObject(), ("srx", junos))
    assert "OLD-PRINTER" in srx.message.en
    linux = (FIXTURES / "RUL-001-linux" / "pass_nf_ordered.txt").read_text(encoding="utf-8")
    (na,) = _run(UnusedObject(), ("nf", linux))
    assert na.status is Status.NOT_APPLICABLE


def test_undefined_objects_from_parser_warnings() -> None:
    ios = (FIXTURES / "RUL-008" / "fail_undefined_group.cfg").read_text(encoding="utf-8")
    (f,) = _run(UndefinedObject(), ("ios", ios))
    assert "OG-ELTAX" in f.message.en and f.evidence[0].line == 17


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("RUL-001-junos", "fail_srx_shadow.conf"),
        ("RUL-001-linux", "fail_nf_shadow.txt"),
        ("RUL-001-paloalto", "fail_pa_shadow.txt"),
        ("RUL-001-yamaha", "fail_rtx_shadow.cfg"),
        ("RUL-001-fortinet", "fail_fgt_shadow.conf"),
    ],
)
def test_unreachable_on_every_platform_is_a_different_action(folder: str, name: str) -> None:
    """Each platform's shadowed deny behind a broader permit is found, at medium severity."""
    text = (FIXTURES / folder / name).read_text(encoding="utf-8")
    (f,) = _run(UnreachableLine(), (Path(name).stem, text))
    assert f.severity is Severity.MEDIUM and len(f.evidence) == 2


def test_yamaha_placeholders_and_approximations_are_not_definite() -> None:
    """An undefined filter number is RUL-008's, not an any/any permit; TCP flags are unknown."""
    cfg = """ip lan1 address 10.10.255.2/30
ip lan1 secure filter in 10 11 77 99
ip lan2 address 10.20.255.1/30
ip filter 10 reject * * tcpfin * www
ip filter 11 reject * * tcprst * www
ip filter 99 pass-log * * * * *
"""
    assert _run(AnyAnyPermit(), ("rtx", cfg), platform="yamaha")[0].evidence[0].line == 6
    (u,) = _run(UnreachableLine(), ("rtx", cfg), platform="yamaha")
    assert u.status is Status.UNKNOWN and u.evidence[0].line == 5
    (d,) = _run(UndefinedObject(), ("rtx", cfg), platform="yamaha")
    assert "77" in d.message.en
