"""Waivers (例外措置) on the example city: waived, expired, stale, and file:line validation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from netaudit.commands.waivers import register
from netaudit.engine import audit
from netaudit.policy import Policy, PolicyValidationError, load_policy
from netaudit.reach import NetworkAnalysis
from netaudit.result import AuditResult, CellState, Status, Verdict
from netaudit.waivers import (
    EXPIRED_CHECK,
    STALE_CHECK,
    WaiverState,
    apply_waivers,
    lint_waivers,
    load_waivers,
)

ROOT = Path(__file__).resolve().parents[1]
CITY = ROOT / "examples" / "sakuradai"
FIXTURES = ROOT / "tests" / "fixtures" / "waivers"
TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(CITY / "policy.yaml")


@pytest.fixture(scope="module")
def city(policy: Policy) -> tuple[AuditResult, NetworkAnalysis]:
    return audit(CITY / "snapshot", policy, today=TODAY)


def _key(check: str, device: str, zf: str, zt: str) -> tuple[str, str, str, str]:
    return (check, device, zf, zt)


def test_waived_expired_and_stale(
    city: tuple[AuditResult, NetworkAnalysis], policy: Policy
) -> None:
    result, _ = city
    waivers = load_waivers(FIXTURES / "city.yaml", policy=policy)
    waived, notes = apply_waivers(result, waivers, TODAY)
    by_key = {(f.check, f.device, f.zone_from, f.zone_to): f for f in waived.findings}

    # W-2026-001 by check/device/zones/rule text; W-2026-002 by fingerprint, valid through today.
    smb = by_key[_key("MYN-002", "sep-rtr1", "mynumber", "lgwan")]
    yamaha = by_key[_key("MYN-002", "lgwan-rtr", "mynumber", "lgwan_wan")]
    assert smb.status is Status.WAIVED and yamaha.status is Status.WAIVED
    assert "例外承認: 申請番号 R8-情政-0012, 承認者 情報政策課長, 期限 2027-03-31" in smb.message.ja
    assert "application no. R8-情政-0012" in smb.message.en
    assert smb.waiver is not None and smb.waiver.id == "W-2026-001"
    assert (smb.waiver.application_no, smb.waiver.expires) == ("R8-情政-0012", "2027-03-31")
    assert smb.policy_ref is not None
    assert (smb.policy_ref.file, smb.policy_ref.line, smb.policy_ref.id) == (
        str(FIXTURES / "city.yaml"),
        4,
        "W-2026-001",
    )
    # The other sep-rtr1 finding (same check and device, other zone pair) stays failing.
    assert by_key[_key("MYN-002", "sep-rtr1", "mynumber", "lgwan_wan")].status is Status.FAIL

    # W-2025-007 expired: branch-ix's finding stays fail, and the waiver is reported.
    assert by_key[_key("LGW-002", "branch-ix", "internet", "lgwan")].status is Status.FAIL
    expired = [f for f in waived.findings if f.check == EXPIRED_CHECK]
    assert len(expired) == 1
    assert expired[0].status is Status.FAIL and expired[0].severity.value == "medium"
    assert [(e.file, e.line) for e in expired[0].evidence] == [(str(FIXTURES / "city.yaml"), 20)]

    # W-2025-009 matches nothing: stale.
    stale = [f for f in waived.findings if f.check == STALE_CHECK]
    assert [(f.severity.value, f.evidence[0].line) for f in stale] == [("low", 27)]

    assert {n.waiver_id: n.state for n in notes} == {
        "W-2026-001": WaiverState.APPLIED,
        "W-2026-002": WaiverState.APPLIED,
        "W-2025-007": WaiverState.EXPIRED,
        "W-2025-009": WaiverState.STALE,
    }
    note = next(n for n in notes if n.waiver_id == "W-2025-007")
    assert len(note.matched) == 1

    # Nothing else changed status; the two waived ones are the only waived findings.
    before = {(f.check, f.fingerprint): f.status for f in result.findings}
    changed = {
        (f.check, f.device, f.zone_from, f.zone_to)
        for f in waived.findings
        if (f.check, f.fingerprint) in before and before[(f.check, f.fingerprint)] != f.status
    }
    assert changed == {
        _key("MYN-002", "sep-rtr1", "mynumber", "lgwan"),
        _key("MYN-002", "lgwan-rtr", "mynumber", "lgwan_wan"),
    }
    assert len(waived.findings) == len(result.findings) + 2
    assert waived.verdict is Verdict.FAIL  # planted deviations remain


def test_waiver_expires_after_its_last_day(city: tuple[AuditResult, NetworkAnalysis]) -> None:
    result, _ = city
    waivers = load_waivers(FIXTURES / "city.yaml")
    waived, notes = apply_waivers(result, waivers, TODAY + dt.timedelta(days=1))
    assert {n.waiver_id: n.state for n in notes}["W-2026-002"] is WaiverState.EXPIRED
    yamaha = next(f for f in waived.findings if f.check == "MYN-002" and f.device == "lgwan-rtr")
    assert yamaha.status is Status.FAIL


def test_matrix_cell_allowed_once_every_violation_is_waived(
    city: tuple[AuditResult, NetworkAnalysis], tmp_path: Path
) -> None:
    result, _ = city
    cell = result.matrix.cell("internet", "lgwan")
    assert cell is not None and cell.state is CellState.VIOLATION
    path = tmp_path / "w.yaml"
    path.write_text(
        "waivers:\n"
        + "".join(
            f"  - id: W-{i}\n    fingerprint: '{f.fingerprint}'\n    reason: r\n"
            f"    approver: a\n    application_no: '{i}'\n    expires: 2030-01-01\n"
            for i, f in enumerate(result.findings)
            if (f.zone_from, f.zone_to) == ("internet", "lgwan")
        ),
        encoding="utf-8",
    )
    waived, _ = apply_waivers(result, load_waivers(path), TODAY)
    cell = waived.matrix.cell("internet", "lgwan")
    assert cell is not None and cell.state is CellState.ALLOWED and cell.violations == 0


def test_everything_waived_passes(
    city: tuple[AuditResult, NetworkAnalysis], tmp_path: Path
) -> None:
    result, _ = city
    path = tmp_path / "all.yaml"
    path.write_text(
        "waivers:\n"
        + "".join(
            f"  - id: W-{i}\n    fingerprint: '{f.fingerprint}'\n    check: {f.check}\n"
            f"    reason: r\n    approver: a\n    application_no: '{i}'\n    expires: 2030-01-01\n"
            for i, f in enumerate(result.findings)
            if f.status not in (Status.PASS, Status.NOT_APPLICABLE)
        ),
        encoding="utf-8",
    )
    waived, notes = apply_waivers(result, load_waivers(path), TODAY)
    assert all(n.state is WaiverState.APPLIED for n in notes)
    assert waived.verdict is Verdict.PASS
    # Not-applicable and passing results need no waiver and stay what they are.
    assert {f.status for f in waived.findings} <= {
        Status.WAIVED,
        Status.PASS,
        Status.NOT_APPLICABLE,
    }
    assert Status.WAIVED in {f.status for f in waived.findings}


def _problems(name: str, policy: Policy | None = None) -> list[tuple[int, str]]:
    with pytest.raises(PolicyValidationError) as e:
        load_waivers(FIXTURES / name, policy=policy)
    for p in e.value.problems:
        assert p.file == str(FIXTURES / name)
    return [(p.line, p.message) for p in e.value.problems]


def test_schema_problems_have_lines() -> None:
    problems = _problems("bad_keys.yaml")
    lines = [line for line, _ in problems]
    assert lines == [9, 10, 17, 22]
    assert "unknown key 'approved_by'" in problems[0][1]
    assert "'check' and 'device'" in problems[1][1]
    assert "fingerprint" in problems[2][1]
    assert "expires" in problems[3][1]


def test_reference_problems_have_lines(policy: Policy) -> None:
    problems = _problems("bad_refs.yaml", policy)
    assert [line for line, _ in problems] == [9, 12]
    assert "duplicate waiver id 'W-1' (first at line 2)" in problems[0][1]
    assert "undefined zone 'mynumbr'" in problems[1][1]


def test_yaml_errors_and_empty_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("waivers:\n  - id: [W-1\n", encoding="utf-8")
    with pytest.raises(PolicyValidationError) as e:
        load_waivers(bad)
    assert e.value.problems[0].line == 2
    dup = tmp_path / "dup.yaml"
    dup.write_text("waivers: []\nwaivers: []\n", encoding="utf-8")
    with pytest.raises(PolicyValidationError) as e:
        load_waivers(dup)
    assert e.value.problems[0].line == 2
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing waived yet\n", encoding="utf-8")
    assert load_waivers(empty).entries == ()
    (tmp_path / "list.yaml").write_text("waivers: []\n", encoding="utf-8")
    assert load_waivers(tmp_path / "list.yaml").entries == ()


def test_lint_reports_expired() -> None:
    waivers = load_waivers(FIXTURES / "city.yaml")
    problems = lint_waivers(waivers, today=TODAY)
    assert [(p.line, p.message) for p in problems] == [
        (26, "waiver W-2025-007 expired on 2026-03-31")
    ]


def _cli(*args: str | Path) -> tuple[int, str]:
    app = typer.Typer()
    register(app)

    @app.command()
    def version() -> None:  # a second command keeps typer's subcommand mode
        """Placeholder."""

    res = CliRunner().invoke(app, ["waivers", *map(str, args)])
    return res.exit_code, res.stdout


def test_cli_reports_problems_as_file_line() -> None:
    city = FIXTURES / "city.yaml"
    code, out = _cli(city, "--today", "2026-01-01", "--policy", CITY / "policy.yaml")
    assert (code, out) == (0, "")
    code, out = _cli(
        city, FIXTURES / "bad_refs.yaml", "-p", CITY / "policy.yaml", "--today", "2026-11-28"
    )
    assert code == 2
    assert out.splitlines() == [
        f"{city}:26: waiver W-2025-007 expired on 2026-03-31",
        f"{FIXTURES / 'bad_refs.yaml'}:9: duplicate waiver id 'W-1' (first at line 2)",
        f"{FIXTURES / 'bad_refs.yaml'}:12: undefined zone 'mynumbr' in W-1",
    ]
    assert _cli(FIXTURES / "missing.yaml")[0] == 2
