"""Meta-test of the check catalog: every check has a unique ID, fixtures and documentation.

The user documentation of a check is its metadata and docstring (``netaudit explain``), so
they are tested like code: present in both languages, reachable from the CLI.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner

import checks
from checks import BUILTIN, DuplicateCheckError, all_checks
from checks.base import Check, CheckContext, CheckMeta
from netaudit.cli import app
from netaudit.engine import snapshot_files
from netaudit.parsers import PLATFORMS
from netaudit.result import Finding, Severity, Text
from tests.checks.test_check_fixtures import load_fixture

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
DOCS = ROOT / "docs" / "checks"
ID_RE = re.compile(r"^[A-Z][A-Z0-9]{1,3}-\d{3}$")
FOLDER_RE = re.compile(r"^(?P<check>[A-Z][A-Z0-9]{1,3}-\d{3})(?:-[a-z0-9-]+)?$")
SUBJECT_PREFIXES = ("pass_", "fail_", "unknown_")
NON_CONFIG_FILES = frozenset({"policy.yaml", "manifest.json"})
IDS = [c.meta.id for c in BUILTIN]
WIDE = {"COLUMNS": "240"}  # rich wraps at the terminal width; keep titles on one line


def _squash(text: str) -> str:
    """Without any whitespace: robust against rich wrapping Japanese text anywhere."""
    return "".join(text.split())


def test_ids_are_unique_and_well_formed() -> None:
    """IDs look like ``MYN-001`` and no two built-ins share one."""
    assert len(IDS) == len(set(IDS)), IDS
    for cid in IDS:
        assert ID_RE.match(cid), cid


# Checks that cannot have both a pass and a fail fixture, and why. Keep it empty if you can.
FIXTURE_EXCEPTIONS: dict[str, str] = {}


def _folders_of(check_id: str) -> list[Path]:
    return [
        p
        for p in sorted(FIXTURES.iterdir())
        if p.is_dir() and (m := FOLDER_RE.match(p.name)) and m["check"] == check_id
    ]


@pytest.mark.parametrize("check", BUILTIN, ids=IDS)
def test_every_check_has_pass_and_fail_fixtures(check: Check) -> None:
    """``fixtures/<ID>[-variant]/`` folders with at least one ``pass_*`` and one ``fail_*``.

    A subject is a device file (any platform) or, for checks of the policy itself, a named
    policy entry (see ``test_check_fixtures``).
    """
    if check.meta.id in FIXTURE_EXCEPTIONS:
        pytest.skip(FIXTURE_EXCEPTIONS[check.meta.id])
    folders = _folders_of(check.meta.id)
    assert folders, f"no fixtures/{check.meta.id}[-variant]/ folder"
    subjects = [s for folder in folders for s in load_fixture(folder).subjects]
    assert any(s.startswith("pass_") for s in subjects), subjects
    assert any(s.startswith("fail_") for s in subjects), subjects


def test_fixture_exceptions_name_real_checks_with_reasons() -> None:
    """The exception set is justified and not stale."""
    for cid, reason in FIXTURE_EXCEPTIONS.items():
        assert cid in IDS and reason.strip(), cid


def test_every_fixture_folder_belongs_to_a_check_and_names_its_subjects() -> None:
    """No orphan folders; every config is a ``pass_``/``fail_``/``unknown_`` subject."""
    folders = [p for p in FIXTURES.iterdir() if p.is_dir()]
    assert folders
    for folder in folders:
        m = FOLDER_RE.match(folder.name)
        assert m and m["check"] in IDS, f"{folder.name} belongs to no built-in check"
        assert (folder / "policy.yaml").is_file(), folder
        configs = {sf.path.name for sf in snapshot_files(folder)}
        for f in folder.iterdir():
            if f.name in NON_CONFIG_FILES:
                continue
            assert f.name in configs, f"{f}: not a config file the engine reads"
            assert f.stem.startswith(SUBJECT_PREFIXES), f


@pytest.mark.parametrize("check", BUILTIN, ids=IDS)
def test_every_check_is_documented(check: Check) -> None:
    """Docstring first line starts with the ID; titles, basis, summary and fix are filled in."""
    meta = check.meta
    doc = (type(check).__doc__ or "").strip()
    assert doc, f"{meta.id} has no docstring"
    first = doc.splitlines()[0]
    assert first.startswith(f"{meta.id}:"), first
    assert len(first) > len(meta.id) + 10, "the first line says what the check verifies"
    for text in (meta.title, meta.fix):
        assert text.ja.strip() and text.en.strip(), meta
        assert text.ja != text.en, "the Japanese text is a translation, not a copy"
    assert meta.basis and all(b.strip() for b in meta.basis), meta
    assert meta.summary_ja.strip(), meta
    assert meta.family.strip(), meta
    assert isinstance(meta.severity, Severity)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("check", all_checks(), ids=[c.meta.id for c in all_checks()])
def test_explain_prints_the_title(check: Check, lang: str) -> None:
    """``netaudit explain ID --lang ja|en`` shows the title, basis and fix in that language."""
    result = CliRunner().invoke(app, ["explain", check.meta.id, "--lang", lang], env=WIDE)
    assert result.exit_code == 0, result.output
    out = _squash(result.output)
    assert check.meta.id in out
    assert _squash(check.meta.title.get(lang)) in out
    assert _squash(check.meta.fix.get(lang)) in out
    assert _squash(check.meta.basis[0]) in out


def test_explain_accepts_lower_case_and_refuses_unknown_ids() -> None:
    """IDs are case-insensitive; an unknown ID is a usage error (exit 2)."""
    runner = CliRunner()
    ok = runner.invoke(app, ["explain", IDS[0].lower(), "--lang", "en"], env=WIDE)
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["explain", "ZZZ-999", "--lang", "en"], env=WIDE)
    assert bad.exit_code == 2


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_checks_lists_every_id(lang: str) -> None:
    """``netaudit checks`` lists every built-in check with its title and platforms."""
    result = CliRunner().invoke(app, ["checks", "--lang", lang], env=WIDE)
    assert result.exit_code == 0, result.output
    out = _squash(result.output)
    for c in BUILTIN:
        assert c.meta.id in out
        assert _squash(c.meta.title.get(lang)) in out
        assert _squash(", ".join(c.meta.platforms)) in out


def test_checks_json_lists_family_severity_and_platforms() -> None:
    """``netaudit checks --format json``: one object per check, in catalog order."""
    result = CliRunner().invoke(app, ["checks", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["id"] for d in data] == [c.meta.id for c in all_checks()]
    for d, c in zip(data, all_checks(), strict=True):
        assert d["family"] == c.meta.family
        assert d["severity"] == c.meta.severity.value
        assert d["platforms"] == list(c.meta.platforms)
        assert d["title"] == {"ja": c.meta.title.ja, "en": c.meta.title.en}


@pytest.mark.parametrize("check", BUILTIN, ids=IDS)
def test_platforms_are_known(check: Check) -> None:
    """A check covers ``all`` platforms, only the ``policy``, or named registry platforms."""
    platforms = check.meta.platforms
    assert platforms, check.meta.id
    if platforms not in (("all",), ("policy",)):
        assert set(platforms) <= set(PLATFORMS), platforms


def test_check_docs_are_current() -> None:
    """docs/checks/ is what ``scripts/gen_check_docs.py`` generates now (a page per check)."""
    gen = _docs_script()
    assert gen.main(["--check"]) == 0, (
        f"stale: {gen.stale()}; run .venv/bin/python scripts/gen_check_docs.py"
    )
    for c in all_checks():
        assert (DOCS / f"{c.meta.id}.md").is_file(), c.meta.id


def test_check_docs_page_carries_the_metadata() -> None:
    """A page shows both titles, the severity, the basis, the docstring and both fixes."""
    gen = _docs_script()
    for c in BUILTIN:
        text = gen.page(c)
        m = c.meta
        for part in (m.id, m.title.ja, m.title.en, m.severity.value, m.family, m.fix.ja, m.fix.en):
            assert part in text, (m.id, part)
        assert all(b in text for b in m.basis)
        first = (type(c).__doc__ or "").strip().splitlines()[0]
        assert first in text


def test_check_docs_check_mode_catches_a_stale_page(tmp_path: Path) -> None:
    """``--check`` notices a changed page and a page for a check that does not exist."""
    gen = _docs_script()
    for name, text in gen.render().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert gen.stale(tmp_path) == []
    first = f"{IDS[0]}.md"
    (tmp_path / first).write_text("edited by hand\n", encoding="utf-8")
    (tmp_path / "ZZZ-999.md").write_text("gone\n", encoding="utf-8")
    assert gen.stale(tmp_path) == [first, "ZZZ-999.md"]


def _docs_script() -> ModuleType:
    """scripts/gen_check_docs.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("gen_check_docs", SCRIPTS / "gen_check_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- third-party checks through entry points ---------------------------------------------------


class _ThirdParty:
    """XYZ-001: a third-party check used to test registration (reports nothing)."""

    def __init__(self, check_id: str = "XYZ-001") -> None:
        self.meta = CheckMeta(
            id=check_id,
            family="test",
            title=Text(ja="テスト用", en="For tests"),
            severity=Severity.INFO,
            basis=("test",),
            summary_ja="テスト用のチェックです。",
            fix=Text(ja="なし", en="none"),
        )

    def run(self, ctx: CheckContext) -> list[Finding]:
        """Nothing to report."""
        return []


class _Shadow(_ThirdParty):
    """MYN-001: a third-party check claiming a built-in ID."""

    def __init__(self) -> None:
        super().__init__(BUILTIN[1].meta.id)


@dataclass(frozen=True)
class _EntryPoint:
    name: str
    target: Any

    def load(self) -> Any:
        return self.target


def _fake_entry_points(monkeypatch: pytest.MonkeyPatch, *eps: _EntryPoint) -> None:
    def entry_points(*, group: str) -> tuple[_EntryPoint, ...]:
        assert group == "netaudit.checks"
        return eps

    monkeypatch.setattr(checks, "entry_points", entry_points)


def test_all_checks_appends_third_party_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A class or an instance under ``netaudit.checks`` comes after the built-ins."""
    _fake_entry_points(
        monkeypatch,
        _EntryPoint("cls", _ThirdParty),
        _EntryPoint("obj", _ThirdParty("XYZ-002")),
    )
    found = all_checks()
    assert [c.meta.id for c in found] == [*IDS, "XYZ-001", "XYZ-002"]


def test_all_checks_refuses_a_duplicate_id(monkeypatch: pytest.MonkeyPatch) -> None:
    """A third-party check may not shadow a built-in one."""
    _fake_entry_points(monkeypatch, _EntryPoint("shadow", _Shadow))
    with pytest.raises(DuplicateCheckError, match=BUILTIN[1].meta.id):
        all_checks()


def test_all_checks_refuses_two_plugins_with_one_id(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nor may two plugins share an ID."""
    _fake_entry_points(monkeypatch, _EntryPoint("a", _ThirdParty), _EntryPoint("b", _ThirdParty()))
    with pytest.raises(DuplicateCheckError, match="XYZ-001"):
        all_checks()
