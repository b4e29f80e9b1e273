"""The ``netaudit`` command line: the only place that prints, picks renderers and exits.

Exit codes (DESIGN.md): 0 complete and nothing at or above ``--fail-on``; 1 findings at or
above it; 2 usage, policy or input error; 3 incomplete (a device not parsed, a check errored,
something unknown). A definite failing finding wins over incompleteness: it is known.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import ipaddress
import json
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from netaudit import __version__
from netaudit.commands._common import (
    EXIT_INCOMPLETE,
    EXIT_INPUT,
    EXIT_OK,
    FailOn,
    FailOnOption,
    FormatsOption,
    Lang,
    OutputDirOption,
    OutputOption,
    PolicyOption,
    default_lang,
    err,
    exit_code,
    load_or_exit,
)
from netaudit.commands._common import fail as _fail
from netaudit.errors import InputError, NetauditError
from netaudit.inventory import Inventory, load_inventory
from reports import FORMATS

if TYPE_CHECKING:
    from checks import CheckMeta
    from netaudit.flow import Packet
    from netaudit.model import DeviceConfig
    from netaudit.policy import Policy, Problem

# The analysis (checks, engine, reach, flow: dd/CUDD, networkx), the policy models, the parsers
# and the renderers are imported inside the commands that use them, and the command modules only when their command runs (_LazyCommands), so that
# `netaudit collect` starts without loading what it never uses.


# Commands that live in their own modules (netaudit/commands/<name>.py), each exposing
# ``register(app: typer.Typer) -> None``: command name -> module, listed here literally (a
# closed set; a test checks it against what each module registers). A module is imported
# when one of its commands is looked up (to run it, or for `netaudit --help`).
LAZY_COMMANDS: Mapping[str, str] = {
    "collect": "netaudit.commands.collect",
    "diff": "netaudit.commands.diff",
    "keygen": "netaudit.commands.evidence",
    "init": "netaudit.commands.init",
    "pcap": "netaudit.commands.traffic",
    "probe": "netaudit.commands.traffic",
    "waivers": "netaudit.commands.waivers",
    "lab": "netaudit.commands.collect",
    "known-hosts": "netaudit.commands.collect",
    "vault": "netaudit.commands.evidence",
    "snapshot": "netaudit.commands.evidence",
}
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(LAZY_COMMANDS.values()))


@functools.cache
def module_commands(module: str) -> dict[str, Any]:
    """The click commands a command module registers, by name (imports the module)."""
    sub = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    sub.callback()(lambda: None)  # a group, even when the module registers one command
    importlib.import_module(module).register(sub)
    return dict(typer.main.get_group(sub).commands)


class _LazyCommands(MutableMapping[str, Any]):
    """The application's commands: its own, then those of LAZY_COMMANDS, loaded on lookup."""

    def __init__(self, eager: MutableMapping[str, Any]) -> None:
        self._eager = eager

    def __getitem__(self, name: str) -> Any:
        if name not in self._eager and name in LAZY_COMMANDS:
            self._eager[name] = module_commands(LAZY_COMMANDS[name])[name]
        return self._eager[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._eager[name] = command

    def __delitem__(self, name: str) -> None:
        del self._eager[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._eager
        yield from (n for n in LAZY_COMMANDS if n not in self._eager)

    def __len__(self) -> int:
        return len(set(self._eager) | set(LAZY_COMMANDS))


class _LazyGroup(TyperGroup):
    """The top-level group, whose command table imports command modules on demand."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _LazyCommands(self.commands)


app = typer.Typer(
    name="netaudit",
    help="Audit 三層の対策 network separation from device configurations, exactly.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_LazyGroup,
)


def _formats(value: str) -> list[str]:
    fmts = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in fmts if f not in FORMATS]
    if unknown or not fmts:
        raise _fail(
            f"unknown format {', '.join(unknown) or value!r}; choose from {', '.join(FORMATS)}"
        )
    return fmts


_EXTENSIONS = {
    "console": "txt",
    "json": "json",
    "sarif": "sarif",
    "junit": "xml",
    "html": "html",
    "markdown": "md",
}


@app.command()
def audit(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot directory (or one config file).")],
    policy: PolicyOption,
    fmt: FormatsOption = "console",
    output: OutputOption = None,
    output_dir: OutputDirOption = None,
    fail_on: FailOnOption = FailOn.high,
    lang: Annotated[
        Lang | None, typer.Option("--lang", help="Report language (default: from the locale).")
    ] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="Pin the platform of every file.")
    ] = None,
    check: Annotated[
        list[str] | None, typer.Option("--check", help="Run only these check IDs.")
    ] = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Judge expiry dates as of this day (YYYY-MM-DD).")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also list unrecognized lines.")
    ] = False,
    color: Annotated[
        bool | None, typer.Option("--color/--no-color", help="Colour the console report.")
    ] = None,
    inventory: Annotated[
        Path | None,
        typer.Option("--inventory", "-i", help="Inventory YAML: platform pins, zone hints."),
    ] = None,
    waivers: Annotated[
        Path | None,
        typer.Option("--waivers", "-w", help="Waivers YAML (例外措置): approved findings."),
    ] = None,
) -> None:
    """Audit a snapshot of configs against a separation policy."""
    from checks import all_checks
    from netaudit.engine import audit as run_audit
    from netaudit.parsers import PLATFORMS
    from netaudit.policy import load_policy
    from netaudit.waivers import apply_waivers, load_waivers
    from reports import RenderOptions, ReportError, render

    fmts = _formats(fmt)
    if output is not None and len(fmts) > 1:
        raise _fail("--output takes one format; use --output-dir for several")
    if platform is not None and platform not in PLATFORMS:
        raise _fail(f"unknown platform {platform!r}; known: {', '.join(PLATFORMS)}")
    known = {c.meta.id for c in all_checks()}
    unknown_checks = [c for c in check or [] if c not in known]
    if unknown_checks:
        raise _fail(f"unknown check {', '.join(unknown_checks)}; see `netaudit checks`")
    day = _date(today)
    pol = load_or_exit(lambda: load_policy(policy), policy)
    inv = _load_inventory_or_exit(inventory, pol) if inventory is not None else None
    wvr = (
        load_or_exit(lambda: load_waivers(waivers, policy=pol), waivers)
        if waivers is not None
        else None
    )
    language = (lang or default_lang()).value
    with err.status("parsing…", spinner="dots") as status:
        try:
            result, _ = run_audit(
                snapshot,
                pol,
                today=day,
                only=check or (),
                platform=platform,
                lang=language,
                progress=lambda name: status.update(f"parsing {escape(name)}…"),
                inventory=inv,
            )
        except InputError as e:
            raise _fail(str(e)) from e
    if wvr is not None:
        result, _notes = apply_waivers(result, wvr, day or dt.date.today())
    for p in result.problems:
        err.print(f"[yellow]warning:[/] {escape(p.message)}")
    use_color = sys.stdout.isatty() if color is None else color
    width = Console().width if sys.stdout.isatty() else 120
    for f in fmts:
        try:
            text = render(
                f,
                result,
                RenderOptions(
                    lang="ja" if language == "ja" else "en",
                    color=use_color and output is None and output_dir is None and f == "console",
                    width=max(width, 80),
                    verbose=verbose,
                ),
            )
        except ReportError as e:
            raise _fail(str(e)) from e
        if output_dir is not None:
            output_dir.mkdir(parents=True, exist_ok=True)
            _write(output_dir / f"netaudit.{_EXTENSIONS.get(f, f)}", text)
        elif output is not None:
            _write(output, text)
        else:
            sys.stdout.write(text)
    raise typer.Exit(exit_code(result, fail_on))


def _bare(e: InputError) -> str:
    """The message of an input error without its ``file:line:`` prefix."""
    text = str(e)
    prefix = f"{e.file}:{e.line}: " if e.file and e.line else f"{e.file}: " if e.file else ""
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as e:
        raise _fail(f"cannot write {path}: {e.strerror}") from e
    err.print(f"wrote {escape(str(path))}")


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise _fail(f"--today: not a date (YYYY-MM-DD): {text!r}") from e


def _load_inventory_or_exit(path: Path, policy: Policy) -> Inventory:
    inv = load_or_exit(lambda: load_inventory(path), path)
    problems = inv.check_zones(policy)
    for p in problems:
        err.print(escape(str(p)), soft_wrap=True)
    if problems:
        raise _fail(f"{len(problems)} problem(s) in {path}")
    return inv


@app.command()
def validate(
    policies: Annotated[list[Path], typer.Argument(help="Policy files, or directories of *.yaml.")],
    today: Annotated[
        str | None, typer.Option("--today", help="Judge expiry as of this day.")
    ] = None,
) -> None:
    """Check policy files: schema, CIDRs, overlaps, references, expired exceptions."""
    from netaudit.policy import PolicyValidationError, Problem, lint_policy, load_policy

    day = _date(today) or dt.date.today()
    files: list[Path] = []
    for p in policies:
        if p.is_dir():
            files.extend(sorted([*p.glob("*.yaml"), *p.glob("*.yml")]))
        else:
            files.append(p)
    if not files:
        raise _fail("no policy files given")
    problems: list[Problem] = []
    for f in files:
        try:
            pol = load_policy(f)
        except PolicyValidationError as e:
            problems.extend(e.problems)
            continue
        except InputError as e:
            problems.append(Problem(e.file or str(f), e.line, _bare(e)))
            continue
        problems.extend(lint_policy(pol, today=day))
    for problem in problems:
        # One problem per line, never wrapped: editors and CI parse `file:line: message`.
        sys.stdout.write(f"{problem}\n")
    if problems:
        err.print(f"[red]{len(problems)} problem(s) in {len(files)} file(s)[/]")
        raise typer.Exit(EXIT_INPUT)
    err.print(f"[green]ok[/]: {len(files)} policy file(s)")


class ParseFormat(StrEnum):
    """Output of ``netaudit parse``."""

    table = "table"
    json = "json"


@app.command()
def parse(
    configs: Annotated[list[Path], typer.Argument(help="Config files.")],
    fmt: Annotated[ParseFormat, typer.Option("--format", "-f")] = ParseFormat.table,
    platform: Annotated[str | None, typer.Option("--platform", help="Pin the platform.")] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every model object.")
    ] = False,
) -> None:
    """Show what netaudit understood of each config, and every line it did not."""
    from netaudit.parsers import PLATFORMS, parse_file
    from netaudit.serialize import to_data

    if platform is not None and platform not in PLATFORMS:
        raise _fail(f"unknown platform {platform!r}; known: {', '.join(PLATFORMS)}")
    devices: list[DeviceConfig] = []
    failed = 0
    for path in configs:
        try:
            devices.append(parse_file(path, platform=platform))
        except InputError as e:
            err.print(f"[red]error:[/] {escape(str(e))}")
            failed += 1
    if fmt is ParseFormat.json:
        sys.stdout.write(
            json.dumps([to_data(d) for d in devices], ensure_ascii=False, indent=2) + "\n"
        )
    else:
        out = Console(highlight=False)
        for d in devices:
            _print_device(out, d, verbose)
    raise typer.Exit(EXIT_INPUT if failed else EXIT_OK)


def _print_device(out: Console, d: DeviceConfig, verbose: bool) -> None:
    from netaudit.model import Direction

    cov = d.coverage
    out.rule(f"{escape(d.name)}  [dim]{escape(d.source)}[/]")
    out.print(
        f"platform [bold]{d.platform}[/]  hostname {escape(d.hostname or '-')}  "
        f"understood {cov.recognized}/{cov.considered} lines ({cov.share:.1%})"
    )
    t = Table("interface", "mode", "addresses", "filters", "state", box=None, pad_edge=False)
    for i in d.interfaces:
        if not verbose and not (
            i.addresses or d.bound(i.name, Direction.IN) or d.bound(i.name, Direction.OUT)
        ):
            continue
        l2 = (
            f"{i.mode.value}"
            + (f" vlan {i.access_vlan}" if i.access_vlan else "")
            + (f" svi {i.vlan}" if i.vlan else "")
        )
        filters = " ".join(
            f"{b.filter}:{b.direction.value}" for b in d.bindings if b.interface == i.name
        )
        t.add_row(
            escape(i.name),
            l2 + (f" vrf {i.vrf}" if i.vrf else ""),
            " ".join(str(a) for a in i.addresses),
            escape(filters),
            "up" if i.enabled else "shutdown",
        )
    out.print(t)
    for f in d.filters:
        out.print(
            f"filter [bold]{escape(f.name)}[/] ({f.kind.value}): {len(f.rules)} rules, default {f.default_action.value}"
        )
    if d.policy is not None:
        out.print(
            f"policy [bold]{escape(d.policy.name)}[/]: {len(d.policy.rules)} rules, default {d.policy.default_action.value}"
        )
    for r in d.routes:
        via = "discard" if r.discard else f"{r.next_hop or ''} {r.interface or ''}".strip()
        out.print(f"route {r.prefix} -> {escape(via)}" + (f" vrf {r.vrf}" if r.vrf else ""))
    m = d.mgmt
    services = ", ".join(f"{s.protocol}{'' if s.enabled else ' (off)'}" for s in m.services)
    out.print(
        f"management: {escape(services or '-')}; syslog {len(m.syslog_hosts)}; ntp {len(m.ntp_servers)}; snmp communities {len(m.snmp_communities)}; aaa {m.aaa}"
    )
    for w in d.warnings:
        out.print(f"[yellow]warning[/] line {w.span.line}: {escape(w.message)}")
    if cov.unrecognized:
        out.print(f"[yellow]{len(cov.unrecognized)} line(s) not understood:[/]")
        for u in cov.unrecognized if verbose else cov.unrecognized[:50]:
            out.print(f"  {u.line:>6}  {escape(u.text)}")
        if not verbose and len(cov.unrecognized) > 50:
            out.print(f"  … {len(cov.unrecognized) - 50} more (--verbose)")


_PROTOS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}


class TraceFormat(StrEnum):
    """Output of ``netaudit trace``."""

    text = "text"
    json = "json"


@app.command()
def trace(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot directory (or one config file).")],
    src: Annotated[str, typer.Option("--src", help="Source address.")],
    dst: Annotated[str, typer.Option("--dst", help="Destination address.")],
    proto: Annotated[str, typer.Option("--proto", help="tcp, udp, icmp or a number.")] = "tcp",
    sport: Annotated[int, typer.Option("--sport", min=0, max=65535)] = 49152,
    dport: Annotated[int, typer.Option("--dport", min=0, max=65535)] = 443,
    device: Annotated[str | None, typer.Option("--device", help="Only this device.")] = None,
    in_if: Annotated[
        str | None, typer.Option("--in", help="Ingress interface (default: by route to src).")
    ] = None,
    out_if: Annotated[
        str | None, typer.Option("--out", help="Egress interface (default: by route to dst).")
    ] = None,
    fmt: Annotated[TraceFormat, typer.Option("--format", "-f")] = TraceFormat.text,
    platform: Annotated[str | None, typer.Option("--platform")] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", "-p", help="Policy YAML (zones for start points).")
    ] = None,
    inventory: Annotated[
        Path | None,
        typer.Option(
            "--inventory", "-i", help="Inventory YAML: links, externals, unknown devices."
        ),
    ] = None,
) -> None:
    """Follow one packet across the devices, hop by hop, with the deciding line at each filter.

    Without ``--device`` the packet starts where its source address is (the most specific
    subnet) and is followed through every device to where and why it stops. With ``--device``
    only that device is shown (``--in`` / ``--out`` pick the interfaces).
    """
    from netaudit.commands.trace import print_traces, trace_network, traces_json
    from netaudit.engine import load_snapshot
    from netaudit.flow import Packet
    from netaudit.model import PORT_PROTOCOLS
    from netaudit.policy import load_policy

    try:
        s_addr = ipaddress.ip_address(src)
    except ValueError as e:
        raise _fail(f"--src: {e}") from e
    try:
        d_addr = ipaddress.ip_address(dst)
    except ValueError as e:
        raise _fail(f"--dst: {e}") from e
    if s_addr.version != d_addr.version:
        raise _fail("--src and --dst must be of the same address family")
    p = _PROTOS.get(proto.lower()) if not proto.isdigit() else int(proto)
    if p is None or not 0 <= p <= 255:
        raise _fail(f"--proto: {proto!r} is not tcp, udp, icmp or a protocol number")
    packet = Packet(
        proto=p,
        src=s_addr,
        dst=d_addr,
        sport=sport if p in PORT_PROTOCOLS else None,
        dport=dport if p in PORT_PROTOCOLS else None,
        icmp_type=8 if p in (1, 58) else None,
        icmp_code=0 if p in (1, 58) else None,
    )
    try:
        loaded = load_snapshot(snapshot, platform=platform)
    except InputError as e:
        raise _fail(str(e)) from e
    for problem in loaded.problems:
        err.print(f"[yellow]warning:[/] {escape(problem.message)}")
    if device is None:
        pol = load_or_exit(lambda: load_policy(policy), policy) if policy is not None else None
        inv = _load_inventory_or_exit(inventory, pol) if inventory is not None and pol else None
        if inventory is not None and pol is None:
            inv = load_or_exit(lambda: load_inventory(inventory), inventory)
        traces = trace_network(loaded.devices, packet, pol, inv)
        if fmt is TraceFormat.json:
            doc = traces_json(packet, traces)
            sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        else:
            print_traces(Console(highlight=False), packet, traces)
        raise typer.Exit(EXIT_INCOMPLETE if loaded.failed else EXIT_OK)
    devices = [d for d in loaded.devices if d.name == device]
    if not devices:
        raise _fail(f"no device {device!r} in {snapshot}")
    hops: list[dict[str, Any]] = []
    for d in devices:
        hop = _trace_device(d, packet, in_if, out_if)
        if hop is not None or device is not None:
            hops.append(hop or {"device": d.name, "result": "not on the path"})
    if fmt is TraceFormat.json:
        sys.stdout.write(
            json.dumps({"packet": packet.to_json(), "devices": hops}, ensure_ascii=False, indent=2)
            + "\n"
        )
    else:
        out = Console(highlight=False)
        out.print(f"packet: {escape(str(packet))}")
        if not hops:
            out.print(
                "no device in the snapshot forwards this packet between two of its interfaces"
            )
        for h in hops:
            out.rule(escape(h["device"]))
            if "in" in h:
                out.print(
                    f"in {escape(str(h['in']))} -> out {escape(str(h['out']))}"
                    + (f"  (route {escape(h['route'])})" if h.get("route") else "")
                )
            for s in h.get("steps", []):
                where = (
                    f"{s['file']}:{s['line']}  {s['text']}" if s["line"] else "(implicit default)"
                )
                out.print(f"  {s['action']:<6} {escape(s['what'])}: {escape(where)}")
            out.print(f"  => [bold]{escape(h['result'])}[/]")
    raise typer.Exit(EXIT_INCOMPLETE if loaded.failed else EXIT_OK)


def _trace_device(
    d: DeviceConfig, packet: Packet, in_if: str | None, out_if: str | None
) -> dict[str, Any] | None:
    from netaudit.commands.trace import step_json
    from netaudit.reach import explain, host_route

    ingress = in_if or host_route(d, packet.src)[0]
    egress, route, discarded = host_route(d, packet.dst)
    if out_if is not None:
        egress, discarded = out_if, False
    hop: dict[str, Any] = {"device": d.name, "in": ingress, "out": egress}
    if route is not None:
        hop["route"] = f"{route.span.file}:{route.span.line} {route.span.text}"
    if ingress is None:
        return None
    if discarded:
        hop["result"] = "dropped: null route"
        return hop
    if egress is None:
        hop["result"] = "dropped: no route"
        return hop
    if egress == ingress and in_if is None and out_if is None:
        return None
    steps = explain(d, ingress, egress, packet)
    hop["steps"] = [step_json(s) for s in steps]
    denied = any(s.action.value == "deny" for s in steps)
    hop["result"] = "denied" if denied else "forwarded"
    return hop


class ChecksFormat(StrEnum):
    """Output of ``netaudit checks``."""

    table = "table"
    json = "json"


@app.command()
def checks(
    lang: Annotated[Lang | None, typer.Option("--lang")] = None,
    fmt: Annotated[ChecksFormat, typer.Option("--format")] = ChecksFormat.table,
) -> None:
    """List the checks: id, severity, family, the platforms each covers, title.

    ``all`` in platforms means every parser provides what the check reads; ``policy`` means
    the check reads only the policy file.
    """
    from checks import all_checks

    language = (lang or default_lang()).value
    found = all_checks()
    if fmt is ChecksFormat.json:
        data = [
            {
                "id": c.meta.id,
                "family": c.meta.family,
                "severity": c.meta.severity.value,
                "title": {"ja": c.meta.title.ja, "en": c.meta.title.en},
                "platforms": list(c.meta.platforms),
                "basis": list(c.meta.basis),
                "cis": list(c.meta.cis),
            }
            for c in found
        ]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    t = Table("id", "severity", "family", "platforms", "title", box=None, pad_edge=False)
    for c in found:
        t.add_row(
            c.meta.id,
            c.meta.severity.value,
            c.meta.family,
            escape(", ".join(c.meta.platforms)),
            escape(c.meta.title.get(language)),
        )
    Console(highlight=False).print(t)


@app.command("explain")
def explain_check(
    check_id: Annotated[str, typer.Argument(metavar="ID", help="A check ID, e.g. MYN-001.")],
    lang: Annotated[Lang | None, typer.Option("--lang")] = None,
) -> None:
    """What a check looks for, its guideline basis and how to fix what it finds."""
    from checks import all_checks

    language = (lang or default_lang()).value
    found = next((c for c in all_checks() if c.meta.id == check_id.upper()), None)
    if found is None:
        raise _fail(f"unknown check {check_id!r}; see `netaudit checks`")
    Console(highlight=False).print(
        escape(describe(found.meta, (type(found).__doc__ or ""), language))
    )


def describe(meta: CheckMeta, doc: str, lang: str) -> str:
    """The explain text of a check."""
    ja = lang == "ja"
    body = (
        meta.summary_ja
        if ja
        else " ".join(doc.split("\n\n", 1)[-1].split())
        if "\n\n" in doc
        else doc.strip()
    )
    first = doc.strip().splitlines()[0] if doc.strip() else ""
    lines = [
        f"{meta.id}  {meta.title.get(lang)}",
        f"{'重大度' if ja else 'Severity'}: {meta.severity.value}    {'分類' if ja else 'Family'}: {meta.family}",
        "",
        body if ja else f"{first}\n\n{body}",
        "",
        f"{'根拠' if ja else 'Basis'}:",
        *[f"  - {b}" for b in meta.basis],
        "",
        f"{'対処' if ja else 'How to fix'}: {meta.fix.get(lang)}",
    ]
    return "\n".join(lines)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"netaudit {__version__}")


def main() -> None:
    """Console-script entry point: maps stray library errors to exit 2 without a traceback."""
    try:
        app(prog_name="netaudit")
    except NetauditError as e:
        err.print(f"[bold red]error:[/] {escape(str(e))}")
        raise SystemExit(EXIT_INPUT) from e
