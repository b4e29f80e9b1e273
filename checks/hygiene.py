"""Rule-hygiene checks (RUL family): clean rule bases, per filter and per policy, any platform.

Basis: DOMAIN.md §11 RULE-001 ("no shadowed/any-any rules, no disabled-but-present cross-zone
permits, logging on cross-zone rules") and the guideline's demand that 通信回線装置 be managed
so that their settings are understood and their traffic logged (§6.1, §7.1). The checks work
on the vendor-neutral model, so every parser that produces filters and policies is covered:

=========  ====================================================================  ========
ID         what                                                                   severity
=========  ====================================================================  ========
RUL-001    unreachable line (shadowed by one or a combination of earlier lines)  low/medium
RUL-002    redundant line (removing it changes nothing)                           low
RUL-003    any/any permit                                                         medium
RUL-004    cross-zone permit without logging                                      low
RUL-005    disabled permit that would open a cross-zone path if enabled           info
RUL-006    filter / ACL defined but not bound or referenced                       low
RUL-007    address / service object defined but never referenced                  low
RUL-008    reference to an object that is not defined                             low
=========  ====================================================================  ========

Line analyses are exact (BDD header-space algebra, see checks/_hygiene_lines.py).

Standard facts parsers may provide in ``DeviceConfig.extras`` (read by RUL-007 / RUL-008):

* ``extras["objects"]``: a tuple of ``{"name", "kind", "line", "referenced"}`` mappings, one per
  named address/service object or group the config defines (``kind`` e.g. ``address``,
  ``address-group``, ``service``, ``service-group``, ``object-group network``).
* ``extras["undefined_objects"]``: a tuple of ``{"name", "kind", "line"}`` mappings, one per
  reference to a name the config does not define (``line`` = the referring line).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checks._common import finding, one_line, policy_ref, span_evidence
from checks._hygiene_lines import FilterLines, LineAnalyzer, is_synthetic
from checks._topology import l3_interfaces
from checks.base import CheckContext, CheckMeta
from netaudit.flow import PacketSet
from netaudit.model import Action, DeviceConfig, Filter, FilterKind, Rule, SourceSpan
from netaudit.reach import NetworkAnalysis
from netaudit.result import Evidence, Finding, PolicyRef, Severity, Status, Text

BASIS_RULES = (
    "ルールの整理・棚卸し（到達しないルール・重複・any/any の排除） [DOMAIN §11 RULE-001; I]"
)
BASIS_LOGGING = "ゾーン間通信のログ取得 [ガイドライン §7.1; DOMAIN §11 RULE-001, §5.4]"
BASIS_CHANGE = "不要な設定・無効化したままのルールの整理（変更管理） [DOMAIN §11 RULE-001; I]"

# Platforms whose parsers read a rule's logging option into Rule.log (audit of
# netaudit/parsers/*.py). NEC IX and AlaxalA access lists carry no per-entry log option.
LOG_PLATFORMS = frozenset(
    {
        "cisco_ios",
        "cisco_nxos",
        "cisco_asa",
        "fortinet",
        "paloalto_panos",
        "juniper_junos",
        "yamaha",
        "linux",
        "allied_telesis_awplus",
    }
)

# Platforms whose parsers keep the object table (``extras["objects"]``, present only when the
# config defines objects). Yamaha RTX has no named address/service objects at all.
OBJECT_PLATFORMS = frozenset(
    {
        "cisco_asa",
        "cisco_ios",
        "cisco_nxos",
        "fortinet",
        "juniper_junos",
        "paloalto_panos",
        "yamaha",
    }
)

# Parser warnings that report an undefined name, as each parser words them.
_UNDEFINED_RE = re.compile(r"\bundefined\b|\bis not defined\b")
_TOKEN_SPLIT = re.compile(r"[\s:,=;]+")
# Device extras that list names without using them (the ASA parser's own unbound-ACL list).
_NOT_REFERENCES = frozenset({"objects", "undefined_objects", "unbound_acls"})


# -- shared per-analysis facts ----------------------------------------------------------------


@dataclass
class DeviceFacts:
    """What the hygiene checks need about one device, computed once per audit."""

    device: DeviceConfig
    zone_of: dict[str, str | None]
    usage: dict[str, str]
    effective: list[Filter]
    analyzers: dict[str, LineAnalyzer]
    lines: dict[str, FilterLines]


@dataclass
class _Shared:
    cross: PacketSet
    initial: PacketSet
    devices: dict[str, DeviceFacts]


_CACHE: dict[int, tuple[weakref.ref[NetworkAnalysis], _Shared]] = {}


def _shared(a: NetworkAnalysis) -> _Shared:
    """Facts shared by every hygiene check of one audit (computed at most once)."""
    hit = _CACHE.get(id(a))
    if hit is not None and hit[0]() is a:
        return hit[1]
    for key in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
        del _CACHE[key]
    space = a.space
    src_any, dst_any, same = space.empty, space.empty, space.empty
    for z in a.policy.zone_ids:
        s, d = a.zone_src.get(z, space.empty), a.zone_dst.get(z, space.empty)
        src_any, dst_any, same = src_any | s, dst_any | d, same | (s & d)
    shared = _Shared(cross=(src_any & dst_any) - same, initial=space.initial(), devices={})
    _CACHE[id(a)] = (weakref.ref(a), shared)
    return shared


def facts(a: NetworkAnalysis, dev: DeviceConfig) -> DeviceFacts:
    """The device's zones, filter usage and (lazily) line analyses."""
    sh = _shared(a)
    got = sh.devices.get(dev.name)
    if got is not None:
        return got
    zone_of = a.zones_of_device(dev.name)
    usage = filter_usage(dev)
    composite = {name for name, how in usage.items() if how == "composite"}
    effective = [f for f in dev.filters if f.name in usage and f.name not in composite]
    if dev.policy is not None:
        effective.append(dev.policy)
    got = DeviceFacts(
        device=dev, zone_of=zone_of, usage=usage, effective=effective, analyzers={}, lines={}
    )
    sh.devices[dev.name] = got
    return got


def filters_in_effect(a: NetworkAnalysis) -> Iterator[tuple[DeviceConfig, DeviceFacts, Filter]]:
    """Every filter and policy in effect on every device, with the device's facts."""
    for dev in a.devices.values():
        df = facts(a, dev)
        for flt in df.effective:
            yield dev, df, flt


def analyzer(a: NetworkAnalysis, df: DeviceFacts, flt: Filter) -> LineAnalyzer:
    """The (cached) line analyzer of one filter of a device."""
    key = _fkey(flt)
    got = df.analyzers.get(key)
    if got is None:
        got = LineAnalyzer(
            a.space, flt, interfaces=(i.name for i in df.device.interfaces), zone_of=df.zone_of
        )
        df.analyzers[key] = got
    return got


def lines_of(a: NetworkAnalysis, df: DeviceFacts, flt: Filter) -> FilterLines:
    """Unreachable and redundant lines of one filter (cached)."""
    key = _fkey(flt)
    got = df.lines.get(key)
    if got is None:
        got = analyzer(a, df, flt).analyse()
        df.lines[key] = got
    return got


def _fkey(flt: Filter) -> str:
    return f"{flt.kind.value}:{flt.name}"


# -- usage of filters ---------------------------------------------------------------------------


def _strings(value: object, out: set[str]) -> None:
    if isinstance(value, str):
        out.add(value)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            _strings(k, out)
            _strings(v, out)
    elif isinstance(value, (tuple, list, set, frozenset)):
        for v in value:
            _strings(v, out)


def filter_usage(dev: DeviceConfig) -> dict[str, str]:
    """How each used filter is used: bound, management, snmp, composite or reference.

    A filter is *composite* when all its lines are part of another filter that is bound (a
    Yamaha ``ip filter`` inside a ``secure filter`` list, an NEC IX list behind an interface's
    concatenated filter); it is a *reference* when its name appears in the vendor facts the
    parser keeps (NAT, route-maps, zone or filter extras). Filters missing here are unused as
    far as the parser reports.
    """
    out: dict[str, str] = {}
    for b in dev.bindings:
        out.setdefault(b.filter, "bound")
    for s in dev.mgmt.services:
        if s.acl:
            out.setdefault(s.acl, "management")
    for c in dev.mgmt.snmp_communities:
        if c.acl:
            out.setdefault(c.acl, "snmp")
    bound_spans = {
        (r.span.file, r.span.line, r.span.path)
        for f in dev.filters
        if f.name in out
        for r in f.rules
    }
    texts: set[str] = set()
    for n in dev.nat:
        _strings(n.extras, texts)
        _strings(n.name, texts)
    for itf in dev.interfaces:
        _strings(itf.extras, texts)
    for route in dev.routes:
        _strings(route.extras, texts)
    _strings(dev.mgmt.extras, texts)
    _strings({k: v for k, v in dev.extras.items() if k not in _NOT_REFERENCES}, texts)
    if dev.policy is not None:
        _strings(dev.policy.extras, texts)
        for r in dev.policy.rules:
            _strings(r.extras, texts)
    tokens = _tokens(texts)
    # Names other filters mention (an NEC IX interface list names the lists it chains).
    by_filter: dict[str, set[str]] = {}
    for f in dev.filters:
        own: set[str] = set()
        _strings(f.extras, own)
        by_filter[f.name] = _tokens(own)
    for f in dev.filters:
        if f.name in out:
            continue
        if f.rules and all((r.span.file, r.span.line, r.span.path) in bound_spans for r in f.rules):
            out[f.name] = "composite"
        elif f.name in tokens or any(
            f.name in toks for other, toks in by_filter.items() if other != f.name
        ):
            out[f.name] = "reference"
    return out


def _tokens(texts: set[str]) -> set[str]:
    out = set(texts)
    for t in texts:
        out.update(_TOKEN_SPLIT.split(t))
    return out


# -- zones --------------------------------------------------------------------------------------


def _l3_zones(df: DeviceFacts, vrf: str | None = None, *, any_vrf: bool = True) -> set[str]:
    out: set[str] = set()
    for itf in l3_interfaces(df.device):
        if not any_vrf and (itf.vrf or "") != (vrf or ""):
            continue
        z = df.zone_of.get(itf.name)
        if z is not None:
            out.add(z)
    return out


def binding_boundary(df: DeviceFacts, interface: str) -> bool:
    """Does the device forward between ``interface``'s zone and another zone (same VRF)?"""
    if df.device.routing is False:
        return False
    z = df.zone_of.get(interface)
    itf = df.device.interface(interface)
    if z is None or itf is None:
        return False
    return bool(_l3_zones(df, itf.vrf, any_vrf=False) - {z})


def scope_zones(df: DeviceFacts, names: frozenset[str] | None) -> set[str]:
    """Zones of the interfaces a policy rule side names (all device zones for ``None``)."""
    if names is None:
        return _l3_zones(df)
    return {z for n in names if (z := df.zone_of.get(n)) is not None}


def rule_boundary(df: DeviceFacts, flt: Filter, rule: Rule) -> bool:
    """Is ``rule`` of ``flt`` on a zone boundary of its device?"""
    if df.device.policy is flt:
        zin = scope_zones(df, rule.in_interfaces)
        zout = scope_zones(df, rule.out_interfaces)
        return any(a != b for a in zin for b in zout)
    return any(
        binding_boundary(df, b.interface) for b in df.device.bindings if b.filter == flt.name
    )


# -- finding helpers ---------------------------------------------------------------------------


def evidence(dev: DeviceConfig, span: SourceSpan, role: str) -> Evidence:
    """An evidence line of ``dev``."""
    return span_evidence(dev.name, span, role)


def label(rule: Rule) -> str:
    """How users know a rule: its name / sequence / policy id, else its line."""
    return rule.name or f"line {rule.span.line}"


def filter_label(flt: Filter) -> str:
    """How users know a filter: the policy, or the ACL's name."""
    return "policy" if flt.kind is FilterKind.POLICY else flt.name


def not_applicable(meta: CheckMeta, dev: DeviceConfig, why: Text) -> Finding:
    """The check cannot be decided on this device: the parser does not report the fact."""
    return finding(
        meta,
        Text(ja=f"{dev.name}: {why.ja}", en=f"{dev.name}: {why.en}"),
        key=(dev.name, "not_applicable", dev.platform),
        status=Status.NOT_APPLICABLE,
        severity=Severity.INFO,
        device=dev.name,
    )


def rule_finding(
    meta: CheckMeta,
    dev: DeviceConfig,
    flt: Filter,
    rule: Rule,
    message: Text,
    *,
    evidence: Sequence[Evidence],
    status: Status = Status.FAIL,
    severity: Severity | None = None,
    policy_ref: PolicyRef | None = None,
    also_key: Sequence[str] = (),
) -> Finding:
    """A finding about one line of a filter, fingerprinted by the line's text (not number)."""
    return finding(
        meta,
        message,
        key=(dev.name, flt.name, rule.name, one_line(rule.span.text), *also_key),
        status=status,
        severity=severity,
        device=dev.name,
        evidence=evidence,
        policy_ref=policy_ref,
    )


# -- RUL-001 ------------------------------------------------------------------------------------


class UnreachableLine:
    """RUL-001: a line no packet can reach, because earlier lines match all it matches.

    Like Batfish's ``filterLineReachability``: the earlier lines may block a line together
    (a combination), not only one by one. The finding names the blocking lines (those whose
    match sets meet it, greedily reduced to the ones needed) and whether their action differs.
    A different action usually means a mistake — the author meant the later line to apply —
    and is reported at medium severity; the same action is dead weight (low). Disabled lines
    neither block nor are reported. A line whose own addresses could not be resolved (FQDN,
    undefined object) is reported ``unknown``: only its resolved part is known to be covered;
    so is a verdict resting on a line the parser could only approximate (TCP flags such as
    Yamaha ``tcpfin``/``tcprst``, qualifiers it ignores).
    Policy rules are judged per pair of interfaces they apply to (``in``/``out`` scope): a rule
    is only blocked by earlier rules that apply wherever it does.
    """

    meta = CheckMeta(
        id="RUL-001",
        family="hygiene",
        title=Text(
            ja="到達しないルール（先行ルールに隠されている）", en="Unreachable (shadowed) rule"
        ),
        severity=Severity.LOW,
        basis=(BASIS_RULES,),
        summary_ja="先行する1つまたは複数のルールがすべてのパケットを先に処理するため、決して適用されないルールを検出します。動作が異なる場合は設定誤りの可能性が高いため中リスクとします。",
        fix=Text(
            ja="ルールの順序を見直すか、不要なルールを削除してください。動作が異なる場合は意図どおりか確認してください。",
            en="Reorder or remove the rule; when the actions differ, check which one was intended.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """One finding per unreachable line of every filter and policy in effect."""
        a = ctx.analysis
        for dev, df, flt in filters_in_effect(a):
            for u in lines_of(a, df, flt).unreachable:
                r = u.rule
                blockers = ", ".join(label(b) for b in u.blockers)
                if u.action_differs:
                    why = Text(
                        ja="動作が異なるため、意図と異なる設定の可能性があります",
                        en="their action differs: likely a mistake",
                    )
                else:
                    why = Text(
                        ja="動作が同じため、このルールは不要です",
                        en="same action: the rule is dead weight",
                    )
                yield rule_finding(
                    self.meta,
                    dev,
                    flt,
                    r,
                    Text(
                        ja=f"{dev.name} の {filter_label(flt)} のルール {label(r)}（{r.action.value}）には到達するパケットがありません。先行するルール {blockers} が先にすべて一致します（{why.ja}）。"
                        + (
                            "解決できない名前、またはパーサが近似した条件に依存するため確定できません。"
                            if u.uncertain
                            else ""
                        ),
                        en=f"{dev.name} {filter_label(flt)} rule {label(r)} ({r.action.value}) is never reached: earlier rule(s) {blockers} match everything it matches ({why.en})."
                        + (
                            " It rests on unresolved names or approximated matches: not certain."
                            if u.uncertain
                            else ""
                        ),
                    ),
                    evidence=(
                        evidence(dev, r.span, "unreachable line"),
                        *(
                            evidence(dev, b.span, f"blocked by ({b.action.value})")
                            for b in u.blockers
                        ),
                    ),
                    status=Status.UNKNOWN if u.uncertain else Status.FAIL,
                    severity=Severity.MEDIUM if u.action_differs else Severity.LOW,
                    also_key=tuple(one_line(b.span.text) for b in u.blockers),
                )


# -- RUL-002 ------------------------------------------------------------------------------------


class RedundantLine:
    """RUL-002: a line whose removal would change nothing.

    Every packet that reaches the line would get the same action from the lines after it, or
    from the filter's default. Unreachable lines are RUL-001's and not repeated here. Lines that
    log are never redundant (removing them loses the log), nor is a final catch-all line with
    the default action (``deny ip any any``): it states the default on purpose.
    """

    meta = CheckMeta(
        id="RUL-002",
        family="hygiene",
        title=Text(ja="冗長なルール（削除しても動作が変わらない）", en="Redundant rule"),
        severity=Severity.LOW,
        basis=(BASIS_RULES,),
        summary_ja="そのルールに一致するパケットが、後続のルールまたは既定の動作でも同じ扱いになるため、削除しても通信が変わらないルールを検出します。",
        fix=Text(
            ja="不要なルールを削除し、ルールベースを簡潔に保ってください。",
            en="Remove the rule to keep the rule base lean.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """One finding per redundant line of every filter and policy in effect."""
        a = ctx.analysis
        for dev, df, flt in filters_in_effect(a):
            for red in lines_of(a, df, flt).redundant:
                r = red.rule
                by = red.decided_by
                instead_ja = f"後続のルール {label(by)} " if by is not None else "既定の動作"
                instead_en = f"later rule {label(by)}" if by is not None else "the default"
                ev = [evidence(dev, r.span, "redundant line")]
                if by is not None:
                    ev.append(evidence(dev, by.span, f"decides instead ({by.action.value})"))
                elif flt.default_span is not None:
                    ev.append(evidence(dev, flt.default_span, "default"))
                yield rule_finding(
                    self.meta,
                    dev,
                    flt,
                    r,
                    Text(
                        ja=f"{dev.name} の {filter_label(flt)} のルール {label(r)}（{r.action.value}）は削除しても動作が変わりません。一致するパケットは{instead_ja}でも同じく {r.action.value} になります。例: {red.example}",
                        en=f"{dev.name} {filter_label(flt)} rule {label(r)} ({r.action.value}) changes nothing: its packets get the same action from {instead_en}. Example: {red.example}",
                    ),
                    evidence=ev,
                )


# -- RUL-003 ------------------------------------------------------------------------------------


def _scope_any(side: frozenset[str] | None, universe: set[str]) -> bool:
    return side is None or universe <= side


class AnyAnyPermit:
    """RUL-003: a permit with any source, any destination and any service.

    For a zone or interface-pair policy the rule must also apply to every interface on both
    sides (``from any to any``) to count. Such a rule turns the filter into "allow all"
    from that point on; a deliberate block list ending in ``permit ip any any`` is reported
    too, so that its owner confirms it.
    """

    meta = CheckMeta(
        id="RUL-003",
        family="hygiene",
        title=Text(ja="送信元・宛先・サービスがすべて any の許可ルール", en="Any/any permit rule"),
        severity=Severity.MEDIUM,
        basis=(BASIS_RULES,),
        summary_ja="送信元・宛先・サービス（ポリシーでは入出力ゾーンも）がすべて any の許可ルールを検出します。",
        fix=Text(
            ja="必要な送信元・宛先・サービスに限定したルールに置き換えてください。",
            en="Replace it with rules limited to the needed sources, destinations and services.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Every enabled any/any permit of a filter or policy in effect."""
        a = ctx.analysis
        space = a.space
        for dev, df, flt in filters_in_effect(a):
            an = analyzer(a, df, flt)
            universe: set[str] = set()
            for r in flt.rules:
                universe |= r.in_interfaces or set()
                universe |= r.out_interfaces or set()
            for i, r in enumerate(flt.rules):
                if not r.enabled or is_synthetic(r) or r.action is not Action.PERMIT:
                    continue
                if not (
                    _scope_any(r.in_interfaces, universe) and _scope_any(r.out_interfaces, universe)
                ):
                    continue
                s = an.set_of(i)
                if not any(space.family(v).issubset(s) for v in (4, 6)):
                    continue
                yield rule_finding(
                    self.meta,
                    dev,
                    flt,
                    r,
                    Text(
                        ja=f"{dev.name} の {filter_label(flt)} のルール {label(r)} は送信元・宛先・サービスがすべて any の許可です。",
                        en=f"{dev.name} {filter_label(flt)} rule {label(r)} permits any source, any destination and any service.",
                    ),
                    evidence=(evidence(dev, r.span, "any/any permit"),),
                )


# -- RUL-004 ------------------------------------------------------------------------------------


class CrossZoneNoLog:
    """RUL-004: a permit on a zone boundary that does not log.

    A rule is on a boundary when it belongs to the device's zone policy and its in and out
    interfaces lie in different zones, or to an ACL bound on an interface whose device
    forwards to another zone (same VRF); and it permits some connection-opening packet whose
    source and destination lie in different zones of the policy. Rules that admit only
    established TCP (return traffic) are not reported. Platforms whose parser does not read a
    rule's logging option (NEC IX, AlaxalA) are ``not_applicable``.
    """

    meta = CheckMeta(
        id="RUL-004",
        family="hygiene",
        title=Text(
            ja="ログを取得しないゾーン間の許可ルール", en="Cross-zone permit without logging"
        ),
        severity=Severity.LOW,
        basis=(BASIS_LOGGING,),
        summary_ja="ゾーンの境界で通信を許可するルールが、ログを取得する設定になっていることを確認します。",
        fix=Text(
            ja="許可ルールにログ取得を設定してください（IOS: log、FortiGate: set logtraffic all、PAN-OS: log-end yes など）。",
            en="Enable logging on the permit rule (IOS: log, FortiGate: set logtraffic all, PAN-OS: log-end yes, ...).",
        ),
        platforms=tuple(sorted(LOG_PLATFORMS)),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Every non-logging boundary permit, once per config line."""
        a = ctx.analysis
        sh = _shared(a)
        for dev in a.devices.values():
            df = facts(a, dev)
            if not df.effective:
                continue
            if dev.platform not in LOG_PLATFORMS:
                yield not_applicable(
                    self.meta,
                    dev,
                    Text(
                        ja=f"{dev.platform} のパーサはルールのログ設定を読み取らないため判定できません。",
                        en=f"the {dev.platform} parser does not read a rule's logging option.",
                    ),
                )
                continue
            seen: set[tuple[str, int, str]] = set()
            for flt in df.effective:
                an = analyzer(a, df, flt)
                for i, r in enumerate(flt.rules):
                    if not r.enabled or r.log or is_synthetic(r) or r.action is not Action.PERMIT:
                        continue
                    key = (r.span.file, r.span.line, r.span.path)
                    if key in seen or not rule_boundary(df, flt, r):
                        continue
                    crossing = an.set_of(i) & sh.initial & sh.cross
                    w = crossing.witness()
                    if w is None:
                        continue
                    seen.add(key)
                    yield rule_finding(
                        self.meta,
                        dev,
                        flt,
                        r,
                        Text(
                            ja=f"{dev.name} の {filter_label(flt)} のルール {label(r)} はゾーン間の通信を許可しますが、ログを取得しません。例: {w}",
                            en=f"{dev.name} {filter_label(flt)} rule {label(r)} permits traffic between zones without logging. Example: {w}",
                        ),
                        evidence=(evidence(dev, r.span, "permit without log"),),
                        policy_ref=policy_ref(a.policy, "zones", id="zones"),
                    )


# -- RUL-005 ------------------------------------------------------------------------------------


class DisabledCrossZone:
    """RUL-005: a disabled permit that would open a cross-zone path if enabled.

    The filter is evaluated with the rule enabled in its place and compared with today's
    result, restricted to connection-opening packets between different zones (and, for a zone
    policy, to the interface pairs of different zones the rule applies to). A disabled rule
    left in the rule base is one click from opening that path: informational, so that it is
    deleted or its purpose recorded.
    """

    meta = CheckMeta(
        id="RUL-005",
        family="hygiene",
        title=Text(
            ja="有効化するとゾーン間の通信を開く無効化ルール",
            en="Disabled rule that would open a cross-zone path",
        ),
        severity=Severity.INFO,
        basis=(BASIS_CHANGE,),
        summary_ja="無効化されたまま残っている許可ルールのうち、有効にするとゾーン間の新たな通信を許可するものを検出します。",
        fix=Text(
            ja="不要になった無効化ルールは削除してください。残す場合は理由と期限を記録してください。",
            en="Delete disabled rules no longer needed; if kept, record why and until when.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Every disabled permit whose enabling would let new packets between zones."""
        a = ctx.analysis
        sh = _shared(a)
        within = sh.initial & sh.cross
        for dev, df, flt in filters_in_effect(a):
            is_policy = dev.policy is flt
            an = analyzer(a, df, flt)
            for i, r in enumerate(flt.rules):
                if r.enabled or r.action is not Action.PERMIT:
                    continue
                if not rule_boundary(df, flt, r):
                    continue
                scope_ok = _scope_boundary(df) if is_policy else None
                en = an.enabling(i, within, scope_ok)
                if en is None:
                    continue
                pairs, example = _opened_pairs(a, df, en.opened, en.scopes, is_policy)
                w = example.witness()
                shown = ", ".join(f"{zf}→{zt}" for zf, zt in pairs[:8])
                more = " …" if len(pairs) > 8 else ""
                yield rule_finding(
                    self.meta,
                    dev,
                    flt,
                    r,
                    Text(
                        ja=f"{dev.name} の {filter_label(flt)} の無効化されたルール {label(r)} を有効にすると、ゾーン間の通信（{shown}{more}）が新たに許可されます。例: {w}",
                        en=f"{dev.name} {filter_label(flt)} disabled rule {label(r)} would newly permit traffic between zones ({shown}{more}) if enabled. Example: {w}",
                    ),
                    evidence=(evidence(dev, r.span, "disabled permit"),),
                    policy_ref=policy_ref(a.policy, "zones", id="zones"),
                )


def _scope_boundary(df: DeviceFacts) -> Any:
    def ok(scope: tuple[str | None, str | None]) -> bool:
        zin = scope_zones(df, None) if scope[0] is None else {df.zone_of.get(scope[0])} - {None}
        zout = scope_zones(df, None) if scope[1] is None else {df.zone_of.get(scope[1])} - {None}
        return any(x != y for x in zin for y in zout)

    return ok


def _opened_pairs(
    a: NetworkAnalysis,
    df: DeviceFacts,
    opened: PacketSet,
    scopes: Sequence[tuple[str | None, str | None]],
    is_policy: bool,
) -> tuple[list[tuple[str, str]], PacketSet]:
    """The zone pairs a disabled rule would open, and the set to draw the example from.

    For a zone policy these are the zones of the interfaces the rule applies to (an example
    packet is drawn from addresses of those zones when there are any); for an ACL, the zones
    of the opened packets' addresses.
    """
    if not is_policy:
        return _zone_pairs(a, opened), opened
    pairs: list[tuple[str, str]] = []
    example = a.space.empty

    def zones(rep: str | None) -> list[str]:
        if rep is None:
            return sorted(scope_zones(df, None))
        z = df.zone_of.get(rep)
        return [] if z is None else [z]

    for i, o in scopes:
        for zf in zones(i):
            for zt in zones(o):
                if zf == zt or (zf, zt) in pairs:
                    continue
                pairs.append((zf, zt))
                example = example | (
                    opened & a.zone_src.get(zf, a.space.empty) & a.zone_dst.get(zt, a.space.empty)
                )
    return pairs, opened if example.is_empty() else example


def _zone_pairs(a: NetworkAnalysis, s: PacketSet) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for zf in a.policy.zone_ids:
        part = s & a.zone_src.get(zf, a.space.empty)
        if part.is_empty():
            continue
        for zt in a.policy.zone_ids:
            if zt != zf and not (part & a.zone_dst.get(zt, a.space.empty)).is_empty():
                out.append((zf, zt))
    return out


# -- RUL-006 ------------------------------------------------------------------------------------


class UnusedFilter:
    """RUL-006: a filter or ACL that is defined but neither bound nor referenced.

    Used means: bound to an interface, named by a management access restriction (vty
    access-class, trusted hosts), an SNMP community, or found among the vendor facts the
    parser keeps (NAT, route-maps, zone and filter settings), or all of its lines are part of
    a filter that is bound (a Yamaha ``ip filter`` in a ``secure filter`` list). What a parser
    does not model (QoS class-maps, say) is not seen, so the finding says "not bound to an
    interface nor referenced as far as the configuration was understood" rather than
    "unused". Such a filter protects nothing, and binding it later may open paths by surprise.
    """

    meta = CheckMeta(
        id="RUL-006",
        family="hygiene",
        title=Text(
            ja="どこにも適用・参照されていないフィルタ（ACL）",
            en="Filter (ACL) neither bound nor referenced",
        ),
        severity=Severity.LOW,
        basis=(BASIS_CHANGE,),
        summary_ja="定義されているが、インタフェースにも管理アクセス・SNMP・NAT などにも適用されていないフィルタ（ACL）を検出します。",
        fix=Text(
            ja="不要なフィルタは削除してください。必要なら意図したインタフェースに適用してください。",
            en="Delete the filter if it is not needed; otherwise bind it where intended.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Every filter no binding or reference uses."""
        a = ctx.analysis
        for dev in a.devices.values():
            df = facts(a, dev)
            for flt in dev.filters:
                if flt.name in df.usage or flt.extras.get("synthetic"):
                    continue
                span = flt.span if flt.span.line else (flt.rules[0].span if flt.rules else None)
                yield finding(
                    self.meta,
                    Text(
                        ja=f"{dev.name} のフィルタ {flt.name} はどのインタフェースにも適用されておらず、管理アクセス・SNMP・NAT などからの参照も見つかりません（解釈できた設定の範囲で）。",
                        en=f"{dev.name} filter {flt.name} is not bound to any interface, and no reference from management access, SNMP, NAT or other settings was found (as far as the config was understood).",
                    ),
                    key=(dev.name, flt.kind.value, flt.name),
                    device=dev.name,
                    evidence=(evidence(dev, span, "unbound filter"),) if span else (),
                )


# -- RUL-007 / RUL-008 ----------------------------------------------------------------------


def objects_of(dev: DeviceConfig) -> Sequence[Mapping[str, Any]] | None:
    """The parser's object table (``extras["objects"]``), or ``None`` when not reported."""
    raw = dev.extras.get("objects")
    if not isinstance(raw, (tuple, list)):
        return [] if dev.platform in OBJECT_PLATFORMS else None
    return [o for o in raw if isinstance(o, Mapping)]


def _span_at(dev: DeviceConfig, line: int, text: str = "") -> SourceSpan:
    return SourceSpan(file=dev.source, line=line, text=text)


class UnusedObject:
    """RUL-007: an address or service object (or group) defined but never referenced.

    Read from the object table parsers keep in ``DeviceConfig.extras["objects"]``: IOS /
    NX-OS object-groups; ASA objects and object-groups (object NAT counts as a reference);
    FortiGate addresses, address groups, services and service groups (factory defaults
    excluded); PAN-OS addresses, services and their groups; Junos address-book entries,
    applications and application sets. A member of a group counts as referenced. Yamaha RTX
    has no named objects. Other platforms' parsers keep no object table yet:
    ``not_applicable``.
    """

    meta = CheckMeta(
        id="RUL-007",
        family="hygiene",
        title=Text(
            ja="参照されていないアドレス・サービスオブジェクト",
            en="Address or service object never referenced",
        ),
        severity=Severity.LOW,
        basis=(BASIS_CHANGE,),
        summary_ja="定義されているがどのルール・グループからも参照されていないアドレス／サービスオブジェクトを検出します。",
        fix=Text(
            ja="不要なオブジェクトを削除し、定義を最新に保ってください。",
            en="Delete objects that are no longer used.",
        ),
        platforms=tuple(sorted(OBJECT_PLATFORMS)),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Every object the table marks as not referenced."""
        for dev in ctx.analysis.devices.values():
            objs = objects_of(dev)
            if objs is None:
                if dev.filters or dev.policy is not None:
                    yield not_applicable(
                        self.meta,
                        dev,
                        Text(
                            ja=f"{dev.platform} のパーサはオブジェクト定義の一覧を提供しないため判定できません。",
                            en=f"the {dev.platform} parser does not report its object definitions.",
                        ),
                    )
                continue
            for o in objs:
                if o.get("referenced", True) or o.get("default"):
                    continue
                name, kind, line = str(o.get("name")), str(o.get("kind", "")), int(o.get("line", 0))
                text = str(o.get("text", ""))
                yield finding(
                    self.meta,
                    Text(
                        ja=f"{dev.name} の {kind} {name} はどこからも参照されていません。",
                        en=f"{dev.name} {kind} {name} is never referenced.",
                    ),
                    key=(dev.name, kind, name),
                    device=dev.name,
                    evidence=(evidence(dev, _span_at(dev, line, text), "unused object"),)
                    if line and text
                    else (),
                )


class UndefinedObject:
    """RUL-008: a reference to an object (address, service, group, ACL, zone) not defined.

    Read from ``DeviceConfig.extras["undefined_objects"]`` when the parser keeps it, else from
    the parser's warnings about undefined names (every parser warns about them, each in its
    own words: "undefined", "is not defined"). A rule that depends on an undefined name
    matches less (or more) than its author meant; the audit of paths through it is already
    ``unknown``.
    """

    meta = CheckMeta(
        id="RUL-008",
        family="hygiene",
        title=Text(ja="未定義のオブジェクトへの参照", en="Reference to an undefined object"),
        severity=Severity.LOW,
        basis=(BASIS_CHANGE,),
        summary_ja="定義されていないアドレス・サービス・グループ・ACL などを参照している設定行を検出します。",
        fix=Text(
            ja="参照先のオブジェクトを定義するか、参照を削除してください。",
            en="Define the object, or remove the reference.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Every undefined reference, once per line and name."""
        for dev in ctx.analysis.devices.values():
            raw = dev.extras.get("undefined_objects")
            items: list[tuple[str, str, SourceSpan]] = []
            if isinstance(raw, (tuple, list)):
                for o in raw:
                    if isinstance(o, Mapping):
                        line = int(o.get("line", 0))
                        items.append(
                            (
                                str(o.get("name")),
                                str(o.get("kind", "object")),
                                _span_at(dev, line, str(o.get("text", ""))),
                            )
                        )
            else:
                for w in dev.warnings:
                    if _UNDEFINED_RE.search(w.message):
                        items.append((w.message, "", w.span))
            seen: set[tuple[int, str]] = set()
            for name, kind, span in items:
                if (span.line, name) in seen:
                    continue
                seen.add((span.line, name))
                what_ja = f"{kind} {name}" if kind else name
                yield finding(
                    self.meta,
                    Text(
                        ja=f"{dev.name}: 定義されていないオブジェクトを参照しています（{what_ja}）。",
                        en=f"{dev.name}: reference to an undefined object ({what_ja}).",
                    ),
                    key=(dev.name, kind, name, one_line(span.text)),
                    device=dev.name,
                    evidence=(evidence(dev, span, "undefined reference"),)
                    if span.line and span.text
                    else (),
                )


HYGIENE_CHECKS = (
    UnreachableLine,
    RedundantLine,
    AnyAnyPermit,
    CrossZoneNoLog,
    DisabledCrossZone,
    UnusedFilter,
    UnusedObject,
    UndefinedObject,
)
