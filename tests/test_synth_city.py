"""The synthetic city generator of the end-to-end benchmark is itself tested.

A small city must parse completely, audit without errors, and the deviations the generator
plants (``planted.json``) must be reported at the lines it names; the same city without them
must give those checks nothing to report, so every planted finding is due to its planted line.
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


def _audit(out: Path, *, plant: bool) -> tuple[AuditResult, dict[str, Any]]:
    snap, pol_path, inv_path = synth.generate(N, SEED, out, plant=plant)
    policy = load_policy(pol_path)
    inventory = load_inventory(inv_path)
    assert inventory.check_zones(policy) == []
    result, _ = audit(snap, policy, inventory=inventory, today=TODAY)
    meta = json.loads((out / "planted.json").read_text(encoding="utf-8"))
    return result, meta


@pytest.fixture(scope="module")
def planted_city(tmp_path_factory: pytest.TempPathFactory) -> tuple[AuditResult, dict[str, Any]]:
    return _audit(tmp_path_factory.mktemp("city"), plant=True)


@pytest.fixture(scope="module")
def clean_city(tmp_path_factory: pytest.TempPathFactory) -> tuple[AuditResult, dict[str, Any]]:
    return _audit(tmp_path_factory.mktemp("clean"), plant=False)


def test_deterministic_and_sized(tmp_path: Path) -> None:
    a = synth.build_city(120, 3)
    b = synth.build_city(120, 3)
    c = synth.build_city(120, 4)
    assert len(a.configs) == 120
    assert [x.lines for x in a.configs] == [x.lines for x in b.configs]
    assert [x.lines for x in a.configs] != [x.lines for x in c.configs]
    platforms = {x.platform for x in a.configs}
    assert platforms == {"cisco_ios", "nec_ix", "yamaha", "fortinet"}


def test_policy_and_inventory_validate(tmp_path: Path) -> None:
    _, pol_path, inv_path = synth.generate(N, SEED, tmp_path)
    policy = load_policy(pol_path)
    assert lint_policy(policy, today=TODAY) == []
    inventory = load_inventory(inv_path)
    assert len(inventory.devices) == N
    assert inventory.check_zones(policy) == []


def test_every_line_understood(planted_city: tuple[AuditResult, dict[str, Any]]) -> None:
    result, _ = planted_city
    assert len(result.coverage) == N
    partial = {c.device: c.unrecognized[:3] for c in result.coverage if c.unrecognized}
    assert partial == {}
    assert not result.problems


def test_audit_runs_without_errors(planted_city: tuple[AuditResult, dict[str, Any]]) -> None:
    result, _ = planted_city
    broken = [(f.check, f.message.en) for f in result.findings if f.status is Status.ERROR]
    unknown = [(f.check, f.device, f.message.en) for f in result.findings if f.check == "PARSE"]
    assert broken == []
    assert unknown == []


def _cites(result: AuditResult, check: str, file: str, line: int) -> bool:
    return any(
        f.check == check
        and f.status is Status.FAIL
        and any(Path(e.file).name == file and e.line == line for e in f.evidence)
        for f in result.findings
    )


def test_planted_deviations_are_found(planted_city: tuple[AuditResult, dict[str, Any]]) -> None:
    """Each planted line is cited by its primary check, and by the others once they exist."""
    result, meta = planted_city
    planted = meta["planted"]
    assert len(planted) == 7
    registered = {c.meta.id for c in all_checks()}
    assert {p["checks"][0] for p in planted} <= registered
    missing = [
        (p["id"], check)
        for p in planted
        for check in [p["checks"][0], *(c for c in p["checks"][1:] if c in registered)]
        if not _cites(result, check, p["file"], p["line"])
    ]
    assert missing == []


def test_clean_city_gives_the_planted_checks_nothing(
    planted_city: tuple[AuditResult, dict[str, Any]],
    clean_city: tuple[AuditResult, dict[str, Any]],
) -> None:
    _, meta = planted_city
    result, clean_meta = clean_city
    assert clean_meta["planted"] == []
    watched = {c for p in meta["planted"] for c in p["checks"]} | {
        "MYN-002",
        "MYN-003",
        "LGW-001",
        "LGW-003",
        "POL-001",
    }
    failing = sorted(
        (f.check, f.device or "", f.zone_from or "", f.zone_to or "")
        for f in result.findings
        if f.status is Status.FAIL and f.check in watched
    )
    assert failing == []
