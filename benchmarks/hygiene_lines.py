"""Benchmark: rule-hygiene line analysis (RUL-001 unreachable, RUL-002 redundant) on large lists.

Inputs are generated here, reproducibly:

* ``acl``: the 10,000-line ACL of ``flow_firstmatch.make_acl`` (seed 2024) — departmental /16s,
  VLAN /24s and hosts, no early catch-all, so every line meets many others: the hard case.
* ``acl+catchall``: the same list ending in ``deny ip any any`` (the usual explicit default).
* ``policy``: a zone policy of the same rules spread over 8 interfaces (each rule scoped to one
  to three in and out interfaces, 20 % unscoped), as a FortiGate / PAN-OS rule base would be.

Each measurement runs in a fresh interpreter (empty BDD caches). Prints a Markdown table.

    .venv/bin/python benchmarks/hygiene_lines.py [--count 10000] [--only acl policy]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from flow_firstmatch import make_acl  # noqa: E402

from checks._hygiene_lines import LineAnalyzer  # noqa: E402
from netaudit.flow import HeaderSpace  # noqa: E402
from netaudit.model import (  # noqa: E402
    ANY_V4,
    Action,
    Filter,
    FilterKind,
    Match,
    Rule,
    SourceSpan,
)

IFACES = [f"port{i}" for i in range(1, 9)]


def build(kind: str, count: int) -> Filter:
    """The generated filter of one input kind."""
    rules = make_acl(2024, count)
    if kind == "acl":
        return Filter(name="BIG", kind=FilterKind.ACL, rules=tuple(rules), family=4)
    if kind == "acl+catchall":
        last = Rule(
            action=Action.DENY,
            match=Match(src=ANY_V4, dst=ANY_V4),
            span=SourceSpan(file="gen", line=count + 1, text="deny ip any any"),
            name="catch-all",
        )
        return Filter(name="BIG", kind=FilterKind.ACL, rules=(*rules, last), family=4)
    rng = random.Random(7)

    def side() -> frozenset[str] | None:
        return None if rng.random() < 0.2 else frozenset(rng.sample(IFACES, rng.randint(1, 3)))

    scoped = tuple(
        dataclasses.replace(r, in_interfaces=side(), out_interfaces=side()) for r in rules
    )
    return Filter(name="policy", kind=FilterKind.POLICY, rules=scoped, family=4)


def measure(kind: str, count: int) -> dict[str, object]:
    """Index + full analysis of one input, in this process."""
    flt = build(kind, count)
    space = HeaderSpace()
    t0 = time.perf_counter()
    an = LineAnalyzer(space, flt, interfaces=IFACES)
    t1 = time.perf_counter()
    res = an.analyse()
    t2 = time.perf_counter()
    return {
        "kind": kind,
        "rules": len(flt.rules),
        "index_s": round(t1 - t0, 3),
        "analyse_s": round(t2 - t1, 2),
        "unreachable": len(res.unreachable),
        "differs": sum(u.action_differs for u in res.unreachable),
        "redundant": len(res.redundant),
    }


def main() -> None:
    """Run each input in a child interpreter and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--only", nargs="*", default=["acl", "acl+catchall", "policy"])
    ap.add_argument("--child", default="")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.count)))
        return
    print("| input | rules | index s | analysis s | unreachable (action differs) | redundant |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in args.only:
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--count", str(args.count)],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(out.stdout)
        print(
            f"| {r['kind']} | {r['rules']:,} | {r['index_s']} | {r['analyse_s']} | "
            f"{r['unreachable']} ({r['differs']}) | {r['redundant']} |"
        )


if __name__ == "__main__":
    main()
