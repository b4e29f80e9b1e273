"""Collection benchmark: ``netaudit collect`` vs nornir + nornir-netmiko against the lab.

Both collect the same commands (the cisco_ios profile: enable, running config, routes, VLANs,
version) from the same emulated devices with the same number of workers, one after the other
in the same run (with ``--repeat``, alternating which goes first). The lab (``netaudit lab up`` machinery, a separate process) answers every
command after ``--delay`` seconds, like a slow device. Each collector runs as its own process,
so its wall time includes start-up and its CPU time (user + system, from ``wait4``) is its own,
not the lab's. Each also reports its own collection time (netaudit: ``collected in``, and how
much longer the snapshot took after the last device; nornir: ``nr.run()``); the rest of the
wall time is start-up and exit.

The ideal is ⌈devices / workers⌉ × the time one device takes alone (measured here with the
same code, in process, a few times: it includes every netmiko round trip and delay).

    .venv/bin/python benchmarks/collect.py                       # 200 devices, 20 workers
    .venv/bin/python benchmarks/collect.py --workers 50 --repeat 4
    .venv/bin/python benchmarks/collect.py --devices 20 --workers 10   # a quick run
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COMMANDS = ("show running-config", "show ip route", "show vlan brief", "show version")


def synthetic_config(i: int, rules: int = 60) -> str:
    """A plausible access-switch config (≈ 120 lines) for device ``i``."""
    lines = [
        "!",
        "version 15.2",
        "service password-encryption",
        f"hostname bench-{i:03d}",
        "!",
        f"enable secret 9 $9$bench{i:04d}$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "!",
    ]
    for v in (10, 20, 30):
        lines += [f"vlan {v}", f" name seg{v}", "!"]
    for p in range(1, 25):
        lines += [
            f"interface GigabitEthernet1/0/{p}",
            " switchport mode access",
            f" switchport access vlan {(10, 20, 30)[p % 3]}",
            "!",
        ]
    lines += [
        "interface Vlan10",
        f" ip address 10.{i // 250}.{i % 250}.1 255.255.255.0",
        " ip access-group BENCH in",
        "!",
    ]
    lines.append("ip access-list extended BENCH")
    for r in range(rules):
        lines.append(f" {10 * (r + 1)} permit tcp 10.0.{r}.0 0.0.0.255 any eq {1000 + r}")
    lines += [" 9999 deny ip any any log", "!", "ip route 0.0.0.0 0.0.0.0 10.0.0.254", "end"]
    return "\n".join(lines) + "\n"


def _run(args: list[str], env: dict[str, str], log: Path) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + sys), exit code and stderr of a child process."""
    start = time.perf_counter()
    with log.open("wb") as err:
        child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    text = log.read_text(encoding="utf-8", errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        sys.stderr.write(text)
    return wall, usage.ru_utime + usage.ru_stime, code, text


def nornir_worker(state_dir: Path, out_dir: Path, workers: int) -> int:
    """The nornir side (run as a child process): the same commands with nornir-netmiko."""
    import yaml
    from nornir import InitNornir
    from nornir.core.task import Result, Task
    from nornir_netmiko.tasks import netmiko_send_command

    state = json.loads((state_dir / "state.json").read_text())
    env = dict(line.split("=", 1) for line in (state_dir / "lab.env").read_text().splitlines())
    hosts = {
        name: {
            "hostname": info["host"],
            "port": info["port"],
            "username": "netaudit",
            "password": env["NETAUDIT_LAB_PASSWORD"],
            "platform": "cisco_ios",
            "connection_options": {
                "netmiko": {"extras": {"secret": env["NETAUDIT_LAB_ENABLE"], "fast_cli": True}}
            },
        }
        for name, info in state["devices"].items()
    }
    inv = out_dir / "nornir-inventory"
    inv.mkdir(parents=True, exist_ok=True)
    (inv / "hosts.yaml").write_text(yaml.safe_dump(hosts))
    (inv / "groups.yaml").write_text("{}\n")
    (inv / "defaults.yaml").write_text("{}\n")

    def grab(task: Task) -> Result:
        folder = out_dir / task.host.name
        folder.mkdir(parents=True, exist_ok=True)
        for cmd in COMMANDS:
            r = task.run(netmiko_send_command, command_string=cmd, enable=True)
            (folder / (cmd.replace(" ", "_") + ".txt")).write_text(str(r.result))
        return Result(host=task.host)

    nr = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": workers}},
        inventory={
            "plugin": "SimpleInventory",
            "options": {
                "host_file": str(inv / "hosts.yaml"),
                "group_file": str(inv / "groups.yaml"),
                "defaults_file": str(inv / "defaults.yaml"),
            },
        },
        logging={"enabled": False},
    )
    start = time.perf_counter()
    result = nr.run(task=grab)
    nr.close_connections()
    sys.stderr.write(f"nornir collected in {time.perf_counter() - start:.1f} s\n")
    return 1 if result.failed else 0


def single_device_seconds(state_dir: Path, reps: int) -> float:
    """The time one device takes alone with netaudit's collector (median of ``reps``)."""
    from collectors.ssh import Options, Target, collect_one

    state = json.loads((state_dir / "state.json").read_text())
    env = dict(line.split("=", 1) for line in (state_dir / "lab.env").read_text().splitlines())
    times = []
    for name, info in list(state["devices"].items())[:reps]:
        t = Target(
            name=name,
            host=info["host"],
            port=info["port"],
            platform="cisco_ios",
            username="netaudit",
            password=env["NETAUDIT_LAB_PASSWORD"],
            secret=env["NETAUDIT_LAB_ENABLE"],
            timeout=30,
        )
        start = time.perf_counter()
        r = collect_one(t, Options(known_hosts=state_dir / "known_hosts"))
        times.append(time.perf_counter() - start)
        if r.status != "ok":
            raise SystemExit(f"{name}: {r.status}: {r.error}")
    return sorted(times)[len(times) // 2]


Row = tuple[str, float, float, int, str]


def _netaudit_run(
    work: Path, rep: int, inventory: Path, state_dir: Path, env: dict[str, str], workers: int
) -> Row:
    """``netaudit collect`` as a user runs it: wall, CPU, exit code and its own time split."""
    netaudit_bin = str(Path(sys.executable).parent / "netaudit")
    wall, cpu, code, text = _run(
        [
            *(netaudit_bin, "collect", str(inventory), "-o", str(work / f"netaudit-{rep}")),
            *("--workers", str(workers), "--timeout", "60"),
        ],
        env,
        work / "netaudit.log",
    )
    m = re.search(r"collected in ([\d.]+) s, written in ([\d.]+) s", text)
    split = ""
    if m:
        inside = float(m.group(1)) + float(m.group(2))
        split = (
            f"collect {m.group(1)} s + write {m.group(2)} s + start-up/exit {wall - inside:.1f} s"
        )
    return "netaudit collect", wall, cpu, code, split


def _nornir_run(
    work: Path, rep: int, inventory: Path, state_dir: Path, env: dict[str, str], workers: int
) -> Row:
    """The nornir script in its own process (see :func:`nornir_worker`)."""
    wall, cpu, code, text = _run(
        [
            *(sys.executable, __file__, "--nornir-worker"),
            *(str(state_dir), str(work / f"nornir-{rep}"), str(workers)),
        ],
        env,
        work / "nornir.log",
    )
    m = re.search(r"nornir collected in ([\d.]+) s", text)
    split = f"collect {m.group(1)} s + start-up/exit {wall - float(m.group(1)):.1f} s" if m else ""
    return "nornir + nornir-netmiko", wall, cpu, code, split


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--workers", type=int, default=20)
    ap.add_argument("--delay", type=float, default=0.3, help="seconds per command")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--nornir-worker", nargs=3, metavar=("STATE", "OUT", "WORKERS"))
    ns = ap.parse_args()
    if ns.nornir_worker:
        state, out, workers = ns.nornir_worker
        return nornir_worker(Path(state), Path(out), int(workers))

    from collectors.lab import process as lab

    work = Path(tempfile.mkdtemp(prefix="netaudit-bench-collect-"))
    snap = work / "snapshot"
    snap.mkdir()
    for i in range(ns.devices):
        (snap / f"bench-{i:03d}.cfg").write_text(synthetic_config(i))
    faults = {"*": f"slow:{ns.delay}"}
    state_dir = work / "lab"
    t0 = time.perf_counter()
    st = lab.up(snap, state_dir, faults=faults, timeout=300)
    lab_start = time.perf_counter() - t0
    env = dict(os.environ)
    env.update(
        dict(line.split("=", 1) for line in (state_dir / "lab.env").read_text().splitlines())
    )
    env["NETAUDIT_HOME"] = str(work / "home")
    rows: list[Row] = []
    try:
        one = single_device_seconds(state_dir, reps=3)
        for rep in range(ns.repeat):
            # Alternate which collector goes first, so neither always meets a colder lab.
            order = (_netaudit_run, _nornir_run) if rep % 2 == 0 else (_nornir_run, _netaudit_run)
            for runner in order:
                rows.append(runner(work, rep, st.inventory, state_dir, env, ns.workers))
    finally:
        lab.down(state_dir)
    rounds = math.ceil(ns.devices / ns.workers)
    ideal = rounds * one
    print(
        f"devices {ns.devices}, workers {ns.workers}, delay {ns.delay:g} s/command, "
        f"lab start {lab_start:.1f} s, one device alone {one:.2f} s"
    )
    print(f"ideal ⌈{ns.devices}/{ns.workers}⌉ × {one:.2f} s = {ideal:.1f} s")
    print(f"{'collector':<26}{'wall s':>8}{'CPU s':>8}{'× ideal':>9}{'exit':>6}  inside")
    for name, wall, cpu, code, split in rows:
        print(f"{name:<26}{wall:>8.1f}{cpu:>8.1f}{wall / ideal:>9.2f}{code:>6}  {split}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
