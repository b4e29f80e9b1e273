"""Broken firewall configs: a warning with its line, a partial model, verdict incomplete."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from netaudit.cli import app

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "examples" / "sakuradai"
runner = CliRunner()

FORTI_UNDEFINED = """config system global
    set hostname "fw-x"
end
config system interface
    edit "port1"
        set vdom "root"
        set ip 10.20.255.10 255.255.255.252
    next
    edit "port2"
        set vdom "root"
        set ip 10.30.255.1 255.255.255.252
    next
end
config firewall policy
    edit 1
        set srcintf "port2"
        set dstintf "port1"
        set action accept
        set srcaddr "NEVER-DEFINED"
        set dstaddr "all"
        set schedule "always"
        set service "HTTPS"
    next
end
config router static
    edit 1
        set dst 10.20.0.0 255.255.0.0
        set gateway 10.20.255.9
        set device "port1"
    next
end
"""

PAN_TRUNCATED = """<?xml version="1.0"?>
<config version="10.1.0">
  <devices>
    <entry name="localhost.localdomain">
      <deviceconfig><system><hostname>pa-x</hostname></system></deviceconfig>
      <network>
        <interface>
          <ethernet>
            <entry name="ethernet1/1"><layer3><ip><entry name="10.30.255.6/30"/></ip></layer3></entry>
"""


def audit(tmp_path: Path, name: str, text: str) -> tuple[int, str, str]:
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / name).write_text(text, encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "audit",
            str(snap),
            "--policy",
            str(CITY / "policy.yaml"),
            "--lang",
            "en",
            "-v",
            "--fail-on",
            "never",
            # These minimal configs are not hardened (no syslog, no NTP): only the catch-all
            # flow check runs, so the verdict is about what the input let netaudit see.
            "--check",
            "POL-001",
        ],
    )
    return result.exit_code, result.stdout, result.stderr


def test_undefined_object_in_a_policy_makes_the_audit_incomplete(tmp_path: Path) -> None:
    code, out, _ = audit(tmp_path, "fw-x.conf", FORTI_UNDEFINED)
    assert code == 3
    assert "incomplete" in out.lower()
    assert "NEVER-DEFINED" in out
    assert "fortinet" in out


def test_truncated_xml_is_a_partial_model_and_incomplete(tmp_path: Path) -> None:
    code, out, err = audit(tmp_path, "pa-x.xml", PAN_TRUNCATED)
    assert code == 3
    assert "Traceback" not in out + err
    assert "paloalto_panos" in out
    assert "incomplete" in out.lower()
