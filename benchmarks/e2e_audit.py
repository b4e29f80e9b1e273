"""End-to-end audit benchmark: time and peak memory of ``netaudit audit`` on synthetic cities.

For each size N (default 50, 200, 500, 2,000 devices) the script writes a city with
``benchmarks/synth_city.py``, then runs, in a fresh subprocess each time::

    netaudit audit SNAPSHOT --policy P --inventory I --format json -o out.json

and records the wall time and the peak RSS of that process (``os.wait4`` gives the child's own
``ru_maxrss``). A second, instrumented subprocess runs the same command in-process with timers
wrapped around the engine's stages (parse, analysis, end-to-end paths, checks — each check
separately —, context, render), so the total splits into where the time goes. ``--profile N``
adds a cProfile run at one size and prints the top functions.

Growth: the exponent b of time ≈ a·N^b from a least-squares fit of log(time) on log(N).

Examples::

    python benchmarks/e2e_audit.py                       # 50 200 500 2000, writes e2e_audit.md
    python benchmarks/e2e_audit.py --sizes 50 200 --no-md
    python benchmarks/e2e_audit.py --sizes 500 --profile 500 --no-md
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import math
import os
import platform
import pstats
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import synth_city  # noqa: E402  (a sibling script, not a package)

DEFAULT_SIZES = (50, 200, 500, 2000)
TARGET_500_S = 60.0
TARGET_500_MIB = 2048.0

# Engine stages timed in the instrumented run: module-level functions of netaudit.engine that
# ``audit()`` calls by name. Absent names are skipped, so the list can name stages an engine
# version does not have.
ENGINE_STAGES = (
    ("parse", "load_snapshot"),
    ("analysis", "analyze"),
    ("paths", "network_paths"),
    ("checks", "run_checks"),
    ("incomplete", "_incomplete_findings"),
    ("context", "with_context"),
    ("matrix", "_matrix"),
    ("coverage", "_coverage"),
)


@dataclass
class Run:
    """One size: the city and what the audit cost."""

    n: int
    lines: int = 0
    gen_s: float = 0.0
    wall_s: float = 0.0
    rss_mib: float = 0.0
    rc: int = 0
    ok: bool = False
    verdict: str = ""
    findings: int = 0
    failing: int = 0
    paths: int | None = None
    error: str = ""
    stages: dict[str, float] = field(default_factory=dict)
    checks: dict[str, float] = field(default_factory=dict)
    stage_rss_mib: float = 0.0


def netaudit_command() -> list[str]:
    """The ``netaudit`` console script beside this interpreter (or ``python -c`` as a fallback)."""
    script = Path(sys.executable).with_name("netaudit")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from netaudit.cli import main; main()"]


def run_with_rusage(
    cmd: Sequence[str], env: dict[str, str], timeout: float
) -> tuple[int, float, float, str]:
    """Run ``cmd`` and reap it with ``os.wait4``: (rc, wall s, the child's own peak RSS MiB, stderr)."""
    t0 = time.perf_counter()
    err_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"e2e_audit_{os.getpid()}.err"
    with err_path.open("w") as err_file:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err_file, env=env)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                err_path.unlink(missing_ok=True)
                return -9, time.perf_counter() - t0, usage.ru_maxrss / 1024, "timeout"
            time.sleep(0.02)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = err_path.read_text(errors="replace")[-2000:]
    err_path.unlink(missing_ok=True)
    return proc.returncode, wall, usage.ru_maxrss / 1024, err


def audit_args(snap: Path, pol: Path, inv: Path, out: Path) -> list[str]:
    """The audit command line after ``netaudit``."""
    return [
        "audit",
        str(snap),
        "--policy",
        str(pol),
        "--inventory",
        str(inv),
        "--format",
        "json",
        "-o",
        str(out),
        "--today",
        "2026-04-01",
    ]


# -- the instrumented child ---------------------------------------------------------------


def _restorer(owner: Any, attr: str, value: Any) -> Callable[[], None]:
    def restore() -> None:
        setattr(owner, attr, value)

    return restore


@contextlib.contextmanager
def _timers(stages: dict[str, float], checks: dict[str, float]) -> Iterator[None]:
    """Wrap the engine's stage functions and each check's ``run`` with timers."""
    import checks as checks_pkg
    import netaudit.cli as cli
    import netaudit.engine as engine

    undo: list[Callable[[], None]] = []

    def wrap(module: Any, attr: str, label: str) -> None:
        orig = getattr(module, attr, None)
        if orig is None or not callable(orig):
            return

        def timed(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return orig(*a, **k)
            finally:
                stages[label] = stages.get(label, 0.0) + time.perf_counter() - t

        setattr(module, attr, timed)
        undo.append(_restorer(module, attr, orig))

    for label, attr in ENGINE_STAGES:
        wrap(engine, attr, label)
    wrap(cli, "render", "render")
    for check in checks_pkg.all_checks():
        cls: Any = type(check)
        orig_run = cls.run
        cid = check.meta.id

        def run(self: Any, ctx: Any, _orig: Any = orig_run, _id: str = cid) -> Any:
            t = time.perf_counter()
            out = list(_orig(self, ctx))
            checks[_id] = checks.get(_id, 0.0) + time.perf_counter() - t
            return out

        cls.run = run
        undo.append(_restorer(cls, "run", orig_run))
    try:
        yield
    finally:
        for u in reversed(undo):
            u()


def _cli(argv: list[str]) -> int:
    import netaudit.cli as cli

    try:
        cli.app(argv, prog_name="netaudit", standalone_mode=False)
    except SystemExit as e:
        return int(e.code or 0)
    return 0


def _child(argv: list[str], profile_out: str | None) -> None:
    """Run the audit in this process with stage timers; print a JSON line with the figures."""
    import resource

    stages: dict[str, float] = {}
    per_check: dict[str, float] = {}
    t0 = time.perf_counter()
    rc = 0
    error = ""
    with _timers(stages, per_check):
        try:
            if profile_out:
                prof = cProfile.Profile()
                rc = prof.runcall(_cli, argv)
                prof.dump_stats(profile_out)
            else:
                rc = _cli(argv)
        except Exception as e:  # the figures still count: report what failed
            error = f"{type(e).__name__}: {e}"
            rc = 99
    total = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rc": rc,
                "total": total,
                "stages": stages,
                "checks": per_check,
                "rss_mib": rss,
                "error": error,
            }
        )
    )


# -- the runner ---------------------------------------------------------------------------


def fit_exponent(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) on log(x)."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    sxy = sum((p[0] - mx) * (p[1] - my) for p in pts)
    return sxy / sxx if sxx else None


def load_now() -> str:
    """The 1, 5 and 15 minute load averages."""
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    mem = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": str(os.cpu_count()),
        "ram": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        "engine": _engine_version(),
    }


def _engine_version() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "netaudit", "checks"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return "?"
    return head[:90] + (" (+ uncommitted changes in netaudit/ or checks/)" if dirty else "")


def measure(n: int, args: argparse.Namespace, env: dict[str, str]) -> Run:
    """Generate a city of ``n`` devices and audit it (plain, then instrumented)."""
    r = Run(n=n)
    work = args.work / f"city{n}"
    if work.exists():
        shutil.rmtree(work)
    t = time.perf_counter()
    snap, pol, inv = synth_city.generate(n, args.seed, work, nat=args.nat)
    r.gen_s = time.perf_counter() - t
    r.lines = json.loads((work / "planted.json").read_text(encoding="utf-8"))["lines"]
    out = work / "out.json"
    out.unlink(missing_ok=True)
    best: tuple[int, float, float, str] | None = None
    for _ in range(max(1, args.repeat)):
        rc, wall, rss, err = run_with_rusage(
            netaudit_command() + audit_args(snap, pol, inv, out), env, args.timeout
        )
        if best is None or wall < best[1]:
            best = (rc, wall, max(rss, best[2] if best else 0.0), err)
        if rc not in (0, 1):
            break
    assert best is not None
    rc, wall, rss, err = best
    r.rc, r.wall_s, r.rss_mib = rc, wall, rss
    r.ok = out.exists()
    if not r.ok:
        tail = err.strip().splitlines()
        r.error = tail[-1] if tail else f"exit {rc}"
    else:
        data = json.loads(out.read_text(encoding="utf-8"))
        r.verdict = data.get("verdict", "")
        findings = data.get("findings", [])
        r.findings = len(findings)
        r.failing = sum(1 for f in findings if f.get("status") == "fail")
        paths = data.get("paths")
        r.paths = len(paths) if isinstance(paths, list) else None

    def child(profile: Path | None) -> dict[str, Any]:
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            *([f"--profile-out={profile}"] if profile is not None else []),
            "--",
            *audit_args(snap, pol, inv, work / "out-stages.json"),
        ]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=env, timeout=args.timeout * 3
        )
        line = (proc.stdout.strip().splitlines() or ["{}"])[-1]
        try:
            got = json.loads(line)
        except ValueError:
            return {}
        return got if isinstance(got, dict) else {}

    if args.stages and n <= args.stages_max:
        d = child(None)
        r.stages = d.get("stages", {})
        r.checks = d.get("checks", {})
        r.stage_rss_mib = d.get("rss_mib", 0.0)
        if d.get("error") and not r.error:
            r.error = d["error"]
    if n == args.profile:
        # A run of its own: cProfile slows the audit several times over.
        child(args.work / f"profile{n}.pstats")
    return r


def table(runs: Sequence[Run]) -> str:
    """The results as a Markdown table."""
    stage_names = [s for s, _ in ENGINE_STAGES] + ["render"]
    used = [s for s in stage_names if any(s in r.stages for r in runs)]
    head = ["N", "config lines", "wall s", "peak RSS MiB", "exit", "verdict", "findings (fail)"]
    head += [f"{s} s" for s in used]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in runs:
        cells = [
            f"{r.n:,}",
            f"{r.lines:,}",
            f"{r.wall_s:.2f}",
            f"{r.rss_mib:,.0f}",
            str(r.rc) + (f" ({r.error[:70]})" if r.error else ""),
            r.verdict or "—",
            f"{r.findings} ({r.failing})" if r.verdict else "—",
        ]
        cells += [f"{r.stages[s]:.2f}" if s in r.stages else "—" for s in used]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


GROWTH_FROM = 200  # smaller cities are dominated by start-up and fixed costs


def stage_growth(runs: Sequence[Run]) -> str:
    """Exponent of each stage's time in N (sizes from GROWTH_FROM on, stages of 50 ms or more)."""
    names = [s for s, _ in ENGINE_STAGES] + ["render"]
    runs = [r for r in runs if r.n >= GROWTH_FROM]
    parts = []
    for name in names:
        pts = [(float(r.n), r.stages[name]) for r in runs if r.stages.get(name, 0.0) >= 0.05]
        b = fit_exponent(pts)
        if b is not None and len(pts) >= 2:
            parts.append(f"{name} N^{b:.2f}")
    top = max((r for r in runs if r.checks), key=lambda r: r.n, default=None)
    if top is not None:
        for cid, _ in sorted(top.checks.items(), key=lambda kv: -kv[1])[:3]:
            pts = [(float(r.n), r.checks[cid]) for r in runs if r.checks.get(cid, 0.0) >= 0.05]
            b = fit_exponent(pts)
            if b is not None and len(pts) >= 2:
                parts.append(f"{cid} N^{b:.2f}")
    return f"Growth per stage (N ≥ {GROWTH_FROM}): " + ", ".join(parts) if parts else ""


def top_checks(runs: Sequence[Run], k: int = 8) -> str:
    """The slowest checks at the largest size that has per-check figures."""
    with_checks = [r for r in runs if r.checks]
    if not with_checks:
        return ""
    r = max(with_checks, key=lambda x: x.n)
    items = sorted(r.checks.items(), key=lambda kv: -kv[1])[:k]
    return f"Slowest checks at N = {r.n:,}: " + ", ".join(f"{c} {t:.2f} s" for c, t in items)


def profile_text(path: Path, k: int = 25) -> str:
    """Top functions of a cProfile dump, by cumulative and by own time."""
    buf = io.StringIO()
    st = pstats.Stats(str(path), stream=buf)
    st.strip_dirs().sort_stats("cumulative").print_stats(k)
    st.sort_stats("tottime").print_stats(k)
    return buf.getvalue()


def main(argv: Sequence[str] | None = None) -> None:
    """Command line."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--child":
        rest = argv[1:]
        prof = None
        if rest and rest[0].startswith("--profile-out="):
            prof = rest[0].split("=", 1)[1]
            rest = rest[1:]
        if rest and rest[0] == "--":
            rest = rest[1:]
        _child(rest, prof)
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path("/tmp/netaudit-e2e"))
    ap.add_argument("--repeat", type=int, default=1, help="audits per size; the fastest counts")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per audit")
    ap.add_argument(
        "--no-stages", dest="stages", action="store_false", help="skip the instrumented run"
    )
    ap.add_argument("--stages-max", type=int, default=100_000, help="instrument only up to this N")
    ap.add_argument(
        "--profile", type=int, default=0, help="cProfile the instrumented run at this N"
    )
    ap.add_argument(
        "--pythonpath", default="", help="run the audit with this PYTHONPATH (another engine tree)"
    )
    ap.add_argument("--no-nat", dest="nat", action="store_false", help="cities without NAT")
    ap.add_argument("--md", type=Path, default=HERE / "e2e_audit.md")
    ap.add_argument("--no-md", dest="write_md", action="store_false")
    args = ap.parse_args(argv)
    args.load_before = load_now()
    args.work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    env.setdefault("COLUMNS", "120")
    runs: list[Run] = []
    for n in args.sizes:
        r = measure(n, args, env)
        runs.append(r)
        print(
            f"N={n:5d} lines={r.lines:9,d} gen={r.gen_s:6.2f}s wall={r.wall_s:8.2f}s rss={r.rss_mib:8.0f}MiB "
            f"rc={r.rc} verdict={r.verdict or '-'} findings={r.findings} "
            + " ".join(f"{k}={v:.2f}" for k, v in r.stages.items())
            + (f"  ERROR {r.error}" if r.error else ""),
            flush=True,
        )
    ok = [r for r in runs if r.ok]
    b_time = fit_exponent([(r.n, r.wall_s) for r in ok])
    b_rss = fit_exponent([(r.n, r.rss_mib) for r in ok])
    big = [r for r in ok if r.n >= GROWTH_FROM]
    args.big_time = fit_exponent([(r.n, r.wall_s) for r in big]) if len(big) >= 2 else None
    args.big_rss = fit_exponent([(r.n, r.rss_mib) for r in big]) if len(big) >= 2 else None
    print()
    print(table(runs))
    print()
    if b_time is not None:
        print(
            f"growth: wall time ~ N^{b_time:.2f}, peak RSS ~ N^{b_rss:.2f} (log-log least squares, {len(ok)} sizes)"
        )
    if args.big_time is not None:
        print(
            f"growth from N={GROWTH_FROM}: wall time ~ N^{args.big_time:.2f}, peak RSS ~ N^{args.big_rss:.2f}"
        )
    print(top_checks(runs))
    print(stage_growth(runs))
    prof_text = ""
    prof_path = args.work / f"profile{args.profile}.pstats"
    if args.profile and prof_path.exists():
        prof_text = profile_text(prof_path)
        print(prof_text)
    if args.write_md:
        write_page(args.md, markdown(runs, args, b_time, b_rss, prof_text))
        print(f"wrote {args.md}")


START, END = "<!-- measured:start -->", "<!-- measured:end -->"


def write_page(path: Path, measured: str) -> None:
    """Put the measured section between the page's markers; the prose around it stays."""
    block = f"{START}\n{measured.strip()}\n{END}"
    text = (
        path.read_text(encoding="utf-8")
        if path.exists()
        else f"# End-to-end audit benchmark\n\n{START}\n{END}\n"
    )
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def markdown(
    runs: Sequence[Run],
    args: argparse.Namespace,
    b_time: float | None,
    b_rss: float | None,
    prof: str,
) -> str:
    """The results page (figures only; the prose around them lives in the committed page)."""
    m = machine()
    by_n = {r.n: r for r in runs}
    r500 = by_n.get(500)
    r2000 = by_n.get(2000)
    verdicts = []
    if r500 is not None:
        ok = r500.ok and r500.wall_s < TARGET_500_S and r500.rss_mib < TARGET_500_MIB
        verdicts.append(
            f"- 500 devices < 60 s and < 2 GB: **{'met' if ok else 'not met'}** "
            f"({r500.wall_s:.1f} s, {r500.rss_mib:,.0f} MiB{'' if r500.ok else ', failed: ' + r500.error})"
        )
    if r2000 is not None:
        ok = r2000.ok
        verdicts.append(
            f"- 2,000 devices finish: **{'met' if ok else 'not met'}** ({r2000.wall_s:.1f} s, {r2000.rss_mib:,.0f} MiB)"
        )
    sizes = " ".join(str(n) for n in args.sizes)
    lines = [
        "## Measured",
        "",
        f"Measured {dt.date.today().isoformat()} on {m['nproc']} vCPU ({m['cpu']}), {m['ram']} RAM, Python {m['python']}.",
        f"Engine: `{m['engine']}`.",
        "",
        "```sh",
        f".venv/bin/python benchmarks/e2e_audit.py --sizes {sizes} --seed {args.seed}"
        + ("" if args.nat else " --no-nat")
        + (f" --repeat {args.repeat}" if args.repeat > 1 else "")
        + (f" --profile {args.profile}" if args.profile else ""),
        "```",
        "",
        table(runs),
        "",
        f"Growth (log-log least squares over the sizes that finished): wall time ∝ N^{b_time:.2f}, "
        f"peak RSS ∝ N^{b_rss:.2f}"
        + (
            f"; from N = {GROWTH_FROM} on (start-up no longer dominates): wall time ∝ "
            f"N^{args.big_time:.2f}, peak RSS ∝ N^{args.big_rss:.2f}."
            if args.big_time is not None
            else "."
        )
        if b_time is not None and b_rss is not None
        else "",
        "",
        top_checks(runs),
        "",
        stage_growth(runs),
        "",
        f"Load average during the run (1/5/15 min, {m['nproc']} vCPU shared with other work): "
        f"{args.load_before} before, {load_now()} after.",
        "",
        *verdicts,
        "",
    ]
    if prof:
        lines += ["### cProfile", "", "```", prof.strip()[:12000], "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
