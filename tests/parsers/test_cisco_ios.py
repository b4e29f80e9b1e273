"""Cisco IOS / IOS-XE parser: golden model, verdict-deciding ACL semantics, management, bad input."""

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
    Filter,
    InterfaceKind,
    SwitchportMode,
)
from netaudit.parsers import cisco_ios
from netaudit.serialize import to_data
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cisco_ios"


def _parse(text: str) -> DeviceConfig:
    return cisco_ios.parse(text, source="t.cfg")


def _core() -> DeviceConfig:
    path = FIXTURES / "core_l3sw.cfg"
    return cisco_ios.parse(path.read_text(encoding="utf-8"), source="core_l3sw.cfg")


def _filter(dev: DeviceConfig, name: str) -> Filter:
    f = dev.filter(name)
    assert f is not None, name
    return f


def _pkt(proto: int, src: str, dst: str, **kw: int | bool | None) -> Packet:
    return Packet(
        proto=proto,
        src=ipaddress.ip_address(src),
        dst=ipaddress.ip_address(dst),
        **kw,  # type: ignore[arg-type]
    )


def _verdict(f: Filter, p: Packet) -> Action:
    return evaluate(f.rules, f.default_action, p)[0]


def _bdd_verdict(space: HeaderSpace, f: Filter, p: Packet) -> Action:
    fm = first_match(space, f.rules, f.default_action)
    return Action.PERMIT if fm.permitted.contains(p) else Action.DENY


# -- golden ---------------------------------------------------------------------------------


def test_golden_core_switch() -> None:
    dev = _core()
    assert dev.coverage.unrecognized == ()
    assert_golden("cisco_ios/core_l3sw.json", to_data(dev))


def test_name_and_platform() -> None:
    dev = _core()
    assert dev.hostname == "city-core-sw01"
    assert dev.name == "city-core-sw01"
    assert dev.platform == "cisco_ios"
    assert cisco_ios.parse("hostname r1\n", source="x", name="given").name == "given"


# -- ACL semantics, checked packet by packet and through the BDD ---------------------------


def test_implicit_deny_at_end(space: HeaderSpace) -> None:
    f = _filter(_core(), "ACL-MYNUMBER")
    assert f.default_action is Action.DENY and f.default_span is None
    dev = _parse("ip access-list extended A\n permit tcp any any eq 80\n")
    acl = _filter(dev, "A")
    udp = _pkt(PROTO_UDP, "10.0.0.1", "10.0.0.2", sport=5000, dport=80)
    web = _pkt(PROTO_TCP, "10.0.0.1", "10.0.0.2", sport=5000, dport=80)
    assert _verdict(acl, udp) is Action.DENY
    assert _bdd_verdict(space, acl, udp) is Action.DENY
    assert _bdd_verdict(space, acl, web) is Action.PERMIT


def test_sequence_numbers_order_first_match(space: HeaderSpace) -> None:
    # "15 deny tcp any any eq telnet" is written last but sits before 20/60.
    f = _filter(_core(), "ACL-GYOMU-IN")
    assert [r.name for r in f.rules] == ["10", "15", "20", "30", "40", "50", "60"]
    telnet = _pkt(PROTO_TCP, "10.10.3.3", "10.30.0.80", sport=40000, dport=23)
    assert _verdict(f, telnet) is Action.DENY
    assert _bdd_verdict(space, f, telnet) is Action.DENY


def test_unnumbered_entry_gets_highest_plus_ten() -> None:
    dev = _parse(
        "ip access-list extended A\n 30 permit udp any any\n permit tcp any any\n"
        " 5 deny ip any any\n no 30\n"
    )
    assert [r.name for r in _filter(dev, "A").rules] == ["5", "40"]


def test_object_group_nested_and_ordering(space: HeaderSpace) -> None:
    f = _filter(_core(), "ACL-GYOMU-IN")
    # Deny 10.10/16 -> my-number servers (group with host, subnet and range) first.
    to_server = _pkt(PROTO_TCP, "10.10.3.3", "10.20.2.5", sport=40000, dport=443)
    outside_range = _pkt(PROTO_TCP, "10.10.3.3", "10.20.2.7", sport=40000, dport=443)
    assert _verdict(f, to_server) is Action.DENY
    assert _verdict(f, outside_range) is Action.PERMIT
    assert _bdd_verdict(space, f, outside_range) is Action.PERMIT
    # Service group: tcp source 1024-65535 to 8080.
    alt = _pkt(PROTO_TCP, "1.1.1.1", "10.30.0.80", sport=2000, dport=8080)
    low_src = _pkt(PROTO_TCP, "1.1.1.1", "10.30.0.80", sport=80, dport=8080)
    assert _verdict(f, alt) is Action.PERMIT
    assert _verdict(f, low_src) is Action.DENY


def test_nested_group_object() -> None:
    dev = _parse(
        "object-group network INNER\n host 10.0.0.1\n"
        "object-group network OUTER\n group-object INNER\n 10.1.0.0 255.255.0.0\n"
        "ip access-list extended A\n permit ip object-group OUTER any\n"
    )
    src = _filter(dev, "A").rules[0].match.src
    assert set(map(str, src.networks)) == {"10.0.0.1/32", "10.1.0.0/16"}
    assert dev.warnings == ()


def test_undefined_object_group_is_unresolved_with_warning(space: HeaderSpace) -> None:
    dev = _parse(
        "ip access-list extended A\n permit ip object-group NOPE any\n permit tcp any any\n"
    )
    rule = _filter(dev, "A").rules[0]
    assert "object-group NOPE" in rule.unresolved
    w = [w for w in dev.warnings if "NOPE" in w.message]
    assert w and w[0].matters and w[0].span.line == 2
    fm = first_match(space, _filter(dev, "A").rules, Action.DENY)
    assert fm.unresolved_rules == (rule,)


def test_non_contiguous_wildcard_is_exact(space: HeaderSpace) -> None:
    f = _filter(_core(), "ACL-FROM-INTERNET")
    # deny ip 10.0.0.1 0.0.255.0 any: 10.0.X.1 for every X, nothing else.
    rule = f.rules[1]
    assert len(rule.match.src.networks) == 256
    hit = _pkt(PROTO_TCP, "10.0.77.1", "192.0.2.2", sport=1, dport=443)
    miss = _pkt(PROTO_TCP, "10.0.77.2", "192.0.2.2", sport=1, dport=443)
    rules = (rule,)
    assert evaluate(rules, Action.PERMIT, hit)[0] is Action.DENY
    assert evaluate(rules, Action.PERMIT, miss)[0] is Action.PERMIT
    fm = first_match(space, rules, Action.PERMIT)
    assert not fm.permitted.contains(hit) and fm.permitted.contains(miss)


def test_wildcard_too_wide_is_unresolved() -> None:
    dev = _parse("ip access-list extended A\n deny ip 10.0.0.0 255.255.0.255 any\n")
    rule = _filter(dev, "A").rules[0]
    assert rule.match.src.networks == () and rule.match.src.unresolved
    assert any(w.matters and "4096" in w.message for w in dev.warnings)


def test_ports_protocols_and_icmp() -> None:
    f = _filter(_core(), "ACL-MYNUMBER")
    est = _pkt(PROTO_TCP, "8.8.8.8", "10.20.0.5", sport=443, dport=50000, established=True)
    syn = _pkt(PROTO_TCP, "8.8.8.8", "10.20.0.5", sport=443, dport=50000)
    assert _verdict(f, est) is Action.PERMIT
    # "neq 22" source and "gt 1023" destination.
    assert _verdict(f, syn) is Action.PERMIT
    from_ssh = _pkt(PROTO_TCP, "8.8.8.8", "10.20.0.5", sport=22, dport=50000)
    assert _verdict(f, from_ssh) is Action.DENY
    # "syslog" is UDP 514; "esp" is protocol 50; 112 by number.
    assert _verdict(f, _pkt(PROTO_UDP, "1.1.1.1", "2.2.2.2", sport=9, dport=514)) is Action.PERMIT
    assert _verdict(f, _pkt(50, "1.1.1.1", "2.2.2.2")) is Action.PERMIT
    assert _verdict(f, _pkt(112, "1.1.1.1", "2.2.2.2")) is Action.PERMIT
    g = _filter(_core(), "ACL-GYOMU-IN")
    echo = _pkt(PROTO_ICMP, "1.1.1.1", "2.2.2.2", icmp_type=8, icmp_code=0)
    reply = _pkt(PROTO_ICMP, "1.1.1.1", "2.2.2.2", icmp_type=0, icmp_code=0)
    port_unr = _pkt(PROTO_ICMP, "1.1.1.1", "2.2.2.2", icmp_type=3, icmp_code=3)
    host_unr = _pkt(PROTO_ICMP, "1.1.1.1", "2.2.2.2", icmp_type=3, icmp_code=1)
    assert _verdict(g, echo) is Action.PERMIT
    assert _verdict(g, reply) is Action.DENY
    assert _verdict(g, port_unr) is Action.PERMIT
    assert _verdict(g, host_unr) is Action.DENY
    # "eq www 443": several ports after eq are a union.
    assert g.rules[2].match.services[0].dst_ports == ((80, 80), (443, 443))


@pytest.mark.parametrize(
    ("entry", "proto", "ports"),
    [
        ("permit tcp any any eq cmd", PROTO_TCP, ((514, 514),)),
        ("permit udp any any eq bootps", PROTO_UDP, ((67, 67),)),
        ("permit udp any any eq ntp", PROTO_UDP, ((123, 123),)),
        ("permit udp any any eq snmp", PROTO_UDP, ((161, 161),)),
        ("permit udp any any eq tftp", PROTO_UDP, ((69, 69),)),
        ("permit tcp any any eq ftp-data", PROTO_TCP, ((20, 20),)),
        ("permit tcp any any eq pop3", PROTO_TCP, ((110, 110),)),
        ("permit tcp any any lt 1024", PROTO_TCP, ((0, 1023),)),
        ("permit tcp any any range telnet smtp", PROTO_TCP, ((23, 25),)),
    ],
)
def test_port_names(entry: str, proto: int, ports: tuple[tuple[int, int], ...]) -> None:
    dev = _parse(f"ip access-list extended A\n {entry}\n")
    svc = _filter(dev, "A").rules[0].match.services[0]
    assert (svc.protocol, svc.dst_ports) == (proto, ports)


def test_icmp_type_and_code_numbers() -> None:
    dev = _parse(
        "access-list 101 permit icmp any any 3 4\naccess-list 101 permit icmp any any 11\n"
    )
    a, b = _filter(dev, "101").rules
    assert (a.match.services[0].icmp_type, a.match.services[0].icmp_code) == (3, 4)
    assert (b.match.services[0].icmp_type, b.match.services[0].icmp_code) == (11, None)


def test_numbered_standard_and_extended_ranges() -> None:
    dev = _parse(
        "access-list 1300 permit 10.0.0.0 0.0.0.255\n"
        "access-list 2000 deny tcp any any\n"
        "access-list 700 permit 0000.0000.0001 0000.0000.0000\n"
    )
    std = _filter(dev, "1300")
    assert std.extras["type"] == "standard"
    assert str(std.rules[0].match.src.networks[0]) == "10.0.0.0/24"
    assert _filter(dev, "2000").extras["type"] == "extended"
    assert dev.filter("700") is None
    assert [u.line for u in dev.coverage.unrecognized] == [3]


def test_log_and_remark() -> None:
    f = _filter(_core(), "ACL-GYOMU-IN")
    assert f.rules[0].log and not f.rules[1].log
    m = _filter(_core(), "ACL-MYNUMBER")
    assert m.rules[-1].log and m.rules[-1].extras["log"] == "log-input"


def test_unmodelled_qualifier_makes_rule_unresolved() -> None:
    dev = _core()
    rule = _filter(dev, "ACL-FROM-INTERNET").rules[-1]
    assert rule.unresolved == ("dscp ef",)
    assert any(w.matters and "dscp" in w.message for w in dev.warnings)


def test_dynamic_and_reflexive_are_unknown_with_warning() -> None:
    dev = _parse(
        "ip access-list extended A\n permit tcp any any reflect RX\n evaluate RX\n"
        "access-list 101 dynamic TEST permit ip any any\n"
    )
    assert {u.line for u in dev.coverage.unrecognized} == {3, 4}
    assert sum(w.matters for w in dev.warnings) == 2
    assert _filter(dev, "A").rules[0].extras["reflect"] == "RX"


def test_ipv6_acl_has_implicit_nd_permits() -> None:
    f = _filter(_core(), "V6-GYOMU")
    assert f.extras["address_family"] == "ipv6"
    na = _pkt(PROTO_ICMPV6, "fe80::1", "fe80::2", icmp_type=136, icmp_code=0)
    echo = _pkt(PROTO_ICMPV6, "2001:db8:10::5", "2001:db8:20::5", icmp_type=128, icmp_code=0)
    web = _pkt(PROTO_TCP, "2001:db8:10::5", "2001:db8:20::5", sport=40000, dport=443)
    # "deny ipv6 any any" is written last, so the implicit ND permits never match.
    assert _verdict(f, na) is Action.DENY
    assert _verdict(f, echo) is Action.DENY
    assert _verdict(f, web) is Action.PERMIT
    only = _filter(_parse("ipv6 access-list B\n permit tcp any any eq 22\n"), "B")
    assert _verdict(only, na) is Action.PERMIT
    assert _verdict(only, echo) is Action.DENY


def test_undefined_acl_binding_permits_everything(space: HeaderSpace) -> None:
    dev = _core()
    binding = [b for b in dev.bindings if b.filter == "ACL-NOT-DEFINED"]
    assert binding and binding[0].direction is Direction.OUT
    f = _filter(dev, "ACL-NOT-DEFINED")
    assert f.rules == () and f.default_action is Action.PERMIT
    assert f.extras["synthetic"] == "undefined-acl"
    any_pkt = _pkt(PROTO_UDP, "1.2.3.4", "5.6.7.8", sport=1, dport=2)
    assert _bdd_verdict(space, f, any_pkt) is Action.PERMIT
    warn = [w for w in dev.warnings if "ACL-NOT-DEFINED" in w.message]
    assert warn and warn[0].matters and warn[0].span.line == 115


def test_empty_acl_permits_everything() -> None:
    f = _filter(_core(), "ACL-EMPTY")
    assert f.default_action is Action.PERMIT and f.extras["empty"] is True


def test_deleted_acl_is_gone() -> None:
    dev = _parse(
        "ip access-list extended A\n permit ip any any\nno ip access-list extended A\n"
        "ip access-list extended A\n deny tcp any any\n"
    )
    assert [r.action for r in _filter(dev, "A").rules] == [Action.DENY]


# -- interfaces, VLANs, routes ----------------------------------------------------------------


def test_interfaces() -> None:
    dev = _core()
    po = dev.interface("Port-channel1")
    assert po is not None and po.kind is InterfaceKind.PORT_CHANNEL
    assert po.mode is SwitchportMode.TRUNK and po.native_vlan == 99
    assert po.trunk_vlans == frozenset({10, 20, 30, 99})
    gi23 = dev.interface("GigabitEthernet1/0/23")
    assert gi23 is not None and gi23.trunk_vlans is not None
    assert 20 not in gi23.trunk_vlans and 19 in gi23.trunk_vlans and 101 not in gi23.trunk_vlans
    assert gi23.extras["channel_group"] == 1
    gi3 = dev.interface("GigabitEthernet1/0/3")
    assert gi3 is not None and not gi3.enabled and gi3.access_vlan == 999
    sub = dev.interface("GigabitEthernet0/1.30")
    assert sub is not None and sub.kind is InterfaceKind.SUBINTERFACE
    assert (sub.vlan, sub.parent, sub.vrf) == (30, "GigabitEthernet0/1", "INET")
    svi = dev.interface("Vlan10")
    assert svi is not None and svi.kind is InterfaceKind.SVI and svi.vlan == 10
    assert [str(a) for a in svi.addresses] == ["10.10.0.1/24", "10.10.1.1/24", "2001:db8:10::1/64"]
    mgmt = dev.interface("GigabitEthernet0/0")
    assert mgmt is not None and mgmt.vrf == "Mgmt-vrf"
    routed = dev.interface("GigabitEthernet1/0/24")
    assert routed is not None and routed.mode is SwitchportMode.ROUTED
    assert dev.bound("Vlan10", Direction.IN)[1].filter == "V6-GYOMU"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["switchport trunk allowed vlan all"], set(range(1, 4095))),
        (["switchport trunk allowed vlan none"], set()),
        (["switchport trunk allowed vlan except 2-4094"], {1}),
        (["switchport trunk allowed vlan 5", "switchport trunk allowed vlan add 7-8"], {5, 7, 8}),
        ([], set(range(1, 4095))),
    ],
)
def test_trunk_allowed(lines: list[str], expected: set[int]) -> None:
    body = "".join(f" {ln}\n" for ln in ["switchport mode trunk", *lines])
    itf = _parse(f"interface GigabitEthernet0/1\n{body}").interface("GigabitEthernet0/1")
    assert itf is not None and itf.trunk_vlans == frozenset(expected)


def test_access_port_defaults_to_vlan_1_and_dtp_recorded() -> None:
    dev = _parse(
        "interface FastEthernet0/1\n switchport mode access\n"
        "interface FastEthernet0/2\n switchport mode dynamic desirable\n"
    )
    a, b = dev.interfaces
    assert a.access_vlan == 1 and b.extras["dtp"] == "desirable"


def test_vlans() -> None:
    dev = _core()
    assert [(v.id, v.name) for v in dev.vlans[:4]] == [
        (10, "LGWAN-GYOMU"),
        (20, "KOJIN-BANGO"),
        (30, "INTERNET-SEGMENT"),
        (99, "MGMT"),
    ]
    assert [v.id for v in dev.vlans[4:]] == [100, 200, 201, 202]


def test_routes() -> None:
    routes = _core().routes
    default, backup, null, vrf, v6 = routes
    assert str(default.next_hop) == "192.0.2.1" and default.interface is None
    assert backup.interface == "GigabitEthernet1/0/24" and backup.distance == 200
    assert null.discard and null.interface == "Null0"
    assert vrf.vrf == "INET"
    assert str(v6.prefix) == "::/0" and str(v6.next_hop) == "2001:db8:10::ffff"


# -- management -----------------------------------------------------------------------------------


def test_management() -> None:
    m = _core().mgmt
    by = {(s.protocol, s.span.line): s for s in m.services}
    assert not by[("telnet", 209)].enabled and by[("ssh", 209)].enabled
    assert by[("telnet", 214)].enabled and by[("ssh", 214)].acl == "MGMT-HOSTS"
    assert by[("ssh", 209)].version == "2"
    assert by[("http", 145)].enabled and by[("http", 145)].acl == "10"
    public, rw = m.snmp_communities
    assert public.guessable and not public.write and public.acl == "10"
    assert rw.write and not rw.guessable and rw.acl == "MGMT-HOSTS"
    storages = {c.kind + ":" + (c.user or ""): c.storage for c in m.credentials}
    assert storages == {
        "enable-secret:": CredentialStorage.HASHED,
        "user-secret:admin": CredentialStorage.HASHED,
        "user-password:operator": CredentialStorage.REVERSIBLE,
        "line-password:": CredentialStorage.REVERSIBLE,
    }
    assert m.syslog_hosts == ("172.16.99.50", "172.16.99.51")
    assert m.ntp_servers == ("172.16.99.123", "133.243.238.164")
    assert m.aaa is True and m.banner is True and m.password_encryption is True


def test_plain_credentials_and_disabled_http() -> None:
    dev = _parse(
        "enable password cisco\nenable secret 0 s3cret\nusername u password 0 pw\n"
        "no ip http server\nno ip http secure-server\nno service password-encryption\n"
        "line vty 0 4\n transport input all\n"
    )
    m = dev.mgmt
    assert [c.storage for c in m.credentials] == [CredentialStorage.PLAIN] * 3
    assert [(s.protocol, s.enabled) for s in m.services] == [
        ("telnet", True),
        ("ssh", True),
        ("http", False),
        ("https", False),
    ]
    assert m.password_encryption is False


def test_no_secret_anywhere_in_the_model() -> None:
    text = json.dumps(to_data(_core()), ensure_ascii=False)
    for secret in ("Zx9-kanri", "0822455D0A16", "094F471A1A0A", "$9$abcdefghijklmn", "$8$xyz"):
        assert secret not in text
    dev = _parse("snmp-server community s3cr3t-comm RO\nsnmp-server community bad\n")
    assert "s3cr3t" not in json.dumps(to_data(dev))


def test_banner_lines_are_understood() -> None:
    dev = _parse(
        "hostname r\nbanner login #\n  !! keep out !!\n interface Fake\n#\nbanner exec ^Chello^C\n"
    )
    assert dev.coverage.unrecognized == () and dev.mgmt.banner is True
    assert dev.interfaces == ()


def test_unknown_lines_stay_unknown() -> None:
    dev = _parse(
        "hostname r\ncrypto map CM 10 ipsec-isakmp\n set peer 1.1.1.1\n"
        "interface Gi0/1\n ip inspect FW in\n frobnicate 7\nwidget on\n"
    )
    assert [u.line for u in dev.coverage.unrecognized] == [2, 3, 5, 6, 7]


def test_irrelevant_lines_are_ok() -> None:
    dev = _parse(
        "version 15.2\nboot system flash:x.bin\nservice timestamps log datetime\n"
        "no ip domain lookup\nclock timezone JST 9 0\nspanning-tree mode rapid-pvst\n"
        "ip domain name example.jp\ncdp run\ninterface Gi0/1\n speed 100\n duplex full\n"
        " negotiation auto\n no ip address\n switchport\n cdp enable\nend\n"
    )
    assert dev.coverage.unrecognized == ()


# -- detection and bad input -------------------------------------------------------------------


def test_detect() -> None:
    text = (FIXTURES / "core_l3sw.cfg").read_text(encoding="utf-8")
    assert cisco_ios.detect(text) >= 80
    nxos = "feature ssh\nvrf context management\ninterface Ethernet1/1\n ip address 10.0.0.1/24\n"
    asa = "ASA Version 9.8(2)\nhostname fw\ninterface GigabitEthernet0/0\n nameif outside\n"
    assert cisco_ios.detect(nxos) < 20
    assert cisco_ios.detect(asa) < 20
    assert cisco_ios.detect("config system global\n    set hostname fg\nend\n") == 0


def test_truncated_file_gives_partial_model() -> None:
    text = (FIXTURES / "core_l3sw.cfg").read_text(encoding="utf-8")
    cut = text[: text.index("ip access-list extended ACL-MYNUMBER") + 80]
    dev = cisco_ios.parse(cut, source="cut.cfg")
    assert dev.interface("Vlan10") is not None
    assert len(_filter(dev, "ACL-MYNUMBER").rules) == 1
    assert dev.coverage.unrecognized[-1].text == "permit tcp"
    assert any(w.matters and "truncated" in w.message for w in dev.warnings)
    assert not any("truncated" in w.message for w in _core().warnings)
    assert any("undefined ACL ACL-FROM-INTERNET" in w.message for w in dev.warnings)


def test_unterminated_banner_warns() -> None:
    dev = _parse("banner motd ^C\nhello\ninterface Vlan1\n ip address 10.0.0.1 255.255.255.0\n")
    assert any("banner" in w.message for w in dev.warnings)
    assert dev.interface("Vlan1") is not None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "interface Gi0/1",
                " ip address 1.2.3.4",
                " ip address x y",
                " switchport trunk allowed vlan 9999",
                " encapsulation dot1Q",
                "ip access-list extended",
                " permit tcp any any eq",
                " 10 deny ip host",
                " permit icmp any any 999",
                "access-list 10 permit",
                "access-list 101 permit tcp any range 5",
                "object-group network",
                " range 1.1.1.1",
                " group-object",
                "ip route 1.1.1.0",
                "ip route vrf",
                "ipv6 route zz",
                "snmp-server community",
                "username",
                "enable secret",
                "line vty",
                " transport input",
                "banner motd #",
                "vlan 1-2-3",
                "!",
                "",
            ]
        ),
        max_size=30,
    )
)
def test_never_raises_on_odd_input(lines: list[str]) -> None:
    dev = _parse("\n".join(lines))
    assert dev.platform == "cisco_ios"


def test_nat_static_and_dynamic() -> None:
    dev = _parse(
        "ip nat pool P1 203.0.113.10 203.0.113.13 netmask 255.255.255.0\n"
        "access-list 10 permit 10.0.0.0 0.255.255.255\n"
        "ip nat inside source static 10.1.1.10 203.0.113.80\n"
        "ip nat inside source static tcp 10.1.1.11 8080 203.0.113.81 80 extendable\n"
        "ip nat inside source static network 10.2.0.0 198.51.100.0 /24 vrf V\n"
        "ip nat inside source list 10 pool P1 overload\n"
        "ip nat inside source list 99 interface GigabitEthernet0/0 overload\n"
    )
    assert dev.coverage.unrecognized == ()
    static, port, net, dyn, iface = dev.nat
    assert [str(n) for n in static.translated_src or ()] == ["203.0.113.80/32"]
    assert str(static.match.src.networks[0]) == "10.1.1.10/32"
    assert port.match.services[0].src_ports == ((8080, 8080),)
    assert port.extras["translated_src_port"] == 80
    assert str(net.match.src.networks[0]) == "10.2.0.0/24" and net.extras["vrf"] == "V"
    assert [str(n) for n in dyn.translated_src or ()] == ["203.0.113.10/31", "203.0.113.12/31"]
    assert dyn.match.unresolved == ("access-list 10",) and dyn.extras["overload"] is True
    assert iface.extras["interface"] == "GigabitEthernet0/0"
    assert any(w.matters and "undefined ACL 99" in w.message for w in dev.warnings)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1).filter(lambda w: bin(w).count("1") <= 16),
    st.integers(0, 2**32 - 1),
)
def test_wildcard_expansion_matches_bitwise_definition(addr: int, wc: int, probe: int) -> None:
    from netaudit.parsers._cisco_common import wildcard_networks

    nets = wildcard_networks(str(ipaddress.IPv4Address(addr)), str(ipaddress.IPv4Address(wc)))
    if nets is None:
        return  # more than 4096 networks: reported unresolved (tested above)
    mask = ~wc & 0xFFFFFFFF
    expected = (probe & mask) == (addr & mask)
    ip = ipaddress.IPv4Address(probe)
    assert any(ip in n for n in nets) == expected
    # The probe's own "twin" (its wildcard bits forced to the address's) is always inside.
    twin = ipaddress.IPv4Address((probe & wc) | (addr & mask))
    assert any(twin in n for n in nets)
