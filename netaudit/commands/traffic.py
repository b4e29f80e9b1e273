"""``netaudit pcap``: audit observed traffic (pcap/pcapng captures) against the policy.

Reads captures with :mod:`collectors.pcap`, judges the flows with :mod:`netaudit.traffic`
(TRF-001 crossings the policy does not allow, TRF-002 特定通信 never observed, TRF-003 with a
snapshot: observed flows the configs say cannot pass) and renders an ``AuditResult`` with the
ordinary report renderers. Exit codes as DESIGN.md: 0, 1 (failing findings at or above
``--fail-on``), 2 (usage, policy or unreadable capture), 3 (a capture cut short, no worse finding).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from collectors.pcap import CaptureError, FlowTable, read_into
from netaudit import __version__
from netaudit.commands._common import (
    FailOn,
    FailOnOption,
    Lang,
    PolicyOption,
    default_lang,
    emit,
    err,
    load_or_exit,
)
from netaudit.commands._common import fail as _fail
from netaudit.engine import audit as run_audit
from netaudit.engine import verdict_of
from netaudit.errors import NetauditError
from netaudit.flow import Packet
from netaudit.policy import Policy, load_policy
from netaudit.result import (
    AuditResult,
    CellState,
    Finding,
    InputProblem,
    MatrixCell,
    RunInfo,
    ZoneMatrix,
)
from netaudit.traffic import CaptureStats, Classified, FlowRecord, TrafficReport, judge_traffic

PROGRESS_FROM_BYTES = 64 << 20  # show a progress bar for captures larger than this


class PcapFormat(StrEnum):
    """Output of ``netaudit pcap``."""

    console = "console"
    json = "json"


def _matrix(
    policy: Policy, classified: Sequence[Classified], findings: Sequence[Finding]
) -> ZoneMatrix:
    """Observed zone pairs: violation where TRF-001 found one, allowed where flows were."""
    zones = policy.zone_ids
    flows: dict[tuple[str, str], int] = {}
    for c in classified:
        if c.crosses and c.zone_from and c.zone_to:
            flows[(c.zone_from, c.zone_to)] = flows.get((c.zone_from, c.zone_to), 0) + 1
    bad: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.check == "TRF-001":
            bad.setdefault((f.zone_from, f.zone_to), []).append(f)
    cells: list[MatrixCell] = []
    for zf in zones:
        for zt in zones:
            if zf == zt:
                cells.append(MatrixCell(zone_from=zf, zone_to=zt, state=CellState.SAME))
                continue
            n = flows.get((zf, zt), 0)
            v = bad.get((zf, zt), [])
            state = CellState.VIOLATION if v else CellState.ALLOWED if n else CellState.NONE
            cells.append(
                MatrixCell(
                    zone_from=zf,
                    zone_to=zt,
                    state=state,
                    paths=n,
                    allowed_paths=n - len(v),
                    violations=len(v),
                    example_flow=v[0].example_flow if v else None,
                )
            )
    return ZoneMatrix(zones=zones, cells=tuple(cells))


def build_result(
    policy: Policy,
    report: TrafficReport,
    stats: CaptureStats,
    *,
    snapshot: str,
    lang: str,
    started: dt.datetime,
    duration: float,
) -> AuditResult:
    """The pcap audit as an :class:`AuditResult`, so every renderer can present it."""
    problems = tuple(
        InputProblem(file=t.split(":", 1)[0], line=0, message=t) for t in stats.truncated
    ) + tuple(InputProblem(file=w.split(":", 1)[0], line=0, message=w) for w in stats.warnings)
    findings = report.findings
    verdict = verdict_of(findings, list(stats.truncated))
    return AuditResult(
        policy_file=policy.file,
        policy_digest=policy.digest,
        model=policy.data.model,
        snapshot=snapshot or ", ".join(stats.files),
        verdict=verdict,
        findings=findings,
        matrix=_matrix(policy, report.classified, findings),
        coverage=(),
        problems=problems,
        run=RunInfo(
            tool_version=__version__,
            started=started.isoformat(timespec="seconds"),
            duration_s=round(duration, 3),
            lang=lang,
        ),
        checks_run=("TRF-001", "TRF-002", *(("TRF-003",) if snapshot else ())),
    )


def _possible(snapshot: Path, policy: Policy) -> Callable[[Packet], bool]:
    result, analysis = run_audit(snapshot, policy)
    for p in result.problems:
        err.print(f"[yellow]warning:[/] {escape(p.message)}")

    def possible(packet: Packet) -> bool:
        return any(c.packets.contains(packet) for c in analysis.crossings)

    return possible


def _read(files: list[Path]) -> tuple[list[FlowRecord], CaptureStats]:
    """Read every capture; a progress bar on a terminal's stderr for large ones."""
    table = FlowTable()
    total = sum(f.stat().st_size for f in files)
    if total < PROGRESS_FROM_BYTES or not err.is_terminal:
        for f in files:
            read_into(table, f)
        return table.records(), table.stats()
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("reading captures", total=total)
        done = 0
        for f in files:

            def step(n: int, base: int = done) -> None:
                bar.update(task, completed=base + n)

            read_into(table, f, step)
            done += f.stat().st_size
    return table.records(), table.stats()


def pcap(
    files: Annotated[list[Path], typer.Argument(help="pcap or pcapng capture files.")],
    policy: PolicyOption,
    snapshot: Annotated[
        Path | None,
        typer.Option("--snapshot", "-s", help="Config snapshot: also report flows it cannot pass."),
    ] = None,
    fmt: Annotated[PcapFormat, typer.Option("--format", "-f")] = PcapFormat.console,
    lang: Annotated[Lang | None, typer.Option("--lang", help="Report language.")] = None,
    fail_on: FailOnOption = FailOn.high,
) -> None:
    """Audit captured traffic: zone crossings the policy does not allow, unused 特定通信."""
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    pol = load_or_exit(lambda: load_policy(policy), policy)
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise _fail(f"no such capture file: {missing[0]}")
    try:
        flows, stats = _read(files)
    except CaptureError as e:
        raise _fail(str(e)) from e
    for t in stats.truncated:
        err.print(f"[yellow]warning:[/] {escape(t)} (the packets before it are audited)")
    for w in stats.warnings:
        err.print(f"[yellow]warning:[/] {escape(w)}")
    err.print(
        f"{stats.packets} packets, {len(flows)} flows"
        + (f", {stats.non_ip} not IP" if stats.non_ip else "")
    )
    possible = None
    if snapshot is not None:
        try:
            possible = _possible(snapshot, pol)
        except NetauditError as e:
            raise _fail(str(e)) from e
    report = judge_traffic(pol, flows, possible)
    language = lang.value if lang else default_lang().value
    result = build_result(
        pol,
        report,
        stats,
        snapshot=str(snapshot) if snapshot else "",
        lang=language,
        started=started,
        duration=time.perf_counter() - t0,
    )
    emit(result, fmt.value, language, fail_on)


def register(app: typer.Typer) -> None:
    """Add ``pcap`` and ``probe`` (active probes, :mod:`netaudit.commands.probe`)."""
    from netaudit.commands import probe

    app.command("pcap")(pcap)
    probe.register(app)
