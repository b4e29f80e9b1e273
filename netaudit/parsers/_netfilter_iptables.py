"""The ``iptables-save`` / ``ip6tables-save`` front end: text to :mod:`._netfilter_core` chains.

Syntax as iptables(8), iptables-extensions(8) and iptables-restore(8) document it, including the
forms ``iptables-save`` prints (``! -s``, ``-m tcp --dport a:b``, ``[p:b]`` counters with ``-c``).
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from netaudit.model import (
    ANY_V4,
    ANY_V6,
    AddressMatch,
    IPNetwork,
    Match,
    PortRange,
    ServiceMatch,
)
from netaudit.parsers._netfilter_core import (
    Chain,
    IfaceLit,
    NatSpec,
    NfRule,
    ServiceSpec,
    complement_ranges,
    ct_literals,
    summarize,
    tcp_flag_literals,
)
from netaudit.parsers._netfilter_names import (
    BUILTIN_CHAINS,
    ICMP_TYPES,
    ICMPV6_TYPES,
    IPTABLES_TABLE_PRIORITY,
    NON_TERMINATING,
    PORT_PROTOCOL_NAMES,
    PROTOCOLS,
    SERVICES,
    SOMETIMES_MODULES,
)

Mark = Callable[[int], None]
Warn = Callable[[int, str, bool], None]

_COUNTERS = re.compile(r"^\[\d+:\d+\]\s*")
TABLES = ("filter", "nat", "mangle", "raw", "security")


@dataclass(slots=True)
class Table:
    """One ``*table`` ... ``COMMIT`` block."""

    name: str
    family: int
    line: int
    chains: dict[str, Chain] = field(default_factory=dict)
    committed: bool = False


class RuleError(ValueError):
    """A rule that cannot be read at all."""


def any_of(family: int) -> AddressMatch:
    """``0.0.0.0/0`` or ``::/0``."""
    return ANY_V6 if family == 6 else ANY_V4


def parse_addresses(text: str, family: int, negate: bool) -> AddressMatch:
    """``-s a,b/24,c/255.255.0.0``; host names become unresolved."""
    nets: list[IPNetwork] = []
    unresolved: list[str] = []
    for item in text.split(","):
        try:
            net = ipaddress.ip_network(item, strict=False)
        except ValueError:
            unresolved.append(item)
            continue
        if net.version != family:
            raise RuleError(f"IPv{net.version} address {item} in an IPv{family} rule")
        nets.append(net)
    return AddressMatch(networks=tuple(nets), negate=negate, unresolved=tuple(unresolved))


def parse_port(text: str) -> int:
    """A port number or service name."""
    if text.isdigit():
        value = int(text)
        if 0 <= value <= 65535:
            return value
        raise RuleError(f"bad port {text}")
    if text in SERVICES:
        return SERVICES[text]
    raise RuleError(f"unknown service name {text}")


def parse_port_range(text: str, sep: str = ":") -> PortRange:
    """``22``, ``1024:65535``, ``:1023``, ``1024:`` (nft uses ``-``)."""
    if sep in text:
        lo, hi = text.split(sep, 1)
        a = parse_port(lo) if lo else 0
        b = parse_port(hi) if hi else 65535
        return (min(a, b), max(a, b))
    p = parse_port(text)
    return (p, p)


def intersect_ranges(
    a: tuple[PortRange, ...] | None, b: tuple[PortRange, ...]
) -> tuple[PortRange, ...]:
    """Ports in both ``a`` (``None`` = all) and ``b``."""
    if a is None:
        return b
    out = []
    for lo1, hi1 in a:
        for lo2, hi2 in b:
            lo, hi = max(lo1, lo2), min(hi1, hi2)
            if lo <= hi:
                out.append((lo, hi))
    return tuple(sorted(out))


def parse_icmp(text: str, family: int) -> tuple[int, int | None] | None:
    """``8``, ``3/3``, ``echo-request``; ``None`` for ``any``."""
    if text == "any":
        return None
    if re.fullmatch(r"\d+(/\d+)?", text):
        t, _, c = text.partition("/")
        return int(t), int(c) if c else None
    names = ICMPV6_TYPES if family == 6 else ICMP_TYPES
    if text in names:
        return names[text]
    raise RuleError(f"unknown ICMP type {text}")


def parse_nat_to(text: str, family: int) -> tuple[tuple[IPNetwork, ...] | None, PortRange | None]:
    """``A``, ``A-B``, ``A:p``, ``A:p-q``, ``[v6]:p``, ``:p``."""
    addr, ports = text, ""
    if text.startswith("["):
        addr, _, rest = text[1:].partition("]")
        ports = rest[1:] if rest.startswith(":") else ""
    elif family == 4 and ":" in text:
        addr, _, ports = text.partition(":")
    nets: tuple[IPNetwork, ...] | None = None
    if addr:
        lo, _, hi = addr.partition("-")
        nets = summarize(lo, hi or lo)
    pr = parse_port_range(ports, "-") if ports else None
    return nets, pr


@dataclass(slots=True)
class _RuleBuilder:
    family: int
    src: AddressMatch | None = None
    dst: AddressMatch | None = None
    spec: ServiceSpec = field(default_factory=ServiceSpec)
    proto_name: str = ""
    pos: list[Match] = field(default_factory=list)
    neg: list[Match] = field(default_factory=list)

    def main(self) -> list[Match]:
        any_ = any_of(self.family)
        src = self.src or any_
        dst = self.dst or any_
        main = Match(src=src, dst=dst, services=self.spec.services())
        out = [main]
        if src.negate and dst.negate:
            out.append(Match(src=any_, dst=any_))
        return out


def parse_rule(tokens: list[str], line: int, family: int, table: str) -> tuple[str, NfRule]:
    """One ``-A CHAIN ...`` rule (tokens without counters). Raises RuleError if unreadable."""
    b = _RuleBuilder(family=family)
    r = NfRule(line=line, family=family, verdict="continue")
    chain = ""
    i = 0
    negate = False
    module = ""
    match_tokens: list[str] = []
    in_target = False

    def arg() -> str:
        nonlocal i, negate
        i += 1
        if i < len(tokens) and tokens[i] == "!":  # old syntax: -s ! addr
            negate = True
            i += 1
        if i >= len(tokens):
            raise RuleError(f"option {tokens[i - 1]} without a value")
        return tokens[i]

    def need_ports() -> None:
        if b.proto_name not in PORT_PROTOCOL_NAMES:
            raise RuleError("port match without -p tcp/udp/sctp")

    while i < len(tokens):
        t = tokens[i]
        if t == "!":
            negate = True
            i += 1
            continue
        if not in_target and t not in ("-j", "--jump", "-g", "--goto", "-A", "--append"):
            match_tokens.append(t)
        neg, negate = negate, False
        if t in ("-A", "--append"):
            chain = arg()
        elif t in ("-s", "--source", "--src", "-d", "--destination", "--dst"):
            v = arg()
            neg = neg or negate
            negate = False
            am = parse_addresses(v, family, neg)
            if t.startswith(("-s", "--s")):
                b.src = am
            else:
                b.dst = am
        elif t in ("-p", "--protocol"):
            v = arg().lower()
            neg = neg or negate
            negate = False
            if v in ("all", "0"):
                if neg:
                    b.pos.append(Match(src=AddressMatch(networks=())))
            else:
                num = int(v) if v.isdigit() else PROTOCOLS.get(v)
                if num is None:
                    raise RuleError(f"unknown protocol {v}")
                if neg:
                    b.neg.append(Match(services=(ServiceMatch(protocol=num),)))
                else:
                    b.spec.protocols = [num]
                    b.proto_name = v if v in PROTOCOLS else ""
                    if b.proto_name == "" and num in (6, 17, 132):
                        b.proto_name = {6: "tcp", 17: "udp", 132: "sctp"}[num]
        elif t in ("-i", "--in-interface", "-o", "--out-interface"):
            v = arg()
            neg = neg or negate
            negate = False
            r.ifaces.append(IfaceLit(out=t in ("-o", "--out-interface"), names=(v,), negate=neg))
            r.extras["out_interface" if t.startswith(("-o", "--o")) else "in_interface"] = (
                "!" if neg else ""
            ) + v
        elif t in ("-m", "--match"):
            module = arg()
            if module in SOMETIMES_MODULES:
                r.sometimes = True
        elif t in ("--sport", "--source-port", "--dport", "--destination-port"):
            need_ports()
            rng: tuple[PortRange, ...] = (parse_port_range(arg()),)
            if neg or negate:
                rng = complement_ranges(rng)
            negate = False
            if t in ("--sport", "--source-port"):
                b.spec.sports = intersect_ranges(b.spec.sports, rng)
            else:
                b.spec.dports = intersect_ranges(b.spec.dports, rng)
        elif t in ("--sports", "--source-ports", "--dports", "--destination-ports", "--ports"):
            need_ports()
            rngs = tuple(parse_port_range(x) for x in arg().split(","))
            neg = neg or negate
            negate = False
            if t == "--ports":
                if neg:
                    comp = complement_ranges(rngs)
                    b.spec.sports = intersect_ranges(b.spec.sports, comp)
                    b.spec.dports = intersect_ranges(b.spec.dports, comp)
                else:
                    b.spec.either_ports = rngs
            else:
                if neg:
                    rngs = complement_ranges(rngs)
                if t in ("--sports", "--source-ports"):
                    b.spec.sports = intersect_ranges(b.spec.sports, rngs)
                else:
                    b.spec.dports = intersect_ranges(b.spec.dports, rngs)
        elif t in ("--src-range", "--dst-range"):
            lo, _, hi = arg().partition("-")
            neg = neg or negate
            negate = False
            am = AddressMatch(networks=summarize(lo, hi or lo), negate=neg)
            any_ = any_of(family)
            b.pos.append(Match(src=am, dst=any_) if t == "--src-range" else Match(src=any_, dst=am))
        elif t in ("--ctstate", "--state"):
            states = arg().split(",")
            neg = neg or negate
            negate = False
            p, n = ct_literals(states, neg)
            b.pos += p
            b.neg += n
            r.uses_ct = True
        elif t == "--comment":
            r.comment = arg()
        elif t in ("--icmp-type", "--icmpv6-type"):
            v = arg()
            neg = neg or negate
            negate = False
            tc = parse_icmp(v, 6 if t == "--icmpv6-type" else family)
            if tc is not None:
                proto = 58 if t == "--icmpv6-type" else 1
                svc = ServiceMatch(protocol=proto, icmp_type=tc[0], icmp_code=tc[1])
                if neg:
                    b.neg.append(Match(services=(svc,)))
                else:
                    b.spec.icmp = [tc]
        elif t == "--syn":
            p, n = tcp_flag_literals({"SYN", "RST", "ACK", "FIN"}, {"SYN"}, neg)
            b.pos += p
            b.neg += n
        elif t == "--tcp-flags":
            fmask = set(arg().upper().split(","))
            i += 1
            if i >= len(tokens):
                raise RuleError("--tcp-flags needs two arguments")
            fcomp = set(tokens[i].upper().split(","))
            match_tokens.append(tokens[i])
            allf = {"SYN", "ACK", "FIN", "RST", "URG", "PSH"}
            fmask = allf if "ALL" in fmask else fmask - {"NONE"}
            fcomp = allf if "ALL" in fcomp else fcomp - {"NONE"}
            p, n = tcp_flag_literals(fmask, fcomp, neg)
            b.pos += p
            b.neg += n
        elif t in ("-j", "--jump", "-g", "--goto"):
            target = arg()
            in_target = True
            r.target = target
            if t in ("-g", "--goto"):
                r.verdict = "goto"
            else:
                r.verdict = _verdict(target, table, r)
        elif in_target and t.startswith("--"):
            _target_option(t, tokens, i, r, family)
            i += _target_arity(t, tokens, i)
        elif module in SOMETIMES_MODULES and t.startswith("--"):
            r.extras["rate_limit"] = f"{r.extras.get('rate_limit', '')} {t}".strip()
            i += _skip_values(tokens, i)
        elif t in ("-c", "--set-counters"):
            i += 2
        else:
            # An option of a module the model does not cover (mac, set, physdev, mark, ...).
            what = f"-m {module} {t}" if module else t
            r.unknown.append(what)
            i += _skip_values(tokens, i)
        i += 1
    if not chain:
        raise RuleError("rule without -A CHAIN")
    r.pos = b.main() + b.pos
    r.neg = b.neg
    r.key = " ".join(match_tokens)
    return chain, r


def _skip_values(tokens: list[str], i: int) -> int:
    n = 0
    while (
        i + n + 1 < len(tokens)
        and not tokens[i + n + 1].startswith("-")
        and tokens[i + n + 1] != "!"
    ):
        n += 1
    return n


def _target_arity(t: str, tokens: list[str], i: int) -> int:
    flags = {"--random", "--random-fully", "--persistent", "--log-uid", "--log-tcp-sequence"}
    flags |= {"--log-tcp-options", "--log-ip-options", "--log-macdecode", "--notrack"}
    return 0 if t in flags else _skip_values(tokens, i)


def _target_option(t: str, tokens: list[str], i: int, r: NfRule, family: int) -> None:
    value = tokens[i + 1] if i + 1 < len(tokens) else ""
    if t == "--reject-with":
        r.extras["reject_with"] = value
    elif t == "--log-prefix":
        r.extras["log_prefix"] = value
    elif t in ("--to-source", "--to-destination", "--to") and r.nat is not None:
        nets, ports = parse_nat_to(value, family)
        r.nat.addresses = nets
        r.nat.ports = ports
    elif t == "--to-ports" and r.nat is not None:
        r.nat.ports = parse_port_range(value, "-")


def _verdict(target: str, table: str, r: NfRule) -> str:
    if target == "ACCEPT":
        return "accept"
    if target == "DROP":
        return "drop"
    if target == "REJECT":
        return "reject"
    if target == "RETURN":
        return "return"
    if target in ("LOG", "NFLOG", "ULOG"):
        r.log = True
        return "continue"
    if target in NON_TERMINATING:
        return "continue"
    if target in ("SNAT", "DNAT", "MASQUERADE", "REDIRECT", "NETMAP"):
        if table != "nat":
            raise RuleError(f"{target} outside the nat table")
        kind = {"SNAT": "snat", "MASQUERADE": "masquerade", "DNAT": "dnat"}.get(target, "redirect")
        if target == "NETMAP":
            kind = "netmap"
        r.nat = NatSpec(kind=kind)
        return "nat"
    if target in ("QUEUE", "NFQUEUE", "TPROXY", "SYNPROXY", "TARPIT", "DELUDE", "CHAOS"):
        r.unknown.append(f"target {target}")
        return "unknown"
    return "jump"


def parse_blocks(
    lines: list[tuple[int, str]],
    ok: Mark,
    unknown: Mark,
    warn: Warn,
) -> list[Table]:
    """Parse the iptables-save lines of a file (one or several ``*table`` blocks)."""
    tables: list[Table] = []
    header_family: int | None = None
    current: Table | None = None
    pending: list[tuple[int, list[str]]] = []

    def finish(tbl: Table) -> None:
        fam = tbl.family
        for n, toks in pending:
            try:
                chain_name, rule = parse_rule(toks, n, fam, tbl.name)
            except (RuleError, ValueError) as e:
                unknown(n)
                warn(n, f"cannot read rule: {e}", tbl.name == "filter")
                continue
            chain = tbl.chains.get(chain_name)
            if chain is None:
                warn(n, f"rule for undeclared chain {chain_name}", True)
                unknown(n)
                continue
            rule.index = len(chain.rules) + 1
            chain.rules.append(rule)
            if rule.unknown:
                unknown(n)
            else:
                ok(n)
        pending.clear()

    for n, raw in lines:
        text = raw.strip()
        if text.startswith("#"):
            low = text.lower()
            if "ip6tables-save" in low:
                header_family = 6
            elif "iptables-save" in low:
                header_family = 4
            continue
        if text.startswith("*"):
            if current is not None and not current.committed:
                warn(current.line, f"table {current.name} has no COMMIT (truncated?)", True)
                _set_family(current, pending, header_family)
                finish(current)
            name = text[1:].strip()
            current = Table(name=name, family=header_family or 4, line=n)
            tables.append(current)
            if name in TABLES:
                ok(n)
            else:
                unknown(n)
                warn(n, f"unknown table {name}", False)
            continue
        if current is None:
            unknown(n)
            warn(n, "iptables line outside a *table block", True)
            continue
        if text == "COMMIT":
            ok(n)
            _set_family(current, pending, header_family)
            finish(current)
            current.committed = True
            header_family_used = current.family
            del header_family_used
            current = None
            continue
        if text.startswith(":"):
            parts = text[1:].split()
            if len(parts) >= 2:
                name, pol = parts[0], parts[1]
                builtin = name in BUILTIN_CHAINS.get(current.name, frozenset())
                chain = Chain(
                    name=name,
                    table=current.name,
                    family=current.family,
                    line=n,
                    hook=name.lower() if builtin else None,
                    priority=IPTABLES_TABLE_PRIORITY.get(current.name, 0),
                    policy=pol.lower() if builtin and pol != "-" else None,
                    policy_line=n if builtin else 0,
                )
                current.chains[name] = chain
                ok(n)
            else:
                unknown(n)
            continue
        body = _COUNTERS.sub("", text)
        try:
            toks = shlex.split(body)
        except ValueError:
            unknown(n)
            warn(n, "unbalanced quotes", current.name == "filter")
            continue
        if toks and toks[0] in ("-A", "--append"):
            pending.append((n, toks))
        elif toks and toks[0] in ("-N", "--new-chain") and len(toks) == 2:
            current.chains[toks[1]] = Chain(toks[1], current.name, current.family, n)
            ok(n)
        elif toks and toks[0] in ("-P", "--policy") and len(toks) == 3:
            ch = current.chains.get(toks[1])
            if ch is not None and ch.hook is not None:
                ch.policy = toks[2].lower()
                ch.policy_line = n
                ok(n)
            else:
                unknown(n)
        else:
            unknown(n)
    if current is not None and not current.committed:
        warn(current.line, f"table {current.name} has no COMMIT (truncated?)", True)
        _set_family(current, pending, header_family)
        finish(current)
    return tables


def _set_family(tbl: Table, pending: list[tuple[int, list[str]]], header: int | None) -> None:
    """The family of a block: from the ``# Generated by ip6tables-save`` header, else the rules."""
    if header is not None:
        fam = header
    else:
        fam = 4
        addr_opts = ("-s", "-d", "--source", "--destination", "--src", "--dst")
        for _, toks in pending:
            addrs = [v for o, v in itertools.pairwise(toks) if o in addr_opts]
            if any(":" in a for a in addrs) or any(
                t in ("icmpv6", "ipv6-icmp", "--icmpv6-type") for t in toks
            ):
                fam = 6
                break
    tbl.family = fam
    for ch in tbl.chains.values():
        ch.family = fam
