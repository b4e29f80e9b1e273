"""``netaudit init``: the scaffolded repository validates, CI files parse, nothing is clobbered."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from netaudit.cli import app as main_app
from netaudit.commands.init import TEMPLATE_FILES, ModelChoice, register
from netaudit.policy import json_schema, load_policy
from netaudit.waivers import load_waivers

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "netaudit" / "templates" / "policies"
runner = CliRunner()
EXPECTED_FILES = {
    "policy.yaml",
    "policy.schema.json",
    "inventory.yaml",
    "waivers.yaml",
    "snapshot/.gitkeep",
    ".gitignore",
    ".github/workflows/netaudit.yml",
    ".gitlab-ci.yml",
}


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def version() -> None:  # a second command keeps typer's subcommand mode
        """Placeholder."""

    return app


def _init(*args: str | Path) -> int:
    return runner.invoke(_app(), ["init", *map(str, args)]).exit_code


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_packaged_templates_are_the_repository_templates() -> None:
    packaged = sorted(p.name for p in TEMPLATES.glob("*.yaml"))
    assert packaged == sorted(TEMPLATE_FILES.values())
    assert set(TEMPLATE_FILES) == set(ModelChoice)
    for name in packaged:
        assert (TEMPLATES / name).read_bytes() == (ROOT / "policies" / name).read_bytes(), (
            f"netaudit/templates/policies/{name} differs from policies/{name}: copy it again"
        )


@pytest.mark.parametrize("model", list(ModelChoice))
def test_init_each_model_validates(model: ModelChoice, tmp_path: Path) -> None:
    repo = tmp_path / "city"
    assert _init(repo, "--model", model.value) == 0
    assert _files(repo) == EXPECTED_FILES
    policy = load_policy(repo / "policy.yaml")
    assert policy.data.model == model.value
    res = runner.invoke(main_app, ["validate", str(repo / "policy.yaml"), "--today", "2026-04-01"])
    assert res.exit_code == 0, res.stdout + res.stderr
    assert json.loads((repo / "policy.schema.json").read_text(encoding="utf-8")) == json_schema()


def test_skeletons_parse(tmp_path: Path) -> None:
    assert _init(tmp_path) == 0
    gh = yaml.safe_load((tmp_path / ".github/workflows/netaudit.yml").read_text(encoding="utf-8"))
    steps = gh["jobs"]["netaudit"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert "netaudit validate policy.yaml" in runs
    assert any(
        r.startswith("netaudit audit snapshot --policy policy.yaml")
        and "--waivers waivers.yaml" in r
        and "--format sarif,junit" in r
        for r in runs
    )
    sarif = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    )
    assert sarif["with"]["sarif_file"] == "reports/netaudit.sarif"
    assert sarif["if"] == "always()"
    gl = yaml.safe_load((tmp_path / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    job = gl["netaudit"]
    assert "netaudit validate policy.yaml" in job["script"]
    assert job["artifacts"]["reports"]["junit"] == "reports/netaudit.xml"
    assert job["artifacts"]["when"] == "always"
    inventory = yaml.safe_load((tmp_path / "inventory.yaml").read_text(encoding="utf-8"))
    assert inventory == {"devices": []}
    assert load_waivers(tmp_path / "waivers.yaml").entries == ()


def test_commented_examples_are_valid(tmp_path: Path) -> None:
    """The commented examples, uncommented, are what the schemas accept."""
    assert _init(tmp_path) == 0
    for name in ("inventory.yaml", "waivers.yaml"):
        lines = (tmp_path / name).read_text(encoding="utf-8").splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("# 例 / Example:"))
        body = [line[2:] for line in lines[start + 1 :] if line.startswith("# ")]
        out = tmp_path / f"example-{name}"
        out.write_text("\n".join(body) + "\n", encoding="utf-8")
        data = yaml.safe_load(out.read_text(encoding="utf-8"))
        if name == "waivers.yaml":
            assert [w.id for w in load_waivers(out).entries] == ["W-2026-001"]
        else:
            assert [set(d) for d in data["devices"]] == [{"name", "platform", "host"}] * 2


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text("# mine\n", encoding="utf-8")
    assert _init(tmp_path) == 2
    assert (tmp_path / "policy.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert _files(tmp_path) == {"policy.yaml"}  # nothing else written either
    assert _init(tmp_path, "--force", "--model", "alpha") == 0
    assert load_policy(tmp_path / "policy.yaml").data.model == "alpha"
    not_dir = tmp_path / "file"
    not_dir.write_text("", encoding="utf-8")
    assert _init(not_dir) == 2


def test_pre_commit_hook_definition() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "netaudit-validate" and hook["entry"] == "netaudit validate"
    files = re.compile(hook["files"])
    assert files.search("policies/city.yaml") and files.search("policy.yml")
    assert not files.search("inventory.yaml") and not files.search("policies/README.md")


def test_scaffolded_ci_audit_command_runs(tmp_path: Path) -> None:
    """The audit line the scaffold puts in CI runs against a snapshot: no usage error (2)."""
    import shlex
    import shutil

    from netaudit.cli import app

    repo = tmp_path / "repo"
    assert CliRunner().invoke(app, ["init", str(repo), "--model", "beta"]).exit_code == 0
    shutil.copytree(
        ROOT / "examples" / "sakuradai" / "snapshot", repo / "snapshot", dirs_exist_ok=True
    )
    gh = yaml.safe_load((repo / ".github/workflows/netaudit.yml").read_text(encoding="utf-8"))
    line = next(
        s["run"]
        for s in gh["jobs"]["netaudit"]["steps"]
        if s.get("run", "").startswith("netaudit audit")
    )
    args = shlex.split(line)[1:]
    args = [
        str(repo / a) if a in ("snapshot", "policy.yaml", "inventory.yaml", "waivers.yaml") else a
        for a in args
    ]
    args = [str(repo / "reports") if a == "reports/" else a for a in args]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 1, 3), (line, result.stdout, result.stderr)
    assert (repo / "reports" / "netaudit.sarif").is_file()
