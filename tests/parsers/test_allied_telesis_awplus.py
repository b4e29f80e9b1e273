"""AlliedWare Plus parser: golden models and one test per verdict-deciding semantic."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from netaudit import parsers
from netaudit.flow import HeaderSpace, Packet, evaluate, first_match
from netaudit.model import PROTO_TCP, PROTO_UDP, Action, DeviceConfig, Direction, SwitchportMode
from netaudit.parsers import alaxala_ax
from netaudit.parsers import allied_telesis_awplus as awp
from netaudit.serialize import to_data
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "allied_telesis_awplus"
ALL = sorted(p.name for p in FIXTURES.glob("*.cfg"))

PLAIN_IOS = """\
version 15.2
service password-encryption
hostname branch-rtr
!
interface GigabitEthernet0/1
 ip address 192.168.1.1 255.255.255.0
 ip access-group 101 in
!
access-list 101 permit tcp any host 192.168.1.10 eq 443
ip route 0.0.0.0 0.0.0.0 192.168.1.254
line vty 0 4
 transport input ssh
end
"""


def load(name: str) -> DeviceConfig:
    return awp.parse((FIXTURES / name).read_text(encoding="utf-8"), source=name)


def ip(a: str) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(a)


def tcp(src: str, dst: str, dport: int) -> Packet:
    return Packet(proto=PROTO_TCP, src=ip(src), dst=ip(dst), sport=50000, dport=dport)


@pytest.mark.parametrize("name", ALL)
def test_golden(name: str) -> None:
    assert_golden(f"allied_telesis_awplus/{name.removesuffix('.cfg')}.json", to_data(load(name)))


@pytest.mark.parametrize("name", ALL)
def test_fixture_fully_understood(name: str) -> None:
    cov = load(name).coverage
    print(f"{name}: {cov.recognized}/{cov.considered} lines understood ({cov.share:.1%})")
    assert cov.unrecognized == ()


@pytest.mark.parametrize("name", ALL)
def test_detect_prefers_awplus(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert awp.detect(text) >= 80
    assert alaxala_ax.detect(text) < 20


def test_detect_low_on_plain_ios() -> None:
    assert awp.detect(PLAIN_IOS) < 20


def test_port_ranges_expand_to_each_interface() -> None:
    dev = load("core-x930.cfg")
    for n in range(1, 9):
        port = dev.interface(f"port1.0.{n}")
        assert port is not None and port.access_vlan == 10 and port.mode is SwitchportMode.ACCESS
        assert [b.filter for b in dev.bound(f"port1.0.{n}", Direction.IN)] == ["MYNUMBER_IN"]
    assert dev.interface("port1.0.9") is not None and dev.interface("port1.0.9").access_vlan == 20  # type: ignore[union-attr]
    # the comma list names two ports, not the one in between
    assert dev.interface("port1.0.17") is not None and dev.interface("port1.0.19") is not None
    assert dev.interface("port1.0.18").enabled is False  # type: ignore[union-attr]
    assert awp.expand_interfaces("port1.0.1-1.0.3,port2.0.1") == [
        "port1.0.1",
        "port1.0.2",
        "port1.0.3",
        "port2.0.1",
    ]
    assert awp.expand_interfaces("port1.0.5-1.0.2") is None


def test_trunk_allowed_vlan_arithmetic() -> None:
    dev = load("core-x930.cfg")
    up = dev.interface("port1.0.23")
    assert up is not None and up.mode is SwitchportMode.TRUNK
    assert up.trunk_vlans == frozenset({10, 20, 30, 99, 200, 202})
    assert up.native_vlan is None and up.extras["native_vlan"] == "none"
    p24 = dev.interface("port1.0.24")
    assert p24 is not None and p24.trunk_vlans == frozenset(range(10, 4095))
    assert p24.native_vlan == 99
    sa1 = dev.interface("sa1")
    # a trunk carries no tagged VLAN until `add`; VLAN 1 stays its native VLAN
    assert sa1 is not None and sa1.trunk_vlans == frozenset({10, 20}) and sa1.native_vlan == 1


def test_trunk_without_allowed_list_carries_no_tagged_vlan() -> None:
    text = "interface port1.0.1\n switchport\n switchport mode trunk\n!\nend\n"
    port = awp.parse(text, source="t").interface("port1.0.1")
    assert port is not None and port.trunk_vlans == frozenset() and port.native_vlan == 1


def test_hardware_acl_default_permits(space: HeaderSpace) -> None:
    dev = load("core-x930.cfg")
    acl = dev.filter("LGWAN_IN")
    assert acl is not None and acl.default_action is Action.PERMIT
    # not matched by any entry -> forwarded (hardware ACL semantics)
    action, rule = evaluate(acl.rules, acl.default_action, tcp("192.168.20.9", "192.168.30.5", 22))
    assert action is Action.PERMIT and rule is None
    action, rule = evaluate(acl.rules, acl.default_action, tcp("192.168.30.9", "192.168.10.5", 22))
    assert action is Action.DENY and rule is not None and rule.name == "30"
    fm = first_match(space, acl.rules, acl.default_action)
    assert fm.permitted.contains(tcp("192.168.20.9", "192.168.30.5", 22))
    assert not fm.permitted.contains(tcp("192.168.30.9", "192.168.10.5", 22))


def test_software_acl_default_denies() -> None:
    dev = load("core-x930.cfg")
    acl = dev.filter("MGMT_ONLY")
    assert acl is not None and acl.default_action is Action.DENY
    assert dev.bound("vlan30", Direction.IN)[0].filter == "MGMT_ONLY"
    std = awp.parse("access-list 5 permit 10.0.0.0/8\nend\n", source="t").filter("5")
    assert std is not None and std.default_action is Action.DENY
    action, _ = evaluate(std.rules, std.default_action, tcp("11.0.0.1", "10.0.0.1", 80))
    assert action is Action.DENY


def test_several_hardware_acls_on_a_port_are_first_match_in_attach_order(
    space: HeaderSpace,
) -> None:
    dev = load("core-x930.cfg")
    (binding,) = dev.bound("port1.0.17", Direction.IN)
    chain = dev.filter(binding.filter)
    assert chain is not None and chain.extras["chain"] == ("3000", "3001")
    # 3000 permits 192.168.10.x -> 192.168.20.5 before 3001 denies 192.168.10.0/24
    fm = first_match(space, chain.rules, chain.default_action)
    assert fm.permitted.contains(tcp("192.168.10.7", "192.168.20.5", 80))
    assert not fm.permitted.contains(tcp("192.168.10.7", "192.168.20.6", 80))
    assert fm.permitted.contains(tcp("192.168.30.7", "192.168.20.6", 80))
    assert dev.bound("port1.0.19", Direction.IN)[0].filter == binding.filter


def test_acl_entries_ordered_by_sequence() -> None:
    text = (
        "access-list hardware H\n 30 deny ip any any\n 10 permit tcp any any eq 22\n"
        " permit udp any any\nend\n"
    )
    acl = awp.parse(text, source="t").filter("H")
    assert acl is not None and [r.name for r in acl.rules] == ["10", "30", "40"]
    assert acl.rules[2].match.services[0].protocol == PROTO_UDP


def test_firewall_rules_in_rule_number_order_with_default_deny(space: HeaderSpace) -> None:
    dev = load("ar4050s-fw.cfg")
    pol = dev.policy
    assert pol is not None and pol.stateful and pol.default_action is Action.DENY
    assert pol.default_span is None
    assert [r.name for r in pol.rules] == ["10", "20", "30", "35", "40", "50", "60", "70", "80"]
    # rule 35 (deny lgwan.lan -> internet) comes before rule 40/60 although written after
    relay_http = tcp("192.168.20.5", "198.51.100.1", 80)
    action, rule = evaluate(pol.rules, pol.default_action, relay_http)
    assert action is Action.DENY and rule is not None and rule.name == "35"
    # nothing permits internet -> lgwan: implicit deny
    action, rule = evaluate(pol.rules, pol.default_action, tcp("198.51.100.1", "192.168.20.5", 80))
    assert action is Action.DENY and rule is None
    fm = first_match(space, pol.rules, pol.default_action)
    assert not fm.permitted.contains(relay_http)


def test_firewall_entity_resolution_zone_network_host() -> None:
    pol = load("ar4050s-fw.cfg").policy
    assert pol is not None
    rules = {r.name: r for r in pol.rules}
    r10 = rules["10"]  # mynumber.lan -> lgwan.lan.relay
    assert r10.match.src.networks == (ipaddress.ip_network("192.168.10.0/24"),)
    assert r10.match.dst.networks == (ipaddress.ip_network("192.168.20.5/32"),)
    assert r10.in_interfaces == frozenset({"vlan10"}) and r10.out_interfaces == frozenset(
        {"vlan20"}
    )
    r30 = rules["30"]  # lgwan.lan -> lgwan.wan
    assert r30.out_interfaces == frozenset({"eth2"})
    r20 = rules["20"]  # zone level: mynumber -> internet
    assert r20.out_interfaces == frozenset({"eth1"}) and r20.log
    r50 = rules["50"]  # dmz.srv has no `interface`: cannot restrict by interface
    assert r50.out_interfaces is None
    assert r50.match.services[0].dst_ports == ((587, 587),)
    dev = load("ar4050s-fw.cfg")
    assert dev.interface("vlan10").security_zone == "mynumber"  # type: ignore[union-attr]
    assert dev.interface("eth1").security_zone == "internet"  # type: ignore[union-attr]


def test_undefined_application_and_entity_warn_and_stay_unresolved() -> None:
    dev = load("ar4050s-fw.cfg")
    pol = dev.policy
    assert pol is not None
    r70 = next(r for r in pol.rules if r.name == "70")
    assert r70.unresolved == ("quake",)
    assert any(
        w.matters and "quake" in w.message and w.span.line == r70.span.line for w in dev.warnings
    )
    text = "zone a\n network n\n  ip subnet 10.0.0.0/8\nfirewall\n rule 10 permit any from a.n to b\n protect\nend\n"
    dev2 = awp.parse(text, source="t")
    assert dev2.policy is not None and dev2.policy.rules[0].match.dst.unresolved == ("b",)
    assert any(w.matters and w.span.line == 5 for w in dev2.warnings)


def test_firewall_without_protect_filters_nothing() -> None:
    text = (
        "zone a\n network n\n  ip subnet 10.0.0.0/8\nfirewall\n rule 10 deny any from a to a\nend\n"
    )
    dev = awp.parse(text, source="t")
    pol = dev.policy
    assert pol is not None and pol.default_action is Action.PERMIT
    assert not pol.rules[0].enabled
    action, _ = evaluate(pol.rules, pol.default_action, tcp("10.0.0.1", "10.0.0.2", 80))
    assert action is Action.PERMIT


def test_nat_rules() -> None:
    dev = load("ar4050s-fw.cfg")
    masq, fwd = dev.nat
    assert masq.kind.value == "source" and masq.translated_src == (
        ipaddress.ip_network("203.0.113.2/32"),
    )
    assert masq.in_interfaces == frozenset({"vlan20"})
    assert fwd.kind.value == "destination"
    assert fwd.translated_dst == (ipaddress.ip_network("172.16.1.10/32"),)
    assert fwd.match.dst.networks == (ipaddress.ip_network("203.0.113.2/32"),)


def test_port_authentication_recorded_for_myn005() -> None:
    dev = load("access-x510-dot1x.cfg")
    p1 = dev.interface("port1.0.1")
    assert p1 is not None and p1.extras["dot1x"] == {"port-control": "auto"}
    assert p1.extras["auth_mac"] == "enable"
    p23 = dev.interface("port1.0.23")
    assert p23 is not None and p23.extras["port_security"] == {
        "enabled": True,
        "maximum": "1",
        "violation": "protect",
    }
    p25 = dev.interface("port1.0.25")
    assert p25 is not None and "dot1x" not in p25.extras and p25.access_vlan == 1


def test_management() -> None:
    mg = load("core-x930.cfg").mgmt
    svc = {s.protocol: s for s in mg.services}
    assert not svc["telnet"].enabled and svc["ssh"].enabled and not svc["http"].enabled
    assert svc["ssh"].acl == "10"
    assert [c.guessable for c in mg.snmp_communities] == [False, True]
    assert mg.snmp_communities[1].write
    assert [c.storage.value for c in mg.credentials] == ["hashed", "plain"]
    assert mg.aaa is True and mg.password_encryption is True and mg.banner is False
    assert mg.syslog_hosts == ("192.168.100.21",) and mg.ntp_servers == ("192.168.100.1",)
    # defaults: telnet and http on, ssh off
    sw = {s.protocol: s for s in awp.parse("hostname x\nend\n", source="t").mgmt.services}
    assert sw["telnet"].enabled and sw["http"].enabled and not sw["ssh"].enabled


def test_secrets_never_stored() -> None:
    text = (FIXTURES / "core-x930.cfg").read_text(encoding="utf-8")
    data = str(to_data(awp.parse(text, source="x")))
    for secret in ("yakuba-ro", "plaintext99", "testing123", "JwOJGPr7YqoExA0GVasdE0"):
        assert secret not in data


def test_routes() -> None:
    routes = load("core-x930.cfg").routes
    assert [str(r.prefix) for r in routes] == [
        "0.0.0.0/0",
        "10.10.0.0/16",
        "172.16.0.0/12",
        "10.0.0.0/8",
    ]
    assert routes[1].distance == 10 and routes[2].discard
    assert routes[3].vrf == "lgwan" and routes[3].interface == "eth0"


def test_truncated_input_warns_and_keeps_partial_model() -> None:
    text = (FIXTURES / "core-x930.cfg").read_text(encoding="utf-8")
    cut = text[: text.index("interface vlan30")] + "interface port1.0.4-"
    dev = awp.parse(cut, source="cut")
    assert dev.interface("vlan20") is not None
    assert any(w.matters and "truncated" in w.message for w in dev.warnings)
    assert (
        dev.coverage.unrecognized and dev.coverage.unrecognized[-1].text == "interface port1.0.4-"
    )


def test_undefined_acl_reference_warns() -> None:
    dev = awp.parse("interface port1.0.1\n access-group NOPE\n!\nend\n", source="t")
    (w,) = [w for w in dev.warnings if "NOPE" in w.message]
    assert w.matters and w.span.line == 2
    assert dev.bound("port1.0.1", Direction.IN)[0].filter == "NOPE"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01garbage",
        "interface\n",
        "access-list 3000 permit\n",
        "access-list hardware X\n permit tcp 10.0.0.0/33 any\n",
        "zone\nfirewall\n rule x permit\n rule 10 permit any from\nnat\n rule 1 masq\n",
        "ip route 10.0.0.0/8\nip route bogus 1.1.1.1\nsnmp-server community\n",
        "vlan database\n vlan 5000 name x\n vlan abc\n",
        "interface port1.0.1\n switchport trunk allowed vlan add 1-x\n ip address 300.1.1.1/24\n",
        "application a\n protocol tcp\n dport 9 to 1\n",
    ],
)
def test_bad_input_never_raises(text: str) -> None:
    dev = awp.parse(text, source="bad")
    assert dev.platform == "allied_telesis_awplus"
    if text.strip():
        assert dev.coverage.unrecognized or dev.warnings


@pytest.mark.parametrize("name", ALL)
def test_registry_detects_this_platform(name: str) -> None:
    """Against every parser present in the registry (cisco_ios included), this platform wins."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert parsers.detect(text)[0] == "allied_telesis_awplus"
