"""Credential references and the default lookup: environment, vault, keyring; never a value shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.credentials import CredentialError, Credentials, env_name
from collectors.ssh import Target, plan
from collectors.vault import Vault
from netaudit.inventory import load_inventory


def test_env_names() -> None:
    assert env_name("NETAUDIT_PASSWORD", "sep-rtr1") == "NETAUDIT_PASSWORD_SEP_RTR1"


def test_reference_and_default_lookup_order() -> None:
    env = {
        "PW": "from-ref",
        "NETAUDIT_PASSWORD_CORE_1": "device",
        "NETAUDIT_PASSWORD_SWITCHES": "group",
        "NETAUDIT_PASSWORD": "global",
        "NETAUDIT_ENABLE_SWITCHES": "en-group",
    }
    c = Credentials(environ=env, use_keyring=False)
    found, tried = c.lookup("env:PW", device="core-1")
    assert found is not None and (found.value, found.where) == ("from-ref", "env:PW")
    found, _ = c.lookup(None, device="core-1", groups=("switches",))
    assert found is not None and found.value == "device"
    found, _ = c.lookup(None, device="core-2", groups=("switches",))
    assert found is not None and found.value == "group"
    found, tried = c.lookup(None, device="core-2")
    assert found is not None and found.value == "global"
    assert tried == ["env:NETAUDIT_PASSWORD_CORE_2", "env:NETAUDIT_PASSWORD"]
    found, _ = c.lookup(None, device="core-2", groups=("switches",), kind="secret")
    assert found is not None and found.value == "en-group"
    assert "en-group" not in repr(found)


def test_vault_references(tmp_path: Path) -> None:
    path = tmp_path / "vault.json"
    v = Vault.create(path, "correct horse", n=2**10)
    v.set("core-1", "vaulted")
    v.set("fw-login", "fw-pass")
    c = Credentials(
        environ={}, vault_path=path, vault_passphrase=lambda: "correct horse", use_keyring=False
    )
    found, _ = c.lookup("vault:fw-login", device="x")
    assert found is not None and found.value == "fw-pass"
    found, tried = c.lookup(None, device="core-1")
    assert found is not None and found.value == "vaulted" and "vault:core-1" in tried
    locked = Credentials(environ={}, vault_path=path, vault_passphrase=None, use_keyring=False)
    with pytest.raises(CredentialError, match="locked"):
        locked.lookup("vault:fw-login", device="x")
    none = Credentials(environ={}, vault_path=tmp_path / "absent.json", use_keyring=False)
    with pytest.raises(CredentialError, match="no vault file"):
        none.lookup("vault:fw-login", device="x")


def test_keyring_reference_without_keyring_installed() -> None:
    c = Credentials(environ={}, use_keyring=False)
    with pytest.raises(CredentialError, match="keyring"):
        c.lookup("keyring:x", device="d")


def test_plan_resolves_and_hides_credentials(tmp_path: Path) -> None:
    inv = tmp_path / "inv.yaml"
    inv.write_text(
        "defaults: {username: audit, credential: 'env:PW', enable_secret: 'env:EN', timeout: 7,\n"
        "           known_hosts: kh/known}\n"
        "devices:\n"
        "  - {name: a, host: 192.0.2.1, platform: cisco_ios}\n"
        "  - {name: b, platform: cisco_ios}\n"
        "  - {name: c, host: 192.0.2.3}\n"
        "  - {name: d, host: 192.0.2.4, platform: linux, credential: 'env:MISSING'}\n",
        encoding="utf-8",
    )
    creds = Credentials(environ={"PW": "hunter2", "EN": "s3cret"}, use_keyring=False)
    targets, failed = plan(load_inventory(inv), creds, retries=2)
    (t,) = targets
    assert isinstance(t, Target) and (t.password, t.secret, t.timeout, t.retries) == (
        "hunter2",
        "s3cret",
        7,
        2,
    )
    assert "hunter2" not in repr(t) and "s3cret" not in repr(t)
    assert t.known_hosts == tmp_path / "kh" / "known"  # relative to the inventory
    reasons = {r.name: (r.status, r.error) for r in failed}
    assert reasons["b"] == ("unreachable", "no host in the inventory")
    assert reasons["c"][0] == "command_failed" and "platform" in reasons["c"][1]
    assert reasons["d"][0] == "auth_failed" and "env:MISSING" in reasons["d"][1]
