"""Juniper Junos / SRX parser: both formats, zone policies, global policies, filters, bad input."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest

from netaudit.flow import HeaderSpace, Packet, evaluate, first_match
from netaudit.model import Action, CredentialStorage, DeviceConfig, Direction, InterfaceKind, Rule
from netaudit.model import SwitchportMode as Mode
from netaudit.parsers import juniper_junos as junos
from netaudit.serialize import to_data
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "juniper_junos"
BRACES = FIXTURES / "city-srx1.conf"
SETS = FIXTURES / "city-srx1.set"

TRUST, UNTRUST, DMZ, IRB = "ge-0/0/1.10", "ge-0/0/0.0", "ge-0/0/2.0", "irb.100"


def _load(path: Path) -> DeviceConfig:
    return junos.parse(path.read_text(encoding="utf-8"), source=path.name)


def _pkt(src: str, dst: str, dport: int | None = 80, proto: int = 6) -> Packet:
    ports = proto in (6, 17)
    return Packet(
        proto=proto,
        src=ipaddress.ip_address(src),
        dst=ipaddress.ip_address(dst),
        sport=50000 if ports else None,
        dport=dport if ports else None,
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


def decide(dev: DeviceConfig, i: str, o: str, p: Packet) -> tuple[Action, str]:
    """The policy decision for a packet from interface ``i`` to ``o`` and the deciding rule."""
    assert dev.policy is not None
    action, rule = evaluate(_policy_rules(dev, i, o), dev.policy.default_action, p)
    return action, rule.name if rule is not None else "default"


def test_golden_both_formats() -> None:
    assert_golden("juniper_junos/city-srx1.conf.json", to_data(_load(BRACES)))
    assert_golden("juniper_junos/city-srx1.set.json", to_data(_load(SETS)))


def _without_spans(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_spans(v) for k, v in data.items() if k not in ("span", "default_span")}
    if isinstance(data, list):
        return [_without_spans(v) for v in data]
    return data


@pytest.mark.parametrize(
    "part", ["interfaces", "vlans", "filters", "bindings", "policy", "routes", "nat", "mgmt"]
)
def test_both_formats_give_the_same_model(part: str) -> None:
    a = to_data(getattr(_load(BRACES), part))
    b = to_data(getattr(_load(SETS), part))
    assert a, f"{part} is empty: the comparison would prove nothing"
    assert _without_spans(a) == _without_spans(b)


def test_coverage_and_format() -> None:
    for path, fmt in ((BRACES, "braces"), (SETS, "set")):
        dev = _load(path)
        assert dev.extras["format"] == fmt
        assert dev.coverage.share == 1.0, dev.coverage.unrecognized
        assert dev.name == "city-srx1"


def test_detect() -> None:
    assert junos.detect(BRACES.read_text(encoding="utf-8")) >= 90
    assert junos.detect(SETS.read_text(encoding="utf-8")) >= 90
    ios = "hostname r1\ninterface GigabitEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n"
    assert junos.detect(ios) == 0
    asa = "ASA Version 9.8\nhostname fw\naccess-list A extended permit ip any any\n"
    assert junos.detect(asa) == 0


def test_zone_policies_in_order_and_inactive_skipped() -> None:
    for dev in (_load(BRACES), _load(SETS)):
        assert decide(dev, TRUST, UNTRUST, _pkt("192.168.10.5", "8.8.8.8", 443)) == (
            Action.PERMIT,
            "ALLOW-WEB",
        )
        # ALLOW-ALL-OLD is deactivated: ssh falls through to DENY-REST
        assert decide(dev, TRUST, UNTRUST, _pkt("192.168.10.5", "8.8.8.8", 22)) == (
            Action.DENY,
            "DENY-REST",
        )
        assert dev.policy is not None
        old = next(r for r in dev.policy.rules if r.name == "ALLOW-ALL-OLD")
        assert not old.enabled
        assert next(r for r in dev.policy.rules if r.name == "ALLOW-WEB").log


def test_global_policies_come_after_zone_policies() -> None:
    dev = _load(BRACES)
    ping_out = _pkt("192.168.10.5", "8.8.8.8", proto=1)
    # trust->untrust has a catch-all DENY-REST, which wins over the global permit
    assert decide(dev, TRUST, UNTRUST, ping_out) == (Action.DENY, "DENY-REST")
    # untrust->dmz has no policy matching ICMP: the global PING-ANYWHERE decides
    assert decide(dev, UNTRUST, DMZ, _pkt("8.8.8.8", "172.16.1.10", proto=1)) == (
        Action.PERMIT,
        "PING-ANYWHERE",
    )
    # dmz->trust: no zone policy at all, global ping permit, anything else default deny-all
    assert decide(dev, DMZ, TRUST, _pkt("172.16.1.10", "192.168.10.5", proto=1))[0] is Action.PERMIT
    assert decide(dev, DMZ, TRUST, _pkt("172.16.1.10", "192.168.10.5", 445)) == (
        Action.DENY,
        "default",
    )
    # the global BLOCK-UPDATE-SITE is restricted to from-zone trust
    assert dev.policy is not None
    block = next(r for r in dev.policy.rules if r.name == "BLOCK-UPDATE-SITE")
    assert block.in_interfaces == frozenset({TRUST})
    assert block.match.dst.unresolved == ("dns-name:update.example.jp",)


def test_default_policy_permit_all_and_intrazone() -> None:
    base = """\
set system host-name t
set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24
set interfaces ge-0/0/1 unit 0 family inet address 10.0.1.1/24
set interfaces ge-0/0/2 unit 0 family inet address 10.0.2.1/24
set security zones security-zone a interfaces ge-0/0/0.0
set security zones security-zone a interfaces ge-0/0/2.0
set security zones security-zone b interfaces ge-0/0/1.0
set security policies from-zone a to-zone b policy P match application junos-ssh
set security policies from-zone a to-zone b policy P then permit
"""
    dev = junos.parse(base, source="t")
    assert dev.policy is not None and dev.policy.default_action is Action.DENY
    assert dev.policy.default_span is None
    assert decide(dev, "ge-0/0/0.0", "ge-0/0/1.0", _pkt("10.0.0.5", "10.0.1.5", 22))[0] is (
        Action.PERMIT
    )
    assert decide(dev, "ge-0/0/0.0", "ge-0/0/1.0", _pkt("10.0.0.5", "10.0.1.5", 80))[0] is (
        Action.DENY
    )
    # intra-zone traffic is not implicitly allowed on the SRX
    assert decide(dev, "ge-0/0/0.0", "ge-0/0/2.0", _pkt("10.0.0.5", "10.0.2.5", 80))[0] is (
        Action.DENY
    )
    dev = junos.parse(base + "set security policies default-policy permit-all\n", source="t")
    assert dev.policy is not None and dev.policy.default_action is Action.PERMIT
    assert dev.policy.default_span is not None and dev.policy.default_span.line == 10
    assert decide(dev, "ge-0/0/1.0", "ge-0/0/0.0", _pkt("10.0.1.5", "10.0.0.5", 80))[0] is (
        Action.PERMIT
    )


def test_unzoned_interface_passes_no_transit_traffic() -> None:
    dev = _load(BRACES)
    # ge-0/0/1.20 is in no zone (VR-ISOLATED), the default would otherwise decide
    assert decide(dev, "ge-0/0/1.20", UNTRUST, _pkt("192.168.20.5", "8.8.8.8", proto=1)) == (
        Action.DENY,
        "interfaces in no security zone",
    )
    assert decide(dev, "fxp0.0", UNTRUST, _pkt("10.99.0.5", "8.8.8.8", proto=1))[0] is Action.DENY


def test_predefined_and_custom_applications() -> None:
    dev = _load(BRACES)
    assert dev.policy is not None
    web = next(r for r in dev.policy.rules if r.name == "ALLOW-WEB")
    assert {(s.protocol, s.dst_ports) for s in web.match.services} == {
        (6, ((80, 80),)),
        (6, ((443, 443),)),
    }
    pub = next(r for r in dev.policy.rules if r.name == "PUBLISH-WEB")
    assert {(s.protocol, s.dst_ports) for s in pub.match.services} == {
        (6, ((8080, 8090),)),
        (6, ((80, 80),)),
        (17, ((53, 53),)),
    }
    upd = next(r for r in dev.policy.rules if r.name == "UPDATE")  # application-set
    assert {(s.protocol, s.dst_ports) for s in upd.match.services} == {
        (17, ((161, 161),)),
        (6, ((22, 22),)),
    }
    assert junos.PREDEFINED_APPLICATIONS["junos-ping"][0].icmp_type == 8
    assert junos.PREDEFINED_APPLICATIONS["junos-dns-tcp"][0].dst_ports == ((53, 53),)


def test_unknown_application_and_address_are_unresolved_with_warning() -> None:
    text = """\
set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24
set interfaces ge-0/0/1 unit 0 family inet address 10.0.1.1/24
set security zones security-zone a interfaces ge-0/0/0.0
set security zones security-zone b interfaces ge-0/0/1.0
set security policies from-zone a to-zone b policy P match source-address NOPE
set security policies from-zone a to-zone b policy P match destination-address any
set security policies from-zone a to-zone b policy P match application junos-made-up
set security policies from-zone a to-zone b policy P then permit
"""
    dev = junos.parse(text, source="t")
    assert dev.policy is not None
    (rule,) = [r for r in dev.policy.rules if r.name == "P"]
    assert set(rule.unresolved) == {"NOPE", "junos-made-up"}
    assert all(w.matters for w in dev.warnings)
    assert {w.span.line for w in dev.warnings} == {5, 7}


def test_address_set_nesting_and_zone_address_book(space: HeaderSpace) -> None:
    dev = _load(SETS)
    assert dev.policy is not None
    pub = next(r for r in dev.policy.rules if r.name == "PUBLISH-WEB")
    assert {str(n) for n in pub.match.dst.networks} == {
        "172.16.1.10/32",
        "172.16.1.11/32",
        "172.16.1.53/32",
    }
    upd = next(r for r in dev.policy.rules if r.name == "UPDATE")
    assert [str(n) for n in upd.match.src.networks] == ["192.168.10.0/24"]
    fm = first_match(space, _policy_rules(dev, UNTRUST, DMZ), dev.policy.default_action)
    assert fm.permitted.contains(_pkt("8.8.8.8", "172.16.1.53", 53, proto=17))
    assert not fm.permitted.contains(_pkt("8.8.8.8", "172.16.1.54", 53, proto=17))


def test_deactivate_whole_zone_pair_in_set_format() -> None:
    text = """\
set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24
set security zones security-zone u interfaces ge-0/0/0.0
set security policies from-zone u to-zone u policy p match application any
set security policies from-zone u to-zone u policy p then permit
deactivate security policies from-zone u to-zone u
"""
    dev = junos.parse(text, source="t")
    assert dev.policy is not None
    assert [r.enabled for r in dev.policy.rules if r.name == "p"] == [False]


def test_interfaces_vlans_routes_nat() -> None:
    dev = _load(BRACES)
    sub = dev.interface(TRUST)
    assert sub is not None and sub.kind is InterfaceKind.SUBINTERFACE and sub.vlan == 10
    assert sub.security_zone == "trust" and sub.description == "LGWAN接続系"
    irb = dev.interface(IRB)
    assert irb is not None and irb.kind is InterfaceKind.SVI and irb.vlan == 100
    acc = dev.interface("ge-0/0/4.0")
    assert acc is not None and acc.mode is Mode.ACCESS and acc.access_vlan == 100
    trunk = dev.interface("ge-0/0/5.0")
    assert trunk is not None and trunk.trunk_vlans == frozenset({100, 200, 201, 202})
    off = dev.interface("ge-0/0/3.0")
    assert off is not None and not off.enabled
    vr = dev.interface("ge-0/0/1.20")
    assert vr is not None and vr.vrf == "VR-ISOLATED"
    dmz = dev.interface(DMZ)
    assert dmz is not None and [str(a) for a in dmz.addresses] == [
        "172.16.1.1/24",
        "2001:db8:1::1/64",
    ]
    routes = {(str(r.prefix), r.vrf): r for r in dev.routes}
    assert routes[("10.10.0.0/16", None)].distance == 10
    assert routes[("198.51.100.0/24", None)].discard
    assert str(routes[("0.0.0.0/0", "VR-ISOLATED")].next_hop) == "192.168.20.254"
    snat, dnat = dev.nat
    assert snat.in_interfaces == frozenset({TRUST}) and snat.out_interfaces == frozenset({UNTRUST})
    assert [str(n) for n in snat.translated_src or ()] == ["203.0.113.2/32"]
    assert dnat.translated_dst_ports == (8080, 8080)
    assert [str(n) for n in dnat.translated_dst or ()] == ["172.16.1.10/32"]


def test_firewall_filters_lists_and_except(space: HeaderSpace) -> None:
    dev = _load(BRACES)
    (b,) = dev.bound(DMZ, Direction.IN)
    f = dev.filter(b.filter)
    assert f is not None and f.name == "BLOCK-BOGONS+ALLOW-ALL"
    fm = first_match(space, f.rules, f.default_action)
    assert not fm.permitted.contains(_pkt("10.1.2.3", "172.16.1.10"))
    assert fm.permitted.contains(_pkt("10.99.0.7", "172.16.1.10"))  # "except" entry
    assert fm.permitted.contains(_pkt("8.8.8.8", "172.16.1.10"))
    (lo,) = dev.bound("lo0.0", Direction.IN)
    re_filter = dev.filter(lo.filter)
    assert re_filter is not None
    fm = first_match(space, re_filter.rules, re_filter.default_action)
    assert fm.permitted.contains(_pkt("10.99.0.5", "10.0.0.1", 22))
    assert not fm.permitted.contains(_pkt("10.98.0.5", "10.0.0.1", 22))
    assert fm.permitted.contains(_pkt("10.98.0.5", "10.0.0.1", 123, proto=17))  # "port": either


def test_management() -> None:
    dev = _load(BRACES)
    svc = {s.protocol: s for s in dev.mgmt.services}
    assert svc["ssh"].interfaces == frozenset({TRUST, "fxp0.0"})
    assert svc["telnet"].interfaces == frozenset({"fxp0.0"})  # no zone admits telnet
    assert svc["https"].interfaces == frozenset({TRUST, "fxp0.0"})
    assert svc["snmp"].allowed_sources is None  # the second community has no clients
    assert [(c.guessable, c.write) for c in dev.mgmt.snmp_communities] == [
        (True, False),
        (False, True),
    ]
    assert {c.storage for c in dev.mgmt.credentials} == {CredentialStorage.HASHED}
    assert dev.mgmt.syslog_hosts == ("10.99.0.51",) and dev.mgmt.ntp_servers == ("10.99.0.123",)
    assert dev.mgmt.aaa and dev.mgmt.banner


def test_secrets_never_stored() -> None:
    for path in (BRACES, SETS):
        dump = repr(to_data(_load(path)))
        for secret in ("Kansh1Write", "RootHashValue", "AdminHashValue", "radiusSecret"):
            assert secret not in dump, (path.name, secret)


def test_truncated_brace_file_warns_and_keeps_partial_model() -> None:
    lines = BRACES.read_text(encoding="utf-8").splitlines()
    cut = "\n".join(lines[:100]) + "\n"  # inside "interfaces { ... }"
    dev = junos.parse(cut, source="cut.conf")
    assert dev.hostname == "city-srx1"
    assert dev.interface(TRUST) is not None
    bad = [w for w in dev.warnings if w.matters and "truncated" in w.message]
    assert bad and bad[0].span.line == 100


def test_unbalanced_and_garbage_input() -> None:
    dev = junos.parse("system {\n    host-name x;\n}\n}\n", source="t")
    assert dev.hostname == "x"
    assert any(w.matters and w.span.line == 4 for w in dev.warnings)
    cut = junos.parse("system {\n    host-name x\n", source="t")
    assert cut.warnings and all(w.matters for w in cut.warnings)
    for junk in ("", "}", "{", "set", "set security policies", "deactivate", '"unterminated'):
        assert isinstance(junos.parse(junk, source="t"), DeviceConfig)


def test_apply_groups_is_flagged() -> None:
    dev = junos.parse(
        "set groups G interfaces <*> mtu 9000\nset apply-groups G\nset system host-name g\n",
        source="t",
    )
    assert any(w.matters and "apply-groups" in w.message for w in dev.warnings)
    assert dev.coverage.unrecognized


def test_excluded_addresses_all_except_and_inactive_block_in_braces() -> None:
    text = """\
interfaces {
    ge-0/0/0 { unit 0 { family inet { address 10.0.0.1/24; } } }
    ge-0/0/1 { unit 0 { family inet { address 10.0.1.1/24; } } }
}
system { services { telnet; ssh; } }
security {
    address-book {
        global {
            address BAD 10.0.0.66/32;
        }
    }
    zones {
        security-zone a {
            host-inbound-traffic { system-services { all; telnet { except; } } }
            interfaces { ge-0/0/0.0; }
        }
        security-zone b { interfaces { ge-0/0/1.0; } }
    }
    policies {
        from-zone a to-zone b {
            policy NOT-BAD {
                match {
                    source-address BAD;
                    source-address-excluded;
                    destination-address any;
                    application any;
                }
                then { permit; }
            }
        }
        inactive: from-zone b to-zone a {
            policy BACK { match { source-address any; destination-address any;
                application any; } then { permit; } }
        }
    }
}
"""
    dev = junos.parse(text, source="t.conf")
    assert dev.coverage.share == 1.0, dev.coverage.unrecognized
    assert decide(dev, "ge-0/0/0.0", "ge-0/0/1.0", _pkt("10.0.0.5", "10.0.1.5"))[0] is (
        Action.PERMIT
    )
    assert decide(dev, "ge-0/0/0.0", "ge-0/0/1.0", _pkt("10.0.0.66", "10.0.1.5"))[0] is (
        Action.DENY
    )
    assert decide(dev, "ge-0/0/1.0", "ge-0/0/0.0", _pkt("10.0.1.5", "10.0.0.5")) == (
        Action.DENY,
        "default",
    )
    svc = {s.protocol: s for s in dev.mgmt.services}
    assert svc["ssh"].interfaces == frozenset({"ge-0/0/0.0"})
    assert svc["telnet"].interfaces == frozenset()
