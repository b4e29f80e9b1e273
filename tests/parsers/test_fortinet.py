"""FortiGate (FortiOS) parser: golden model output and one test per verdict-deciding semantic."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from netaudit.flow import HeaderSpace, Packet, evaluate, first_match
from netaudit.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Action,
    CredentialStorage,
    DeviceConfig,
    InterfaceKind,
    NatKind,
    Rule,
)
from netaudit.parsers import fortinet
from netaudit.serialize import to_data
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fortinet"

IOS = """\
hostname r1
!
interface GigabitEthernet0/0
 ip address 10.0.0.1 255.255.255.0
 ip access-group 101 in
!
access-list 101 permit tcp any any eq 80
end
"""


def load(name: str) -> DeviceConfig:
    return fortinet.parse((FIXTURES / name).read_text(encoding="utf-8"), source=name)


def tcp(src: str, dst: str, dport: int, sport: int = 50000) -> Packet:
    return Packet(
        proto=PROTO_TCP,
        src=ipaddress.ip_address(src),
        dst=ipaddress.ip_address(dst),
        sport=sport,
        dport=dport,
    )


def pair_rules(dev: DeviceConfig, i: str, o: str) -> list[Rule]:
    """The policy rules that apply to traffic entering ``i`` and leaving ``o``."""
    assert dev.policy is not None
    return [
        r
        for r in dev.policy.rules
        if (r.in_interfaces is None or i in r.in_interfaces)
        and (r.out_interfaces is None or o in r.out_interfaces)
    ]


def decide(dev: DeviceConfig, i: str, o: str, p: Packet) -> tuple[Action, Rule | None]:
    assert dev.policy is not None
    return evaluate(pair_rules(dev, i, o), dev.policy.default_action, p)


@pytest.mark.parametrize("name", ["city_fw.conf", "multi_vdom.conf"])
def test_golden(name: str) -> None:
    dev = load(name)
    assert_golden(f"fortinet/{Path(name).stem}.json", to_data(dev))


def test_fixture_fully_understood() -> None:
    dev = load("city_fw.conf")
    assert dev.coverage.unrecognized == ()
    assert dev.hostname == "city-fw01"
    assert dev.platform == "fortinet"


def test_sequence_order_not_policy_id(space: HeaderSpace) -> None:
    # Policy 5 (deny all to port2 except LGWAN_RANGE) appears after policy 20 but before 7:
    # LAN -> LGWAN_NET outside the range is denied although policy 7 (id 7 > 5) permits it.
    dev = load("city_fw.conf")
    assert dev.policy is not None
    assert [r.name for r in dev.policy.rules][:3] == ["20", "5", "7"]
    act, rule = decide(dev, "port1", "port2", tcp("10.10.1.5", "10.20.1.99", 443))
    assert act is Action.DENY and rule is not None and rule.name == "5"
    act, rule = decide(dev, "port1", "port2", tcp("10.10.1.5", "10.20.1.15", 443))
    assert act is Action.PERMIT and rule is not None and rule.name == "7"
    # The same through the exact algebra.
    fm = first_match(space, pair_rules(dev, "port1", "port2"), dev.policy.default_action)
    assert fm.permitted.contains(tcp("10.10.1.5", "10.20.1.15", 443))
    assert not fm.permitted.contains(tcp("10.10.1.5", "10.20.1.99", 443))


def test_negate_restricted_to_family(space: HeaderSpace) -> None:
    dev = load("city_fw.conf")
    assert dev.policy is not None
    deny5 = next(r for r in dev.policy.rules if r.name == "5")
    assert deny5.match.dst.negate
    v6 = Packet(
        proto=PROTO_TCP,
        src=ipaddress.ip_address("2001:db8::1"),
        dst=ipaddress.ip_address("2001:db8::2"),
        sport=40000,
        dport=443,
    )
    # A negated IPv4 destination must not make this IPv4-only policy match IPv6 packets.
    assert not space.rule(deny5).contains(v6)
    assert space.rule(deny5).contains(tcp("10.10.1.5", "8.8.8.8", 22))


def test_disabled_policy_ignored(space: HeaderSpace) -> None:
    dev = load("city_fw.conf")
    assert dev.policy is not None
    p9 = next(r for r in dev.policy.rules if r.name == "9")
    assert not p9.enabled and p9.in_interfaces is None
    # Policy 9 would permit anything anywhere; port2 -> port1 still hits the implicit deny.
    act, rule = decide(dev, "port2", "port1", tcp("10.20.1.5", "10.10.1.5", 22))
    assert act is Action.DENY and rule is None
    fm = first_match(space, pair_rules(dev, "port2", "port1"), dev.policy.default_action)
    assert fm.permitted.is_empty()


def test_zone_expansion_and_any() -> None:
    dev = load("city_fw.conf")
    assert dev.policy is not None
    r20 = next(r for r in dev.policy.rules if r.name == "20")
    assert r20.in_interfaces == frozenset({"port1", "vlan100"})
    assert r20.extras["srcintf_zones"] == ("internal",)
    port1 = dev.interface("port1")
    assert port1 is not None and port1.security_zone == "internal"
    # vlan100 is a member of zone "internal": the policy applies to it too.
    act, _ = decide(dev, "vlan100", "wan1", tcp("10.10.100.9", "198.51.100.1", 80))
    assert act is Action.PERMIT


def test_all_and_service_all(space: HeaderSpace) -> None:
    dev = load("city_fw.conf")
    assert dev.policy is not None
    r13 = next(r for r in dev.policy.rules if r.name == "13")
    ps = space.rule(r13)
    udp = Packet(
        proto=PROTO_UDP,
        src=ipaddress.ip_address("10.30.1.5"),
        dst=ipaddress.ip_address("192.0.2.1"),
        sport=5000,
        dport=9999,
    )
    gre = Packet(proto=47, src=udp.src, dst=udp.dst)
    assert ps.contains(udp) and ps.contains(gre)
    v6 = Packet(
        proto=PROTO_TCP,
        src=ipaddress.ip_address("2001:db8:10::5"),
        dst=ipaddress.ip_address("2001:db8:99::1"),
        sport=40000,
        dport=80,
    )
    assert ps.contains(v6)  # srcaddr6 LAN6 / dstaddr6 all
    assert not ps.contains(
        Packet(
            proto=PROTO_TCP,
            src=ipaddress.ip_address("2001:db8:11::5"),
            dst=v6.dst,
            sport=1,
            dport=80,
        )
    )


def test_implicit_deny() -> None:
    dev = load("city_fw.conf")
    assert dev.policy is not None
    assert dev.policy.default_action is Action.DENY
    assert dev.policy.default_span is None
    assert dev.policy.stateful
    act, rule = decide(dev, "wan1", "port2", tcp("198.51.100.1", "10.20.1.1", 22))
    assert act is Action.DENY and rule is None


def test_exclude_group_and_src_ports(space: HeaderSpace) -> None:
    dev = load("city_fw.conf")
    assert dev.policy is not None
    r20 = next(r for r in dev.policy.rules if r.name == "20")
    ps = space.rule(r20)
    assert ps.contains(tcp("10.10.100.49", "192.0.2.1", 80))
    assert not ps.contains(tcp("10.10.100.50", "192.0.2.1", 80))  # PROXY excluded
    assert ps.contains(tcp("10.10.1.1", "192.0.2.1", 8443, sport=2000))
    assert not ps.contains(tcp("10.10.1.1", "192.0.2.1", 8443, sport=80))  # src 1024-65535


def test_intrazone_allow_synthetic() -> None:
    dev = load("city_fw.conf")
    act, rule = decide(dev, "port3", "port3", tcp("10.30.1.5", "10.30.1.6", 445))
    assert act is Action.PERMIT and rule is not None
    assert rule.name == "intrazone-allow:staff"
    act, rule = decide(dev, "port1", "vlan100", tcp("10.10.1.5", "10.10.100.6", 445))
    assert act is Action.DENY and rule is None  # zone "internal" keeps the default deny


def test_vip_resolves_to_external_and_nat() -> None:
    dev = load("city_fw.conf")
    assert dev.policy is not None
    r11 = next(r for r in dev.policy.rules if r.name == "11")
    assert [str(n) for n in r11.match.dst.networks] == ["203.0.113.3/32"]
    assert r11.unresolved  # geography source
    dnat = next(n for n in dev.nat if n.kind is NatKind.DESTINATION)
    assert dnat.translated_dst == (ipaddress.ip_network("10.10.100.80/32"),)
    assert dnat.translated_dst_ports == (8443, 8443)
    snat = next(n for n in dev.nat if n.kind is NatKind.SOURCE)
    assert snat.translated_src == (ipaddress.ip_network("203.0.113.4/31"),)


def test_predefined_services() -> None:
    dev = load("city_fw.conf")
    assert dev.policy is not None
    r12 = next(r for r in dev.policy.rules if r.name == "12")
    protos = {(s.protocol, s.dst_ports, s.icmp_type) for s in r12.match.services}
    assert (PROTO_TCP, ((1, 65535),), None) in protos
    assert (PROTO_ICMP, None, 8) in protos
    assert r12.extras["schedule"] == "weekday-night"


def test_interfaces_routes_mgmt() -> None:
    dev = load("city_fw.conf")
    v = dev.interface("vlan100")
    assert v is not None and v.kind is InterfaceKind.SUBINTERFACE
    assert v.vlan == 100 and v.parent == "port1"
    p3 = dev.interface("port3")
    assert p3 is not None and not p3.enabled
    assert [str(r.prefix) for r in dev.routes] == ["0.0.0.0/0", "10.20.0.0/16", "192.168.0.0/16"]
    assert dev.routes[2].discard
    telnet = [s for s in dev.mgmt.services if s.protocol == "telnet"]
    assert telnet and telnet[0].interfaces == frozenset({"vlan100"})
    assert telnet[0].allowed_sources == (
        ipaddress.ip_network("10.10.1.0/24"),
        ipaddress.ip_network("10.10.100.10/32"),
    )
    creds = {c.user: c.storage for c in dev.mgmt.credentials}
    assert creds == {"admin": CredentialStorage.HASHED, "operator": CredentialStorage.NONE}
    assert dev.mgmt.snmp_communities[0].guessable
    assert dev.mgmt.syslog_hosts == ("10.10.100.30",)
    assert dev.mgmt.ntp_servers == ("10.10.100.5",)


def test_no_secret_in_model() -> None:
    text = (FIXTURES / "city_fw.conf").read_text(encoding="utf-8")
    dev = fortinet.parse(text, source="x")
    dump = repr(to_data(dev))
    assert "SH2aaaa" not in dump
    assert "public" not in dump


def test_multi_vdom_any_is_vdom_interfaces() -> None:
    dev = load("multi_vdom.conf")
    assert dev.policy is not None
    root1 = dev.policy.rules[0]
    assert root1.name == "root:1"
    assert root1.in_interfaces == frozenset({"port1", "port2"})
    lg = dev.policy.rules[1]
    assert lg.extras["vdom"] == "lgwan"
    assert [str(n) for n in lg.match.src.networks] == ["10.2.1.0/24"]  # the VDOM's own NET_A
    assert dev.extras["vdoms"] == ("root", "lgwan")
    assert dev.coverage.unrecognized == ()


def test_truncated_input_warns_and_keeps_partial() -> None:
    text = (FIXTURES / "city_fw.conf").read_text(encoding="utf-8")
    cut = text[: text.index("    edit 11")]
    dev = fortinet.parse(cut, source="cut.conf")
    assert any(w.matters and "truncated" in w.message for w in dev.warnings)
    assert dev.policy is not None
    names = [r.name for r in dev.policy.rules if "synthetic" not in r.extras]
    assert names == ["20", "5", "7", "9"]
    assert dev.interface("port1") is not None


def test_undefined_reference_warns() -> None:
    text = """config firewall policy
    edit 1
        set srcintf "port9"
        set dstintf "any"
        set srcaddr "NOPE"
        set dstaddr "all"
        set action accept
        set service "NOSVC"
    next
end
"""
    dev = fortinet.parse(text, source="u.conf")
    msgs = [(w.span.line, w.message, w.matters) for w in dev.warnings]
    assert any(line == 2 and "port9" in m and matters for line, m, matters in msgs)
    assert any("NOPE" in m and matters for _, m, matters in msgs)
    assert any("NOSVC" in m and matters for _, m, matters in msgs)
    assert dev.policy is not None and dev.policy.rules[0].unresolved


def test_garbage_never_raises() -> None:
    for text in ["", "end\nend\nnext\n", "config\nedit\nset", "config firewall policy\n edit 1\n"]:
        dev = fortinet.parse(text, source="g")
        assert dev.platform == "fortinet"


def test_move_delete_order() -> None:
    text = """config firewall policy
    edit 1
        set srcintf any
        set dstintf any
        set srcaddr all
        set dstaddr all
        set service ALL
    next
    edit 2
        set srcintf any
        set dstintf any
        set srcaddr all
        set dstaddr all
        set service ALL
        set action accept
    next
    edit 3
    next
    move 2 before 1
    delete 3
end
"""
    dev = fortinet.parse(text, source="m.conf")
    assert dev.policy is not None
    assert [r.name for r in dev.policy.rules] == ["2", "1"]
    assert dev.policy.rules[1].action is Action.DENY  # action unset -> deny


def test_detect() -> None:
    for name in ("city_fw.conf", "multi_vdom.conf"):
        text = (FIXTURES / name).read_text(encoding="utf-8")
        assert fortinet.detect(text) >= 80
    assert fortinet.detect(IOS) == 0
