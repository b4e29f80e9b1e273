"""MGT checks: fixture folders (exact pass/fail/unknown sets), platform defaults, not-applicable.

The fixture folders ``fixtures/MGT-0xx/`` are also run by the shared harness
(``test_check_fixtures.py``); here they are audited with their check and every finding's
evidence is compared with the config line it cites (redacted where the line holds a secret).
Multi-platform cases are small configs written to a temporary snapshot, so each platform's
default the checks rely on is pinned by a test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from netaudit.engine import audit
from netaudit.parsers.base import redact
from netaudit.policy import load_policy
from netaudit.result import AuditResult, Finding, Status

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 1, 15)
FAMILY_PREFIXES = ("MGT-",)


def run(folder: Path, check: str) -> AuditResult:
    """Audit a snapshot folder with one check."""
    result, _ = audit(folder, load_policy(folder / "policy.yaml"), only=[check], today=TODAY)
    return result


def by_status(result: AuditResult, check: str) -> dict[Status, set[str]]:
    """Devices per status of ``check``'s findings."""
    out: dict[Status, set[str]] = {}
    for f in result.findings:
        if f.check == check:
            out.setdefault(f.status, set()).add(f.device)
    return out


def folders(prefixes: tuple[str, ...]) -> list[Path]:
    """This family's fixture folders."""
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith(prefixes))


def check_folder(folder: Path) -> None:
    """Exactly the fail_/unknown_ devices fail/are unknown; evidence cites real lines."""
    check = "-".join(folder.name.split("-")[:2])
    result = run(folder, check)
    assert result.checks_run == (check,)
    devices = {p.stem for p in folder.iterdir() if p.name != "policy.yaml"}
    got = by_status(result, check)
    for status in (Status.FAIL, Status.UNKNOWN):
        want = {d for d in devices if d.startswith(f"{status.value}_")}
        assert got.get(status, set()) == want, (status, got)
    assert not got.get(Status.ERROR)
    for c in result.coverage:
        assert not c.unrecognized, (c.device, c.unrecognized)
        assert not c.warnings, (c.device, c.warnings)
    for f in result.findings:
        assert_evidence(folder, f)


def assert_evidence(folder: Path, f: Finding) -> None:
    """Each evidence line is the (redacted) text of that line of the device's file."""
    assert f.fingerprint and f.basis and f.policy_ref is not None
    for e in f.evidence:
        lines = Path(e.file).read_text(encoding="utf-8").splitlines()
        assert Path(e.file).parent.resolve() == folder.resolve()
        line = lines[e.line - 1].strip()
        assert e.text in (line, redact(line)), (e, line)
        if e.text != line:
            assert "<redacted>" in e.text


@pytest.mark.parametrize("folder", folders(FAMILY_PREFIXES), ids=lambda p: p.name)
def test_fixture_folder(folder: Path) -> None:
    """Each MGT fixture folder behaves as its file names say."""
    check_folder(folder)
