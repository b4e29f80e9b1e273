"""``netaudit validate`` as policy-repo CI runs it: exit codes and every problem as file:line.

Most tests run the typer app in-process (CliRunner); one runs the installed console script.
Expected problems come from the fixtures' ``# expect:`` markers and from the library itself,
so the CLI is checked against both the file and netaudit.policy.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netaudit.cli import app
from netaudit.policy import Problem, lint_policy, load_policy
from tests.test_policy import EXAMPLE, FIXTURES, TEMPLATE_DIR, TEMPLATES, markers, problems

TODAY = "2026-04-01"
runner = CliRunner()
BAD = sorted(FIXTURES.glob("bad_*.yaml"))
# Every bad fixture's problems are reported at their marked lines.
MARKED = BAD


def validate(*args: str | Path) -> tuple[int, str, str]:
    """Run ``netaudit validate ARGS``; return exit code, stdout, stderr."""
    result = runner.invoke(app, ["validate", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def flat(text: str) -> str:
    """Text without whitespace: the console may wrap long lines anywhere, even inside a path."""
    return "".join(text.split())


def printed(out: str, path: Path) -> list[tuple[int, str]]:
    """``(line, message)`` of every problem printed for ``path`` (whitespace removed).

    Each problem starts with ``file:line:``; cutting the output at every occurrence of the
    file name recovers them whatever the console's wrapping did.
    """
    found = []
    for chunk in flat(out).split(flat(str(path)))[1:]:
        head, _, message = chunk.partition(":")[2].partition(":")
        found.append((int(head) if head.isdigit() else 0, message))
    return found


def expected_problems(path: Path, today: dt.date = dt.date(2026, 4, 1)) -> list[Problem]:
    """What the library reports for one file (loader problems, else lint problems)."""
    return problems(path, today=today)


@pytest.mark.parametrize("path", [EXAMPLE, *TEMPLATES], ids=lambda p: p.name)
def test_example_and_templates_are_ok(path: Path) -> None:
    code, out, err = validate(path, "--today", TODAY)
    assert code == 0, out + err
    assert out == ""
    assert "ok: 1 policy file(s)" in err


def test_templates_directory_and_example_together() -> None:
    code, out, err = validate(TEMPLATE_DIR, EXAMPLE, "--today", TODAY)
    assert (code, out) == (0, "")
    assert f"ok: {len(TEMPLATES) + 1} policy file(s)" in err


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_policy_prints_every_problem(path: Path) -> None:
    code, out, err = validate(path, "--today", TODAY)
    found = expected_problems(path)
    assert code == 2
    assert found
    for problem in found:
        assert flat(str(problem)) in flat(out)
    assert f"{len(found)} problem(s) in 1 file(s)" in err


@pytest.mark.parametrize("path", MARKED, ids=lambda p: p.name)
def test_bad_policy_problems_carry_file_and_line(path: Path) -> None:
    code, out, _ = validate(path, "--today", TODAY)
    assert code == 2
    shown = printed(out, path)
    assert len(shown) == len(markers(path)), out
    for line, text in markers(path):
        assert any(n == line and flat(text) in m for n, m in shown), (line, text, out)


def test_each_problem_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES.parents[2])
    path = Path("tests/fixtures/policies/bad_references.yaml")
    code, out, _ = validate(path)
    assert code == 2
    assert out.splitlines() == [str(p) for p in expected_problems(path)]


def test_directory_of_policies(tmp_path: Path) -> None:
    for name in ("good_minimal.yaml", "bad_references.yaml", "expired.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    shutil.copy(FIXTURES / "good_custom_zones.yaml", tmp_path / "custom.yml")
    (tmp_path / "notes.txt").write_text("not a policy", encoding="utf-8")
    code, out, err = validate(tmp_path, "--today", TODAY)
    assert code == 2
    bad = expected_problems(tmp_path / "bad_references.yaml")
    expired = expected_problems(tmp_path / "expired.yaml")
    assert len(expired) == 2
    for problem in [*bad, *expired]:
        assert flat(str(problem)) in flat(out)
    for name in ("good_minimal.yaml", "custom.yml", "notes.txt"):
        assert name not in flat(out)
    assert f"{len(bad) + len(expired)} problem(s) in 4 file(s)" in err


def test_fixture_directory_reports_only_the_bad_files() -> None:
    code, out, _ = validate(FIXTURES, "--today", TODAY)
    assert code == 2
    for path in sorted(FIXTURES.glob("*.yaml")):
        reported = flat(str(path)) in flat(out)
        assert reported == (path.name.startswith("bad_") or path.name == "expired.yaml"), path


def test_expired_entry_depends_on_today() -> None:
    path = FIXTURES / "expired.yaml"
    code, out, _ = validate(path, "--today", TODAY)
    assert code == 2
    for line, text in markers(path):
        assert flat(f"{path}:{line}: {text}") in flat(out)
    assert validate(path, "--today", "2025-09-30")[0] == 0
    # without --today the real date is used, and these dates are in the past
    assert dt.date.today() > dt.date(2026, 3, 31)
    assert validate(path)[0] == 2
    assert lint_policy(load_policy(path), today=dt.date.today())


@pytest.mark.parametrize("today", ["2026-13-01", "yesterday", "2026/04/01"])
def test_bad_today_is_a_usage_error(today: str) -> None:
    code, out, err = validate(FIXTURES / "good_minimal.yaml", "--today", today)
    assert (code, out) == (2, "")
    assert "--today" in err and "ok:" not in err


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    code, _, err = validate(tmp_path)
    assert code == 2
    assert "no policy files given" in err


def test_unreadable_files_are_problems(tmp_path: Path) -> None:
    sjis = tmp_path / "sjis.yaml"
    sjis.write_bytes("model: alpha\nzones:\n  lgwan: {label: LGWAN接続系}\n".encode("shift_jis"))
    missing = tmp_path / "missing.yaml"
    code, out, err = validate(sjis, missing, FIXTURES / "good_minimal.yaml")
    assert code == 2
    assert "UTF-8" in out and flat(str(sjis)) in flat(out)
    assert flat("cannot read policy") in flat(out) and flat(str(missing)) in flat(out)
    assert "2 problem(s) in 3 file(s)" in err


def test_unreadable_file_names_the_path_once(tmp_path: Path) -> None:
    sjis = tmp_path / "sjis.yaml"
    sjis.write_bytes("model: alpha\nzones: {lgwan: {label: 情報系}}\n".encode("shift_jis"))
    _, out, _ = validate(sjis)
    assert flat(out).count(str(sjis)) == 1


def _console_script() -> list[str]:
    exe = shutil.which("netaudit") or str(Path(sys.executable).parent / "netaudit")
    if not Path(exe).exists():
        pytest.skip("console script `netaudit` is not installed")
    return [exe]


def test_console_script(tmp_path: Path) -> None:
    """The installed `netaudit` command, as CI runs it (exit codes are the contract)."""
    cmd = _console_script()
    ok = subprocess.run(
        [*cmd, "validate", str(TEMPLATE_DIR), str(EXAMPLE), "--today", TODAY],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "ok: 5 policy file(s)" in ok.stderr
    path = FIXTURES / "bad_references.yaml"
    bad = subprocess.run(
        [*cmd, "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert bad.returncode == 2
    shown = printed(bad.stdout, path)
    for line, text in markers(path):
        assert any(n == line and flat(text) in m for n, m in shown), (line, text, bad.stdout)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_drives_an_audit(path: Path) -> None:
    """Each template works end to end (custom zones, breakouts) on the bundled snapshot."""
    result = runner.invoke(
        app,
        [
            "audit",
            str(EXAMPLE.parent / "snapshot"),
            "--policy",
            str(path),
            "--format",
            "json",
            "--fail-on",
            "never",
            "--today",
            TODAY,
        ],
    )
    assert result.exit_code in (0, 3), result.stderr
    data = json.loads(result.stdout)
    assert data["policy"]["file"] == str(path)
    assert data["policy"]["model"] == load_policy(path).data.model
    assert data["verdict"] in ("pass", "fail", "incomplete")
