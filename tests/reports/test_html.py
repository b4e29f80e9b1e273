"""The HTML report: golden files, escaping, self-containment, and a real headless browser.

The browser tests run Debian's ``chromium`` (``apt-get install chromium``; CI must install it,
with ``fonts-noto-cjk`` so Japanese renders) on the bundled example city: the page renders with
its sections, the screenshot is not blank, and printing gives a PDF. They skip, saying why,
when no chromium is on the PATH.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path

import markupsafe
import pytest

from netaudit.engine import audit, with_run
from netaudit.policy import load_policy
from netaudit.result import (
    AuditResult,
    CellState,
    DeviceCoverage,
    Evidence,
    Finding,
    MatrixCell,
    RunInfo,
    Severity,
    Status,
    Text,
    Verdict,
    ZoneMatrix,
)
from reports import FORMATS, RenderOptions, render
from reports.html import render as render_html
from reports.messages import EN, JA, Lang, labels
from tests.golden import assert_golden
from tests.reports.sample import empty_result, sample_result

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "examples" / "sakuradai"
TODAY = dt.date(2026, 11, 28)
RUN = RunInfo(tool_version="0.1.0", started="2026-11-28T10:00:00+09:00", duration_s=1.5)
SCRIPT = "<script>alert(1)</script>"
HOSTILE = f'description "x" {SCRIPT} <img src=x onerror=alert(2)> & [bold]y[/bold]'
SECTIONS = ("verdict", "summary", "matrix", "findings", "coverage", "problems", "digests")


def _sections(page: str) -> dict[str, str]:
    """Each top-level section's HTML by id (the sections are not nested in one another)."""
    found = {}
    for name in SECTIONS:
        match = re.search(rf'<(header|section) id="{name}"[^>]*>(.*?)</\1>', page, flags=re.S)
        assert match, f"section {name} missing"
        found[name] = match.group(2)
    return found


def _visible(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped and entities decoded (whitespace collapsed)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


# -- pure rendering ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_golden(lang: Lang) -> None:
    assert_golden(
        f"reports/html_{lang}.html", render_html(sample_result(), RenderOptions(lang=lang))
    )


def test_registered_and_pure() -> None:
    assert FORMATS["html"] == "reports.html"
    first = render("html", sample_result(), RenderOptions())
    assert first == render("html", sample_result(), RenderOptions())
    assert first.startswith('<!DOCTYPE html>\n<html lang="ja">') and first.endswith("</html>\n")


def test_self_contained_and_script_free() -> None:
    page = render_html(sample_result(), RenderOptions())
    lowered = page.lower()
    for forbidden in ("<script", "<link", "<iframe", "<img", " src=", "@import", "url(", "http:"):
        assert forbidden not in lowered, forbidden
    assert "https:" not in lowered
    assert "default-src 'none'" in page  # CSP: nothing loads or runs even if escaping slipped
    assert "@page { size: A4" in page and "@media print" in page
    assert '"Noto Sans JP"' in page and '"Hiragino Sans"' in page and '"Yu Gothic"' in page


def _hostile_result() -> AuditResult:
    ev = Evidence(file='snap/<b>"fw".cfg', line=12, text=HOSTILE, device="fw<1>", role="rule")
    finding = Finding(
        check="MYN-001",
        severity=Severity.CRITICAL,
        status=Status.FAIL,
        title=Text(ja=f"タイトル {SCRIPT}", en=f"title {SCRIPT}"),
        message=Text(ja="ルール <x> が許可", en="rule <x> allows"),
        device="fw<1>",
        zone_from="<mynumber>",
        zone_to="internet",
        example_flow={"proto": "tcp", "src": "10.0.0.1", "dst": "<x>", "sport": 1, "dport": 2},
        evidence=(ev,),
        fingerprint="f" * 16,
    )
    return dataclasses.replace(
        sample_result(),
        policy_file=f"policy{SCRIPT}.yaml",
        findings=(finding,),
        matrix=ZoneMatrix(
            zones=("<mynumber>", "internet"),
            cells=(
                MatrixCell(
                    zone_from="<mynumber>",
                    zone_to="internet",
                    state=CellState.VIOLATION,
                    paths=1,
                    violations=1,
                    devices=('fw"<1>',),
                ),
            ),
        ),
        coverage=(
            DeviceCoverage(
                device="fw<1>",
                file='snap/<b>"fw".cfg',
                platform="cisco_ios",
                lines=3,
                recognized=1,
                unrecognized=((2, HOSTILE),),
                warnings=((3, f"undefined {SCRIPT}"),),
                collection=f"timeout {SCRIPT}",
            ),
        ),
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_untrusted_text_is_escaped(lang: Lang) -> None:
    page = render_html(_hostile_result(), RenderOptions(lang=lang))
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<x>" not in page
    escaped = str(markupsafe.escape(HOSTILE))
    assert page.count(escaped) == 2  # the evidence line and the unrecognized line
    text = _visible(page)
    assert text.count(HOSTILE) == 2
    assert f"title {SCRIPT}" in text or f"タイトル {SCRIPT}" in text
    assert 'snap/<b>"fw".cfg:12' in text
    assert "<mynumber> → internet" in text
    assert f"policy{SCRIPT}.yaml" in text and f"timeout {SCRIPT}" in text
    assert 'title="&lt;mynumber&gt; → internet' in page  # attributes are escaped too
    assert "fw&#34;&lt;1&gt;" in page


def test_control_characters_are_shown_as_escapes() -> None:
    nasty = "description \x1b[2J ok\rback \u202egnp.exe\x00"
    result = _hostile_result()
    finding = dataclasses.replace(
        result.findings[0], evidence=(Evidence(file="a.cfg", line=1, text=nasty),)
    )
    page = render_html(dataclasses.replace(result, findings=(finding,)), RenderOptions())
    for raw in ("\x1b", "\r", "\u202e", "\x00"):
        assert raw not in page
    assert "description \\x1b[2J ok\\x0dback \\u202egnp.exe\\x00" in page


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_empty_result_renders(lang: Lang) -> None:
    page = render_html(empty_result(), RenderOptions(lang=lang))
    msg = labels(lang)
    sections = _sections(page)
    assert msg.no_zones in sections["matrix"]
    assert msg.no_findings in sections["findings"]
    assert msg.no_devices in sections["coverage"]
    assert msg.no_problems in sections["problems"]
    assert ("判定不能" if lang == "ja" else "INCOMPLETE") in _visible(sections["verdict"])
    assert '<header id="verdict" class="incomplete">' in page


def test_japanese_by_default_english_on_request() -> None:
    ja = render_html(sample_result(), RenderOptions())
    en = render_html(sample_result(), RenderOptions(lang="en"))
    assert '<html lang="ja">' in ja and '<html lang="en">' in en
    for label in (JA.verdict, JA.findings, JA.matrix, JA.example_packet, JA.evidence, "不合格"):
        assert label in ja and label not in en
    for label in (EN.findings, EN.example_packet, EN.evidence, "FAIL", EN.digests):
        assert label in en
    assert "マイナンバー利用事務系からインターネットへ通信できる" in ja
    assert "The My Number segment can reach the Internet" in en


@pytest.mark.parametrize(
    ("verdict", "word"),
    [(Verdict.PASS, "合格"), (Verdict.FAIL, "不合格"), (Verdict.INCOMPLETE, "判定不能")],
)
def test_verdict_in_header(verdict: Verdict, word: str) -> None:
    page = render_html(dataclasses.replace(empty_result(), verdict=verdict), RenderOptions())
    badge = re.search(r'class="verdict-badge (\w+)[^"]*">(.*?)</div>', page)
    assert badge is not None
    assert badge.group(1) == verdict.value
    assert _visible(badge.group(2)) == f"判定 {word}"


def test_summary_counts() -> None:
    summary = _visible(_sections(render_html(sample_result(), RenderOptions(lang="en")))["summary"])
    # failing by severity: critical 2, high 1, medium 0, low 1, info 1, total 5
    assert "2 critical 1 high 0 medium 1 low 1 info 5 Failing Total" in summary
    assert "fail waived unknown error pass not applicable Total 5 1 1 1 1 0 9" in summary


def _cells(page: str) -> list[list[tuple[str, str]]]:
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", _sections(page)["matrix"], flags=re.S)
    return [
        [(css, _visible(body)) for css, body in re.findall(r'<td class="(\w+)"[^>]*>(.*?)</td>', r)]
        for r in rows
    ]


def test_matrix_cells_states_and_counts() -> None:
    cells = _cells(render_html(sample_result(), RenderOptions()))
    assert cells[0] == [
        ("same", "—"),
        ("none", "✓"),
        ("violation", "✗ 1"),
        ("violation", "✗ 1"),
        ("violation", "✗ 1"),
    ]
    assert cells[1][3] == ("allowed", "許可 3")
    assert cells[2][1] == ("unknown", "?")
    legend = _visible(_sections(render_html(sample_result(), RenderOptions()))["matrix"])
    for text in (JA.legend_same, JA.legend_none, JA.legend_allowed, JA.legend_violation):
        assert text in legend
    assert JA.legend_unknown in legend


def test_missing_cells_are_unknown_and_zones_only_in_cells_get_a_row() -> None:
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
    page = render_html(dataclasses.replace(empty_result(), matrix=matrix), RenderOptions(lang="en"))
    assert _cells(page) == [
        [("same", "—"), ("violation", "✗ 3"), ("unknown", "?")],
        [("unknown", "?"), ("unknown", "?"), ("none", "✓")],
        [("unknown", "?"), ("unknown", "?"), ("unknown", "?")],
    ]


def test_findings_grouped_by_check_worst_first_with_evidence() -> None:
    page = render_html(sample_result(), RenderOptions())
    findings = _sections(page)["findings"]
    checks = re.findall(r'<div class="check-group" id="check-([\w-]+)">', findings)
    assert checks == [
        "MYN-001",
        "LBO-003",
        "SPC-002",
        "L2-001",
        "SEP-004",
        "HYG-010",
        "HYG-011",
        "SEP-001",
    ]
    myn = findings.split('id="check-MYN-001"')[1].split('class="check-group"')[0]
    assert myn.count('<article class="finding fail">') == 2
    text = _visible(myn)
    assert 'snap/core-fw01.cfg:916 rule set dstaddr "all"' in text
    assert "tcp 10.10.1.25:49152 → 10.30.0.80:443" in text
    assert "policies/kamome-city.yaml:14 (separation.mynumber)" in text
    assert "三層の対策（マイナンバー利用事務系の分離）" in text
    # evidence keeps the checker's order (the packet's path): core-fw01 lines before inet-fw01
    second = myn.split("<article")[2]
    assert second.index("core-fw01.cfg:918") < second.index("inet-fw01.txt:211")


def test_waived_unknown_and_error_are_distinct_and_passes_collapsed() -> None:
    findings = _sections(render_html(sample_result(), RenderOptions()))["findings"]
    for status, name in (
        ("waived", "例外承認済み"),
        ("unknown", "判定不能"),
        ("error", "実行エラー"),
    ):
        article = re.search(rf'<article class="finding {status}">(.*?)</article>', findings, re.S)
        assert article is not None, status
        assert f'<span class="badge st {status}">{name}</span>' in article.group(1)
    quiet = re.search(
        r'<details class="quiet">\s*<summary>(.*?)</summary>(.*?)</details>', findings, re.S
    )
    assert quiet is not None
    assert quiet.group(1) == JA.quiet_findings_fmt.format(n=1)
    assert '<article class="finding pass">' in quiet.group(2)
    verbose = render_html(sample_result(), RenderOptions(verbose=True))
    assert '<details class="quiet" open>' in verbose


def test_coverage_with_collapsible_unrecognized_lines() -> None:
    coverage = _sections(render_html(sample_result(), RenderOptions(lang="en")))["coverage"]
    devices = re.findall(r'<td class="device"><strong>(.*?)</strong></td>', coverage)
    assert devices == ["core-fw01", "inet-fw01", "lgwan-rt01"]
    core = coverage.split("<strong>core-fw01</strong>")[1].split("<strong>inet-fw01</strong>")[0]
    text = _visible(core)
    assert "fortinet 1842" in text and "99.8%" in text and "ok" in text
    details = re.search(r'<details class="lines unrecognized">(.*?)</details>', core, re.S)
    assert details is not None
    assert _visible(details.group(1)) == (
        "Unrecognized lines (2) 1203 config system sdwan 1210 set load-balance-mode source-ip-based"
    )
    assert "Parser warnings (1)" in text
    bad = dataclasses.replace(sample_result().coverage[0], collection="timeout")
    page = render_html(dataclasses.replace(sample_result(), coverage=(bad,)), RenderOptions())
    assert '<td class="collection-bad">timeout</td>' in page


def test_digests_are_shown() -> None:
    result = sample_result()
    digests = _visible(_sections(render_html(result, RenderOptions(lang="en")))["digests"])
    assert f"Policy digest {result.policy_digest}" in digests
    assert f"Manifest digest {result.manifest_digest}" in digests


# -- a real browser --------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian: apt-get install chromium fonts-noto-cjk)",
)


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, timeout=180, check=True)


@dataclasses.dataclass(frozen=True)
class Png:
    """A decoded 8-bit RGB(A) PNG: width, height and rows of pixels as RGB tuples."""

    width: int
    height: int
    rows: list[bytes]
    channels: int

    def pixels(self, step: int = 1) -> Iterator[tuple[int, int, int]]:
        """Every ``step``-th pixel of every ``step``-th row, as RGB."""
        c = self.channels
        for row in self.rows[::step]:
            for x in range(0, self.width * c, c * step):
                yield row[x], row[x + 1], row[x + 2]


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data: bytes) -> Png:
    """A minimal PNG decoder (8-bit RGB/RGBA, not interlaced), enough to inspect screenshots."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, bytearray(), b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(bytes(idat))
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                upleft = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + _paeth(left, prev[i], upleft)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return Png(width=width, height=height, rows=rows, channels=bpp)


def test_png_decoder_on_a_known_image() -> None:
    # 2x2 RGB, rows filtered with Sub and Up: red, green / blue, white
    raw = bytes([1, 255, 0, 0, 1, 255, 0, 2, 1, 0, 255, 255, 0, 255])
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
    png += chunk(b"IEND", b"")
    image = decode_png(png)
    assert (image.width, image.height) == (2, 2)
    assert list(image.pixels()) == [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]


@pytest.fixture(scope="module")
def city_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example city's audit as an HTML file (Japanese)."""
    result, _ = audit(CITY / "snapshot", load_policy(CITY / "policy.yaml"), today=TODAY)
    page = tmp_path_factory.mktemp("html") / "sakuradai.html"
    page.write_text(render_html(with_run(result, RUN), RenderOptions()), encoding="utf-8")
    return page


@needs_chromium
def test_browser_renders_the_example_city(city_page: Path, tmp_path: Path) -> None:
    dom = _chromium(tmp_path / "profile", "--dump-dom", city_page.as_uri()).stdout.decode()
    for name in ("verdict", "matrix", "findings", "coverage"):
        assert re.search(rf'<(section|header) id="{name}"', dom), name
    assert "不合格" in dom and "ゾーン間通信マトリクス" in dom
    assert dom.count('class="violation"') >= 1 and dom.count('<article class="finding') >= 13


@needs_chromium
def test_browser_screenshot_is_not_blank(city_page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "city.png"
    _chromium(
        tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000", city_page.as_uri()
    )
    image = decode_png(shot.read_bytes())
    assert (image.width, image.height) == (1280, 2000)
    sampled = list(image.pixels(step=4))
    colours = set(sampled)
    ink = sum(1 for p in sampled if max(p) < 200)  # text and dark marks
    red = sum(1 for r, g, b in sampled if r > 180 and g < 110 and b < 110)  # violation cells
    assert len(colours) > 200, len(colours)
    assert ink / len(sampled) > 0.01
    assert red > 50


@needs_chromium
def test_browser_prints_a_pdf(city_page: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "city.pdf"
    _chromium(
        tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", city_page.as_uri()
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 2
    # A4 is 595 x 842 points
    assert re.search(rb"/MediaBox\s*\[\s*0 0 59[45]\.?\d* 84[12]", data)


@needs_chromium
def test_browser_shows_script_in_config_as_text(tmp_path: Path) -> None:
    page = tmp_path / "hostile.html"
    page.write_text(render_html(_hostile_result(), RenderOptions(lang="en")), encoding="utf-8")
    dom = _chromium(tmp_path / "profile", "--dump-dom", page.as_uri()).stdout.decode()
    assert "<script" not in dom.lower() and "<img" not in dom.lower()
    evidence = re.search(r'<ol class="evidence">(.*?)</ol>', dom, re.S)
    assert evidence is not None
    assert HOSTILE in _visible(evidence.group(1))
