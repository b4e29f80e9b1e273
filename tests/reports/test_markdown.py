"""The Markdown report: goldens, sections, and that config text cannot become markup."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import random
import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from netaudit.engine import audit, with_run
from netaudit.policy import load_policy
from netaudit.result import (
    AuditResult,
    CellState,
    Evidence,
    Finding,
    MatrixCell,
    RunInfo,
    Severity,
    Status,
    Text,
    ZoneMatrix,
)
from reports import RenderOptions
from reports.markdown import md_code, md_text, render
from reports.messages import EN, JA, Lang
from tests.golden import assert_golden
from tests.reports.sample import empty_result, sample_result

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "permit tcp any any eq 80 <script>alert(1)</script> ]]> a|b ``x`` *y* [z](http://e)"


@functools.cache
def city_result() -> AuditResult:
    """The bundled example city, audited from the repository root with fixed run facts."""
    with contextlib.chdir(ROOT):
        result, _ = audit(
            Path("examples/sakuradai/snapshot"),
            load_policy(Path("examples/sakuradai/policy.yaml")),
            today=dt.date(2026, 11, 28),
        )
    return with_run(result, RunInfo(tool_version="0.1.0", started="2026-11-28T09:00:00+09:00"))


def _html(markdown: str) -> str:
    """GitHub-like rendering: CommonMark with GFM tables, raw HTML allowed (worst case)."""
    return str(MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))


@pytest.mark.parametrize(
    ("name", "make", "options"),
    [
        ("markdown_ja.md", sample_result, RenderOptions(lang="ja")),
        ("markdown_en.md", sample_result, RenderOptions(lang="en")),
        ("markdown_ja_verbose.md", sample_result, RenderOptions(lang="ja", verbose=True)),
        ("sakuradai_ja.md", city_result, RenderOptions(lang="ja")),
    ],
)
def test_golden(name: str, make: Any, options: RenderOptions) -> None:
    assert_golden(f"reports/{name}", render(make(), options))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sections_in_order(lang: Lang) -> None:
    msg = JA if lang == "ja" else EN
    out = render(sample_result(), RenderOptions(lang=lang))
    first = out.splitlines()[0]
    assert first == f"### {msg.report_title}: **{'不合格' if lang == 'ja' else 'FAIL'}**"
    positions = [
        out.index(t) for t in (msg.by_severity, msg.by_status, msg.matrix, f"#### {msg.findings}")
    ]
    assert positions == sorted(positions)
    assert "| 2 | 1 | 0 | 1 | 1 | 5 |" in out  # critical..info, total failing
    # Findings worst first; the passing SEP-001 is hidden without verbose.
    checks = re.findall(r"^- \S+ \*\*([A-Z0-9\\-]+)\*\*", out, flags=re.M)
    assert [c.replace("\\", "") for c in checks] == [
        "MYN-001",
        "MYN-001",
        "LBO-003",
        "SPC-002",
        "L2-001",
        "SEP-004",
        "HYG-010",
        "HYG-011",
    ]
    verbose = render(sample_result(), RenderOptions(lang=lang, verbose=True))
    assert "SEP-001" in verbose and "SEP-001" not in out


def test_finding_shows_packet_and_evidence_as_code() -> None:
    out = render(sample_result(), RenderOptions(lang="en"))
    assert "Example packet: `udp 10.10.1.25:53000 → 203.0.113.53:53`" in out
    assert '  - `snap/core-fw01.cfg:944` `set service "ALL_TCP"`' in out
    assert "  - Policy entry: `policies/kamome-city.yaml:27` (eltax)" in out
    html = _html(out)
    assert "<code>snap/inet-fw01.txt:211</code>" in html
    assert "<table>" in html and html.count("<tr>") == 2 + 2 + 6  # two summaries + 5 zones


def test_matrix_table_cells() -> None:
    out = render(sample_result(), RenderOptions(lang="en"))
    row = next(line for line in out.splitlines() if line.startswith("| **mynumber**"))
    assert row == "| **mynumber** | — | ✓ | **✗ (1)** | **✗ (1)** | **✗ (1)** |"
    row = next(line for line in out.splitlines() if line.startswith("| **internet**"))
    assert "**?**" in row and "allowed (2)" in row


def _hostile_result() -> AuditResult:
    finding = Finding(
        check="MYN-001",
        severity=Severity.CRITICAL,
        status=Status.FAIL,
        title=Text(ja="<img src=x onerror=alert(1)> | `t`", en="<img src=x> | `t`"),
        message=Text(ja="- 行頭\n# 見出し\nルール ]]> が *許可*", en="- x\n# y\nrule ]]> *z*"),
        device="fw|1",
        zone_from="my|zone",
        zone_to="internet",
        evidence=(Evidence(file="snap/fw`1.cfg", line=12, text=HOSTILE),),
        fingerprint="f" * 16,
    )
    matrix = ZoneMatrix(
        zones=("my|zone", "<b>z</b>"),
        cells=(
            MatrixCell(zone_from="my|zone", zone_to="<b>z</b>", state=CellState.VIOLATION, paths=1),
        ),
    )
    return dataclasses.replace(sample_result(), findings=(finding,), matrix=matrix)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_config_text_cannot_become_markup(lang: Lang) -> None:
    out = render(_hostile_result(), RenderOptions(lang=lang))
    html = _html(out)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "<em>" not in html and "<a " not in html and "<h1>" not in html
    # The config line arrives whole, as one code span.
    assert f"<code>{_html_escape(HOSTILE)}</code>" in html
    assert "<code>snap/fw`1.cfg:12</code>" in html
    # Pipes in zone names do not add table columns.
    for table in re.findall(r"<table>.*?</table>", html, flags=re.S):
        widths = {len(re.findall(r"<t[hd]", r)) for r in re.findall(r"<tr>.*?</tr>", table, re.S)}
        assert len(widths) == 1, table
    assert "my|zone" in html
    # The multi-line message stays inside its list item.
    assert html.count("<li>") == 2  # the finding and its one evidence line


def _html_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def test_escaping_helpers() -> None:
    assert md_text("a|b `c` <d> *e* _f_ [g] ~h~ & \\") == (
        "a\\|b \\`c\\` \\<d\\> \\*e\\* \\_f\\_ \\[g\\] \\~h\\~ \\& \\\\"
    )
    assert md_text("- item") == "\\- item" and md_text("# h") == "\\# h"
    assert md_text("1. one") == "1\\. one" and md_text("v1.2") == "v1.2"
    assert md_text("a\nb\x1b") == "a b\\\\x1b"  # shown as a b\x1b
    assert md_code("a `b` c") == "``a `b` c``"
    assert md_code("``x``") == "``` ``x`` ```"
    assert md_code("plain") == "`plain`"


def test_empty_result() -> None:
    out = render(empty_result(), RenderOptions(lang="en"))
    assert "No zones are defined" in out and "No findings" in out
    assert out.endswith("\n") and not out.endswith("\n\n")


@pytest.mark.parametrize("seed", range(3))
def test_deterministic_whatever_the_input_order(seed: int) -> None:
    result = sample_result()
    findings = list(result.findings)
    random.Random(seed).shuffle(findings)
    shuffled = dataclasses.replace(result, findings=tuple(findings))
    assert render(shuffled, RenderOptions()) == render(result, RenderOptions())
