"""The format registry, render options and the ja/en message tables."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import string
from collections.abc import Mapping
from enum import Enum
from pathlib import Path

import pytest

from netaudit.errors import NetauditError
from netaudit.result import CellState, Severity, Status, Text, Verdict
from reports import FORMATS, RenderOptions, ReportError, render, renderer
from reports.messages import (
    CELL_STATE_NAMES,
    EN,
    JA,
    LANGS,
    SEVERITY_NAMES,
    STATUS_NAMES,
    VERDICT_NAMES,
    Labels,
    labels,
)
from tests.reports.sample import empty_result, sample_result

REPORTS = Path(importlib.import_module("reports").__file__ or "").parent
NOT_RENDERERS = {"__init__", "messages"}


def _renderer_modules() -> set[str]:
    """Modules of the reports package that define a top-level ``render`` function."""
    found = set()
    for path in REPORTS.glob("*.py"):
        if path.stem in NOT_RENDERERS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.FunctionDef) and n.name == "render" for n in tree.body):
            found.add(f"reports.{path.stem}")
    return found


def test_every_renderer_module_is_registered() -> None:
    assert _renderer_modules() <= set(FORMATS.values())
    assert {"console", "json"} <= set(FORMATS)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_the_sample_and_an_empty_result(fmt: str) -> None:
    module = importlib.import_module(FORMATS[fmt])
    assert renderer(fmt) is module.render
    for result in (sample_result(), empty_result()):
        for lang in LANGS:
            text = render(fmt, result, RenderOptions(lang=lang))
            assert isinstance(text, str) and text.endswith("\n")
            assert text == render(fmt, result, RenderOptions(lang=lang))  # pure


def test_unknown_format_is_a_report_error() -> None:
    with pytest.raises(ReportError, match="unknown report format 'pdf'; use one of: console"):
        render("pdf", sample_result(), RenderOptions())
    assert issubclass(ReportError, NetauditError)


def test_render_options_are_frozen_and_validated() -> None:
    options = RenderOptions()
    assert (options.lang, options.color, options.verbose) == ("ja", False, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.lang = "en"  # type: ignore[misc]
    with pytest.raises(ReportError):
        RenderOptions(lang="fr")  # type: ignore[arg-type]
    with pytest.raises(ReportError):
        RenderOptions(width=10)


@pytest.mark.parametrize(
    ("table", "enum"),
    [
        (VERDICT_NAMES, Verdict),
        (SEVERITY_NAMES, Severity),
        (STATUS_NAMES, Status),
        (CELL_STATE_NAMES, CellState),
    ],
)
def test_every_enum_member_has_both_names(table: Mapping[Enum, Text], enum: type[Enum]) -> None:
    assert set(table) == set(enum)
    for text in table.values():
        assert text.ja and text.en and text.ja != text.en


def _fields(lang_labels: Labels) -> dict[str, str]:
    return {f.name: getattr(lang_labels, f.name) for f in dataclasses.fields(Labels)}


def test_labels_complete_and_templates_agree() -> None:
    assert labels("ja") is JA and labels("en") is EN
    ja, en = _fields(JA), _fields(EN)
    symbols = {"cell_same", "cell_none", "cell_violation", "cell_unknown"}
    for name in ja:
        assert ja[name].strip() and en[name].strip(), name
        if name not in symbols and name != "report_title":
            assert ja[name] != en[name], f"{name} is not translated"
        placeholders_ja = {p for _, p, _, _ in string.Formatter().parse(ja[name]) if p}
        placeholders_en = {p for _, p, _, _ in string.Formatter().parse(en[name]) if p}
        assert placeholders_ja == placeholders_en, name
        assert bool(placeholders_ja) == name.endswith("_fmt"), name


def test_japanese_labels_are_japanese() -> None:
    assert (JA.verdict, JA.findings, JA.matrix, JA.evidence) == (
        "判定",
        "検出事項",
        "ゾーン間通信マトリクス",
        "根拠",
    )
    assert (JA.example_packet, JA.col_share) == ("例示パケット", "解析率")
    assert [VERDICT_NAMES[v].ja for v in Verdict] == ["合格", "不合格", "判定不能"]
