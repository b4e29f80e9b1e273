"""The CLI as a user runs it: exit codes, bad input, formats."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netaudit.cli import app

ROOT = Path(__file__).resolve().parents[2]
CITY = ROOT / "examples" / "sakuradai"
POLICY = CITY / "policy.yaml"
runner = CliRunner()

CLEAN_ROUTER = """hostname clean-rtr
interface GigabitEthernet0/0
 ip address 10.20.255.6 255.255.255.252
 ip access-group TO-LGWAN in
interface GigabitEthernet0/1
 ip address 192.0.2.2 255.255.255.252
ip route 198.51.100.0 255.255.255.0 192.0.2.1
ip access-list extended TO-LGWAN
 10 permit tcp host 10.20.20.25 host 198.51.100.25 eq smtp
 20 deny ip any any
"""


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def snapshot(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    snap = tmp_path / "snap"
    snap.mkdir()
    for name, content in files.items():
        path = snap / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return snap


def test_example_fails_with_exit_1() -> None:
    code, out, _ = run("audit", str(CITY / "snapshot"), "--policy", str(POLICY), "--lang", "en")
    assert code == 1
    assert "MYN-001" in out and "sep-rtr1.cfg:31" in out


def test_fail_on_threshold() -> None:
    args = ("audit", str(CITY / "snapshot"), "--policy", str(POLICY))
    assert run(*args, "--fail-on", "critical")[0] == 1  # MYN-001 is critical
    assert run(*args, "--fail-on", "never")[0] == 0
    only_medium = run(*args, "--check", "LGW-003", "--fail-on", "high")
    assert only_medium[0] == 0  # LGW-003 findings are medium


def test_clean_network_exits_0(tmp_path: Path) -> None:
    snap = snapshot(tmp_path, {"clean-rtr.cfg": CLEAN_ROUTER})
    code, out, _ = run("audit", str(snap), "--policy", str(POLICY), "--lang", "en")
    assert code == 0, out
    assert "pass" in out.lower()


def test_json_result(tmp_path: Path) -> None:
    out_file = tmp_path / "r.json"
    code, _, _ = run(
        "audit", str(CITY / "snapshot"), "--policy", str(POLICY), "-f", "json", "-o", str(out_file)
    )
    assert code == 1
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert data["schema"] == "netaudit/result/v1"
    assert data["verdict"] == "fail"
    f = next(f for f in data["findings"] if f["check"] == "MYN-003")
    assert f["example_flow"]["dport"] == 443
    assert f["evidence"][0]["line"] == 33


def test_binary_and_empty_files_make_the_audit_incomplete(tmp_path: Path) -> None:
    snap = snapshot(
        tmp_path,
        {"clean-rtr.cfg": CLEAN_ROUTER, "broken.cfg": b"\x00\x01\x02binary", "empty.cfg": ""},
    )
    code, out, err = run("audit", str(snap), "--policy", str(POLICY), "--lang", "en")
    assert code == 3
    assert "broken.cfg" in err and "binary" in err
    assert "empty.cfg" in err and "empty" in err
    assert "clean-rtr" in out  # the rest was still audited


def test_undetectable_platform(tmp_path: Path) -> None:
    snap = snapshot(tmp_path, {"clean-rtr.cfg": CLEAN_ROUTER, "notes.txt": "hello world\n"})
    code, _, err = run("audit", str(snap), "--policy", str(POLICY))
    assert code == 3
    assert "notes.txt" in err and "platform" in err


def test_shift_jis_config_is_read(tmp_path: Path) -> None:
    text = CLEAN_ROUTER.replace(
        "hostname clean-rtr", "hostname clean-rtr\n! 説明: 庁舎LGWAN接続ルータ"
    )
    text = text.replace(
        " ip access-group TO-LGWAN in", " description ＬＧＷＡＮ側\n ip access-group TO-LGWAN in"
    )
    snap = snapshot(tmp_path, {"clean-rtr.cfg": text.encode("cp932")})
    code, out, _ = run("parse", str(snap / "clean-rtr.cfg"), "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert data[0]["interfaces"][0]["description"] == "ＬＧＷＡＮ側"


def test_undefined_acl_is_reported_and_audited(tmp_path: Path) -> None:
    cfg = CLEAN_ROUTER.replace("ip access-group TO-LGWAN in", "ip access-group NO-SUCH-ACL in")
    snap = snapshot(tmp_path, {"rtr.cfg": cfg})
    code, out, _ = run(
        "audit", str(snap), "--policy", str(POLICY), "--lang", "en", "-v", "--fail-on", "medium"
    )
    # IOS forwards everything through a reference to an undefined ACL: lgwan -> lgwan_wan opens.
    assert code == 1
    assert "NO-SUCH-ACL" in out
    assert "POL-001" in out


def test_policy_errors_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        POLICY.read_text(encoding="utf-8").replace(
            "networks: [10.20.0.0/16, 10.21.0.0/16]", "networks: [10.20.0.1/16]\n    colour: blue"
        ),
        encoding="utf-8",
    )
    code, _, err = run("audit", str(CITY / "snapshot"), "--policy", str(bad))
    assert code == 2
    assert f"{bad}:" in err and "host bits" in err and "colour" in err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("audit", str(tmp_path / "missing"), "--policy", str(POLICY))[0] == 2
    assert run("audit", str(CITY / "snapshot"), "--policy", str(tmp_path / "nope.yaml"))[0] == 2
    assert run("audit", str(CITY / "snapshot"), "--policy", str(POLICY), "-f", "pdf")[0] == 2
    assert (
        run("audit", str(CITY / "snapshot"), "--policy", str(POLICY), "--check", "XX-999")[0] == 2
    )
    assert run("explain", "NOPE-1")[0] == 2


def test_parse_lists_unrecognized_lines(tmp_path: Path) -> None:
    cfg = tmp_path / "r.cfg"
    cfg.write_text(CLEAN_ROUTER + "frobnicate the widgets\n", encoding="utf-8")
    code, out, _ = run("parse", str(cfg))
    assert code == 0
    assert "cisco_ios" in out and "frobnicate the widgets" in out
    assert "11" in out  # its line number


def test_trace_names_the_deciding_line() -> None:
    code, out, _ = run(
        "trace", str(CITY / "snapshot"), "--src", "10.10.10.5", "--dst", "10.20.20.30",
        "--dport", "445", "--device", "sep-rtr1", "-f", "json",
    )  # fmt: skip
    assert code == 0
    hop = json.loads(out)["devices"][0]
    assert hop["result"] == "forwarded"
    assert hop["steps"][0]["line"] == 31
    code, out, _ = run(
        "trace", str(CITY / "snapshot"), "--src", "10.10.10.5", "--dst", "10.20.20.31",
        "--dport", "445", "--device", "sep-rtr1", "-f", "json",
    )  # fmt: skip
    hop = json.loads(out)["devices"][0]
    assert hop["result"] == "denied" and hop["steps"][0]["line"] == 34


def test_explain_in_both_languages() -> None:
    code, out, _ = run("explain", "MYN-001", "--lang", "ja")
    assert code == 0 and "完全遮断" in out and "根拠" in out
    code, out, _ = run("explain", "myn-001", "--lang", "en")
    assert code == 0 and "Basis" in out


@pytest.mark.skipif(
    shutil.which("netaudit") is None and not (Path(sys.executable).parent / "netaudit").exists(),
    reason="console script not installed",
)
def test_console_script_runs_as_a_process() -> None:
    exe = shutil.which("netaudit") or str(Path(sys.executable).parent / "netaudit")
    proc = subprocess.run(
        [exe, "audit", str(CITY / "snapshot"), "--policy", str(POLICY), "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "MYN-001" in proc.stdout
