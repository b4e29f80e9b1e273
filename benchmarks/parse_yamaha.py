"""Benchmark: the Yamaha RTX parser and first-match analysis of a 5,000-filter secure filter list.

Generates a reproducible RTX configuration (``--seed``): three LAN interfaces, tagged VLANs,
``--filters`` static ``ip filter`` lines (host / subnet / range / comma-list addresses, TCP and
UDP ports incl. mnemonics and ranges, ICMP, ``restrict``, ``reject``, 65 % pass) plus a few
dynamic filters, NAT descriptors and routes. Every static filter is bound: the filters are split
over ``ip lan1 secure filter in``, ``ip lan2 secure filter in`` and
``ip lan2 secure filter out ... dynamic ...`` lists, in a shuffled (non-numeric) order, as the
list order is what Yamaha evaluates.

Measured, each in a fresh subprocess (so BDD caches start empty and peak RSS is its own):

* ``parse``       ``netaudit.parsers.yamaha.parse(text)`` -> model; wall time (median of
  ``--repeat``), then, in a second untimed parse, the tracemalloc peak of Python allocations;
  process peak RSS;
* ``firstmatch``  parse, then ``netaudit.flow.first_match`` over the rules of the largest bound
  list (the whole header space, default deny), reported without the parse time.

Usage (from the repository root)::

    .venv/bin/python benchmarks/parse_yamaha.py [--filters 5000] [--seed 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

PORT_NAMES = ("www", "https", "smtp", "domain", "ntp", "telnet", "ftp", "netbios_ns-netbios_ssn")


def generate(filters: int, seed: int) -> str:
    """A synthetic but realistic RTX config with ``filters`` bound static filters."""
    rnd = random.Random(seed)
    out = [
        "# RTX1210 Rev.14.01.38 (Fri Jul  5 10:35:17 2024)",
        "login password encrypted *",
        "administrator password encrypted *",
        'description lan1 "本庁 LGWAN接続系"',
        "ip lan1 address 10.10.1.1/24",
        'description lan2 "インターネット接続系"',
        "ip lan2 address 192.0.2.2/30",
        "ip lan2 nat descriptor 1",
    ]
    for v in range(1, 21):
        out.append(f"vlan lan3/{v} 802.1q vid={100 + v}")
        out.append(f"ip lan3/{v} address 10.{20 + v}.0.1/24")
    out.append("ip route default gateway 192.0.2.1")
    for r in range(50):
        out.append(f"ip route 10.{100 + r}.0.0/16 gateway 10.10.1.{2 + r % 10}")

    def addr() -> str:
        k = rnd.random()
        if k < 0.1:
            return "*"
        a, b, c = rnd.randrange(10, 40), rnd.randrange(256), rnd.randrange(1, 250)
        if k < 0.5:
            return f"10.{a}.{b}.{c}"
        if k < 0.8:
            return f"10.{a}.{b}.0/24"
        if k < 0.9:
            return f"10.{a}.{b}.{c}-10.{a}.{b}.{c + 5}"
        return f"10.{a}.{b}.{c},10.{a}.{b}.{(c + 17) % 250 + 1}"

    numbers = list(range(100000, 100000 + filters))
    for num in numbers:
        action = rnd.choices(["pass", "reject", "restrict", "pass-log"], [60, 30, 5, 5])[0]
        k = rnd.random()
        if k < 0.6:
            port = (
                rnd.choice(PORT_NAMES)
                if rnd.random() < 0.3
                else str(rnd.choice([22, 80, 443, 445, 3389, 8080, rnd.randrange(1024, 65535)]))
            )
            proto = rnd.choice(["tcp", "udp", "tcp,udp"])
            tail = f"{proto} * {port}"
        elif k < 0.7:
            tail = f"tcp * {rnd.randrange(1024, 2000)}-{rnd.randrange(2000, 4000)}"
        elif k < 0.8:
            tail = "icmp * *"
        else:
            tail = "* * *"
        out.append(f"ip filter {num} {action} {addr()} {addr()} {tail}")
    out.append("ip filter 199999 reject * * * * *")
    for i, app in enumerate(("ftp", "domain", "www", "smtp", "tcp", "udp")):
        out.append(f"ip filter dynamic {200080 + i} * * {app} syslog=off")
    order = numbers[:]
    rnd.shuffle(order)
    third = len(order) // 3
    lists = {
        "ip lan1 secure filter in": [*order[:third], 199999],
        "ip lan2 secure filter in": [*order[third : 2 * third], 199999],
        "ip lan2 secure filter out": order[2 * third :],
    }
    for head, nums in lists.items():
        tail = " dynamic 200080 200081 200082 200083 200084 200085" if "out" in head else ""
        out.append(f"{head} {' '.join(map(str, nums))}{tail}")
    out += [
        "nat descriptor type 1 masquerade",
        "nat descriptor address outer 1 primary",
        "nat descriptor masquerade static 1 1 10.10.1.80 tcp www",
        "sshd service on",
        "sshd host 10.10.1.0-10.10.1.255",
        "syslog host 10.10.1.50",
    ]
    return "\n".join(out) + "\n"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, filters: int, seed: int) -> dict[str, float]:
    """One measurement in this process (called in a subprocess by :func:`main`)."""
    from netaudit.flow import HeaderSpace, first_match
    from netaudit.model import Action
    from netaudit.parsers import yamaha

    text = generate(filters, seed)
    if name == "parse":
        t0 = time.perf_counter()
        dev = yamaha.parse(text, source="bench.cfg")
        elapsed = time.perf_counter() - t0
        # Memory in a second run: tracemalloc slows allocation-heavy code several times over.
        del dev
        tracemalloc.start()
        dev = yamaha.parse(text, source="bench.cfg")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rules = sum(len(f.rules) for f in dev.filters)
        return {
            "seconds": elapsed,
            "py_peak_mb": peak / 2**20,
            "rss_mb": _peak_rss_mb(),
            "lines": float(len(text.splitlines())),
            "bytes": float(len(text.encode())),
            "coverage": dev.coverage.share,
            "rules_in_filters": float(rules),
        }
    dev = yamaha.parse(text, source="bench.cfg")
    biggest = max(
        (dev.filter(b.filter) for b in dev.bindings),
        key=lambda f: len(f.rules) if f is not None else 0,
    )
    assert biggest is not None
    space = HeaderSpace()
    t0 = time.perf_counter()
    fm = first_match(space, biggest.rules, Action.DENY)
    elapsed = time.perf_counter() - t0
    w = fm.permitted.witness()
    return {
        "seconds": elapsed,
        "rules": float(len(biggest.rules)),
        "rss_mb": _peak_rss_mb(),
        "permitted_nonempty": float(w is not None),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--filters", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--measure", choices=("parse", "firstmatch"))
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.filters, args.seed)))
        return
    rows: dict[str, list[dict[str, float]]] = {}
    for name in ("parse", "firstmatch"):
        for _ in range(args.repeat):
            res = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--measure",
                    name,
                    "--filters",
                    str(args.filters),
                    "--seed",
                    str(args.seed),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            rows.setdefault(name, []).append(json.loads(res.stdout.strip().splitlines()[-1]))
    p = rows["parse"]
    f = rows["firstmatch"]
    print(
        f"input: {args.filters} bound static filters, {int(p[0]['lines'])} lines, "
        f"{p[0]['bytes'] / 1024:.0f} KiB, coverage {p[0]['coverage']:.3f}, "
        f"{int(p[0]['rules_in_filters'])} rules in model filters"
    )
    print(f"{'measurement':<34}{'median':>10}{'min':>10}{'max':>10}")
    for label, vals in (
        ("parse wall time (s)", [r["seconds"] for r in p]),
        ("parse Python peak (MiB)", [r["py_peak_mb"] for r in p]),
        ("parse process peak RSS (MiB)", [r["rss_mb"] for r in p]),
        (f"first-match {int(f[0]['rules'])} rules (s)", [r["seconds"] for r in f]),
        ("first-match process peak RSS (MiB)", [r["rss_mb"] for r in f]),
    ):
        print(f"{label:<34}{statistics.median(vals):>10.3f}{min(vals):>10.3f}{max(vals):>10.3f}")


if __name__ == "__main__":
    main()
