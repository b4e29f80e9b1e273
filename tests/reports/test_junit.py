"""The JUnit XML report: structure, status mapping, escaping, goldens; the CLI's --output-dir."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import random
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import pytest
from typer.testing import CliRunner

from netaudit.cli import app
from netaudit.engine import audit, with_run
from netaudit.policy import load_policy
from netaudit.result import AuditResult, Evidence, Finding, RunInfo, Severity, Status, Text
from reports import RenderOptions
from reports.junit import ALL_CASE, POLICY_CASE, render, xml_attr, xml_text
from reports.messages import Lang
from tests.golden import assert_golden
from tests.reports.sample import empty_result, sample_result

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = 'permit tcp any any eq 80 <script>alert(1)</script> ]]> a|b ``x`` & "q" \x1b[31m'


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


def _xml(result: AuditResult, lang: Lang = "ja") -> Element:
    root: Element = SafeET.fromstring(render(result, RenderOptions(lang=lang)).encode("utf-8"))
    return root


def _case(root: Element, check: str, name: str) -> Element:
    found = root.find(f"testsuite[@name='{check}']/testcase[@name='{name}']")
    assert found is not None, (check, name)
    return found


@pytest.mark.parametrize(
    ("name", "make", "lang"),
    [
        ("junit_ja.xml", sample_result, "ja"),
        ("junit_en.xml", sample_result, "en"),
        ("sakuradai_ja.xml", city_result, "ja"),
    ],
)
def test_golden(name: str, make: Any, lang: Lang) -> None:
    assert_golden(f"reports/{name}", render(make(), RenderOptions(lang=lang)))


def test_one_suite_per_check_one_case_per_device() -> None:
    result = dataclasses.replace(
        sample_result(), checks_run=(*sample_result().checks_run, "HYG-099")
    )
    root = _xml(result)
    suites = root.findall("testsuite")
    names = [s.get("name") for s in suites]
    assert names == sorted({f.check for f in result.findings} | {"HYG-099"})
    for suite in suites:
        cases = suite.findall("testcase")
        assert {c.get("classname") for c in cases} == {suite.get("name")}
        assert suite.get("tests") == str(len(cases))
        for kind, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            assert suite.get(attr) == str(sum(1 for c in cases if c.find(kind) is not None))
    # Two MYN-001 findings on core-fw01 are one testcase whose failure lists both.
    myn = root.findall("testsuite[@name='MYN-001']/testcase")
    assert [c.get("name") for c in myn] == ["core-fw01"]
    failure = myn[0].find("failure")
    assert failure is not None and failure.text is not None
    assert failure.get("type") == "critical" and failure.get("message", "").endswith("(+1)")
    assert "mynumber → internet_wan" in failure.text and "mynumber → internet\n" in failure.text
    # A check that ran without findings passes as one "(all)" testcase.
    quiet = _case(root, "HYG-099", ALL_CASE)
    assert list(quiet) == []
    totals = [int(root.get(k, "-1")) for k in ("tests", "failures", "errors", "skipped")]
    assert totals == [9, 4, 2, 1]


def test_status_mapping() -> None:
    root = _xml(sample_result())
    unknown = _case(root, "SEP-004", "inet-fw01")
    assert [(e.tag, e.get("type")) for e in unknown] == [("error", "unknown")]
    error = _case(root, "L2-001", POLICY_CASE)
    assert [(e.tag, e.get("type")) for e in error] == [("error", "error")]
    waived = _case(root, "LBO-003", "inet-fw01")
    assert [(e.tag, e.get("type")) for e in waived] == [("skipped", "waived")]
    passed = _case(root, "SEP-001", POLICY_CASE)
    assert list(passed) == []
    low = _case(root, "HYG-010", "lgwan-rt01")
    assert [(e.tag, e.get("type")) for e in low] == [("failure", "low")]


def test_worst_status_decides_a_shared_testcase() -> None:
    base = sample_result().findings[1]  # MYN-001 fail on core-fw01
    unknown = dataclasses.replace(base, status=Status.UNKNOWN, zone_to="lgwan", fingerprint="0")
    waived = dataclasses.replace(base, status=Status.WAIVED, zone_to="x", fingerprint="1")
    only_soft = dataclasses.replace(sample_result(), findings=(unknown, waived))
    case = _case(_xml(only_soft), "MYN-001", "core-fw01")
    assert [e.tag for e in case] == ["error"]
    assert "例外承認済み" in (case[0].text or "")  # the waived one is still listed
    mixed = dataclasses.replace(sample_result(), findings=(unknown, waived, base))
    assert [e.tag for e in _case(_xml(mixed), "MYN-001", "core-fw01")] == ["failure"]


def test_failure_carries_message_evidence_and_packet() -> None:
    failure = _case(_xml(sample_result(), "en"), "SPC-002", "core-fw01").find("failure")
    assert failure is not None and failure.text is not None
    text = failure.text
    assert "The policy declares tcp/443 only" in text
    assert "Example packet: tcp 10.10.2.7:40000 → 10.200.5.10:22" in text
    assert '  snap/core-fw01.cfg:944  set service "ALL_TCP"' in text
    assert "Policy entry: policies/kamome-city.yaml:27 (eltax)" in text
    assert failure.get("message") == (
        "Specified communication eltax is allowed more widely than declared (mynumber → lgwan_wan)"
    )


def _hostile_result() -> AuditResult:
    finding = Finding(
        check="MYN-001",
        severity=Severity.CRITICAL,
        status=Status.FAIL,
        title=Text(ja="<b>タイトル</b> ]]>", en="<b>title</b> ]]>"),
        message=Text(ja="ルール \"x\" & 'y'", en="rule \"x\" & 'y'"),
        device='fw<1>&"',
        evidence=(Evidence(file="snap/fw&1.cfg", line=12, text=HOSTILE),),
        fingerprint="f" * 16,
    )
    return dataclasses.replace(sample_result(), findings=(finding,))


def test_config_text_is_escaped() -> None:
    text = render(_hostile_result(), RenderOptions())
    assert "<script>" not in text and "]]>" not in text and "\x1b" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt;" in text
    root = SafeET.fromstring(text.encode("utf-8"))
    case = _case(root, "MYN-001", 'fw<1>&"')
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    shown = HOSTILE.strip().replace("\x1b", "\\x1b")
    assert f"snap/fw&1.cfg:12  {shown}" in failure.text
    assert failure.get("message") == "<b>タイトル</b> ]]>"
    assert "ルール \"x\" & 'y'" in failure.text


def test_escaping_helpers() -> None:
    assert xml_text("a<b>&]]>\x00\x1b\ufffe") == "a&lt;b&gt;&amp;]]&gt;\\x00\\x1b\\ufffe"
    assert xml_attr('"\n\t\r') == "&quot;&#10;&#9;&#13;"
    assert xml_text("日本語\tタブ\n改行") == "日本語\tタブ\n改行"


def test_empty_result_is_valid_xml() -> None:
    root = _xml(empty_result())
    assert root.tag == "testsuites" and root.get("tests") == "0" and list(root) == []


def test_city_has_a_failure_per_finding_device() -> None:
    result = city_result()
    root = _xml(result)
    pairs = {
        (f.check, f.device or POLICY_CASE)
        for f in result.findings
        if f.status not in (Status.PASS, Status.NOT_APPLICABLE)
    }
    failed = {
        (c.get("classname"), c.get("name"))
        for c in root.iter("testcase")
        if c.find("failure") is not None
    }
    assert failed == pairs
    assert root.get("failures") == str(len(pairs))


@pytest.mark.parametrize("seed", range(3))
def test_deterministic_whatever_the_input_order(seed: int) -> None:
    result = sample_result()
    findings = list(result.findings)
    random.Random(seed).shuffle(findings)
    shuffled = dataclasses.replace(result, findings=tuple(findings))
    assert render(shuffled, RenderOptions()) == render(result, RenderOptions())


def test_cli_writes_sarif_junit_markdown_and_keeps_the_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    args = [
        "audit",
        "examples/sakuradai/snapshot",
        "--policy",
        "examples/sakuradai/policy.yaml",
        "--today",
        "2026-11-28",
        "--lang",
        "ja",
    ]
    runner = CliRunner()
    plain = runner.invoke(app, [*args, "--format", "json", "--output-dir", str(tmp_path / "j")])
    out = tmp_path / "out"
    three = runner.invoke(
        app, [*args, "--format", "sarif,junit,markdown", "--output-dir", str(out)]
    )
    assert plain.exit_code == three.exit_code == 1, three.output
    assert sorted(p.name for p in out.iterdir()) == [
        "netaudit.md",
        "netaudit.sarif",
        "netaudit.xml",
    ]
    sarif = (out / "netaudit.sarif").read_text(encoding="utf-8")
    assert '"version": "2.1.0"' in sarif and "examples/sakuradai/snapshot/" in sarif
    SafeET.fromstring((out / "netaudit.xml").read_bytes())
    assert (out / "netaudit.md").read_text(encoding="utf-8").startswith("### netaudit 監査結果")
    # Apart from run facts, the files are what the renderers give for the same audit.
    expected = render(city_result(), RenderOptions(lang="ja"))
    strip = [line for line in expected.splitlines() if "<testsuites " not in line]
    got = [
        line
        for line in (out / "netaudit.xml").read_text(encoding="utf-8").splitlines()
        if "<testsuites " not in line
    ]
    assert got == strip
