"""Benchmark: parse a 10,000-policy FortiGate config and a 10,000-rule PAN-OS XML, then analyse.

Generates both inputs itself (deterministic seed), then measures for each:

* ``load``: the baseline of merely loading the text (FortiOS: read + split into lines;
  PAN-OS: ``xml.etree.ElementTree`` parsing the same file);
* ``parse``: ``netaudit.parsers.<platform>.parse`` of the same text;
* ``first-match``: ``netaudit.flow.first_match`` over the whole header space for the policy rules
  of one interface pair (every rule whose in/out interfaces admit the pair);

with wall time (best of ``--repeat``) and peak Python memory (tracemalloc, separate run).

Run:  .venv/bin/python benchmarks/parse_firewalls.py [--policies 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import partial
from typing import Any

from netaudit.flow import HeaderSpace, first_match
from netaudit.model import DeviceConfig, Rule
from netaudit.parsers import fortinet, paloalto_panos

ZONES = 6
IFACES_PER_ZONE = 3


def _ip(rng: random.Random) -> str:
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.0"


def gen_fortigate(n: int, seed: int = 1) -> str:
    """A FortiOS config with ``n`` policies over zones, address/service objects and groups."""
    rng = random.Random(seed)
    out = ["config system global", '    set hostname "bench-fgt"', "end", "config system interface"]
    ifaces = [f"port{i}" for i in range(1, ZONES * IFACES_PER_ZONE + 1)]
    for i, name in enumerate(ifaces, start=1):
        out += [
            f'    edit "{name}"',
            '        set vdom "root"',
            f"        set ip 172.16.{i}.1 255.255.255.0",
            "        set allowaccess ping",
            "    next",
        ]
    out += ["end", "config system zone"]
    for z in range(ZONES):
        members = " ".join(
            f'"{x}"' for x in ifaces[z * IFACES_PER_ZONE : (z + 1) * IFACES_PER_ZONE]
        )
        out += [f'    edit "zone{z}"', f"        set interface {members}", "    next"]
    out += ["end", "config firewall address"]
    n_addr = max(50, n // 5)
    for a in range(n_addr):
        plen = rng.choice((16, 24, 24, 28, 32))
        out += [f'    edit "A{a}"', f"        set subnet {_ip(rng)}/{plen}", "    next"]
    out += ["end", "config firewall addrgrp"]
    for g in range(n_addr // 10):
        members = " ".join(f'"A{rng.randrange(n_addr)}"' for _ in range(5))
        out += [f'    edit "G{g}"', f"        set member {members}", "    next"]
    out += ["end", "config firewall service custom"]
    n_svc = max(20, n // 50)
    for s in range(n_svc):
        lo = rng.randrange(1, 60000)
        out += [
            f'    edit "S{s}"',
            f"        set tcp-portrange {lo}-{lo + rng.randrange(50)}",
            "    next",
        ]
    out += ["end", "config firewall policy"]
    intfs = [f'"zone{z}"' for z in range(ZONES)] + ['"any"']
    for pid in rng.sample(range(1, 10 * n), n):
        src = rng.choice(
            [f'"A{rng.randrange(n_addr)}"', f'"G{rng.randrange(n_addr // 10)}"', '"all"']
        )
        dst = rng.choice(
            [f'"A{rng.randrange(n_addr)}"', f'"G{rng.randrange(n_addr // 10)}"', '"all"']
        )
        svc = rng.choice([f'"S{rng.randrange(n_svc)}"', '"HTTPS"', '"DNS"', '"ALL"'])
        out += [
            f"    edit {pid}",
            f"        set srcintf {rng.choice(intfs)}",
            f"        set dstintf {rng.choice(intfs)}",
            f"        set action {rng.choice(('accept', 'deny'))}",
            f"        set srcaddr {src}",
            f"        set dstaddr {dst}",
            '        set schedule "always"',
            f"        set service {svc}",
        ]
        if rng.random() < 0.05:
            out.append("        set status disable")
        out.append("    next")
    out.append("end")
    return "\n".join(out) + "\n"


def gen_panos(n: int, seed: int = 2) -> str:
    """A PAN-OS running-config XML with ``n`` security rules."""
    rng = random.Random(seed)
    ifaces = [f"ethernet1/{i}" for i in range(1, ZONES * IFACES_PER_ZONE + 1)]
    out = [
        '<?xml version="1.0"?>',
        '<config version="10.1.0">',
        "  <devices>",
        '    <entry name="localhost.localdomain">',
        "      <network>",
        "        <interface>",
        "          <ethernet>",
    ]
    for i, name in enumerate(ifaces, start=1):
        out += [
            f'            <entry name="{name}">',
            f'              <layer3><ip><entry name="172.16.{i}.1/24"/></ip></layer3>',
            "            </entry>",
        ]
    out += [
        "          </ethernet>",
        "        </interface>",
        "      </network>",
        "      <deviceconfig><system><hostname>bench-pa</hostname></system></deviceconfig>",
        "      <vsys>",
        '        <entry name="vsys1">',
        "          <zone>",
    ]
    for z in range(ZONES):
        members = "".join(
            f"<member>{x}</member>" for x in ifaces[z * IFACES_PER_ZONE : (z + 1) * IFACES_PER_ZONE]
        )
        out.append(
            f'            <entry name="zone{z}"><network><layer3>{members}</layer3></network></entry>'
        )
    out += ["          </zone>", "          <address>"]
    n_addr = max(50, n // 5)
    for a in range(n_addr):
        plen = rng.choice((16, 24, 24, 28, 32))
        out.append(
            f'            <entry name="A{a}"><ip-netmask>{_ip(rng)}/{plen}</ip-netmask></entry>'
        )
    out += ["          </address>", "          <address-group>"]
    for g in range(n_addr // 10):
        members = "".join(f"<member>A{rng.randrange(n_addr)}</member>" for _ in range(5))
        out.append(f'            <entry name="G{g}"><static>{members}</static></entry>')
    out += ["          </address-group>", "          <service>"]
    n_svc = max(20, n // 50)
    for s in range(n_svc):
        lo = rng.randrange(1, 60000)
        out.append(
            f'            <entry name="S{s}"><protocol><tcp><port>{lo}-{lo + rng.randrange(50)}'
            "</port></tcp></protocol></entry>"
        )
    out += [
        "          </service>",
        "          <rulebase>",
        "            <security>",
        "              <rules>",
    ]
    zones = [f"zone{z}" for z in range(ZONES)] + ["any"]
    for r in range(n):
        src = rng.choice([f"A{rng.randrange(n_addr)}", f"G{rng.randrange(n_addr // 10)}", "any"])
        dst = rng.choice([f"A{rng.randrange(n_addr)}", f"G{rng.randrange(n_addr // 10)}", "any"])
        svc = rng.choice(
            [f"S{rng.randrange(n_svc)}", "service-https", "any", "application-default"]
        )
        app = "ssl" if svc == "application-default" else "any"
        out += [
            f'                <entry name="rule-{r}">',
            f"                  <from><member>{rng.choice(zones)}</member></from>",
            f"                  <to><member>{rng.choice(zones)}</member></to>",
            f"                  <source><member>{src}</member></source>",
            f"                  <destination><member>{dst}</member></destination>",
            f"                  <service><member>{svc}</member></service>",
            f"                  <application><member>{app}</member></application>",
            f"                  <action>{rng.choice(('allow', 'deny', 'drop'))}</action>",
        ]
        if rng.random() < 0.05:
            out.append("                  <disabled>yes</disabled>")
        out.append("                </entry>")
    out += [
        "              </rules>",
        "            </security>",
        "          </rulebase>",
        "        </entry>",
        "      </vsys>",
        "    </entry>",
        "  </devices>",
        "</config>",
    ]
    return "\n".join(out) + "\n"


def best_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def peak_mib(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / (1 << 20)


def pair_rules(dev: DeviceConfig, i: str, o: str) -> list[Rule]:
    assert dev.policy is not None
    return [
        r
        for r in dev.policy.rules
        if (r.in_interfaces is None or i in r.in_interfaces)
        and (r.out_interfaces is None or o in r.out_interfaces)
    ]


def analyse(dev: DeviceConfig, pair: tuple[str, str] | None) -> tuple[int, bool]:
    """First-match over the whole header space: one interface pair's rules, or all rules."""
    assert dev.policy is not None
    rules = pair_rules(dev, *pair) if pair else list(dev.policy.rules)
    space = HeaderSpace()
    fm = first_match(space, rules, dev.policy.default_action)
    return len(rules), fm.permitted.is_empty()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policies", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n = args.policies

    cases: list[
        tuple[str, str, Callable[..., DeviceConfig], Callable[[str], object], tuple[str, str]]
    ] = [
        (
            "fortinet",
            gen_fortigate(n),
            fortinet.parse,
            str.splitlines,
            ("port1", "port4"),
        ),
        (
            "paloalto_panos",
            gen_panos(n),
            paloalto_panos.parse,
            ET.fromstring,
            ("ethernet1/1", "ethernet1/4"),
        ),
    ]
    print(
        f"{'platform':<16}{'lines':>9}{'MiB in':>8}{'load s':>9}{'parse s':>9}{'ratio':>8}"
        f"{'peak MiB':>10}  first-match: {'scope':<30}{'rules':>7}{'s':>8}{'peak MiB':>10}"
    )
    for platform, text, parse, load, pair in cases:
        run_case(platform, text, parse, load, pair, args.repeat)
    # tracemalloc sees Python objects only; CUDD's BDD nodes live in C memory.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (incl. CUDD and both inputs): {rss:.0f} MiB")


def run_case(
    platform: str,
    text: str,
    parse: Callable[..., DeviceConfig],
    load: Callable[[str], object],
    pair: tuple[str, str],
    repeat: int,
) -> None:
    """Time and measure one platform; print its rows."""
    t_load, _ = best_time(partial(load, text), repeat)
    do_parse = partial(parse, text, source="bench")
    t_parse, dev = best_time(do_parse, repeat)
    m_parse = peak_mib(do_parse)
    assert dev.policy is not None
    print(
        f"{platform:<16}{len(text.splitlines()):>9}{len(text) / (1 << 20):>8.1f}"
        f"{t_load:>9.3f}{t_parse:>9.3f}{t_parse / t_load:>8.1f}{m_parse:>10.1f}"
    )
    for scope in (pair, None):
        do_fm = partial(analyse, dev, scope)
        t_fm, (n_rules, _) = best_time(do_fm, 1)
        m_fm = peak_mib(do_fm)
        label = f"pair {scope[0]}->{scope[1]}" if scope else "all rules"
        print(f"{'':<16}first-match: {label:<30}{n_rules:>7}{t_fm:>8.2f}{m_fm:>10.1f}")
    print(
        f"{'':<16}policy rules: {len(dev.policy.rules)}, coverage "
        f"{dev.coverage.recognized}/{dev.coverage.considered}, warnings {len(dev.warnings)}"
    )


if __name__ == "__main__":
    main()
