"""Cisco ASA parser: golden model, security-level semantics, ACL binding order, bad input."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from netaudit.flow import HeaderSpace, Packet, evaluate, first_match
from netaudit.model import (
    Action,
    CredentialStorage,
    DeviceConfig,
    Direction,
    InterfaceKind,
    NatKind,
    Rule,
)
from netaudit.parsers import cisco_asa
from netaudit.serialize import to_data
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cisco_asa"

IOS = """\
version 15.2
hostname r1
interface GigabitEthernet0/0
 ip address 10.0.0.1 255.255.255.0
 ip access-group 101 in
access-list 101 permit tcp any any eq 22
ip access-list extended WEB
 permit tcp any any eq 80
line vty 0 4
 transport input ssh
"""


def _parse(text: str) -> DeviceConfig:
    return cisco_asa.parse(text, source="t.cfg")


def _pkt(src: str, dst: str, dport: int = 80, proto: int = 6) -> Packet:
    return Packet(
        proto=proto,
        src=ipaddress.ip_address(src),
        dst=ipaddress.ip_address(dst),
        sport=50000 if proto in (6, 17) else None,
        dport=dport if proto in (6, 17) else None,
        icmp_type=8 if proto == 1 else None,
        icmp_code=0 if proto == 1 else None,
    )


def _policy_rules(dev: DeviceConfig, i: str, o: str) -> list[Rule]:
    assert dev.policy is not None
    return [
        r
        for r in dev.policy.rules
        if (r.in_interfaces is None or i in r.in_interfaces)
        and (r.out_interfaces is None or o in r.out_interfaces)
    ]


def verdict(dev: DeviceConfig, i: str, o: str, p: Packet) -> Action:
    """What the device does with a new connection entering ``i`` and leaving ``o``."""
    for b in dev.bound(i, Direction.IN):
        f = dev.filter(b.filter)
        assert f is not None
        if evaluate(f.rules, f.default_action, p)[0] is Action.DENY:
            return Action.DENY
    assert dev.policy is not None
    if evaluate(_policy_rules(dev, i, o), dev.policy.default_action, p)[0] is Action.DENY:
        return Action.DENY
    for b in dev.bound(o, Direction.OUT):
        f = dev.filter(b.filter)
        assert f is not None
        if evaluate(f.rules, f.default_action, p)[0] is Action.DENY:
            return Action.DENY
    return Action.PERMIT


LEVELS = """\
ASA Version 9.8(2)
hostname lv
interface GigabitEthernet0/0
 nameif outside
 security-level 0
 ip address 203.0.113.1 255.255.255.0
interface GigabitEthernet0/1
 nameif inside
 ip address 192.168.1.1 255.255.255.0
interface GigabitEthernet0/2
 nameif dmz
 security-level 50
 ip address 172.16.1.1 255.255.255.0
interface GigabitEthernet0/3
 nameif dmz2
 security-level 50
 ip address 172.16.2.1 255.255.255.0
"""
OUT, IN, DMZ, DMZ2 = (f"GigabitEthernet0/{n}" for n in range(4))


def test_golden_city_fw1() -> None:
    text = (FIXTURES / "city-fw1.cfg").read_text(encoding="utf-8")
    dev = cisco_asa.parse(text, source="city-fw1.cfg")
    assert_golden("cisco_asa/city-fw1.json", to_data(dev))
    assert dev.name == "city-fw1"
    assert dev.coverage.share > 0.95


def test_detect_scores_asa_high_and_ios_low() -> None:
    text = (FIXTURES / "city-fw1.cfg").read_text(encoding="utf-8")
    assert cisco_asa.detect(text) >= 90
    assert cisco_asa.detect(LEVELS.replace("ASA Version 9.8(2)\n", "")) >= 80
    assert cisco_asa.detect(IOS) == 0
    # an IOS text that happens to use ASA-like ACL lines is left to the IOS parser
    assert cisco_asa.detect(IOS + "access-list AL extended permit ip any any\n") <= 20


def test_higher_to_lower_is_implicitly_permitted() -> None:
    dev = _parse(LEVELS)
    assert verdict(dev, IN, OUT, _pkt("192.168.1.5", "8.8.8.8")) is Action.PERMIT
    assert verdict(dev, DMZ, OUT, _pkt("172.16.1.5", "8.8.8.8")) is Action.PERMIT
    iface = dev.interface(IN)
    assert iface is not None and iface.extras["security_level"] == 100  # "inside" default


def test_lower_to_higher_is_denied_without_acl() -> None:
    dev = _parse(LEVELS)
    assert verdict(dev, OUT, IN, _pkt("8.8.8.8", "192.168.1.5")) is Action.DENY
    assert verdict(dev, OUT, DMZ, _pkt("8.8.8.8", "172.16.1.5")) is Action.DENY


def test_equal_levels_denied_unless_same_security_traffic() -> None:
    dev = _parse(LEVELS)
    assert verdict(dev, DMZ, DMZ2, _pkt("172.16.1.5", "172.16.2.5")) is Action.DENY
    assert verdict(dev, DMZ, DMZ, _pkt("172.16.1.5", "172.16.1.6")) is Action.DENY
    dev = _parse(LEVELS + "same-security-traffic permit inter-interface\n")
    assert verdict(dev, DMZ, DMZ2, _pkt("172.16.1.5", "172.16.2.5")) is Action.PERMIT
    assert verdict(dev, DMZ, DMZ, _pkt("172.16.1.5", "172.16.1.6")) is Action.DENY
    dev = _parse(LEVELS + "same-security-traffic permit intra-interface\n")
    assert verdict(dev, DMZ, DMZ, _pkt("172.16.1.5", "172.16.1.6")) is Action.PERMIT
    assert verdict(dev, DMZ, DMZ2, _pkt("172.16.1.5", "172.16.2.5")) is Action.DENY


def test_bound_inbound_acl_decides_both_ways() -> None:
    dev = _parse(
        LEVELS
        + "access-list OUT_IN extended permit tcp any host 172.16.1.10 eq https\n"
        + "access-list IN_IN extended permit tcp any any eq www\n"
        + "access-group OUT_IN in interface outside\n"
        + "access-group IN_IN in interface inside\n"
    )
    # lower -> higher now allowed by the ACL, only for what it permits
    assert verdict(dev, OUT, DMZ, _pkt("8.8.8.8", "172.16.1.10", 443)) is Action.PERMIT
    assert verdict(dev, OUT, DMZ, _pkt("8.8.8.8", "172.16.1.10", 22)) is Action.DENY
    # higher -> lower no longer implicitly permitted: the ACL's implicit deny applies
    assert verdict(dev, IN, OUT, _pkt("192.168.1.5", "8.8.8.8", 80)) is Action.PERMIT
    assert verdict(dev, IN, OUT, _pkt("192.168.1.5", "8.8.8.8", 25)) is Action.DENY
    # same-security check stays in force even when an ACL permits
    dev2 = _parse(
        LEVELS
        + "access-list DMZ_IN extended permit ip any any\n"
        + "access-group DMZ_IN in interface dmz\n"
    )
    assert verdict(dev2, DMZ, DMZ2, _pkt("172.16.1.5", "172.16.2.5")) is Action.DENY
    assert verdict(dev2, DMZ, IN, _pkt("172.16.1.5", "192.168.1.5")) is Action.PERMIT


def test_global_acl_only_removes_implicit_permit() -> None:
    dev = _parse(
        LEVELS + "access-list G extended permit tcp any any eq ssh\n" + "access-group G global\n"
    )
    assert {b.interface for b in dev.bindings} == {OUT, IN, DMZ, DMZ2}
    assert verdict(dev, IN, OUT, _pkt("192.168.1.5", "8.8.8.8", 80)) is Action.DENY
    assert verdict(dev, IN, OUT, _pkt("192.168.1.5", "8.8.8.8", 22)) is Action.PERMIT
    assert verdict(dev, OUT, IN, _pkt("8.8.8.8", "192.168.1.5", 22)) is Action.PERMIT


def test_interface_acl_then_global_acl_then_implicit_deny(space: HeaderSpace) -> None:
    dev = _parse(
        LEVELS
        + "access-list OUT_IN extended deny tcp any any eq ssh\n"
        + "access-list OUT_IN extended permit tcp any any eq www\n"
        + "access-list G extended permit tcp any any eq ssh\n"
        + "access-list G extended permit tcp any any eq smtp\n"
        + "access-group OUT_IN in interface outside\n"
        + "access-group G global\n"
    )
    (b,) = dev.bound(OUT, Direction.IN)
    f = dev.filter(b.filter)
    assert f is not None and f.name == "OUT_IN+G"
    assert f.rules[0].span.text == "access-list OUT_IN extended deny tcp any any eq ssh"
    fm = first_match(space, f.rules, f.default_action)
    assert not fm.permitted.contains(_pkt("8.8.8.8", "192.168.1.5", 22))  # interface deny first
    assert fm.permitted.contains(_pkt("8.8.8.8", "192.168.1.5", 80))
    assert fm.permitted.contains(_pkt("8.8.8.8", "192.168.1.5", 25))  # from the global ACL
    assert not fm.permitted.contains(_pkt("8.8.8.8", "192.168.1.5", 443))
    # interfaces without their own ACL get the global one alone
    (bi,) = dev.bound(IN, Direction.IN)
    assert bi.filter == "G"


def test_inactive_entry_is_disabled(space: HeaderSpace) -> None:
    dev = _parse(
        LEVELS
        + "access-list A extended permit tcp any any eq telnet inactive\n"
        + "access-list A extended permit tcp any any eq ssh log\n"
        + "access-group A in interface outside\n"
    )
    f = dev.filter("A")
    assert f is not None
    assert [r.enabled for r in f.rules] == [False, True]
    assert f.rules[1].log
    fm = first_match(space, f.rules, f.default_action)
    assert not fm.permitted.contains(_pkt("1.1.1.1", "2.2.2.2", 23))
    assert fm.permitted.contains(_pkt("1.1.1.1", "2.2.2.2", 22))


def test_objects_groups_and_services() -> None:
    text = (FIXTURES / "city-fw1.cfg").read_text(encoding="utf-8")
    dev = cisco_asa.parse(text, source="city-fw1.cfg")
    f = dev.filter("OUTSIDE_IN")
    assert f is not None
    web = f.rules[0]
    assert {str(n) for n in web.match.dst.networks} == {"172.16.1.10/32", "172.16.1.11/32"}
    assert web.match.services[0].dst_ports == ((80, 80), (443, 443), (8080, 8081))
    assert web.extras["remark"] == "公開Webへのアクセス"
    mail = f.rules[1]
    assert {(s.protocol, s.dst_ports) for s in mail.match.services} == {
        (6, ((25, 25),)),
        (6, ((8443, 8443),)),
    }
    icmp = f.rules[2]
    assert {s.icmp_type for s in icmp.match.services} == {0, 8}
    juki = f.rules[3]
    assert [str(n) for n in juki.match.dst.networks] == ["192.168.10.20/32"]  # from "names"
    dmz = dev.filter("DMZ_IN")
    assert dmz is not None
    assert {s.protocol for s in dmz.rules[1].match.services} == {6, 17}
    assert [str(n) for n in dmz.rules[0].match.src.networks] == ["172.16.1.10/32", "172.16.1.11/32"]
    admin = dev.filter("GLOBAL_ACL")
    assert admin is not None
    assert len(admin.rules[0].match.src.networks) == 3  # nested group-object
    assert admin.rules[1].match.dst.unresolved == ("fqdn:update.example.jp",)


def test_interfaces_routes_nat_and_management() -> None:
    text = (FIXTURES / "city-fw1.cfg").read_text(encoding="utf-8")
    dev = cisco_asa.parse(text, source="city-fw1.cfg")
    sub = dev.interface("Port-channel1.30")
    assert sub is not None and sub.kind is InterfaceKind.SUBINTERFACE and sub.vlan == 30
    assert sub.parent == "Port-channel1"
    # management-only interfaces carry no through traffic, whatever the ACLs say
    ssh_pkt = _pkt("10.99.0.5", "10.30.0.5", 22)
    assert verdict(dev, "Management0/0", "Port-channel1.30", ssh_pkt) is Action.DENY
    assert verdict(dev, OUT, "Management0/0", _pkt("8.8.8.8", "10.99.0.5", 22)) is Action.DENY
    shut = dev.interface("GigabitEthernet0/4")
    assert shut is not None and not shut.enabled
    out = dev.interface(OUT)
    assert out is not None and out.extras["standby"] == ("203.0.113.3",)
    default = dev.routes[0]
    assert str(default.prefix) == "0.0.0.0/0" and default.interface == OUT
    assert dev.routes[1].distance == 5
    assert dev.routes[2].discard
    kinds = [(n.kind, n.name) for n in dev.nat]
    assert (NatKind.STATIC, "WEB01") in kinds and (NatKind.SOURCE, "INSIDE-NET") in kinds
    twice = dev.nat[-1]
    assert twice.in_interfaces == frozenset({IN}) and twice.translated_dst is not None
    ssh = [s for s in dev.mgmt.services if s.protocol == "ssh"]
    assert {next(iter(s.interfaces or ())) for s in ssh} == {"Management0/0", "Port-channel1.30"}
    assert any(s.protocol == "telnet" for s in dev.mgmt.services)
    assert [c.guessable for c in dev.mgmt.snmp_communities] == [True, False]
    assert {c.storage for c in dev.mgmt.credentials} == {CredentialStorage.HASHED}
    assert dev.mgmt.aaa and dev.mgmt.banner
    assert dev.mgmt.syslog_hosts == ("10.99.0.51",)


def test_secrets_never_stored() -> None:
    text = (FIXTURES / "city-fw1.cfg").read_text(encoding="utf-8")
    dump = repr(to_data(cisco_asa.parse(text, source="f")))
    for secret in ("s3cr3tCommunity", "8Ry2YjIyt7RRXU24", "GxYq0o6nUpL8CQ.D"):
        assert secret not in dump


def test_plain_username_password_is_plain() -> None:
    dev = _parse("ASA Version 9.1\nusername bob password hunter2 privilege 15\n")
    (cred,) = dev.mgmt.credentials
    assert cred.storage is CredentialStorage.PLAIN and "hunter2" not in cred.span.text


def test_undefined_references_warn_and_keep_partial_model() -> None:
    dev = _parse(
        LEVELS
        + "access-list A extended permit tcp object-group NOPE any eq ssh\n"
        + "access-list A extended permit tcp any any eq www\n"
        + "access-group A in interface outside\n"
        + "access-group MISSING in interface dmz\n"
    )
    msgs = [(w.span.line, w.message, w.matters) for w in dev.warnings]
    assert any("NOPE" in m and matters and line == 18 for line, m, matters in msgs)
    assert any("MISSING" in m and matters for _, m, matters in msgs)
    f = dev.filter("A")
    assert f is not None and len(f.rules) == 2
    assert f.rules[0].unresolved == ("NOPE",)
    # the undefined ACL is an empty list: everything entering dmz is denied
    assert verdict(dev, DMZ, OUT, _pkt("172.16.1.5", "8.8.8.8")) is Action.DENY


def test_truncated_and_garbage_input_does_not_raise() -> None:
    text = (FIXTURES / "city-fw1.cfg").read_text(encoding="utf-8")
    cut = text[: len(text) // 2]
    dev = _parse(cut)
    assert dev.hostname == "city-fw1"
    for junk in ("", "\n\n", "access-list", "access-list X extended permit", "interface\n nameif"):
        d = _parse(junk)
        assert isinstance(d, DeviceConfig)
    odd = _parse("access-list X extended permit tcp any any eq notaport\n")
    assert odd.coverage.unrecognized and odd.warnings[0].matters


def test_http_without_server_enable_is_not_enabled_and_object_nat_service() -> None:
    dev = _parse(
        LEVELS
        + "http 192.168.1.0 255.255.255.0 inside\n"
        + "object network SRV\n host 172.16.1.10\n"
        + " nat (dmz,outside) static 203.0.113.9 service tcp 8080 www\n"
    )
    (https,) = dev.mgmt.services
    assert https.protocol == "https" and not https.enabled
    (nat,) = dev.nat
    assert nat.extras["service"] == "tcp 8080 www"
    assert [str(n) for n in nat.translated_src or ()] == ["203.0.113.9/32"]
