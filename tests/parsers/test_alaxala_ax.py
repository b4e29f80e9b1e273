"""AlaxalA AX parser: golden model and one test per verdict-deciding semantic."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from netaudit import parsers
from netaudit.flow import HeaderSpace, Packet, evaluate, first_match
from netaudit.model import (
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Action,
    DeviceConfig,
    Direction,
    InterfaceKind,
)
from netaudit.parsers import alaxala_ax as ax
from netaudit.parsers import allied_telesis_awplus
from netaudit.serialize import to_data
from tests.golden import assert_golden
from tests.parsers.test_allied_telesis_awplus import PLAIN_IOS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alaxala_ax"
ALL = sorted(p.name for p in FIXTURES.glob("*.cfg"))


def load(name: str = "core-ax3660s.cfg") -> DeviceConfig:
    return ax.parse((FIXTURES / name).read_text(encoding="utf-8"), source=name)


def ip(a: str) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(a)


def tcp(src: str, dst: str, dport: int, *, established: bool = False) -> Packet:
    return Packet(
        proto=PROTO_TCP, src=ip(src), dst=ip(dst), sport=50000, dport=dport, established=established
    )


@pytest.mark.parametrize("name", ALL)
def test_golden(name: str) -> None:
    assert_golden(f"alaxala_ax/{name.removesuffix('.cfg')}.json", to_data(load(name)))


@pytest.mark.parametrize("name", ALL)
def test_fixture_fully_understood(name: str) -> None:
    cov = load(name).coverage
    print(f"{name}: {cov.recognized}/{cov.considered} lines understood ({cov.share:.1%})")
    assert cov.unrecognized == ()
    assert load(name).warnings == ()


@pytest.mark.parametrize("name", ALL)
def test_detect_prefers_ax(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert ax.detect(text) >= 80
    assert allied_telesis_awplus.detect(text) < 20


def test_detect_low_on_plain_ios_and_without_header() -> None:
    assert ax.detect(PLAIN_IOS) < 20
    body = "\n".join(
        line
        for line in (FIXTURES / "core-ax3660s.cfg").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    )
    assert ax.detect(body) >= 60


def test_interface_names_kept_with_space_and_ranges_expanded() -> None:
    dev = load()
    names = [i.name for i in dev.interfaces]
    assert "gigabitethernet 1/0/1" in names and "tengigabitethernet 1/0/25" in names
    assert [n for n in names if n.startswith("gigabitethernet 1/0/")][3:] == [
        "gigabitethernet 1/0/5",
        "gigabitethernet 1/0/6",
        "gigabitethernet 1/0/7",
        "gigabitethernet 1/0/8",
    ]
    svi = dev.interface("vlan 10")
    assert svi is not None and svi.kind is InterfaceKind.SVI and svi.vlan == 10
    assert dev.interface("gigabitethernet 1/0/1").description == "マイナンバー端末"  # type: ignore[union-attr]
    assert dev.interface("gigabitethernet 1/0/3").enabled is False  # type: ignore[union-attr]
    assert dev.hostname == "yakuba-core01" and dev.name == "yakuba-core01"


def test_trunk_allowed_vlan_arithmetic() -> None:
    up = load().interface("tengigabitethernet 1/0/25")
    assert up is not None
    assert up.trunk_vlans == frozenset({10, 20, 30, 99, 100, 102})
    assert up.native_vlan == 99


def test_implicit_discard_at_end_of_acl(space: HeaderSpace) -> None:
    dev = load()
    acl = dev.filter("LGWAN-OUT")
    assert acl is not None and acl.default_action is Action.DENY and acl.default_span is None
    # UDP to the LGWAN segment matches no entry -> discarded
    udp = Packet(proto=PROTO_UDP, src=ip("10.0.0.1"), dst=ip("192.168.20.9"), sport=5000, dport=53)
    action, rule = evaluate(acl.rules, acl.default_action, udp)
    assert action is Action.DENY and rule is None
    fm = first_match(space, acl.rules, acl.default_action)
    assert not fm.permitted.contains(udp)
    assert fm.permitted.contains(tcp("10.0.0.1", "192.168.20.9", 8085))
    # `established` only admits ACK/RST segments
    assert fm.permitted.contains(tcp("10.0.0.1", "192.168.20.9", 22, established=True))
    assert not fm.permitted.contains(tcp("10.0.0.1", "192.168.20.9", 22))


def test_acl_bound_on_svi_first_match_order(space: HeaderSpace) -> None:
    dev = load()
    (b,) = dev.bound("vlan 10", Direction.IN)
    acl = dev.filter(b.filter)
    assert acl is not None and [r.name for r in acl.rules] == ["10", "20", "30", "40", "50"]
    assert dev.bound("vlan 20", Direction.OUT)[0].filter == "LGWAN-OUT"
    assert dev.bound("gigabitethernet 1/0/2", Direction.IN)[0].filter == "LGWAN-PORT"
    fm = first_match(space, acl.rules, acl.default_action)
    assert fm.permitted.contains(tcp("192.168.10.5", "192.168.20.5", 443))
    assert not fm.permitted.contains(tcp("192.168.10.5", "192.168.20.5", 80))  # entry 40
    assert fm.permitted.contains(tcp("192.168.30.5", "192.168.20.5", 80))  # entry 50
    ping = Packet(
        proto=PROTO_ICMP, src=ip("192.168.10.5"), dst=ip("192.168.10.1"), icmp_type=8, icmp_code=0
    )
    assert fm.permitted.contains(ping)
    dhcp = acl.rules[0].match.services[0]
    assert dhcp.protocol == PROTO_UDP and dhcp.dst_ports == ((67, 67),)


def test_sequence_numbers_order_entries() -> None:
    text = "ip access-list extended X\n  30 deny ip any any\n  10 permit tcp any any eq 22\n"
    acl = ax.parse(text, source="t").filter("X")
    assert acl is not None and [(r.name, r.action) for r in acl.rules] == [
        ("10", Action.PERMIT),
        ("30", Action.DENY),
    ]


def test_routes() -> None:
    routes = load().routes
    assert [str(r.prefix) for r in routes] == ["0.0.0.0/0", "172.16.0.0/12", "10.0.0.0/8"]
    assert routes[1].discard and routes[1].distance == 1
    assert routes[2].distance == 50 and str(routes[2].next_hop) == "192.168.20.254"


def test_management() -> None:
    mg = load().mgmt
    svc = {s.protocol: s for s in mg.services}
    assert not svc["telnet"].enabled and svc["ssh"].enabled and svc["ftp"].enabled
    assert svc["ssh"].acl == "VTY-ACL"
    assert svc["ssh"].allowed_sources == (ipaddress.ip_network("192.168.99.0/24"),)
    assert [c.guessable for c in mg.snmp_communities] == [False, True]
    assert mg.snmp_communities[0].acl == "10" and mg.snmp_communities[1].write
    assert mg.aaa is True and mg.banner is True
    assert mg.syslog_hosts == ("192.168.100.21",) and mg.ntp_servers == ("192.168.100.1",)
    # no line vty: no remote login service at all
    assert ax.parse('hostname "x"\n', source="t").mgmt.services == ()


def test_secrets_never_stored() -> None:
    data = str(to_data(load()))
    for secret in ("yakuba-ro", "testing123"):
        assert secret not in data


def test_truncated_input_warns_and_keeps_partial_model() -> None:
    text = (FIXTURES / "core-ax3660s.cfg").read_text(encoding="utf-8")
    cut = text[: text.index("  10 permit udp any any eq bootps")]
    dev = ax.parse(cut, source="cut")
    assert dev.interface("vlan 20") is not None
    assert any(w.matters and "truncated" in w.message for w in dev.warnings)
    cut2 = text[: text.index("  10 deny ip 192.168.10.0")] + "  10 deny ip 192.168.10.0 0.0.0"
    dev2 = ax.parse(cut2, source="cut2")
    assert dev2.coverage.unrecognized[-1].text == "10 deny ip 192.168.10.0 0.0.0"
    assert any(w.matters and "LGWAN-OUT" in w.message for w in dev2.warnings)


def test_undefined_acl_reference_warns() -> None:
    dev = ax.parse("interface vlan 10\n  ip access-group NOPE in\n", source="t")
    (w,) = [w for w in dev.warnings if "NOPE" in w.message]
    assert w.matters and w.span.line == 2


def test_unmodelled_qualifier_on_deny_warns() -> None:
    text = "ip access-list extended Q\n  10 deny ip any any vlan 10\n  20 permit ip any any\n"
    dev = ax.parse(text, source="t")
    assert dev.filter("Q").rules[0].extras["ignored_qualifiers"] == ("vlan 10",)  # type: ignore[union-attr]
    assert any(w.matters and w.span.line == 2 for w in dev.warnings)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01garbage",
        "interface\n",
        "interface gigabitethernet\n",
        "interface range gigabitethernet 1/0/9-2\n",
        "ip access-list extended X\n  10 permit tcp host any\n  20 bogus\n",
        "ip route 10.0.0.0\nip route a b c\nsnmp-server community\n",
        "vlan 5000\n  name x\nvlan abc\n",
        "interface gigabitethernet 1/0/1\n  switchport trunk allowed vlan add x\n  ip address 1.1.1.1\n",
        "access-list 9999 permit any\n",
    ],
)
def test_bad_input_never_raises(text: str) -> None:
    dev = ax.parse(text, source="bad")
    assert dev.platform == "alaxala_ax"
    if text.strip():
        assert dev.coverage.unrecognized or dev.warnings


@pytest.mark.parametrize("name", ALL)
def test_registry_detects_this_platform(name: str) -> None:
    """Against every parser present in the registry (cisco_ios included), this platform wins."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert parsers.detect(text)[0] == "alaxala_ax"


def test_registry_detects_ax_without_header_line() -> None:
    body = "\n".join(
        line
        for line in (FIXTURES / "core-ax3660s.cfg").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    )
    assert parsers.detect(body)[0] == "alaxala_ax"
