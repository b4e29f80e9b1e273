"""``netaudit probe``: plan (and with ``--execute`` send) active probes from one zone.

Without ``--execute`` nothing is sent: the plan is printed (console table or JSON). With it,
:mod:`collectors.probe` sends the probes at a bounded rate and the answers are judged by
:func:`netaudit.probe.probe_findings` (TRF-010 forbidden probe answered, TRF-011 allowed flow
silent) into an ``AuditResult`` rendered by the ordinary renderers. Exit codes as DESIGN.md:
0, 1 (failing findings at or above ``--fail-on``), 2 (usage, policy, a target outside the
policy's networks, missing raw-socket privileges).
"""

from __future__ import annotations

import datetime as dt
import io
import ipaddress
import json
import sys
import time
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from collectors.probe import ProbeSendError, privilege_problem, send_probes, source_for
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
from netaudit.model import IPAddress
from netaudit.policy import Policy, load_policy
from netaudit.probe import (
    DEFAULT_RATE,
    DEFAULT_TIMEOUT,
    Expect,
    ProbeError,
    ProbeOutcome,
    ProbePlan,
    build_plan,
    parse_ports,
    probe_findings,
)
from netaudit.result import (
    AuditResult,
    CellState,
    Finding,
    MatrixCell,
    RunInfo,
    Verdict,
    ZoneMatrix,
)


class ProbeFormat(StrEnum):
    """Output of ``netaudit probe``."""

    console = "console"
    json = "json"


def _plan_text(plan: ProbePlan, lang: str) -> str:
    ja = lang == "ja"
    console = Console(record=True, width=120, color_system=None, file=io.StringIO())
    table = Table(
        title=(
            f"プローブ計画: {plan.from_zone} から（{len(plan.targets)} 件、{plan.rate:g} pps、タイムアウト {plan.timeout:g} 秒）"
            if ja
            else f"Probe plan from {plan.from_zone} ({len(plan.targets)} probes, {plan.rate:g} pps, timeout {plan.timeout:g} s)"
        )
    )
    for col in ("ゾーン", "宛先", "期待", "根拠") if ja else ("zone", "probe", "expect", "policy"):
        table.add_column(col)
    for t in plan.targets:
        expect = (
            ("応答なし" if ja else "no answer")
            if t.expect is Expect.SILENCE
            else ("応答あり" if ja else "answer")
        )
        table.add_row(escape(t.zone), escape(t.describe()), expect, escape(t.flow_id or "-"))
    console.print(table)
    console.print(
        "--execute を付けるまで何も送信しません。" if ja else "Nothing is sent without --execute."
    )
    return console.export_text()


def _matrix(policy: Policy, plan: ProbePlan, findings: list[Finding]) -> ZoneMatrix:
    zones = policy.zone_ids
    probed = {t.zone for t in plan.targets}
    bad: dict[str, list[Finding]] = {}
    for f in findings:
        if f.check == "TRF-010":
            bad.setdefault(f.zone_to, []).append(f)
    cells: list[MatrixCell] = []
    for zf in zones:
        for zt in zones:
            if zf == zt:
                cells.append(MatrixCell(zone_from=zf, zone_to=zt, state=CellState.SAME))
                continue
            if zf != plan.from_zone or zt not in probed:
                cells.append(MatrixCell(zone_from=zf, zone_to=zt, state=CellState.UNKNOWN))
                continue
            v = bad.get(zt, [])
            cells.append(
                MatrixCell(
                    zone_from=zf,
                    zone_to=zt,
                    state=CellState.VIOLATION if v else CellState.NONE,
                    violations=len(v),
                    example_flow=v[0].example_flow if v else None,
                )
            )
    return ZoneMatrix(zones=zones, cells=tuple(cells))


def build_result(
    policy: Policy,
    plan: ProbePlan,
    outcomes: list[ProbeOutcome],
    *,
    source: IPAddress | None,
    lang: str,
    started: dt.datetime,
    duration: float,
) -> AuditResult:
    """The probe run as an :class:`AuditResult`."""
    findings = probe_findings(policy, plan, outcomes, source=source)
    verdict = Verdict.FAIL if findings else Verdict.PASS
    return AuditResult(
        policy_file=policy.file,
        policy_digest=policy.digest,
        model=policy.data.model,
        snapshot=f"probe from {plan.from_zone}" + (f" ({source})" if source else ""),
        verdict=verdict,
        findings=tuple(findings),
        matrix=_matrix(policy, plan, findings),
        coverage=(),
        problems=(),
        run=RunInfo(
            tool_version=__version__,
            started=started.isoformat(timespec="seconds"),
            duration_s=round(duration, 3),
            lang=lang,
        ),
        checks_run=("TRF-010", "TRF-011"),
    )


def probe(
    policy: PolicyOption,
    from_zone: Annotated[str, typer.Option("--from-zone", help="The zone the prober stands in.")],
    targets: Annotated[
        list[str] | None,
        typer.Option("--targets", help="Addresses to probe (default: a few hosts per zone)."),
    ] = None,
    ports: Annotated[
        list[str] | None,
        typer.Option(
            "--ports",
            help="Probes that must not answer: tcp/22, udp/53, icmp, 22 (default: 22,23,80,135,139,443,445,3389, udp 53,161, icmp echo).",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="The prober's address (default with --execute: the one the route to the targets uses).",
        ),
    ] = None,
    execute: Annotated[
        bool, typer.Option("--execute", help="Really send the probes (default: print the plan).")
    ] = False,
    rate: Annotated[
        float, typer.Option("--rate", help="Packets per second (at most 500).")
    ] = DEFAULT_RATE,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for answers.")
    ] = DEFAULT_TIMEOUT,
    fmt: Annotated[ProbeFormat, typer.Option("--format", "-f")] = ProbeFormat.console,
    lang: Annotated[Lang | None, typer.Option("--lang", help="Report language.")] = None,
    fail_on: FailOnOption = FailOn.high,
) -> None:
    """Probe other zones from one zone: forbidden services must be silent, 特定通信 must answer."""
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    language = lang.value if lang else default_lang().value
    pol = load_or_exit(lambda: load_policy(policy), policy)
    addrs: list[IPAddress] = []
    for raw in targets or []:
        for word in raw.split(","):
            if not word.strip():
                continue
            try:
                addrs.append(ipaddress.ip_address(word.strip()))
            except ValueError as e:
                raise _fail(f"--targets: {word.strip()!r} is not an IP address") from e
    src: IPAddress | None = None
    if source is not None:
        try:
            src = ipaddress.ip_address(source)
        except ValueError as e:
            raise _fail(f"--source: {source!r} is not an IP address") from e
    try:
        port_list = parse_ports(ports or [])
        plan = build_plan(
            pol, from_zone, targets=addrs, ports=port_list, rate=rate, timeout=timeout, source=src
        )
    except ProbeError as e:
        raise _fail(str(e)) from e
    if not execute:
        if fmt is ProbeFormat.json:
            sys.stdout.write(json.dumps(plan.to_json(), ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(_plan_text(plan, language))
        raise typer.Exit(0)
    problem = privilege_problem()
    if problem is not None:
        raise _fail(problem)
    try:
        routed = source_for(plan)
        if routed is not None and src is not None and routed != src:
            raise ProbeError(f"--source is {src}, but the probes would leave from {routed}")
        if src is None and routed is not None:
            # the plan again, now knowing which flows' sources include the prober
            src = routed
            plan = build_plan(
                pol, from_zone, targets=addrs, ports=port_list, rate=rate, timeout=timeout,
                source=src,
            )  # fmt: skip
        err.print(f"sending {len(plan.targets)} probes at {plan.rate:g} pps from {src}")
        outcomes = send_probes(plan)
    except (ProbeSendError, ProbeError) as e:
        raise _fail(str(e)) from e
    result = build_result(
        pol,
        plan,
        outcomes,
        source=src,
        lang=language,
        started=started,
        duration=time.perf_counter() - t0,
    )
    emit(result, fmt.value, language, fail_on)


def register(app: typer.Typer) -> None:
    """Add ``probe`` to the ``netaudit`` command line."""
    app.command("probe")(probe)
