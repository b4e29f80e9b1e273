"""Tests of the Linux netfilter parser (iptables-save, ip6tables-save, nft list ruleset).

The chain-flattening semantics (jumps, RETURN, goto, negation, interface wildcards, conntrack)
are checked against a literal netfilter interpreter written here: random rule sets are generated
as data, rendered as ``iptables-save`` text, parsed, and every random packet's verdict from the
flattened model (both :func:`netaudit.flow.evaluate` and the BDD :func:`first_match`) must equal
the interpreter's walk of the chains. The same generator feeds the real-kernel ground truth in
``test_linux_groundtruth.py``.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netaudit.flow import HeaderSpace, Packet, evaluate, first_match
from netaudit.model import Action, DeviceConfig, FilterKind, NatKind, Rule
from netaudit.parsers import linux
from netaudit.serialize import to_data
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "linux"

IOS = """!
version 15.2
hostname core1
interface GigabitEthernet0/1
 ip address 192.0.2.1 255.255.255.0
 ip access-group 101 in
access-list 101 permit tcp any any eq 80
end
"""


def load(name: str) -> DeviceConfig:
    path = FIXTURES / name
    return linux.parse(path.read_text(encoding="utf-8"), source=f"linux/{name}", name=path.stem)


def rules_for(rules: tuple[Rule, ...], i: str, o: str) -> list[Rule]:
    """The rules of a policy that apply to traffic entering ``i`` and leaving ``o``."""
    return [
        r
        for r in rules
        if (r.in_interfaces is None or i in r.in_interfaces)
        and (r.out_interfaces is None or o in r.out_interfaces)
    ]


def pkt(
    proto: int,
    src: str,
    dst: str,
    dport: int | None = None,
    *,
    sport: int = 50000,
    est: bool = False,
    icmp_type: int | None = None,
) -> Packet:
    ports = proto in (6, 17)
    return Packet(
        proto=proto,
        src=ipaddress.ip_address(src),
        dst=ipaddress.ip_address(dst),
        sport=sport if ports else None,
        dport=dport if ports else None,
        icmp_type=icmp_type if proto in (1, 58) else None,
        icmp_code=0 if proto in (1, 58) else None,
        established=est,
    )


def verdict(dev: DeviceConfig, i: str, o: str, p: Packet) -> Action:
    assert dev.policy is not None
    return evaluate(rules_for(dev.policy.rules, i, o), dev.policy.default_action, p)[0]


# -- golden files and fixtures ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["router_iptables.cfg", "gateway_nft.cfg", "host_ipaddr.cfg"])
def test_golden(name: str) -> None:
    dev = load(name)
    assert_golden(f"linux/{name.replace('.cfg', '.json')}", to_data(dev))


def test_router_snapshot_has_interfaces_routes_rules() -> None:
    dev = load("router_iptables.cfg")
    assert [i.name for i in dev.interfaces] == ["lo", "eth0", "eth1", "eth2.30"]
    eth0 = dev.interface("eth0")
    assert eth0 is not None and [str(a) for a in eth0.addresses] == ["192.0.2.1/24", "192.0.2.2/24"]
    sub = dev.interface("eth2.30")
    assert sub is not None and sub.vlan == 30 and sub.parent == "eth2"
    routes = {str(r.prefix): r for r in dev.routes}
    assert set(routes) == {"0.0.0.0/0", "10.0.0.0/8", "172.16.0.0/12"}
    assert routes["172.16.0.0/12"].discard
    assert str(routes["0.0.0.0/0"].next_hop) == "198.51.100.254"
    assert dev.policy is not None and dev.policy.kind is FilterKind.POLICY
    assert dev.policy.stateful
    assert dev.coverage.share == 1.0


def test_chain_policy_is_default() -> None:
    dev = load("router_iptables.cfg")
    assert dev.policy is not None
    # IPv6 FORWARD policy DROP is the filter default; the IPv4 one a final IPv4-only rule.
    assert dev.policy.default_action is Action.DENY
    assert dev.policy.default_span is not None and dev.policy.default_span.line == 51
    assert verdict(dev, "eth0", "eth1", pkt(17, "192.0.2.5", "203.0.113.9", 53)) is Action.DENY
    text = (
        (FIXTURES / "router_iptables.cfg")
        .read_text()
        .replace(":FORWARD DROP", ":FORWARD ACCEPT", 1)
    )
    dev2 = linux.parse(text, source="x")
    # v4 policy ACCEPT now: unmatched IPv4 passes, unmatched IPv6 still dropped.
    assert (
        verdict(dev2, "eth2.30", "eth0", pkt(17, "203.0.113.5", "192.0.2.9", 53)) is Action.PERMIT
    )
    assert (
        verdict(dev2, "eth2.30", "eth0", pkt(17, "2001:db8::1", "2001:db8:1::9", 53)) is Action.DENY
    )


def test_jump_return_semantics() -> None:
    dev = load("router_iptables.cfg")
    # LAN_OUT: 192.0.2.50 returns early -> FORWARD policy (drop) after later FORWARD rules.
    assert verdict(dev, "eth0", "eth1", pkt(6, "192.0.2.50", "198.51.100.9", 80)) is Action.DENY
    assert verdict(dev, "eth0", "eth1", pkt(6, "192.0.2.51", "198.51.100.9", 80)) is Action.PERMIT
    # SMTP rejected inside LAN_OUT.
    assert verdict(dev, "eth0", "eth1", pkt(6, "192.0.2.51", "198.51.100.9", 25)) is Action.DENY
    # Non-TCP returns from LAN_OUT; ICMP echo from the iprange is accepted by FORWARD rule 7.
    assert (
        verdict(dev, "eth0", "eth1", pkt(1, "192.0.2.15", "198.51.100.9", icmp_type=8))
        is Action.PERMIT
    )
    assert (
        verdict(dev, "eth0", "eth1", pkt(1, "192.0.2.25", "198.51.100.9", icmp_type=8))
        is Action.DENY
    )
    # negated destination: ICMP to 10/8 is not accepted.
    assert (
        verdict(dev, "eth0", "eth1", pkt(1, "192.0.2.15", "10.1.1.1", icmp_type=8)) is Action.DENY
    )


def test_wildcard_interface_expands_against_known_names() -> None:
    dev = load("router_iptables.cfg")
    assert dev.policy is not None
    srv = [r for r in dev.policy.rules if r.name == "SRV:1"]
    assert len(srv) == 1
    assert srv[0].in_interfaces == frozenset({"eth0", "eth1", "eth2.30"})
    assert srv[0].extras["via_lines"] == [26]
    assert (
        verdict(dev, "eth1", "eth2.30", pkt(6, "192.0.2.7", "203.0.113.10", 8080)) is Action.PERMIT
    )
    assert (
        verdict(dev, "eth1", "eth2.30", pkt(6, "198.51.100.7", "203.0.113.10", 8080)) is Action.DENY
    )


def test_established_maps_to_tcp_established_bit() -> None:
    dev = load("router_iptables.cfg")
    # ESTABLISHED,RELATED accept: TCP with ACK passes, whatever the addresses ...
    assert (
        verdict(dev, "eth1", "eth0", pkt(6, "198.51.100.9", "192.0.2.5", 5555, est=True))
        is Action.PERMIT
    )
    # ... but no UDP or ICMP packet of the model is ESTABLISHED (they are all initial packets).
    assert verdict(dev, "eth1", "eth0", pkt(17, "198.51.100.9", "192.0.2.5", 5555)) is Action.DENY
    assert (
        verdict(dev, "eth1", "eth0", pkt(1, "198.51.100.9", "192.0.2.5", icmp_type=0))
        is Action.DENY
    )
    space = HeaderSpace()
    assert dev.policy is not None
    v4_new = space.initial() & space.src([ipaddress.ip_network("198.51.100.0/24")])
    fm = first_match(space, rules_for(dev.policy.rules, "eth1", "eth0"), Action.DENY, v4_new)
    assert fm.permitted.is_empty()


def test_log_then_drop_marks_log() -> None:
    dev = load("router_iptables.cfg")
    assert dev.policy is not None
    (guest,) = [r for r in dev.policy.rules if r.name == "FORWARD:6"]
    assert guest.log and guest.action is Action.DENY


def test_nat_rules() -> None:
    dev = load("router_iptables.cfg")
    by_kind = {(n.kind, n.extras["target"]): n for n in dev.nat}
    dnat = by_kind[(NatKind.DESTINATION, "dnat")]
    assert [str(x) for x in dnat.translated_dst or ()] == ["203.0.113.10/32"]
    assert dnat.translated_dst_ports == (8443, 8443)
    assert dnat.in_interfaces == frozenset({"eth1"})
    masq = by_kind[(NatKind.SOURCE, "masquerade")]
    assert masq.out_interfaces == frozenset({"eth1"}) and masq.translated_src is None
    snat = by_kind[(NatKind.SOURCE, "snat")]
    assert [str(x) for x in snat.translated_src or ()] == ["198.51.100.5/32"]


def test_input_chain_management() -> None:
    dev = load("router_iptables.cfg")
    inp = dev.filter("INPUT")
    assert inp is not None and inp.kind is FilterKind.ACL
    svcs = {s.protocol: s for s in dev.mgmt.services}
    assert set(svcs) == {"ssh", "snmp"}
    assert [str(n) for n in svcs["ssh"].allowed_sources or ()] == ["192.0.2.0/24"]
    assert svcs["ssh"].acl == "INPUT"
    ssh = pkt(6, "192.0.2.9", "192.0.2.1", 22)
    assert evaluate(rules_for(inp.rules, "eth1", ""), inp.default_action, ssh)[0] is Action.DENY
    assert (
        evaluate(
            rules_for(inp.rules, "eth0", "eth0"),
            inp.default_action,
            pkt(6, "192.0.2.9", "192.0.2.1", 22),
        )[0]
        is Action.PERMIT
    )


def test_nft_ruleset() -> None:
    dev = load("gateway_nft.cfg")
    assert dev.policy is not None and dev.policy.stateful
    assert dev.coverage.share == 1.0
    # lan_to_wan: return for sources outside 192.0.2.0/24 -> forward policy drop
    assert verdict(dev, "lan*", "wan0", pkt(6, "192.0.2.5", "198.51.100.1", 443)) is Action.PERMIT
    assert verdict(dev, "lan*", "wan0", pkt(6, "10.0.0.5", "198.51.100.1", 443)) is Action.DENY
    assert verdict(dev, "lan*", "wan0", pkt(17, "192.0.2.5", "198.51.100.1", 53)) is Action.PERMIT
    assert verdict(dev, "lan*", "wan0", pkt(6, "192.0.2.5", "198.51.100.1", 8085)) is Action.PERMIT
    assert verdict(dev, "wan0", "dmz0", pkt(6, "198.51.100.1", "203.0.113.10", 80)) is Action.PERMIT
    assert verdict(dev, "wan0", "dmz0", pkt(6, "198.51.100.1", "203.0.113.11", 80)) is Action.DENY
    assert (
        verdict(dev, "x", "y", pkt(58, "2001:db8:10::1", "2001:db8:99::1", icmp_type=128))
        is Action.PERMIT
    )
    drop = [r for r in dev.policy.rules if r.name == "forward:6"]
    assert drop and drop[0].log
    svcs = {s.protocol: s for s in dev.mgmt.services}
    assert [str(n) for n in svcs["ssh"].allowed_sources or ()] == ["192.0.2.10/32", "192.0.2.64/27"]
    assert {n.extras["target"] for n in dev.nat} == {"dnat", "masquerade", "snat"}


def test_nft_multiple_forward_chains_compose() -> None:
    text = """table ip a {
	chain f1 {
		type filter hook forward priority -10; policy accept;
		ip saddr 10.0.0.0/8 drop
		tcp dport 22 accept
	}
}
table ip b {
	chain f2 {
		type filter hook forward priority 10; policy drop;
		tcp dport { 22, 80 } accept
	}
}
"""
    dev = linux.parse(text, source="t")
    # accepted by f1 (priority -10) still has to pass f2; f1's drop is final.
    assert verdict(dev, "a", "b", pkt(6, "192.0.2.1", "192.0.2.2", 22)) is Action.PERMIT
    assert verdict(dev, "a", "b", pkt(6, "192.0.2.1", "192.0.2.2", 80)) is Action.PERMIT
    assert verdict(dev, "a", "b", pkt(6, "192.0.2.1", "192.0.2.2", 443)) is Action.DENY
    assert verdict(dev, "a", "b", pkt(6, "10.0.0.1", "192.0.2.2", 22)) is Action.DENY


def test_ip_addr_multiline_and_routes() -> None:
    dev = load("host_ipaddr.cfg")
    names = [i.name for i in dev.interfaces]
    assert names == ["lo", "ens3", "ens4"]
    ens4 = dev.interface("ens4")
    assert ens4 is not None and not ens4.enabled
    assert {str(r.prefix) for r in dev.routes} == {"0.0.0.0/0", "::/0", "10.20.0.0/16"}
    assert dev.coverage.share == 1.0


# -- detect -----------------------------------------------------------------------------------


def test_detect() -> None:
    for name in ("router_iptables.cfg", "gateway_nft.cfg", "host_ipaddr.cfg"):
        assert linux.detect((FIXTURES / name).read_text()) >= 90, name
    assert linux.detect("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n") >= 90
    assert linux.detect(IOS) == 0
    assert linux.detect("set system host-name fw1\nset firewall filter x term y then accept\n") == 0


# -- bad input --------------------------------------------------------------------------------


def test_missing_commit_and_unknown_module() -> None:
    text = """*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
-A FORWARD -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT
-A FORWARD -p tcp --dport 80 -j ACCEPT
-A FORWARD -j NOSUCHCHAIN
"""
    dev = linux.parse(text, source="bad")
    lines = {u.line for u in dev.coverage.unrecognized}
    assert 4 in lines
    msgs = [(w.span.line, w.matters, w.message) for w in dev.warnings]
    assert any(line == 1 and matters and "COMMIT" in m for line, matters, m in msgs)
    assert any(line == 4 and matters for line, matters, _ in msgs)
    assert any(line == 6 and matters and "NOSUCHCHAIN" in m for line, matters, m in msgs)
    assert dev.policy is not None
    # the mac rule matches nothing and is flagged unresolved; port 80 still decided
    (mac,) = [r for r in dev.policy.rules if r.name == "FORWARD:1"]
    assert mac.unresolved
    assert verdict(dev, "a", "b", pkt(6, "192.0.2.1", "192.0.2.2", 80)) is Action.PERMIT
    assert verdict(dev, "a", "b", pkt(6, "192.0.2.1", "192.0.2.2", 81)) is Action.DENY


def test_chain_loop_and_garbage() -> None:
    text = """*filter
:FORWARD ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A FORWARD -j A
-A A -j B
-A B -s 192.0.2.0/24 -j A
-A B -j DROP
-A FORWARD -s "unbalanced
this is not iptables
COMMIT
table inet x {
	chain y {
		type filter hook forward priority 0; policy accept;
"""
    dev = linux.parse(text, source="loop")
    assert any("loop" in w.message and w.matters for w in dev.warnings)
    assert any("unbalanced braces" in w.message and w.matters for w in dev.warnings)
    assert {u.line for u in dev.coverage.unrecognized} >= {9, 10}
    assert verdict(dev, "a", "b", pkt(6, "198.51.100.1", "192.0.2.2", 80)) is Action.DENY


def test_empty_and_odd_input_never_raises() -> None:
    for text in (
        "",
        "\n\n",
        "COMMIT\n",
        "}\n",
        "*filter\n-A\n",
        "table inet {\n",
        "-A FORWARD -j\n",
    ):
        dev = linux.parse(text, source="odd")
        assert dev.platform == "linux"


def test_rate_limited_rules() -> None:
    text = """*filter
:FORWARD DROP [0:0]
-A FORWARD -p tcp --dport 22 -m limit --limit 3/min -j DROP
-A FORWARD -p tcp --dport 22 -j ACCEPT
-A FORWARD -p tcp --dport 23 -m limit --limit 3/min --limit-burst 5 -j ACCEPT
COMMIT
"""
    dev = linux.parse(text, source="rl")
    assert dev.coverage.share == 1.0
    # a rate-limited DROP can let packets through; a rate-limited ACCEPT can accept them
    assert verdict(dev, "a", "b", pkt(6, "192.0.2.1", "192.0.2.2", 22)) is Action.PERMIT
    assert verdict(dev, "a", "b", pkt(6, "192.0.2.1", "192.0.2.2", 23)) is Action.PERMIT


# -- random rule sets and the literal interpreter ----------------------------------------------

IFACES = ("lan1", "lan2", "srv0")
NETS = {
    "lan1": ["192.0.2.0/25", "192.0.2.10", "192.0.2.16/28", "192.0.2.100"],
    "lan2": ["198.51.100.0/24", "198.51.100.10", "198.51.100.128/25"],
    "srv0": ["203.0.113.0/24", "203.0.113.10", "203.0.113.20"],
}
HOSTS = {
    "lan1": ["192.0.2.10", "192.0.2.20", "192.0.2.100"],
    "lan2": ["198.51.100.10", "198.51.100.20", "198.51.100.130"],
    "srv0": ["203.0.113.10", "203.0.113.20"],
}
TCP_PORTS = (22, 80, 443, 3306, 8080)
UDP_PORTS = (53, 123, 5000)
IP_ADDR_SECTION = """1: lo    inet 127.0.0.1/8 scope host lo
2: lan1    inet 192.0.2.1/25 scope global lan1
3: lan2    inet 198.51.100.1/24 scope global lan2
4: srv0    inet 203.0.113.1/24 scope global srv0
"""


@dataclass(frozen=True)
class GRule:
    """One generated rule, kept as data for the interpreter."""

    chain: str
    target: str
    goto: bool = False
    src: tuple[tuple[str, ...], bool] | None = None
    dst: tuple[tuple[str, ...], bool] | None = None
    in_if: tuple[str, bool] | None = None
    out_if: tuple[str, bool] | None = None
    proto: tuple[str, bool] | None = None
    dport: tuple[tuple[int, int], bool] | None = None
    multiport: tuple[tuple[tuple[int, int], ...], bool] | None = None
    iprange: tuple[str, str, bool] | None = None
    ctstate: tuple[frozenset[str], bool] | None = None
    icmp_type: int | None = None

    def render(self) -> str:
        out = [f"-A {self.chain}"]

        def neg(flag: bool) -> str:
            return "! " if flag else ""

        if self.src:
            out.append(f"{neg(self.src[1])}-s {','.join(self.src[0])}")
        if self.dst:
            out.append(f"{neg(self.dst[1])}-d {','.join(self.dst[0])}")
        if self.in_if:
            out.append(f"{neg(self.in_if[1])}-i {self.in_if[0]}")
        if self.out_if:
            out.append(f"{neg(self.out_if[1])}-o {self.out_if[0]}")
        if self.proto:
            out.append(f"{neg(self.proto[1])}-p {self.proto[0]}")
        if self.dport:
            (lo, hi), n = self.dport
            out.append(
                f"-m {self.proto[0] if self.proto else 'tcp'} {neg(n)}--dport {lo if lo == hi else f'{lo}:{hi}'}"
            )
        if self.multiport:
            rngs, n = self.multiport
            text = ",".join(str(lo) if lo == hi else f"{lo}:{hi}" for lo, hi in rngs)
            out.append(f"-m multiport {neg(n)}--dports {text}")
        if self.icmp_type is not None:
            out.append(f"-m icmp --icmp-type {self.icmp_type}")
        if self.iprange:
            first, last, n = self.iprange
            out.append(f"-m iprange {neg(n)}--src-range {first}-{last}")
        if self.ctstate:
            states, n = self.ctstate
            out.append(f"-m conntrack {neg(n)}--ctstate {','.join(sorted(states))}")
        out.append(f"{'-g' if self.goto else '-j'} {self.target}")
        return " ".join(out)


@dataclass
class GRuleset:
    """A generated filter table: FORWARD policy, user chains and rules."""

    policy: str
    chains: list[str]
    rules: list[GRule] = field(default_factory=list)

    def render(self, *, prologue: tuple[str, ...] = ()) -> str:
        head = [
            "*filter",
            ":INPUT ACCEPT [0:0]",
            f":FORWARD {self.policy} [0:0]",
            ":OUTPUT ACCEPT [0:0]",
        ]
        head += [f":{c} - [0:0]" for c in self.chains]
        return "\n".join([*head, *prologue, *(r.render() for r in self.rules), "COMMIT", ""])


def _rand_addr(rng: random.Random) -> tuple[tuple[str, ...], bool]:
    pool = [a for v in NETS.values() for a in v]
    k = 1 if rng.random() < 0.8 else 2
    items = tuple(rng.sample(pool, k))
    return items, (k == 1 and rng.random() < 0.25)


def random_rule(rng: random.Random, chain: str, targets: list[str], *, ct: bool = True) -> GRule:
    """One random rule; iptables only accepts some combinations, so build them consistently."""
    kw: dict[str, object] = {}
    if rng.random() < 0.4:
        kw["src"] = _rand_addr(rng)
    if rng.random() < 0.3:
        kw["dst"] = _rand_addr(rng)
    if rng.random() < 0.25:
        name = rng.choice([*IFACES, "lan+"])
        kw["in_if"] = (name, rng.random() < 0.3)
    if rng.random() < 0.15:
        kw["out_if"] = (rng.choice([*IFACES, "srv+"]), rng.random() < 0.3)
    r = rng.random()
    if r < 0.35:
        kw["proto"] = ("tcp", False)
        if rng.random() < 0.5:
            lo = rng.choice(TCP_PORTS)
            hi = lo if rng.random() < 0.7 else lo + rng.choice([1, 100, 5000])
            kw["dport"] = ((lo, hi), rng.random() < 0.2)
        elif rng.random() < 0.5:
            ports = tuple(sorted({(p, p) for p in rng.sample(TCP_PORTS, 2)}))
            kw["multiport"] = (ports, rng.random() < 0.2)
    elif r < 0.55:
        kw["proto"] = ("udp", False)
        if rng.random() < 0.6:
            p = rng.choice(UDP_PORTS)
            kw["dport"] = ((p, p), rng.random() < 0.2)
    elif r < 0.7:
        kw["proto"] = ("icmp", False)
        if rng.random() < 0.5:
            kw["icmp_type"] = rng.choice([8, 0, 3])
    elif r < 0.78:
        kw["proto"] = (rng.choice(["tcp", "udp", "icmp"]), True)
    if rng.random() < 0.12:
        base = rng.choice(["192.0.2", "198.51.100"])
        a, b = sorted(rng.sample(range(1, 200), 2))
        kw["iprange"] = (f"{base}.{a}", f"{base}.{b}", rng.random() < 0.3)
    if ct and rng.random() < 0.15:
        states = frozenset(
            rng.sample(["NEW", "ESTABLISHED", "RELATED", "INVALID"], rng.randint(1, 2))
        )
        kw["ctstate"] = (states, rng.random() < 0.2)
    src, dst = kw.get("src"), kw.get("dst")
    multi = any(isinstance(a, tuple) and len(a[0]) > 1 for a in (src, dst))
    if multi:  # iptables: "! not allowed with multiple source or destination IP addresses"
        for key in ("src", "dst"):
            if kw.get(key):
                kw[key] = (kw[key][0], False)  # type: ignore[index]
    target = rng.choice(targets)
    goto = target not in ("ACCEPT", "DROP", "REJECT", "RETURN") and rng.random() < 0.3
    return GRule(chain=chain, target=target, goto=goto, **kw)  # type: ignore[arg-type]


def random_ruleset(seed: int, *, size: int = 14, ct: bool = True) -> GRuleset:
    """A filter table with user chains (acyclic: a chain only jumps to later ones)."""
    rng = random.Random(seed)
    chains = [f"U{i}" for i in range(rng.randint(1, 3))]
    rs = GRuleset(policy=rng.choice(["ACCEPT", "DROP"]), chains=chains)
    verdicts = ["ACCEPT", "ACCEPT", "DROP", "REJECT"]
    for _ in range(size):
        rs.rules.append(random_rule(rng, "FORWARD", [*verdicts, "RETURN", *chains], ct=ct))
    for idx, c in enumerate(chains):
        later = chains[idx + 1 :]
        for _ in range(rng.randint(1, 5)):
            rs.rules.append(random_rule(rng, c, [*verdicts, "RETURN", "RETURN", *later], ct=ct))
    return rs


def _ip_in(addrs: tuple[str, ...], a: str) -> bool:
    ip = ipaddress.ip_address(a)
    return any(ip in ipaddress.ip_network(x, strict=False) for x in addrs)


def _if_in(pattern: str, name: str) -> bool:
    return name.startswith(pattern[:-1]) if pattern.endswith("+") else name == pattern


PROTO_NUM = {"tcp": 6, "udp": 17, "icmp": 1}


def literal_match(r: GRule, p: Packet, i: str, o: str) -> bool:
    """The rule's match, read literally (the oracle; conntrack state from the model's packet)."""
    state = "ESTABLISHED" if p.proto == 6 and p.established else "NEW"
    checks: list[bool] = []
    if r.src:
        checks.append(_ip_in(r.src[0], str(p.src)) != r.src[1])
    if r.dst:
        checks.append(_ip_in(r.dst[0], str(p.dst)) != r.dst[1])
    if r.in_if:
        checks.append(_if_in(r.in_if[0], i) != r.in_if[1])
    if r.out_if:
        checks.append(_if_in(r.out_if[0], o) != r.out_if[1])
    if r.proto:
        checks.append((p.proto == PROTO_NUM[r.proto[0]]) != r.proto[1])
    if r.dport:
        (lo, hi), n = r.dport
        checks.append(p.dport is not None and (lo <= p.dport <= hi) != n)
    if r.multiport:
        rngs, n = r.multiport
        checks.append(p.dport is not None and any(lo <= p.dport <= hi for lo, hi in rngs) != n)
    if r.icmp_type is not None:
        checks.append(p.icmp_type == r.icmp_type)
    if r.iprange:
        first, last, n = r.iprange
        inside = int(ipaddress.ip_address(first)) <= int(p.src) <= int(ipaddress.ip_address(last))
        checks.append(inside != n)
    if r.ctstate:
        states, n = r.ctstate
        checks.append((state in states) != n)
    return all(checks)


def interpret(rs: GRuleset, p: Packet, i: str, o: str) -> str:
    """Walk FORWARD as the kernel does: ACCEPT/DROP/REJECT end, RETURN/goto as documented."""

    def run(chain: str) -> str | None:
        for r in rs.rules:
            if r.chain != chain or not literal_match(r, p, i, o):
                continue
            if r.target in ("ACCEPT", "DROP", "REJECT"):
                return r.target
            if r.target == "RETURN":
                return None
            v = run(r.target)
            if v is not None or r.goto:
                return v
        return None

    v = run("FORWARD")
    return v if v is not None else rs.policy


def random_packet(rng: random.Random) -> tuple[Packet, str, str]:
    i, o = rng.sample(IFACES, 2)
    src = rng.choice(HOSTS[i] + ["192.0.2.150", "10.0.0.1"])
    dst = rng.choice(HOSTS[o] + ["198.51.100.200"])
    proto = rng.choice([6, 6, 17, 1, 47])
    dport = rng.choice([*TCP_PORTS, *UDP_PORTS, 81, 444, 8000]) if proto in (6, 17) else None
    if dport is not None and rng.random() < 0.2:
        dport += rng.choice([1, 99, 100, 4999, 5000])
    return (
        pkt(
            proto,
            src,
            dst,
            dport,
            est=proto == 6 and rng.random() < 0.3,
            icmp_type=rng.choice([0, 3, 8]),
        ),
        i,
        o,
    )


def parse_generated(rs: GRuleset) -> DeviceConfig:
    return linux.parse(IP_ADDR_SECTION + rs.render(), source="gen")


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_flattening_matches_literal_interpreter(seed: int) -> None:
    rs = random_ruleset(seed)
    dev = parse_generated(rs)
    assert dev.coverage.share == 1.0, dev.coverage.unrecognized
    assert not [w for w in dev.warnings if w.matters]
    assert dev.policy is not None
    space = HeaderSpace()
    sets = {}
    rng = random.Random(seed)
    for _ in range(150):
        p, i, o = random_packet(rng)
        expected = interpret(rs, p, i, o)
        rules = rules_for(dev.policy.rules, i, o)
        got, _ = evaluate(rules, dev.policy.default_action, p)
        want = Action.PERMIT if expected == "ACCEPT" else Action.DENY
        assert got is want, (seed, str(p), i, o, rs.render())
        if (i, o) not in sets:
            sets[(i, o)] = first_match(space, rules, dev.policy.default_action).permitted
        assert sets[(i, o)].contains(p) == (want is Action.PERMIT)


def test_interpreter_hand_cases() -> None:
    """User chains with RETURN, multiport, iprange and negation, against the interpreter."""
    rs = GRuleset(policy="DROP", chains=["WEB", "DENYLIST"])
    rs.rules = [
        GRule(chain="FORWARD", target="DENYLIST", in_if=("lan+", False)),
        GRule(
            chain="FORWARD",
            target="WEB",
            proto=("tcp", False),
            multiport=(((80, 80), (443, 443)), False),
        ),
        GRule(chain="FORWARD", target="ACCEPT", proto=("udp", True), out_if=("srv0", False)),
        GRule(chain="DENYLIST", target="RETURN", src=(("192.0.2.10",), False)),
        GRule(chain="DENYLIST", target="DROP", iprange=("192.0.2.1", "192.0.2.50", False)),
        GRule(chain="WEB", target="RETURN", dst=(("203.0.113.20",), True)),
        GRule(chain="WEB", target="ACCEPT", src=(("192.0.2.0/25", "198.51.100.0/24"), False)),
    ]
    dev = parse_generated(rs)
    cases = [
        (pkt(6, "192.0.2.10", "203.0.113.20", 443), "lan1", "srv0", "ACCEPT"),
        (pkt(6, "192.0.2.20", "203.0.113.20", 443), "lan1", "srv0", "DROP"),
        (pkt(6, "192.0.2.100", "203.0.113.10", 443), "lan1", "srv0", "ACCEPT"),
        (pkt(6, "192.0.2.100", "198.51.100.10", 443), "lan1", "lan2", "DROP"),
        (pkt(6, "192.0.2.100", "203.0.113.20", 443), "lan2", "lan1", "ACCEPT"),
        (pkt(6, "192.0.2.100", "203.0.113.20", 80), "lan1", "srv0", "ACCEPT"),
        (pkt(1, "192.0.2.100", "203.0.113.10", icmp_type=8), "lan1", "srv0", "ACCEPT"),
        (pkt(17, "192.0.2.100", "203.0.113.10", 53), "lan1", "srv0", "DROP"),
        (pkt(1, "203.0.113.10", "192.0.2.100", icmp_type=8), "srv0", "lan1", "DROP"),
    ]
    for p, i, o, want in cases:
        assert interpret(rs, p, i, o) == want, (str(p), i, o)
        got = verdict(dev, i, o, p)
        assert got is (Action.PERMIT if want == "ACCEPT" else Action.DENY), (str(p), i, o)
