"""The SARIF report: official-schema validation, rules, levels, kinds, locations, goldens."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
import random
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from netaudit.engine import audit, with_run
from netaudit.policy import load_policy
from netaudit.result import (
    AuditResult,
    DeviceCoverage,
    Evidence,
    Finding,
    Severity,
    Status,
    Text,
)
from netaudit.result import RunInfo as Run
from reports import RenderOptions
from reports.messages import Lang
from reports.sarif import FINGERPRINT_KEY, artifact_location, render, utc_time
from tests.golden import assert_golden
from tests.reports.sample import empty_result, sample_result

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
HOSTILE = "permit tcp any any eq 80 <script>alert(1)</script> ]]> a|b ``x`` \x1b[31m"


@functools.cache
def city_result() -> AuditResult:
    """The bundled example city, audited from the repository root with fixed run facts."""
    with contextlib.chdir(ROOT):
        result, _ = audit(
            Path("examples/sakuradai/snapshot"),
            load_policy(Path("examples/sakuradai/policy.yaml")),
            today=dt.date(2026, 11, 28),
        )
    return with_run(result, Run(tool_version="0.1.0", started="2026-11-28T09:00:00+09:00"))


def _log(result: AuditResult, lang: Lang = "ja", verbose: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(result, RenderOptions(lang=lang, verbose=verbose)))
    return data


def _run(result: AuditResult, **kw: Any) -> dict[str, Any]:
    run: dict[str, Any] = _log(result, **kw)["runs"][0]
    return run


def _hostile_result() -> AuditResult:
    ev = Evidence(file="snap/fw 1.cfg", line=12, text=HOSTILE, device="fw|1", role="rule")
    finding = Finding(
        check="MYN-001",
        severity=Severity.CRITICAL,
        status=Status.FAIL,
        title=Text(ja="<b>タイトル</b> | `x`", en="<b>title</b> | `x`"),
        message=Text(ja="ルール ]]> が許可", en="rule ]]> allows"),
        device="fw|1",
        zone_from="mynumber",
        zone_to="internet",
        evidence=(ev,),
        fingerprint="f" * 16,
    )
    return dataclasses.replace(sample_result(), findings=(finding,))


@pytest.mark.parametrize(
    ("name", "make", "lang"),
    [
        ("sarif_ja.sarif", sample_result, "ja"),
        ("sarif_en.sarif", sample_result, "en"),
        ("sakuradai_ja.sarif", city_result, "ja"),
    ],
)
def test_golden(name: str, make: Any, lang: Lang) -> None:
    assert_golden(f"reports/{name}", render(make(), RenderOptions(lang=lang)))


@pytest.mark.parametrize("verbose", [False, True])
@pytest.mark.parametrize("make", [sample_result, empty_result, city_result, _hostile_result])
def test_validates_against_the_official_schema(make: Any, verbose: bool) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"official SARIF schema not present at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    log = _log(make(), verbose=verbose)
    validator.validate(log)
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"] = [{"level": "fatal"}]
    assert not validator.is_valid(broken)  # the schema really constrains results


def test_driver_and_rules() -> None:
    result = dataclasses.replace(
        sample_result(), checks_run=(*sample_result().checks_run, "HYG-099")
    )
    run = _run(result)
    driver = run["tool"]["driver"]
    assert driver["name"] == "netaudit" and driver["version"] == "0.1.0"
    assert "informationUri" not in driver
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted({f.check for f in result.findings} | {"HYG-099"})
    quiet = driver["rules"][ids.index("HYG-099")]
    assert quiet == {"id": "HYG-099", "name": "HYG-099"}
    spc = driver["rules"][ids.index("SPC-002")]
    assert spc["shortDescription"]["text"] == "特定通信 eltax が宣言より広く許可されている"
    assert "Specified communication eltax" in spc["fullDescription"]["text"]
    assert "特定通信" in spc["help"]["text"] and "2020-05-22" in spc["help"]["text"]
    assert spc["defaultConfiguration"]["level"] == "error"
    for res in run["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    en = _run(result, lang="en")["tool"]["driver"]["rules"][ids.index("SPC-002")]
    assert en["shortDescription"]["text"].startswith("Specified communication eltax")


def test_levels_kinds_and_suppressions() -> None:
    results = _run(sample_result(), verbose=True)["results"]
    by_check: dict[str, list[dict[str, Any]]] = {}
    for res in results:
        by_check.setdefault(res["ruleId"], []).append(res)
    assert {r["level"] for r in by_check["MYN-001"]} == {"error"}  # critical
    assert by_check["SPC-002"][0]["level"] == "error"  # high
    assert by_check["HYG-010"][0]["level"] == "note"  # low
    assert by_check["HYG-011"][0]["level"] == "note"  # info
    waived = by_check["LBO-003"][0]
    assert (waived["kind"], waived["level"]) == ("fail", "error")
    assert waived["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": sample_result().findings[3].message.ja,
        }
    ]
    unknown = by_check["SEP-004"][0]
    assert (unknown["kind"], unknown["level"]) == ("review", "none")
    error = by_check["L2-001"][0]
    assert (error["kind"], error["level"]) == ("review", "none")
    passed = by_check["SEP-001"][0]
    assert (passed["kind"], passed["level"]) == ("pass", "none")
    assert all("suppressions" not in r for r in results if r["ruleId"] != "LBO-003")
    # Without verbose, passes are left out as on the console.
    assert "SEP-001" not in {r["ruleId"] for r in _run(sample_result())["results"]}


def test_medium_fail_is_a_warning() -> None:
    finding = dataclasses.replace(sample_result().findings[0], severity=Severity.MEDIUM)
    run = _run(dataclasses.replace(sample_result(), findings=(finding,)))
    assert run["results"][0]["level"] == "warning"


def test_locations_point_at_the_config_line() -> None:
    results = _run(sample_result())["results"]
    myn = next(r for r in results if r["properties"].get("zoneTo") == "internet_wan")
    loc = myn["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "snap/core-fw01.cfg", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 912, "snippet": {"text": "    edit 12"}}
    assert myn["locations"][0]["logicalLocations"][0]["name"] == "core-fw01"
    related = myn["relatedLocations"]
    assert [r["id"] for r in related] == [1, 2, 3, 4, 5]
    assert related[3]["physicalLocation"]["artifactLocation"]["uri"] == "snap/inet-fw01.txt"
    assert related[3]["logicalLocations"][0]["name"] == "inet-fw01"
    policy = related[4]
    assert policy["physicalLocation"]["region"] == {"startLine": 14}
    assert policy["message"]["text"] == "policy: separation.mynumber"
    assert myn["partialFingerprints"] == {FINGERPRINT_KEY: _fp(myn)}
    assert myn["properties"]["exampleFlow"]["dport"] == 53
    banner = next(r for r in results if r["ruleId"] == "HYG-011")
    assert banner["locations"] == [
        {
            "logicalLocations": [
                {"name": "lgwan-rt01", "fullyQualifiedName": "lgwan-rt01", "kind": "device"}
            ]
        }
    ]


def _fp(res: dict[str, Any]) -> str:
    finding = next(
        f
        for f in sample_result().findings
        if f.check == res["ruleId"] and f.zone_to == res["properties"]["zoneTo"]
    )
    return finding.fingerprint


def test_city_results_locate_real_lines() -> None:
    """Every example-city result names a repository-relative file whose line is the snippet."""
    results = _run(city_result())["results"]
    reported = [
        f
        for f in city_result().findings
        if f.status not in (Status.PASS, Status.NOT_APPLICABLE) and f.evidence
    ]
    assert len(results) >= len(reported) >= 13
    for res in results:
        physical = res["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri.startswith("examples/sakuradai/snapshot/")
        lines = (ROOT / uri).read_text(encoding="utf-8").splitlines()
        assert (
            lines[physical["region"]["startLine"] - 1].strip()
            == physical["region"]["snippet"]["text"].strip()
        )


def test_invocation_notifications() -> None:
    inv = _run(sample_result())["invocations"][0]
    assert inv["executionSuccessful"] is False  # L2-001 errored
    assert inv["startTimeUtc"] == "2025-04-01T00:00:00Z"
    notes = inv["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["warning", "warning", "error"]
    assert notes[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}
    assert "region" not in notes[1]["locations"][0]["physicalLocation"]  # line 0: whole file
    assert notes[2]["associatedRule"] == {"id": "L2-001"}
    city = _run(city_result())["invocations"][0]
    assert city["executionSuccessful"] is True and "toolExecutionNotifications" not in city
    failed = dataclasses.replace(
        empty_result(),
        coverage=(
            DeviceCoverage(
                device="sw",
                file="sw.cfg",
                platform="",
                lines=0,
                recognized=0,
                unrecognized=(),
                collection="timeout",
            ),
        ),
    )
    assert _run(failed)["invocations"][0]["executionSuccessful"] is False


def test_config_text_survives_exactly() -> None:
    text = render(_hostile_result(), RenderOptions())
    res = json.loads(text)["runs"][0]["results"][0]
    assert res["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] == HOSTILE
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "snap/fw%201.cfg"
    assert res["message"]["text"] == "<b>タイトル</b> | `x`: ルール ]]> が許可"
    assert "\x1b" not in text  # JSON escapes control characters


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("snap/core.cfg", {"uri": "snap/core.cfg", "uriBaseId": "%SRCROOT%"}),
        ("snap/本庁 FW.cfg", {"uri": "snap/%E6%9C%AC%E5%BA%81%20FW.cfg", "uriBaseId": "%SRCROOT%"}),
        ("/srv/snap/a b.cfg", {"uri": "file:///srv/snap/a%20b.cfg"}),
        ("C:\\snap\\fw.cfg", {"uri": "file:///C:/snap/fw.cfg"}),
        ("snap\\fw.cfg", {"uri": "snap/fw.cfg", "uriBaseId": "%SRCROOT%"}),
    ],
)
def test_artifact_location(path: str, uri: dict[str, str]) -> None:
    assert artifact_location(path) == uri


def test_utc_time() -> None:
    assert utc_time("2025-04-01T09:00:00+09:00") == "2025-04-01T00:00:00Z"
    assert utc_time("2025-04-01T09:00:00") == "2025-04-01T09:00:00Z"
    assert utc_time("") == "" and utc_time("yesterday") == ""
    assert "startTimeUtc" not in _run(empty_result())["invocations"][0]


@pytest.mark.parametrize("seed", range(3))
def test_deterministic_whatever_the_input_order(seed: int) -> None:
    result = sample_result()
    findings = list(result.findings)
    checks = list(result.checks_run)
    random.Random(seed).shuffle(findings)
    random.Random(seed).shuffle(checks)
    shuffled = dataclasses.replace(result, findings=tuple(findings), checks_run=tuple(checks))
    for verbose in (False, True):
        options = RenderOptions(verbose=verbose)
        assert render(shuffled, options) == render(result, options)
