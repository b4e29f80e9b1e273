"""``--from-dir``: flat files, oxidized output (plain, git working tree, bare git) and RANCID."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collectors.evidence import generate_keypair, read_manifest, verify_snapshot
from collectors.importer import (
    detect_layout,
    device_name_of,
    import_dir,
    strip_rancid_header,
)
from netaudit.cli import app
from netaudit.engine import load_snapshot
from netaudit.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
IOS = (FIXTURES / "cisco_ios" / "core_l3sw.cfg").read_text(encoding="utf-8")
FORTI = (FIXTURES / "fortinet" / "city_fw.conf").read_text(encoding="utf-8")
JUNOS = (FIXTURES / "juniper_junos" / "city-srx1.conf").read_text(encoding="utf-8")
KEY = bytes(range(32))
runner = CliRunner()

RANCID_CISCO_HEADER = """!RANCID-CONTENT-TYPE: cisco
!
!Chassis type: WS-C3750X-24T - a 3750 switch
!CPU: PowerPC405
!
!Memory: main 262144K/0K
!
!Image: Software: C3750E-UNIVERSALK9-M, 15.0(2)SE11, RELEASE SOFTWARE (fc3)
!
!Serial Number: FDO1234X0AB
!
!VTP: VTP Operating Mode                : Transparent
!
"""
RANCID_JUNIPER_HEADER = """#RANCID-CONTENT-TYPE: juniper
#
# Chassis                                Serial Number  Description
# Chassis                                CV1234AF0123   SRX345
#
"""


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETAUDIT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NETAUDIT_SIGNING_KEY", raising=False)


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.jp", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def test_device_names_keep_dots_other_than_known_suffixes() -> None:
    assert device_name_of("core-sw1.cfg") == "core-sw1"
    assert device_name_of("fw.conf") == "fw"
    assert device_name_of("sw1.example.jp") == "sw1.example.jp"
    assert device_name_of("192.0.2.1") == "192.0.2.1"
    assert device_name_of("rtr.txt") == "rtr"


def test_flat_layout(tmp_path: Path) -> None:
    src = tmp_path / "saved"
    src.mkdir()
    (src / "core-sw1.cfg").write_text(IOS)
    (src / "inet-fw.conf").write_text(FORTI)
    (src / "sw2.example.jp").write_bytes(IOS.replace("core", "コア").encode("cp932"))
    assert detect_layout(src) == "flat"
    manifest = import_dir(src, tmp_path / "snap", scrub_key=KEY)
    m = read_manifest(manifest.parent)
    devices = m["devices"]
    assert sorted(devices) == ["core-sw1", "inet-fw", "sw2.example.jp"]
    assert {d["status"] for d in devices.values()} == {"imported"}
    assert devices["core-sw1"]["platform"] == "cisco_ios"
    assert devices["inet-fw"]["platform"] == "fortinet"
    assert devices["inet-fw"]["facts"]["layout"] == "flat"
    assert devices["inet-fw"]["facts"]["source"] == "inet-fw.conf"
    assert len(devices["inet-fw"]["facts"]["source_sha256"]) == 64
    assert m["inventory_digest"] is None
    loaded = load_snapshot(manifest.parent)
    assert sorted(d.name for d in loaded.devices) == sorted(devices)
    assert loaded.failed == []
    assert "コア" in (manifest.parent / "sw2.example.jp.cfg").read_text(encoding="utf-8")


def test_oxidized_groups_in_a_git_working_tree(tmp_path: Path) -> None:
    src = tmp_path / "oxidized"
    (src / "honcho").mkdir(parents=True)
    (src / "shisho").mkdir()
    (src / "honcho" / "core-sw1").write_text(IOS)
    (src / "shisho" / "edge-srx").write_text(JUNOS)
    if shutil.which("git"):
        _git("init", "-q", ".", cwd=src)
        _git("add", ".", cwd=src)
        _git("commit", "-q", "-m", "oxidized", cwd=src)
    assert detect_layout(src) == "oxidized"
    manifest = import_dir(src, tmp_path / "snap", scrub_key=KEY)
    devices = read_manifest(manifest.parent)["devices"]
    assert sorted(devices) == ["core-sw1", "edge-srx"]
    assert devices["core-sw1"]["facts"]["group"] == "honcho"
    assert devices["edge-srx"]["platform"] == "juniper_junos"
    if shutil.which("git"):
        assert len(devices["core-sw1"]["facts"]["git_commit"]) == 40
    assert not any(".git" in p for p in read_manifest(manifest.parent)["files"])


@needs_git
def test_oxidized_bare_git_repository(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "honcho").mkdir(parents=True)
    (work / "honcho" / "core-sw1").write_text("stale\n")
    _git("init", "-q", ".", cwd=work)
    _git("add", ".", cwd=work)
    _git("commit", "-q", "-m", "one", cwd=work)
    (work / "honcho" / "core-sw1").write_text(IOS)
    (work / "inet-fw").write_text(FORTI)
    _git("add", ".", cwd=work)
    _git("commit", "-q", "-m", "two", cwd=work)
    bare = tmp_path / "devices.git"
    _git("clone", "-q", "--bare", str(work), str(bare), cwd=tmp_path)
    assert detect_layout(bare) == "oxidized"
    manifest = import_dir(bare, tmp_path / "snap", scrub_key=KEY)
    snap = manifest.parent
    devices = read_manifest(snap)["devices"]
    assert sorted(devices) == ["core-sw1", "inet-fw"]
    assert (snap / "core-sw1.cfg").read_text().startswith(IOS[:40]), "HEAD, not the first commit"
    assert devices["core-sw1"]["facts"]["group"] == "honcho"
    assert len(devices["inet-fw"]["facts"]["git_commit"]) == 40


def test_rancid_layout(tmp_path: Path) -> None:
    base = tmp_path / "rancid"
    honcho = base / "honcho"
    (honcho / "configs").mkdir(parents=True)
    (honcho / "router.db").write_text(
        "core-sw1;cisco;up\nedge-srx;juniper;up\ndown-sw;cisco;down\n"
    )
    (honcho / "configs" / "core-sw1").write_text(RANCID_CISCO_HEADER + IOS)
    (honcho / "configs" / "edge-srx").write_text(RANCID_JUNIPER_HEADER + JUNOS)
    (honcho / "configs" / "down-sw").write_text("")
    (honcho / "configs" / ".cvsignore").write_text("")
    (honcho / "configs" / "RCS").mkdir()
    assert detect_layout(base) == "rancid"
    manifest = import_dir(base, tmp_path / "snap", scrub_key=KEY)
    snap = manifest.parent
    devices = read_manifest(snap)["devices"]
    assert sorted(devices) == ["core-sw1", "down-sw", "edge-srx"]
    core = devices["core-sw1"]
    assert core["platform"] == "cisco_ios"
    assert core["facts"]["rancid_content_type"] == "cisco"
    assert core["facts"]["group"] == "honcho"
    assert devices["edge-srx"]["platform"] == "juniper_junos"
    assert devices["down-sw"]["status"] == "command_failed"
    text = (snap / "core-sw1.cfg").read_text()
    assert "RANCID" not in text and "!Chassis" not in text and "Serial Number" not in text
    # The header is gone, so line numbers are the device's own (secrets aside, same lines).
    assert len(text.splitlines()) == len(IOS.splitlines())
    loaded = load_snapshot(snap)
    assert sorted(d.name for d in loaded.devices) == ["core-sw1", "edge-srx"]
    assert loaded.failed == ["down-sw"], "an empty RANCID file is not a collected config"
    # A single group folder works too.
    manifest = import_dir(honcho, tmp_path / "snap2", scrub_key=KEY)
    assert sorted(read_manifest(manifest.parent)["devices"]) == sorted(devices)


def test_rancid_header_stripping_keeps_device_comments() -> None:
    nxos = "!RANCID-CONTENT-TYPE: cisco-nx\n!\n!Chassis type: N9K\n!Command: show running-config\n!Time: x\n\nversion 9.3(8)\nhostname n\n"
    text, kind = strip_rancid_header(nxos)
    assert kind == "cisco-nx"
    assert text.startswith("!Command: show running-config\n!Time: x\nversion 9.3(8)")
    plain = "hostname x\n!\n"
    assert strip_rancid_header(plain) == (plain, "")


def test_platform_hints_win(tmp_path: Path) -> None:
    src = tmp_path / "saved"
    src.mkdir()
    (src / "core-sw1.cfg").write_text(IOS)
    manifest = import_dir(
        src, tmp_path / "snap", platform_hints={"core-sw1": "cisco_nxos"}, scrub_key=KEY
    )
    assert read_manifest(manifest.parent)["devices"]["core-sw1"]["platform"] == "cisco_nxos"


def test_bad_sources_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        import_dir(tmp_path / "absent", tmp_path / "snap")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no configuration files"):
        import_dir(empty, tmp_path / "snap")
    dup = tmp_path / "dup"
    (dup / "a").mkdir(parents=True)
    (dup / "b").mkdir()
    (dup / "a" / "sw1").write_text(IOS)
    (dup / "b" / "sw1.cfg").write_text(IOS)
    with pytest.raises(InputError, match="appears twice"):
        import_dir(dup, tmp_path / "snap")
    with pytest.raises(InputError, match="layout"):
        import_dir(dup, tmp_path / "snap", layout="svn")
    assert not (tmp_path / "snap").exists()


def test_snapshot_import_command(tmp_path: Path) -> None:
    src = tmp_path / "saved"
    src.mkdir()
    (src / "core-sw1.cfg").write_text(IOS)
    (src / "inet-fw.conf").write_text(FORTI)
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "devices:\n  - name: core-sw1\n    platform: cisco_ios\n  - name: inet-fw\n"
    )
    key = tmp_path / "k.pem"
    private, public = generate_keypair()
    key.write_bytes(private)
    out = tmp_path / "snap"
    r = runner.invoke(
        app,
        [
            "snapshot",
            "import",
            str(src),
            "-o",
            str(out),
            "-i",
            str(inventory),
            "--sign-key",
            str(key),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "imported 2 device(s)" in r.stderr and "signed" in r.stderr
    m = read_manifest(out)
    assert m["inventory_digest"] and len(m["inventory_digest"]) == 64
    assert verify_snapshot(out, public).ok
    # Something not importable: the snapshot is written, the exit code says incomplete.
    (src / "broken.cfg").write_bytes(b"\x00\x01binary")
    r = runner.invoke(app, ["snapshot", "import", str(src), "-o", str(tmp_path / "s2")])
    assert r.exit_code == 3 and "broken" in r.stderr
    assert read_manifest(tmp_path / "s2")["devices"]["broken"]["status"] == "command_failed"
    r = runner.invoke(app, ["snapshot", "import", str(src), "-o", str(out)])
    assert r.exit_code == 2 and "not empty" in r.stderr
