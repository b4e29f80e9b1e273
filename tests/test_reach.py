"""Per-device forwarding: routing, address families, discards, zones."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from netaudit.flow import HeaderSpace, Packet
from netaudit.model import DeviceConfig
from netaudit.parsers import parse_text
from netaudit.policy import Policy, load_policy
from netaudit.reach import analyze, host_route

POLICY = """
model: beta
zones:
  mynumber: {networks: [10.10.0.0/16, "2001:db8:10::/48"], vlans: [10]}
  lgwan: {networks: [10.20.0.0/16, "2001:db8:20::/48"], vlans: [20]}
  internet: {networks: [10.30.0.0/16], vlans: [30]}
  internet_wan: {}
"""

ROUTER = """hostname r1
interface GigabitEthernet0/0
 ip address 10.10.255.1 255.255.255.252
 ipv6 address 2001:db8:10:ff::1/64
 ip access-group V4-ONLY in
interface GigabitEthernet0/1
 ip address 10.20.255.1 255.255.255.252
 ipv6 address 2001:db8:20:ff::1/64
ip access-list extended V4-ONLY
 10 permit tcp host 10.10.1.1 host 10.20.1.1 eq 443
ip route 10.10.0.0 255.255.0.0 10.10.255.2
ip route 10.20.0.0 255.255.0.0 10.20.255.2
ipv6 route 2001:db8:10::/48 2001:db8:10:ff::2
ipv6 route 2001:db8:20::/48 2001:db8:20:ff::2
end
"""


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return load_policy(path)


def device(text: str) -> DeviceConfig:
    return parse_text(text, source="r1.cfg", name="r1", platform="cisco_ios")


def tcp(src: str, dst: str, dport: int = 443) -> Packet:
    return Packet(
        proto=6,
        src=ipaddress.ip_address(src),
        dst=ipaddress.ip_address(dst),
        sport=50000,
        dport=dport,
    )


def crossing_packets(policy: Policy, text: str, zf: str, zt: str) -> list[object]:
    a = analyze(HeaderSpace(), [device(text)], policy)
    return [c.packets for c in a.crossings if (c.zone_from, c.zone_to) == (zf, zt)]


def test_ipv4_acl_filters_ipv4_only(policy: Policy) -> None:
    (sets,) = [crossing_packets(policy, ROUTER, "mynumber", "lgwan")]
    assert len(sets) == 1
    packets = sets[0]
    assert packets.contains(tcp("10.10.1.1", "10.20.1.1"))  # type: ignore[attr-defined]
    assert not packets.contains(tcp("10.10.1.2", "10.20.1.1"))  # type: ignore[attr-defined]
    # An IPv4 ACL does not see IPv6: the IPv6 path through the same interface is open.
    assert packets.contains(tcp("2001:db8:10::5", "2001:db8:20::5", 22))  # type: ignore[attr-defined]


def test_no_ip_routing_forwards_nothing(policy: Policy) -> None:
    assert (
        crossing_packets(
            policy, ROUTER.replace("hostname r1", "hostname r1\nno ip routing"), "mynumber", "lgwan"
        )
        == []
    )
    assert crossing_packets(policy, ROUTER, "mynumber", "lgwan") != []


def test_null_route_and_longest_prefix(policy: Policy) -> None:
    text = ROUTER.replace(
        "ip route 10.20.0.0 255.255.0.0 10.20.255.2",
        "ip route 10.20.0.0 255.255.0.0 10.20.255.2\nip route 10.20.1.0 255.255.255.0 Null0",
    )
    dev = device(text)
    assert host_route(dev, ipaddress.ip_address("10.20.1.1"))[2] is True  # discarded
    assert host_route(dev, ipaddress.ip_address("10.20.2.1"))[0] == "GigabitEthernet0/1"
    (packets,) = crossing_packets(policy, text, "mynumber", "lgwan")
    assert not packets.contains(tcp("10.10.1.1", "10.20.1.1"))  # type: ignore[attr-defined]


def test_undefined_acl_passes_everything_with_a_warning(policy: Policy) -> None:
    text = ROUTER.replace("ip access-group V4-ONLY in", "ip access-group MISSING in")
    dev = device(text)
    assert any("MISSING" in w.message and w.matters for w in dev.warnings)
    (packets,) = crossing_packets(policy, text, "mynumber", "lgwan")
    assert packets.contains(tcp("10.10.1.2", "10.20.1.1", 22))  # type: ignore[attr-defined]


def test_same_zone_interfaces_are_not_a_boundary(policy: Policy) -> None:
    text = (
        ROUTER.replace("10.10.255.1 255.255.255.252", "10.20.254.1 255.255.255.252")
        .replace(" ipv6 address 2001:db8:10:ff::1/64\n", "")
        .replace(
            "ip route 10.10.0.0 255.255.0.0 10.10.255.2",
            "ip route 10.10.0.0 255.255.0.0 10.20.254.2",
        )
    )
    a = analyze(HeaderSpace(), [device(text)], policy)
    assert a.crossings == []


def test_interface_in_two_zones_is_still_analysed(policy: Policy) -> None:
    """IPv4 subnet in lgwan, IPv6 subnet in mynumber: no single zone, so not skipped."""
    text = ROUTER.replace("10.10.255.1 255.255.255.252", "10.20.254.1 255.255.255.252")
    a = analyze(HeaderSpace(), [device(text)], policy)
    (iz,) = [z for z in a.interface_zones if z.interface.name == "GigabitEthernet0/0"]
    assert set(iz.zones) == {"lgwan", "mynumber"} and iz.zone is None
    assert any(c.zone_from == "mynumber" and c.zone_to == "lgwan" for c in a.crossings)
