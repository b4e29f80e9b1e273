"""Benchmark of netaudit.flow: compile and first-match a random 10,000-rule ACL, exactly.

Run from the repository root::

    .venv/bin/python benchmarks/flow_firstmatch.py            # table; figures in flow_firstmatch.md
    .venv/bin/python benchmarks/flow_firstmatch.py --rules 20000 --seed 7 --repeat 5

Every measurement runs in a fresh Python subprocess (``--measure NAME``) so that the BDD
caches start empty and ``ru_maxrss`` is the peak of that measurement alone (tracemalloc cannot
see CUDD's C allocations). Times are the median of ``--repeat`` subprocesses.

The ACL is synthetic and reproducible from ``--seed``: 20 departmental /16s in 10.0.0.0/8, a
few /24 VLANs in each, hosts (/32) in those VLANs; rules are mostly host-to-host and
host-to-subnet, with single ports, port ranges, UDP, ICMP, "ip any", and ~8 % any-address
sides, 70 % permit, default deny — the shape of a large municipal core ACL.

Measurements:

* ``zone_pair``  compile + first-match for ONE zone pair (src in a /16, dst in another /16)
* ``full``       first-match over the whole header space (includes compiling)
* ``compile``    compile every rule to a packet set, nothing else
* ``witness``    one witness of the full-space permitted set and of the zone-pair one
* ``baseline``   import + an empty HeaderSpace (the memory floor)
* ``naive``      brute force: :func:`netaudit.flow.evaluate` on 100,000 packets aimed at the
  rules (the packet-by-packet peer; it answers 100,000 points, not the whole space)
* ``exp_*``      EXPERIMENTAL local variants of ``first_match`` (see the .md), not the product
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from netaudit.flow import (  # noqa: E402
    _WIDTH,
    FirstMatch,
    HeaderSpace,
    Packet,
    PacketSet,
    evaluate,
    first_match,
    rules_meeting,
)
from netaudit.model import (  # noqa: E402
    ANY_V4,
    ICMP_PROTOCOLS,
    PORT_PROTOCOLS,
    PROTO_ICMP,
    PROTO_TCP,
    PROTO_UDP,
    Action,
    AddressMatch,
    IPAddress,
    Match,
    Rule,
    ServiceMatch,
    SourceSpan,
)

ZONE_A = ipaddress.IPv4Network("10.1.0.0/16")
ZONE_B = ipaddress.IPv4Network("10.2.0.0/16")
DEFAULT = Action.DENY
COMMON_PORTS = (22, 23, 25, 53, 80, 110, 123, 143, 161, 389, 443, 445, 636, 1433, 3306, 3389, 8080)


# -- synthetic input ------------------------------------------------------------------------------


def make_acl(seed: int, count: int) -> list[Rule]:
    """A reproducible, realistic-looking ACL of ``count`` rules (IPv4, default deny)."""
    rng = random.Random(seed)
    sixteens = [ipaddress.IPv4Network(f"10.{i}.0.0/16") for i in range(1, 21)]
    vlans = [
        ipaddress.IPv4Network(f"10.{i}.{rng.randrange(256)}.0/24")
        for i in range(1, 21)
        for _ in range(6)
    ]

    def host() -> ipaddress.IPv4Network:
        v = rng.choice(vlans)
        return ipaddress.IPv4Network(f"{v.network_address + rng.randrange(1, 255)}/32")

    def side(kind: str) -> AddressMatch:
        if kind == "any":
            return ANY_V4
        net = host() if kind == "host" else rng.choice(vlans if kind == "vlan" else sixteens)
        return AddressMatch(networks=(net,))

    def sides() -> tuple[AddressMatch, AddressMatch, bool]:
        # A broad side (any or a whole department) is paired with a narrow one, as in real
        # ACLs; "ip any" only between narrow sides: no early catch-all ends first-match.
        kinds = ("host", "vlan", "dept", "any")
        src, dst = rng.choices(kinds, weights=(45, 35, 12, 8), k=2)
        if src in ("dept", "any") and dst in ("dept", "any"):
            dst = rng.choice(("host", "vlan"))
        return side(src), side(dst), src in ("host", "vlan") and dst in ("host", "vlan")

    def service(narrow: bool) -> ServiceMatch:
        r = rng.random() if narrow else rng.random() * 0.88
        if r < 0.55:
            return ServiceMatch(protocol=PROTO_TCP, dst_ports=((p := rng.choice(COMMON_PORTS), p),))
        if r < 0.65:
            lo = rng.randrange(1024, 60000)
            return ServiceMatch(protocol=PROTO_TCP, dst_ports=((lo, lo + rng.randrange(1, 2000)),))
        if r < 0.78:
            p = rng.choice((53, 67, 69, 123, 161, 162, 514, 1812))
            return ServiceMatch(protocol=PROTO_UDP, dst_ports=((p, p),))
        if r < 0.85:
            return ServiceMatch(protocol=PROTO_ICMP, icmp_type=rng.choice((None, 0, 8, 3)))
        if r < 0.88:
            return ServiceMatch(protocol=PROTO_TCP, established=True)
        return ServiceMatch()

    rules = []
    for i in range(count):
        src, dst, narrow = sides()
        rules.append(
            Rule(
                action=Action.PERMIT if rng.random() < 0.7 else Action.DENY,
                match=Match(src=src, dst=dst, services=(service(narrow),)),
                span=SourceSpan(file="bench.acl", line=i + 1),
            )
        )
    return rules


def make_packets(seed: int, rules: Sequence[Rule], count: int) -> list[Packet]:
    """``count`` packets, each aimed at a random rule's networks and service."""
    rng = random.Random(seed + 1)

    def addr(am: AddressMatch) -> IPAddress:
        net = rng.choice(am.networks)
        return net.network_address + rng.randrange(net.num_addresses)

    out = []
    for _ in range(count):
        m = rng.choice(rules).match
        svc = m.services[0]
        proto = svc.protocol if svc.protocol is not None else rng.choice((PROTO_TCP, PROTO_UDP, 47))
        ports = proto in PORT_PROTOCOLS
        dport = None
        if ports:
            lo, hi = svc.dst_ports[0] if svc.dst_ports else (0, 65535)
            dport = rng.randint(lo, hi)
        out.append(
            Packet(
                proto=proto,
                src=addr(m.src),
                dst=addr(m.dst),
                sport=rng.randrange(49152, 65536) if ports else None,
                dport=dport,
                icmp_type=(svc.icmp_type or 8) if proto in ICMP_PROTOCOLS else None,
                icmp_code=0 if proto in ICMP_PROTOCOLS else None,
                established=proto == PROTO_TCP and rng.random() < 0.2,
            )
        )
    return out


# -- EXPERIMENTAL variants (local copies, not the product; see flow_firstmatch.md) -----------------


def exp_first_match_backward(
    space: HeaderSpace, rules: Sequence[Rule], default_action: Action
) -> PacketSet:
    """EXPERIMENTAL: the permitted set built from the last rule up, one ITE per rule.

    ``P = ite(r1, a1, ite(r2, a2, ... default))``: no ``remaining`` set and no emptiness test
    per rule. Answers the full-space question only (intersect with the question afterwards).
    """
    bdd = space.bdd
    node = bdd.true if default_action is Action.PERMIT else bdd.false
    for rule in reversed(rules):
        if not rule.enabled:
            continue
        r = space.rule(rule).node
        node = (r | node) if rule.action is Action.PERMIT else (node & ~r)
    return PacketSet(space, node)


def _overlaps(am: AddressMatch, nets: Sequence[ipaddress.IPv4Network]) -> bool:
    """Conservative: could this address match meet any of ``nets``?"""
    if am.negate:
        return True
    return any(n.version == z.version and n.overlaps(z) for n in am.networks for z in nets)


def exp_first_match_prefiltered(
    space: HeaderSpace,
    rules: Sequence[Rule],
    default_action: Action,
    src_nets: Sequence[ipaddress.IPv4Network],
    dst_nets: Sequence[ipaddress.IPv4Network],
) -> FirstMatch:
    """EXPERIMENTAL: skip rules whose addresses cannot meet the zone pair before compiling them.

    Sound because a rule whose ``match.src`` does not overlap the question's sources cannot match
    any packet of the question (conditions only narrow further); exceptions need no check.
    """
    keep = [
        r
        for r in rules
        if not r.enabled
        or (_overlaps(r.match.src, src_nets) and _overlaps(r.match.dst, dst_nets))
        or r.unresolved
    ]
    within = space.src(src_nets) & space.dst(dst_nets)
    return first_match(space, keep, default_action, within=within)


# -- measurements ---------------------------------------------------------------------------------


def exp_first_match_halves(
    space: HeaderSpace, rules: Sequence[Rule], default_action: Action
) -> PacketSet:
    """EXPERIMENTAL: first-match by divide and conquer over the rule list.

    For a list ``L = L1 + L2`` with (permitted, matched) pairs ``(P1, M1)`` and ``(P2, M2)``:
    ``P = P1 | (P2 - M1)`` and ``M = M1 | M2``. Combining balanced halves keeps every operand
    small until the last levels, whereas the product's loop intersects each rule with the huge
    ``remaining`` set (a rule that is broad in the top variables — ``any`` destination — walks
    all of it). Full-space question only; intersect with a question afterwards.
    """
    bdd = space.bdd
    live = [r for r in rules if r.enabled]

    def halves(lo: int, hi: int) -> tuple[Any, Any]:
        if hi - lo == 1:
            m = space.rule(live[lo]).node
            return (m if live[lo].action is Action.PERMIT else bdd.false), m
        mid = (lo + hi) // 2
        p1, m1 = halves(lo, mid)
        p2, m2 = halves(mid, hi)
        return p1 | (p2 & ~m1), m1 | m2

    if not live:
        return space.all if default_action is Action.PERMIT else space.empty
    permitted, matched = halves(0, len(live))
    if default_action is Action.PERMIT:
        permitted = permitted | ~matched
    return PacketSet(space, permitted)


class ExpHierSpace(HeaderSpace):
    """EXPERIMENTAL: prefixes composed from cached byte-aligned pieces.

    ``/32 = (cached /24) & (cached cube of the last 8 bits)``: one AND (~4 µs) instead of a fresh
    32-literal cube (~18 µs in dd plus a dict comprehension) for every new host address.
    """

    def __init__(self) -> None:
        super().__init__()
        self._bits_cache: dict[tuple[str, int, int, int], Any] = {}

    def _bits(self, fld: str, value: int, lo: int, hi: int) -> Any:
        width = _WIDTH[fld]
        key = (fld, lo, hi, (value >> (width - hi)) & ((1 << (hi - lo)) - 1))
        node = self._bits_cache.get(key)
        if node is None:
            vs = self._vars[fld]
            node = self.bdd.cube(
                {vs[i]: bool((value >> (width - 1 - i)) & 1) for i in range(lo, hi)}
            )
            self._bits_cache[key] = node
        return node

    def _prefix(self, fld: str, value: int, plen: int) -> Any:
        width = _WIDTH[fld]
        key = (fld, value >> (width - plen) if plen else 0, plen)
        node = self._prefix_cache.get(key)
        if node is None:
            if plen > 8:
                base = plen - ((plen - 1) % 8 + 1)
                node = self._prefix(fld, value, base) & self._bits(fld, value, base, plen)
            else:
                node = self._bits(fld, value, 0, plen)
            self._prefix_cache[key] = node
        return node


def _same_manager_reference(space: HeaderSpace) -> HeaderSpace:
    """A product HeaderSpace with empty caches that builds into ``space``'s BDD manager."""
    ref = HeaderSpace()
    ref.bdd = space.bdd
    ref.all, ref.empty = space.all, space.empty
    return ref


def _stop(t0: float) -> tuple[float, float]:
    """Seconds since ``t0`` and the peak RSS so far in MiB (``ru_maxrss`` is KiB on Linux)."""
    return time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _zone(space: HeaderSpace) -> PacketSet:
    return space.src([ZONE_A]) & space.dst([ZONE_B])


def measure(
    name: str, seed: int, count: int, packets: int, check: bool = False
) -> dict[str, float | int | str]:
    """Run one measurement in this process; returns seconds and facts about the result.

    Input generation is never timed; checks of experimental variants run after the clock stops.
    """
    rules = make_acl(seed, count)
    pkts = make_packets(seed, rules, packets) if name == "naive" else []
    info: dict[str, float | int | str] = {}
    space = HeaderSpace()
    t0 = time.perf_counter()
    if name == "baseline":
        elapsed, rss = _stop(t0)
    elif name == "compile":
        for r in rules:
            space.rule(r)
        elapsed, rss = _stop(t0)
        info["bdd_nodes"] = len(space.bdd)
    elif name == "zone_pair":
        fm = first_match(space, rules, DEFAULT, within=_zone(space))
        elapsed, rss = _stop(t0)
        info["witness"] = str(fm.permitted.witness())
    elif name == "zone_pair_product":
        # What the product does for one zone pair: prefilter by address, then first-match.
        fm = first_match(
            space,
            rules_meeting(rules, src=[ZONE_A], dst=[ZONE_B]),
            DEFAULT,
            within=_zone(space),
        )
        elapsed, rss = _stop(t0)
        info["witness"] = str(fm.permitted.witness())
        info["agrees"] = str(
            fm.permitted == first_match(space, rules, DEFAULT, within=_zone(space)).permitted
        )
    elif name == "full":
        fm = first_match(space, rules, DEFAULT)
        elapsed, rss = _stop(t0)
        info["bdd_nodes"] = len(space.bdd)
        info["permitted_nodes"] = len(fm.permitted.node)
    elif name == "witness":
        fm_full = first_match(space, rules, DEFAULT)
        fm_zone = first_match(space, rules, DEFAULT, within=_zone(space))
        t0 = time.perf_counter()
        for _ in range(100):
            fm_full.permitted.witness()
            fm_zone.permitted.witness()
        elapsed, rss = _stop(t0)
        elapsed /= 200
    elif name == "naive":
        permitted = sum(evaluate(rules, DEFAULT, p)[0] is Action.PERMIT for p in pkts)
        elapsed, rss = _stop(t0)
        info["permitted_share"] = round(permitted / len(pkts), 3)
    elif name == "exp_backward":
        exp = exp_first_match_backward(space, rules, DEFAULT)
        elapsed, rss = _stop(t0)
        info["agrees"] = str(exp == first_match(space, rules, DEFAULT).permitted)
    elif name == "exp_halves":
        exp = exp_first_match_halves(space, rules, DEFAULT)
        elapsed, rss = _stop(t0)
        info["permitted_nodes"] = len(exp.node)
        if check:
            info["agrees"] = str(exp == first_match(space, rules, DEFAULT).permitted)
    elif name == "exp_hier_compile":
        hier = ExpHierSpace()
        t0 = time.perf_counter()
        sets = [hier.rule(r) for r in rules]
        elapsed, rss = _stop(t0)
        ref = _same_manager_reference(hier)
        info["agrees"] = str(all(ref.rule(r) == s for r, s in zip(rules, sets, strict=True)))
    elif name == "exp_prefilter_hier":
        hier = ExpHierSpace()
        t0 = time.perf_counter()
        fmh = exp_first_match_prefiltered(hier, rules, DEFAULT, [ZONE_A], [ZONE_B])
        elapsed, rss = _stop(t0)
        ref = _same_manager_reference(hier)
        info["agrees"] = str(
            first_match(ref, rules, DEFAULT, within=_zone(ref)).permitted == fmh.permitted
        )
    elif name == "exp_prefilter":
        fmp = exp_first_match_prefiltered(space, rules, DEFAULT, [ZONE_A], [ZONE_B])
        elapsed, rss = _stop(t0)
        info["kept_rules"] = sum(
            1
            for r in rules
            if _overlaps(r.match.src, [ZONE_A]) and _overlaps(r.match.dst, [ZONE_B])
        )
        plain = first_match(space, rules, DEFAULT, within=_zone(space))
        info["agrees"] = str(plain.permitted == fmp.permitted and plain.denied == fmp.denied)
    else:
        raise SystemExit(f"unknown measurement {name}")
    info["seconds"] = elapsed
    info["peak_rss_mib"] = rss
    return info


#: name, label, heavy (run ``--heavy-repeat`` times instead of ``--repeat``), in the default set
MEASUREMENTS: tuple[tuple[str, str, bool, bool], ...] = (
    ("baseline", "import, generate the ACL, empty HeaderSpace (memory floor)", False, True),
    ("compile", "(c) compile every rule to a BDD", False, True),
    ("zone_pair", "(a) compile + first-match, one zone pair /16 -> /16", False, True),
    (
        "zone_pair_product",
        "(a') rules_meeting + first-match, one zone pair (product path)",
        False,
        True,
    ),
    ("full", "(b) compile + first-match, whole header space", True, True),
    ("witness", "(d) one witness() call (mean over full + zone sets)", True, True),
    ("naive", "brute force: evaluate() per packet", True, True),
    ("exp_prefilter", "EXPERIMENTAL (a) + address prefilter", False, True),
    ("exp_prefilter_hier", "EXPERIMENTAL (a) + prefilter + byte-composed prefixes", False, True),
    ("exp_hier_compile", "EXPERIMENTAL (c) with byte-composed prefixes", False, True),
    ("exp_halves", "EXPERIMENTAL (b) divide and conquer", True, True),
    ("exp_backward", "EXPERIMENTAL (b) built backwards, one ITE per rule", True, False),
)


def run_child(name: str, args: argparse.Namespace) -> dict[str, float | int | str]:
    """One measurement in a fresh interpreter (empty caches, own ru_maxrss)."""
    cmd = [sys.executable, __file__, "--measure", name, "--seed", str(args.seed)]
    cmd += ["--rules", str(args.rules), "--packets", str(args.packets)]
    if args.check:
        cmd.append("--check")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result: dict[str, float | int | str] = json.loads(out.strip().splitlines()[-1])
    return result


def _fmt_seconds(secs: float) -> str:
    return f"{secs * 1000:.2f} ms" if secs < 0.1 else f"{secs:.3f} s"


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments; either run one measurement (child) or all of them (table)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--packets", type=int, default=100_000, help="for the naive peer")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each cheap measurement")
    parser.add_argument("--heavy-repeat", type=int, default=1, help="runs of the slow ones")
    parser.add_argument("--check", action="store_true", help="also verify exp_halves (slow)")
    parser.add_argument("--measure", help="run one measurement in this process (internal)")
    parser.add_argument("--only", nargs="*", help="names of measurements to run")
    args = parser.parse_args(argv)
    if args.measure:
        info = measure(args.measure, args.seed, args.rules, args.packets, args.check)
        print(json.dumps(info))
        return
    rows: list[tuple[str, str, float, float, str]] = []
    results: dict[str, dict[str, float | int | str]] = {}
    for name, label, heavy, default in MEASUREMENTS:
        if (args.only and name not in args.only) or (not args.only and not default):
            continue
        runs = [run_child(name, args) for _ in range(args.heavy_repeat if heavy else args.repeat)]
        secs = statistics.median(float(r["seconds"]) for r in runs)
        rss = max(float(r["peak_rss_mib"]) for r in runs)
        extra = {k: v for k, v in runs[0].items() if k not in ("seconds", "peak_rss_mib")}
        extra["runs"] = len(runs)
        results[name] = {"seconds": secs, "peak_rss_mib": rss, **extra}
        rows.append((name, label, secs, rss, json.dumps(extra, ensure_ascii=False)))
        print(f"{name:20} {_fmt_seconds(secs):>11} {rss:8.1f} MiB  {extra}", file=sys.stderr)
    print(
        f"\nrules={args.rules} seed={args.seed} packets={args.packets} "
        f"python={sys.version.split()[0]}"
    )
    print("| measurement | what | median time | peak RSS MiB | notes |")
    print("|---|---|---:|---:|---|")
    for name, label, secs, rss, notes in rows:
        print(f"| {name} | {label} | {_fmt_seconds(secs)} | {rss:.1f} | `{notes}` |")
    naive = results.get("naive")
    if naive:
        per_packet = float(naive["seconds"]) / args.packets
        print(f"\nbrute force: {per_packet * 1e6:,.0f} µs per packet")
        for key in ("zone_pair", "exp_prefilter", "full", "exp_halves"):
            if key in results:
                secs = float(results[key]["seconds"])
                print(
                    f"{key}: the exact answer costs as much as {secs / per_packet:,.0f} "
                    f"brute-force packets ({float(naive['seconds']) / secs:,.1f}x the speed of "
                    f"{args.packets:,} packets)"
                )


if __name__ == "__main__":
    main()
