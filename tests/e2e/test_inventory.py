"""The inventory: platform pins, zone hints, devices not collected, bad inventories."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from netaudit.cli import app
from netaudit.inventory import load_inventory

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "examples" / "sakuradai"
runner = CliRunner()


def audit(*extra: str, snapshot: Path = CITY / "snapshot") -> tuple[int, str, str]:
    r = runner.invoke(
        app,
        ["audit", str(snapshot), "--policy", str(CITY / "policy.yaml"), "--lang", "en", *extra],
    )
    return r.exit_code, r.stdout, r.stderr


def test_example_inventory_loads_with_groups_applied() -> None:
    inv = load_inventory(CITY / "inventory.yaml")
    assert len(inv.devices) == 12
    core = inv.device("myn-core")
    assert core is not None and core.platform == "cisco_ios" and core.port == 22
    assert core.tags == ("switch", "mynumber")
    assert inv.platforms()["inet-pa"] == "paloalto_panos"


def test_audit_with_the_example_inventory_is_unchanged() -> None:
    plain = audit("-f", "json")
    with_inv = audit("-f", "json", "--inventory", str(CITY / "inventory.yaml"))
    assert plain[0] == with_inv[0] == 1
    assert plain[1].count('"check"') == with_inv[1].count('"check"')


def test_zone_hint_overrides_the_subnet_and_vlan_mapping(tmp_path: Path) -> None:
    inv = tmp_path / "inv.yaml"
    inv.write_text(
        "devices:\n  - name: lgwan-acc1\n    zones: {GigabitEthernet1/0/20: lgwan}\n",
        encoding="utf-8",
    )
    code, out, _ = audit(
        "-f", "json", "--check", "SEP-001", "--inventory", str(inv), "--fail-on", "low"
    )
    assert code == 0  # an inventory need not list every device
    assert [f["check"] for f in json.loads(out)["findings"]] == []  # the AP port is LGWAN now
    code, out, _ = audit("-f", "json", "--check", "SEP-001", "--fail-on", "low")
    assert code == 1 and [f["check"] for f in json.loads(out)["findings"]] == ["SEP-001"]


def test_device_listed_but_not_collected_is_incomplete(tmp_path: Path) -> None:
    snap = tmp_path / "snap"
    shutil.copytree(CITY / "snapshot", snap)
    (snap / "branch-ix.cfg").unlink()
    code, _, err = audit(
        "--inventory", str(CITY / "inventory.yaml"), "--fail-on", "never", snapshot=snap
    )
    assert code == 3
    assert "branch-ix" in err and "no config" in err


def test_platform_pin_is_used(tmp_path: Path) -> None:
    inv = tmp_path / "inv.yaml"
    inv.write_text("devices:\n  - {name: sep-rtr1, platform: nec_ix}\n", encoding="utf-8")
    code, out, _ = audit("-f", "json", "--inventory", str(inv), "-v", "--fail-on", "never")
    assert '"platform": "nec_ix"' in out  # pinned, even though the text is IOS
    # Read as the wrong platform, most lines are not understood: never "complete" (exit 3),
    # and the lines it could not read are findings of their own.
    assert code == 3
    assert any(
        f["check"] == "PARSE" and f["device"] == "sep-rtr1" for f in json.loads(out)["findings"]
    )


def test_bad_inventories_exit_2_with_lines(tmp_path: Path) -> None:
    inv = tmp_path / "inv.yaml"
    inv.write_text(
        "devices:\n"
        "  - name: a\n"
        "    password: hunter2\n"
        "  - {name: b, platform: cisco_ioz}\n"
        "  - {name: c, group: nope}\n"
        "  - {name: a}\n",
        encoding="utf-8",
    )
    code, _, err = audit("--inventory", str(inv))
    assert code == 2
    assert f"{inv}:3" in err and "password" in err
    assert "hunter2" not in err
    inv.write_text(
        "devices:\n  - {name: b, platform: cisco_ioz}\n  - {name: c, group: nope}\n  - {name: b}\n",
        encoding="utf-8",
    )
    code, _, err = audit("--inventory", str(inv))
    assert code == 2
    assert f"{inv}:2" in err and "cisco_ioz" in err
    assert f"{inv}:3" in err and "nope" in err
    assert f"{inv}:4" in err and "twice" in err


def test_zone_hint_to_an_undeclared_zone_is_refused(tmp_path: Path) -> None:
    inv = tmp_path / "inv.yaml"
    inv.write_text("devices:\n  - {name: sep-rtr1, zones: {Gi0/9: nowhere}}\n", encoding="utf-8")
    code, _, err = audit("--inventory", str(inv))
    assert code == 2 and "nowhere" in err
