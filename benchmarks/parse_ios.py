"""Benchmark: netaudit's IOS parser against ciscoconfparse2 loading the same text.

Generates a realistic IOS-XE core-switch configuration (VLANs, access and trunk ports, SVIs
with secondary addresses, object-groups, named and numbered ACLs with object-group, wildcard,
port and ICMP entries, static routes, management), then times in one process, alternating
the two, N runs each (medians, and the median of the run-by-run ratios), in CPU time:

* ``netaudit``: ``netaudit.parsers.cisco_ios.parse(text)`` -> the full vendor-neutral model
  (ACL rules with networks, services, spans, coverage);
* ``ciscoconfparse2``: ``CiscoConfParse(lines)`` -> its line tree only, no semantics.

Then parses a ~50 MB configuration once and reports its time and the process's peak RSS
(``--trace`` adds a second parse under tracemalloc for the peak of Python allocations).

Usage::

    .venv/bin/python benchmarks/parse_ios.py [--lines 20000] [--reps 15] [--big-mb 50] [--trace]

It measures whichever netaudit is installed: the pure-Python default, or the optional build
compiled with mypyc (``NETAUDIT_COMPILE=1``, see setup.py); the first line of output says which.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

from netaudit.model import AddressMatch, DeviceConfig
from netaudit.parsers import cisco_ios

_HEADER = """Building configuration...

Current configuration : 0 bytes
!
version 17.3
service timestamps debug datetime msec localtime
service timestamps log datetime msec localtime
service password-encryption
!
hostname bench-core-01
!
enable secret 9 $9$benchbenchbench$0000000000000000000000000000000000000000000
username admin privilege 15 secret 9 $9$benchbenchbench$1111111111111111111111111111111111111111111
aaa new-model
no ip domain lookup
ip domain name bench.example.jp
spanning-tree mode rapid-pvst
!
"""


def generate(lines: int, seed: int = 1) -> str:
    """An IOS configuration of roughly ``lines`` lines (deterministic for a seed)."""
    rnd = random.Random(seed)
    out: list[str] = _HEADER.splitlines()
    budget = lines
    # Proportions seen on municipal core switches: many ports, a few large ACLs.
    n_vlans = min(max(4, budget // 200), 4000)
    for v in range(10, 10 + n_vlans):
        out += [f"vlan {v}", f" name SEG-{v}", "!"]
    n_groups = max(2, budget // 400)
    for g in range(n_groups):
        out.append(f"object-group network OG-NET-{g}")
        out.append(f" description グループ {g}")
        for _ in range(6):
            out.append(
                f" host 10.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
            )
        out.append(f" 172.{16 + g % 16}.{g % 256}.0 255.255.255.0")
        if g:
            out.append(f" group-object OG-NET-{g - 1}")
        out.append("!")
        out.append(f"object-group service OG-SVC-{g}")
        out += [" tcp eq www", " tcp eq 443", f" udp range {1000 + g} {2000 + g}", "!"]
    ports = max(8, budget // 40)
    for p in range(ports):
        mod, port = divmod(p, 48)
        out.append(f"interface GigabitEthernet{mod + 1}/0/{port + 1}")
        out.append(f" description 端末ポート {p}")
        if p % 12 == 0:
            out += [
                " switchport trunk encapsulation dot1q",
                f" switchport trunk allowed vlan 10-{10 + n_vlans - 1}",
                " switchport trunk native vlan 999",
                " switchport mode trunk",
            ]
        else:
            out += [f" switchport access vlan {10 + p % n_vlans}", " switchport mode access"]
            out.append(" spanning-tree portfast")
        if p % 7 == 0:
            out.append(" shutdown")
        out.append("!")
    acl_names = []
    for v in range(10, 10 + n_vlans):
        out.append(f"interface Vlan{v}")
        out.append(f" description SVI {v}")
        out.append(f" ip address 10.{v // 256}.{v % 256}.1 255.255.255.0")
        out.append(f" ip address 172.{16 + v // 256}.{v % 256}.1 255.255.255.0 secondary")
        name = f"ACL-VLAN{v}-IN"
        acl_names.append(name)
        out.append(f" ip access-group {name} in")
        out.append(" no ip redirects")
        out.append("!")
    remaining = lines - len(out) - 40
    routes = max(10, remaining // 20)
    acl_lines = max(10, remaining - routes)
    per_acl = max(5, acl_lines // len(acl_names))
    for name in acl_names:
        out.append(f"ip access-list extended {name}")
        out.append(" remark 自動生成")
        for i in range(per_acl - 2):
            kind = i % 8
            a, b = rnd.randrange(256), rnd.randrange(256)
            if kind == 0:
                ent = f"permit tcp 10.{a}.{b}.0 0.0.0.255 host 10.{b}.{a}.{i % 250 + 1} eq www"
            elif kind == 1:
                ent = f"deny ip 10.{a}.0.0 0.0.255.255 object-group OG-NET-{i % n_groups} log"
            elif kind == 2:
                ent = f"permit udp any host 10.{a}.{b}.53 eq domain"
            elif kind == 3:
                ent = f"permit tcp any 10.{a}.{b}.0 0.0.0.255 range 1024 65535 established"
            elif kind == 4:
                ent = "permit icmp any any echo-reply"
            elif kind == 5:
                ent = f"permit object-group OG-SVC-{i % n_groups} any 172.{16 + a % 16}.{b}.0 0.0.0.255"
            elif kind == 6:
                ent = f"deny tcp host 10.{a}.{b}.9 any neq 22"
            else:
                ent = f"permit ip 10.{a}.{b}.0 0.0.0.127 10.{b}.{a}.0 0.0.0.127"
            out.append(f" {(i + 1) * 10} {ent}")
        out.append(" deny ip any any log")
        out.append("!")
    for r in range(routes):
        out.append(
            f"ip route 10.{100 + r // 256 % 100}.{r % 256}.0 255.255.255.0 192.0.2.{1 + r % 200}"
        )
    out += [
        "ip route 0.0.0.0 0.0.0.0 192.0.2.254",
        "ip ssh version 2",
        "no ip http server",
        "snmp-server community Bench-RO RO 10",
        "access-list 10 permit 172.16.99.0 0.0.0.255",
        "logging host 172.16.99.50",
        "ntp server 172.16.99.123",
        "line vty 0 15",
        " access-class 10 in",
        " transport input ssh",
        "!",
        "end",
    ]
    return "\n".join(out) + "\n"


def cpu_time(fn: Callable[[], object]) -> tuple[float, float]:
    """One run of ``fn`` in CPU seconds of this process (GC collected first); then the same
    plus the collection of the young GC generations right after it, with the result still
    held (it is dropped outside the timed region). CPU time, not wall time, so other
    processes on the machine skew the ratio less.

    The second figure matters for netaudit: its parser pauses the cyclic GC, so the ~180,000
    container objects of the model are scanned only at the first collection after the parse,
    a cost its caller pays. ciscoconfparse2 runs with the GC on and pays as it goes.
    """
    gc.collect()
    t0 = time.process_time()
    result = fn()
    t1 = time.process_time()
    gc.collect(1)  # the result is still held, as a caller holds the model
    t2 = time.process_time()
    del result
    return t1 - t0, t2 - t0


def side_by_side(
    fa: Callable[[], object], fb: Callable[[], object], reps: int
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """``reps`` alternating runs of ``fa`` and ``fb`` (after one warm-up of each), so that a
    change of load on the machine hits both alike; returns both lists of (call, call + GC)."""
    fa()
    fb()
    ta: list[tuple[float, float]] = []
    tb: list[tuple[float, float]] = []
    for _ in range(reps):
        ta.append(cpu_time(fa))
        tb.append(cpu_time(fb))
    return ta, tb


def floor_run(dev: DeviceConfig, lines: list[str], reps: int, ccp: Callable[..., object]) -> None:
    """Time ``parse_ios_floor.build`` (the model objects of the ACL rules and nothing else)
    against ciscoconfparse2, as the parse is timed (GC paused during the call)."""
    try:  # a scratch build that compiled the floor with the model (parse_ios.md)
        floor = importlib.import_module("netaudit.parsers._floor")
    except ImportError:
        import parse_ios_floor as floor

    def side(am: AddressMatch) -> object:
        if len(am.networks) == 1 and not am.unresolved and am.networks[0].version == 4:
            n = am.networks[0]
            return ((int(n.network_address), n.prefixlen),)
        return am  # any, object-groups: shared objects in the parse too

    rules = [r for f in dev.filters for r in f.rules]
    specs = [
        (
            r.span.line,
            r.span.text,
            r.name,
            r.action,
            r.log,
            side(r.match.src),
            side(r.match.dst),
            r.match.services,
            r.extras,
        )
        for r in rules
    ]
    built = floor.build("bench.cfg", specs)
    assert built == rules, "the floor must build the same rules as the parse"

    def run() -> object:
        gc.disable()
        try:
            return floor.build("bench.cfg", specs)
        finally:
            gc.enable()

    t_fl, t_ccp = side_by_side(run, lambda: ccp(lines, syntax="ios"), reps)
    where = "compiled with the model" if floor.NATIVE else "interpreted"
    print(f"\nfloor ({len(rules)} rules, {where}; {floor.__file__}):")
    for k, what in ((1, "call + GC"), (0, "call only")):
        med = statistics.median(t[k] for t in t_fl) * 1000
        ratios = sorted(c[k] / n[k] for n, c in zip(t_fl, t_ccp, strict=True))
        print(
            f"  {what}: median {med:.1f} ms; ciscoconfparse2 / floor median"
            f" {statistics.median(ratios):.1f}x (min {ratios[0]:.1f}x, max {ratios[-1]:.1f}x)"
        )


def build_kind() -> str:
    """Which build of netaudit is running: pure Python, or compiled by mypyc (setup.py)."""
    from netaudit import model
    from netaudit.parsers import base

    compiled = [m.__name__ for m in (model, base, cisco_ios) if not str(m.__file__).endswith(".py")]
    if not compiled:
        return "pure Python"
    return f"compiled with mypyc ({', '.join(compiled)}; native model build {base.NATIVE_BUILD})"


def main() -> int:
    """Run the benchmark and print a table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, default=20_000)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--big-mb", type=float, default=50.0, help="0 to skip the large file")
    ap.add_argument("--trace", action="store_true", help="also measure with tracemalloc (slow)")
    ap.add_argument(
        "--floor",
        action="store_true",
        help="also time only building the ACL rules' model objects (parse_ios_floor.py)",
    )
    args = ap.parse_args()

    text = generate(args.lines)
    lines = text.splitlines()
    dev = cisco_ios.parse(text, source="bench.cfg")
    rules = sum(len(f.rules) for f in dev.filters)
    print(f"input: {len(lines)} lines, {len(text) / 1e6:.2f} MB, python {sys.version.split()[0]}")
    print(
        f"model: {len(dev.interfaces)} interfaces, {len(dev.filters)} ACLs, {rules} rules, "
        f"{len(dev.routes)} routes, coverage {dev.coverage.share:.4f}"
    )
    print(f"netaudit build: {build_kind()}")
    try:
        from ciscoconfparse2 import CiscoConfParse
    except ImportError:
        print("ciscoconfparse2 not installed (pip install '.[bench]'); netaudit only")
        t = [cpu_time(lambda: cisco_ios.parse(text, source="bench.cfg")) for _ in range(args.reps)]
        print(
            f"netaudit parse: median {statistics.median(x[0] for x in t) * 1000:.1f} ms,"
            f" with the GC after it {statistics.median(x[1] for x in t) * 1000:.1f} ms"
        )
        return 0
    t_na, t_ccp = side_by_side(
        lambda: cisco_ios.parse(text, source="bench.cfg"),
        lambda: CiscoConfParse(lines, syntax="ios"),
        args.reps,
    )
    print()
    print(f"{args.reps} alternating runs each, CPU time, median [min-max]:")
    print()
    print("| tool | call | call + young-generation GC after it | lines/s (call + GC) |")
    print("|---|---:|---:|---:|")
    for label, ts in (
        ("netaudit cisco_ios.parse (full model)", t_na),
        ("ciscoconfparse2 CiscoConfParse (tree only)", t_ccp),
    ):
        cells = []
        for k in (0, 1):
            v = [t[k] * 1000 for t in ts]
            cells.append(f"{statistics.median(v):.1f} ms [{min(v):.0f}-{max(v):.0f}]")
        med = statistics.median(t[1] for t in ts)
        print(f"| {label} | {cells[0]} | {cells[1]} | {len(lines) / med:,.0f} |")
    print()
    for k, what in ((1, "call + GC (headline)"), (0, "call only")):
        ratios = sorted(c[k] / n[k] for n, c in zip(t_na, t_ccp, strict=True))
        print(
            f"ratio ciscoconfparse2 / netaudit, {what}, run by run: median"
            f" {statistics.median(ratios):.1f}x (min {ratios[0]:.1f}x, max {ratios[-1]:.1f}x)"
        )

    if args.floor:
        floor_run(dev, lines, args.reps, CiscoConfParse)

    if args.big_mb > 0:
        n = int(args.lines * args.big_mb * 1e6 / len(text))
        big = generate(n, seed=2)
        del lines
        gc.collect()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0 = time.perf_counter()
        c0 = time.process_time()
        dev = cisco_ios.parse(big, source="big.cfg")
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rules = sum(len(f.rules) for f in dev.filters)
        print(
            f"\nlarge file: {len(big) / 1e6:.1f} MB, {big.count(chr(10))} lines -> "
            f"{rules} rules, {len(dev.interfaces)} interfaces, coverage {dev.coverage.share:.4f}"
        )
        print(
            f"  parse: {cpu:.1f} s CPU ({wall:.1f} s wall); peak RSS {rss:.0f} MB"
            f" (before the parse: {rss_before:.0f} MB, text and generator included)"
        )
        if args.trace:
            del dev
            gc.collect()
            tracemalloc.start()
            cisco_ios.parse(big, source="big.cfg")
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"  tracemalloc peak of Python allocations during the parse: {peak / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
