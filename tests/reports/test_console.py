"""The terminal report: golden files, escaping of untrusted text, empty results, width."""

from __future__ import annotations

import dataclasses
import random
import re

import pytest
from rich.cells import cell_len

from netaudit.result import (
    AuditResult,
    CellState,
    DeviceCoverage,
    Evidence,
    Finding,
    InputProblem,
    MatrixCell,
    Severity,
    Status,
    Text,
    Verdict,
    ZoneMatrix,
)
from reports import RenderOptions
from reports.console import packet_text, render, safe, share_text
from reports.messages import EN, JA, Lang, labels
from tests.golden import assert_golden
from tests.reports.sample import empty_result, sample_result

ANSI = re.compile(r"\x1b\[[0-9;]*m")
HOSTILE = (
    "permit ip any any [bold]x[/bold] [/] [link=http://evil.example]y <script>alert(1)</script>"
)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("console_ja.txt", RenderOptions(lang="ja", width=120)),
        ("console_en.txt", RenderOptions(lang="en", width=120)),
        ("console_ja_verbose.txt", RenderOptions(lang="ja", width=120, verbose=True)),
    ],
)
def test_golden(name: str, options: RenderOptions) -> None:
    assert_golden(f"reports/{name}", render(sample_result(), options))


def _hostile_result() -> AuditResult:
    ev = Evidence(file="snap/[red]fw.cfg", line=12, text=HOSTILE, device="fw[1]")
    finding = Finding(
        check="MYN-001",
        severity=Severity.CRITICAL,
        status=Status.FAIL,
        title=Text(ja="[bold]タイトル[/bold]", en="[bold]title[/bold]"),
        message=Text(ja="ルール [x] が許可", en="rule [x] allows"),
        device="fw[1]",
        zone_from="[mynumber]",
        zone_to="internet",
        evidence=(ev,),
        fingerprint="f" * 16,
    )
    return dataclasses.replace(
        sample_result(),
        findings=(finding,),
        coverage=(
            DeviceCoverage(
                device="fw[1]",
                file="snap/[red]fw.cfg",
                platform="cisco_ios",
                lines=3,
                recognized=1,
                unrecognized=((2, HOSTILE),),
                warnings=((3, "[/] undefined object-group [x]"),),
            ),
        ),
        problems=(InputProblem(file="snap/[b].cfg", line=1, message="[/bold] unreadable"),),
    )


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_config_text_is_shown_literally(color: bool, lang: Lang) -> None:
    options = RenderOptions(lang=lang, color=color, width=200, verbose=True)
    out = ANSI.sub("", render(_hostile_result(), options))
    assert out.count(HOSTILE) == 2  # evidence and the unrecognized line
    assert "[bold]x[/bold]" in out and "<script>alert(1)</script>" in out
    assert "[link=http://evil.example]y" in out
    assert "snap/[red]fw.cfg:12" in out
    assert "[/] undefined object-group [x]" in out
    assert "[/bold] unreadable" in out
    assert ("[bold]タイトル[/bold]" if lang == "ja" else "[bold]title[/bold]") in out
    assert "[mynumber] → internet" in out


def test_control_characters_cannot_reach_the_terminal() -> None:
    nasty = "description \x1b[2J\x1b]0;pwned\x07 ok\rback \u202egnp.exe"
    result = _hostile_result()
    finding = dataclasses.replace(
        result.findings[0],
        evidence=(Evidence(file="a.cfg", line=1, text=nasty),),
    )
    out = render(dataclasses.replace(result, findings=(finding,)), RenderOptions(width=200))
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out and "\u202e" not in out
    assert "description \\x1b[2J\\x1b]0;pwned\\x07 ok\\x0dback \\u202egnp.exe" in out
    assert safe("a\nb") == "a\\x0ab"
    assert safe("a\nb\tc", keep_newlines=True) == "a\nb\tc"


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("verbose", [False, True])
def test_empty_result_renders(lang: Lang, verbose: bool) -> None:
    out = render(empty_result(), RenderOptions(lang=lang, verbose=verbose))
    msg = labels(lang)
    for text in (msg.no_findings, msg.no_devices, msg.no_zones, msg.no_problems):
        assert text in out
    assert ("判定不能" if lang == "ja" else "INCOMPLETE") in out


def test_japanese_by_default_english_on_request() -> None:
    ja = render(sample_result(), RenderOptions())
    en = render(sample_result(), RenderOptions(lang="en"))
    for label in (JA.verdict, JA.findings, JA.matrix, JA.example_packet, JA.evidence, "不合格"):
        assert label in ja and label not in en
    for label in (EN.findings, EN.example_packet, EN.evidence, "FAIL"):
        assert label in en


@pytest.mark.parametrize(
    ("verdict", "word"),
    [(Verdict.PASS, "合格"), (Verdict.FAIL, "不合格"), (Verdict.INCOMPLETE, "判定不能")],
)
def test_verdict_in_header(verdict: Verdict, word: str) -> None:
    out = render(dataclasses.replace(empty_result(), verdict=verdict), RenderOptions())
    header = out.split("╰")[0]
    assert re.search(rf"判定\s+{word}\s", header)


def test_color_only_when_asked() -> None:
    plain = render(sample_result(), RenderOptions(color=False))
    colored = render(sample_result(), RenderOptions(color=True))
    assert "\x1b[" not in plain
    assert "\x1b[1;31m" in colored  # bold red: the fail verdict and critical findings
    assert (
        ANSI.sub("", colored).replace(" \n", "\n").splitlines()[0].strip()
        == plain.splitlines()[0].strip()
    )


@pytest.mark.parametrize("width", [40, 60, 80, 120, 160])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_line_exceeds_the_width(width: int, lang: Lang) -> None:
    out = render(sample_result(), RenderOptions(lang=lang, width=width, verbose=True))
    assert max(cell_len(line) for line in out.splitlines()) <= width
    assert not any(line != line.rstrip() for line in out.splitlines())


def test_narrow_matrix_becomes_a_list_that_keeps_every_cell() -> None:
    out = render(sample_result(), RenderOptions(width=50))
    assert "┌" not in out.split("検出事項")[0].split("ゾーン間通信マトリクス")[1]
    assert re.search(r"mynumber → lgwan_wan\s+✗ 1", out)
    assert re.search(r"internet → lgwan\s+\?", out)
    assert re.search(r"lgwan_wan → lgwan\s+許可 2", out)


def test_matrix_cells_and_missing_ones() -> None:
    matrix = ZoneMatrix(
        zones=("a", "b"),
        cells=(
            MatrixCell(zone_from="a", zone_to="a", state=CellState.SAME),
            MatrixCell(
                zone_from="a", zone_to="b", state=CellState.VIOLATION, paths=4, violations=3
            ),
            MatrixCell(zone_from="b", zone_to="c", state=CellState.NONE),
        ),
    )
    out = render(dataclasses.replace(empty_result(), matrix=matrix), RenderOptions(lang="en"))
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") == 5}
    assert [c.strip() for c in rows["a"].split("│")[2:5]] == ["—", "✗ 3", "?"]  # a→c not computed
    assert [c.strip() for c in rows["b"].split("│")[2:5]] == ["?", "?", "✓"]
    assert [c.strip() for c in rows["c"].split("│")[2:5]] == ["?", "?", "?"]  # zone only in cells


def test_passing_results_only_with_verbose() -> None:
    quiet = render(sample_result(), RenderOptions())
    verbose = render(sample_result(), RenderOptions(verbose=True))
    assert "SEP-001" not in quiet and "SEP-001" in verbose
    assert JA.hidden_findings_fmt.format(n=1) in quiet
    assert "1203  config system sdwan" in verbose and "1203" not in quiet


def test_findings_grouped_by_severity_then_check() -> None:
    out = render(sample_result(), RenderOptions(verbose=True))
    section = out.split("検出事項 ")[1].split("設定の解析率")[0]
    heads = re.findall(r"^■ (\S+)", section, flags=re.M)
    assert heads == [
        "MYN-001",
        "MYN-001",
        "LBO-003",
        "SPC-002",
        "L2-001",
        "SEP-004",
        "HYG-010",
        "HYG-011",
        "SEP-001",
    ]
    groups = re.findall(r"^(緊急|高|中|低|情報) \((\d+)件\)$", section, flags=re.M)
    assert groups == [("緊急", "2"), ("高", "2"), ("中", "2"), ("低", "1"), ("情報", "2")]
    assert "[例外承認済み]" in section and "[判定不能]" in section and "[実行エラー]" in section


@pytest.mark.parametrize("seed", range(5))
def test_deterministic_whatever_the_input_order(seed: int) -> None:
    result = sample_result()
    rng = random.Random(seed)
    findings, coverage, cells = (
        list(result.findings),
        list(result.coverage),
        list(result.matrix.cells),
    )
    for items in (findings, coverage, cells):
        rng.shuffle(items)
    shuffled = dataclasses.replace(
        result,
        findings=tuple(findings),
        coverage=tuple(coverage),
        matrix=dataclasses.replace(result.matrix, cells=tuple(cells)),
        problems=tuple(reversed(result.problems)),
    )
    for options in (RenderOptions(), RenderOptions(lang="en", verbose=True)):
        assert render(shuffled, options) == render(result, options)


def test_packet_text() -> None:
    tcp = {"proto": "tcp", "src": "10.0.0.1", "dst": "192.0.2.1", "sport": 40000, "dport": 443}
    assert packet_text(tcp, JA) == "tcp 10.0.0.1:40000 → 192.0.2.1:443"
    v6 = {"proto": "udp", "src": "2001:db8::1", "dst": "2001:db8::2", "sport": None, "dport": 53}
    assert packet_text(v6, EN) == "udp 2001:db8::1 → [2001:db8::2]:53"
    icmp = {
        "proto": "icmp",
        "src": "10.0.0.1",
        "dst": "10.0.0.2",
        "sport": None,
        "dport": None,
        "icmp_type": 8,
        "icmp_code": 0,
    }
    assert packet_text(icmp, EN) == "icmp 10.0.0.1 → 10.0.0.2 type 8 code 0"
    gre = {"proto": "47", "src": "10.0.0.1", "dst": "10.0.0.2", "sport": None, "dport": None}
    assert packet_text(gre, EN) == "47 10.0.0.1 → 10.0.0.2"
    assert packet_text(dict(tcp, established=True), EN).endswith("(established session (ACK))")


def test_share_is_rounded_down() -> None:
    assert share_text(1.0) == "100.0%"
    assert share_text(0.99996) == "99.9%"
    assert share_text(0.0) == "0.0%"
    assert share_text(0.5) == "50.0%"
