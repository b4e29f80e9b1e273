"""The README's two commands are real: CI runs the test one verbatim; the example one works."""

from __future__ import annotations

import re
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
