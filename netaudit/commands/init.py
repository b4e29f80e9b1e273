"""``netaudit init DIR``: scaffold a policy repository.

Writes ``policy.yaml`` (the chosen MIC model template), ``policy.schema.json`` (for editors),
``inventory.yaml``, ``waivers.yaml``, ``snapshot/.gitkeep``, ``.gitignore`` and CI for GitHub
Actions and GitLab. Existing files are never overwritten unless ``--force``; when any would be,
nothing is written (exit 2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from netaudit.policy import json_schema

EXIT_INPUT = 2
err = Console(stderr=True, highlight=False)


class ModelChoice(StrEnum):
    """The MIC model the city follows (DOMAIN.md)."""

    alpha = "alpha"
    alpha_prime = "alpha_prime"
    beta = "beta"
    beta_prime = "beta_prime"


# Model → template file in netaudit/templates/policies/ (copies of policies/*.yaml).
TEMPLATE_FILES: dict[ModelChoice, str] = {
    ModelChoice.alpha: "alpha.yaml",
    ModelChoice.alpha_prime: "alpha-prime.yaml",
    ModelChoice.beta: "beta.yaml",
    ModelChoice.beta_prime: "beta-prime.yaml",
}

_GITIGNORE = "# netaudit が書き出すレポート / reports netaudit writes\nreports/\n"


@dataclass(frozen=True, slots=True)
class ScaffoldFile:
    """One file of the scaffold: its path inside the new repository, and its text."""

    path: str
    text: str


def _resource(*parts: str) -> str:
    return resources.files("netaudit.templates").joinpath(*parts).read_text(encoding="utf-8")


def policy_template(model: ModelChoice) -> str:
    """The policy template text of a model."""
    return _resource("policies", TEMPLATE_FILES[model])


def scaffold(model: ModelChoice) -> list[ScaffoldFile]:
    """Every file ``netaudit init`` writes, in order."""
    schema = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    return [
        ScaffoldFile("policy.yaml", policy_template(model)),
        ScaffoldFile("policy.schema.json", schema),
        ScaffoldFile("inventory.yaml", _resource("scaffold", "inventory.yaml")),
        ScaffoldFile("waivers.yaml", _resource("scaffold", "waivers.yaml")),
        ScaffoldFile("snapshot/.gitkeep", ""),
        ScaffoldFile(".gitignore", _GITIGNORE),
        ScaffoldFile(
            ".github/workflows/netaudit.yml", _resource("scaffold", "github-workflow.yaml")
        ),
        ScaffoldFile(".gitlab-ci.yml", _resource("scaffold", "gitlab-ci.yaml")),
    ]


def init_command(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Where to create the repository.")
    ],
    model: Annotated[
        ModelChoice, typer.Option("--model", help="The MIC model of the policy template.")
    ] = ModelChoice.beta,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
) -> None:
    """Create a policy repository: policy, inventory, waivers, snapshot folder and CI."""
    if directory.exists() and not directory.is_dir():
        err.print(f"[bold red]error:[/] {escape(str(directory))} is not a directory")
        raise typer.Exit(EXIT_INPUT)
    files = scaffold(model)
    existing = [f.path for f in files if (directory / f.path).exists()]
    if existing and not force:
        for p in existing:
            err.print(f"[bold red]error:[/] {escape(str(directory / p))} exists")
        err.print("nothing written; use --force to overwrite")
        raise typer.Exit(EXIT_INPUT)
    try:
        for f in files:
            target = directory / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f.text, encoding="utf-8")
            err.print(f"wrote {escape(str(target))}")
    except OSError as e:
        err.print(f"[bold red]error:[/] cannot write: {escape(str(e))}")
        raise typer.Exit(EXIT_INPUT) from e
    err.print(
        f"[green]ok[/]: {model.value} policy repository in {escape(str(directory))}. "
        "Next: edit every ★ entry of policy.yaml and check it with `netaudit validate policy.yaml`."
    )


def register(app: typer.Typer) -> None:
    """Add ``netaudit init`` to the application."""
    app.command("init")(init_command)
