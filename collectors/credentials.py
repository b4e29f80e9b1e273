"""Where device passwords and enable secrets come from: never the inventory.

A device's ``credential`` (and ``enable_secret``) is a reference:

* ``env:NAME``      the environment variable NAME;
* ``keyring:NAME``  the OS keyring, service ``netaudit``, user NAME (when ``keyring`` is
  importable);
* ``vault:NAME``    entry NAME of netaudit's encrypted vault file.

Without a reference, the device's name and then its group are tried in that order:
``NETAUDIT_PASSWORD_<NAME>`` (upper case, other characters as ``_``), then the keyring, then the
vault, and finally ``NETAUDIT_PASSWORD``. Enable secrets use ``NETAUDIT_ENABLE_…`` and vault
entries ``<name>/enable``. Values are returned to the collector only; errors name the places
looked at, never a value.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from netaudit.errors import InputError

REFERENCE = re.compile(r"^(env|keyring|vault):(\S+)$")
KEYRING_SERVICE = "netaudit"

Kind = Literal["password", "secret"]


class VaultLike(Protocol):
    """What the credentials need of ``collectors.vault.Vault``."""

    def get(self, name: str) -> str | None: ...


class CredentialError(InputError):
    """A referenced credential cannot be read (a locked vault, a bad reference)."""


def env_name(prefix: str, name: str) -> str:
    """``NETAUDIT_PASSWORD_SEP_RTR1`` for prefix ``NETAUDIT_PASSWORD`` and ``sep-rtr1``."""
    return f"{prefix}_{re.sub(r'[^A-Za-z0-9]', '_', name).upper()}"


@dataclass(frozen=True, slots=True)
class Found:
    """A credential value and where it came from (the place, never the value)."""

    value: str
    where: str

    def __repr__(self) -> str:
        return f"Found(value=<hidden>, where={self.where!r})"


class Credentials:
    """Looks credentials up; the vault is opened lazily, once, on first use."""

    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        vault_path: Path | None = None,
        vault_passphrase: Callable[[], str] | None = None,
        use_keyring: bool = True,
    ) -> None:
        self._env = os.environ if environ is None else environ
        self._vault_path = vault_path
        self._passphrase = vault_passphrase
        self._vault: VaultLike | None = None
        self._keyring: Any = _keyring() if use_keyring else None

    # -- sources -----------------------------------------------------------------------
    def _from_env(self, name: str) -> Found | None:
        value = self._env.get(name)
        return Found(value, f"env:{name}") if value else None

    def _from_keyring(self, name: str, *, service: str = KEYRING_SERVICE) -> Found | None:
        if self._keyring is None:
            return None
        try:
            value = self._keyring.get_password(service, name)
        except Exception:
            return None
        return Found(value, f"keyring:{name}") if value else None

    def _open_vault(self) -> VaultLike | None:
        if self._vault is not None:
            return self._vault
        if self._vault_path is None or not self._vault_path.exists():
            return None
        if self._passphrase is None:
            raise CredentialError("the vault is locked: set NETAUDIT_VAULT_PASSPHRASE")
        try:
            module = importlib.import_module("collectors.vault")
        except ModuleNotFoundError as e:
            raise CredentialError("the vault is not available in this installation") from e
        self._vault = module.Vault.open(self._vault_path, self._passphrase())
        return self._vault

    def _from_vault(self, name: str, *, required: bool) -> Found | None:
        vault = self._open_vault()
        if vault is None:
            if required:
                raise CredentialError(
                    f"vault:{name}: no vault file"
                    + (f" at {self._vault_path}" if self._vault_path else " (set NETAUDIT_VAULT)")
                )
            return None
        value = vault.get(name)
        return Found(value, f"vault:{name}") if value else None

    # -- lookup --------------------------------------------------------------------------
    def resolve(self, reference: str) -> Found | None:
        """The value a reference names, if it is there.

        Raises:
            CredentialError: the reference is malformed or its vault cannot be opened.
        """
        m = REFERENCE.match(reference)
        if m is None:
            raise CredentialError("a credential reference is env:NAME, keyring:NAME or vault:NAME")
        source, name = m.groups()
        if source == "env":
            return self._from_env(name)
        if source == "keyring":
            if self._keyring is None:
                raise CredentialError(f"keyring:{name}: the keyring module is not installed")
            return self._from_keyring(name)
        return self._from_vault(name, required=True)

    def lookup(
        self,
        reference: str | None,
        *,
        device: str,
        groups: Sequence[str] = (),
        kind: Kind = "password",
    ) -> tuple[Found | None, list[str]]:
        """The credential of a device, and the places looked at (for the error message)."""
        if reference:
            return self.resolve(reference), [reference]
        prefix = "NETAUDIT_PASSWORD" if kind == "password" else "NETAUDIT_ENABLE"
        tried: list[str] = []
        for name in (device, *groups):
            env = env_name(prefix, name)
            tried.append(f"env:{env}")
            found = self._from_env(env)
            if found is None:
                key = name if kind == "password" else f"{name}/enable"
                if self._keyring is not None:
                    tried.append(f"keyring:{key}")
                    found = self._from_keyring(key)
                if found is None and self._vault_path is not None:
                    tried.append(f"vault:{key}")
                    found = self._from_vault(key, required=False)
            if found is not None:
                return found, tried
        tried.append(f"env:{prefix}")
        return self._from_env(prefix), tried


def _keyring() -> Any:
    try:
        return importlib.import_module("keyring")
    except ImportError:
        return None
