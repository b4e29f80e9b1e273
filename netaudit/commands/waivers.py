"""``netaudit waivers FILE…``: check waivers files (例外措置台帳) as policy-repo CI does.

Every problem is printed as ``file:line: message`` on stdout, one per line: schema problems,
duplicate ids, zones the policy does not declare (with ``--policy``) and waivers past their
expiry date. Exit 0 when there is none, 2 otherwise.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from netaudit.errors import InputError
from netaudit.policy import Policy, PolicyValidationError, Problem, load_policy
from netaudit.waivers import lint_waivers, load_waivers

EXIT_INPUT = 2
err = Console(stderr=True, highlight=False)


def check_waivers(files: list[Path], policy: Policy | None, today: dt.date) -> list[Problem]:
    """Every problem of the given waivers files."""
    problems: list[Problem] = []
    for f in files:
        try:
            w = load_waivers(f, policy=policy)
        except PolicyValidationError as e:
            problems.extend(e.problems)
            continue
        except InputError as e:
            problems.append(Problem(e.file or str(f), e.line, str(e)))
            continue
        problems.extend(lint_waivers(w, today=today))
    return problems


def waivers_command(
    files: Annotated[list[Path], typer.Argument(help="Waivers YAML files.")],
    policy: Annotated[
        Path | None, typer.Option("--policy", "-p", help="Check zone names against this policy.")
    ] = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Judge expiry as of this day (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Check waivers files: schema, duplicate ids, zones, expired waivers."""
    try:
        day = dt.date.fromisoformat(today) if today is not None else dt.date.today()
    except ValueError as e:
        err.print(f"[bold red]error:[/] --today: not a date (YYYY-MM-DD): {escape(str(today))}")
        raise typer.Exit(EXIT_INPUT) from e
    pol: Policy | None = None
    if policy is not None:
        try:
            pol = load_policy(policy)
        except InputError as e:
            err.print(f"[bold red]error:[/] {escape(str(e))}")
            raise typer.Exit(EXIT_INPUT) from e
    problems = check_waivers(files, pol, day)
    for p in problems:
        sys.stdout.write(f"{p}\n")
    if problems:
        err.print(f"[red]{len(problems)} problem(s) in {len(files)} file(s)[/]")
        raise typer.Exit(EXIT_INPUT)
    err.print(f"[green]ok[/]: {len(files)} waivers file(s)")


def register(app: typer.Typer) -> None:
    """Add ``netaudit waivers`` to the application."""
    app.command("waivers")(waivers_command)
