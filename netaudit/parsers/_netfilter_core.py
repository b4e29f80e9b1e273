"""Netfilter rule sets in a syntax-neutral form, and their exact flattening into first-match lists.

Both front ends (``iptables-save`` and ``nft list ruleset``) fill the same structures: tables of
chains of :class:`NfRule`. A rule's match is a conjunction of *literals* — interface literals,
positive :class:`~netaudit.model.Match` values and negated ones — which is what a netfilter rule
is: every match in a rule must hold.

Flattening walks a base chain the way the kernel does (``nft``/``iptables`` semantics):

* a verdict (ACCEPT, DROP, REJECT, a NAT target) ends the walk for the packets it matches;
* ``jump`` walks the target chain and, for packets that come back, continues after the jump;
* ``goto`` walks the target chain and, for packets that come back, returns to the caller;
* ``RETURN`` leaves the chain; in a base chain it applies the chain policy;
* non-terminating targets (LOG, counter, MARK, ...) change no verdict.

Each emitted rule carries the conjunction of everything on its path: the jump's match becomes
a condition, and every ``RETURN`` passed on the way contributes its *negation*. A negated
conjunction is a disjunction, which one :class:`~netaudit.model.Rule` cannot say, so it is
split into disjoint conjunctions (``¬(a∧b) = ¬a ∨ (a∧¬b)``): the flattened list is exact,
rule for rule, for every packet and every pair of interfaces in the known universe.

Interfaces: ``-i eth+`` / ``iifname "eth*"`` and negations are resolved against the universe of
interface names the parser knows (``ip addr`` section plus every name the rules spell out);
interfaces outside that universe are not modelled (documented in :mod:`netaudit.parsers.linux`).

Connection tracking, in the header space of :mod:`netaudit.flow`: a packet is either the
opening packet of a connection with no conntrack entry (state NEW) or, for TCP only, a packet
with ACK or RST set (state ESTABLISHED). So ``ESTABLISHED`` becomes "TCP with the established
bit", ``NEW`` becomes "anything but that", and ``RELATED`` (the first packet of an *expected*
connection, ICMP errors about a tracked one), ``INVALID``, ``UNTRACKED``, ``SNAT``, ``DNAT``
match no packet of the model. UDP and ICMP packets are therefore always NEW in the model: a rule
that matches only ESTABLISHED/RELATED matches no UDP or ICMP packet of the model (it carries a
condition no model packet meets), which is exact for the question the audit asks — which *new*
connections can cross — and says nothing about replies, which ``Filter.stateful`` covers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from netaudit.model import (
    ANY_ADDRESS,
    ANY_SERVICE,
    ANY_V4,
    ANY_V6,
    PROTO_TCP,
    Action,
    AddressMatch,
    IPNetwork,
    Match,
    PortRange,
    Rule,
    ServiceMatch,
    SourceSpan,
)

# -- literals ------------------------------------------------------------------------------

ANCHOR: dict[int, Match] = {
    4: Match(src=ANY_V4, dst=ANY_V4),
    6: Match(src=ANY_V6, dst=ANY_V6),
}
ANCHORS = frozenset(ANCHOR.values())
EST = Match(services=(ServiceMatch(protocol=PROTO_TCP, established=True),))
"""TCP packets with ACK or RST: the model's connection-tracking ESTABLISHED packets."""


def nothing(reason: str = "") -> Match:
    """A match no packet meets; ``reason`` (if any) marks it unresolved for the engine."""
    return Match(src=AddressMatch(networks=(), unresolved=(reason,) if reason else ()))


NOTHING = nothing()

CT_STATES = frozenset({"NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED", "SNAT", "DNAT"})


def ct_literals(states: Iterable[str], negate: bool) -> tuple[list[Match], list[Match]]:
    """Positive and negated literals for a connection-tracking state match (module docstring)."""
    wanted = {s.upper() for s in states}
    if negate:
        wanted = set(CT_STATES) - wanted
    new = "NEW" in wanted
    est = "ESTABLISHED" in wanted
    if new and est:
        return [], []
    if new:
        return [], [EST]
    if est:
        return [EST], []
    return [NOTHING], []


def tcp_flag_literals(
    mask: set[str], comp: set[str], negate: bool
) -> tuple[list[Match], list[Match]]:
    """Literals for ``--tcp-flags MASK COMP`` / ``tcp flags``, on the model's two TCP packets.

    The model knows an opening segment (SYN) and an established one (ACK); a flag test is
    reduced to which of the two it accepts.
    """
    ok_open = (({"SYN"} & mask) == comp & mask) != negate
    ok_est = (({"ACK"} & mask) == comp & mask) != negate
    if ok_open and ok_est:
        return [], []
    if ok_open:
        return [], [EST]
    if ok_est:
        return [EST], []
    return [NOTHING], []


@dataclass(frozen=True, slots=True)
class IfaceLit:
    """``-i``/``-o``/``iifname``/``oifname``: names as written (``+``/``*`` suffix = prefix)."""

    out: bool
    names: tuple[str, ...]
    negate: bool = False


def iface_matches(pattern: str, name: str) -> bool:
    """netfilter interface matching: a trailing ``+`` (iptables) or ``*`` (nft) is a prefix."""
    if pattern.endswith(("+", "*")):
        return name.startswith(pattern[:-1])
    return name == pattern


def resolve_iface(lit: IfaceLit, universe: frozenset[str]) -> frozenset[str]:
    """The interfaces of ``universe`` an interface literal admits."""
    hit = frozenset(n for n in universe if any(iface_matches(p, n) for p in lit.names))
    return universe - hit if lit.negate else hit


@dataclass(frozen=True, slots=True)
class Pred:
    """A conjunction: interface sets (``None`` = any) and positive / negated matches."""

    in_if: frozenset[str] | None = None
    out_if: frozenset[str] | None = None
    pos: tuple[Match, ...] = ()
    neg: tuple[Match, ...] = ()

    def conj(self, other: Pred) -> Pred | None:
        """Both predicates; ``None`` when the interface sets exclude each other."""
        i = _meet(self.in_if, other.in_if)
        o = _meet(self.out_if, other.out_if)
        if (i is not None and not i) or (o is not None and not o):
            return None
        return Pred(
            in_if=i,
            out_if=o,
            pos=_merge(self.pos, other.pos),
            neg=_merge(self.neg, other.neg),
        )


def _meet(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _merge(a: tuple[Match, ...], b: tuple[Match, ...]) -> tuple[Match, ...]:
    if not b:
        return a
    if not a:
        return b
    return a + tuple(m for m in b if m not in a)


def match_family(m: Match) -> int | None:
    """4 or 6 when the match can only hold for that address family, else ``None``."""
    for am in (m.src, m.dst):
        if am.negate or not am.networks:
            continue
        versions = {n.version for n in am.networks}
        if len(versions) == 1:
            return versions.pop()
    return None


def negate(p: Pred, universe: frozenset[str]) -> list[Pred]:
    """``¬p`` as a list of pairwise disjoint conjunctions (family anchors are taken as given)."""
    out: list[Pred] = []
    if p.in_if is not None and universe - p.in_if:
        out.append(Pred(in_if=universe - p.in_if))
    if p.out_if is not None and universe - p.out_if:
        out.append(Pred(in_if=p.in_if, out_if=universe - p.out_if))
    prefix: tuple[Match, ...] = ()
    for m in p.pos:
        if m in ANCHORS:
            continue
        out.append(Pred(in_if=p.in_if, out_if=p.out_if, pos=prefix, neg=(m,)))
        prefix += (m,)
    negs: tuple[Match, ...] = ()
    for m in p.neg:
        out.append(Pred(in_if=p.in_if, out_if=p.out_if, pos=(*prefix, m), neg=negs))
        negs += (m,)
    return out


# -- services ------------------------------------------------------------------------------


def complement_ranges(ranges: Sequence[PortRange], top: int = 65535) -> tuple[PortRange, ...]:
    """The port ranges of ``0..top`` not covered by ``ranges``."""
    out: list[PortRange] = []
    nxt = 0
    for lo, hi in sorted(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = max(nxt, hi + 1)
    if nxt <= top:
        out.append((nxt, top))
    return tuple(out)


@dataclass(slots=True)
class ServiceSpec:
    """The service-related parts of one rule, multiplied out into ServiceMatch values."""

    protocols: list[int] | None = None
    sports: tuple[PortRange, ...] | None = None
    dports: tuple[PortRange, ...] | None = None
    either_ports: tuple[PortRange, ...] | None = None
    icmp: list[tuple[int, int | None]] | None = None

    def services(self) -> tuple[ServiceMatch, ...]:
        """The union of services the spec matches."""
        protos: list[int | None] = list(self.protocols) if self.protocols is not None else [None]
        port_sets: list[tuple[tuple[PortRange, ...] | None, tuple[PortRange, ...] | None]]
        port_sets = [(self.sports, self.dports)]
        if self.either_ports is not None:
            port_sets = [
                (self.either_ports, self.dports),
                (self.sports, self.either_ports),
            ]
        icmps: list[tuple[int | None, int | None]] = (
            [(t, c) for t, c in self.icmp] if self.icmp is not None else [(None, None)]
        )
        out: list[ServiceMatch] = []
        for proto in protos:
            for sp, dp in port_sets:
                for t, c in icmps:
                    svc = ServiceMatch(
                        protocol=proto, src_ports=sp, dst_ports=dp, icmp_type=t, icmp_code=c
                    )
                    if svc not in out:
                        out.append(svc)
        return tuple(out) if out != [ANY_SERVICE] else (ANY_SERVICE,)


def summarize(lo: str, hi: str) -> tuple[IPNetwork, ...]:
    """The networks covering the inclusive address range ``lo``-``hi``."""
    a = ipaddress.ip_address(lo)
    b = ipaddress.ip_address(hi)
    if a.version != b.version or int(a) > int(b):
        raise ValueError(f"bad range {lo}-{hi}")
    return tuple(ipaddress.summarize_address_range(a, b))  # type: ignore[arg-type,unused-ignore]


# -- rule sets -----------------------------------------------------------------------------


@dataclass(slots=True)
class NatSpec:
    """What a NAT target rewrites."""

    kind: str  # snat | dnat | masquerade | redirect
    addresses: tuple[IPNetwork, ...] | None = None
    ports: PortRange | None = None


@dataclass(slots=True)
class NfRule:
    """One rule of a chain, syntax-neutral.

    ``verdict`` is one of accept, drop, reject, return, jump, goto, continue (no verdict: LOG,
    counter, MARK, ...), nat, unknown (a target the model cannot say). ``family`` is 4, 6 or 0
    (an ``inet`` rule that applies to both).
    """

    line: int
    family: int
    verdict: str
    pos: list[Match] = field(default_factory=list)
    neg: list[Match] = field(default_factory=list)
    ifaces: list[IfaceLit] = field(default_factory=list)
    target: str | None = None
    log: bool = False
    comment: str = ""
    nat: NatSpec | None = None
    sometimes: bool = False
    unknown: list[str] = field(default_factory=list)
    extras: dict[str, object] = field(default_factory=dict)
    key: str = ""
    index: int = 0
    uses_ct: bool = False

    def pred(self, universe: frozenset[str]) -> Pred | None:
        """The rule's conjunction with interfaces resolved; ``None`` if it cannot hold."""
        in_if: frozenset[str] | None = None
        out_if: frozenset[str] | None = None
        for lit in self.ifaces:
            names = resolve_iface(lit, universe)
            if lit.out:
                out_if = names if out_if is None else out_if & names
            else:
                in_if = names if in_if is None else in_if & names
        if (in_if is not None and not in_if) or (out_if is not None and not out_if):
            return None
        pos = list(self.pos)
        if self.sometimes and self.verdict not in ("accept", "nat"):
            # A rate-limited DROP lets some packets through: for "can it cross?" it never matches.
            pos.append(NOTHING)
        for name in self.unknown:
            pos.append(nothing(name))
        return Pred(in_if=in_if, out_if=out_if, pos=tuple(pos), neg=tuple(self.neg))


@dataclass(slots=True)
class Chain:
    """A chain; base chains have a ``hook`` and a ``policy`` (accept/drop)."""

    name: str
    table: str
    family: int
    line: int
    hook: str | None = None
    priority: int = 0
    policy: str | None = None
    policy_line: int = 0
    rules: list[NfRule] = field(default_factory=list)


@dataclass(slots=True)
class Emitted:
    """One flattened rule: the path's conjunction, the netfilter rule that decides, the verdict."""

    pred: Pred
    rule: NfRule | None
    verdict: str
    chain: str
    via: tuple[int, ...] = ()
    log: bool = False
    span_line: int = 0


@dataclass(slots=True)
class Flattened:
    """The flattened base chain of one family: emitted rules and the chain policy."""

    items: list[Emitted]
    policy: str
    policy_line: int
    uses_ct: bool


Warn = Callable[[int, str, bool], None]

MAX_CONTEXTS = 512


def flatten(
    chains: dict[str, Chain],
    base: Chain,
    family: int,
    universe: frozenset[str],
    warn: Warn,
) -> Flattened:
    """Flatten ``base`` for one address family (module docstring)."""
    out: list[Emitted] = []
    state = {"ct": False}
    policy = base.policy or "accept"

    def compatible(p: Pred) -> bool:
        for m in p.pos:
            fam = match_family(m)
            if fam is not None and fam != family:
                return False
        return True

    def emit(ctxs: list[Pred], r: NfRule, verdict: str, chain: str, via: tuple[int, ...]) -> None:
        for c in ctxs:
            out.append(Emitted(c, r, verdict, chain, via, r.log, r.line))

    def walk(chain: Chain, ctxs: list[Pred], stack: tuple[str, ...], via: tuple[int, ...]) -> None:
        is_base = len(stack) == 1
        pending_log: NfRule | None = None
        for r in chain.rules:
            if r.family not in (0, family) or not ctxs:
                continue
            state["ct"] = state["ct"] or r.uses_ct
            p = r.pred(universe)
            if p is None:
                continue
            live = [c2 for c in ctxs if (c2 := c.conj(p)) is not None and compatible(c2)]
            if r.verdict == "continue":
                pending_log = r if r.log else None
                continue
            if pending_log is not None and pending_log.key == r.key:
                r.log = True
            pending_log = None
            if r.unknown:
                warn(
                    r.line,
                    f"rule in {chain.name} not fully understood: {', '.join(r.unknown)}",
                    True,
                )
            if r.verdict in ("accept", "drop", "reject", "nat", "unknown"):
                emit(live, r, r.verdict, chain.name, via)
            elif r.verdict == "return":
                if is_base:
                    emit(live, r, "policy", chain.name, via)
                else:
                    ctxs = split(ctxs, p, r.line)
            elif r.verdict in ("jump", "goto"):
                target = chains.get(r.target or "")
                if target is None or target.hook is not None:
                    warn(r.line, f"jump to undefined chain {r.target!r}", True)
                    unresolved = replace(r, pos=[*r.pos, nothing(f"chain {r.target}")])
                    emit(live, unresolved, "unknown", chain.name, via)
                    continue
                if target.name in stack:
                    warn(r.line, f"chain loop: {' -> '.join((*stack, target.name))}", True)
                    unresolved = replace(r, pos=[*r.pos, nothing(f"loop {target.name}")])
                    emit(live, unresolved, "unknown", chain.name, via)
                    continue
                if live:
                    walk(target, live, (*stack, target.name), (*via, r.line))
                if r.verdict == "goto":
                    if is_base:
                        emit(live, r, "policy", chain.name, via)
                    else:
                        ctxs = split(ctxs, p, r.line)

    def split(ctxs: list[Pred], p: Pred, line: int) -> list[Pred]:
        terms = negate(p, universe)
        new = [c2 for c in ctxs for t in terms if (c2 := c.conj(t)) is not None and compatible(c2)]
        if len(new) > MAX_CONTEXTS:
            warn(line, "RETURN/goto structure too complex to flatten exactly; ignored", True)
            return ctxs
        return new

    walk(base, [Pred(pos=(ANCHOR[family],))], (base.name,), ())
    return Flattened(items=out, policy=policy, policy_line=base.policy_line, uses_ct=state["ct"])


def compose(first: Flattened, second: Flattened) -> Flattened:
    """Two base chains on the same hook, one after the other: accepted by ``first``, then
    decided by ``second`` (an accept verdict only ends its own base chain)."""
    out: list[Emitted] = []

    def accepted(e: Emitted, pol: str) -> bool:
        v = pol if e.verdict == "policy" else e.verdict
        return v == "accept"

    for e in first.items:
        if not accepted(e, first.policy):
            out.append(e)
            continue
        for f in second.items:
            both = e.pred.conj(f.pred)
            if both is not None:
                verdict = second.policy if f.verdict == "policy" else f.verdict
                out.append(replace(f, pred=both, verdict=verdict))
        out.append(replace(e, verdict=second.policy, span_line=second.policy_line or e.span_line))
    if first.policy == "accept":
        out.extend(second.items)
        return Flattened(out, second.policy, second.policy_line, first.uses_ct or second.uses_ct)
    return Flattened(out, first.policy, first.policy_line, first.uses_ct or second.uses_ct)


# -- to the model --------------------------------------------------------------------------

ACTIONS = {"accept": Action.PERMIT, "drop": Action.DENY, "reject": Action.DENY}


def to_rule(
    e: Emitted,
    policy: str,
    span: Callable[[int], SourceSpan],
) -> Rule:
    """One emitted rule as a model :class:`Rule`."""
    verdict = policy if e.verdict == "policy" else e.verdict
    action = ACTIONS.get(verdict, Action.DENY)
    pos = list(e.pred.pos)
    specific = [m for m in pos if m not in ANCHORS]
    if specific and any(match_family(m) is not None for m in specific):
        pos = specific
    elif specific:
        pos = specific + [m for m in pos if m in ANCHORS]
    pos = _fold(pos)
    main, *conds = pos or [ANCHOR[4]]
    extras: dict[str, object] = {"chain": e.chain}
    r = e.rule
    if e.via:
        extras["via_lines"] = list(e.via)
    if e.verdict == "policy":
        extras["verdict"] = f"policy {policy}" if r is None else f"return -> policy {policy}"
    if r is not None:
        if r.comment:
            extras["comment"] = r.comment
        if r.target and r.verdict in ("reject", "unknown"):
            extras["target"] = r.target
        if r.sometimes:
            extras["rate_limited"] = True
        extras.update(r.extras)
    name = f"{e.chain}:{r.index}" if r is not None else f"{e.chain}:policy"
    return Rule(
        action=action,
        match=main,
        span=span(e.span_line),
        name=name,
        log=e.log,
        in_interfaces=e.pred.in_if,
        out_interfaces=e.pred.out_if,
        conditions=tuple(conds),
        exceptions=e.pred.neg,
        extras=extras,
    )


def _fold(pos: list[Match]) -> list[Match]:
    """Merge service-only literals into an address-only one (same conjunction, fewer parts)."""
    out = list(pos)
    for m in list(out):
        if m.src != ANY_ADDRESS or m.dst != ANY_ADDRESS or m.unresolved or m not in out:
            continue
        for k in out:
            if k is not m and k.services == (ANY_SERVICE,) and not k.unresolved:
                out[out.index(k)] = Match(src=k.src, dst=k.dst, services=m.services)
                out.remove(m)
                break
    return out
