"""Exact line analysis of one filter or policy: unreachable, redundant and disabled lines.

This is the engine behind the rule-hygiene checks (checks/hygiene.py), in the spirit of
Batfish's ``filterLineReachability``: a line is *unreachable* when the earlier lines — one or
a combination of several — match every packet it matches; it is *redundant* when the packets
that do reach it would get the same action from the lines after it (or the default).

Why it is fast enough for a 10,000-line ACL (benchmarks/hygiene_lines.md):

* An address index (per source/destination prefix length) finds the lines whose addresses
  overlap a line's: only those can take packets from it. Exact set operations (``netaudit.flow``
  BDDs) then run over those few lines, never over the whole list.
* A concrete witness packet settles most lines without any subtraction: if no earlier line
  matches the line's example packet, the line is reachable; if the first line after it that
  matches that packet acts differently, it is not redundant.
* Blocking lines are collected greedily (each covers a witness that is still uncovered) and
  then reduced to those needed, only for the lines that are flagged.

Policy rules carry interface scopes (``Rule.in_interfaces``/``out_interfaces``): interfaces
are grouped into *atoms* — interfaces that every rule treats alike (and that lie in the same
zone) — and a line is analysed once per pair of atoms it applies to; a line is unreachable
only when it is covered on every pair, by rules that apply there.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from netaudit.flow import (
    HeaderSpace,
    Packet,
    PacketSet,
    first_match,
    quick_witness,
    rule_matches,
)
from netaudit.model import Action, AddressMatch, Filter, IPNetwork, PortRange, Rule

# A line whose greedy blocker search needs more steps than this is decided exactly first.
GREEDY_CAP = 256
# Blocker sets larger than this are reported as found, without the reduction pass.
REDUCE_CAP = 32

_WIDTH = {4: 32, 6: 128}
Scope = tuple[str | None, str | None]


def is_approximate(rule: Rule) -> bool:
    """The parser could only approximate what this rule matches (TCP flags, ignored qualifiers)."""
    return bool(rule.extras.get("approximation") or rule.extras.get("ignored_qualifiers"))


def is_synthetic(rule: Rule) -> bool:
    """A rule the parser made up, not a line a person wrote.

    A vendor default (``synthetic``, ``implicit``), a stand-in for a reference to a filter that
    is not defined (``undefined``, Yamaha: RUL-008 reports those), or a Yamaha ``dynamic``
    filter, which the model lists after the static ones although the router applies it to the
    sessions the static ``pass`` lines open: its position is a convention, not the author's.
    """
    return bool(
        rule.extras.get("synthetic")
        or rule.extras.get("implicit")
        or rule.extras.get("undefined")
        or rule.extras.get("dynamic")
    )


# -- the address index ------------------------------------------------------------------------


class _SideIndex:
    """Which rules' source (or destination) networks overlap a given network.

    Networks are bucketed by (family, prefix length): a network overlaps a query exactly when
    one contains the other, so ancestors are point look-ups and descendants a range of sorted
    prefixes. ``any`` (length 0) is kept apart as one set, because every query meets it.
    """

    def __init__(self) -> None:
        self.buckets: dict[tuple[int, int], dict[int, list[int]]] = {}
        self.sorted_keys: dict[tuple[int, int], list[int]] = {}
        self.plens: dict[int, list[int]] = {4: [], 6: []}
        self.any_: dict[int, set[int]] = {4: set(), 6: set()}
        self.always: set[int] = set()

    def add(self, idx: int, am: AddressMatch) -> None:
        if am.negate:
            # The complement of a union: treat it as overlapping everything (sound).
            self.always.add(idx)
            return
        for net in am.networks:
            if net.prefixlen == 0:
                self.any_[net.version].add(idx)
                continue
            key = (net.version, net.prefixlen)
            bucket = self.buckets.setdefault(key, {})
            value = int(net.network_address) >> (_WIDTH[net.version] - net.prefixlen)
            bucket.setdefault(value, []).append(idx)

    def freeze(self) -> None:
        for (ver, plen), bucket in self.buckets.items():
            self.sorted_keys[(ver, plen)] = sorted(bucket)
            self.plens[ver].append(plen)
        for ver in self.plens:
            self.plens[ver].sort()

    def containing(self, addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> set[int]:
        """Rules with a non-``any`` network containing ``addr`` (negated ones excluded)."""
        out: set[int] = set()
        ver, a = addr.version, int(addr)
        width = _WIDTH[ver]
        for plen in self.plens[ver]:
            hit = self.buckets[(ver, plen)].get(a >> (width - plen))
            if hit:
                out.update(hit)
        return out

    def narrow(self, net: IPNetwork) -> set[int]:
        """Rules with a non-``any`` network overlapping ``net`` (plus negated ones)."""
        out = set(self.always)
        ver, width = net.version, _WIDTH[net.version]
        start = int(net.network_address)
        end = int(net.broadcast_address)
        for plen in self.plens[ver]:
            bucket = self.buckets[(ver, plen)]
            if plen <= net.prefixlen:
                out.update(bucket.get(start >> (width - plen), ()))
            else:
                keys = self.sorted_keys[(ver, plen)]
                lo, hi = start >> (width - plen), end >> (width - plen)
                for k in keys[bisect.bisect_left(keys, lo) : bisect.bisect_right(keys, hi)]:
                    out.update(bucket[k])
        return out


@dataclass
class _Overlap:
    """Both sides' indexes of one rule list."""

    src: _SideIndex = field(default_factory=_SideIndex)
    dst: _SideIndex = field(default_factory=_SideIndex)
    _both_any: dict[int, set[int]] = field(default_factory=dict)

    def candidates(self, am_src: AddressMatch, am_dst: AddressMatch) -> set[int]:
        """Rules whose source and destination both overlap the given ones (a superset)."""
        out: set[int] = set()
        src_nets = _nets(am_src)
        dst_nets = _nets(am_dst)
        for ver in (4, 6):
            s = [n for n in src_nets if n.version == ver]
            d = [n for n in dst_nets if n.version == ver]
            if not s or not d:
                continue
            s_any = any(n.prefixlen == 0 for n in s)
            d_any = any(n.prefixlen == 0 for n in d)
            s_narrow: set[int] = set()
            d_narrow: set[int] = set()
            if not s_any:
                for n in s:
                    s_narrow |= self.src.narrow(n)
            if not d_any:
                for n in d:
                    d_narrow |= self.dst.narrow(n)
            s_all = self.src.any_[ver]
            d_all = self.dst.any_[ver]
            # A query side of `any` meets every rule's side of that family.
            if s_any and d_any:
                out |= self._all_of(ver)
            elif s_any:
                out |= d_narrow
                out |= d_all
            elif d_any:
                out |= s_narrow
                out |= s_all
            else:
                out |= _meet(s_narrow, d_narrow)
                out |= _meet(s_narrow, d_all)
                out |= _meet(s_all, d_narrow)
                out |= self._any_any(ver)
        return out

    def at(self, p: Packet) -> list[int]:
        """Rules whose source and destination addresses contain the packet's, sorted."""
        ver = p.src.version
        s_n = self.src.containing(p.src)
        d_n = self.dst.containing(p.dst)
        s_all, d_all = self.src.any_[ver], self.dst.any_[ver]
        out = s_n & d_n
        out |= s_n & d_all if len(s_n) < len(d_all) else d_all & s_n
        out |= d_n & s_all if len(d_n) < len(s_all) else s_all & d_n
        out |= self._any_any(ver)
        out |= self.src.always | self.dst.always
        return sorted(out)

    def _any_any(self, ver: int) -> set[int]:
        got = self._both_any.get(ver)
        if got is None:
            got = self.src.any_[ver] & self.dst.any_[ver]
            self._both_any[ver] = got
        return got

    def _all_of(self, ver: int) -> set[int]:
        out = set(self.src.always) | self.src.any_[ver]
        for plen in self.src.plens[ver]:
            for idxs in self.src.buckets[(ver, plen)].values():
                out.update(idxs)
        return out


_SvcSig = tuple[int | None, tuple[PortRange, ...] | None, tuple[PortRange, ...] | None, int | None]


def _svc_sig(rule: Rule) -> tuple[_SvcSig, ...]:
    return tuple((s.protocol, s.src_ports, s.dst_ports, s.icmp_type) for s in rule.match.services)


def _ranges_meet(a: tuple[PortRange, ...], b: tuple[PortRange, ...]) -> bool:
    return any(lo1 <= hi2 and lo2 <= hi1 for lo1, hi1 in a for lo2, hi2 in b)


def _svc_meet(a: tuple[_SvcSig, ...], b: tuple[_SvcSig, ...]) -> bool:
    """False only when the two service lists cannot share a packet (a sound prefilter)."""
    for p1, s1, d1, t1 in a:
        for p2, s2, d2, t2 in b:
            if p1 is not None and p2 is not None and p1 != p2:
                continue
            if d1 is not None and d2 is not None and not _ranges_meet(d1, d2):
                continue
            if s1 is not None and s2 is not None and not _ranges_meet(s1, s2):
                continue
            if t1 is not None and t2 is not None and t1 != t2:
                continue
            return True
    return False


def _meet(a: set[int], b: set[int]) -> set[int]:
    """Intersection, iterating the smaller set."""
    return a & b if len(a) <= len(b) else b & a


def _nets(am: AddressMatch) -> tuple[IPNetwork, ...]:
    if am.negate:
        return (ipaddress.IPv4Network("0.0.0.0/0"), ipaddress.IPv6Network("::/0"))
    return am.networks


# -- per-filter analysis ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unreachable:
    """A line no packet reaches, and the earlier lines that take its packets."""

    index: int
    rule: Rule
    blockers: tuple[Rule, ...]
    action_differs: bool
    uncertain: bool


@dataclass(frozen=True, slots=True)
class Redundant:
    """A line whose removal changes nothing; ``decided_by`` is an example later decider."""

    index: int
    rule: Rule
    decided_by: Rule | None
    region: PacketSet

    @property
    def example(self) -> Packet | None:
        """A readable packet that reaches the line and gets the same action without it."""
        return self.region.witness()


@dataclass(frozen=True, slots=True)
class Enabling:
    """What a disabled permit line would newly let through if it were enabled."""

    index: int
    rule: Rule
    opened: PacketSet
    scopes: tuple[Scope, ...]


@dataclass
class FilterLines:
    """The analysis of one rule list: its line verdicts, computed once and shared by checks."""

    flt: Filter
    unreachable: list[Unreachable]
    redundant: list[Redundant]


class LineAnalyzer:
    """Indexes one filter's rules and answers line questions about them exactly.

    ``zone_of`` maps interface names to zones (used to split policy atoms by zone);
    ``interfaces`` is the device's interface universe for policy scopes.
    """

    def __init__(
        self,
        space: HeaderSpace,
        flt: Filter,
        interfaces: Iterable[str] = (),
        zone_of: Mapping[str, str | None] | None = None,
    ) -> None:
        self.space = space
        self.flt = flt
        self.rules = flt.rules
        self.fam = space.all if flt.family is None else space.family(flt.family)
        self._sets: dict[int, Any] = {}
        self._near: dict[tuple[int, Scope], tuple[list[int], list[int]]] = {}
        # Service signatures interned, so the prefilter's answers can be memoised per pair.
        sig_ids: dict[tuple[_SvcSig, ...], int] = {}
        self._sigs: list[tuple[_SvcSig, ...]] = []
        self._svc: list[int] = []
        for r in self.rules:
            sig = _svc_sig(r)
            sid = sig_ids.get(sig)
            if sid is None:
                sid = sig_ids[sig] = len(self._sigs)
                self._sigs.append(sig)
            self._svc.append(sid)
        self._meets: dict[tuple[int, int], bool] = {}
        self._cand: dict[int, list[int]] = {}
        self._witnesses: dict[Any, Packet | None] = {}
        self.index = _Overlap()
        for i, r in enumerate(self.rules):
            if not r.enabled:
                continue
            self.index.src.add(i, r.match.src)
            self.index.dst.add(i, r.match.dst)
        self.index.src.freeze()
        self.index.dst.freeze()
        # Redundancy cannot be decided before a rule whose real match is not known.
        self.last_unresolved = max(
            (
                i
                for i, r in enumerate(self.rules)
                if r.enabled and (r.unresolved or is_approximate(r))
            ),
            default=-1,
        )
        self.zone_of = dict(zone_of or {})
        self.in_atoms, self.out_atoms = self._atoms(set(interfaces))

    # -- scopes ------------------------------------------------------------------------------

    def _atoms(self, universe: set[str]) -> tuple[list[str | None], list[str | None]]:
        """One representative interface per class of interfaces all rules treat alike."""
        scoped_in = [r.in_interfaces for r in self.rules if r.in_interfaces is not None]
        scoped_out = [r.out_interfaces for r in self.rules if r.out_interfaces is not None]
        if not scoped_in and not scoped_out:
            return [None], [None]

        def classes(scopes: list[frozenset[str]]) -> list[str | None]:
            if not scopes:
                return [None]
            names = set(universe)
            for s in scopes:
                names |= s
            sig: dict[tuple[object, ...], str] = {}
            for name in sorted(names):
                key = (self.zone_of.get(name), *(name in s for s in scopes))
                sig.setdefault(key, name)
            return list(sig.values())

        return classes(scoped_in), classes(scoped_out)

    def scopes_of(self, rule: Rule) -> list[Scope]:
        """The atom pairs a rule applies to."""
        ins = [a for a in self.in_atoms if a is None or _admits(rule.in_interfaces, a)]
        outs = [b for b in self.out_atoms if b is None or _admits(rule.out_interfaces, b)]
        return [(a, b) for a in ins for b in outs]

    def _applies(self, rule: Rule, scope: Scope) -> bool:
        a, b = scope
        return (a is None or _admits(rule.in_interfaces, a)) and (
            b is None or _admits(rule.out_interfaces, b)
        )

    # -- sets --------------------------------------------------------------------------------

    def set_of(self, i: int) -> PacketSet:
        """The packets rule ``i`` matches, within the filter's address family."""
        node = self._sets.get(i)
        if node is None:
            node = (self.space.rule(self.rules[i]) & self.fam).node
            self._sets[i] = node
        return PacketSet(self.space, node)

    def _blocker_ok(self, r: Rule) -> bool:
        # Unresolved names only add packets to a plain match; under a negation or in an
        # exception they take packets away, so the resolved part would claim too much.
        if not r.unresolved:
            return True
        if r.extras.get("undefined"):
            return False  # a stand-in for a missing definition: what it matches is unknown
        return not (
            r.match.src.negate or r.match.dst.negate or any(e.all_unresolved for e in r.exceptions)
        )

    def neighbours(self, i: int, scope: Scope) -> tuple[list[int], list[int]]:
        """Enabled rules before and after ``i`` that apply on ``scope`` and may overlap it."""
        got = self._near.get((i, scope))
        if got is not None:
            return got
        cand = self._cand.get(i)
        if cand is None:
            r = self.rules[i]
            mine = self._svc[i]
            cand = [
                j
                for j in sorted(self.index.candidates(r.match.src, r.match.dst))
                if j != i and self.rules[j].enabled and self._svc_meet(mine, self._svc[j])
            ]
            self._cand[i] = cand
        earlier: list[int] = []
        later: list[int] = []
        for j in cand:
            if not self._applies(self.rules[j], scope):
                continue
            (earlier if j < i else later).append(j)
        self._near[(i, scope)] = (earlier, later)
        return earlier, later

    def _svc_meet(self, a: int, b: int) -> bool:
        key = (a, b) if a <= b else (b, a)
        got = self._meets.get(key)
        if got is None:
            got = self._meets[key] = _svc_meet(self._sigs[a], self._sigs[b])
        return got

    def _witness(self, ps: PacketSet) -> Packet | None:
        """A quick witness of ``ps``, memoised (the same set is asked for once per scope)."""
        node = ps.node
        if node in self._witnesses:
            return self._witnesses[node]
        w = quick_witness(ps)
        if len(self._witnesses) > 65536:
            self._witnesses.clear()
        self._witnesses[node] = w
        return w

    def _first_matching(self, idxs: Sequence[int], p: Packet) -> int | None:
        for j in idxs:
            if rule_matches(self.rules[j], p):
                return j
        return None

    def first_at(
        self, p: Packet, scope: Scope, *, before: int | None = None, after: int | None = None
    ) -> int | None:
        """The first enabled rule applying on ``scope`` that matches ``p``, within bounds.

        A point query on the address index, then a concrete check of each hit.
        """
        for j in self.index.at(p):
            if before is not None and j >= before:
                return None
            if after is not None and j <= after:
                continue
            r = self.rules[j]
            if r.enabled and self._applies(r, scope) and rule_matches(r, p):
                return j
        return None

    def _covered(self, s: PacketSet, earlier: Sequence[int]) -> bool:
        """Exactly: is every packet of ``s`` matched by one of ``earlier``?"""
        rem = s
        for j in earlier:
            if not self._blocker_ok(self.rules[j]):
                continue
            rem = rem - self.set_of(j)
            if rem.is_empty():
                return True
        return rem.is_empty()

    def _greedy(self, i: int, s: PacketSet, scope: Scope) -> tuple[list[int], bool]:
        """Earlier rules covering ``s``, one per uncovered witness; (rules, fully covered)."""
        rem = s
        found: list[int] = []
        for _ in range(GREEDY_CAP):
            w = self._witness(rem)
            if w is None:
                return found, True
            j = self.first_at(w, scope, before=i)
            while j is not None and not self._blocker_ok(self.rules[j]):
                j = self.first_at(w, scope, before=i, after=j)
            if j is None:
                return found, False
            found.append(j)
            rem = rem - self.set_of(j)
        earlier = [j for j in self.neighbours(i, scope)[0] if self._blocker_ok(self.rules[j])]
        if not self._covered(rem, earlier):
            return found, False
        while (w := self._witness(rem)) is not None:
            j = self._first_matching(earlier, w)
            assert j is not None  # covered exactly, so some rule matches every witness
            found.append(j)
            rem = rem - self.set_of(j)
        return found, True

    def _reduce(self, s: PacketSet, found: list[int]) -> list[int]:
        """Drop blockers the others already make unnecessary."""
        if len(found) > REDUCE_CAP:
            return sorted(set(found))
        keep = sorted(set(found))
        for j in list(reversed(keep)):
            others = [k for k in keep if k != j]
            if others and self._covered(s, others):
                keep = others
        return keep

    def unreachable(self, i: int) -> Unreachable | None:
        """Is line ``i`` unreachable on every atom pair it applies to?"""
        r = self.rules[i]
        s = self.set_of(i)
        if s.is_empty():
            return None  # matches nothing resolvable: nothing to say (unresolved or empty)
        blockers: set[int] = set()
        for scope in self.scopes_of(r):
            found, covered = self._greedy(i, s, scope)
            if not covered:
                return None
            blockers |= set(self._reduce(s, found))
        if not blockers:
            return None
        rules = tuple(self.rules[j] for j in sorted(blockers))
        return Unreachable(
            index=i,
            rule=r,
            blockers=rules,
            action_differs=any(b.action is not r.action for b in rules),
            uncertain=bool(r.unresolved)
            or is_approximate(r)
            or any(is_approximate(b) for b in rules),
        )

    # -- redundant lines ---------------------------------------------------------------------

    def is_explicit_default(self, i: int) -> bool:
        """A catch-all line (a whole address family) with the filter's default action."""
        r = self.rules[i]
        if r.action is not self.flt.default_action:
            return False
        s = self.set_of(i)
        return any(self.space.family(v).issubset(s) for v in (4, 6))

    def redundant(self, i: int) -> Redundant | None:
        """Would removing line ``i`` change no packet's fate, on every atom pair?

        Lines that log are never redundant here (removing them loses the log), nor are
        explicit catch-all defaults (they document the default; see :meth:`is_explicit_default`).
        """
        r = self.rules[i]
        if r.log or i <= self.last_unresolved or is_synthetic(r) or self.is_explicit_default(i):
            return None
        s = self.set_of(i)
        if s.is_empty():
            return None
        decider: tuple[Rule | None, PacketSet] | None = None
        for scope in self.scopes_of(r):
            # Quick disproof: the line's witness reaches it and a later line acts otherwise.
            w = self._witness(s)
            if w is not None and self.first_at(w, scope, before=i) is None:
                j = self.first_at(w, scope, after=i)
                act = self.flt.default_action if j is None else self.rules[j].action
                if act is not r.action:
                    return None
            earlier, later = self.neighbours(i, scope)
            reach = s
            for j in earlier:
                if self._blocker_ok(self.rules[j]):
                    reach = reach - self.set_of(j)
                    if reach.is_empty():
                        break
            if reach.is_empty():
                continue
            # Walk the later lines over what reaches this one: any packet they (or the
            # default) decide otherwise makes the line matter.
            rem = reach
            for j in later:
                rj = self.rules[j]
                hit = rem & self.set_of(j)
                if hit.is_empty():
                    continue
                if rj.action is not r.action:
                    return None
                if decider is None:
                    decider = (rj, hit)
                rem = rem - hit
                if rem.is_empty():
                    break
            if not rem.is_empty():
                if self.flt.default_action is not r.action:
                    return None
                if decider is None:
                    decider = (None, rem)
        if decider is None:
            return None
        return Redundant(index=i, rule=r, decided_by=decider[0], region=decider[1])

    # -- disabled lines ----------------------------------------------------------------------

    def enabling(self, i: int, within: PacketSet, scope_ok: Any = None) -> Enabling | None:
        """What disabled permit line ``i`` would add to the permitted set, within ``within``.

        ``scope_ok(scope)`` may restrict the atom pairs considered (e.g. to zone boundaries).
        """
        r = self.rules[i]
        if r.enabled or r.action is not Action.PERMIT:
            return None
        s = (self.space.rule(r) & self.fam) & within
        if s.is_empty():
            return None
        opened = self.space.empty
        scopes: list[Scope] = []
        cand = sorted(self.index.candidates(r.match.src, r.match.dst))
        for scope in self.scopes_of(r):
            if scope_ok is not None and not scope_ok(scope):
                continue
            live = [
                j for j in cand if self.rules[j].enabled and self._applies(self.rules[j], scope)
            ]
            earlier = [self.rules[j] for j in live if j < i]
            later = [self.rules[j] for j in live if j > i]
            before = first_match(self.space, earlier + later, self.flt.default_action, s)
            reach = s
            for e in earlier:
                reach = reach - self.space.rule(e)
            new = reach & before.denied
            if not new.is_empty():
                opened = opened | new
                scopes.append(scope)
        if opened.is_empty():
            return None
        return Enabling(index=i, rule=r, opened=opened, scopes=tuple(scopes))

    def analyse(self) -> FilterLines:
        """Unreachable and redundant lines of the whole filter."""
        unreachable: list[Unreachable] = []
        redundant: list[Redundant] = []
        for i, r in enumerate(self.rules):
            if not r.enabled or is_synthetic(r):
                continue
            u = self.unreachable(i)
            if u is not None:
                unreachable.append(u)
                continue
            red = self.redundant(i)
            if red is not None:
                redundant.append(red)
        return FilterLines(flt=self.flt, unreachable=unreachable, redundant=redundant)


def _admits(scope: frozenset[str] | None, name: str) -> bool:
    return scope is None or name in scope


def iter_rules(flt: Filter) -> Iterator[tuple[int, Rule]]:
    """Enabled, written (not synthetic) rules of a filter with their positions."""
    for i, r in enumerate(flt.rules):
        if r.enabled and not is_synthetic(r):
            yield i, r
