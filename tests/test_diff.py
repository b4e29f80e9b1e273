"""新旧比較 on the example city: a planted deviation fixed, a new hole opened.

AFTER is a copy of the example snapshot where sep-rtr1's ``MYN-OUT 30`` (SMB from the
マイナンバー系 terminals to the LGWAN file server, planted deviation B) is removed and lgwan-rtr's
Yamaha LGWAN-side filter list gains ``ip filter 202``: RDP from the LGWAN to the マイナンバー系 VDI.
Rule hygiene sees both lines too: ``ip filter 202`` is a new cross-zone permit that does not log,
and ``MYN-OUT 30`` was one (RUL-004 new on lgwan-rtr, fixed on sep-rtr1).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from netaudit.commands.diff import register
from netaudit.diff import Change, DiffResult, as_result, diff
from netaudit.flow import Packet
from netaudit.policy import load_policy
from netaudit.result import Status
from reports import FORMATS, RenderOptions, render

ROOT = Path(__file__).resolve().parents[1]
CITY = ROOT / "examples" / "sakuradai"
TODAY = dt.date(2026, 11, 28)
SMB_LINE = " 30 permit tcp 10.10.10.0 0.0.0.255 host 10.20.20.30 eq 445\n"
NEW_FILTER = "ip filter 202 pass 198.51.100.0/24 10.20.20.50 tcp * 3389"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def after(tmp_path_factory: pytest.TempPathFactory) -> Path:
    snap = tmp_path_factory.mktemp("after") / "snapshot"
    shutil.copytree(CITY / "snapshot", snap)
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
    return snap


@pytest.fixture(scope="module")
def result(after: Path) -> DiffResult:
    return diff(CITY / "snapshot", after, load_policy(CITY / "policy.yaml"), TODAY)


def _tcp(src: str, dst: str, dport: int) -> Packet:
    return Packet(
        proto=6,
        src=ipaddress.ip_address(src),
        dst=ipaddress.ip_address(dst),
        sport=50000,
        dport=dport,
    )


def test_findings_new_fixed_unchanged(result: DiffResult) -> None:
    new = {(f.check, f.device, f.zone_from, f.zone_to, f.status) for f in result.new}
    fixed = {(f.check, f.device, f.zone_from, f.zone_to) for f in result.fixed}
    assert new == {
        ("POL-001", "lgwan-rtr", "lgwan_wan", "lgwan", Status.FAIL),
        ("RUL-004", "lgwan-rtr", "", "", Status.FAIL),
    }
    assert fixed == {("MYN-002", "sep-rtr1", "mynumber", "lgwan"), ("RUL-004", "sep-rtr1", "", "")}
    # Everything else is the same finding, even where line numbers moved (sep-rtr1 MYN-OUT 40).
    assert len(result.unchanged) == len(result.before.findings) - 2
    assert len(result.after.findings) == len(result.before.findings)
    moved = next(
        f
        for f in result.unchanged
        if (f.check, f.device, f.zone_to) == ("MYN-003", "sep-rtr1", "lgwan_wan")
    )
    assert {e.text.strip() for e in moved.evidence} >= {
        "40 permit tcp any host 198.51.100.30 eq 443"
    }
    assert [f.check for f in result.new_failing(result.new[0].severity)] == ["POL-001"]


def test_added_flow_is_exactly_the_new_hole(result: DiffResult) -> None:
    assert [(c.zone_from, c.zone_to) for c in result.added] == [("lgwan_wan", "lgwan")]
    added = result.added[0]
    assert added.change is Change.ADDED
    assert added.packets.contains(_tcp("198.51.100.77", "10.20.20.50", 3389))
    assert not added.packets.contains(_tcp("198.51.100.77", "10.20.20.50", 3390))
    assert not added.packets.contains(_tcp("198.51.100.77", "10.20.20.51", 3389))
    assert not added.packets.contains(_tcp("192.0.2.1", "10.20.20.50", 3389))
    assert added.packets.contains(added.example)
    assert added.example.dst == ipaddress.ip_address("10.20.20.50") and added.example.dport == 3389
    assert added.devices == ("lgwan-rtr",)
    (hop,) = added.hops
    assert (hop.in_interface, hop.out_interface) == ("lan2", "lan1")
    assert [(e.role, e.text, e.line) for e in hop.evidence] == [("permit", NEW_FILTER, 31)]


def test_removed_flow_is_exactly_the_fixed_deviation(result: DiffResult) -> None:
    assert [(c.zone_from, c.zone_to) for c in result.removed] == [("mynumber", "lgwan")]
    removed = result.removed[0]
    assert removed.packets.contains(_tcp("10.10.10.99", "10.20.20.30", 445))
    assert not removed.packets.contains(_tcp("10.10.10.99", "10.20.20.30", 443))
    assert not removed.packets.contains(_tcp("10.10.11.99", "10.20.20.30", 445))
    assert removed.example.dport == 445
    (hop,) = removed.hops
    assert hop.device == "sep-rtr1"
    assert [(e.role, e.text.strip(), e.line) for e in hop.evidence] == [
        ("permit", SMB_LINE.strip(), 31)
    ]
    assert hop.evidence[0].file.endswith("examples/sakuradai/snapshot/sep-rtr1.cfg")


def test_identical_snapshots_change_nothing() -> None:
    same = diff(CITY / "snapshot", CITY / "snapshot", load_policy(CITY / "policy.yaml"), TODAY)
    assert same.new == () and same.fixed == () and same.added == () and same.removed == ()
    assert len(same.unchanged) == len(same.before.findings)


def test_console_shows_changes_both_languages(result: DiffResult) -> None:
    ja = render("console", as_result(result), RenderOptions(lang="ja", width=200))
    en = render("console", as_result(result), RenderOptions(lang="en", width=200))
    assert "新たな指摘 (2件)" in ja and "解消した指摘 (2件)" in ja
    assert "+ lgwan_wan → lgwan" in en and "- mynumber → lgwan" in en
    assert NEW_FILTER in en


runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def version() -> None:  # a second command keeps typer's subcommand mode
        """Placeholder."""

    return app


def _run(*args: str | Path) -> tuple[int, str]:
    res = runner.invoke(_app(), ["diff", *map(str, args)])
    return res.exit_code, res.stdout


def test_cli_json_and_exit_codes(after: Path, tmp_path: Path) -> None:
    policy = CITY / "policy.yaml"
    code, out = _run(
        CITY / "snapshot",
        after,
        "--policy",
        policy,
        "--format",
        "json",
        "--today",
        "2026-11-28",
        "--fail-on-new",
        "medium",
    )
    assert code == 1  # a new medium finding (POL-001), --fail-on-new medium
    doc = json.loads(out)
    assert doc["schema"] == "netaudit/result/v1"
    new = [f for f in doc["findings"] if f["change"] == "new"]
    fixed = [f for f in doc["findings"] if f["change"] == "fixed"]
    assert [f["check"] for f in new] == ["POL-001", "RUL-004"] and len(fixed) == 2
    added, removed = doc["flow_changes"]
    assert added["kind"] == "added" and added["example_flow"]["dport"] == 3389
    assert removed["kind"] == "removed" and removed["devices"] == ["sep-rtr1"]
    code, _ = _run(CITY / "snapshot", after, "--policy", policy, "--fail-on-new", "critical")
    assert code == 0
    # The reverse change re-opens deviation B (and closes the hole).
    target = tmp_path / "diff.json"
    code, _ = _run(after, CITY / "snapshot", "-p", policy, "-f", "json", "-o", target)
    assert code == 1
    doc = json.loads(target.read_text(encoding="utf-8"))
    new = [f for f in doc["findings"] if f["change"] == "new"]
    assert [(f["check"], f["device"]) for f in new] == [
        ("MYN-002", "sep-rtr1"),
        ("RUL-004", "sep-rtr1"),
    ]


def test_cli_every_format_to_output_dir(after: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    code, stdout = _run(
        CITY / "snapshot",
        after,
        "-p",
        CITY / "policy.yaml",
        "-f",
        ",".join(FORMATS),
        "--output-dir",
        out,
        "--lang",
        "en",
        "--fail-on-new",
        "medium",
    )
    assert code == 1 and stdout == ""
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        f"netaudit-diff.{ext}" for ext in ("txt", "json", "html", "sarif", "xml", "md")
    )
    assert 'id="changes"' in (out / "netaudit-diff.html").read_text(encoding="utf-8")
    sarif = json.loads((out / "netaudit-diff.sarif").read_text(encoding="utf-8"))
    assert "new" in {r.get("baselineState") for r in sarif["runs"][0]["results"]}
    assert '<testsuite name="diff"' in (out / "netaudit-diff.xml").read_text(encoding="utf-8")
    assert "New findings (2)" in (out / "netaudit-diff.md").read_text(encoding="utf-8")
    # Several formats need --output-dir; an unknown format is a usage error.
    assert (
        _run(
            CITY / "snapshot",
            after,
            "-p",
            CITY / "policy.yaml",
            "-f",
            "json,html",
            "-o",
            tmp_path / "x",
        )[0]
        == 2
    )
    assert _run(CITY / "snapshot", after, "-p", CITY / "policy.yaml", "-f", "pdf")[0] == 2


def test_cli_bad_input_and_incomplete(after: Path, tmp_path: Path) -> None:
    policy = CITY / "policy.yaml"
    assert _run(tmp_path / "missing", after, "--policy", policy)[0] == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: gamma\nzones: {}\n", encoding="utf-8")
    assert _run(CITY / "snapshot", after, "--policy", bad)[0] == 2
    broken = tmp_path / "broken"
    shutil.copytree(CITY / "snapshot", broken)
    (broken / "sep-rtr1.cfg").write_bytes(b"\x00\x01\x02 not a config\n")
    code, _ = _run(CITY / "snapshot", broken, "--policy", policy, "--fail-on-new", "never")
    assert code == 3
