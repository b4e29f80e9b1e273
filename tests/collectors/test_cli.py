"""``netaudit collect``, ``lab up|down`` and ``known-hosts`` as a user runs them, on the lab."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import asyncssh
import pytest
from typer.testing import CliRunner

from collectors.lab import Fault, load_devices
from collectors.lab.process import ENABLE_ENV, PASSWORD_ENV, inventory_text, read_state
from netaudit.cli import app
from tests.collectors.conftest import CITY, PASSWORD, ROOT, SECRET, LabStarter, one_device

pytestmark = pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
runner = CliRunner()


def test_collect_then_audit_a_device_that_failed(
    lab_of: LabStarter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    devices = load_devices(CITY / "snapshot", faults={"lgwan-acc1": Fault(refuse_password=True)})
    lab = lab_of(devices)
    inv = tmp_path / "inventory.yaml"
    inv.write_text(inventory_text(lab.lab, CITY / "snapshot", lab.known_hosts), encoding="utf-8")
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv(ENABLE_ENV, SECRET)
    snap = tmp_path / "snap"
    r = runner.invoke(
        app, ["collect", str(inv), "-o", str(snap), "--workers", "12", "--lang", "en"]
    )
    assert r.exit_code == 3, r.stdout + r.stderr
    row = next(line for line in r.stdout.splitlines() if line.startswith("lgwan-acc1"))
    assert "authentication failed" in row
    assert sum(" ok " in line for line in r.stdout.splitlines()) == 11
    manifest = json.loads((snap / "manifest.json").read_text(encoding="utf-8"))
    statuses = {n: d["status"] for n, d in manifest["devices"].items()}
    assert statuses.pop("lgwan-acc1") == "auth_failed"
    assert set(statuses.values()) == {"ok"} and len(statuses) == 11
    assert manifest["inventory_digest"]
    # The lab's credentials appear nowhere: output, manifest, snapshot files.
    blobs = [r.stdout, r.stderr, *(p.read_text("utf-8") for p in snap.rglob("*") if p.is_file())]
    assert not any(PASSWORD in b or SECRET in b for b in blobs)

    a = runner.invoke(
        app,
        [
            "audit",
            str(snap),
            "--policy",
            str(CITY / "policy.yaml"),
            "--check",
            "GOV-001",
            "-f",
            "json",
            "--lang",
            "en",
        ],
    )
    assert a.exit_code == 3, a.stdout + a.stderr
    result = json.loads(a.stdout)
    assert result["verdict"] == "incomplete"
    assert any(
        "lgwan-acc1" in p["message"] and "not collected" in p["message"] for p in result["problems"]
    )
    # The coverage says why it has no config: the manifest's status, not a parse failure.
    cov = {c["device"]: c["collection"] for c in result["coverage"]}
    assert cov["lgwan-acc1"] == "not collected (auth_failed)"
    assert {v for k, v in cov.items() if k != "lgwan-acc1"} == {"ok"}


def test_collect_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    inv = tmp_path / "inv.yaml"
    inv.write_text(
        "devices:\n  - {name: a, host: 127.0.0.1, platform: cisco_ios, username: u}\n", "utf-8"
    )
    r = runner.invoke(app, ["collect", str(inv), "-o", str(tmp_path / "s"), "--device", "zz"])
    assert r.exit_code == 2 and "not in the inventory" in r.stderr
    r = runner.invoke(app, ["collect", str(inv)])
    assert r.exit_code == 2
    # No password anywhere: recorded as an authentication failure, the run still writes.
    r = runner.invoke(app, ["collect", str(inv), "-o", str(tmp_path / "s"), "--lang", "en"])
    assert r.exit_code == 3
    assert "no password found" in r.stdout and "NETAUDIT_PASSWORD_A" in r.stdout


def test_known_hosts_scan_add_list(lab_of: LabStarter, tmp_path: Path) -> None:
    lab = lab_of([one_device("fortinet")], record_keys=False)
    e = lab.lab.endpoints["fortinet"]
    kh = tmp_path / "kh"
    r = runner.invoke(app, ["known-hosts", "scan", f"127.0.0.1:{e.port}", "--known-hosts", str(kh)])
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith(f"[127.0.0.1]:{e.port} ssh-ed25519 SHA256:")
    assert e.known_key.split()[1] in kh.read_text()
    # A different key for the same host is refused unless --replace.
    key = " ".join(
        asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().split()[:2]
    )
    r = runner.invoke(
        app, ["known-hosts", "add", f"127.0.0.1:{e.port}", *key.split(), "--known-hosts", str(kh)]
    )
    assert r.exit_code == 2 and "different key" in r.stderr
    r = runner.invoke(
        app,
        [
            "known-hosts",
            "add",
            f"[127.0.0.1]:{e.port}",
            *key.split(),
            "--known-hosts",
            str(kh),
            "--replace",
        ],
    )
    assert r.exit_code == 0
    r = runner.invoke(app, ["known-hosts", "list", "--known-hosts", str(kh)])
    assert r.exit_code == 0 and f"[127.0.0.1]:{e.port}" in r.stdout and "1 key(s)" in r.stderr
    r = runner.invoke(
        app, ["known-hosts", "scan", "127.0.0.1:1", "--known-hosts", str(kh), "--timeout", "1"]
    )
    assert r.exit_code == 2


def _readme_lab_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Collect from devices (lab)") :]
    section = section[: section.index("\n## ", 1)] if "\n## " in section[1:] else section
    (block,) = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_lab_workflow_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's collect → audit section, from a copy of the repository's examples.

    ``lab up`` really starts the background process; ``. lab/lab.env`` is done as a shell
    would (the variables into the environment).
    """
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", work / "examples")
    monkeypatch.chdir(work)
    expected = {"lab": {0}, "collect": {3}, "snapshot": {0}, "audit": {3}}
    seen: list[str] = []
    try:
        for line in _readme_lab_commands():
            if line.startswith("set -a"):
                env_file = work / re.search(r"\. ([^\s;]+)", line).group(1)  # type: ignore[union-attr]
                for kv in env_file.read_text(encoding="utf-8").splitlines():
                    name, _, value = kv.partition("=")
                    monkeypatch.setenv(name, value)
                continue
            args = shlex.split(line)
            assert args[0] == "netaudit", line
            r = runner.invoke(
                app, [*args[1:], *(["--lang", "en"] if args[1] in ("collect", "audit") else [])]
            )
            assert r.exit_code in expected[args[1]], (line, r.stdout, r.stderr)
            assert "Traceback" not in r.stdout + r.stderr
            seen.append(args[1])
            if args[1] == "collect":
                assert "lgwan-acc1" in r.stderr and "authentication failed" in r.stdout
            if args[1] == "audit":
                assert "lgwan-acc1" in r.stdout + r.stderr
    finally:
        runner.invoke(app, ["lab", "down", "--state", "lab/"])
    assert seen == ["lab", "collect", "snapshot", "audit", "lab"]
    assert read_state(work / "lab") is None
    assert os.stat(work / "lab" / "lab.env").st_mode & 0o077 == 0
    log = (work / "lab" / "lab.log").read_text(encoding="utf-8")
    assert os.environ[PASSWORD_ENV] not in log


def test_collect_from_dir_imports_saved_configs(tmp_path: Path) -> None:
    saved = tmp_path / "saved"
    shutil.copytree(CITY / "snapshot", saved)
    out = tmp_path / "snap"
    r = runner.invoke(app, ["collect", "--from-dir", str(saved), "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["devices"]) == {p.stem for p in saved.iterdir()}
    assert {d["status"] for d in manifest["devices"].values()} == {"imported"}


def test_lazy_command_map_matches_what_each_module_registers() -> None:
    import typer

    from netaudit import cli

    registered: dict[str, str] = {}
    for module in cli.COMMAND_MODULES:
        sub = typer.Typer()
        sub.callback()(lambda: None)
        __import__(module, fromlist=["register"]).register(sub)
        for name in typer.main.get_group(sub).commands:
            assert name not in registered, f"{name} registered twice"
            registered[name] = module
    assert registered == dict(cli.LAZY_COMMANDS)
    group = typer.main.get_group(cli.app)
    assert set(group.commands) >= set(registered) | {"audit", "trace", "version"}


def test_collect_starts_without_the_analysis_stack(tmp_path: Path) -> None:
    """`netaudit collect` imports neither the flow engine (dd/CUDD, networkx), the checks,
    the lab (asyncssh), scapy nor the other command modules; `--help` still lists them all."""
    inv = tmp_path / "inv.yaml"
    inv.write_text(
        "devices:\n  - {name: a, host: 127.0.0.1, platform: cisco_ios, username: u}\n", "utf-8"
    )
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from netaudit.cli import app\n"
        f"r = CliRunner().invoke(app, ['collect', {str(inv)!r}, '-o', {str(tmp_path / 's')!r}])\n"
        "assert r.exit_code == 3, r.output\n"
        "heavy = ['dd', 'networkx', 'checks', 'netaudit.engine', 'netaudit.reach', 'jinja2',\n"
        "         'asyncssh', 'scapy', 'netaudit.commands.traffic', 'netaudit.commands.diff']\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "NETAUDIT_HOME": str(tmp_path / "home")}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0
    for name in ("audit", "collect", "lab", "known-hosts", "diff", "pcap", "snapshot"):
        assert name in r.stdout
