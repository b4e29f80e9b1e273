"""An encrypted vault file for device credentials, unlocked by a passphrase.

Format (JSON, mode 0600)::

    {"format": "netaudit-vault/v1",
     "kdf": {"name": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": "<base64, 16 bytes>"},
     "cipher": "aes-256-gcm", "nonce": "<base64, 12 bytes>", "ciphertext": "<base64>"}

The key is derived from the passphrase with scrypt (RFC 7914; n=2^15, r=8, p=1 is the
interactive-login setting recommended there and by the ``cryptography`` docs: ~32 MiB and a
fraction of a second) and a random salt chosen when the vault is created. The plaintext is the
JSON object of all entries, encrypted with AES-256-GCM under a fresh random nonce on every
write, with the header (format, kdf, cipher) as associated data so it cannot be altered
unnoticed. Entry names are inside the ciphertext too: even the list of credentials needs the
passphrase. A wrong passphrase fails the GCM tag check and raises :class:`VaultError`.

Every write goes to a temporary file that is fsynced and renamed over the vault.
"""

from __future__ import annotations

import base64
import binascii
import getpass
import json
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from collectors.secrets import config_dir, write_private
from netaudit.errors import NetauditError

FORMAT = "netaudit-vault/v1"
PASSPHRASE_ENV = "NETAUDIT_VAULT_PASSPHRASE"  # noqa: S105 - a variable name
PATH_ENV = "NETAUDIT_VAULT"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


class VaultError(NetauditError):
    """The vault cannot be opened (wrong passphrase, damaged file) or written."""


def default_vault_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$NETAUDIT_VAULT``, else ``vault.json`` in netaudit's config directory."""
    env = os.environ if environ is None else environ
    value = env.get(PATH_ENV)
    return Path(value) if value else config_dir() / "vault.json"


def passphrase_from_env_or_prompt(
    *,
    confirm: bool = False,
    environ: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
) -> str:
    """The vault passphrase from ``$NETAUDIT_VAULT_PASSPHRASE``, else asked on the terminal.

    Raises:
        VaultError: empty passphrase, or the confirmation differs.
    """
    env = os.environ if environ is None else environ
    value = env.get(PASSPHRASE_ENV)
    if value:
        return value
    value = prompt("Vault passphrase: ")
    if not value:
        raise VaultError("an empty passphrase is not allowed")
    if confirm and prompt("Repeat the passphrase: ") != value:
        raise VaultError("the passphrases differ")
    return value


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object, what: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (ValueError, binascii.Error) as e:
        raise VaultError(f"the vault file is damaged ({what})") from e


class Vault:
    """A set of named secrets in one encrypted file. Use :meth:`create` or :meth:`open`."""

    def __init__(self, path: Path, key: bytes, header: dict[str, Any], entries: dict[str, str]):
        self.path = path
        self._key = key
        self._header = header
        self._entries = entries

    def __repr__(self) -> str:
        return f"Vault({str(self.path)!r}, {len(self._entries)} entries)"

    @staticmethod
    def _derive(passphrase: str, kdf: Mapping[str, Any]) -> bytes:
        try:
            scrypt = Scrypt(
                salt=_unb64(kdf["salt"], "salt"),
                length=32,
                n=int(kdf["n"]),
                r=int(kdf["r"]),
                p=int(kdf["p"]),
            )
        except (KeyError, TypeError, ValueError) as e:
            raise VaultError(f"the vault's key derivation settings are invalid: {e}") from e
        return scrypt.derive(passphrase.encode("utf-8"))

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        n: int = SCRYPT_N,
        r: int = SCRYPT_R,
        p: int = SCRYPT_P,
    ) -> Vault:
        """Create an empty vault at ``path``.

        Raises:
            VaultError: the file exists, or the passphrase is empty.
        """
        if not passphrase:
            raise VaultError("an empty passphrase is not allowed")
        if path.exists():
            raise VaultError(f"{path} already exists")
        header: dict[str, Any] = {
            "format": FORMAT,
            "kdf": {"name": "scrypt", "n": n, "r": r, "p": p, "salt": _b64(os.urandom(16))},
            "cipher": "aes-256-gcm",
        }
        vault = cls(path, cls._derive(passphrase, header["kdf"]), header, {})
        vault._save()
        return vault

    @classmethod
    def open(cls, path: Path, passphrase: str) -> Vault:
        """Open and decrypt the vault at ``path``.

        Raises:
            VaultError: no such file, a damaged file, or a wrong passphrase.
        """
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise VaultError(f"no vault at {path}") from e
        except (OSError, ValueError) as e:
            raise VaultError(f"cannot read the vault {path}: {e}") from e
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise VaultError(f"{path} is not a {FORMAT} file")
        kdf = data.get("kdf")
        if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
            raise VaultError(f"{path}: unsupported key derivation")
        if data.get("cipher") != "aes-256-gcm":
            raise VaultError(f"{path}: unsupported cipher")
        header = {"format": FORMAT, "kdf": kdf, "cipher": data["cipher"]}
        key = cls._derive(passphrase, kdf)
        try:
            plain = AESGCM(key).decrypt(
                _unb64(data.get("nonce"), "nonce"),
                _unb64(data.get("ciphertext"), "ciphertext"),
                cls._aad(header),
            )
        except InvalidTag as e:
            raise VaultError(
                f"wrong passphrase for the vault {path} (or the file was altered)"
            ) from e
        try:
            entries = json.loads(plain.decode("utf-8"))
        except ValueError as e:
            raise VaultError(f"the vault {path} holds unreadable data") from e
        if not isinstance(entries, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in entries.items()
        ):
            raise VaultError(f"the vault {path} holds unreadable data")
        return cls(path, key, header, entries)

    @staticmethod
    def _aad(header: Mapping[str, Any]) -> bytes:
        return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def _save(self) -> None:
        nonce = secrets.token_bytes(12)
        plain = json.dumps(self._entries, sort_keys=True).encode("utf-8")
        ciphertext = AESGCM(self._key).encrypt(nonce, plain, self._aad(self._header))
        doc = {**self._header, "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}
        try:
            write_private(self.path, (json.dumps(doc, indent=2) + "\n").encode("utf-8"))
        except OSError as e:
            raise VaultError(f"cannot write the vault {self.path}: {e.strerror}") from e

    def get(self, name: str) -> str | None:
        """The secret stored under ``name``, or None."""
        return self._entries.get(name)

    def set(self, name: str, value: str) -> None:
        """Store ``value`` under ``name`` and write the vault.

        Raises:
            VaultError: an empty name, or the file cannot be written.
        """
        if not name or name != name.strip():
            raise VaultError("a vault entry name must be non-empty without surrounding blanks")
        self._entries[name] = value
        self._save()

    def delete(self, name: str) -> bool:
        """Remove ``name``; True when it was there."""
        if name not in self._entries:
            return False
        del self._entries[name]
        self._save()
        return True

    def names(self) -> list[str]:
        """The entry names, sorted (never the values)."""
        return sorted(self._entries)
