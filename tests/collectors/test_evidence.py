"""Evidence: snapshot layout the engine reads, manifest, signatures, verification, atomicity,
and the end-to-end proof that planted secrets survive nowhere (files, manifest, logs, reports).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import collectors.evidence as evidence
from collectors.evidence import (
    MANIFEST,
    SCHEMA,
    DeviceResult,
    EvidenceError,
    generate_keypair,
    load_private_key,
    read_manifest,
    signing_key_from,
    verify_snapshot,
    write_snapshot,
)
from netaudit.cli import app
from netaudit.engine import audit, load_snapshot
from netaudit.policy import load_policy
from netaudit.result import Verdict
from tests.collectors.test_secrets import PLANTED, SECRET_FIXTURES, SECRETS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
POLICY = FIXTURES / "policies" / "good_minimal.yaml"
T0 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 4, 1, 9, 0, 5, tzinfo=dt.UTC)
SCRUB_KEY = bytes(range(32))
runner = CliRunner()


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real config directory (scrub key) or a real signing key."""
    monkeypatch.setenv("NETAUDIT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NETAUDIT_SIGNING_KEY", raising=False)


def _ios() -> str:
    return (FIXTURES / "cisco_ios" / "core_l3sw.cfg").read_text(encoding="utf-8")


def _results() -> list[DeviceResult]:
    return [
        DeviceResult(
            "core-sw1",
            "192.0.2.1",
            "cisco_ios",
            "ok",
            T0,
            T1,
            {"running-config": _ios(), "show ip route": "C 10.0.0.0/8", "show version": "IOS"},
            facts={"model": "C9300"},
        ),
        DeviceResult(
            "inet-fw",
            "192.0.2.2",
            None,
            "ok",
            T0,
            T1,
            {"running-config": (FIXTURES / "fortinet" / "city_fw.conf").read_text()},
        ),
        DeviceResult("lgwan-rtr", "192.0.2.3", "cisco_ios", "auth_failed", T0, T1, {}, "denied"),
        DeviceResult(
            "sw-partial",
            "192.0.2.4",
            "cisco_ios",
            "command_failed",
            T0,
            T1,
            {"show version": "IOS"},
            "show running-config: % Invalid input",
        ),
    ]


def _write(tmp_path: Path, **kw: object) -> Path:
    out = tmp_path / "snap"
    write_snapshot(out, _results(), inventory_digest="abc", scrub_key=SCRUB_KEY, **kw)  # type: ignore[arg-type]
    return out


def test_layout_is_what_the_engine_reads(tmp_path: Path) -> None:
    snap = _write(tmp_path)
    assert (snap / "inet-fw.cfg").is_file()
    assert (snap / "core-sw1" / "running-config.txt").is_file()
    assert (snap / "core-sw1" / "show_ip_route.txt").read_text() == "C 10.0.0.0/8"
    assert not (snap / "lgwan-rtr").exists() and not (snap / "lgwan-rtr.cfg").exists()
    loaded = load_snapshot(snap)
    assert sorted(d.name for d in loaded.devices) == ["core-sw1", "inet-fw"]
    platforms = {d.name: d.platform for d in loaded.devices}
    assert platforms == {"core-sw1": "cisco_ios", "inet-fw": "fortinet"}
    # sw-partial saved only `show version`: no config to parse, and not mistaken for one.
    assert sorted(loaded.failed) == ["lgwan-rtr", "sw-partial"]
    messages = " ".join(p.message for p in loaded.problems)
    assert "lgwan-rtr: not collected (auth_failed: denied)" in messages
    assert "sw-partial: not collected (command_failed" in messages


def test_a_failed_device_with_a_saved_config_is_still_not_collected(tmp_path: Path) -> None:
    r = DeviceResult(
        "flaky", None, "cisco_ios", "timeout", T0, T1, {"running-config": _ios()}, "timed out"
    )
    ok = DeviceResult("good", None, "cisco_ios", "ok", T0, T1, {"running-config": _ios()})
    out = tmp_path / "snap"
    write_snapshot(out, [r, ok], inventory_digest=None, scrub_key=SCRUB_KEY)
    assert (out / "flaky.cfg").is_file(), "what was collected is kept as evidence"
    loaded = load_snapshot(out)
    assert [d.name for d in loaded.devices] == ["good"]
    assert loaded.failed == ["flaky"]


def test_device_names_become_safe_file_names(tmp_path: Path) -> None:
    r = DeviceResult("../etc/x y", None, "cisco_ios", "ok", T0, T1, {"running-config": _ios()})
    out = tmp_path / "snap"
    write_snapshot(out, [r], inventory_digest=None, scrub_key=SCRUB_KEY)
    m = read_manifest(out)
    assert list(m["devices"]) == ["etc_x_y"] and m["devices"]["etc_x_y"]["name"] == "../etc/x y"
    assert sorted(p.name for p in out.iterdir()) == ["etc_x_y.cfg", MANIFEST]
    assert [d.name for d in load_snapshot(out).devices] == ["etc_x_y"]


def test_manifest_records_everything(tmp_path: Path) -> None:
    snap = _write(tmp_path)
    m = read_manifest(snap)
    assert m["schema"] == SCHEMA
    assert m["tool"]["name"] == "netaudit" and m["tool"]["version"]
    assert m["inventory_digest"] == "abc"
    assert m["secrets"]["mode"] == "scrubbed" and m["secrets"]["key_id"]
    assert m["secrets"]["removed"] >= 2
    core = m["devices"]["core-sw1"]
    assert core["platform"] == "cisco_ios" and core["host"] == "192.0.2.1"
    assert core["status"] == "ok" and core["facts"] == {"model": "C9300"}
    assert core["started"] == "2026-04-01T09:00:00+00:00"
    assert core["finished"] == "2026-04-01T09:00:05+00:00"
    assert core["running_config"] == "core-sw1/running-config.txt"
    assert m["devices"]["inet-fw"]["platform"] == "fortinet"  # detected
    assert m["devices"]["lgwan-rtr"]["status"] == "auth_failed"
    assert m["devices"]["lgwan-rtr"]["files"] == []
    for rel, entry in m["files"].items():
        assert hashlib.sha256((snap / rel).read_bytes()).hexdigest() == entry["sha256"]
    listed = set(m["files"])
    on_disk = {p.relative_to(snap).as_posix() for p in snap.rglob("*") if p.is_file()}
    assert on_disk - listed == {MANIFEST}


def test_audit_is_incomplete_and_names_the_devices_not_collected(tmp_path: Path) -> None:
    snap = _write(tmp_path)
    result, _ = audit(snap, load_policy(POLICY))
    assert result.verdict in (Verdict.INCOMPLETE, Verdict.FAIL)
    named = " ".join(p.message for p in result.problems)
    assert "lgwan-rtr" in named and "sw-partial" in named
    covered = {c.device: c.collection for c in result.coverage}
    assert covered["lgwan-rtr"] == "not collected (auth_failed)"
    assert covered["sw-partial"] == "not collected (command_failed)"
    assert result.manifest_digest == hashlib.sha256((snap / MANIFEST).read_bytes()).hexdigest()


def test_a_complete_snapshot_is_not_incomplete_for_collection(tmp_path: Path) -> None:
    out = tmp_path / "snap"
    results = [r for r in _results() if r.status == "ok"]
    write_snapshot(out, results, inventory_digest=None, scrub_key=SCRUB_KEY)
    loaded = load_snapshot(out)
    assert loaded.failed == [] and loaded.problems == []


def test_signed_snapshot_verifies_and_detects_tampering(tmp_path: Path) -> None:
    private, public = generate_keypair()
    snap = _write(tmp_path, signing_key=private)
    report = verify_snapshot(snap, public)
    assert report.ok and report.signature == "ok"
    assert verify_snapshot(snap).signature == "unpinned"

    (snap / "inet-fw.cfg").write_text("tampered\n")
    (snap / "core-sw1" / "show_version.txt").unlink()
    (snap / "core-sw1" / "extra.txt").write_text("x")
    (snap / ".hidden").write_text("x")
    report = verify_snapshot(snap, public)
    states = {f.path: f.state for f in report.problems}
    assert states == {
        "inet-fw.cfg": "changed",
        "core-sw1/show_version.txt": "missing",
        "core-sw1/extra.txt": "added",
        ".hidden": "added",
    }
    assert not report.ok and report.signature == "ok"


def test_an_edited_manifest_breaks_the_signature(tmp_path: Path) -> None:
    private, public = generate_keypair()
    snap = _write(tmp_path, signing_key=private)
    data = json.loads((snap / MANIFEST).read_text())
    data["devices"]["lgwan-rtr"]["status"] = "ok"
    (snap / MANIFEST).write_text(json.dumps(data))
    assert verify_snapshot(snap, public).signature == "bad"
    assert verify_snapshot(snap).signature == "bad"
    # Re-signing with another key does not fool a pinned verification.
    other, _ = generate_keypair()
    snap2 = tmp_path / "other"
    write_snapshot(snap2, _results(), inventory_digest=None, scrub_key=SCRUB_KEY, signing_key=other)
    report = verify_snapshot(snap2, public)
    assert report.signature == "bad" and not report.ok


def test_unsigned_snapshot(tmp_path: Path) -> None:
    snap = _write(tmp_path)
    report = verify_snapshot(snap)
    assert report.ok and report.signature == "absent"
    _, public = generate_keypair()
    assert not verify_snapshot(snap, public).ok, "a pinned key demands a signature"


def test_keys_in_every_accepted_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private, public = generate_keypair()
    key = load_private_key(private)
    from cryptography.hazmat.primitives import serialization

    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    import base64

    for form in (raw, base64.b64encode(raw), raw.hex().encode()):
        snap = tmp_path / f"s{len(form)}"
        write_snapshot(
            snap, _results()[:1], inventory_digest=None, scrub_key=SCRUB_KEY, signing_key=form
        )
        assert verify_snapshot(snap, public).signature == "ok"
    path = tmp_path / "k.pem"
    path.write_bytes(private)
    assert signing_key_from(path) == private
    monkeypatch.setenv("NETAUDIT_SIGNING_KEY", str(path))
    assert signing_key_from(None) == private
    monkeypatch.setenv("NETAUDIT_SIGNING_KEY", private.decode())
    assert signing_key_from(None) == private
    monkeypatch.delenv("NETAUDIT_SIGNING_KEY")
    assert signing_key_from(None) is None
    path.write_text("not a key")
    with pytest.raises(EvidenceError):
        signing_key_from(path)


def test_keep_secrets_is_explicit_and_recorded(tmp_path: Path) -> None:
    text = (SECRETS / "cisco_ios.cfg").read_text(encoding="utf-8")
    r = DeviceResult("d", None, "cisco_ios", "ok", T0, T1, {"running-config": text})
    kept = tmp_path / "kept"
    write_snapshot(kept, [r], inventory_digest=None, keep_secrets=True)
    assert read_manifest(kept)["secrets"] == {"mode": "kept"}
    assert PLANTED in (kept / "d.cfg").read_text()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o700, "a snapshot with secrets stays private"
    scrubbed = tmp_path / "scrubbed"
    write_snapshot(scrubbed, [r], inventory_digest=None, scrub_key=SCRUB_KEY)
    assert PLANTED not in (scrubbed / "d.cfg").read_text()


def test_existing_snapshot_is_not_overwritten_unless_asked(tmp_path: Path) -> None:
    snap = _write(tmp_path)
    with pytest.raises(EvidenceError, match="not empty"):
        _write(tmp_path)
    r = DeviceResult("only", None, "cisco_ios", "ok", T0, T1, {"running-config": _ios()})
    write_snapshot(snap, [r], inventory_digest=None, scrub_key=SCRUB_KEY, overwrite=True)
    assert sorted(p.name for p in snap.iterdir()) == [MANIFEST, "only.cfg"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    empty = tmp_path / "empty"
    empty.mkdir()
    write_snapshot(empty, [r], inventory_digest=None, scrub_key=SCRUB_KEY)
    assert (empty / MANIFEST).is_file()


def test_duplicate_or_bad_input_is_refused(tmp_path: Path) -> None:
    r = DeviceResult("a/b", None, "cisco_ios", "ok", T0, T1, {"running-config": _ios()})
    r2 = DeviceResult("a_b", None, "cisco_ios", "ok", T0, T1, {"running-config": _ios()})
    with pytest.raises(EvidenceError, match="duplicate"):
        write_snapshot(tmp_path / "s", [r, r2], inventory_digest=None, scrub_key=SCRUB_KEY)
    bad = DeviceResult("x", None, None, "weird", T0, T1, {})
    with pytest.raises(EvidenceError, match="status"):
        write_snapshot(tmp_path / "s", [bad], inventory_digest=None, scrub_key=SCRUB_KEY)
    assert not (tmp_path / "s").exists()


def test_a_failure_mid_write_leaves_nothing_that_looks_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = evidence._write_file
    calls = {"n": 0}

    def failing(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(evidence, "_write_file", failing)
    with pytest.raises(EvidenceError, match="No space"):
        _write(tmp_path)
    assert calls["n"] == 3
    assert not (tmp_path / "snap").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


_KILL_SCRIPT = """
import datetime as dt, os, sys
from pathlib import Path
import collectors.evidence as ev
real = ev._write_file
n = {"c": 0}
def dying(path, data):
    n["c"] += 1
    if n["c"] == 3:
        os._exit(9)  # a hard kill: no cleanup runs
    real(path, data)
ev._write_file = dying
t = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
rs = [ev.DeviceResult(f"d{i}", None, "linux", "ok", t, t, {"running-config": "*filter\\nCOMMIT\\n"})
      for i in range(5)]
ev.write_snapshot(Path(sys.argv[1]), rs, inventory_digest=None, scrub_key=bytes(32))
"""


def test_a_hard_kill_mid_write_leaves_only_a_hidden_partial_without_manifest(
    tmp_path: Path,
) -> None:
    out = tmp_path / "snap"
    proc = subprocess.run(
        [sys.executable, "-c", _KILL_SCRIPT, str(out)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 9, proc.stderr.decode()
    assert not out.exists()
    leftovers = [p for p in tmp_path.iterdir() if p.name != "home"]
    assert len(leftovers) == 1
    partial = leftovers[0]
    assert partial.name.startswith(".snap.") and partial.name.endswith(".partial")
    assert not (partial / MANIFEST).exists()
    with pytest.raises(EvidenceError):
        verify_snapshot(partial)


def test_the_writer_fills_a_hidden_partial_directory_device_by_device(tmp_path: Path) -> None:
    out = tmp_path / "snap"
    results = _results()
    with evidence.SnapshotWriter(out, inventory_digest="abc", scrub_key=SCRUB_KEY) as writer:
        for r in results:
            writer.add(r)
        # Nothing at the target until commit: only the hidden partial directory.
        assert not out.exists()
        (partial,) = [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
        assert partial.name.startswith(".snap.") and not (partial / MANIFEST).exists()
        manifest = writer.commit()
    assert manifest == out / MANIFEST
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    # The same snapshot as writing all results at once (both sort devices by name).
    batch = tmp_path / "batch"
    write_snapshot(batch, results, inventory_digest="abc", scrub_key=SCRUB_KEY, created=T0)
    a, b = read_manifest(out), read_manifest(batch)
    assert a["files"] == b["files"] and a["devices"] == b["devices"]
    assert verify_snapshot(out).ok


def test_leaving_the_writer_without_commit_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "snap"
    writer = evidence.SnapshotWriter(out, inventory_digest=None, scrub_key=SCRUB_KEY)
    with pytest.raises(KeyboardInterrupt), writer:
        writer.add(_results()[0])
        raise KeyboardInterrupt  # Ctrl-C during the collection
    assert [p.name for p in tmp_path.iterdir() if p.name != "home"] == []


def test_the_writer_refuses_a_clash_and_reports_a_write_failure_at_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "snap"
    (out).mkdir()
    (out / "x").write_text("x")
    with pytest.raises(EvidenceError, match="not empty"):
        evidence.SnapshotWriter(out, inventory_digest=None, scrub_key=SCRUB_KEY)
    out = tmp_path / "snap2"
    writer = evidence.SnapshotWriter(out, inventory_digest=None, scrub_key=SCRUB_KEY)
    r = DeviceResult("a/b", None, "cisco_ios", "ok", T0, T1, {"running-config": _ios()})
    writer.add(r)
    with pytest.raises(EvidenceError, match="duplicate"):
        writer.add(DeviceResult("a_b", None, "cisco_ios", "ok", T0, T1, {"running-config": "x"}))

    def full(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(evidence, "_write_file", full)
    writer.add(DeviceResult("c", None, "cisco_ios", "ok", T0, T1, {"running-config": "x"}))
    with pytest.raises(EvidenceError, match="No space"):
        writer.commit()
    assert [p.name for p in tmp_path.iterdir() if p.name not in ("home", "snap")] == []


# -- the command line ---------------------------------------------------------------------


def test_keygen_writes_a_private_and_a_public_key(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "netaudit.key"
    r = runner.invoke(app, ["keygen", "-o", str(key)])
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    pub = key.with_name("netaudit.key.pub")
    assert b"PUBLIC KEY" in pub.read_bytes()
    assert runner.invoke(app, ["keygen", "-o", str(key)]).exit_code == 2
    assert runner.invoke(app, ["keygen", "-o", str(key), "--force"]).exit_code == 0


def test_snapshot_verify_command(tmp_path: Path) -> None:
    key = tmp_path / "k"
    assert runner.invoke(app, ["keygen", "-o", str(key)]).exit_code == 0
    snap = _write(tmp_path, signing_key=key.read_bytes())
    pub = str(key) + ".pub"
    r = runner.invoke(app, ["snapshot", "verify", str(snap), "--pub", pub])
    assert r.exit_code == 0, r.output
    assert "VERIFIED" in r.stdout and "valid" in r.stdout
    (snap / "inet-fw.cfg").write_text("x")
    r = runner.invoke(app, ["snapshot", "verify", str(snap), "--pub", pub])
    assert r.exit_code == 1
    assert "inet-fw.cfg" in r.stdout and "changed" in r.stdout and "NOT VERIFIED" in r.stdout
    r = runner.invoke(app, ["snapshot", "verify", str(snap), "--format", "json"])
    data = json.loads(r.stdout)
    assert r.exit_code == 1 and data["ok"] is False
    assert [f["path"] for f in data["files"] if f["state"] != "ok"] == ["inet-fw.cfg"]
    assert runner.invoke(app, ["snapshot", "verify", str(tmp_path / "nope")]).exit_code == 2


# -- planted secrets survive nowhere -------------------------------------------------------


@pytest.fixture
def planted_snapshot(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Iterator[Path]:
    caplog.set_level(logging.DEBUG)
    results = []
    for name, platform in SECRET_FIXTURES.items():
        text = (SECRETS / name).read_text(encoding="utf-8")
        outputs = {"running-config": text}
        if platform == "linux":
            outputs = {
                "running-config": (SECRETS / "linux.cfg").read_text(encoding="utf-8"),
                "cat /etc/shadow": text,
            }
        device = name.replace(".", "-")
        results.append(DeviceResult(device, "192.0.2.9", platform, "ok", T0, T1, outputs))
    results.append(
        DeviceResult(
            "failed-dev",
            "192.0.2.10",
            "cisco_ios",
            "command_failed",
            T0,
            T1,
            {},
            "enable secret 0 ZQXechoedInError was rejected",
        )
    )
    out = tmp_path / "planted"
    private, _ = generate_keypair()
    write_snapshot(out, results, inventory_digest=None, signing_key=private)
    yield out


def test_no_planted_secret_survives_in_snapshot_logs_or_any_report(
    planted_snapshot: Path, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    for path in planted_snapshot.rglob("*"):
        if path.is_file():
            assert PLANTED not in path.read_text(encoding="utf-8"), path
    manifest = (planted_snapshot / MANIFEST).read_text(encoding="utf-8")
    assert "failed-dev" in manifest
    for fmt in ("json", "html", "sarif", "markdown", "junit", "console"):
        r = runner.invoke(
            app,
            ["audit", str(planted_snapshot), "--policy", str(POLICY), "--format", fmt, "-v"],
        )
        assert r.exit_code in (1, 3), (fmt, r.output[-2000:])
        assert len(r.stdout) > 200
        assert PLANTED not in r.stdout, fmt
        assert PLANTED not in r.stderr, fmt
    r = runner.invoke(app, ["snapshot", "verify", str(planted_snapshot), "--all"])
    assert r.exit_code == 0 and PLANTED not in r.output
    assert PLANTED not in caplog.text
    assert caplog.records, "the writer logs (without secrets)"


def test_the_control_group_would_leak(tmp_path: Path) -> None:
    """Without scrubbing, the same snapshot does show planted secrets in a report: the
    test above would catch a scrubber that misses them."""
    text = (SECRETS / "cisco_ios.cfg").read_text(encoding="utf-8")
    r = DeviceResult("d", None, "cisco_ios", "ok", T0, T1, {"running-config": text})
    out = tmp_path / "kept"
    write_snapshot(out, [r], inventory_digest=None, keep_secrets=True)
    res = runner.invoke(app, ["audit", str(out), "--policy", str(POLICY), "--format", "json"])
    assert PLANTED in (out / "d.cfg").read_text()
    assert res.exit_code in (1, 3)
