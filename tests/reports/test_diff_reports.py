"""Every report format renders a 新旧比較 (``netaudit diff``) and the approval of waived findings.

The diff is the one of ``tests/test_diff.py`` on the bundled example city, computed from a
temporary directory with relative paths (``before/``, ``after/``, ``policy.yaml``) so the golden
files do not depend on where the tests run. A plain audit's output is pinned by the existing
goldens of every renderer, which these additions must leave byte-identical.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from netaudit.diff import as_result, diff
from netaudit.engine import audit, with_run
from netaudit.policy import load_policy
from netaudit.result import AuditResult, RunInfo, Status, Verdict
from netaudit.waivers import apply_waivers, load_waivers
from reports import FORMATS, RenderOptions, render
from reports.json import schema
from tests.golden import assert_golden

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "examples" / "sakuradai"
TODAY = dt.date(2026, 11, 28)
RUN = RunInfo(tool_version="0.1.0", started="2026-11-28T09:00:00+09:00")
SMB_LINE = " 30 permit tcp 10.10.10.0 0.0.0.255 host 10.20.20.30 eq 445\n"
NEW_FILTER = "ip filter 202 pass 198.51.100.0/24 10.20.20.50 tcp * 3389"
SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
EXTENSIONS = {
    "console": "txt",
    "json": "json",
    "html": "html",
    "sarif": "sarif",
    "junit": "xml",
    "markdown": "md",
}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def make_after(snap: Path) -> None:
    """Edit a copy of the example snapshot: deviation B fixed, RDP from the LGWAN opened."""
    _edit(snap / "sep-rtr1.cfg", SMB_LINE, "")
    _edit(
        snap / "lgwan-rtr.cfg",
        "ip lan2 secure filter in 200 201 299\n",
        "ip lan2 secure filter in 200 201 202 299\n",
    )
    _edit(
        snap / "lgwan-rtr.cfg",
        "ip filter 299 reject * * * * *\n",
        f"{NEW_FILTER}\nip filter 299 reject * * * * *\n",
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("diffreports")
    shutil.copytree(CITY / "snapshot", base / "before")
    shutil.copytree(CITY / "snapshot", base / "after")
    shutil.copy(CITY / "policy.yaml", base / "policy.yaml")
    make_after(base / "after")
    return base


@pytest.fixture(scope="module")
def result(workdir: Path) -> AuditResult:
    with contextlib.chdir(workdir):
        d = diff(Path("before"), Path("after"), load_policy(Path("policy.yaml")), TODAY)
    return with_run(as_result(d), RUN)


def _keys(result: AuditResult, change: str) -> set[tuple[str, str, str, str, Status]]:
    return {
        (f.check, f.device, f.zone_from, f.zone_to, f.status)
        for f in result.findings
        if f.change == change
    }


def test_as_result(result: AuditResult) -> None:
    assert result.is_diff
    # The new filter opens a path (POL-001) and does not log (RUL-004); the removed SMB line
    # was a crossing (MYN-002) that did not log either.
    assert _keys(result, "new") == {
        ("POL-001", "lgwan-rtr", "lgwan_wan", "lgwan", Status.FAIL),
        ("RUL-004", "lgwan-rtr", "", "", Status.FAIL),
    }
    assert _keys(result, "fixed") == {
        ("MYN-002", "sep-rtr1", "mynumber", "lgwan", Status.PASS),
        ("RUL-004", "sep-rtr1", "", "", Status.PASS),
    }
    assert all(f.change in ("new", "fixed", "unchanged") for f in result.findings)
    assert result.verdict is Verdict.FAIL
    assert result.snapshot == "before → after"
    kinds = [(d.kind, d.zone_from, d.zone_to, d.devices) for d in result.flow_changes]
    assert kinds == [
        ("added", "lgwan_wan", "lgwan", ("lgwan-rtr",)),
        ("removed", "mynumber", "lgwan", ("sep-rtr1",)),
    ]
    added = result.flow_changes[0]
    assert added.example_flow["dst"] == "10.20.20.50" and added.example_flow["dport"] == 3389
    assert [(e.file, e.line, e.text, e.role) for e in added.evidence] == [
        ("after/lgwan-rtr.cfg", 31, NEW_FILTER, "permit")
    ]


def test_no_change_is_still_a_diff_and_passes_through_verdict(workdir: Path) -> None:
    with contextlib.chdir(workdir):
        same = as_result(
            diff(Path("before"), Path("before"), load_policy(Path("policy.yaml")), TODAY)
        )
    assert same.flow_changes == ()
    assert {f.change for f in same.findings} == {"unchanged"}
    assert same.is_diff


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_golden(result: AuditResult, fmt: str, lang: str) -> None:
    options = RenderOptions(lang="ja" if lang == "ja" else "en", width=120)
    assert_golden(f"reports/diff_{lang}.{EXTENSIONS[fmt]}", render(fmt, result, options))


def test_console_and_markdown_list_changes_first(result: AuditResult) -> None:
    for fmt in ("console", "markdown"):
        ja = render(fmt, result, RenderOptions(lang="ja", width=120))
        en = render(fmt, result, RenderOptions(lang="en", width=120))
        order = [
            ja.index(s)
            for s in ("新たな指摘", "解消した指摘", "ゾーン間通信の変化", "変わらない指摘")
        ]
        assert order == sorted(order), fmt
        assert "新規" in ja and "解消" in ja and "NEW" in en and "FIXED" in en
        assert NEW_FILTER in ja and "10.20.20.50" in ja
        # The fixed finding is shown although it passes now.
        assert "sep-rtr1" in ja[ja.index("解消した指摘") : ja.index("ゾーン間通信の変化")]


def test_html_has_changes_section(result: AuditResult) -> None:
    page = render("html", result, RenderOptions(lang="ja"))
    assert 'id="changes"' in page
    assert page.index('id="changes"') < page.index('id="findings"')
    assert '<span class="badge chg new">新規</span>' in page
    assert '<span class="badge chg fixed">解消</span>' in page
    assert '<article class="flow added">' in page and '<article class="flow removed">' in page


def test_json_diff_validates_and_schema_stays_strict(result: AuditResult) -> None:
    validator = jsonschema.Draft202012Validator(schema())
    doc: dict[str, Any] = json.loads(render("json", result, RenderOptions()))
    validator.validate(doc)
    assert list(doc)[-2:] == ["flow_changes", "problems"]
    assert {f["change"] for f in doc["findings"]} == {"new", "fixed", "unchanged"}
    assert [(d["kind"], d["zone_from"], d["zone_to"]) for d in doc["flow_changes"]] == [
        ("added", "lgwan_wan", "lgwan"),
        ("removed", "mynumber", "lgwan"),
    ]
    missing = json.loads(json.dumps(doc))
    del missing["findings"][0]["change"]
    assert not validator.is_valid(missing)
    bad_kind = json.loads(json.dumps(doc))
    bad_kind["flow_changes"][0]["kind"] = "opened"
    assert not validator.is_valid(bad_kind)
    plain = json.loads(json.dumps(doc))
    del plain["flow_changes"]
    assert not validator.is_valid(plain)  # change on findings outside a diff


def test_sarif_baseline_states(result: AuditResult) -> None:
    log = json.loads(render("sarif", result, RenderOptions()))
    run = log["runs"][0]
    states = {
        (r["ruleId"], r["properties"].get("device", ""), r["baselineState"])
        for r in run["results"]
        if r["baselineState"] != "unchanged"
    }
    assert states == {
        ("POL-001", "lgwan-rtr", "new"),
        ("RUL-004", "lgwan-rtr", "new"),
        ("MYN-002", "sep-rtr1", "absent"),
        ("RUL-004", "sep-rtr1", "absent"),
    }
    assert all("baselineState" in r for r in run["results"])
    absent = next(r for r in run["results"] if r["baselineState"] == "absent")
    assert absent["kind"] == "pass" and absent["level"] == "none"
    assert [c["kind"] for c in run["properties"]["flowChanges"]] == ["added", "removed"]
    if SARIF_SCHEMA.is_file():
        official = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.Draft4Validator(official).validate(log)


def test_junit_diff_suite(result: AuditResult) -> None:
    root = ET.fromstring(render("junit", result, RenderOptions(lang="en")))
    suite = root.find("testsuite[@name='diff']")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"lgwan_wan -> lgwan", "mynumber -> lgwan"}
    failure = cases["lgwan_wan -> lgwan"].find("failure")
    assert failure is not None and failure.get("type") == "added"
    assert NEW_FILTER in (failure.text or "")
    assert cases["mynumber -> lgwan"].find("failure") is None
    totals = [int(root.get(k) or 0) for k in ("tests", "failures")]
    suites = root.findall("testsuite")
    assert totals == [sum(int(s.get(k) or 0) for s in suites) for k in ("tests", "failures")]


# -- waivers as data ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def waived() -> AuditResult:
    with contextlib.chdir(ROOT):
        policy = load_policy(Path("examples/sakuradai/policy.yaml"))
        res, _ = audit(Path("examples/sakuradai/snapshot"), policy, today=TODAY)
        waivers = load_waivers(Path("tests/fixtures/waivers/city.yaml"), policy=policy)
    out, _ = apply_waivers(res, waivers, TODAY)
    return with_run(out, RUN)


def test_waiver_ref_is_set(waived: AuditResult) -> None:
    smb = next(
        f
        for f in waived.findings
        if (f.check, f.device, f.zone_to) == ("MYN-002", "sep-rtr1", "lgwan")
    )
    assert smb.status is Status.WAIVED and smb.waiver is not None
    w = smb.waiver
    assert (w.id, w.application_no, w.approver, w.expires) == (
        "W-2026-001",
        "R8-情政-0012",
        "情報政策課長",
        "2027-03-31",
    )
    assert w.reason == "ファイルサーバー移行期間中の暫定措置"
    assert (w.file, w.line) == ("tests/fixtures/waivers/city.yaml", 4)
    assert all((f.waiver is not None) == (f.status is Status.WAIVED) for f in waived.findings)


def test_waiver_in_every_report(waived: AuditResult) -> None:
    options = RenderOptions(lang="ja", width=160)
    doc = json.loads(render("json", waived, options))
    jsonschema.Draft202012Validator(schema()).validate(doc)
    waivers = [f["waiver"] for f in doc["findings"] if "waiver" in f]
    assert {w["id"] for w in waivers} == {"W-2026-001", "W-2026-002"}
    assert all(f["status"] == "waived" for f in doc["findings"] if "waiver" in f)
    bad = json.loads(json.dumps(doc))
    next(f for f in bad["findings"] if "waiver" in f)["status"] = "fail"
    assert not jsonschema.Draft202012Validator(schema()).is_valid(bad)

    log = json.loads(render("sarif", waived, options))
    suppressed = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    texts = {s["justification"] for r in suppressed for s in r["suppressions"]}
    assert any(
        "ファイルサーバー移行期間中の暫定措置" in t and "R8-情政-0012" in t and "情報政策課長" in t
        for t in texts
    )
    assert all("location" in s for r in suppressed for s in r["suppressions"])
    if SARIF_SCHEMA.is_file():
        official = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.Draft4Validator(official).validate(log)

    for fmt in ("console", "markdown", "html", "junit"):
        text = render(fmt, waived, options)
        assert "例外承認" in text, fmt
        assert (
            "W-2026-001（申請番号 R8-情政-0012、承認者 情報政策課長、期限 2027-03-31）" in text
        ), fmt
    en = render("console", waived, RenderOptions(lang="en", width=160))
    assert "W-2026-001 (application no. R8-情政-0012, approved by 情報政策課長" in en


def test_plain_audit_has_no_diff_keys(waived: AuditResult) -> None:
    plain = dataclasses.replace(
        waived, findings=tuple(dataclasses.replace(f, waiver=None) for f in waived.findings)
    )
    doc = json.loads(render("json", plain, RenderOptions()))
    assert "flow_changes" not in doc
    assert all("change" not in f and "waiver" not in f for f in doc["findings"])
    log = json.loads(render("sarif", plain, RenderOptions()))
    assert all("baselineState" not in r for r in log["runs"][0]["results"])
    assert '<testsuite name="diff"' not in render("junit", plain, RenderOptions())
    assert 'id="changes"' not in render("html", plain, RenderOptions())
