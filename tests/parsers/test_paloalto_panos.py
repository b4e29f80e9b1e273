"""PAN-OS parser: golden model output and one test per verdict-deciding semantic."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from netaudit.flow import HeaderSpace, Packet, evaluate, first_match
from netaudit.model import (
    PROTO_TCP,
    PROTO_UDP,
    Action,
    CredentialStorage,
    DeviceConfig,
    InterfaceKind,
    NatKind,
    Rule,
)
from netaudit.parsers import fortinet, paloalto_panos
from netaudit.serialize import to_data
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "paloalto_panos"

IOS = """\
hostname r1
!
interface GigabitEthernet0/0
 ip address 10.0.0.1 255.255.255.0
!
ip route 0.0.0.0 0.0.0.0 10.0.0.254
end
"""

JUNOS_SET = """\
set system host-name srx1
set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24
set security zones security-zone trust interfaces ge-0/0/0.0
set security policies from-zone trust to-zone untrust policy p1 then permit
"""


def load(name: str) -> DeviceConfig:
    return paloalto_panos.parse((FIXTURES / name).read_text(encoding="utf-8"), source=name)


def tcp(src: str, dst: str, dport: int, sport: int = 50000) -> Packet:
    return Packet(
        proto=PROTO_TCP,
        src=ipaddress.ip_address(src),
        dst=ipaddress.ip_address(dst),
        sport=sport,
        dport=dport,
    )


def pair_rules(dev: DeviceConfig, i: str, o: str) -> list[Rule]:
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


@pytest.mark.parametrize("name", ["city_pa.xml", "branch_set.txt"])
def test_golden(name: str) -> None:
    assert_golden(f"paloalto_panos/{Path(name).stem}.json", to_data(load(name)))


def test_fixtures_fully_understood() -> None:
    for name in ("city_pa.xml", "branch_set.txt"):
        dev = load(name)
        assert dev.coverage.unrecognized == (), name
        assert dev.platform == "paloalto_panos"
    assert load("city_pa.xml").hostname == "city-pa01"


def test_intrazone_allow_interzone_deny(space: HeaderSpace) -> None:
    dev = load("city_pa.xml")
    assert dev.policy is not None
    assert dev.policy.default_action is Action.DENY and dev.policy.default_span is None
    # ethernet1/2 and ethernet1/4 share zone "trust": allowed by the intrazone default.
    act, rule = decide(dev, "ethernet1/2", "ethernet1/4", tcp("10.10.1.5", "10.10.2.5", 445))
    assert act is Action.PERMIT and rule is not None and rule.name == "intrazone-default"
    assert rule.span.path.endswith("zone/trust")
    # lgwan -> staff: no rule, interzone default deny.
    fm = first_match(
        space, pair_rules(dev, "ethernet1/3.20", "ethernet1/3.30"), dev.policy.default_action
    )
    assert fm.permitted.is_empty()


def test_intrazone_default_override() -> None:
    dev = load("branch_set.txt")
    act, rule = decide(dev, "ethernet1/1", "ethernet1/3", tcp("10.1.1.5", "10.3.1.5", 22))
    assert act is Action.DENY and rule is not None and rule.name == "intrazone-default"


def test_negate_destination_and_rule_order(space: HeaderSpace) -> None:
    dev = load("city_pa.xml")
    assert dev.policy is not None
    # The drop rule (first) covers everything but LGWAN-SRV; the allow rule then applies.
    act, rule = decide(dev, "ethernet1/2", "ethernet1/3.20", tcp("10.10.1.5", "10.20.1.99", 443))
    assert act is Action.DENY and rule is not None and rule.name == "deny-lan-to-lgwan-except-srv"
    act, rule = decide(dev, "ethernet1/2", "ethernet1/3.20", tcp("10.10.1.5", "10.20.1.15", 443))
    assert act is Action.PERMIT and rule is not None and rule.name == "lan-to-lgwan-web"
    fm = first_match(
        space, pair_rules(dev, "ethernet1/2", "ethernet1/3.20"), dev.policy.default_action
    )
    assert fm.permitted.contains(tcp("10.10.1.5", "10.20.1.15", 80))
    assert not fm.permitted.contains(tcp("10.10.1.5", "10.20.1.15", 22))


def test_negate_source_and_move_top() -> None:
    dev = load("branch_set.txt")
    assert dev.policy is not None
    assert [r.name for r in dev.policy.rules][:2] == ["first", "second"]
    # "first" resets everything NOT from NET-A; NET-A reaches "second" (tcp/8080).
    act, rule = decide(dev, "ethernet1/1", "ethernet1/2", tcp("10.9.9.9", "10.2.1.5", 8080))
    assert act is Action.DENY and rule is not None and rule.name == "first"
    act, rule = decide(dev, "ethernet1/1", "ethernet1/2", tcp("10.1.1.9", "10.2.1.5", 8080))
    assert act is Action.PERMIT and rule is not None and rule.name == "second"
    act, rule = decide(dev, "ethernet1/1", "ethernet1/2", tcp("10.1.1.9", "10.2.1.5", 80))
    assert act is Action.DENY and rule is None
    assert dev.policy.rules[0].extras["action"] == "reset-both"


def test_application_default_ports(space: HeaderSpace) -> None:
    dev = load("city_pa.xml")
    assert dev.policy is not None
    web = next(r for r in dev.policy.rules if r.name == "lan-to-lgwan-web")
    ps = space.rule(web)
    assert ps.contains(tcp("10.10.1.5", "10.20.1.15", 443))
    assert ps.contains(tcp("10.10.1.5", "10.20.1.15", 80))
    assert not ps.contains(tcp("10.10.1.5", "10.20.1.15", 8080))
    fb = next(r for r in dev.policy.rules if r.name == "block-facebook")
    assert fb.unresolved and fb.action is Action.DENY  # unknown application, layer-7 deny


def test_disabled_rule_ignored(space: HeaderSpace) -> None:
    dev = load("city_pa.xml")
    assert dev.policy is not None
    tmp = next(r for r in dev.policy.rules if r.name == "temporary-any")
    assert not tmp.enabled
    act, rule = decide(dev, "ethernet1/1", "ethernet1/3.20", tcp("198.51.100.1", "10.20.1.1", 22))
    assert act is Action.DENY and rule is None
    fm = first_match(
        space, pair_rules(dev, "ethernet1/1", "ethernet1/3.30"), dev.policy.default_action
    )
    assert fm.permitted.is_empty()


def test_services_predefined_and_source_ports(space: HeaderSpace) -> None:
    dev = load("city_pa.xml")
    assert dev.policy is not None
    proxy = next(r for r in dev.policy.rules if r.name == "proxy-out")
    ps = space.rule(proxy)
    assert ps.contains(tcp("10.10.1.50", "192.0.2.9", 8080))  # service-http: 80 and 8080
    assert ps.contains(tcp("10.10.1.50", "192.0.2.9", 8444, sport=2000))
    assert not ps.contains(tcp("10.10.1.50", "192.0.2.9", 8444, sport=80))
    assert not proxy.log  # log-end no


def test_nat_parsed() -> None:
    dev = load("city_pa.xml")
    kinds = {n.name: n for n in dev.nat}
    assert kinds["snat-out"].kind is NatKind.SOURCE
    assert kinds["snat-out"].out_interfaces == frozenset({"ethernet1/1"})
    dnat = kinds["dnat-web"]
    assert dnat.kind is NatKind.DESTINATION
    assert dnat.translated_dst == (ipaddress.ip_network("10.10.1.80/32"),)
    assert dnat.translated_dst_ports == (8443, 8443)


def test_interfaces_routes_mgmt() -> None:
    dev = load("city_pa.xml")
    sub = dev.interface("ethernet1/3.20")
    assert sub is not None and sub.kind is InterfaceKind.SUBINTERFACE
    assert sub.vlan == 20 and sub.parent == "ethernet1/3" and sub.security_zone == "lgwan"
    e4 = dev.interface("ethernet1/4")
    assert e4 is not None and not e4.enabled
    lo = dev.interface("loopback.1")
    assert lo is not None and lo.kind is InterfaceKind.LOOPBACK
    assert [(str(r.prefix), r.discard) for r in dev.routes] == [
        ("0.0.0.0/0", False),
        ("10.20.0.0/16", False),
        ("192.168.0.0/16", True),
    ]
    assert dev.routes[1].distance == 20
    by = {(s.protocol, tuple(sorted(s.interfaces or ()))): s for s in dev.mgmt.services}
    assert by[("ssh", ("ethernet1/2",))].allowed_sources == (ipaddress.ip_network("10.10.1.0/24"),)
    assert by[("telnet", ("management",))].enabled
    assert not by[("http", ("management",))].enabled
    assert ("telnet", ("ethernet1/2",)) not in by
    creds = {c.user: c.storage for c in dev.mgmt.credentials}
    assert creds == {"admin": CredentialStorage.HASHED, "auditor": CredentialStorage.NONE}
    assert dev.mgmt.snmp_communities[0].guessable
    assert dev.mgmt.syslog_hosts == ("10.10.100.30",)
    assert dev.mgmt.ntp_servers == ("10.10.100.5",)
    assert dev.mgmt.banner is True


def test_no_secret_in_model() -> None:
    dump = repr(to_data(load("city_pa.xml"))) + repr(to_data(load("branch_set.txt")))
    assert "AAAAAAAA" not in dump and "BBBBBBBB" not in dump
    assert "public" not in dump


def test_truncated_xml_partial_model() -> None:
    text = (FIXTURES / "city_pa.xml").read_text(encoding="utf-8")
    cut = text[: text.index('<entry name="proxy-out">')]
    dev = paloalto_panos.parse(cut, source="cut.xml")
    bad = [w for w in dev.warnings if w.matters and "XML" in w.message]
    assert bad and bad[0].span.line > 300
    assert dev.policy is not None
    names = [r.name for r in dev.policy.rules if "synthetic" not in r.extras]
    assert names == ["deny-lan-to-lgwan-except-srv", "lan-to-lgwan-web", "temporary-any"]
    assert dev.interface("ethernet1/2") is not None


def test_malformed_xml_never_raises() -> None:
    for text in ["<config><devices><entry name='x'>", "<config>&bogus;</config>", "<<<>>>"]:
        dev = paloalto_panos.parse(text, source="m.xml")
        assert any(w.matters for w in dev.warnings)


def test_unknown_elements_reported_with_path() -> None:
    text = """<config>
  <devices>
    <entry name="localhost.localdomain">
      <deviceconfig>
        <system>
          <hostname>fw</hostname>
          <frobnicate>yes</frobnicate>
        </system>
      </deviceconfig>
    </entry>
  </devices>
</config>
"""
    dev = paloalto_panos.parse(text, source="u.xml")
    unrec = {u.line: u.path for u in dev.coverage.unrecognized}
    assert unrec == {7: "config/devices/localhost.localdomain/deviceconfig/system/frobnicate"}


def test_undefined_zone_and_object_warn() -> None:
    text = """set zone z1 network layer3 ethernet1/1
set rulebase security rules R from z1
set rulebase security rules R to nowhere
set rulebase security rules R source NOPE
set rulebase security rules R destination any
set rulebase security rules R service NOSVC
set rulebase security rules R action allow
"""
    dev = paloalto_panos.parse(text, source="u.txt")
    msgs = [(w.span.line, w.message) for w in dev.warnings if w.matters]
    assert (3, "undefined zone nowhere") in msgs
    assert any(line == 4 and "NOPE" in m for line, m in msgs)
    assert any("NOSVC" in m for _, m in msgs)
    assert dev.policy is not None and dev.policy.rules[0].out_interfaces == frozenset()


def test_detect() -> None:
    for name in ("city_pa.xml", "branch_set.txt"):
        text = (FIXTURES / name).read_text(encoding="utf-8")
        assert paloalto_panos.detect(text) >= 80
        assert paloalto_panos.detect(text) > fortinet.detect(text)
    assert paloalto_panos.detect(IOS) == 0
    assert paloalto_panos.detect(JUNOS_SET) == 0
    forti = (
        Path(__file__).resolve().parents[1] / "fixtures" / "fortinet" / "city_fw.conf"
    ).read_text(encoding="utf-8")
    assert paloalto_panos.detect(forti) < fortinet.detect(forti)


def test_udp_literal_source_service() -> None:
    text = """set service S protocol udp port 5,6 source-port 9-10
set rulebase security rules R from any
set rulebase security rules R to any
set rulebase security rules R source 10.0.0.1-10.0.0.3
set rulebase security rules R destination any
set rulebase security rules R service S
set rulebase security rules R action allow
"""
    dev = paloalto_panos.parse(text, source="s.txt")
    assert dev.policy is not None
    r = dev.policy.rules[0]
    p = Packet(
        proto=PROTO_UDP,
        src=ipaddress.ip_address("10.0.0.3"),
        dst=ipaddress.ip_address("192.0.2.1"),
        sport=10,
        dport=6,
    )
    assert evaluate([r], Action.DENY, p)[0] is Action.PERMIT
    q = Packet(proto=PROTO_UDP, src=ipaddress.ip_address("10.0.0.4"), dst=p.dst, sport=10, dport=6)
    assert evaluate([r], Action.DENY, q)[0] is Action.DENY
