"""Ground truth: the Linux parser's model against a real Linux packet filter.

Three network namespaces (two clients and a server) hang off a router namespace by veth links;
the router loads a rule set on FORWARD with ``iptables-restore``. Every probe — a TCP connect to
a listening port, a UDP datagram to an echo server, an ICMP echo — must get through exactly when
netaudit's model of the same ``iptables-save`` text (the parser plus :func:`netaudit.flow.evaluate`
on the rules that apply to the probe's in/out interfaces) says PERMIT.

Rule sets: random ones (seeded, from the generator in ``test_linux.py``) and a hand-written one
with user chains, RETURN, goto, multiport, iprange and negation. Each rule set starts with
``-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`` so that replies come back: probes are
connection-opening packets, which is what the model's verdict is about.

Needs root, ``ip`` (iproute2) and ``iptables-restore``; skipped otherwise. Nothing is installed
from here. Addresses are the documentation ranges (RFC 5737); no traffic leaves the namespaces.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from netaudit.flow import evaluate
from netaudit.model import Action, DeviceConfig
from netaudit.parsers import linux
from tests.parsers.test_linux import (
    HOSTS,
    IP_ADDR_SECTION,
    TCP_PORTS,
    UDP_PORTS,
    GRule,
    GRuleset,
    pkt,
    random_ruleset,
    rules_for,
)

PROLOGUE = ("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",)
ROUTER_IFS = {"lan1": ("192.0.2.1/25", "c1"), "lan2": ("198.51.100.1/24", "c2")}
PREFIX = {"lan1": 25, "lan2": 24, "srv0": 24}

SERVER = r"""
import socket, sys, threading
tcp, udp = [int(x) for x in sys.argv[1].split(",")], [int(x) for x in sys.argv[2].split(",")]
def serve_tcp(p):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", p)); s.listen(64)
    while True:
        c, _ = s.accept(); c.close()
def serve_udp(addr, p):
    # one socket per address, so the reply leaves from the address the probe was sent to
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((addr, p))
    while True:
        d, a = s.recvfrom(2048); s.sendto(d, a)
for p in tcp: threading.Thread(target=serve_tcp, args=(p,), daemon=True).start()
for a in sys.argv[3].split(","):
    for p in udp: threading.Thread(target=serve_udp, args=(a, p), daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
"""

PROBE = r"""
import json, os, socket, struct, sys, threading, time
probes = json.loads(sys.stdin.read())
out = [False] * len(probes)
T = 1.5
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def run(i, p):
    try:
        if p["proto"] == 6:
            s = socket.socket(); s.settimeout(T); s.bind((p["src"], 0))
            out[i] = s.connect_ex((p["dst"], p["dport"])) == 0; s.close()
        elif p["proto"] == 17:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(T); s.bind((p["src"], 0))
            s.sendto(b"probe%d" % i, (p["dst"], p["dport"]))
            d, a = s.recvfrom(2048); out[i] = d == b"probe%d" % i
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); s.bind((p["src"], 0))
            ident = (os.getpid() + i) & 0xffff
            hdr = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + b"netaudit"
            hdr = hdr[:2] + struct.pack("!H", csum(hdr)) + hdr[4:]
            s.sendto(hdr, (p["dst"], 0)); end = time.time() + T
            while time.time() < end:
                s.settimeout(max(0.01, end - time.time()))
                d, a = s.recvfrom(2048)
                ihl = (d[0] & 15) * 4; t, _, _, rid = struct.unpack("!BBHH", d[ihl:ihl + 6])
                if t == 0 and rid == ident and a[0] == p["dst"]:
                    out[i] = True; break
    except OSError:
        pass
ts = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(probes)]
for t in ts: t.start()
for t in ts: t.join()
print(json.dumps(out))
"""


def _missing() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to create network namespaces"
    for tool in ("ip", "iptables-restore"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (apt-get install iproute2 iptables)"
    return None


def sh(*args: str, input_text: str | None = None) -> str:
    res = subprocess.run(
        args, input=input_text, capture_output=True, text=True, timeout=30, check=False
    )
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {res.stderr.strip()}")
    return res.stdout


@dataclass
class Lab:
    ns: dict[str, str]

    def run(self, node: str, *args: str, input_text: str | None = None) -> str:
        return sh("ip", "netns", "exec", self.ns[node], *args, input_text=input_text)


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    suffix = secrets.token_hex(3)
    ns = {k: f"na-{k}-{suffix}" for k in ("r", "c1", "c2", "s")}
    created: list[str] = []
    server: subprocess.Popen[str] | None = None
    try:
        for name in ns.values():
            try:
                sh("ip", "netns", "add", name)
            except RuntimeError as e:
                pytest.skip(f"cannot create network namespaces here: {e}")
            created.append(name)
        lab = Lab(ns)
        links = {"lan1": "c1", "lan2": "c2", "srv0": "s"}
        for rif, node in links.items():
            lab.run(
                "r",
                "ip",
                "link",
                "add",
                rif,
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "netns",
                ns[node],
            )
        router_addr = {"lan1": "192.0.2.1", "lan2": "198.51.100.1", "srv0": "203.0.113.1"}
        for rif, node in links.items():
            lab.run("r", "ip", "addr", "add", f"{router_addr[rif]}/{PREFIX[rif]}", "dev", rif)
            lab.run("r", "ip", "link", "set", rif, "up")
            for host in HOSTS[rif]:
                lab.run(node, "ip", "addr", "add", f"{host}/{PREFIX[rif]}", "dev", "eth0")
            lab.run(node, "ip", "link", "set", "eth0", "up")
            lab.run(node, "ip", "link", "set", "lo", "up")
            lab.run(node, "ip", "route", "add", "default", "via", router_addr[rif])
        lab.run("r", "ip", "link", "set", "lo", "up")
        lab.run("r", "sysctl", "-qw", "net.ipv4.ip_forward=1")
        for node in ns:
            lab.run(node, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0")
        server = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                ns["s"],
                sys.executable,
                "-c",
                SERVER,
                ",".join(map(str, TCP_PORTS)),
                ",".join(map(str, UDP_PORTS)),
                ",".join(HOSTS["srv0"]),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdout is not None
        assert server.stdout.readline().strip() == "ready"
        yield lab
    finally:
        if server is not None:
            server.kill()
            server.wait(timeout=10)
        for name in created:
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


def probes_for(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed * 7919 + 1)
    out: list[dict[str, Any]] = []
    for _ in range(count):
        iface = rng.choice(["lan1", "lan2"])
        proto = rng.choice([6, 6, 17, 1])
        out.append(
            {
                "iface": iface,
                "proto": proto,
                "src": rng.choice(HOSTS[iface]),
                "dst": rng.choice(HOSTS["srv0"]),
                "dport": rng.choice(TCP_PORTS if proto == 6 else UDP_PORTS) if proto != 1 else None,
            }
        )
    return out


def check(lab: Lab, rs: GRuleset, probes: list[dict[str, Any]]) -> None:
    text = rs.render(prologue=PROLOGUE)
    lab.run("r", "iptables-restore", input_text=text)
    dev = parse_generated_with_prologue(rs)
    assert dev.policy is not None
    results: dict[int, bool] = {}
    for client, iface in (("c1", "lan1"), ("c2", "lan2")):
        idx = [i for i, p in enumerate(probes) if p["iface"] == iface]
        if not idx:
            continue
        got = json.loads(
            lab.run(
                client, sys.executable, "-c", PROBE, input_text=json.dumps([probes[i] for i in idx])
            )
        )
        results.update(zip(idx, got, strict=True))
    mismatches = []
    for i, p in enumerate(probes):
        packet = pkt(int(p["proto"]), str(p["src"]), str(p["dst"]), p["dport"], icmp_type=8)
        rules = rules_for(dev.policy.rules, str(p["iface"]), "srv0")
        model = evaluate(rules, dev.policy.default_action, packet)[0] is Action.PERMIT
        if model != results[i]:
            mismatches.append((p, "model", model, "kernel", results[i]))
    assert not mismatches, (mismatches, text)


def parse_generated_with_prologue(rs: GRuleset) -> DeviceConfig:
    """The parser's model of exactly the text the kernel got."""
    return linux.parse(IP_ADDR_SECTION + rs.render(prologue=PROLOGUE), source="groundtruth")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_rulesets_against_kernel(lab: Lab, seed: int) -> None:
    rs = random_ruleset(seed, size=12)
    check(lab, rs, probes_for(seed, 30))


def test_hand_ruleset_against_kernel(lab: Lab) -> None:
    rs = GRuleset(policy="DROP", chains=["WEB", "DENYLIST", "OPS"])
    rs.rules = [
        GRule(chain="FORWARD", target="DENYLIST", in_if=("lan+", False)),
        GRule(
            chain="FORWARD",
            target="WEB",
            proto=("tcp", False),
            multiport=(((80, 80), (443, 443)), False),
        ),
        GRule(chain="FORWARD", target="OPS", goto=True, src=(("198.51.100.0/24",), False)),
        GRule(chain="FORWARD", target="ACCEPT", proto=("udp", True), out_if=("srv0", False)),
        GRule(chain="DENYLIST", target="RETURN", src=(("192.0.2.10",), False)),
        GRule(chain="DENYLIST", target="DROP", iprange=("192.0.2.1", "192.0.2.50", False)),
        GRule(chain="WEB", target="RETURN", dst=(("203.0.113.20",), True)),
        GRule(chain="WEB", target="ACCEPT", src=(("192.0.2.0/25", "198.51.100.0/25"), False)),
        GRule(chain="OPS", target="ACCEPT", proto=("tcp", False), dport=((22, 22), False)),
        GRule(chain="OPS", target="RETURN", proto=("udp", False), dport=((53, 53), True)),
        GRule(chain="OPS", target="ACCEPT", proto=("udp", False)),
    ]
    probes: list[dict[str, Any]] = []
    for iface in ("lan1", "lan2"):
        for src in HOSTS[iface]:
            for dst in HOSTS["srv0"]:
                for proto, port in (
                    (6, 22),
                    (6, 80),
                    (6, 443),
                    (6, 3306),
                    (17, 53),
                    (17, 123),
                    (1, None),
                ):
                    probes.append(
                        {"iface": iface, "proto": proto, "src": src, "dst": dst, "dport": port}
                    )
    check(lab, rs, probes)
