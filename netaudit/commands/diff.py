"""``netaudit diff BEFORE AFTER``: 新旧比較 of two snapshots against one policy.

The diff (:func:`netaudit.diff.diff`) is turned into an :class:`~netaudit.result.AuditResult`
(:func:`netaudit.diff.as_result`: findings marked new / fixed / unchanged, the zone flows the
change opens or closes) and rendered by the same renderers as ``netaudit audit``, in any of
their formats (``--format console,json,html,sarif,junit,markdown``; several with
``--output-dir``).

Exit codes: 1 when the change brings a new failing finding at or above ``--fail-on-new``
(default ``high``); 3 when either side is incomplete; 2 on bad input; 0 otherwise. A known new
failure wins over incompleteness, as in ``netaudit audit``.
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from netaudit.commands._common import (
    EXIT_FINDINGS,
    EXIT_INCOMPLETE,
    EXIT_OK,
    FormatsOption,
    Lang,
    OutputDirOption,
    OutputOption,
    PolicyOption,
    default_lang,
    err,
    fail,
    load_or_exit,
)
from netaudit.diff import DiffResult, as_result
from netaudit.diff import diff as run_diff
from netaudit.errors import InputError
from netaudit.policy import load_policy
from netaudit.result import Severity
from reports import FORMATS, RenderOptions, ReportError, render

EXTENSIONS = {
    "console": "txt",
    "json": "json",
    "sarif": "sarif",
    "junit": "xml",
    "html": "html",
    "markdown": "md",
}
"""File extension per format, for ``--output-dir`` (``netaudit-diff.<ext>``)."""


class FailOnNew(StrEnum):
    """The severity from which a new failing finding makes the exit code 1."""

    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"
    never = "never"


def exit_code(result: DiffResult, fail_on_new: FailOnNew) -> int:
    """0/1/3 as the module docstring says (2 is for input errors, before a result exists)."""
    if fail_on_new is not FailOnNew.never and result.new_failing(Severity(fail_on_new.value)):
        return EXIT_FINDINGS
    return EXIT_INCOMPLETE if result.incomplete else EXIT_OK


# -- the command ----------------------------------------------------------------------------


def _formats(value: str) -> list[str]:
    fmts = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in fmts if f not in FORMATS]
    if unknown or not fmts:
        raise fail(
            f"unknown format {', '.join(unknown) or value!r}; choose from {', '.join(FORMATS)}"
        )
    return fmts


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as e:
        raise fail(f"cannot write {path}: {e.strerror}") from e
    err.print(f"wrote {escape(str(path))}")


def diff_command(
    before: Annotated[Path, typer.Argument(help="Snapshot before the change.")],
    after: Annotated[Path, typer.Argument(help="Snapshot after the change (candidate configs).")],
    policy: PolicyOption,
    fmt: FormatsOption = "console",
    output: OutputOption = None,
    output_dir: OutputDirOption = None,
    fail_on_new: Annotated[
        FailOnNew,
        typer.Option(
            "--fail-on-new", help="Exit 1 on a new failing finding at or above this severity."
        ),
    ] = FailOnNew.high,
    lang: Annotated[Lang | None, typer.Option("--lang", help="Report language.")] = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Judge expiry dates as of this day (YYYY-MM-DD).")
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="Pin the platform of every file.")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also list unrecognized lines.")
    ] = False,
    color: Annotated[
        bool | None, typer.Option("--color/--no-color", help="Colour the console report.")
    ] = None,
) -> None:
    """Compare two snapshots: new and fixed findings, and the exact flows the change opens or closes."""
    fmts = _formats(fmt)
    if output is not None and len(fmts) > 1:
        raise fail("--output takes one format; use --output-dir for several")
    day: dt.date | None = None
    if today is not None:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError as e:
            raise fail(f"--today: not a date (YYYY-MM-DD): {today!r}") from e
    pol = load_or_exit(lambda: load_policy(policy), policy)
    language = (lang or default_lang()).value
    try:
        result = run_diff(before, after, pol, day, platform=platform, lang=language)
    except InputError as e:
        raise fail(str(e)) from e
    for side in (result.before, result.after):
        for problem in side.problems:
            err.print(f"[yellow]warning:[/] {escape(problem.message)}")
    report = as_result(result)
    tty = sys.stdout.isatty()
    use_color = tty if color is None else color
    width = max(Console().width if tty else 120, 80)
    for f in fmts:
        try:
            text = render(
                f,
                report,
                RenderOptions(
                    lang="ja" if language == "ja" else "en",
                    color=use_color and output is None and output_dir is None and f == "console",
                    width=width,
                    verbose=verbose,
                ),
            )
        except ReportError as e:
            raise fail(str(e)) from e
        if output_dir is not None:
            try:
                output_dir.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise fail(f"cannot create {output_dir}: {e.strerror}") from e
            _write(output_dir / f"netaudit-diff.{EXTENSIONS.get(f, f)}", text)
        elif output is not None:
            _write(output, text)
        else:
            sys.stdout.write(text)
    raise typer.Exit(exit_code(result, fail_on_new))


def register(app: typer.Typer) -> None:
    """Add ``netaudit diff`` to the application."""
    app.command("diff")(diff_command)
