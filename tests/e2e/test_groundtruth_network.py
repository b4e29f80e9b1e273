"""Ground truth for the end-to-end analysis: a multi-hop network of real Linux routers.

Each network — two hand-written chains and seeded random ones from :mod:`tests.e2e.gen_network`
— is built as network namespaces by :mod:`tests.e2e.netlab` from netaudit's model of its
``linux`` snapshots (addresses, routes) and the snapshots' own ``iptables-save`` text (filter
and nat tables, loaded with ``iptables-restore``). Probes (TCP SYN, UDP, ICMP echo) go from a
host namespace to another host's address; a sniffer in every host namespace records what
arrives, and with which addresses.

For every probe, netaudit's verdict must match: delivered exactly when the probe arrives, at
the host that owns the final destination, with the addresses netaudit says NAT leaves it with.
netaudit's verdict comes from :func:`netaudit.reach.trace_packet` when the engine provides it;
networks without NAT are also compared hop by hop with the building blocks
(:func:`netaudit.reach.host_route` for the route, :func:`netaudit.reach.explain` for the
filters) so a plain chain compares on its own.

Needs root, ``ip`` (iproute2) and ``iptables-restore``; skipped with the reason otherwise.
Every namespace is the test's own (prefix, pid and a random token in its name) and removed
afterwards (fixture finalizer and :mod:`atexit`); addresses are RFC 5737 documentation ranges
and no packet leaves the namespaces. Probes per network are bounded (40).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from netaudit import reach
from netaudit.flow import HeaderSpace, Packet
from netaudit.model import PROTO_ICMP, Action, DeviceConfig
from netaudit.parsers import linux
from netaudit.policy import Policy, load_policy
from tests.e2e.gen_network import GenNetwork, generate
from tests.e2e.netlab import Arrival, Host, LabDevice, NetLab, Probe, missing_prerequisite

MAX_HOPS = 16


@pytest.fixture(scope="module")
def lab_ready() -> None:
    """Skip the module's lab tests, with the reason, where namespaces cannot be made."""
    reason = missing_prerequisite()
    if reason:
        pytest.skip(reason)


@pytest.fixture
def make_lab(lab_ready: None) -> Iterator[list[NetLab]]:
    """Labs built by a test; every one is removed when the test ends, whatever happens."""
    del lab_ready
    labs: list[NetLab] = []
    yield labs
    for lab in labs:
        lab.close()


def run_lab(
    labs: list[NetLab], devices: Sequence[LabDevice], hosts: Sequence[Host], probes: Sequence[Probe]
) -> list[list[Arrival]]:
    """Build the namespaces, send the probes, tear the namespaces down."""
    lab = NetLab(devices, hosts, label="t")
    labs.append(lab)
    try:
        lab.build()
        return lab.probe(probes)
    finally:
        lab.close()


# -- netaudit's side ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """What netaudit says happens to one probe."""

    disposition: str  # delivered, denied, no_route, null_route, exited, loop
    final: Packet  # the header after every NAT on the way
    hops: tuple[str, ...]  # device:in->out, for messages

    @property
    def delivered(self) -> bool:
        """Whether the packet reaches a destination."""
        return self.disposition == "delivered"


def to_packet(p: Probe) -> Packet:
    """The probe as netaudit's concrete packet."""
    if p.proto == PROTO_ICMP:
        return Packet(proto=p.proto, src=p.src, dst=p.dst, icmp_type=8, icmp_code=0)
    return Packet(proto=p.proto, src=p.src, dst=p.dst, sport=p.sport, dport=p.dport)


def gateway_of(devices: Sequence[DeviceConfig], host: Host) -> tuple[DeviceConfig, str]:
    """The device and interface a host's packets enter by (the one holding its gateway)."""
    for dev in devices:
        for itf in dev.interfaces:
            if any(a.ip == host.gateway for a in itf.addresses):
                return dev, itf.name
    raise AssertionError(f"no device holds {host.name}'s gateway {host.gateway}")


def _owners(
    devices: Sequence[DeviceConfig], hosts: Sequence[Host]
) -> dict[ipaddress.IPv4Address | ipaddress.IPv6Address, tuple[str, str]]:
    """Address -> ("host", name) or (device, interface)."""
    out: dict[ipaddress.IPv4Address | ipaddress.IPv6Address, tuple[str, str]] = {}
    for dev in devices:
        for itf in dev.interfaces:
            for a in itf.addresses:
                out[a.ip] = (dev.name, itf.name)
    for h in hosts:
        for a in h.addresses:
            out[a.ip] = ("host", h.name)
    return out


def hop_by_hop(devices: Sequence[DeviceConfig], hosts: Sequence[Host], probe: Probe) -> Verdict:
    """netaudit's per-device building blocks, chained by hand (no NAT): route, then filters."""
    packet = to_packet(probe)
    by_name = {d.name: d for d in devices}
    owners = _owners(devices, hosts)
    src_host = next(h for h in hosts if h.name == probe.src_host)
    dev, in_if = gateway_of(devices, src_host)
    hops: list[str] = []
    for _ in range(MAX_HOPS):
        egress, route, discard = reach.host_route(dev, packet.dst)
        if discard:
            return Verdict("null_route", packet, tuple(hops))
        if egress is None:
            return Verdict("no_route", packet, tuple(hops))
        hops.append(f"{dev.name}:{in_if}->{egress}")
        steps = reach.explain(dev, in_if, egress, packet)
        if any(s.action is Action.DENY for s in steps):
            return Verdict("denied", packet, tuple(hops))
        nh = route.next_hop if route is not None and route.next_hop is not None else packet.dst
        owner = owners.get(nh)
        if owner is None:
            return Verdict("exited", packet, tuple(hops))
        if owner[0] == "host":
            return Verdict("delivered", packet, tuple(hops))
        dev, in_if = by_name[owner[0]], owner[1]
    return Verdict("loop", packet, tuple(hops))


def engine_available() -> bool:
    """Whether netaudit.reach has the end-to-end packet trace."""
    return hasattr(reach, "trace_packet")


def engine_verdict(
    analysis: reach.NetworkAnalysis,
    devices: Sequence[DeviceConfig],
    hosts: Sequence[Host],
    probe: Probe,
) -> Verdict:
    """netaudit's end-to-end trace of one probe, from the host's gateway interface."""
    src_host = next(h for h in hosts if h.name == probe.src_host)
    dev, in_if = gateway_of(devices, src_host)
    trace_packet = reach.trace_packet  # type: ignore[attr-defined]
    traces = trace_packet(analysis, to_packet(probe), device=dev.name, in_interface=in_if)
    assert len(traces) == 1, f"one path expected (no ECMP in the lab): {traces}"
    t = traces[0]
    hops = tuple(f"{h.device}:{h.in_interface}->{h.out_interface}" for h in t.hops)
    return Verdict(str(t.disposition), t.final_packet, hops)


# -- the comparison ----------------------------------------------------------------------------


def compare(
    probes: Sequence[Probe],
    arrivals: Sequence[Sequence[Arrival]],
    verdicts: Sequence[Verdict],
    hosts: Sequence[Host],
) -> list[str]:
    """Every disagreement between netaudit and the kernel, as text."""
    owner: dict[ipaddress.IPv4Address | ipaddress.IPv6Address, str] = {
        a.ip: h.name for h in hosts for a in h.addresses
    }
    problems: list[str] = []
    for p, got, v in zip(probes, arrivals, verdicts, strict=True):
        if len(got) > 1:
            problems.append(f"{p}: arrived {len(got)} times: {got}")
            continue
        arrived = got[0] if got else None
        if v.delivered != (arrived is not None):
            problems.append(
                f"{p}: netaudit {v.disposition} via {list(v.hops)}, kernel "
                + (f"delivered to {arrived.host} as {_fmt(arrived)}" if arrived else "dropped")
            )
            continue
        if arrived is None:
            continue
        f = v.final
        if (arrived.src, arrived.dst, arrived.proto, arrived.dport) != (
            f.src,
            f.dst,
            f.proto,
            f.dport,
        ) or owner.get(f.dst) != arrived.host:
            problems.append(
                f"{p}: netaudit delivers as {f} to {owner.get(f.dst)}, kernel delivered "
                f"{_fmt(arrived)} to {arrived.host}"
            )
    return problems


def _fmt(a: Arrival) -> str:
    port = f":{a.dport}" if a.dport is not None else ""
    return f"{a.src} -> {a.dst}{port} (proto {a.proto})"


def load_zones(tmp_path: Path, text: str) -> Policy:
    """The lab's policy (one zone per host subnet), from a file as users write it."""
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


# -- the hand-written chains: answers known without netaudit ------------------------------------

H1 = Host(
    "h1",
    (ipaddress.IPv4Interface("192.0.2.10/27"), ipaddress.IPv4Interface("192.0.2.11/27")),
    ipaddress.IPv4Address("192.0.2.1"),
)
H2 = Host(
    "h2",
    (ipaddress.IPv4Interface("198.51.100.10/27"), ipaddress.IPv4Interface("198.51.100.11/27")),
    ipaddress.IPv4Address("198.51.100.1"),
)
H3 = Host(
    "h3",
    (ipaddress.IPv4Interface("198.51.100.42/27"), ipaddress.IPv4Interface("198.51.100.43/27")),
    ipaddress.IPv4Address("198.51.100.33"),
)
CHAIN_HOSTS = (H1, H2, H3)

R1 = """\
1: lo    inet 127.0.0.1/8 scope host lo
2: eth0    inet 203.0.113.225/30 brd 203.0.113.227 scope global eth0
3: eth1    inet 192.0.2.1/27 brd 192.0.2.31 scope global eth1
default via 203.0.113.226 dev eth0
# Generated by iptables-save v1.8.9
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i eth1 -p tcp -m tcp --dport 80 -j ACCEPT
-A FORWARD -i eth1 -p tcp -m tcp --dport 443 -j ACCEPT
-A FORWARD -i eth1 -p icmp -j ACCEPT
-A FORWARD -i eth1 -p udp -m udp --dport 53 -j ACCEPT
COMMIT
"""
R2 = """\
1: lo    inet 127.0.0.1/8 scope host lo
2: eth0    inet 203.0.113.226/30 brd 203.0.113.227 scope global eth0
3: eth1    inet 198.51.100.1/27 brd 198.51.100.31 scope global eth1
4: eth2    inet 198.51.100.33/27 brd 198.51.100.63 scope global eth2
192.0.2.0/27 via 203.0.113.225 dev eth0
# Generated by iptables-save v1.8.9
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -d 198.51.100.32/27 -p tcp -m tcp --dport 443 -j DROP
-A FORWARD -d 198.51.100.11/32 -j REJECT --reject-with icmp-port-unreachable
-A FORWARD -d 198.51.100.32/27 -p udp -j DROP
COMMIT
"""
# The same chain with NAT: r1 masquerades what leaves towards r2; r2 forwards h2's :443 to
# h3's :80 — after the DNAT r2's FORWARD sees port 80, so its ":443 to h3 DROP" does not hit.
R1_NAT = (
    R1
    + """\
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o eth0 -j MASQUERADE
COMMIT
"""
)
R2_NAT = (
    R2
    + """\
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i eth0 -d 198.51.100.10/32 -p tcp -m tcp --dport 443 -j DNAT --to-destination 198.51.100.42:80
COMMIT
"""
)


def chain_devices(nat: bool) -> list[LabDevice]:
    """r1 and r2 of the hand-written chain, parsed by netaudit's linux parser."""
    texts = {"r1": R1_NAT if nat else R1, "r2": R2_NAT if nat else R2}
    return [LabDevice(linux.parse(t, source=f"{n}.cfg", name=n), t) for n, t in texts.items()]


def chain_probes() -> list[Probe]:
    """From h1 to every address of h2 and h3, and back from h2 to h1."""
    out: list[Probe] = []
    services = ((6, 22), (6, 80), (6, 443), (17, 53), (1, None))
    for dst_host in (H2, H3):
        for a in dst_host.addresses:
            for proto, port in services:
                out.append(Probe("h1", H1.addresses[0].ip, a.ip, proto, port, 40000 + len(out)))
    for proto, port in services:
        out.append(
            Probe("h2", H2.addresses[0].ip, H1.addresses[0].ip, proto, port, 40000 + len(out))
        )
    return out


def chain_expected(p: Probe, nat: bool) -> tuple[str, str, str, int | None] | None:
    """Where a probe of the hand-written chain arrives: (host, src, dst, dport), by hand."""
    if p.src_host != "h1" or p.dport == 22:
        return None  # r1 lets only h1's web, DNS and ICMP out
    dst, dport = str(p.dst), p.dport
    src = "203.0.113.225" if nat else str(p.src)
    if nat and dst == "198.51.100.10" and dport == 443:
        return ("h3", src, "198.51.100.42", 80)
    if dst == "198.51.100.11":
        return None  # r2 rejects
    if dst.startswith("198.51.100.4") and p.proto == 17:
        return None
    if dst.startswith("198.51.100.4") and dport == 443:
        return None
    return ("h3" if dst.startswith("198.51.100.4") else "h2", src, dst, dport)


@pytest.mark.parametrize("nat", [False, True], ids=["plain", "nat"])
def test_lab_self_check_on_hand_chain(make_lab: list[NetLab], nat: bool) -> None:
    """The lab itself, against answers worked out by hand (no netaudit verdict involved)."""
    probes = chain_probes()
    arrivals = run_lab(make_lab, chain_devices(nat), CHAIN_HOSTS, probes)
    got = [
        (a[0].host, str(a[0].src), str(a[0].dst), a[0].dport) if len(a) == 1 else None
        for a in arrivals
    ]
    assert all(len(a) <= 1 for a in arrivals)
    expected = [chain_expected(p, nat) for p in probes]
    wrong = [(str(p), e, g) for p, e, g in zip(probes, expected, got, strict=True) if e != g]
    assert not wrong
    assert any(expected) and not all(expected)


def test_hand_chain_hop_by_hop(make_lab: list[NetLab]) -> None:
    """The plain chain against netaudit's per-device routes and filters, chained hop by hop."""
    devices = chain_devices(nat=False)
    probes = chain_probes()
    arrivals = run_lab(make_lab, devices, CHAIN_HOSTS, probes)
    configs = [d.config for d in devices]
    verdicts = [hop_by_hop(configs, CHAIN_HOSTS, p) for p in probes]
    assert not compare(probes, arrivals, verdicts, CHAIN_HOSTS)


# -- seeded random networks ---------------------------------------------------------------------

PLAIN_SEEDS = (101, 106, 110, 126, 130)
NAT_SEEDS = (201, 202, 203, 204, 205)


@pytest.mark.parametrize("seed", PLAIN_SEEDS)
def test_random_network_hop_by_hop(make_lab: list[NetLab], seed: int) -> None:
    """Random chains and trees without NAT: the per-device blocks, chained, against the kernel."""
    net = generate(seed, nat=False)
    devices = net.lab_devices()
    arrivals = run_lab(make_lab, devices, net.hosts, net.probes)
    configs = [d.config for d in devices]
    verdicts = [hop_by_hop(configs, net.hosts, p) for p in net.probes]
    problems = compare(net.probes, arrivals, verdicts, net.hosts)
    assert not problems, _report(net, problems)
    assert any(arrivals), "every probe dropped: the network exercises nothing"


def _report(net: GenNetwork, problems: list[str]) -> str:
    return f"seed {net.seed}:\n" + "\n".join(problems) + "\n" + net.describe()


@pytest.mark.parametrize("seed", PLAIN_SEEDS + NAT_SEEDS)
def test_random_network_end_to_end(make_lab: list[NetLab], tmp_path: Path, seed: int) -> None:
    """Random networks with NAT: netaudit's end-to-end trace against what arrives, and where."""
    if not engine_available():
        pytest.skip("netaudit.reach.trace_packet (the end-to-end engine) is not there yet")
    net = generate(seed, nat=seed in NAT_SEEDS)
    devices = net.lab_devices()
    configs = [d.config for d in devices]
    policy = load_zones(tmp_path, net.policy_yaml())
    analysis = reach.analyze(HeaderSpace(), configs, policy)
    arrivals = run_lab(make_lab, devices, net.hosts, net.probes)
    verdicts = [engine_verdict(analysis, configs, net.hosts, p) for p in net.probes]
    problems = compare(net.probes, arrivals, verdicts, net.hosts)
    assert not problems, _report(net, problems)
