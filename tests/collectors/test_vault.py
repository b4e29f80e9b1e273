"""The credentials vault: scrypt + AES-GCM file, 0600, atomic; and ``netaudit vault``."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collectors.vault import (
    Vault,
    VaultError,
    default_vault_path,
    passphrase_from_env_or_prompt,
)
from netaudit.cli import app

FAST = {"n": 2**10, "r": 8, "p": 1}  # library tests: a cheap KDF; the CLI uses the default
runner = CliRunner()


def test_round_trip_and_file_properties(tmp_path: Path) -> None:
    path = tmp_path / "v.json"
    v = Vault.create(path, "correct horse", **FAST)
    v.set("core-sw1", "Kanri#2024")
    v.set("lgwan/enable", "En@ble")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_text()
    assert "Kanri#2024" not in raw and "core-sw1" not in raw, "names and values are encrypted"
    doc = json.loads(raw)
    assert doc["kdf"]["name"] == "scrypt" and doc["cipher"] == "aes-256-gcm"
    again = Vault.open(path, "correct horse")
    assert again.get("core-sw1") == "Kanri#2024"
    assert again.get("nope") is None
    assert again.names() == ["core-sw1", "lgwan/enable"]
    assert "Kanri" not in repr(again)
    assert again.delete("core-sw1") and not again.delete("core-sw1")
    assert Vault.open(path, "correct horse").names() == ["lgwan/enable"]
    assert not list(tmp_path.glob(".*tmp")), "no temporary file left behind"


def test_a_fresh_nonce_and_the_same_salt_on_every_write(tmp_path: Path) -> None:
    path = tmp_path / "v.json"
    v = Vault.create(path, "pw", **FAST)
    first = json.loads(path.read_text())
    v.set("a", "1")
    second = json.loads(path.read_text())
    v.set("a", "1")
    third = json.loads(path.read_text())
    assert len({first["nonce"], second["nonce"], third["nonce"]}) == 3
    assert first["kdf"]["salt"] == third["kdf"]["salt"]
    other = Vault.create(tmp_path / "w.json", "pw", **FAST)
    assert json.loads(other.path.read_text())["kdf"]["salt"] != first["kdf"]["salt"]


def test_wrong_passphrase_and_tampering_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "v.json"
    Vault.create(path, "right", **FAST).set("a", "secret-value")
    with pytest.raises(VaultError, match="wrong passphrase"):
        Vault.open(path, "wrong")
    doc = json.loads(path.read_text())
    doc["kdf"]["n"] = 2**11  # the header is authenticated too
    path.write_text(json.dumps(doc))
    with pytest.raises(VaultError):
        Vault.open(path, "right")
    path.write_text("{not json")
    with pytest.raises(VaultError, match="cannot read"):
        Vault.open(path, "right")
    with pytest.raises(VaultError, match="no vault"):
        Vault.open(tmp_path / "absent.json", "right")


def test_create_refuses_an_existing_file_and_an_empty_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "v.json"
    Vault.create(path, "x", **FAST)
    with pytest.raises(VaultError, match="exists"):
        Vault.create(path, "x", **FAST)
    with pytest.raises(VaultError, match="empty"):
        Vault.create(tmp_path / "e.json", "", **FAST)
    with pytest.raises(VaultError):
        Vault.open(path, "x").set(" padded ", "v")


def test_passphrase_and_path_sources(tmp_path: Path) -> None:
    env = {"NETAUDIT_VAULT_PASSPHRASE": "from-env", "NETAUDIT_VAULT": str(tmp_path / "v")}
    assert passphrase_from_env_or_prompt(environ=env) == "from-env"
    assert default_vault_path(env) == tmp_path / "v"
    answers = iter(["typed", "typed"])
    assert passphrase_from_env_or_prompt(environ={}, prompt=lambda _: next(answers)) == "typed"
    answers = iter(["one", "two"])
    with pytest.raises(VaultError, match="differ"):
        passphrase_from_env_or_prompt(environ={}, confirm=True, prompt=lambda _: next(answers))


def test_vault_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cfg" / "vault.json"
    monkeypatch.setenv("NETAUDIT_VAULT", str(path))
    monkeypatch.setenv("NETAUDIT_VAULT_PASSPHRASE", "城内-passphrase")
    r = runner.invoke(app, ["vault", "set", "core-sw1"], input="Kanri#2024\n")
    assert r.exit_code == 0, r.output
    assert "Kanri#2024" not in r.output
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert runner.invoke(app, ["vault", "set", "lgwan-fw"], input="Fw-pass").exit_code == 0
    r = runner.invoke(app, ["vault", "list"])
    assert r.exit_code == 0 and r.stdout.split() == ["core-sw1", "lgwan-fw"]
    assert "Kanri" not in r.output
    r = runner.invoke(app, ["vault", "get", "core-sw1"])
    assert r.exit_code == 0 and r.stdout == "Kanri#2024\n"
    assert runner.invoke(app, ["vault", "get", "missing"]).exit_code == 2
    # The value is never taken from argv.
    assert runner.invoke(app, ["vault", "set", "x", "value-on-argv"]).exit_code == 2
    assert runner.invoke(app, ["vault", "set", "x"], input="").exit_code == 2
    monkeypatch.setenv("NETAUDIT_VAULT_PASSPHRASE", "wrong")
    r = runner.invoke(app, ["vault", "list"])
    assert r.exit_code == 2 and "wrong passphrase" in r.stderr
    monkeypatch.setenv("NETAUDIT_VAULT", str(tmp_path / "none.json"))
    r = runner.invoke(app, ["vault", "list"])
    assert r.exit_code == 2 and "no vault" in r.stderr
