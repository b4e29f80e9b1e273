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
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

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


def cpu_time(fn: Callable[[], object]) -> float:
    """One run of ``fn`` in CPU seconds of this process (GC collected first), result dropped
    inside the timed region. CPU time, not wall time, so other processes on the machine skew
    the ratio less."""
    gc.collect()
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def side_by_side(
    fa: Callable[[], object], fb: Callable[[], object], reps: int
) -> tuple[list[float], list[float]]:
    """``reps`` alternating runs of ``fa`` and ``fb`` (after one warm-up of each), so that a
    change of load on the machine hits both alike; returns both lists of CPU times."""
    fa()
    fb()
    ta: list[float] = []
    tb: list[float] = []
    for _ in range(reps):
        ta.append(cpu_time(fa))
        tb.append(cpu_time(fb))
    return ta, tb


def build_kind() -> str:
    """Which build of netaudit is running: pure Python, or compiled by mypyc (setup.py)."""
    from netaudit import model
    from netaudit.parsers import base

    compiled = [m.__name__ for m in (model, base, cisco_ios) if not m.__file__.endswith(".py")]
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
        t = sorted(
            cpu_time(lambda: cisco_ios.parse(text, source="bench.cfg")) for _ in range(args.reps)
        )
        print(f"netaudit parse: median {statistics.median(t) * 1000:.1f} ms")
        return 0
    t_na, t_ccp = side_by_side(
        lambda: cisco_ios.parse(text, source="bench.cfg"),
        lambda: CiscoConfParse(lines, syntax="ios"),
        args.reps,
    )
    ratios = sorted(c / n for n, c in zip(t_na, t_ccp, strict=True))
    med_na, med_ccp = statistics.median(t_na), statistics.median(t_ccp)
    print()
    print(
        f"| tool ({args.reps} alternating runs, CPU time) | median | min | max | lines/s (median) |"
    )
    print("|---|---:|---:|---:|---:|")
    for label, ts, med in (
        ("netaudit cisco_ios.parse (full model)", t_na, med_na),
        ("ciscoconfparse2 CiscoConfParse (tree only)", t_ccp, med_ccp),
    ):
        print(
            f"| {label} | {med * 1000:.1f} ms | {min(ts) * 1000:.1f} ms | {max(ts) * 1000:.1f} ms"
            f" | {len(lines) / med:,.0f} |"
        )
    print(
        f"\nratio ciscoconfparse2 / netaudit, run by run: median {statistics.median(ratios):.1f}x"
        f" (min {ratios[0]:.1f}x, max {ratios[-1]:.1f}x); ratio of medians {med_ccp / med_na:.1f}x"
    )

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
