"""What every command shares: exit codes, the language and --fail-on options, error output.

Exit codes (DESIGN.md): 0 complete and nothing at or above ``--fail-on``; 1 failing findings
at or above it; 2 usage, policy or input error; 3 incomplete. A definite failing finding wins
over incompleteness; incompleteness is judged on its own (a run with a failing finding and an
unread device is still not "complete").
"""

from __future__ import annotations

import locale
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from netaudit.errors import NetauditError
from netaudit.result import AuditResult, Severity, Status, Verdict
from netaudit.yamlmodel import PolicyValidationError
from reports import FORMATS, RenderOptions, ReportError, render

T = TypeVar("T")

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INCOMPLETE = 0, 1, 2, 3

err = Console(stderr=True, highlight=False)


class Lang(StrEnum):
    """Report language."""

    ja = "ja"
    en = "en"


class FailOn(StrEnum):
    """The severity from which failing findings make the exit code 1."""

    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"
    never = "never"


# Options several commands share, declared once (typer reads them from the annotation).
PolicyOption = Annotated[Path, typer.Option("--policy", "-p", help="Policy YAML.")]
FailOnOption = Annotated[
    FailOn,
    typer.Option("--fail-on", help="Exit 1 on failing findings at or above this severity."),
]
FormatsOption = Annotated[
    str, typer.Option("--format", "-f", help="Comma-separated: " + ", ".join(FORMATS))
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the (single) report here.")
]
OutputDirOption = Annotated[
    Path | None, typer.Option("--output-dir", help="Write one file per format here.")
]

# What writes a snapshot (collect, snapshot import) offers.
KeepSecretsOption = Annotated[
    bool, typer.Option("--keep-secrets", help="Store secrets unscrubbed (recorded).")
]
SignKeyOption = Annotated[
    Path | None,
    typer.Option("--sign-key", help="Ed25519 key to sign with (else $NETAUDIT_SIGNING_KEY)."),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace an existing snapshot.")]


def default_lang() -> Lang:
    """``NETAUDIT_LANG``, else Japanese when the locale is Japanese, else English."""
    env = os.environ.get("NETAUDIT_LANG")
    if env in ("ja", "en"):
        return Lang(env)
    loc = os.environ.get("LC_ALL") or os.environ.get("LANG") or (locale.getlocale()[0] or "")
    return Lang.ja if loc.lower().startswith("ja") else Lang.en


def fail(message: str, code: int = EXIT_INPUT) -> typer.Exit:
    """Print an error and return the exit to raise."""
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def exit_code(result: AuditResult, fail_on: FailOn) -> int:
    """The exit code DESIGN.md gives a result."""
    if fail_on is not FailOn.never:
        threshold = Severity(fail_on.value)
        if any(f.status is Status.FAIL and f.severity.at_least(threshold) for f in result.findings):
            return EXIT_FINDINGS
    # Incomplete even when the verdict is "fail": something was not read or not understood.
    unknown = any(f.status in (Status.UNKNOWN, Status.ERROR) for f in result.findings)
    if result.verdict is Verdict.INCOMPLETE or result.problems or unknown:
        return EXIT_INCOMPLETE
    return EXIT_OK


def load_or_exit(load: Callable[[], T], path: Path) -> T:
    """Run a loader of a policy, inventory or waivers file; on problems print each as
    ``file:line: message`` (one per line, never wrapped) and exit 2."""
    try:
        return load()
    except PolicyValidationError as e:
        for p in e.problems:
            err.print(escape(str(p)), soft_wrap=True)
        raise fail(f"{len(e.problems)} problem(s) in {path}") from e
    except NetauditError as e:
        raise fail(str(e)) from e


def emit(result: AuditResult, fmt: str, lang: str, fail_on: FailOn) -> None:
    """Render ``result`` to stdout in one format and exit with its code."""
    try:
        text = render(
            fmt, result, RenderOptions(lang="ja" if lang == "ja" else "en", color=False, width=120)
        )
    except ReportError as e:
        raise fail(str(e)) from e
    sys.stdout.write(text)
    raise typer.Exit(exit_code(result, fail_on))
