"""Auditing configs that were never scrubbed: no secret reaches any report.

``tests/fixtures/secrets`` plants values containing ``ZQX`` in every platform's secret
positions. Copied by hand into a folder (no ``netaudit collect``, so nothing scrubbed them), they
are audited in every report format; reports quote evidence lines, the lines around them and the
lines not understood, and none of those may carry a secret.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netaudit.cli import app

SECRETS = Path(__file__).parents[1] / "fixtures" / "secrets"
POLICY = Path(__file__).parents[2] / "examples" / "sakuradai" / "policy.yaml"
FORMATS = {
    "json": "json",
    "html": "html",
    "console": "txt",
    "sarif": "sarif",
    "markdown": "md",
    "junit": "xml",
}


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("raw")
    for f in SECRETS.iterdir():
        if f.name != "README.md":
            shutil.copy(f, folder / f.name)
    assert any("ZQX" in p.read_text(encoding="utf-8") for p in folder.iterdir())
    return folder


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_planted_secret_in_any_report(raw: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{FORMATS[fmt]}"
    args = ["audit", str(raw), "--policy", str(POLICY), "--format", fmt, "-o", str(out)]
    result = CliRunner().invoke(
        app, [*args, "--verbose"] if fmt in ("console", "markdown") else args
    )
    assert result.exit_code in (0, 1, 3), result.output
    text = out.read_text(encoding="utf-8")
    assert text, "the report is empty"
    assert "ZQX" not in text
    assert "ZQX" not in result.output
