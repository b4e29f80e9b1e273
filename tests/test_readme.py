"""The README's two commands are real: CI runs the test one verbatim; the example one works."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(python3 -m venv[^\n]*)\n```", text)


def test_readme_has_the_two_setup_commands() -> None:
    cmds = _commands()
    assert len(cmds) == 2
    assert "netaudit audit examples/" in cmds[0]
    assert "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _commands()[1] in ci


def test_example_paths_in_the_readme_exist() -> None:
    cmd = _commands()[0]
    for path in re.findall(r"examples/\S+", cmd):
        assert (ROOT / path).exists(), path


def _workflow_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### The three users") : text.index("## How it works")]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith("netaudit ")]


def test_the_three_users_workflows_run_as_written(tmp_path: Path) -> None:
    """Every workflow command of the README, run from the repository root as a user would.

    ``candidate/`` is a copy of the example with sep-rtr1's SMB rule removed (a fix) and a new
    hole on lgwan-rtr, so the diff command has something to report; output folders go to a
    temporary directory.
    """
    import os
    import shutil

    from typer.testing import CliRunner

    from netaudit.cli import app

    work = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", work / "examples")
    shutil.copytree(ROOT / "policies", work / "policies")
    cand = work / "candidate"
    shutil.copytree(ROOT / "examples" / "sakuradai" / "snapshot", cand)
    sep = cand / "sep-rtr1.cfg"
    sep.write_text(
        sep.read_text(encoding="utf-8").replace(
            " 30 permit tcp 10.10.10.0 0.0.0.255 host 10.20.20.30 eq 445\n", ""
        ),
        encoding="utf-8",
    )
    expected = {
        "audit": {1},  # the example has findings at or above high
        "diff": {0},  # the candidate only fixes: nothing new at or above high
        "trace": {0},
        "validate": {0},
    }
    cmds = _workflow_commands()
    assert {c.split()[1] for c in cmds} == set(expected)
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(work)
    try:
        for cmd in cmds:
            args = shlex.split(cmd)[1:]
            result = runner.invoke(app, args)
            assert result.exit_code in expected[args[0]], (cmd, result.stdout, result.stderr)
            assert "Traceback" not in result.stdout + result.stderr
    finally:
        os.chdir(old)
    assert (work / "evidence" / "netaudit.html").is_file()
    assert (work / "evidence" / "netaudit.json").is_file()
    for name in ("netaudit.sarif", "netaudit.xml", "netaudit.md"):
        assert (work / "reports" / name).is_file()
