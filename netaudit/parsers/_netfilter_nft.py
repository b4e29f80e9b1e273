"""The ``nft list ruleset`` front end: text to :mod:`._netfilter_core` chains.

Covers the statements ``nft list ruleset`` prints for typical host and router firewalls (nft(8)):
tables of family ip/ip6/inet, base chains with ``type ... hook ... priority ...; policy ...;``,
named sets of addresses or ports, and rules built from ``ip``/``ip6 saddr|daddr``,
``iifname``/``oifname``, ``meta l4proto``/``ip protocol``/``ip6 nexthdr``, ``tcp``/``udp``/``th
sport|dport``, ``ct state``, ``icmp``/``icmpv6 type``, ``tcp flags``, ``counter``, ``log``,
``limit``, ``comment`` and the verdicts accept/drop/reject/return/jump/goto and snat/dnat/
masquerade/redirect. Anything else in a rule is recorded as not understood.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from netaudit.model import ANY_V4, ANY_V6, AddressMatch, IPNetwork, Match, PortRange, ServiceMatch
from netaudit.parsers._netfilter_core import (
    NOTHING,
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
from netaudit.parsers._netfilter_iptables import (
    RuleError,
    intersect_ranges,
    parse_icmp,
    parse_port_range,
)
from netaudit.parsers._netfilter_names import PRIORITIES, PROTOCOLS

Mark = Callable[[int], None]
Warn = Callable[[int, str, bool], None]

FAMILIES = {"ip": 4, "ip6": 6, "inet": 0}
_TOKEN = re.compile(r'"[^"]*"|!=|==|[{}(),;|&]|[^\s{}(),;"|&]+')
_VERDICTS = ("accept", "drop", "reject", "return", "jump", "goto", "continue", "queue")


@dataclass(slots=True)
class NftTable:
    """One ``table FAMILY NAME { ... }``."""

    family_name: str
    name: str
    line: int
    chains: dict[str, Chain] = field(default_factory=dict)
    chain_types: dict[str, str] = field(default_factory=dict)
    sets: dict[str, list[str]] = field(default_factory=dict)
    iptables_nft: bool = False

    @property
    def family(self) -> int:
        """4, 6, 0 (inet: both) or -1 (a family the model does not cover)."""
        return FAMILIES.get(self.family_name, -1)


def tokenize(text: str) -> list[str]:
    """Split an nft statement line into tokens (quoted strings kept whole)."""
    return _TOKEN.findall(text)


def _priority(text: str) -> int:
    text = text.strip()
    m = re.fullmatch(r"([a-z]+)\s*([+-])\s*(\d+)", text)
    if m:
        base = PRIORITIES.get(m.group(1), 0)
        return base + int(m.group(3)) * (1 if m.group(2) == "+" else -1)
    if text in PRIORITIES:
        return PRIORITIES[text]
    try:
        return int(text)
    except ValueError:
        return 0


class _RuleReader:
    """Reads one nft rule into an :class:`NfRule`."""

    def __init__(self, tokens: list[str], table: NftTable, rule: NfRule) -> None:
        self.t = tokens
        self.i = 0
        self.table = table
        self.r = rule
        self.spec = ServiceSpec()
        self.addr: dict[tuple[int, str], AddressMatch] = {}
        self.pos: list[Match] = []
        self.neg: list[Match] = []

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.t[j] if j < len(self.t) else ""

    def take(self) -> str:
        tok = self.peek()
        self.i += 1
        return tok

    def value(self) -> tuple[list[str], bool]:
        """An optional ``!=``/``==`` and a value: single token, ``{ set }`` or ``@named``."""
        neg = False
        if self.peek() in ("!=", "=="):
            neg = self.take() == "!="
        tok = self.take()
        if tok == "{":
            items: list[str] = []
            while self.peek() and self.peek() != "}":
                x = self.take()
                if x != ",":
                    items.append(x)
            self.take()
            return [x.strip('"') for x in items], neg
        if tok.startswith("@"):
            name = tok[1:]
            if name not in self.table.sets:
                raise RuleError(f"undefined set @{name}")
            return list(self.table.sets[name]), neg
        if not tok:
            raise RuleError("missing value")
        items = [tok]
        while self.peek() == "," and self.peek(1):
            self.take()
            items.append(self.take())
        return [x.strip('"') for x in items], neg

    def _proto(self, name: str) -> None:
        num = PROTOCOLS.get(name)
        if num is None:
            raise RuleError(f"unknown protocol {name}")
        if self.spec.protocols is not None and num not in self.spec.protocols:
            self.pos.append(NOTHING)
        self.spec.protocols = [num]

    def read(self) -> None:
        r = self.r
        while self.i < len(self.t):
            tok = self.take()
            if tok in ("ip", "ip6") and self.peek() in ("saddr", "daddr"):
                fam = 4 if tok == "ip" else 6
                which = self.take()
                vals, neg = self.value()
                nets: list[IPNetwork] = []
                for v in vals:
                    lo, dash, hi = v.partition("-")
                    if dash:
                        nets.extend(summarize(lo, hi))
                    else:
                        net = ipaddress.ip_network(v, strict=False)
                        if net.version != fam:
                            raise RuleError(f"{v} is not an IPv{fam} address")
                        nets.append(net)
                self.addr[(fam, which)] = AddressMatch(networks=tuple(nets), negate=neg)
            elif tok in ("ip", "ip6", "meta") and self.peek() in ("protocol", "nexthdr", "l4proto"):
                self.take()
                vals, neg = self.value()
                nums = [int(v) if v.isdigit() else PROTOCOLS.get(v, -1) for v in vals]
                if -1 in nums:
                    raise RuleError(f"unknown protocol in {vals}")
                if tok in ("ip", "ip6"):
                    fam = 4 if tok == "ip" else 6
                    self.addr.setdefault((fam, "family"), ANY_V4 if fam == 4 else ANY_V6)
                svcs = tuple(ServiceMatch(protocol=n) for n in nums)
                if neg:
                    self.neg.append(Match(services=svcs))
                elif self.spec.protocols is None:
                    self.spec.protocols = nums
                else:
                    keep = [p for p in self.spec.protocols if p in nums]
                    if not keep:
                        self.pos.append(NOTHING)
                    self.spec.protocols = keep or self.spec.protocols
            elif tok == "meta" and self.peek() == "nfproto":
                self.take()
                vals, neg = self.value()
                fams = {4 if v == "ipv4" else 6 for v in vals}
                if neg:
                    fams = {4, 6} - fams
                if len(fams) == 1:
                    fam = fams.pop()
                    self.addr.setdefault((fam, "family"), ANY_V4 if fam == 4 else ANY_V6)
                elif not fams:
                    self.pos.append(NOTHING)
            elif tok in ("iifname", "oifname", "iif", "oif") or (
                tok == "meta" and self.peek() in ("iifname", "oifname", "iif", "oif")
            ):
                if tok == "meta":
                    tok = self.take()
                vals, neg = self.value()
                r.ifaces.append(IfaceLit(out=tok.startswith("o"), names=tuple(vals), negate=neg))
                key = "out_interface" if tok.startswith("o") else "in_interface"
                r.extras[key] = ("!" if neg else "") + ",".join(vals)
            elif tok in ("tcp", "udp", "sctp", "udplite", "dccp", "th") and self.peek() in (
                "sport",
                "dport",
            ):
                if tok != "th":
                    self._proto(tok)
                which = self.take()
                vals, neg = self.value()
                rngs = tuple(parse_port_range(v, "-") for v in vals)
                if neg:
                    rngs = complement_ranges(rngs)
                if which == "sport":
                    self.spec.sports = intersect_ranges(self.spec.sports, rngs)
                else:
                    self.spec.dports = intersect_ranges(self.spec.dports, rngs)
            elif tok == "tcp" and self.peek() == "flags":
                self.take()
                self._proto("tcp")
                self._tcp_flags()
            elif tok in ("icmp", "icmpv6") and self.peek() == "type":
                self.take()
                proto = 1 if tok == "icmp" else 58
                self._proto(tok)
                vals, neg = self.value()
                types = [parse_icmp(v, 6 if proto == 58 else 4) for v in vals]
                tcs = [tc for tc in types if tc is not None]
                if neg:
                    self.neg.append(
                        Match(
                            services=tuple(
                                ServiceMatch(protocol=proto, icmp_type=t, icmp_code=c)
                                for t, c in tcs
                            )
                        )
                    )
                elif len(tcs) == len(types):
                    self.spec.icmp = tcs
            elif tok == "ct" and self.peek() == "state":
                self.take()
                vals, neg = self.value()
                p, n = ct_literals(vals, neg)
                self.pos += p
                self.neg += n
                r.uses_ct = True
            elif tok == "counter":
                while self.peek() in ("packets", "bytes"):
                    self.i += 2
            elif tok == "log":
                r.log = True
                while self.peek() in ("prefix", "level", "flags", "group", "snaplen"):
                    self.take()
                    val = self.take()
                    if val == "prefix" or not val:
                        break
                    r.extras.setdefault("log_prefix", val.strip('"'))
            elif tok == "limit":
                r.sometimes = True
                while (
                    self.peek()
                    and self.peek() not in _VERDICTS
                    and self.peek()
                    not in (
                        "counter",
                        "log",
                        "comment",
                    )
                ):
                    self.take()
            elif tok == "comment":
                r.comment = self.take().strip('"')
            elif tok in _VERDICTS:
                self._verdict(tok)
            elif tok in ("snat", "dnat", "masquerade", "redirect"):
                self._nat(tok)
            elif tok in ("notrack", "meta", "mark", "ct") and self.peek() in ("set", "mark"):
                r.unknown.append(f"{tok} {self.take()}")
                r.unknown.pop()  # mark/notrack statements change no verdict
                while self.peek() and self.peek() not in _VERDICTS:
                    self.take()
            else:
                r.unknown.append(tok)
                # Skip to the next token we know, so a verdict at the end is still read.
                while self.peek() and self.peek() not in (*_VERDICTS, "counter", "comment"):
                    self.take()
        self._finish()

    def _tcp_flags(self) -> None:
        allf = {"SYN", "ACK", "FIN", "RST", "URG", "PSH", "ECN", "CWR"}
        neg = False
        mask: set[str] = set(allf)
        comp: set[str]
        if self.peek() == "&":
            self.take()
            group = []
            if self.peek() == "(":
                self.take()
                while self.peek() and self.peek() != ")":
                    x = self.take()
                    if x not in ("|", ","):
                        group.append(x.upper())
                self.take()
            else:
                group = [f.upper() for f in self.take().split("|")]
            mask = set(group)
            vals, neg = self.value()
            comp = {v.upper() for v in vals for v in v.split("|")}
            if comp == {"0"}:
                comp = set()
        else:
            vals, neg = self.value()
            comp = {v.upper() for v in vals}
            if self.peek() == "/":
                self.take()
                mask = {v.upper() for v in self.take().split(",")}
            else:
                # "tcp flags syn" tests that SYN is set, whatever the other flags.
                mask = set(comp)
        p, n = tcp_flag_literals(mask, comp & mask, neg)
        self.pos += p
        self.neg += n

    def _verdict(self, tok: str) -> None:
        r = self.r
        if tok in ("jump", "goto"):
            r.verdict = tok
            r.target = self.take()
        elif tok == "reject":
            r.verdict = "reject"
            if self.peek() == "with":
                self.take()
                words = []
                while self.peek() and self.peek() not in ("comment",):
                    words.append(self.take())
                r.extras["reject_with"] = " ".join(words)
        elif tok == "queue":
            r.verdict = "unknown"
            r.unknown.append("queue")
            while self.peek() and self.peek() != "comment":
                self.take()
        else:
            r.verdict = tok

    def _nat(self, tok: str) -> None:
        r = self.r
        kind = {"snat": "snat", "dnat": "dnat", "masquerade": "masquerade"}.get(tok, "redirect")
        r.verdict = "nat"
        r.nat = NatSpec(kind=kind)
        fam = 4
        if self.peek() in ("ip", "ip6"):
            fam = 4 if self.take() == "ip" else 6
        if self.peek() == "to":
            self.take()
            target = self.take()
            if target.startswith(":"):
                r.nat.ports = parse_port_range(target[1:], "-")
            else:
                addr, ports = target, ""
                if target.startswith("["):
                    addr, _, rest = target[1:].partition("]")
                    ports = rest[1:]
                elif (fam == 4 and ":" in target and target.count(":") == 1) or (
                    ":" in target and "." in target
                ):
                    addr, _, ports = target.partition(":")
                lo, dash, hi = addr.partition("-")
                r.nat.addresses = summarize(lo, hi if dash else lo)
                if ports:
                    r.nat.ports = parse_port_range(ports, "-")
        while self.peek() in ("random", "persistent", "fully-random", ","):
            self.take()

    def _finish(self) -> None:
        r = self.r
        fams = {fam for fam, _ in self.addr}
        if len(fams) > 1:
            self.pos.append(NOTHING)
        fam = fams.pop() if len(fams) == 1 else 0
        if fam and self.table.family not in (0, fam):
            self.pos.append(NOTHING)
        any_ = ANY_V6 if fam == 6 else ANY_V4
        src = self.addr.get((fam, "saddr"))
        dst = self.addr.get((fam, "daddr"))
        svcs = self.spec.services()
        if fam == 0:
            main = Match(services=svcs)
        else:
            main = Match(src=src or any_, dst=dst or any_, services=svcs)
            if main.src.negate and main.dst.negate:
                self.pos.append(Match(src=any_, dst=any_))
        r.pos = [main, *self.pos]
        r.neg = self.neg
        r.family = self.table.family if self.table.family != 0 else fam


_CHAIN_HEAD = re.compile(
    r"type\s+(\w+)\s+hook\s+(\w+)(?:\s+device\s+\S+)?\s+priority\s+([^;]+);"
    r"(?:\s*policy\s+(\w+)\s*;)?"
)


def parse_blocks(
    lines: list[tuple[int, str]], ok: Mark, unknown: Mark, warn: Warn
) -> list[NftTable]:
    """Parse the ``table ... { ... }`` blocks of an ``nft list ruleset`` text."""
    tables: list[NftTable] = []
    table: NftTable | None = None
    chain: Chain | None = None
    set_name: str | None = None
    set_text: list[str] = []
    other_depth = 0
    iptables_nft_next = False
    depth = 0
    for n, raw in lines:
        text = raw.strip()
        if not text:
            continue
        if text.startswith("#"):
            if "managed by iptables-nft" in text:
                iptables_nft_next = True
            continue
        if other_depth:
            other_depth += text.count("{") - text.count("}")
            ok(n)
            continue
        if set_name is not None and table is not None:
            ok(n)
            set_text.append(text)
            if text == "}":
                table.sets[set_name] = _set_elements(" ".join(set_text))
                set_name = None
                depth -= 1
            continue
        m = re.fullmatch(r"table\s+(\w+)\s+(\S+)\s*\{", text)
        if m and depth == 0:
            table = NftTable(family_name=m.group(1), name=m.group(2), line=n)
            table.iptables_nft = iptables_nft_next
            iptables_nft_next = False
            tables.append(table)
            depth = 1
            if table.family < 0:
                warn(n, f"nft table family {m.group(1)} is not modelled", False)
            ok(n)
            continue
        if text == "}":
            ok(n)
            if depth == 2:
                chain = None
            elif depth == 1:
                table = None
            depth = max(depth - 1, 0)
            continue
        if table is None:
            unknown(n)
            continue
        m = re.fullmatch(r"chain\s+(\S+)\s*\{", text)
        if m and depth == 1:
            chain = Chain(name=m.group(1), table=table.name, family=table.family, line=n)
            table.chains[chain.name] = chain
            depth = 2
            ok(n)
            continue
        m = re.fullmatch(r"set\s+(\S+)\s*\{", text)
        if m and depth == 1:
            set_name = m.group(1)
            set_text = []
            depth = 2
            ok(n)
            continue
        if depth == 1 and text.endswith("{"):
            other_depth = 1
            ok(n)
            continue
        if chain is None:
            unknown(n)
            continue
        head = _CHAIN_HEAD.search(text)
        if head and not chain.rules:
            chain_type, hook, prio, policy = head.groups()
            chain.hook = hook
            chain.priority = _priority(prio)
            chain.policy = policy or "accept"
            chain.policy_line = n
            table.chain_types[chain.name] = chain_type
            ok(n)
            continue
        if re.fullmatch(r"policy\s+(accept|drop)\s*;?", text):
            chain.policy = text.split()[1].rstrip(";")
            chain.policy_line = n
            ok(n)
            continue
        rule = NfRule(line=n, family=table.family, verdict="continue")
        rule.index = len(chain.rules) + 1
        rule.key = text
        try:
            _RuleReader(tokenize(text), table, rule).read()
        except (RuleError, ValueError) as e:
            unknown(n)
            warn(n, f"cannot read nft rule: {e}", chain.hook == "forward")
            rule.unknown.append(str(e))
            rule.pos = [NOTHING]
        else:
            if rule.unknown:
                unknown(n)
            else:
                ok(n)
        chain.rules.append(rule)
    if depth:
        warn(lines[-1][0] if lines else 0, "unbalanced braces in nft ruleset (truncated?)", True)
    return tables


def _set_elements(text: str) -> list[str]:
    m = re.search(r"elements\s*=\s*\{([^}]*)\}", text)
    if not m:
        return []
    return [x.strip().strip('"') for x in m.group(1).split(",") if x.strip()]


def port_ranges(values: list[str]) -> tuple[PortRange, ...]:
    """Port values as ranges (for callers that read named port sets)."""
    return tuple(parse_port_range(v, "-") for v in values)
