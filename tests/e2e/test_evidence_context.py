"""Evidence carries the lines around it, and a secret next to a deciding line stays secret."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from netaudit.cli import app

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "examples" / "sakuradai" / "policy.yaml"

ROUTER = """hostname rtr
interface GigabitEthernet0/0
 ip address 10.10.255.2 255.255.255.252
 ip access-group OUT in
interface GigabitEthernet0/1
 ip address 10.20.255.1 255.255.255.252
ip route 10.10.0.0 255.255.0.0 10.10.255.1
ip route 10.20.0.0 255.255.0.0 10.20.255.2
ip access-list extended OUT
 10 permit tcp 10.10.10.0 0.0.0.255 host 10.20.20.30 eq 445
snmp-server community S3cretCommunity RO
end
"""


def test_context_lines_are_shown_and_redacted(tmp_path: Path) -> None:
    snap = tmp_path / "snap"
    snap.mkdir()
    (snap / "rtr.cfg").write_text(ROUTER, encoding="utf-8")
    for fmt in ("json", "html", "console", "markdown", "sarif", "junit"):
        r = CliRunner().invoke(app, ["audit", str(snap), "--policy", str(POLICY), "-f", fmt])
        assert r.exit_code == 1, (fmt, r.stderr)
        assert "S3cretCommunity" not in r.stdout, fmt
    r = CliRunner().invoke(app, ["audit", str(snap), "--policy", str(POLICY), "-f", "json"])
    finding = next(f for f in json.loads(r.stdout)["findings"] if f["check"] == "MYN-002")
    ev = next(e for e in finding["evidence"] if e["line"] == 10)
    ctx = {c["line"]: c["text"] for c in ev["context"]}
    assert ctx[9] == "ip access-list extended OUT"
    assert ctx[11].startswith("snmp-server community") and "<redacted>" in ctx[11]
    html = CliRunner().invoke(app, ["audit", str(snap), "--policy", str(POLICY), "-f", "html"])
    assert "ip access-list extended OUT" in html.stdout
