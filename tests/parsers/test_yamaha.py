"""Yamaha RTX/NVR parser: golden model, filter semantics through the flow algebra, bad input."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netaudit.flow import HeaderSpace, Packet, evaluate, first_match
from netaudit.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Action,
    CredentialStorage,
    DeviceConfig,
    Direction,
    InterfaceKind,
    NatKind,
    Rule,
)
from netaudit.parsers import yamaha
from netaudit.parsers.base import decode
from netaudit.serialize import to_data
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "yamaha"
IOS_SAMPLE = """\
hostname core1
interface GigabitEthernet0/1
 ip address 10.0.0.1 255.255.255.0
 ip access-group 101 in
access-list 101 permit tcp any any eq 443
"""


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def branch() -> DeviceConfig:
    return yamaha.parse(_fixture("branch_rtx1210.cfg"), source="branch_rtx1210.cfg")


def _ip(a: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(a)


def _tcp(src: str, dst: str, dport: int, *, established: bool = False) -> Packet:
    return Packet(
        proto=PROTO_TCP,
        src=_ip(src),
        dst=_ip(dst),
        sport=50000,
        dport=dport,
        established=established,
    )


def _udp(src: str, dst: str, dport: int) -> Packet:
    return Packet(proto=PROTO_UDP, src=_ip(src), dst=_ip(dst), sport=50000, dport=dport)


def _bound(dev: DeviceConfig, iface: str, direction: Direction) -> tuple[Rule, ...]:
    (binding,) = dev.bound(iface, direction)
    flt = dev.filter(binding.filter)
    assert flt is not None
    assert flt.default_action is Action.DENY and flt.default_span is None
    return flt.rules


def test_golden(branch: DeviceConfig) -> None:
    assert_golden("yamaha/branch_rtx1210.json", to_data(branch))


def test_detect() -> None:
    assert yamaha.detect(_fixture("branch_rtx1210.cfg")) >= 90
    assert yamaha.detect(IOS_SAMPLE) == 0
    assert yamaha.detect("") == 0


def test_secure_filter_order_is_list_order_not_numeric(
    branch: DeviceConfig, space: HeaderSpace
) -> None:
    rules = _bound(branch, "lan2", Direction.IN)
    assert [r.name for r in rules[:3]] == ["2001", "2000", "2002"]
    # A private source reaching ssh on the router: 2001 (pass) is listed before 2000 (reject).
    pkt = _tcp("10.1.2.3", "192.0.2.2", 22)
    action, rule = evaluate(rules, Action.DENY, pkt)
    assert action is Action.PERMIT and rule is not None and rule.name == "2001"
    numeric = sorted(rules[:-1], key=lambda r: int(r.name))
    assert evaluate(numeric, Action.DENY, pkt)[0] is Action.DENY
    fm = first_match(space, rules, Action.DENY)
    assert fm.permitted.contains(pkt)


def test_implicit_reject_only_when_a_list_is_bound(space: HeaderSpace) -> None:
    text = "\n".join(
        [
            "ip lan1 address 10.0.0.1/24",
            "ip lan2 address 10.0.1.1/24",
            "ip filter 1 pass * * tcp * www",
            "ip lan1 secure filter in 1",
        ]
    )
    dev = yamaha.parse(text, source="t")
    assert dev.bound("lan2", Direction.IN) == ()
    assert dev.bound("lan1", Direction.OUT) == ()
    rules = _bound(dev, "lan1", Direction.IN)
    fm = first_match(space, rules, Action.DENY)
    assert fm.permitted.contains(_tcp("10.0.0.5", "10.9.9.9", 80))
    assert not fm.permitted.contains(_udp("10.0.0.5", "10.9.9.9", 53))
    assert evaluate(rules, Action.DENY, _udp("10.0.0.5", "10.9.9.9", 53)) == (Action.DENY, None)


def test_other_family_passes_when_only_ipv4_list_is_bound(branch: DeviceConfig) -> None:
    rules = _bound(branch, "lan1", Direction.IN)
    v6 = _tcp("2001:db8:20:1::5", "2001:db8:ffff::1", 23)
    action, rule = evaluate(rules, Action.DENY, v6)
    assert action is Action.PERMIT and rule is not None and "synthetic" in rule.extras
    v4 = _tcp("10.20.1.5", "198.51.100.7", 23)
    action, rule = evaluate(rules, Action.DENY, v4)
    assert action is Action.DENY and rule is not None and rule.name == "1011"


def test_restrict_is_treated_as_pass(branch: DeviceConfig) -> None:
    rules = _bound(branch, "lan2", Direction.IN)
    rule = next(r for r in rules if r.name == "2010")
    assert rule.action is Action.PERMIT
    assert rule.extras["yamaha_action"] == "restrict"
    # tcpfin is modelled as established-session TCP: it cannot open a connection.
    fin = _tcp("198.51.100.9", "10.20.1.10", 80, established=True)
    assert evaluate(rules, Action.DENY, fin)[1] is rule
    assert evaluate(rules[:4], Action.DENY, _tcp("198.51.100.9", "10.20.1.10", 80))[1] is None


def test_logging_follows_the_action_keyword(branch: DeviceConfig) -> None:
    by_name = {r.name: r for f in branch.filters for r in f.rules}
    assert by_name["1011"].log is True  # reject logs what it drops
    assert by_name["1010"].log is False  # pass does not log
    assert by_name["1012"].log is True  # pass-log
    assert by_name["1099"].log is False  # reject-nolog


def test_dynamic_filters_make_the_list_stateful(branch: DeviceConfig, space: HeaderSpace) -> None:
    (out_binding,) = branch.bound("lan2", Direction.OUT)
    out = branch.filter(out_binding.filter)
    assert out is not None and out.stateful
    dyn = [r for r in out.rules if r.extras.get("dynamic")]
    assert [r.name for r in dyn] == ["dynamic 2080", "dynamic 2081", "dynamic 2082"]
    assert dyn[1].log is True  # syslog=on
    (in_binding,) = branch.bound("lan2", Direction.IN)
    in_filter = branch.filter(in_binding.filter)
    assert in_filter is not None and not in_filter.stateful
    # Outbound NetBIOS is rejected by 2020 before any dynamic filter is looked at.
    fm = first_match(space, out.rules, Action.DENY)
    assert not fm.permitted.contains(_udp("10.20.1.5", "198.51.100.1", 137))
    assert fm.permitted.contains(_tcp("10.20.1.5", "198.51.100.1", 443))


def test_dynamic_only_list_passes_what_the_dynamic_filter_names(space: HeaderSpace) -> None:
    text = "\n".join(
        [
            "ip filter 10 reject * * udp * 137",
            "ip filter dynamic 20 * * www",
            "ip lan2 secure filter out 10 dynamic 20",
        ]
    )
    dev = yamaha.parse(text, source="t")
    rules = _bound(dev, "lan2", Direction.OUT)
    fm = first_match(space, rules, Action.DENY)
    assert fm.permitted.contains(_tcp("10.0.0.1", "198.51.100.1", 443))
    assert not fm.permitted.contains(_tcp("10.0.0.1", "198.51.100.1", 25))
    flt = dev.filter(dev.bound("lan2", Direction.OUT)[0].filter)
    assert flt is not None and flt.stateful


def test_filter_bound_nowhere_has_no_effect(branch: DeviceConfig, space: HeaderSpace) -> None:
    # ip filter 9000 passes everything to 10.20.30.0/24 but no secure filter list names it.
    defined = branch.filter("ip filter 9000")
    assert defined is not None
    assert not any(b.filter == "ip filter 9000" for b in branch.bindings)
    assert all(
        "9000" not in [r.name for r in branch.filter(b.filter).rules]  # type: ignore[union-attr]
        for b in branch.bindings
    )
    rules = _bound(branch, "lan1/1", Direction.OUT)
    fm = first_match(space, rules, Action.DENY, within=space.initial())
    assert not fm.permitted.contains(_tcp("10.1.1.1", "10.20.30.5", 445))


def test_tcpsyn_matches_only_connection_opening_segments(branch: DeviceConfig) -> None:
    rules = _bound(branch, "tunnel1", Direction.IN)
    assert evaluate(rules, Action.DENY, _tcp("10.1.1.1", "10.20.1.10", 443))[0] is Action.PERMIT
    est = _tcp("10.1.1.1", "10.20.1.10", 443, established=True)
    action, rule = evaluate(rules, Action.DENY, est)
    assert action is Action.DENY and rule is not None and rule.name == "4099"


def test_icmp_type_in_port_field(branch: DeviceConfig) -> None:
    rule = next(r for f in branch.filters for r in f.rules if r.name == "2011")
    (svc,) = rule.match.services
    assert (svc.protocol, svc.icmp_type, svc.icmp_code) == (PROTO_ICMP, 8, None)


def test_addresses_ports_and_names(branch: DeviceConfig) -> None:
    by_name = {r.name: r for f in branch.filters for r in f.rules}
    r1012 = by_name["1012"]
    assert [str(n) for n in r1012.match.src.networks] == [
        "10.20.1.10/31",
        "10.20.1.12/30",
        "10.20.1.16/30",
        "10.20.1.20/32",
    ]
    assert r1012.match.services[0].dst_ports == ((53, 53), (123, 123))
    assert by_name["2020"].match.services[0].dst_ports == ((137, 139),)
    assert len(by_name["2000"].match.src.networks) == 3


def test_interfaces(branch: DeviceConfig) -> None:
    lan1 = branch.interface("lan1")
    assert lan1 is not None
    assert [str(a) for a in lan1.addresses] == [
        "10.20.1.1/24",
        "10.20.9.1/24",
        "2001:db8:20:1::1/64",
    ]
    assert lan1.description == "西支所 庁内LAN (LGWAN接続系)"
    vlan = branch.interface("lan1/1")
    assert vlan is not None and vlan.kind is InterfaceKind.SUBINTERFACE
    assert (vlan.vlan, vlan.parent, vlan.description) == (30, "lan1", "マイナンバー利用事務系")
    pp1 = branch.interface("pp1")
    assert pp1 is not None and pp1.kind is InterfaceKind.PPP
    assert pp1.description == "予備回線 PPPoE"
    tun = branch.interface("tunnel1")
    assert tun is not None and tun.kind is InterfaceKind.TUNNEL
    assert [str(a) for a in tun.addresses] == ["172.16.0.2/30"]
    assert tun.description == "LGWAN 本庁接続"


def test_routes(branch: DeviceConfig) -> None:
    got = {(str(r.prefix), str(r.next_hop), r.interface, r.discard) for r in branch.routes}
    assert got == {
        ("0.0.0.0/0", "192.0.2.1", None, False),
        ("10.0.0.0/8", "None", "tunnel1", False),
        ("203.0.113.0/24", "None", "pp1", False),
        ("198.18.0.0/15", "None", None, True),
        ("10.99.0.0/16", "10.20.1.254", None, False),
    }


def test_nat(branch: DeviceConfig) -> None:
    by_kind = {(n.kind, n.name): n for n in branch.nat}
    masq = by_kind[(NatKind.SOURCE, "nat descriptor 1")]
    assert masq.out_interfaces == frozenset({"lan2"})
    assert sum(n.num_addresses for n in masq.match.src.networks) == 254  # .1-.254
    assert masq.extras["outer"] == ("primary",)
    fwd = by_kind[(NatKind.DESTINATION, "nat descriptor masquerade static 1")]
    assert fwd.translated_dst == (ipaddress.ip_network("10.20.1.80/32"),)
    assert fwd.translated_dst_ports == (80, 80)
    assert fwd.in_interfaces == frozenset({"lan2"})
    pp = by_kind[(NatKind.SOURCE, "nat descriptor 2")]
    assert pp.out_interfaces == frozenset({"pp1"}) and pp.extras["outer"] == ("ipcp",)
    # Descriptor 3 is defined but bound to no interface: no rule.
    assert not any(n.extras.get("descriptor") == "3" for n in branch.nat)


def test_management(branch: DeviceConfig) -> None:
    svc = {s.protocol: s for s in branch.mgmt.services}
    assert svc["telnet"].enabled is False
    assert svc["ssh"].enabled and svc["ssh"].allowed_sources == (
        ipaddress.ip_network("10.20.1.0/24"),
    )
    assert svc["http"].interfaces == frozenset({"lan1", "lan1/1"}) or svc["http"].interfaces == (
        frozenset({"lan1"})
    )
    assert svc["snmp"].allowed_sources == (ipaddress.ip_network("10.20.1.50/32"),)
    comms = branch.mgmt.snmp_communities
    assert [(c.guessable, c.write) for c in comms] == [(True, False), (False, True)]
    assert {c.storage for c in branch.mgmt.credentials} == {CredentialStorage.HASHED}
    assert branch.mgmt.syslog_hosts == ("10.20.1.50",)
    assert branch.mgmt.ntp_servers == ("10.0.0.123", "10.0.0.124")
    assert branch.mgmt.extras["security_class"] == "1 off off off on"


def test_telnet_is_on_by_default_and_plain_passwords() -> None:
    dev = yamaha.parse("login password himitsu\nlogin user ope opepass\n", source="t")
    svc = {s.protocol: s for s in dev.mgmt.services}
    assert svc["telnet"].enabled and svc["telnet"].allowed_sources is None
    assert [c.storage for c in dev.mgmt.credentials] == [CredentialStorage.PLAIN] * 2
    assert dev.mgmt.credentials[1].user == "ope"


def test_no_secret_is_kept(branch: DeviceConfig) -> None:
    dumped = json.dumps(to_data(branch), ensure_ascii=False)
    for secret in ("secretpw", "lgwansecret", "kanri-rw"):
        assert secret not in dumped
    dev = yamaha.parse("login user ope opepass\nfoo bar opepass\n", source="t")
    assert "opepass" not in json.dumps(to_data(dev.mgmt))


def test_shift_jis_file(tmp_path: Path) -> None:
    data = _fixture("branch_rtx1210.cfg").encode("cp932")
    assert "西支所".encode("cp932") in data
    text = decode(data, source="sjis.cfg")
    dev = yamaha.parse(text, source="sjis.cfg")
    lan1 = dev.interface("lan1")
    assert lan1 is not None and lan1.description == "西支所 庁内LAN (LGWAN接続系)"
    assert dev.interface("lan1/1") is not None
    assert dev.coverage.share == pytest.approx(
        yamaha.parse(_fixture("branch_rtx1210.cfg"), source="x").coverage.share
    )


def test_unknown_lines_are_listed(branch: DeviceConfig) -> None:
    unrec = [(u.line, u.text) for u in branch.coverage.unrecognized]
    lines = _fixture("branch_rtx1210.cfg").splitlines()
    expected = [(n, t) for n, t in enumerate(lines, start=1) if t.startswith("ospf ")]
    assert unrec == expected
    comments = sum(1 for t in lines if t.strip().startswith("#"))
    blanks = sum(1 for t in lines if not t.strip())
    assert branch.coverage.considered == len(lines) - comments - blanks


def test_bad_input_is_reported_not_raised() -> None:
    text = "\n".join(
        [
            "ip lan1 address 10.0.0.1/24",
            "ip filter 10 pass 10.0.0.",  # truncated address
            "ip filter 11 frobnicate * *",
            "ip filter 12 pass * * tcp * nosuchport",
            "ip lan1 secure filter in 10 11 12 13",
            "ip pp secure filter in 12",  # outside a pp select context
            "nat descriptor static 1 1 300.1.1.1=10.0.0.1",
            "ip lan1 nat descriptor 7",
            "ip route 10.0.0.0/33 gateway 10.0.0.2",
            "ip filter 14 pass * *",
        ]
    )
    dev = yamaha.parse(text, source="bad.cfg")
    unrec = {u.line for u in dev.coverage.unrecognized}
    assert {2, 3, 4, 6, 7, 9} <= unrec
    assert 1 not in unrec and 10 not in unrec
    by_line = {w.span.line: w for w in dev.warnings}
    assert by_line[2].matters and by_line[6].matters
    undefined = [w for w in dev.warnings if "undefined filter" in w.message]
    assert {w.span.line for w in undefined} == {5} and all(w.matters for w in undefined)
    assert any("nat descriptor 7" in w.message for w in dev.warnings)
    rules = _bound(dev, "lan1", Direction.IN)
    assert all(r.unresolved for r in rules if r.name in {"10", "11", "12", "13"})
    assert dev.filter("ip filter 14") is not None


def test_truncated_file() -> None:
    text = _fixture("branch_rtx1210.cfg")
    cut = text[: text.index("ip filter 2000") + 20]
    dev = yamaha.parse(cut, source="cut.cfg")
    assert dev.coverage.unrecognized[-1].text.startswith("ip filter 2000")
    # Bound filters whose definitions were cut off become unresolved, with a warning.
    assert any("undefined filter 2099" in w.message and w.matters for w in dev.warnings)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "ip",
                "ipv6",
                "filter",
                "dynamic",
                "secure",
                "in",
                "out",
                "pass",
                "reject",
                "restrict",
                "*",
                "10.0.0.0/8",
                "1-",
                "-2",
                "tcp",
                "tcpflag=0x12/0x3f",
                "icmp",
                "www",
                "lan1",
                "pp",
                "select",
                "1",
                "none",
                "tunnel",
                "nat",
                "descriptor",
                "static",
                "masquerade",
                "route",
                "gateway",
                "null",
                "address",
                "login",
                "user",
                "=",
                "description",
                '"',
                "vlan",
                "802.1q",
                "vid=",
                "sshd",
                "host",
                "snmp",
                "community",
                "read-write",
                "set",
                "name",
            ]
        ),
        max_size=9,
    ).map(" ".join),
)
def test_never_raises_on_odd_lines(line: str) -> None:
    dev = yamaha.parse(f"{line}\n{line}\nip lan1 secure filter in 1\n", source="fuzz")
    assert dev.coverage.considered >= 1
