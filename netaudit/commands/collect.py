"""``netaudit collect``, ``netaudit lab up|down`` and ``netaudit known-hosts add|scan|list``.

``collect`` logs in to every device of an inventory (netmiko, ``--workers`` at once), runs its
platform's profile and writes a snapshot with a manifest (secrets scrubbed unless
``--keep-secrets``; signed with ``--sign-key`` or ``$NETAUDIT_SIGNING_KEY``). Progress goes to
stderr, the closing table per device to stdout. Exit 0 when every device was collected, 3 when
one was not (the snapshot records which and why), 2 on input errors.

``lab up`` serves a snapshot's configs from emulated devices on 127.0.0.1 and writes an
inventory for them; ``lab down`` stops them.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from collectors.evidence import DeviceResult, SnapshotWriter, safe_name, signing_key_from
from netaudit import __version__
from netaudit.commands._common import (
    EXIT_INCOMPLETE,
    ForceOption,
    KeepSecretsOption,
    Lang,
    SignKeyOption,
    default_lang,
    err,
    fail,
    load_or_exit,
)
from netaudit.errors import NetauditError
from netaudit.inventory import Inventory, load_inventory

# The SSH stack (netmiko, paramiko), the lab (asyncssh) and the importer are imported by the
# commands that use them, so that `netaudit collect --help` or `lab down` do not pay for all.

LABELS = {
    "ok": ("ok", "成功"),
    "auth_failed": ("authentication failed", "認証失敗"),
    "timeout": ("timeout", "タイムアウト"),
    "host_key_mismatch": ("host key mismatch", "ホスト鍵不一致"),
    "command_failed": ("command failed", "コマンド失敗"),
    "unreachable": ("unreachable", "到達不能"),
    "imported": ("imported", "取込"),
}
DEFAULT_LAB_STATE = Path(".netaudit-lab")


def _label(status: str, lang: str) -> str:
    en, ja = LABELS.get(status, (status, status))
    return ja if lang == "ja" else en


def results_table(results: list[DeviceResult], lang: str) -> Table:
    """The closing table: one row per device."""
    ja = lang == "ja"
    t = Table(
        "機器" if ja else "device",
        "ホスト" if ja else "host",
        "機種" if ja else "platform",
        "結果" if ja else "status",
        "秒" if ja else "seconds",
        "詳細" if ja else "detail",
        box=None,
        pad_edge=False,
    )
    for r in results:
        colour = "green" if r.status == "ok" else "red"
        t.add_row(
            escape(r.name),
            escape(r.host or "-"),
            escape(r.platform or "-"),
            f"[{colour}]{escape(_label(r.status, lang))}[/]",
            f"{(r.finished - r.started).total_seconds():.1f}",
            escape(r.error),
        )
    return t


def collect_command(
    inventory: Annotated[
        Path | None, typer.Argument(help="Inventory YAML (devices, groups, collection settings).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Snapshot directory to write.")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=512)] = 8,
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=0.1, help="Seconds per connection/command.")
    ] = None,
    retries: Annotated[int | None, typer.Option("--retries", min=0, max=10)] = None,
    accept_new_host_keys: Annotated[
        bool,
        typer.Option(
            "--accept-new-host-keys", help="Store the keys of devices not yet in known_hosts."
        ),
    ] = False,
    known_hosts: Annotated[
        Path | None,
        typer.Option("--known-hosts", help="known_hosts file (default: netaudit's own)."),
    ] = None,
    keep_secrets: KeepSecretsOption = False,
    sign_key: SignKeyOption = None,
    device: Annotated[
        list[str] | None, typer.Option("--device", help="Only these devices.")
    ] = None,
    vault: Annotated[
        Path | None, typer.Option("--vault", help="Vault file for vault: credentials.")
    ] = None,
    from_dir: Annotated[
        Path | None,
        typer.Option("--from-dir", help="Import configs saved by other tools instead."),
    ] = None,
    force: ForceOption = False,
    lang: Annotated[Lang | None, typer.Option("--lang")] = None,
) -> None:
    """Collect running configurations over SSH into a snapshot with a manifest."""
    from collectors import known_hosts as kh
    from collectors.credentials import Credentials
    from collectors.ssh import OK, Options, collect, plan
    from collectors.vault import default_vault_path, passphrase_from_env_or_prompt

    if output is None:
        raise fail("--output/-o is required")
    language = (lang or default_lang()).value
    inv = None
    if inventory is not None:
        path = inventory
        inv = load_or_exit(lambda: load_inventory(path), path)
    if from_dir is not None:
        _import(from_dir, output, inv, keep_secrets, sign_key, force)
        return
    if inv is None:
        raise fail("give an INVENTORY (or --from-dir DIR)")
    try:
        signing_key = signing_key_from(sign_key)
    except NetauditError as e:
        raise fail(str(e)) from e
    unknown = [d for d in device or [] if inv.device(d) is None]
    if unknown:
        raise fail(f"not in the inventory: {', '.join(unknown)}")
    creds = Credentials(
        vault_path=vault or default_vault_path(),
        vault_passphrase=lambda: passphrase_from_env_or_prompt(),
    )
    try:
        targets, results = plan(inv, creds, timeout=timeout, retries=retries, only=device or ())
    except NetauditError as e:
        raise fail(str(e)) from e
    if known_hosts is not None:
        targets = [replace(t, known_hosts=None) for t in targets]
    options = Options(
        known_hosts=known_hosts or kh.default_path(),
        accept_new_host_keys=accept_new_host_keys,
        workers=workers,
    )
    names = [safe_name(n) for n in [*(t.name for t in targets), *(r.name for r in results)]]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise fail(f"device names that clash as file names: {', '.join(clashes)}")
    started = time.monotonic()
    # Each device is written (scrubbed, fsynced) into a hidden partial directory as soon as it
    # is done, while the others are still collected; commit() adds the manifest and renames.
    # Leaving the block otherwise (error, Ctrl-C) removes the partial directory.
    try:
        writer = SnapshotWriter(
            output,
            inventory_digest=inv.digest,
            keep_secrets=keep_secrets,
            signing_key=signing_key,
            tool_version=__version__,
            overwrite=force,
        )
    except NetauditError as e:
        raise fail(str(e)) from e
    with writer:
        for r in results:
            writer.add(r)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as progress:
            task = progress.add_task("collecting", total=len(targets))

            def done(r: DeviceResult) -> None:
                writer.add(r)
                progress.advance(task)
                progress.update(task, description=f"{escape(r.name)}: {_label(r.status, language)}")

            try:
                results += collect(targets, options, on_done=done)
            except NetauditError as e:
                raise fail(str(e)) from e
        collected = time.monotonic()
        try:
            manifest = writer.commit()
        except NetauditError as e:
            raise fail(str(e)) from e
    written = time.monotonic()
    order = {d.name: i for i, d in enumerate(inv.devices)}
    results.sort(key=lambda r: order.get(r.name, len(order)))
    # Not a terminal: wide enough that an error message stays on its row (logs, CI).
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(
        results_table(results, language)
    )
    bad = [r.name for r in results if r.status != OK]
    err.print(
        f"{len(results) - len(bad)}/{len(results)} collected in {collected - started:.1f} s, "
        f"written in {written - collected:.1f} s more → {escape(str(manifest.parent))}"
        + ("; signed" if signing_key else "; unsigned")
        + ("; secrets kept" if keep_secrets else "; secrets scrubbed")
    )
    if bad:
        err.print(f"[yellow]not collected:[/] {escape(', '.join(bad))}")
        raise typer.Exit(EXIT_INCOMPLETE)


def _import(
    src: Path,
    out: Path,
    inventory: Inventory | None,
    keep_secrets: bool,
    sign_key: Path | None,
    force: bool,
) -> None:
    from collectors.importer import import_dir

    try:
        manifest = import_dir(
            src,
            out,
            platform_hints=inventory.platforms() if inventory is not None else None,
            keep_secrets=keep_secrets,
            signing_key=signing_key_from(sign_key),
            inventory_digest=inventory.digest if inventory is not None else None,
            tool_version=__version__,
            overwrite=force,
        )
    except NetauditError as e:
        raise fail(str(e)) from e
    err.print(f"imported into {escape(str(manifest.parent))}")


# -- lab ---------------------------------------------------------------------------------

lab_app = typer.Typer(help="Emulated devices over SSH on 127.0.0.1, serving a snapshot's configs.")


@lab_app.command("up")
def lab_up(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot directory whose configs to serve.")],
    state: Annotated[
        Path, typer.Option("--state", help="State directory (inventory, known_hosts, lab.env).")
    ] = DEFAULT_LAB_STATE,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            "--fault",
            help="DEVICE=slow:0.3|refuse|hostkey|drop (join with +; DEVICE * for all others;"
            " repeat or comma-separate).",
        ),
    ] = None,
) -> None:
    """Start one emulated device per config, in the background."""
    from collectors.lab import process as lab_process
    from collectors.lab.device import Fault

    faults: dict[str, str] = {}
    for item in ",".join(fault or []).split(","):
        if not item.strip():
            continue
        name, sep, spec = item.strip().partition("=")
        if not sep or not name:
            raise fail(f"--fault: {item!r} is not device=fault")
        try:
            Fault.parse(spec)
        except ValueError as e:
            raise fail(f"--fault {item}: {e}") from e
        faults[name] = spec
    try:
        st = lab_process.up(snapshot, state, faults=faults)
    except NetauditError as e:
        raise fail(str(e)) from e
    t = Table("device", "platform", "port", box=None, pad_edge=False)
    for name, info in st.devices.items():
        t.add_row(escape(name), escape(str(info["platform"])), str(info["port"]))
    Console(highlight=False).print(t)
    err.print(
        f"lab up: {len(st.devices)} device(s), pid {st.pid}\n"
        f"inventory: {escape(str(st.inventory))}\n"
        f"credentials: {lab_process.PASSWORD_ENV}, {lab_process.ENABLE_ENV} "
        f"(set them from {escape(str(st.env_file))})"
    )


@lab_app.command("down")
def lab_down(
    state: Annotated[Path, typer.Option("--state", help="State directory of the lab.")] = (
        DEFAULT_LAB_STATE
    ),
) -> None:
    """Stop the lab started from this state directory."""
    from collectors.lab import process as lab_process

    try:
        st = lab_process.down(state)
    except NetauditError as e:
        raise fail(str(e)) from e
    if st is None:
        err.print(f"no lab runs from {escape(str(state))}")
        return
    err.print(f"lab down: stopped pid {st.pid} ({len(st.devices)} device(s))")


# -- known hosts ---------------------------------------------------------------------------

known_hosts_app = typer.Typer(help="The known_hosts file netaudit checks device keys against.")
KnownHostsOption = Annotated[
    Path | None, typer.Option("--known-hosts", help="known_hosts file (default: netaudit's own).")
]


def _host_port(text: str) -> tuple[str, int]:
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") or "22"
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, "22"
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise fail(f"{text!r} is not HOST[:PORT]")
    return host, int(port)


@known_hosts_app.command("list")
def known_hosts_list(known_hosts: KnownHostsOption = None) -> None:
    """List the stored host keys with their fingerprints."""
    from collectors import known_hosts as kh

    store = kh.KnownHosts(known_hosts or kh.default_path())
    try:
        entries = store.entries()
    except NetauditError as e:
        raise fail(str(e)) from e
    t = Table("host", "type", "fingerprint", box=None, pad_edge=False)
    for entry in entries:
        t.add_row(escape(entry.host), entry.key_type, entry.fingerprint)
    Console(highlight=False).print(t)
    err.print(f"{len(entries)} key(s) in {escape(str(store.path))}")


@known_hosts_app.command("scan")
def known_hosts_scan(
    target: Annotated[str, typer.Argument(metavar="HOST[:PORT]")],
    known_hosts: KnownHostsOption = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace a different stored key.")
    ] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1)] = 10.0,
) -> None:
    """Fetch a device's host key and store it (compare the fingerprint with the device's)."""
    from collectors import known_hosts as kh

    host, port = _host_port(target)
    store = kh.KnownHosts(known_hosts or kh.default_path())
    try:
        key = kh.scan(host, port, timeout=timeout)
        changed = store.add(host, port, key, replace=replace)
    except NetauditError as e:
        raise fail(str(e)) from e
    typer.echo(f"{kh.host_entry(host, port)} {key.get_name()} {kh.fingerprint(key)}")
    err.print("stored" if changed else "already stored")


@known_hosts_app.command("add")
def known_hosts_add(
    target: Annotated[str, typer.Argument(metavar="HOST[:PORT]")],
    key: Annotated[list[str], typer.Argument(help="The public key: TYPE BASE64 (a .pub line).")],
    known_hosts: KnownHostsOption = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace a different stored key.")
    ] = False,
) -> None:
    """Store a host key given by hand (e.g. read from the device's console)."""
    from collectors import known_hosts as kh

    host, port = _host_port(target)
    store = kh.KnownHosts(known_hosts or kh.default_path())
    try:
        pkey = kh.parse_key(" ".join(key))
        changed = store.add(host, port, pkey, replace=replace)
    except NetauditError as e:
        raise fail(str(e)) from e
    typer.echo(f"{kh.host_entry(host, port)} {pkey.get_name()} {kh.fingerprint(pkey)}")
    err.print("stored" if changed else "already stored")


def register(app: typer.Typer) -> None:
    """Add ``collect``, ``lab`` and ``known-hosts`` to the application."""
    app.command("collect")(collect_command)
    app.add_typer(lab_app, name="lab")
    app.add_typer(known_hosts_app, name="known-hosts")
