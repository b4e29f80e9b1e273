"""``netaudit diff BEFORE AFTER``: 新旧比較 of two snapshots against one policy.

Exit codes: 1 when the change brings a new failing finding at or above ``--fail-on-new``
(default ``high``); 3 when either side is incomplete; 2 on bad input; 0 otherwise. A known new
failure wins over incompleteness, as in ``netaudit audit``.

The two renderers here are pure (``DiffResult -> str``). They live beside the command and not
in ``reports/`` because ``netaudit.diff`` runs the engine, and ``reports`` must stay
independent of ``checks`` (import-linter).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from enum import StrEnum
from io import StringIO
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from netaudit.diff import Change, DiffResult, FlowChange
from netaudit.diff import diff as run_diff
from netaudit.errors import InputError, NetauditError
from netaudit.policy import PolicyValidationError, load_policy
from netaudit.result import Evidence, Finding, Severity
from reports.console import safe

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INCOMPLETE = 0, 1, 2, 3
SCHEMA_ID = "netaudit/diff/v1"

err = Console(stderr=True, highlight=False)


class DiffFormat(StrEnum):
    """Output of ``netaudit diff``."""

    console = "console"
    json = "json"


class FailOnNew(StrEnum):
    """The severity from which a new failing finding makes the exit code 1."""

    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"
    never = "never"


class DiffLang(StrEnum):
    """Report language."""

    ja = "ja"
    en = "en"


def exit_code(result: DiffResult, fail_on_new: FailOnNew) -> int:
    """0/1/3 as the module docstring says (2 is for input errors, before a result exists)."""
    if fail_on_new is not FailOnNew.never and result.new_failing(Severity(fail_on_new.value)):
        return EXIT_FINDINGS
    return EXIT_INCOMPLETE if result.incomplete else EXIT_OK


# -- JSON ------------------------------------------------------------------------------------


def render_json(result: DiffResult, lang: str = "ja") -> str:
    """The diff as a JSON document (``netaudit/diff/v1``), 2-space indent, trailing newline."""
    return json.dumps(to_document(result, lang), ensure_ascii=False, indent=2) + "\n"


def to_document(result: DiffResult, lang: str = "ja") -> dict[str, Any]:
    """The diff as JSON-ready data."""
    by_sev = {s.value: 0 for s in Severity}
    for f in result.new_failing(Severity.INFO):
        by_sev[f.severity.value] += 1
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "netaudit", "version": result.after.run.tool_version},
        "policy": {
            "file": result.after.policy_file,
            "digest": result.after.policy_digest,
            "model": result.after.model,
        },
        "before": _side(result, before=True),
        "after": _side(result, before=False),
        "summary": {
            "new": len(result.new),
            "fixed": len(result.fixed),
            "unchanged": len(result.unchanged),
            "new_failing_by_severity": by_sev,
            "flows_added": len(result.added),
            "flows_removed": len(result.removed),
            "incomplete": result.incomplete,
        },
        "findings": {
            "new": [_finding(f, lang) for f in result.new],
            "fixed": [_finding(f, lang) for f in result.fixed],
            "unchanged": [_finding(f, lang) for f in result.unchanged],
        },
        "flows": {
            "added": [_flow(c) for c in result.added],
            "removed": [_flow(c) for c in result.removed],
        },
    }


def _side(result: DiffResult, *, before: bool) -> dict[str, Any]:
    r = result.before if before else result.after
    return {
        "snapshot": r.snapshot,
        "manifest_digest": r.manifest_digest,
        "verdict": r.verdict.value,
        "findings": len(r.findings),
    }


def _evidence(e: Evidence) -> dict[str, Any]:
    return {"device": e.device, "file": e.file, "line": e.line, "text": e.text, "role": e.role}


def _finding(f: Finding, lang: str) -> dict[str, Any]:
    return {
        "check": f.check,
        "severity": f.severity.value,
        "status": f.status.value,
        "title": f.title.get(lang),
        "message": f.message.get(lang),
        "device": f.device,
        "zone_from": f.zone_from,
        "zone_to": f.zone_to,
        "example_flow": f.example_flow,
        "evidence": [_evidence(e) for e in f.evidence],
        "policy_ref": (
            {"file": f.policy_ref.file, "line": f.policy_ref.line, "id": f.policy_ref.id}
            if f.policy_ref
            else None
        ),
        "fingerprint": f.fingerprint,
    }


def _flow(c: FlowChange) -> dict[str, Any]:
    return {
        "change": c.change.value,
        "zone_from": c.zone_from,
        "zone_to": c.zone_to,
        "example": c.example.to_json(),
        "devices": list(c.devices),
        "hops": [
            {
                "device": h.device,
                "in_interface": h.in_interface,
                "out_interface": h.out_interface,
                "evidence": [_evidence(e) for e in h.evidence],
            }
            for h in c.hops
        ],
    }


# -- console ---------------------------------------------------------------------------------

_LABELS = {
    "ja": {
        "title": "新旧比較",
        "new": "新たな指摘",
        "fixed": "解消した指摘",
        "unchanged": "変わらない指摘",
        "added": "新たに通る通信",
        "removed": "通らなくなった通信",
        "none": "なし",
        "example": "例",
        "verdict": "判定",
        "before": "変更前",
        "after": "変更後",
        "incomplete": "注意: どちらかの監査が不完全です（解釈できない設定・読めない機器）",
    },
    "en": {
        "title": "Change diff",
        "new": "New findings",
        "fixed": "Fixed findings",
        "unchanged": "Unchanged findings",
        "added": "Flows the change opens",
        "removed": "Flows the change closes",
        "none": "none",
        "example": "example",
        "verdict": "verdict",
        "before": "before",
        "after": "after",
        "incomplete": "Note: an audit is incomplete (config not understood, device not read)",
    },
}

_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "blue",
}


def render_console(
    result: DiffResult, lang: str = "ja", *, width: int = 100, color: bool = False
) -> str:
    """The diff for a terminal; every config/policy string reaches rich as plain ``Text``."""
    msg = _LABELS["ja" if lang == "ja" else "en"]
    buf = StringIO()
    console = Console(
        file=buf,
        width=width,
        force_terminal=color,
        no_color=not color,
        markup=False,
        highlight=False,
        emoji=False,
    )
    console.print(Group(*_sections(result, lang, msg)))
    return buf.getvalue()


def _sections(result: DiffResult, lang: str, msg: dict[str, str]) -> list[RenderableType]:
    head = Text(f"netaudit {msg['title']}", style="bold")
    sides = Table.grid(padding=(0, 2))
    for label, r in ((msg["before"], result.before), (msg["after"], result.after)):
        sides.add_row(
            Text(label), Text(safe(r.snapshot)), Text(f"{msg['verdict']}: {r.verdict.value}")
        )
    out: list[RenderableType] = [head, sides]
    if result.incomplete:
        out.append(Text(msg["incomplete"], style="bold yellow"))
    for key, findings in (("new", result.new), ("fixed", result.fixed)):
        out.append(Rule(Text(f"{msg[key]} ({len(findings)})"), align="left"))
        out.append(_findings(findings, lang) if findings else Text(msg["none"], style="dim"))
    out.append(Text(f"{msg['unchanged']}: {len(result.unchanged)}", style="dim"))
    for key, flows in (("added", result.added), ("removed", result.removed)):
        out.append(Rule(Text(f"{msg[key]} ({len(flows)})"), align="left"))
        if not flows:
            out.append(Text(msg["none"], style="dim"))
        for c in flows:
            out.append(_flow_text(c, msg))
    return out


def _findings(findings: tuple[Finding, ...], lang: str) -> Table:
    t = Table.grid(padding=(0, 1))
    for f in findings:
        where = f.device + (f" {f.zone_from}→{f.zone_to}" if f.zone_from or f.zone_to else "")
        t.add_row(
            Text(f.severity.value, style=_SEVERITY_STYLE[f.severity]),
            Text(f.check, style="bold"),
            Text(safe(where)),
            Text(safe(f.title.get(lang))),
        )
        for e in f.evidence[:3]:
            t.add_row(
                Text(""),
                Text(""),
                Text(""),
                Text(safe(f"{e.file}:{e.line}  {e.text}"), style="dim"),
            )
    return t


def _flow_text(c: FlowChange, msg: dict[str, str]) -> RenderableType:
    sign = "+" if c.change is Change.ADDED else "-"
    style = "red" if c.change is Change.ADDED else "green"
    head = Text(f"{sign} {c.zone_from} → {c.zone_to}", style=f"bold {style}")
    head.append(Text(f"   {msg['example']}: {safe(str(c.example))}"))
    lines: list[RenderableType] = [head]
    for h in c.hops:
        body = Text(safe(f"{h.device}: {h.in_interface} → {h.out_interface}"))
        for e in h.evidence:
            where = f"{e.file}:{e.line}" if e.line else e.file
            body.append("\n")
            body.append(Text(safe(f"  {e.role:<6} {where}  {e.text}")))
        lines.append(Padding(body, (0, 0, 0, 4)))
    return Group(*lines)


# -- the command -----------------------------------------------------------------------------


def _fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _default_lang() -> str:
    env = os.environ.get("NETAUDIT_LANG")
    if env in ("ja", "en"):
        return env
    loc = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "ja" if loc.lower().startswith("ja") else "en"


def diff_command(
    before: Annotated[Path, typer.Argument(help="Snapshot before the change.")],
    after: Annotated[Path, typer.Argument(help="Snapshot after the change (candidate configs).")],
    policy: Annotated[Path, typer.Option("--policy", "-p", help="Policy YAML.")],
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f")] = DiffFormat.console,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here.")
    ] = None,
    fail_on_new: Annotated[
        FailOnNew,
        typer.Option(
            "--fail-on-new", help="Exit 1 on a new failing finding at or above this severity."
        ),
    ] = FailOnNew.high,
    lang: Annotated[DiffLang | None, typer.Option("--lang", help="Report language.")] = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Judge expiry dates as of this day (YYYY-MM-DD).")
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="Pin the platform of every file.")
    ] = None,
) -> None:
    """Compare two snapshots: new and fixed findings, and the exact flows the change opens or closes."""
    day: dt.date | None = None
    if today is not None:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError as e:
            raise _fail(f"--today: not a date (YYYY-MM-DD): {today!r}") from e
    try:
        pol = load_policy(policy)
    except PolicyValidationError as e:
        for p in e.problems:
            sys.stdout.write(f"{p}\n")
        raise _fail(f"{len(e.problems)} problem(s) in {policy}") from e
    except NetauditError as e:
        raise _fail(str(e)) from e
    language = lang.value if lang is not None else _default_lang()
    try:
        result = run_diff(before, after, pol, day, platform=platform, lang=language)
    except InputError as e:
        raise _fail(str(e)) from e
    for side in (result.before, result.after):
        for problem in side.problems:
            err.print(f"[yellow]warning:[/] {escape(problem.message)}")
    if fmt is DiffFormat.json:
        text = render_json(result, language)
    else:
        tty = output is None and sys.stdout.isatty()
        text = render_console(
            result, language, width=max(Console().width if tty else 120, 80), color=tty
        )
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as e:
            raise _fail(f"cannot write {output}: {e.strerror}") from e
        err.print(f"wrote {escape(str(output))}")
    else:
        sys.stdout.write(text)
    raise typer.Exit(exit_code(result, fail_on_new))


def register(app: typer.Typer) -> None:
    """Add ``netaudit diff`` to the application."""
    app.command("diff")(diff_command)
