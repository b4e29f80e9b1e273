"""Unit tests of the whole-network checks' building blocks (checks/_topology.py, checks/network.py).

The pass/fail behaviour of each check is pinned by its fixture folders
(``fixtures/SEP-002`` … ``fixtures/MYN-004``, see ``test_check_fixtures``); here: broadcast
domains, route leaks, and the statuses fixtures cannot show (``not_applicable``).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from checks import CheckContext
from checks._topology import (
    L2Domain,
    carried_vlans,
    declared_pairs,
    domain_of,
    layer2_domains,
    native_vlan,
    route_leaks,
)
from checks.network import GovCloudTransport, LgwanRouter, MynumberRouting, VlanSeparation
from netaudit.flow import HeaderSpace
from netaudit.model import DeviceConfig
from netaudit.parsers import cisco_ios, cisco_nxos, juniper_junos, yamaha
from netaudit.policy import Policy, PolicyValidationError, load_policy
from netaudit.reach import analyze
from netaudit.result import Status

POLICY = """\
schema_version: 1
model: beta
zones:
  mynumber: { networks: [10.10.0.0/16], vlans: [10, 11] }
  lgwan: { networks: [10.20.0.0/16], vlans: [20] }
  internet: { networks: [10.30.0.0/16], vlans: [30] }
  mgmt: { networks: [10.99.0.0/16], vlans: [99] }
  lgwan_wan: { networks: [198.51.100.0/24, 192.0.2.0/30] }
  internet_wan: {}
"""


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    """A small three-segment policy."""
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return load_policy(path)


def ios(name: str, body: str) -> DeviceConfig:
    """An IOS device from an indented config body."""
    return cisco_ios.parse(
        f"hostname {name}\n" + textwrap.dedent(body).strip() + "\nend\n",
        source=f"{name}.cfg",
        name=name,
    )


ACCESS_MYN = ios(
    "acc-myn",
    """
    no ip routing
    vlan 10
    vlan 99
    interface Gi1/0/1
     switchport access vlan 10
     switchport mode access
    interface Gi1/0/48
     switchport trunk allowed vlan 1,10,99
     switchport mode trunk
    interface Vlan99
     ip address 10.99.1.2 255.255.255.0
    """,
)
CORE = ios(
    "core",
    """
    vlan 10
    vlan 20
    vlan 99
    interface Gi1/0/1
     switchport trunk allowed vlan 1,10,99
     switchport mode trunk
    interface Gi1/0/2
     switchport trunk native vlan 20
     switchport trunk allowed vlan 20,99
     switchport mode trunk
    interface Gi1/0/3
     no switchport
     ip address 10.20.255.1 255.255.255.252
    interface Vlan10
     ip address 10.10.10.1 255.255.255.0
    interface Vlan20
     ip address 10.20.10.1 255.255.255.0
    """,
)
ACCESS_LGWAN = ios(
    "acc-lgwan",
    """
    no ip routing
    vlan 20
    vlan 99
    interface Gi1/0/1
     switchport access vlan 20
     switchport mode access
    interface Gi1/0/48
     switchport trunk allowed vlan 1,20,99
     switchport mode trunk
    """,
)
ROUTER = ios(
    "rtr",
    """
    interface Gi0/0
     no ip address
    interface Gi0/0.20
     encapsulation dot1q 20
     ip address 10.20.10.254 255.255.255.0
    interface Gi0/1
     ip address 10.20.255.2 255.255.255.252
    """,
)


def _dom(domains: tuple[L2Domain, ...], device: str, vlan: int) -> L2Domain:
    d = domain_of(domains, device, vlan)
    assert d is not None, (device, vlan)
    return d


def test_one_domain_per_vlan_per_device_without_links(policy: Policy) -> None:
    domains = layer2_domains([ACCESS_MYN, CORE], policy)
    acc10, core10 = _dom(domains, "acc-myn", 10), _dom(domains, "core", 10)
    assert acc10 is not core10
    assert acc10.vlans == {("acc-myn", 10)}
    assert {(m.interface, m.role) for m in acc10.members} == {
        ("Gi1/0/1", "access"),
        ("Gi1/0/48", "trunk"),
    }
    assert acc10.zones == {"mynumber"}
    # The core's VLAN 10 holds its SVI: the broadcast domain the SVI routes for.
    assert core10.l3_interfaces == (("core", "Vlan10"),)


def test_links_join_tagged_vlans_and_the_untagged_ones(policy: Policy) -> None:
    links = [("acc-myn", "Gi1/0/48", "core", "Gi1/0/1")]
    domains = layer2_domains([ACCESS_MYN, CORE], policy, links)
    d10 = _dom(domains, "acc-myn", 10)
    assert d10.vlans == {("acc-myn", 10), ("core", 10)}
    assert ("core", "Vlan10") in d10.l3_interfaces
    # Native VLAN 1 on both sides (carried by both allowed lists): untagged frames meet.
    assert _dom(domains, "acc-myn", 1).vlans == {("acc-myn", 1), ("core", 1)}
    assert _dom(domains, "acc-myn", 99) is _dom(domains, "core", 99)


def test_native_vlan_mismatch_joins_two_vlans_into_one_domain(policy: Policy) -> None:
    # core Gi1/0/2 sends VLAN 20 untagged; the LGWAN switch puts untagged frames in VLAN 1.
    links = [("acc-lgwan", "Gi1/0/48", "core", "Gi1/0/2")]
    domains = layer2_domains([ACCESS_LGWAN, CORE], policy, links)
    merged = _dom(domains, "core", 20)
    assert ("acc-lgwan", 1) in merged.vlans
    # VLAN 20 tagged on the switch side finds no tagged VLAN 20 on the core side.
    assert ("acc-lgwan", 20) not in merged.vlans
    assert _dom(domains, "core", 99) is _dom(domains, "acc-lgwan", 99)


def test_subinterface_joins_the_switch_vlan_of_its_tag(policy: Policy) -> None:
    switch = ios(
        "sw",
        """
        vlan 20
        interface Gi1/0/24
         switchport trunk allowed vlan 20
         switchport mode trunk
        interface Gi1/0/1
         switchport access vlan 20
         switchport mode access
        """,
    )
    links = [("rtr", "Gi0/0", "sw", "Gi1/0/24")]
    domains = layer2_domains([ROUTER, switch], policy, links)
    d = _dom(domains, "sw", 20)
    assert ("rtr", "Gi0/0.20") in d.l3_interfaces
    assert d.zones == {"lgwan"}
    # Without the link the subinterface is a segment of its own.
    alone = layer2_domains([ROUTER, switch], policy)
    assert ("rtr", "Gi0/0.20") not in _dom(alone, "sw", 20).l3_interfaces


def test_routed_port_joins_the_access_vlan_it_plugs_into(policy: Policy) -> None:
    links = [("rtr", "Gi0/1", "core", "Gi1/0/3")]
    domains = layer2_domains([ROUTER, CORE], policy, links)
    routed = [d for d in domains if ("rtr", "Gi0/1") in d.l3_interfaces]
    assert len(routed) == 1 and ("core", "Gi1/0/3") in routed[0].l3_interfaces


def test_links_to_unknown_devices_or_interfaces_are_ignored(policy: Policy) -> None:
    links = [("ghost", "Gi0/0", "core", "Gi1/0/1"), ("core", "Nope1", "rtr", "Gi0/1")]
    assert layer2_domains([CORE, ROUTER], policy, links) == layer2_domains([CORE, ROUTER], policy)


def test_port_channel_member_stands_for_its_port_channel(policy: Policy) -> None:
    a = ios(
        "a",
        """
        vlan 10
        interface Port-channel1
         switchport trunk allowed vlan 10
         switchport mode trunk
        interface Gi1/0/1
         channel-group 1 mode active
        """,
    )
    b = ios(
        "b",
        """
        vlan 10
        interface Gi1/0/48
         switchport trunk allowed vlan 10
         switchport mode trunk
        """,
    )
    domains = layer2_domains([a, b], policy, [("a", "Gi1/0/1", "b", "Gi1/0/48")])
    assert _dom(domains, "a", 10) is _dom(domains, "b", 10)


def test_carried_and_native_follow_the_allowed_list() -> None:
    trunk = CORE.interface("Gi1/0/2")
    assert trunk is not None
    assert carried_vlans(CORE, trunk) == {20, 99}
    assert native_vlan(CORE, trunk) == 20
    other = CORE.interface("Gi1/0/1")
    assert other is not None
    assert native_vlan(CORE, other) == 1  # IOS default, and VLAN 1 is allowed
    lgwan = ACCESS_LGWAN.interface("Gi1/0/48")
    assert lgwan is not None
    no_one = ios(
        "n",
        """
        vlan 20
        interface Gi1/0/48
         switchport trunk allowed vlan 20
         switchport mode trunk
        """,
    )
    itf = no_one.interface("Gi1/0/48")
    assert itf is not None and native_vlan(no_one, itf) is None  # VLAN 1 not carried


def test_route_leaks_from_ios_global_and_exit_interface() -> None:
    dev = ios(
        "leaky",
        """
        vrf definition MYN
         address-family ipv4
         exit-address-family
        interface Vlan10
         vrf forwarding MYN
         ip address 10.10.10.1 255.255.255.0
        interface Vlan20
         ip address 10.20.10.1 255.255.255.0
        ip route vrf MYN 10.20.0.0 255.255.0.0 10.20.10.254 global
        ip route vrf MYN 10.21.0.0 255.255.0.0 Vlan20 10.20.10.254
        ip route vrf MYN 10.10.0.0 255.255.0.0 10.10.10.254
        ip route 10.22.0.0 255.255.0.0 10.20.10.254
        """,
    )
    leaks = list(route_leaks(dev))
    assert [(str(x.route.prefix), x.from_vrf, x.to_vrf) for x in leaks] == [
        ("10.20.0.0/16", "MYN", None),
        ("10.21.0.0/16", "MYN", None),
    ]


def test_route_leak_from_nxos_next_hop_vrf() -> None:
    text = textwrap.dedent(
        """\
        hostname nx1
        feature interface-vlan
        vrf context MYN
          ip route 0.0.0.0/0 10.20.10.254 vrf default
        interface Vlan10
          no shutdown
          vrf member MYN
          ip address 10.10.10.1/24
        interface Vlan20
          no shutdown
          ip address 10.20.10.1/24
        """
    )
    dev = cisco_nxos.parse(text, source="nx1.cfg", name="nx1")
    leaks = list(route_leaks(dev))
    assert [(str(x.route.prefix), x.from_vrf, x.to_vrf) for x in leaks] == [
        ("0.0.0.0/0", "MYN", None)
    ]


def test_declared_pairs_include_the_via_zone(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        POLICY
        + "specified_communications:\n"
        + "  - { id: SC-X, from: mynumber, to: lgwan_wan, via: lgwan, dst: [198.51.100.10], services: [https] }\n",
        encoding="utf-8",
    )
    pairs = declared_pairs(load_policy(path))
    assert frozenset({"mynumber", "lgwan"}) in pairs
    assert frozenset({"mynumber", "lgwan_wan"}) in pairs
    assert frozenset({"mynumber", "internet"}) not in pairs


def _ctx(policy: Policy, devices: list[DeviceConfig]) -> CheckContext:
    return CheckContext(
        analysis=analyze(HeaderSpace(), devices, policy), today=dt.date(2026, 1, 15)
    )


def test_lgw004_without_an_lgwan_router_is_not_applicable(policy: Policy) -> None:
    findings = list(LgwanRouter().run(_ctx(policy, [CORE])))
    assert [f.status for f in findings] == [Status.NOT_APPLICABLE]
    assert "lgwan_wan" in findings[0].message.en


def test_lgw004_yamaha_router_with_only_lgwan_routes_passes(policy: Policy) -> None:
    rtr = yamaha.parse(
        "# RTX1210 Rev.14.01.42 (Fri Jan 26 10:00:00 2024)\n"
        "ip route 198.51.100.0/24 gateway 192.0.2.1\n"
        "ip lan1 address 10.20.255.6/30\n"
        "ip lan2 address 192.0.2.2/30\n",
        source="rtr.cfg",
        name="rtr",
    )
    assert list(LgwanRouter().run(_ctx(policy, [rtr]))) == []


def test_sep003_platform_without_switch_ports_is_not_applicable(policy: Policy) -> None:
    dev = DeviceConfig(
        name="odd",
        platform="fortinet",
        source="odd.conf",
        vlans=ACCESS_MYN.vlans,
    )
    findings = list(VlanSeparation().run(_ctx(policy, [dev])))
    assert [(f.status, f.device) for f in findings] == [(Status.NOT_APPLICABLE, "odd")]


def test_sep002_mgmt_svi_routed_with_mynumber_is_reported(policy: Policy) -> None:
    dev = ios(
        "core2",
        """
        interface Vlan10
         ip address 10.10.10.1 255.255.255.0
        interface Vlan99
         ip address 10.99.10.1 255.255.255.0
        """,
    )
    findings = list(MynumberRouting().run(_ctx(policy, [dev])))
    assert [(f.status, f.zone_to) for f in findings] == [(Status.FAIL, "mgmt")]


def test_gov001_without_gov_cloud_zone_says_nothing(policy: Policy) -> None:
    assert list(GovCloudTransport().run(_ctx(policy, [CORE, ROUTER]))) == []


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        ("peers: [not-an-address]", "undefined address"),
        ("transport: { kind: dedicated_line, via: [rtr-only] }", "is not device:interface"),
        ("transport: { kind: carrier_pigeon }", "transport.kind"),
    ],
)
def test_policy_refuses_bad_peers_and_transport(
    tmp_path: Path, fragment: str, message: str
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        POLICY + f"  gov_cloud: {{ networks: [203.0.113.128/26], {fragment} }}\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyValidationError) as e:
        load_policy(path)
    assert any(message in p.message for p in e.value.problems), e.value.problems
    assert all(p.line == len(POLICY.splitlines()) + 1 for p in e.value.problems)


def test_sep002_junos_routing_instances_leaks_are_not_applicable(policy: Policy) -> None:
    """Junos ``next-table`` routes are not in the model: the leak part cannot be judged."""
    text = textwrap.dedent(
        """\
        system { host-name jx; }
        interfaces {
            ge-0/0/0 { unit 0 { family inet { address 10.10.10.1/24; } } }
            ge-0/0/1 { unit 0 { family inet { address 10.20.10.1/24; } } }
        }
        routing-instances {
            MYN {
                instance-type virtual-router;
                interface ge-0/0/0.0;
                routing-options { static { route 10.20.0.0/16 next-table inet.0; } }
            }
        }
        """
    )
    dev = juniper_junos.parse(text, source="jx.conf", name="jx")
    findings = list(MynumberRouting().run(_ctx(policy, [dev])))
    assert [(f.status, f.device) for f in findings] == [(Status.NOT_APPLICABLE, "jx")]
    assert "next-table" in findings[0].message.en
