"""NEC UNIVERGE IX parser: golden model, ip filter sequence semantics, Shift_JIS, bad input."""

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
    PROTO_ICMPV6,
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
from netaudit.parsers import nec_ix, yamaha
from netaudit.parsers.base import decode
from netaudit.serialize import to_data
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
IOS_SAMPLE = """\
hostname core1
interface GigabitEthernet0/1
 ip address 10.0.0.1 255.255.255.0
 ip access-group 101 in
access-list 101 permit tcp any any eq 443
"""


def _fixture() -> str:
    return (FIXTURES / "nec_ix" / "branch_ix2215.cfg").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def ix() -> DeviceConfig:
    return nec_ix.parse(_fixture(), source="branch_ix2215.cfg")


def _tcp(src: str, dst: str, dport: int, sport: int = 50000) -> Packet:
    return Packet(
        proto=PROTO_TCP,
        src=ipaddress.ip_address(src),
        dst=ipaddress.ip_address(dst),
        sport=sport,
        dport=dport,
    )


def _bound(dev: DeviceConfig, iface: str, direction: Direction) -> tuple[Rule, ...]:
    (binding,) = dev.bound(iface, direction)
    flt = dev.filter(binding.filter)
    assert flt is not None
    assert flt.default_action is Action.DENY and flt.default_span is None
    return flt.rules


def test_golden(ix: DeviceConfig) -> None:
    assert_golden("nec_ix/branch_ix2215.json", to_data(ix))


def test_detect() -> None:
    text = _fixture()
    assert nec_ix.detect(text) >= 90
    assert yamaha.detect(text) == 0
    assert nec_ix.detect((FIXTURES / "yamaha" / "branch_rtx1210.cfg").read_text()) == 0
    assert nec_ix.detect(IOS_SAMPLE) == 0
    bare = "interface GigaEthernet0.0\n  ip address 10.0.0.1/24\n  ip filter A 1 in\n"
    assert nec_ix.detect(bare) >= 60


def test_sequence_order_across_lists(ix: DeviceConfig) -> None:
    rules = _bound(ix, "GigaEthernet2.0", Direction.IN)
    # BLOCK-PRIVATE (seq 100) before INET-IN (seq 200) although INET-IN is written first.
    assert [r.name for r in rules[:4]] == [
        "BLOCK-PRIVATE#1",
        "BLOCK-PRIVATE#2",
        "INET-IN#1",
        "INET-IN#2",
    ]
    action, rule = evaluate(rules, Action.DENY, _tcp("10.1.1.1", "192.0.2.2", 22))
    assert action is Action.DENY and rule is not None and rule.name == "BLOCK-PRIVATE#1"
    action, rule = evaluate(rules, Action.DENY, _tcp("198.51.100.7", "192.0.2.2", 22))
    assert action is Action.PERMIT and rule is not None and rule.name == "INET-IN#2"


def test_implicit_deny_when_a_filter_is_bound(ix: DeviceConfig, space: HeaderSpace) -> None:
    rules = _bound(ix, "GigaEthernet0.1", Direction.OUT)
    fm = first_match(space, rules, Action.DENY)
    assert fm.permitted.contains(_tcp("10.1.1.1", "10.30.30.5", 80, sport=2000))
    assert not fm.permitted.contains(_tcp("10.1.1.1", "10.30.30.5", 80, sport=1000))
    udp = Packet(
        proto=PROTO_UDP,
        src=ipaddress.ip_address("10.1.1.1"),
        dst=ipaddress.ip_address("10.30.30.5"),
        sport=5000,
        dport=53,
    )
    assert evaluate(rules, Action.DENY, udp) == (Action.DENY, None)
    # No filter in the other direction, nor on Loopback0.0: no binding, everything passes.
    assert ix.bound("GigaEthernet0.1", Direction.IN) == ()
    assert ix.bound("Loopback0.0", Direction.IN) == ()


def test_unbound_access_list_has_no_effect(ix: DeviceConfig, space: HeaderSpace) -> None:
    assert ix.filter("UNUSED-ALL") is not None
    assert not any(b.filter == "UNUSED-ALL" for b in ix.bindings)
    rules = _bound(ix, "GigaEthernet0.1", Direction.OUT)
    fm = first_match(space, rules, Action.DENY)
    assert not fm.permitted.contains(_tcp("192.0.2.99", "10.30.30.5", 445))


def test_families_are_folded(ix: DeviceConfig) -> None:
    rules = _bound(ix, "GigaEthernet0.0", Direction.IN)
    v6 = _tcp("2001:db8::1", "2001:db8::2", 23)
    action, rule = evaluate(rules, Action.DENY, v6)
    assert action is Action.PERMIT and rule is not None and "synthetic" in rule.extras
    inet = _bound(ix, "GigaEthernet2.0", Direction.IN)
    icmp6 = Packet(
        proto=PROTO_ICMPV6,
        src=ipaddress.ip_address("2001:db8::1"),
        dst=ipaddress.ip_address("2001:db8::2"),
        icmp_type=128,
        icmp_code=0,
    )
    assert evaluate(inet, Action.DENY, icmp6)[0] is Action.PERMIT
    assert evaluate(inet, Action.DENY, _tcp("2001:db8::1", "2001:db8::2", 22))[0] is Action.DENY


def test_access_list_entries(ix: DeviceConfig) -> None:
    lg = ix.filter("LGWAN-IN")
    assert lg is not None
    (svc,) = lg.rules[0].match.services
    assert (svc.protocol, svc.src_ports, svc.dst_ports) == (PROTO_TCP, None, ((443, 443),))
    (icmp,) = lg.rules[1].match.services
    assert (icmp.protocol, icmp.icmp_type) == (PROTO_ICMP, 8)
    inet = ix.filter("INET-IN")
    assert inet is not None and inet.rules[0].match.services[0].dst_ports == ((135, 139),)
    kojin = ix.filter("KOJIN-OUT")
    assert kojin is not None
    assert kojin.rules[0].match.services[0].src_ports == ((1024, 65535),)
    assert kojin.rules[0].match.services[0].dst_ports == ((80, 80),)


def test_undefined_access_list(ix: DeviceConfig) -> None:
    (w,) = [w for w in ix.warnings if "UNDEFINED-LIST" in w.message]
    assert w.matters and w.span.text == "ip filter UNDEFINED-LIST 300 in"
    rules = _bound(ix, "GigaEthernet2.0", Direction.IN)
    assert [r.unresolved for r in rules if r.extras.get("undefined")] == [
        ("access-list UNDEFINED-LIST",)
    ]


def test_interfaces(ix: DeviceConfig) -> None:
    g0 = ix.interface("GigaEthernet0.0")
    assert g0 is not None and g0.description == "東支所 庁内LAN (LGWAN接続系)"
    assert [str(a) for a in g0.addresses] == ["10.30.1.1/24", "10.30.9.1/24"]
    sub = ix.interface("GigaEthernet0.1")
    assert sub is not None and sub.kind is InterfaceKind.SUBINTERFACE
    assert (sub.vlan, sub.parent, str(sub.addresses[0])) == (30, "GigaEthernet0.0", "10.30.30.1/24")
    ppp = ix.interface("GigaEthernet2.1")
    assert ppp is not None and ppp.enabled is False
    assert ppp.extras["ip_address"] == "ipcp"
    tun = ix.interface("Tunnel0.0")
    assert tun is not None and tun.kind is InterfaceKind.TUNNEL
    assert ix.hostname == "higashi-ix1" and ix.name == "higashi-ix1"


def test_routes(ix: DeviceConfig) -> None:
    got = {(str(r.prefix), str(r.next_hop), r.interface, r.discard, r.distance) for r in ix.routes}
    assert got == {
        ("0.0.0.0/0", "192.0.2.1", None, False, 1),
        ("10.0.0.0/8", "None", "Tunnel0.0", False, 1),
        ("198.18.0.0/15", "None", None, True, 1),
        ("10.99.0.0/16", "10.30.1.254", None, False, 10),
    }


def test_nat(ix: DeviceConfig) -> None:
    src = [n for n in ix.nat if n.kind is NatKind.SOURCE]
    assert [n.out_interfaces for n in src] == [frozenset({"GigaEthernet2.0"})]
    (dnat,) = [n for n in ix.nat if n.kind is NatKind.DESTINATION]
    assert dnat.translated_dst == (ipaddress.ip_network("10.30.1.80/32"),)
    assert dnat.match.services[0].dst_ports == ((80, 80),)
    assert dnat.in_interfaces == frozenset({"GigaEthernet2.0"})


def test_management(ix: DeviceConfig) -> None:
    svc = {s.protocol: s for s in ix.mgmt.services}
    assert svc["ssh"].enabled and svc["telnet"].enabled
    assert svc["http"].enabled is False and svc["http"].acl == "MGMT-ONLY"
    assert svc["snmp"].allowed_sources == (ipaddress.ip_network("10.30.1.50/32"),)
    comms = ix.mgmt.snmp_communities
    assert [(c.guessable, c.write, c.acl) for c in comms] == [
        (True, False, None),
        (False, True, "MGMT-ONLY"),
    ]
    assert [(c.user, c.storage) for c in ix.mgmt.credentials] == [
        ("admin", CredentialStorage.HASHED),
        ("ope", CredentialStorage.PLAIN),
    ]
    assert ix.mgmt.syslog_hosts == ("10.30.1.50",)
    assert ix.mgmt.ntp_servers == ("10.0.0.123",)


def test_no_secret_is_kept(ix: DeviceConfig) -> None:
    dumped = json.dumps(to_data(ix), ensure_ascii=False)
    for secret in ("opepass", "lgwansecret", "isppass", "kanri-rw", "0123456789abcdef"):
        assert secret not in dumped


def test_unknown_lines_are_listed(ix: DeviceConfig) -> None:
    lines = _fixture().splitlines()
    expected = [
        (n, t.strip())
        for n, t in enumerate(lines, start=1)
        if t.startswith("router ospf") or t.strip().startswith("network ")
    ]
    assert [(u.line, u.text) for u in ix.coverage.unrecognized] == expected


def test_shift_jis_file() -> None:
    data = _fixture().encode("cp932")
    dev = nec_ix.parse(decode(data, source="sjis.cfg"), source="sjis.cfg")
    g0 = dev.interface("GigaEthernet0.0")
    assert g0 is not None and g0.description == "東支所 庁内LAN (LGWAN接続系)"


def test_bad_input_is_reported_not_raised() -> None:
    text = "\n".join(
        [
            "ip access-list A permit tcp src any dest",  # truncated
            "ip access-list B permit frob src any dest any",
            "ip access-list C permit ip src 10.0.0.0/8 dest any",
            "ip route 10.0.0.0/33 192.0.2.1",
            "interface GigaEthernet0.0",
            "  ip address 10.0.0.1/24",
            "  ip filter A 10 in",
            "  ip filter C 20 in",
            "  ip filter D 30 in",
            "  ip address 999.1.1.1/24",
            "  unknown-command x",
            "    nested-child",
            "interface GigaEthernet1.0",
            "  ip filter C",
        ]
    )
    dev = nec_ix.parse(text, source="bad.cfg")
    unrec = {u.line for u in dev.coverage.unrecognized}
    assert {1, 2, 4, 10, 11, 12, 14} <= unrec
    assert not {3, 5, 6, 7, 8, 9, 13} & unrec
    by_line = {w.span.line: w for w in dev.warnings}
    assert by_line[1].matters and by_line[10].matters
    assert by_line[7].matters and by_line[9].matters  # A and D are undefined
    rules = _bound(dev, "GigaEthernet0.0", Direction.IN)
    assert [bool(r.unresolved) for r in rules[:3]] == [True, False, True]


def test_truncated_file() -> None:
    text = _fixture()
    cut = text[: text.index("interface GigaEthernet2.0") + 60]
    dev = nec_ix.parse(cut, source="cut.cfg")
    assert dev.interface("GigaEthernet2.0") is not None
    assert dev.interface("Tunnel0.0") is None
    assert dev.coverage.considered > 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "ip",
                "ipv6",
                "access-list",
                "A",
                "permit",
                "deny",
                "tcp",
                "udp",
                "icmp",
                "src",
                "dest",
                "sport",
                "dport",
                "eq",
                "range",
                "gt",
                "any",
                "10.0.0.0/8",
                "host",
                "filter",
                "in",
                "out",
                "1",
                "route",
                "default",
                "Null0.0",
                "interface",
                "GigaEthernet0.0",
                "  ",
                "address",
                "napt",
                "static",
                "snmp-agent",
                "community",
                "username",
                "password",
                "type",
                "code",
            ]
        ),
        max_size=9,
    ).map(" ".join),
)
def test_never_raises_on_odd_lines(line: str) -> None:
    dev = nec_ix.parse(f"interface GigaEthernet0.0\n  {line}\n{line}\n", source="fuzz")
    assert dev.coverage.total_lines == 3
