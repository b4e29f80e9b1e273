"""End-to-end reachability across devices: hop sequences, downstream blocks, joint paths, NAT.

A three-router chain (branch router → core → edge) between a マイナンバー系 host subnet, an
LGWAN server subnet and the Internet. Each test changes one thing and checks the sets, the
hop-by-hop trace of one packet, and that the two agree.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netaudit.engine import audit
from netaudit.flow import HeaderSpace, Packet
from netaudit.model import DeviceConfig
from netaudit.parsers import parse_text
from netaudit.paths import Disposition, Network, PathFlow, end_to_end, trace_packet
from netaudit.policy import Policy, load_policy
from netaudit.reach import NetworkAnalysis, analyze

POLICY = """
model: beta
zones:
  mynumber: {networks: [10.10.0.0/16]}
  lgwan: {networks: [10.20.0.0/16]}
  internet: {networks: [10.30.0.0/16]}
  lgwan_wan: {networks: [198.51.100.0/24]}
  internet_wan: {}
specified_communications:
  - {id: SC-1, from: mynumber, to: lgwan_wan, src: [10.10.1.10], dst: [198.51.100.10], services: [https], basis: 例, owner: 情報政策課, approval_ref: R8-1, expires: 2030-03-31}
"""

# branch (mynumber LAN) --10.10.255.0/30-- core --10.20.255.0/30-- edge -- LGWAN / Internet
BRANCH = """hostname branch
interface GigabitEthernet0/0
 ip address 10.10.1.1 255.255.255.0
interface GigabitEthernet0/1
 ip address 10.10.255.1 255.255.255.252
 ip access-group BRANCH-OUT out
ip access-list extended BRANCH-OUT
 10 permit ip 10.10.1.0 0.0.0.255 any
ip route 0.0.0.0 0.0.0.0 10.10.255.2
end
"""

CORE = """hostname core
interface GigabitEthernet0/0
 ip address 10.10.255.2 255.255.255.252
 ip access-group CORE-IN in
interface GigabitEthernet0/1
 ip address 10.20.255.1 255.255.255.252
interface Vlan20
 ip address 10.20.20.1 255.255.255.0
ip access-list extended CORE-IN
 10 permit tcp host 10.10.1.10 host 198.51.100.10 eq 443
 20 permit tcp 10.10.1.0 0.0.0.255 any eq 8080
 30 deny ip any any
ip route 10.10.0.0 255.255.0.0 10.10.255.1
ip route 0.0.0.0 0.0.0.0 10.20.255.2
end
"""

EDGE = """hostname edge
interface GigabitEthernet0/0
 ip address 10.20.255.2 255.255.255.252
 ip access-group EDGE-IN in
 ip nat inside
interface GigabitEthernet0/1
 ip address 192.0.2.1 255.255.255.252
 ip nat outside
interface GigabitEthernet0/2
 ip address 198.51.100.1 255.255.255.0
ip access-list extended EDGE-IN
 10 permit tcp host 10.10.1.10 host 198.51.100.10 eq 443
 20 permit tcp any any eq 8080
 30 deny ip any any
ip nat inside source static 10.10.1.10 192.0.2.100
ip route 10.0.0.0 255.0.0.0 10.20.255.1
ip route 0.0.0.0 0.0.0.0 192.0.2.2
end
"""


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY, encoding="utf-8")
    return load_policy(path)


def dev(text: str) -> DeviceConfig:
    name = text.split("\n", 1)[0].split()[1]
    return parse_text(text, source=f"{name}.cfg", name=name, platform="cisco_ios")


def tcp(src: str, dst: str, dport: int = 443) -> Packet:
    return Packet(
        proto=6,
        src=ipaddress.ip_address(src),
        dst=ipaddress.ip_address(dst),
        sport=50000,
        dport=dport,
    )


def network(policy: Policy, *texts: str) -> tuple[NetworkAnalysis, Network, list[PathFlow]]:
    a = analyze(HeaderSpace(), [dev(t) for t in texts], policy)
    net = Network(a)
    paths = net.paths()
    a.paths = paths
    return a, net, paths


def delivered(paths: list[PathFlow], p: Packet) -> list[PathFlow]:
    return [f for f in paths if f.packets.contains(p)]


def test_specified_communication_is_a_three_hop_path(policy: Policy) -> None:
    _, net, paths = network(policy, BRANCH, CORE, EDGE)
    p = tcp("10.10.1.10", "198.51.100.10")
    (flow,) = delivered(paths, p)
    assert (flow.zone_from, flow.zone_to) == ("mynumber", "lgwan_wan")
    assert flow.names() == (
        "branch:GigabitEthernet0/0->GigabitEthernet0/1",
        "core:GigabitEthernet0/0->GigabitEthernet0/1",
        "edge:GigabitEthernet0/0->GigabitEthernet0/2",
    )
    assert flow.disposition is Disposition.DELIVERED
    (t,) = trace_packet(net, p)
    assert t.disposition is Disposition.DELIVERED
    assert [h.device for h in t.hops] == ["branch", "core", "edge"]
    # Every hop names the line that let it through.
    assert [s.rule.span.line for s in t.hops[1].steps if s.rule] == [10]


def test_a_permit_the_next_device_drops_is_not_delivered(policy: Policy) -> None:
    """core lets the whole branch out on 8080; edge too — but not 10.10.1.0/24 → LGWAN SSH."""
    core = CORE.replace(" 30 deny ip any any\n", " 25 permit tcp 10.10.1.0 0.0.0.255 any eq 22\n")
    a, net, paths = network(policy, BRANCH, core, EDGE)
    p = tcp("10.10.1.20", "198.51.100.50", 22)
    assert not delivered(paths, p)
    (t,) = trace_packet(net, p)
    assert t.disposition is Disposition.DENIED and t.hops[-1].device == "edge"
    # The core alone does forward it: the per-device view sees a crossing, end to end not.
    assert not a.through("core", "GigabitEthernet0/0", "GigabitEthernet0/1").contains(p)


def test_a_path_opened_jointly_by_two_devices_is_reported_once_naming_every_hop(
    policy: Policy, tmp_path: Path
) -> None:
    """8080 from the マイナンバー系 branch to the LGWAN server VLAN: core and edge each allow
    "their half" (core any → 8080 to the next hop, edge any → 8080 back to the core VLAN)."""
    edge = EDGE.replace(" 20 permit tcp any any eq 8080\n", " 20 permit tcp any any eq 8080\n")
    snap = tmp_path / "snap"
    snap.mkdir()
    core = CORE.replace(
        "ip route 0.0.0.0 0.0.0.0 10.20.255.2",
        "ip route 0.0.0.0 0.0.0.0 10.20.255.2\nip route 10.20.30.0 255.255.255.0 10.20.255.2",
    )
    edge = edge.replace(
        "ip route 10.0.0.0 255.0.0.0 10.20.255.1",
        "ip route 10.0.0.0 255.0.0.0 10.20.255.1\nip route 10.20.30.0 255.255.255.0 10.20.255.1",
    )
    for name, text in (("branch", BRANCH), ("core", core), ("edge", edge)):
        (snap / f"{name}.cfg").write_text(text, encoding="utf-8")
    policy_path = tmp_path / "policy.yaml"
    policy_path.write_text(POLICY, encoding="utf-8")
    result, _ = audit(snap, load_policy(policy_path), today=dt.date(2026, 11, 28))
    myn_lgwan = [
        f
        for f in result.findings
        if (f.zone_from, f.zone_to) == ("mynumber", "lgwan") and f.example_flow is not None
    ]
    assert myn_lgwan, "the 8080 path into the LGWAN segment must be found"
    for f in myn_lgwan:
        assert f.path and f.path[0].startswith("branch:"), f.path
        assert f.example_flow is not None and f.example_flow["dport"] == 8080


def test_static_nat_rewrites_the_source_and_the_trace_shows_it(policy: Policy) -> None:
    _, net, paths = network(policy, BRANCH, CORE, EDGE)
    p = tcp("10.10.1.10", "203.0.113.9", 8080)
    (flow,) = delivered(paths, p)
    assert flow.translated and flow.disposition is Disposition.EXITED
    assert flow.zone_to == "internet_wan"
    assert flow.delivered.contains(flow.final_example)
    assert flow.packets.contains(flow.example)
    assert flow.delivered.contains(tcp("192.0.2.100", "203.0.113.9", 8080))
    assert not flow.delivered.contains(tcp("10.10.1.10", "203.0.113.9", 8080))
    (t,) = trace_packet(net, p)
    assert t.disposition is Disposition.EXITED
    assert t.final_packet.src == ipaddress.ip_address("192.0.2.100")
    assert t.hops[-1].nat and t.hops[-1].nat[0].span.text.startswith("ip nat inside source")
    # Other branch hosts leave untranslated.
    (other,) = delivered(paths, tcp("10.10.1.11", "203.0.113.9", 8080))
    assert other.delivered.contains(tcp("10.10.1.11", "203.0.113.9", 8080))


def test_static_nat_lets_the_outside_reach_the_inside_host(policy: Policy) -> None:
    """Outside → 192.0.2.100 becomes → 10.10.1.10, delivered on the branch LAN if permitted."""
    edge = EDGE.replace(
        "interface GigabitEthernet0/1\n ip address 192.0.2.1 255.255.255.252\n",
        "interface GigabitEthernet0/1\n ip address 192.0.2.1 255.255.255.252\n",
    )
    _, net, paths = network(policy, BRANCH, CORE.replace(" ip access-group CORE-IN in\n", ""), edge)
    p = tcp("203.0.113.9", "192.0.2.100", 3389)
    flows = delivered(paths, p)
    assert flows and {f.zone_to for f in flows} == {"mynumber"}
    assert all(f.final_example.dst == ipaddress.ip_address("10.10.1.10") for f in flows)
    (t,) = [t for t in trace_packet(net, p) if t.disposition is Disposition.DELIVERED]
    assert t.final_packet.dst == ipaddress.ip_address("10.10.1.10")
    assert [h.device for h in t.hops] == ["edge", "core", "branch"]


def test_null_route_and_no_route_stop_the_trace(policy: Policy) -> None:
    core = CORE.replace(
        "ip route 0.0.0.0 0.0.0.0 10.20.255.2",
        "ip route 0.0.0.0 0.0.0.0 10.20.255.2\nip route 198.51.100.0 255.255.255.0 Null0",
    )
    _, net, paths = network(policy, BRANCH, core, EDGE)
    p = tcp("10.10.1.10", "198.51.100.10")
    assert not delivered(paths, p)
    (t,) = trace_packet(net, p)
    assert t.disposition is Disposition.NULL_ROUTE and t.hops[-1].device == "core"
    branch = BRANCH.replace("ip route 0.0.0.0 0.0.0.0 10.10.255.2\n", "")
    _, net, _ = network(policy, branch, CORE, EDGE)
    (t,) = trace_packet(net, p)
    assert t.disposition is Disposition.NO_ROUTE


def test_routing_loop_ends(policy: Policy) -> None:
    """edge sends 10.99/16 back to core, core's default sends it to edge: a loop, no delivery."""
    _, net, paths = network(policy, BRANCH, CORE, EDGE)
    p = tcp("10.10.1.20", "10.99.0.1", 8080)
    assert not delivered(paths, p)
    dispositions = {t.disposition for t in trace_packet(net, p)}
    assert dispositions == {Disposition.LOOP}


def test_unknown_device_makes_paths_through_it_unknown(policy: Policy) -> None:
    a = analyze(HeaderSpace(), [dev(BRANCH), dev(CORE), dev(EDGE)], policy)
    paths = end_to_end(a, unknown=["core"])
    through_core = [f for f in paths if any(h.device == "core" for h in f.hops)]
    assert through_core and all(f.disposition is Disposition.UNKNOWN for f in through_core)


def test_explicit_link_joins_devices_configs_do_not_show(policy: Policy) -> None:
    """An unnumbered-style transit: edge's uplink subnet differs; the inventory link joins."""
    edge = EDGE.replace(
        "ip address 10.20.255.2 255.255.255.252", "ip address 10.20.254.2 255.255.255.252"
    )
    edge = edge.replace(
        "ip route 10.0.0.0 255.0.0.0 10.20.255.1", "ip route 10.0.0.0 255.0.0.0 GigabitEthernet0/0"
    )
    core = CORE.replace(
        "ip route 0.0.0.0 0.0.0.0 10.20.255.2", "ip route 0.0.0.0 0.0.0.0 GigabitEthernet0/1"
    )
    a = analyze(HeaderSpace(), [dev(BRANCH), dev(core), dev(edge)], policy)
    p = tcp("10.10.1.10", "198.51.100.10")
    without = end_to_end(a)
    assert not any({"core", "edge"} <= {h.device for h in f.hops} for f in without)
    joined = end_to_end(a, links=[("core", "GigabitEthernet0/1", "edge", "GigabitEthernet0/0")])
    (flow,) = delivered(joined, p)
    assert flow.hops[-1].device == "edge"


# -- the sets and the trace agree, packet by packet -----------------------------------------

_HOSTS = [
    "10.10.1.10",
    "10.10.1.20",
    "10.20.20.5",
    "198.51.100.10",
    "198.51.100.77",
    "203.0.113.9",
    "192.0.2.100",
    "10.99.0.1",
]


@settings(max_examples=120, deadline=None)
@given(
    src=st.sampled_from(_HOSTS),
    dst=st.sampled_from(_HOSTS),
    dport=st.sampled_from([22, 443, 3389, 8080]),
)
def test_sets_and_trace_agree(src: str, dst: str, dport: int) -> None:
    if src == dst:
        return
    policy = _policy()
    _, net, paths = _city(policy)
    p = tcp(src, dst, dport)
    traces = trace_packet(net, p)
    arrives = {
        t.final_packet
        for t in traces
        if t.disposition in (Disposition.DELIVERED, Disposition.EXITED)
    }
    flows = [f for f in paths if f.packets.contains(p)]
    if not arrives:
        assert not flows, (p, [f.names() for f in flows])
    else:
        assert flows, (p, traces)
        for final in arrives:
            assert any(f.delivered.contains(final) for f in flows), (p, final)


_CACHE: dict[str, object] = {}


def _policy() -> Policy:
    if "policy" not in _CACHE:
        import tempfile

        path = Path(tempfile.mkdtemp()) / "policy.yaml"
        path.write_text(POLICY, encoding="utf-8")
        _CACHE["policy"] = load_policy(path)
    return _CACHE["policy"]  # type: ignore[return-value]


def _city(policy: Policy) -> tuple[NetworkAnalysis, Network, list[PathFlow]]:
    if "city" not in _CACHE:
        _CACHE["city"] = network(
            policy, BRANCH, CORE.replace(" 30 deny ip any any\n", " 30 permit udp any any\n"), EDGE
        )
    return _CACHE["city"]  # type: ignore[return-value]
