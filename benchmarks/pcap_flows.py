"""Benchmark: netaudit's capture reader vs a plain scapy PcapReader loop, flows from packets.

Generates synthetic pcap files (Ethernet, some 802.1Q, IPv4 TCP/UDP, IPv6 UDP; 20,000 distinct
5-tuples) with ``struct``, then in fresh subprocesses (so peak RSS is each reader's own) folds
every packet into a per-5-tuple dict with (a) ``collectors.pcap.read_flows`` and (b) scapy's
``PcapReader``, and prints packets/s, flows and peak RSS.

    .venv/bin/python benchmarks/pcap_flows.py                # 100k and 1M packets
    .venv/bin/python benchmarks/pcap_flows.py --sizes 100000 --scapy-max 100000

scapy is measured on captures up to ``--scapy-max`` packets (default 1,000,000: a minute or two).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOWS = 20_000


def _frames(rng: random.Random) -> list[bytes]:
    out: list[bytes] = []
    for i in range(FLOWS):
        sport, dport = rng.randrange(1024, 65535), rng.choice((53, 80, 443, 445, 3389))
        payload = bytes(rng.randrange(0, 200))
        if i % 10 == 9:  # IPv6 UDP
            l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
            ip = (
                struct.pack("!IHBB", 6 << 28, len(l4), 17, 64)
                + bytes.fromhex("20010db8000000000000000000000000")[:12]
                + i.to_bytes(4, "big")
                + bytes.fromhex("20010db8000100000000000000000001")
            )
            eth, et = bytes(12), b"\x86\xdd"
        else:
            proto = 6 if i % 2 else 17
            if proto == 6:
                l4 = struct.pack("!HHIIBBHHH", sport, dport, 0, 0, 0x50, 0x18, 65535, 0, 0)
            else:
                l4 = struct.pack("!HHHH", sport, dport, 8, 0)
            l4 += payload
            src = bytes((10, 10, (i >> 8) & 255, i & 255))
            dst = bytes((10, 30, rng.randrange(256), rng.randrange(1, 255)))
            ip = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(l4), i & 0xFFFF, 0, 64, proto, 0)
            ip += src + dst + l4
            l4 = b""
            eth, et = bytes(12), b"\x08\x00"
        if i % 4 == 0:
            et = b"\x81\x00" + struct.pack("!H", 10 + i % 50) + et
        out.append(eth + et + ip + l4)
    return out


def generate(path: Path, packets: int, seed: int = 1) -> None:
    """Write a pcap of ``packets`` packets cycling over the distinct flows."""
    frames = _frames(random.Random(seed))
    rng = random.Random(seed + 1)
    rec = struct.Struct("<IIII")
    with path.open("wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        chunk: list[bytes] = []
        for n in range(packets):
            fr = frames[rng.randrange(FLOWS)]
            chunk.append(rec.pack(1_700_000_000 + n // 1000, n % 1000 * 1000, len(fr), len(fr)))
            chunk.append(fr)
            if len(chunk) > 20000:
                f.write(b"".join(chunk))
                chunk.clear()
        f.write(b"".join(chunk))


def run_netaudit(path: Path) -> dict[str, float]:
    """Fold with netaudit's reader."""
    from collectors.pcap import read_flows

    t0 = time.perf_counter()
    flows, stats = read_flows([path])
    dt = time.perf_counter() - t0
    return {"seconds": dt, "packets": stats.packets, "flows": len(flows)}


def run_scapy(path: Path) -> dict[str, float]:
    """Fold with a plain scapy PcapReader loop extracting the same 5-tuples."""
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.utils import PcapReader

    t0 = time.perf_counter()
    flows: dict[tuple[object, ...], list[int]] = {}
    n = 0
    with PcapReader(str(path)) as reader:
        for pkt in reader:
            n += 1
            ip = pkt.getlayer(IP) or pkt.getlayer(IPv6)
            if ip is None:
                continue
            proto = ip.proto if ip.version == 4 else ip.nh
            l4 = pkt.getlayer(TCP) or pkt.getlayer(UDP)
            key = (proto, ip.src, ip.dst, l4.sport if l4 else None, l4.dport if l4 else None)
            st = flows.get(key)
            if st is None:
                flows[key] = [1, len(pkt)]
            else:
                st[0] += 1
                st[1] += len(pkt)
    dt = time.perf_counter() - t0
    return {"seconds": dt, "packets": n, "flows": len(flows)}


def _child(which: str, path: Path) -> None:
    res = run_netaudit(path) if which == "netaudit" else run_scapy(path)
    res["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(json.dumps(res) + "\n")


def _measure(which: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", which, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Generate, measure, print a table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--scapy-max", type=int, default=1_000_000)
    ap.add_argument("--child", nargs=2, metavar=("WHICH", "FILE"))
    args = ap.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return
    rows: list[tuple[str, int, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"bench_{size}.pcap"
            generate(path, size)
            mib = path.stat().st_size / 2**20
            print(f"# {size} packets, {mib:.0f} MiB", file=sys.stderr)
            rows.append(("netaudit", size, _measure("netaudit", path)))
            if size <= args.scapy_max:
                rows.append(("scapy", size, _measure("scapy", path)))
    print("| reader | packets | flows | seconds | packets/s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for who, size, r in rows:
        print(
            f"| {who} | {size:,} | {int(r['flows']):,} | {r['seconds']:.2f} | "
            f"{r['packets'] / r['seconds']:,.0f} | {r['peak_rss_mib']:.0f} |"
        )
    by = {(w, s): r for w, s, r in rows}
    print()
    for size in sorted({s for _, s, _ in rows}):
        if ("scapy", size) in by:
            speedup = by[("scapy", size)]["seconds"] / by[("netaudit", size)]["seconds"]
            print(f"speed-up at {size:,} packets: {speedup:.1f}x")


if __name__ == "__main__":
    main()
