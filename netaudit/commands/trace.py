"""``netaudit trace`` across devices: one packet, hop by hop, and where and why it stops.

The single-device form (``--device``) stays in the CLI module; this is the end-to-end form.
Each start point (the most specific subnet holding the source) and each ECMP branch gives one
trace: per hop the interfaces, the route used, every filter or policy line met, the NAT
applied with the rewritten packet, and at the end the disposition (delivered, left the
snapshot, denied, no route, null route, loop, unknown device).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape

from netaudit.flow import HeaderSpace, Packet
from netaudit.inventory import Inventory
from netaudit.model import DeviceConfig
from netaudit.paths import Network, PacketTrace, TraceHop, trace_packet
from netaudit.policy import Policy, PolicyModel
from netaudit.reach import Step, analyze


def _no_policy() -> Policy:
    """A policy with no zones: a trace needs routes and filters, not zones."""
    return Policy(data=PolicyModel(model="beta", zones={}), file="", digest="", lines={})


def trace_network(
    devices: Sequence[DeviceConfig],
    packet: Packet,
    policy: Policy | None = None,
    inventory: Inventory | None = None,
) -> list[PacketTrace]:
    """Every trace of ``packet`` through the snapshot."""
    space = HeaderSpace()
    pol = policy or _no_policy()
    hints = inventory.zone_hints() if inventory is not None else {}
    analysis = analyze(space, devices, pol, zone_hints=hints)
    links: list[tuple[str, str, str, str]] = []
    externals: dict[tuple[str, str], str] = {}
    unknown: list[str] = []
    if inventory is not None:
        links = [(k.a_device, k.a_interface, k.b_device, k.b_interface) for k in inventory.links]
        externals = {(x.device, x.interface): x.zone for x in inventory.externals}
        unknown = [d.name for d in inventory.devices if not d.forwarding_known]
    network = Network(analysis, links, externals, unknown)
    return trace_packet(network, packet)


def step_json(s: Step) -> dict[str, Any]:
    """One filter or policy step as JSON: what, action, and the deciding line."""
    span = s.evidence_span
    return {
        "what": s.what,
        "action": s.action.value,
        "file": span.file if span else "",
        "line": span.line if span else 0,
        "text": span.text if span and s.rule is not None else "",
    }


def _hop(h: TraceHop) -> dict[str, Any]:
    out: dict[str, Any] = {
        "device": h.device,
        "in": h.in_interface,
        "out": h.out_interface,
        "packet": h.packet.to_json(),
        "steps": [step_json(s) for s in h.steps],
    }
    if h.route is not None:
        out["route"] = f"{h.route.span.file}:{h.route.span.line} {h.route.span.text}"
    if h.nat:
        out["nat"] = [f"{r.span.file}:{r.span.line} {r.span.text}" for r in h.nat]
    if h.translated is not None:
        out["translated"] = h.translated.to_json()
    return out


def traces_json(packet: Packet, traces: Sequence[PacketTrace]) -> dict[str, Any]:
    """The JSON document of ``netaudit trace`` across devices."""
    return {
        "packet": packet.to_json(),
        "traces": [
            {
                "disposition": t.disposition.value,
                "reason": t.reason,
                "final_packet": t.final_packet.to_json(),
                "hops": [_hop(h) for h in t.hops],
            }
            for t in traces
        ],
    }


def print_traces(out: Console, packet: Packet, traces: Sequence[PacketTrace]) -> None:
    """The text form: one block per trace, one rule per hop."""
    out.print(f"packet: {escape(str(packet))}")
    if not traces:
        out.print("no device in the snapshot is next to the source address (try --device)")
    for n, t in enumerate(traces, 1):
        out.rule(f"path {n}: {t.disposition.value}")
        for k, h in enumerate(t.hops, 1):
            route = (
                f"  (route {escape(h.route.span.file)}:{h.route.span.line} {escape(h.route.span.text)})"
                if h.route is not None
                else ""
            )
            out.print(
                f"[bold]{k}. {escape(h.device)}[/] in {escape(h.in_interface)} -> out "
                f"{escape(h.out_interface or '-')}{route}"
            )
            for s in h.steps:
                span = s.evidence_span
                where = (
                    f"{span.file}:{span.line}  {span.text}"
                    if span and span.line and s.rule is not None
                    else "(implicit default)"
                )
                out.print(f"     {s.action.value:<6} {escape(s.what)}: {escape(where)}")
            for r in h.nat:
                out.print(f"     nat    {escape(r.span.file)}:{r.span.line}  {escape(r.span.text)}")
            if h.translated is not None:
                out.print(f"     now    {escape(str(h.translated))}")
        out.print(f"  => [bold]{escape(t.reason)}[/]")
