"""Cisco NX-OS parser: golden model, ACL semantics (sequence, groups, no implicit ND), bad input."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

from netaudit.flow import HeaderSpace, Packet, evaluate, first_match
from netaudit.model import (
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
from netaudit.parsers import cisco_ios, cisco_nxos
from netaudit.serialize import to_data
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _leaf() -> DeviceConfig:
    text = (FIXTURES / "cisco_nxos" / "dc_leaf.cfg").read_text(encoding="utf-8")
    return cisco_nxos.parse(text, source="dc_leaf.cfg")


def _parse(text: str) -> DeviceConfig:
    return cisco_nxos.parse(text, source="t.cfg")


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


def test_golden_dc_leaf() -> None:
    dev = _leaf()
    assert dev.coverage.unrecognized == ()
    assert dev.platform == "cisco_nxos" and dev.name == "city-dc-leaf01"
    assert_golden("cisco_nxos/dc_leaf.json", to_data(dev))


def test_sequence_numbers_groups_and_implicit_deny(space: HeaderSpace) -> None:
    f = _filter(_leaf(), "ACL-SVI50-IN")
    assert [r.name for r in f.rules] == ["10", "20", "30", "40", "50"]
    assert f.default_action is Action.DENY and f.default_span is None
    web = _pkt(PROTO_TCP, "10.60.3.4", "10.50.2.9", sport=50000, dport=8081)
    ssh = _pkt(PROTO_TCP, "10.60.3.4", "10.50.2.9", sport=50000, dport=22)
    outside = _pkt(PROTO_TCP, "10.60.3.4", "10.50.3.9", sport=50000, dport=22)
    dns = _pkt(PROTO_UDP, "10.60.3.4", "10.50.3.9", sport=50000, dport=53)
    assert evaluate(f.rules, f.default_action, web)[0] is Action.PERMIT
    assert evaluate(f.rules, f.default_action, ssh)[0] is Action.DENY
    assert evaluate(f.rules, f.default_action, outside)[0] is Action.DENY  # implicit deny
    assert evaluate(f.rules, f.default_action, dns)[0] is Action.PERMIT
    fm = first_match(space, f.rules, f.default_action)
    assert fm.permitted.contains(web) and not fm.permitted.contains(ssh)
    assert not fm.permitted.contains(outside)


def test_no_implicit_nd_permits_on_nxos() -> None:
    f = _filter(_leaf(), "V6-SVI50-IN")
    assert [r.name for r in f.rules] == ["10"]
    na = _pkt(PROTO_ICMPV6, "fe80::1", "fe80::2", icmp_type=136, icmp_code=0)
    assert evaluate(f.rules, f.default_action, na)[0] is Action.DENY


def test_undefined_group_and_acl() -> None:
    dev = _parse(
        "ip access-list A\n  10 permit ip addrgroup NOPE any\n"
        "interface Ethernet1/1\n  no switchport\n  ip access-group MISSING in\n"
    )
    assert "object-group NOPE" in _filter(dev, "A").rules[0].unresolved
    missing = _filter(dev, "MISSING")
    assert missing.default_action is Action.PERMIT and missing.rules == ()
    assert sum(w.matters for w in dev.warnings) == 2


def test_bindings_router_and_port_acl() -> None:
    dev = _leaf()
    assert [b.filter for b in dev.bound("Vlan50", Direction.IN)] == ["ACL-SVI50-IN", "V6-SVI50-IN"]
    port = dev.bound("Ethernet1/1", Direction.IN)
    assert [b.filter for b in port] == ["ACL-PORT-IN"]
    e11 = dev.interface("Ethernet1/1")
    assert e11 is not None and e11.extras["port_acl"] is True


def test_interfaces_and_default_switchport() -> None:
    dev = _leaf()
    e11 = dev.interface("Ethernet1/1")
    assert e11 is not None and e11.mode is SwitchportMode.ACCESS and e11.access_vlan == 50
    e12 = dev.interface("Ethernet1/2")  # system default switchport: access VLAN 1
    assert e12 is not None and e12.mode is SwitchportMode.ACCESS and not e12.enabled
    assert e12.access_vlan == 1
    e13 = dev.interface("Ethernet1/3")
    assert e13 is not None and e13.mode is SwitchportMode.ROUTED
    assert [str(a) for a in e13.addresses] == ["10.70.0.2/30"]
    po = dev.interface("port-channel10")
    assert po is not None and po.kind is InterfaceKind.PORT_CHANNEL
    assert po.trunk_vlans == frozenset({50, 60}) and po.native_vlan == 999
    e149 = dev.interface("Ethernet1/49")
    assert e149 is not None and e149.trunk_vlans is not None and 60 not in e149.trunk_vlans
    svi = dev.interface("Vlan50")
    assert svi is not None and svi.kind is InterfaceKind.SVI and svi.vlan == 50
    assert [str(a) for a in svi.addresses][:2] == ["10.50.0.1/24", "10.50.9.1/24"]
    assert dev.interface("Vlan60") is not None and dev.interface("Vlan60").vrf == "LGWAN"  # type: ignore[union-attr]
    mgmt = dev.interface("mgmt0")
    assert mgmt is not None and mgmt.vrf == "management"
    no_default = _parse("interface Ethernet1/5\n  description x\n").interfaces[0]
    assert no_default.mode is SwitchportMode.ROUTED


def test_routes_and_vrf_context() -> None:
    routes = {(str(r.prefix), r.vrf): r for r in _leaf().routes}
    assert str(routes[("0.0.0.0/0", "management")].next_hop) == "10.99.0.1"
    assert routes[("10.201.0.0/16", "LGWAN")].discard
    assert str(routes[("0.0.0.0/0", None)].next_hop) == "10.70.0.1"
    r = routes[("192.0.2.0/24", None)]
    assert r.interface == "Ethernet1/3" and r.distance == 250
    nh_vrf = _parse("ip route 10.0.9.0/24 10.255.2.254 vrf vrf2 track 5 name foo 5 tag 100\n")
    (route,) = nh_vrf.routes
    assert route.vrf is None and route.distance == 5
    assert nh_vrf.extras["route_next_hop_vrf"] == (("10.0.9.0/24", 1, "vrf2"),)


def test_management() -> None:
    m = _leaf().mgmt
    services = {s.protocol: s for s in m.services if s.protocol in ("ssh", "telnet")}
    assert services["telnet"].enabled and services["ssh"].acl == "ACL-VTY"
    public, kanri = m.snmp_communities
    assert public.guessable and not public.write
    assert kanri.write and kanri.acl == "ACL-SNMP" and not kanri.guessable
    storages = {(c.kind, c.user): c.storage for c in m.credentials}
    assert storages[("user-password", "admin")] is CredentialStorage.HASHED
    assert storages[("user-password", "audit")] is CredentialStorage.NONE
    assert storages[("snmp-user", "admin")] is CredentialStorage.HASHED
    assert m.ntp_servers == ("10.99.0.123",) and m.syslog_hosts == ("10.99.0.50",)
    text = json.dumps(to_data(_leaf()), ensure_ascii=False)
    assert "Dc-Kanri-2024" not in text and "$5$ABCDEFGH" not in text


def test_feature_defaults() -> None:
    dev = _parse("hostname n\nno feature ssh\n")
    by = {s.protocol: s.enabled for s in dev.mgmt.services}
    assert by == {"ssh": False, "telnet": False}


def test_detect() -> None:
    text = (FIXTURES / "cisco_nxos" / "dc_leaf.cfg").read_text(encoding="utf-8")
    assert cisco_nxos.detect(text) >= 80 and cisco_ios.detect(text) < 20
    ios = (FIXTURES / "cisco_ios" / "core_l3sw.cfg").read_text(encoding="utf-8")
    assert cisco_nxos.detect(ios) < 20 < cisco_ios.detect(ios)


def test_bad_input() -> None:
    dev = _parse(
        "ip access-list A\n  10 permit tcp any any eq\n  frob\ninterface Ethernet1/1\n"
        "  ip address 10.0.0.1/99\n  switchport mode fex-fabric\nip route 10.0.0.0/8\n"
    )
    assert [u.line for u in dev.coverage.unrecognized] == [2, 3, 5, 6, 7]
    truncated = _leaf().coverage.total_lines
    text = (FIXTURES / "cisco_nxos" / "dc_leaf.cfg").read_text(encoding="utf-8")
    cut = cisco_nxos.parse(text[: len(text) // 2], source="cut.cfg")
    assert cut.coverage.total_lines < truncated and cut.hostname == "city-dc-leaf01"
