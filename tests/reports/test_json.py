"""The JSON report: golden file, schema, ordering and the documented conventions."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import random
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from netaudit.result import AuditResult, Severity, Status
from reports import RenderOptions
from reports.json import SCHEMA_ID, render, schema
from reports.messages import Lang
from tests.golden import assert_golden
from tests.reports.sample import empty_result, sample_result

TOP_LEVEL = [
    "schema",
    "tool",
    "policy",
    "snapshot",
    "verdict",
    "summary",
    "coverage",
    "zone_matrix",
    "findings",
    "problems",
]


def _doc(result: AuditResult, lang: Lang = "ja") -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(result, RenderOptions(lang=lang)))
    return data


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def test_golden_sample() -> None:
    assert_golden("reports/result_ja.json", render(sample_result(), RenderOptions()))


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("make", [sample_result, empty_result])
def test_output_validates_against_schema(make: Any, lang: Lang) -> None:
    _validator().validate(_doc(make(), lang))


def test_schema_rejects_what_the_contract_forbids() -> None:
    validator = _validator()
    doc = _doc(sample_result())
    extra = dict(doc, extra=1)
    assert not validator.is_valid(extra)
    bad_severity = json.loads(json.dumps(doc))
    bad_severity["findings"][0]["severity"] = "severe"
    assert not validator.is_valid(bad_severity)
    missing = json.loads(json.dumps(doc))
    del missing["findings"][0]["fingerprint"]
    assert not validator.is_valid(missing)


def test_top_level_keys_exactly_and_in_order() -> None:
    doc = _doc(sample_result())
    assert list(doc) == TOP_LEVEL
    assert doc["schema"] == SCHEMA_ID == "netaudit/result/v1"
    assert doc["tool"] == {"name": "netaudit", "version": "0.1.0"}
    assert doc["verdict"] == "fail"


def test_text_form_utf8_indent_trailing_newline() -> None:
    text = render(sample_result(), RenderOptions())
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "マイナンバー利用事務系" in text  # ensure_ascii=False
    assert "\\u30de" not in text
    assert text.startswith('{\n  "schema": ')


def test_summary_matches_result_counts() -> None:
    result = sample_result()
    summary = _doc(result)["summary"]
    counts = result.counts()
    assert summary["by_severity"] == counts["by_severity"]
    assert summary["by_status"] == counts["by_status"]
    assert summary["by_severity"]["critical"] == 2
    assert summary["by_status"]["waived"] == 1
    assert summary["findings"] == len(result.findings)
    assert summary["devices"] == 3
    assert summary["checks_run"] == sorted(result.checks_run)
    assert summary["started"] == "2025-04-01T09:00:00+09:00"
    assert summary["duration_s"] == 3.27


def test_findings_sorted_by_severity_check_device_fingerprint() -> None:
    findings = _doc(sample_result())["findings"]
    rank = {s.value: s.rank for s in Severity}
    keys = [(-rank[f["severity"]], f["check"], f["device"], f["fingerprint"]) for f in findings]
    assert keys == sorted(keys)
    assert [f["check"] for f in findings][:2] == ["MYN-001", "MYN-001"]
    assert findings[-1]["severity"] == "info"


@pytest.mark.parametrize("seed", range(5))
def test_deterministic_whatever_the_input_order(seed: int) -> None:
    result = sample_result()
    rng = random.Random(seed)
    findings = list(result.findings)
    coverage = list(result.coverage)
    cells = list(result.matrix.cells)
    problems = list(result.problems)
    for items in (findings, coverage, cells, problems):
        rng.shuffle(items)
    shuffled = dataclasses.replace(
        result,
        findings=tuple(findings),
        coverage=tuple(coverage),
        matrix=dataclasses.replace(result.matrix, cells=tuple(cells)),
        problems=tuple(problems),
    )
    assert render(shuffled, RenderOptions()) == render(result, RenderOptions())


def test_lang_changes_title_and_message_only() -> None:
    ja = _doc(sample_result(), "ja")
    en = _doc(sample_result(), "en")
    for fj, fe in zip(ja["findings"], en["findings"], strict=True):
        assert fj["title"] == fj["i18n"]["title"]["ja"]
        assert fe["title"] == fe["i18n"]["title"]["en"]
        assert fe["message"] == fe["i18n"]["message"]["en"]
        assert {k: v for k, v in fj.items() if k not in ("title", "message")} == {
            k: v for k, v in fe.items() if k not in ("title", "message")
        }
    assert {k: v for k, v in ja.items() if k != "findings"} == {
        k: v for k, v in en.items() if k != "findings"
    }


def test_coverage_entries() -> None:
    coverage = _doc(sample_result())["coverage"]
    assert [c["device"] for c in coverage] == ["core-fw01", "inet-fw01", "lgwan-rt01"]
    core = coverage[0]
    # unrecognized lines come sorted by number even when the parser listed them otherwise
    assert core["unrecognized"] == [
        {"line": 1203, "text": "config system sdwan"},
        {"line": 1210, "text": "        set load-balance-mode source-ip-based"},
    ]
    assert core["share"] == round(1516 / 1518, 4) == 0.9987
    assert core["warnings"][0]["line"] == 455


def test_zone_matrix_rows_follow_zone_order() -> None:
    matrix = _doc(sample_result())["zone_matrix"]
    zones = matrix["zones"]
    assert zones == ["mynumber", "lgwan", "internet", "lgwan_wan", "internet_wan"]
    assert [(c["from"], c["to"]) for c in matrix["cells"]] == [(a, b) for a in zones for b in zones]
    cell = next(c for c in matrix["cells"] if (c["from"], c["to"]) == ("mynumber", "lgwan_wan"))
    assert cell["state"] == "violation"
    assert (cell["paths"], cell["allowed_paths"], cell["violations"]) == (2, 1, 1)
    assert cell["example_flow"]["dport"] == 22


def test_absent_objects_are_null_and_flow_values_plain() -> None:
    result = sample_result()
    odd = dataclasses.replace(
        result.findings[0],
        policy_ref=None,
        example_flow={
            "dport": 443,
            "src": ipaddress.ip_address("10.0.0.1"),
            "proto": "tcp",
            "sport": None,
            "dst": ipaddress.ip_address("2001:db8::1"),
            "vrf": "mgmt",
        },
    )
    doc = _doc(dataclasses.replace(result, findings=(odd,), manifest_digest=""))
    finding = doc["findings"][0]
    assert finding["policy_ref"] is None
    assert list(finding["example_flow"]) == ["proto", "src", "dst", "sport", "dport", "vrf"]
    assert finding["example_flow"]["dst"] == "2001:db8::1"
    assert doc["snapshot"]["manifest_digest"] == ""
    _validator().validate(doc)


def test_evidence_keeps_the_path_order() -> None:
    finding = next(
        f
        for f in _doc(sample_result())["findings"]
        if f["check"] == "MYN-001" and f["zone_to"] == "internet_wan"
    )
    assert [e["line"] for e in finding["evidence"]] == [912, 916, 918, 211]
    assert finding["evidence"][3]["device"] == "inet-fw01"
    assert finding["path"] == ["core-fw01", "inet-fw01"]


def test_every_status_and_severity_value_is_in_the_schema() -> None:
    defs = schema()["$defs"]
    assert set(defs["severity"]["enum"]) == {s.value for s in Severity}
    assert set(defs["status"]["enum"]) == {s.value for s in Status}
