"""Evidence commands: ``vault set|get|list``, ``keygen``, ``snapshot verify``, ``snapshot import``.

Exit codes follow DESIGN.md: ``snapshot verify`` exits 1 when the snapshot differs from its
manifest (a changed, missing or added file, a bad signature, or no valid signature when
``--pub`` pins a key) — that is a finding about the evidence — and 2 when there is no readable
manifest or key, or the vault cannot be opened (wrong passphrase, damaged file).
"""

from __future__ import annotations

import getpass
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from collectors.evidence import (
    EvidenceError,
    VerifyReport,
    signing_key_from,
    verify_snapshot,
    write_keypair,
)
from collectors.importer import LAYOUTS, import_dir
from collectors.vault import (
    Vault,
    VaultError,
    default_vault_path,
    passphrase_from_env_or_prompt,
)
from netaudit.commands._common import (
    EXIT_FINDINGS,
    EXIT_INCOMPLETE,
    ForceOption,
    KeepSecretsOption,
    SignKeyOption,
    err,
    fail,
    load_or_exit,
)
from netaudit.errors import NetauditError
from netaudit.inventory import Inventory, load_inventory

vault_app = typer.Typer(help="The encrypted credentials vault (scrypt + AES-GCM).")
snapshot_app = typer.Typer(help="Snapshot evidence: verify a manifest, import saved configs.")

VaultOption = Annotated[
    Path | None,
    typer.Option("--vault", help="Vault file (default: $NETAUDIT_VAULT or the config dir)."),
]


def _open_vault(path: Path | None, *, create: bool = False) -> Vault:
    path = path or default_vault_path()
    try:
        if not path.exists():
            if not create:
                raise VaultError(f"no vault at {path}; `netaudit vault set NAME` creates one")
            vault = Vault.create(path, passphrase_from_env_or_prompt(confirm=True))
            err.print(f"created the vault {escape(str(path))}")
            return vault
        return Vault.open(path, passphrase_from_env_or_prompt())
    except NetauditError as e:
        raise fail(str(e)) from e


def _read_value(name: str) -> str:
    """The secret to store: asked twice on a terminal, else read from stdin (never argv)."""
    if sys.stdin.isatty():
        value = getpass.getpass(f"Value for {name}: ")
        if getpass.getpass("Repeat it: ") != value:
            raise fail("the two values differ")
    else:
        value = sys.stdin.read()
        value = value[:-1] if value.endswith("\n") else value
        value = value[:-1] if value.endswith("\r") else value
    if not value:
        raise fail("empty value; nothing stored")
    return value


@vault_app.command("set")
def vault_set(
    name: Annotated[str, typer.Argument(help="Entry name, e.g. core-sw1 or lgwan/enable.")],
    vault: VaultOption = None,
) -> None:
    """Store a secret under NAME; the value is read from a prompt or stdin, never argv."""
    v = _open_vault(vault, create=True)
    value = _read_value(name)
    try:
        v.set(name, value)
    except VaultError as e:
        raise fail(str(e)) from e
    err.print(f"stored {escape(name)}")


@vault_app.command("get")
def vault_get(
    name: Annotated[str, typer.Argument(help="Entry name.")],
    vault: VaultOption = None,
) -> None:
    """Print the secret stored under NAME to stdout."""
    value = _open_vault(vault).get(name)
    if value is None:
        raise fail(f"no entry {name!r} in the vault")
    sys.stdout.write(value + "\n")


@vault_app.command("list")
def vault_list(vault: VaultOption = None) -> None:
    """List entry names (never values)."""
    for name in _open_vault(vault).names():
        sys.stdout.write(name + "\n")


def keygen(
    output: Annotated[Path, typer.Option("--output", "-o", help="Private key file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing key files.")] = False,
) -> None:
    """Create an Ed25519 key pair for signing snapshots: KEYFILE (0600) and KEYFILE.pub."""
    try:
        private, public = write_keypair(output, overwrite=force)
    except (EvidenceError, OSError) as e:
        raise fail(str(e)) from e
    err.print(f"private key: {escape(str(private))} (keep it secret)")
    err.print(f"public key:  {escape(str(public))} (give it to whoever verifies)")


class VerifyFormat(StrEnum):
    """How ``snapshot verify`` prints its report."""

    table = "table"
    json = "json"


_STATE_STYLE = {"ok": "green", "changed": "bold red", "missing": "bold red", "added": "bold red"}
_SIG_TEXT = {
    "ok": "[green]valid[/] (by the pinned key)",
    "unpinned": "[yellow]valid by the key in the manifest[/] (pass --pub to trust a key)",
    "absent": "[yellow]absent[/] (unsigned snapshot)",
    "bad": "[bold red]BAD[/]",
}


def _report_json(report: VerifyReport) -> str:
    data = {
        "directory": report.directory,
        "ok": report.ok,
        "signature": report.signature,
        "key_id": report.key_id,
        "manifest_sha256": report.manifest_sha256,
        "secrets": report.secrets_mode,
        "files": [
            {"path": f.path, "state": f.state, "expected": f.expected, "actual": f.actual}
            for f in report.files
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _print_table(report: VerifyReport, show_all: bool) -> None:
    table = Table(title=f"snapshot {report.directory}", title_justify="left")
    table.add_column("file")
    table.add_column("state")
    table.add_column("sha256 (manifest)")
    table.add_column("sha256 (now)")
    for f in report.files:
        if f.state == "ok" and not show_all:
            continue
        style = _STATE_STYLE.get(f.state, "")
        table.add_row(escape(f.path), f"[{style}]{f.state}[/]", f.expected[:16], f.actual[:16])
    out = Console(highlight=False, soft_wrap=True)
    if table.row_count:
        out.print(table)
    counts = {s: sum(1 for f in report.files if f.state == s) for s in _STATE_STYLE}
    out.print(
        f"files: {counts['ok']} ok, {counts['changed']} changed, {counts['missing']} missing, "
        f"{counts['added']} added"
    )
    key = f" key {report.key_id}" if report.key_id else ""
    sig = _SIG_TEXT.get(report.signature, report.signature)
    if report.pinned and report.signature != "ok":
        sig += " — a signature by the pinned key is required"
    out.print(f"signature: {sig}{key}")
    out.print(f"secrets: {report.secrets_mode or '?'}; manifest sha256 {report.manifest_sha256}")
    out.print("[green]VERIFIED[/]" if report.ok else "[bold red]NOT VERIFIED[/]")


@snapshot_app.command("verify")
def snapshot_verify(
    directory: Annotated[Path, typer.Argument(help="Snapshot directory with manifest.json.")],
    pub: Annotated[
        Path | None, typer.Option("--pub", help="Trusted public key (from netaudit keygen).")
    ] = None,
    fmt: Annotated[VerifyFormat, typer.Option("--format", "-f")] = VerifyFormat.table,
    show_all: Annotated[bool, typer.Option("--all", help="List unchanged files too.")] = False,
) -> None:
    """Check every file against the manifest's SHA-256 and the manifest's signature."""
    try:
        key = pub.read_bytes() if pub is not None else None
        report = verify_snapshot(directory, key)
    except OSError as e:
        raise fail(f"cannot read {pub}: {e.strerror}") from e
    except EvidenceError as e:
        raise fail(str(e)) from e
    if fmt is VerifyFormat.json:
        sys.stdout.write(_report_json(report))
    else:
        _print_table(report, show_all)
    if not report.ok:
        raise typer.Exit(EXIT_FINDINGS)


@snapshot_app.command("import")
def snapshot_import(
    source: Annotated[Path, typer.Argument(help="Folder of saved configs (flat/oxidized/RANCID).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Snapshot directory to write.")],
    layout: Annotated[
        str, typer.Option("--layout", help="auto, flat, oxidized or rancid.")
    ] = "auto",
    inventory: Annotated[
        Path | None, typer.Option("--inventory", "-i", help="Inventory: platform pins, digest.")
    ] = None,
    keep_secrets: KeepSecretsOption = False,
    sign_key: SignKeyOption = None,
    force: ForceOption = False,
) -> None:
    """Import configs saved by other tools into a proper, hashed (and signed) snapshot."""
    if layout not in LAYOUTS:
        raise fail(f"unknown layout {layout!r}; choose from {', '.join(LAYOUTS)}")
    inv: Inventory | None = None
    if inventory is not None:
        path = inventory
        inv = load_or_exit(lambda: load_inventory(path), path)
    try:
        key = signing_key_from(sign_key)
        manifest = import_dir(
            source,
            output,
            platform_hints=inv.platforms() if inv is not None else None,
            keep_secrets=keep_secrets,
            signing_key=key,
            layout=layout,
            inventory_digest=inv.digest if inv is not None else None,
            overwrite=force,
        )
    except NetauditError as e:
        raise fail(str(e)) from e
    data = json.loads(manifest.read_text(encoding="utf-8"))
    devices = data["devices"]
    bad = sorted(n for n, d in devices.items() if d["status"] != "imported")
    err.print(
        f"imported {len(devices) - len(bad)} device(s) into {escape(str(output))}"
        + (f"; not imported: {escape(', '.join(bad))}" if bad else "")
        + ("; signed" if "signature" in data else "; unsigned")
        + f"; secrets {data['secrets']['mode']}"
    )
    if bad:
        raise typer.Exit(EXIT_INCOMPLETE)


def register(app: typer.Typer) -> None:
    """Add ``vault``, ``keygen`` and ``snapshot`` to the application."""
    app.add_typer(vault_app, name="vault")
    app.command("keygen")(keygen)
    app.add_typer(snapshot_app, name="snapshot")
