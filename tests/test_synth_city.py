"""The synthetic city generator of the end-to-end benchmark is itself tested.

A small city must parse completely and audit without errors; the deviations the generator
plants (``planted.json``) must be reported at the lines it names, its traps must not be, and
the same city without them must give the flow checks nothing to report — so every planted
finding is due to its planted line. Each city is audited with and without NAT on the
FortiGate.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from checks import all_checks
from netaudit.engine import audit
from netaudit.inventory import load_inventory
from netaudit.policy import lint_policy, load_policy
from netaudit.result import AuditResult, Status

ROOT = Path(__file__).resolve().parents[1]
N = 50
SEED = 7
TODAY = dt.date(2026, 4, 1)  # before every review date the generator writes
# Checks about what crosses between zones: the clean city gives them nothing to report.
FLOW_CHECKS = {
    "MYN-001",
    "MYN-002",
    "MYN-003",
    "LGW-001",
    "LGW-002",
    "LGW-003",
    "INT-001",
    "INT-002",
    "INT-003",
    "POL-001",
    "SEP-001",
    "SEP-002",
    "BET-001",
    "SC-005",
}

Audited = tuple[AuditResult, dict[str, Any], bool]

# Planted deviations the engine does not find yet, with why (strict xfails until found). Found
# since: P8 (a VIP: FortiGate policies match the external address before the translation).
KNOWN_GAPS: dict[str, str] = {}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "synth_city", ROOT / "benchmarks" / "synth_city.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["synth_city"] = mod
    spec.loader.exec_module(mod)
    return mod


synth = _generator()


def _audit(out: Path, *, plant: bool, nat: bool) -> Audited:
    snap, pol_path, inv_path = synth.generate(N, SEED, out, plant=plant, nat=nat)
    policy = load_policy(pol_path)
    inventory = load_inventory(inv_path)
    assert inventory.check_zones(policy) == []
    result, analysis = audit(snap, policy, inventory=inventory, today=TODAY)
    meta = json.loads((out / "planted.json").read_text(encoding="utf-8"))
    end_to_end = getattr(analysis, "paths", None) is not None
    return result, meta, end_to_end


@pytest.fixture(scope="module", params=[True, False], ids=["nat", "no-nat"])
def nat(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture(scope="module")
def planted_city(tmp_path_factory: pytest.TempPathFactory, nat: bool) -> Audited:
    return _audit(tmp_path_factory.mktemp("city"), plant=True, nat=nat)


@pytest.fixture(scope="module")
def clean_city(tmp_path_factory: pytest.TempPathFactory, nat: bool) -> Audited:
    return _audit(tmp_path_factory.mktemp("clean"), plant=False, nat=nat)


def test_deterministic_and_sized() -> None:
    a = synth.build_city(120, 3)
    b = synth.build_city(120, 3)
    c = synth.build_city(120, 4)
    assert len(a.configs) == 120
    assert [x.lines for x in a.configs] == [x.lines for x in b.configs]
    assert [x.lines for x in a.configs] != [x.lines for x in c.configs]
    assert {x.platform for x in a.configs} == {"cisco_ios", "nec_ix", "yamaha", "fortinet"}
    big = synth.plan(2000)
    assert big.two_cores and big.acl_entries == 2000
    assert sum(big.branches.values()) + sum(big.access.values()) + 10 == 2000


def test_nat_only_on_the_fortigate_and_only_when_asked() -> None:
    with_nat = {c.name: c.lines for c in synth.build_city(60, 1).configs}
    without = {c.name: c.lines for c in synth.build_city(60, 1, nat=False).configs}
    assert [n for n in with_nat if with_nat[n] != without[n]] == ["inet-fgt"]
    assert any("set nat enable" in line for line in with_nat["inet-fgt"])
    assert not any("nat enable" in line or "firewall vip" in line for line in without["inet-fgt"])


def test_policy_and_inventory_validate(tmp_path: Path) -> None:
    _, pol_path, inv_path = synth.generate(N, SEED, tmp_path)
    policy = load_policy(pol_path)
    assert lint_policy(policy, today=TODAY) == []
    inventory = load_inventory(inv_path)
    assert len(inventory.devices) == N
    assert inventory.check_zones(policy) == []


def test_every_line_understood(planted_city: Audited) -> None:
    result, _, _ = planted_city
    assert len(result.coverage) == N
    partial = {c.device: c.unrecognized[:3] for c in result.coverage if c.unrecognized}
    assert partial == {}
    assert not result.problems


def test_audit_runs_without_errors(planted_city: Audited) -> None:
    result, _, _ = planted_city
    broken = [(f.check, f.message.en) for f in result.findings if f.status is Status.ERROR]
    unknown = [(f.check, f.device, f.message.en) for f in result.findings if f.check == "PARSE"]
    assert broken == []
    assert unknown == []


def _citing(result: AuditResult, checks: set[str], file: str, line: int) -> set[str]:
    return {
        f.check
        for f in result.findings
        if f.check in checks
        and f.status is Status.FAIL
        and any(Path(e.file).name == file and e.line == line for e in f.evidence)
    }


def _missing(result: AuditResult, planted: list[dict[str, Any]]) -> list[tuple[str, str]]:
    registered = {c.meta.id for c in all_checks()}
    assert {p["checks"][0] for p in planted} <= registered
    missing = []
    for p in planted:
        wanted = {p["checks"][0], *(c for c in p["checks"][1:] if c in registered)}
        missing += [(p["id"], c) for c in wanted - _citing(result, wanted, p["file"], p["line"])]
    return missing


def test_planted_deviations_are_found(planted_city: Audited, nat: bool) -> None:
    """Each planted line is cited by its primary check, and by the others once they exist."""
    result, meta, _ = planted_city
    planted = meta["planted"]
    assert len(planted) == (8 if nat else 7)
    assert _missing(result, [p for p in planted if p["id"] not in KNOWN_GAPS]) == []


def test_planted_deviation_behind_a_vip_is_found(tmp_path: Path) -> None:
    """P8 is seen only once the VIP's destination NAT is followed to the internal server."""
    result, meta, end_to_end = _audit(tmp_path, plant=True, nat=True)
    assert end_to_end, "needs the end-to-end analysis"
    vip = [p for p in meta["planted"] if p["id"] == "P8-VIP-VENDOR-RDP"]
    assert vip and _missing(result, vip) == []


# A packet to a マイナンバー系 address that leaves by the FortiGate's default route towards the
# security cloud does not reach the マイナンバー系: no MYN-001 but the planted SVI's.
def test_only_the_planted_svi_joins_the_internet_and_mynumber(planted_city: Audited) -> None:
    result, meta, _ = planted_city
    svi = next(p for p in meta["planted"] if p["id"] == "P3-MYN-INET-SVI")
    stray = [
        (f.device, f.zone_from, f.zone_to)
        for f in result.findings
        if f.check == "MYN-001"
        and f.status is Status.FAIL
        and not any(Path(e.file).name == svi["file"] and e.line == svi["line"] for e in f.evidence)
    ]
    assert stray == []


def test_traps_are_not_reported(planted_city: Audited) -> None:
    """A trap that only an end-to-end analysis sees through is checked when paths exist."""
    result, meta, end_to_end = planted_city
    traps = meta["traps"]
    assert {t["id"] for t in traps} == {
        "T1-MASKED-MYN",
        "T2-DISABLED-ALLOW-ALL",
        "T3-UNBOUND-FILTER",
    }
    judged = [t for t in traps if end_to_end or not t["end_to_end"]]
    reported = {t["id"]: sorted(_citing(result, FLOW_CHECKS, t["file"], t["line"])) for t in judged}
    assert reported == {t["id"]: [] for t in judged}


def test_clean_city_gives_the_flow_checks_nothing(clean_city: Audited) -> None:
    result, meta, _ = clean_city
    assert meta["planted"] == [] and meta["traps"] == []
    failing = sorted(
        (f.check, f.device or "", f.zone_from or "", f.zone_to or "")
        for f in result.findings
        if f.status is Status.FAIL and f.check in FLOW_CHECKS
    )
    assert failing == []
