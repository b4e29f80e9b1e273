"""特定通信 lifecycle: every approved exception is documented, current, alive, exact and logged.

MYN-002 and MYN-003 ask whether the traffic of the My Number segment is declared and whether the
lines carrying a declaration are narrow. The checks here look at each declaration
(``specified_communications`` entry) over its life instead:

* SC-001 — the entry is documented: basis, owner, approval reference, a review or expiry date;
* SC-003 — the entry is current: not expired, not past review, and warned 30 days ahead;
* SC-004 — the entry is alive: some path in the network carries its traffic (else it is stale);
* SC-005 — the entry is exact: its hosts exchange nothing beyond it through *other* lines;
* SC-006 — the entry is logged: some rule that carries it records it.

DOMAIN.md §11 gives SC-002 to the screen-transfer objects (clipboard, printer, drive
redirection), so these checks skip that number.

Where the network carries an entry's traffic is asked in one place, :func:`carriers`: today
the per-device crossings of the entry's zone pair; the end-to-end paths of
``NetworkAnalysis`` can replace them there without touching the checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from checks._common import finding, one_line, policy_ref
from checks._flows import (
    MAX_FINDINGS_PER_CROSSING,
    _route_evidence,
    allowed_set,
    entry_set,
    evidence_of,
    merge,
    violation_findings,
)
from checks.base import CheckContext, CheckMeta
from netaudit.flow import Packet, PacketSet
from netaudit.model import Rule
from netaudit.policy import Policy, SpecifiedCommunication
from netaudit.reach import Crossing, NetworkAnalysis
from netaudit.result import Finding, PolicyRef, Severity, Text

BASIS_SPECIFIED = "特定通信（国が認めた通信）に限る [DOMAIN S1, S14]"
BASIS_EXCEPTION = (
    "例外措置は承認・記録し、定期的に見直す（ガイドライン 例外措置）[DOMAIN §11 SC-001, G]"
)
BASIS_NARROW = "通信経路の限定（MAC/IP）とポート番号の制限 [DOMAIN §3.2, G]"
BASIS_LOGGING = "通信ログの取得・点検（ガイドライン 技術的セキュリティ）[DOMAIN §5.4, G]"
DUE_SOON_DAYS = 30
SECTION = "specified_communications"


def entry_ref(p: Policy, index: int, sc: SpecifiedCommunication, key: str = "") -> PolicyRef:
    """Where a 特定通信 entry (or one of its keys) is in the policy file."""
    path = (SECTION, index, key) if key else (SECTION, index)
    return policy_ref(p, *path, id=sc.id)


def live_entries(ctx: CheckContext) -> Iterator[tuple[int, SpecifiedCommunication]]:
    """The entries not expired on ``ctx.today`` (an expired one is SC-003's alone)."""
    for i, sc in enumerate(ctx.analysis.policy.data.specified_communications):
        if sc.expires is None or sc.expires >= ctx.today:
            yield i, sc


def carriers(
    a: NetworkAnalysis, sc: SpecifiedCommunication
) -> Iterator[tuple[Crossing, PacketSet]]:
    """Where the network carries some of ``sc``'s declared traffic, and which part of it.

    Each item is a crossing of the entry's zone pair and the declared packets it forwards
    that are delivered end to end (all it forwards when the analysis has no end-to-end
    paths). This is the one place that decides what "the network carries" means.
    """
    declared = entry_set(a, sc, sc.from_, sc.to)
    for c in pair_crossings(a, sc):
        part = c.packets & declared & a.through(c.device, c.in_interface, c.out_interface)
        if not part.is_empty():
            yield c, part


def pair_crossings(a: NetworkAnalysis, sc: SpecifiedCommunication) -> Iterator[Crossing]:
    """The crossings of an entry's zone pair."""
    for c in a.crossings:
        if (c.zone_from, c.zone_to) == (sc.from_, sc.to):
            yield c


def entry_finding(
    meta: CheckMeta,
    p: Policy,
    index: int,
    sc: SpecifiedCommunication,
    message: Text,
    *,
    key: str = "",
    severity: Severity | None = None,
    detail: tuple[str, ...] = (),
) -> Finding:
    """A finding about a 特定通信 entry itself (device ``""``), keyed by its id and ``detail``."""
    return finding(
        meta,
        message,
        key=("policy", sc.id, *detail),
        severity=severity,
        zone_from=sc.from_,
        zone_to=sc.to,
        policy_ref=entry_ref(p, index, sc, key),
    )


class SpecifiedDocumented:
    """SC-001: every 特定通信 entry records its basis, owner, approval and review date.

    An exception to the separation is only as good as its paperwork: the policy entry must
    name the ``basis`` (which national system or guideline item allows it), the ``owner``
    (課・担当), the ``approval_ref`` (決裁番号 or CISO approval record) and a ``review_by`` or
    ``expires`` date, so the next audit knows whom to ask and when to ask again. Each entry
    with something missing is one finding that lists what is missing.
    """

    meta = CheckMeta(
        id="SC-001",
        family="specified",
        title=Text(
            ja="特定通信の根拠・担当・承認・見直し期限が記録されていない",
            en="Specified communication without basis, owner, approval or review date",
        ),
        severity=Severity.MEDIUM,
        basis=(BASIS_SPECIFIED, BASIS_EXCEPTION),
        summary_ja="ポリシーの特定通信それぞれに、根拠（basis）・担当（owner）・承認記録（approval_ref）・見直し期限（review_by または expires）が書かれていることを確認します。",
        fix=Text(
            ja="specified_communications の該当エントリに basis・owner・approval_ref・review_by（または expires）を記入してください。",
            en="Fill in basis, owner, approval_ref and review_by (or expires) on the entry.",
        ),
        platforms=("policy",),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """One finding per entry with missing records."""
        p = ctx.analysis.policy
        for i, sc in enumerate(p.data.specified_communications):
            missing = [
                key
                for key, value in (
                    ("basis", sc.basis),
                    ("owner", sc.owner),
                    ("approval_ref", sc.approval_ref),
                )
                if not value.strip()
            ]
            if sc.review_by is None and sc.expires is None:
                missing.append("review_by/expires")
            if not missing:
                continue
            listed = ", ".join(missing)
            yield entry_finding(
                self.meta,
                p,
                i,
                sc,
                Text(
                    ja=f"特定通信 {sc.id} に記録がありません: {listed}。",
                    en=f"Specified communication {sc.id} lacks: {listed}.",
                ),
                detail=tuple(missing),
            )


class SpecifiedCurrent:
    """SC-003: no 特定通信 entry is past its expiry or review date; due ones are warned.

    An entry whose ``expires`` date has passed (on the audit date) is no longer approved: its
    traffic is then also reported by MYN-002 as undeclared. An entry whose ``review_by`` date
    has passed has not been re-approved. Both fail at this check's severity. An entry that
    expires or is due for review within 30 days is reported at low severity, so the owner can
    renew it before it lapses.
    """

    meta = CheckMeta(
        id="SC-003",
        family="specified",
        title=Text(
            ja="特定通信の有効期限・見直し期限切れ（30日以内の期限を含む）",
            en="Specified communication expired, overdue for review, or due soon",
        ),
        severity=Severity.MEDIUM,
        basis=(BASIS_EXCEPTION,),
        summary_ja="特定通信の有効期限（expires）や見直し期限（review_by）が過ぎていないことを確認し、30日以内に期限が来るものは低い重要度で知らせます。",
        fix=Text(
            ja="承認を取り直して期限を更新するか、不要になった特定通信をポリシーと機器設定から削除してください。",
            en="Renew the approval and move the date, or remove the exception from the policy and the devices.",
        ),
        platforms=("policy",),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Expired / overdue entries (fail) and entries due within 30 days (low)."""
        p = ctx.analysis.policy
        soon = ctx.today + dt.timedelta(days=DUE_SOON_DAYS)
        for i, sc in enumerate(p.data.specified_communications):
            for key, date, past_ja, past_en, soon_ja, soon_en in (
                (
                    "expires",
                    sc.expires,
                    "有効期限が切れています",
                    "expired",
                    "有効期限が近づいています",
                    "expires",
                ),
                (
                    "review_by",
                    sc.review_by,
                    "見直し期限を過ぎています",
                    "was due for review",
                    "見直し期限が近づいています",
                    "is due for review",
                ),
            ):
                if date is None or date > soon:
                    continue
                day = date.isoformat()
                if date < ctx.today:
                    message = Text(
                        ja=f"特定通信 {sc.id} の{past_ja}（{day}）。",
                        en=f"Specified communication {sc.id} {past_en} on {day}.",
                    )
                    yield entry_finding(self.meta, p, i, sc, message, key=key, detail=(key, "past"))
                else:
                    message = Text(
                        ja=f"特定通信 {sc.id} の{soon_ja}（{day}、{DUE_SOON_DAYS}日以内）。",
                        en=f"Specified communication {sc.id} {soon_en} on {day} (within {DUE_SOON_DAYS} days).",
                    )
                    yield entry_finding(
                        self.meta,
                        p,
                        i,
                        sc,
                        message,
                        key=key,
                        severity=Severity.LOW,
                        detail=(key, "soon"),
                    )


class SpecifiedStale:
    """SC-004: every 特定通信 entry is carried by some path in the network (else it is stale).

    An entry whose declared traffic (its sources, destinations and services between its two
    zones) no device forwards is either dead — the national system moved, the terminal was
    retired — or implemented somewhere the audit does not see. Either way the declaration
    should be removed or the snapshot completed: a stale exception is a standing invitation to
    re-open the path without a new approval. Expired entries are SC-003's.
    """

    meta = CheckMeta(
        id="SC-004",
        family="specified",
        title=Text(
            ja="どの経路でも実装されていない特定通信（形骸化した宣言）",
            en="Specified communication that no path implements (stale declaration)",
        ),
        severity=Severity.MEDIUM,
        basis=(BASIS_SPECIFIED, BASIS_EXCEPTION),
        summary_ja="宣言された特定通信それぞれについて、その送信元・宛先・サービスの通信をネットワークのどこかが実際に転送していることを確認します。",
        fix=Text(
            ja="不要になった特定通信はポリシーから削除してください。必要なら、実装している機器の設定をスナップショットに加えてください。",
            en="Remove the entry if it is no longer needed; otherwise add the implementing device to the snapshot.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Live entries with no carrier."""
        a = ctx.analysis
        for i, sc in live_entries(ctx):
            if next(carriers(a, sc), None) is not None:
                continue
            yield entry_finding(
                self.meta,
                a.policy,
                i,
                sc,
                Text(
                    ja=f"特定通信 {sc.id}（{sc.from_} → {sc.to}）を転送する経路がネットワーク内にありません。",
                    en=f"No path in the network carries specified communication {sc.id} ({sc.from_} -> {sc.to}).",
                ),
            )


class SpecifiedExact:
    """SC-005: the hosts of a 特定通信 exchange nothing beyond it through other config lines.

    For an entry that names its sources and destinations, every packet from those sources to
    those destinations that the network forwards must be allowed by some live policy entry of
    that zone pair. The split with MYN-003: MYN-003 checks the lines that carry the declared
    traffic (are *they* wider than declared, in hosts, destinations or ports?); this check
    looks at everything else that passes between the same hosts — a separate "maintenance"
    line adding SMB or RDP between the eLTAX terminal and the LGWAN server, say — and ties it
    to the entry whose hosts it widens, with one example packet per combination of lines.
    MYN-002 reports the same packets as undeclared traffic of the segment; here the entry's
    owner sees them. Entries without sources or destinations are MYN-003's policy finding.
    """

    meta = CheckMeta(
        id="SC-005",
        family="specified",
        title=Text(
            ja="特定通信の送信元・宛先の間で宣言外の通信も通る",
            en="More than declared passes between a specified communication's hosts",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_SPECIFIED, BASIS_NARROW),
        summary_ja="特定通信で宣言した送信元ホストと宛先ホストの間で、宣言したサービス以外の通信（別の行による許可を含む）が通らないことを確認します。",
        fix=Text(
            ja="宣言外のサービスを許可している行を削除するか、必要な通信なら承認を得て特定通信として宣言してください。",
            en="Remove the lines allowing the extra services, or get them approved and declared.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Per live entry and crossing of its pair: host-pair traffic nothing allows."""
        a = ctx.analysis
        p = a.policy
        space = a.space
        sections = (SECTION, "allowed_flows")
        merged: dict[str, Finding] = {}
        for i, sc in live_entries(ctx):
            if not sc.src or not sc.dst:
                continue
            hosts = (
                space.src(p.addresses(sc.src))
                & space.dst(p.addresses(sc.dst))
                & a.zone_src[sc.from_]
                & a.zone_dst[sc.to]
            )
            allowed = allowed_set(ctx, sc.from_, sc.to, sections)
            declared = entry_set(a, sc, sc.from_, sc.to)
            for c in pair_crossings(a, sc):
                delivered = a.through(c.device, c.in_interface, c.out_interface)
                extra = (c.packets & hosts & delivered) - allowed
                w = (c.packets & declared).witness()
                if w is not None:
                    # What the lines carrying the declaration decide is MYN-003's to judge.
                    for s in a.steps(c.device, c.in_interface, c.out_interface, w):
                        if s.rule is not None:
                            extra = extra - (c.packets & space.rule(s.rule))
                if extra.is_empty():
                    continue

                def message(c: Crossing, example: str, sc: SpecifiedCommunication = sc) -> Text:
                    return Text(
                        ja=f"{c.device}（{c.in_interface} → {c.out_interface}）で、特定通信 {sc.id} の送信元と宛先の間に宣言外の通信も通ります。例: {example}",
                        en=f"{c.device} ({c.in_interface} -> {c.out_interface}) also passes undeclared traffic between the hosts of specified communication {sc.id}. Example: {example}",
                    )

                for f in violation_findings(
                    ctx, self.meta, c, extra, message=message, policy_ref=entry_ref(p, i, sc)
                ):
                    key = f"{f.fingerprint}:{f.status.value}"
                    merged[key] = merge(merged[key], f) if key in merged else f
        yield from merged.values()


class SpecifiedLogged:
    """SC-006: every packet of a 特定通信 is logged by some rule on its way.

    Each exception to the separation must leave a trace: every packet of an entry's declared
    traffic that the network carries must be permitted, on at least one device it crosses,
    by a rule with logging on (IOS ``log``, FortiGate ``logtraffic all``, Yamaha
    ``pass-log``, PAN-OS ``log-end`` ...). A boundary router that logs the eLTAX line spares
    the next router the same log. Each combination of permitting lines that carries
    unlogged packets is one finding, with those lines and one such packet. Rule hygiene (RUL
    family) looks at every cross-zone permit; this check is the 特定通信 owner's view.
    """

    meta = CheckMeta(
        id="SC-006",
        family="specified",
        title=Text(
            ja="特定通信がどの機器でもログに残らない",
            en="Specified communication not logged by any rule on its way",
        ),
        severity=Severity.LOW,
        basis=(BASIS_LOGGING, BASIS_SPECIFIED),
        summary_ja="特定通信の通信が、通過する機器のどこかでログを取るルールによって許可されていることを確認します。",
        fix=Text(
            ja="特定通信を許可するルールにログ（IOS の log、FortiGate の set logtraffic all、ヤマハの pass-log など）を設定してください。",
            en="Enable logging on the rule that permits the specified communication (IOS log, FortiGate logtraffic all, Yamaha pass-log, ...).",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Per live entry and path: unlogged packets, by device and line combination."""
        a = ctx.analysis
        p = a.policy
        merged: dict[str, Finding] = {}
        for i, sc in live_entries(ctx):
            for hops, names in carrier_paths(a, sc):
                combos = [(c, *combo) for c, part in hops for combo in _combos(a, c, part)]
                logged = a.space.empty
                for _, region, rules in combos:
                    if any(r.log for r in rules):
                        logged = logged | region
                for c, region, rules in combos:
                    w = (region - logged).witness()
                    if w is None or not rules:
                        continue  # all logged, or a hop with nothing to log on
                    f = self._finding(a, p, i, sc, c, w, names)
                    merged[f.fingerprint] = (
                        merge(merged[f.fingerprint], f) if f.fingerprint in merged else f
                    )
        yield from merged.values()

    def _finding(
        self,
        a: NetworkAnalysis,
        p: Policy,
        index: int,
        sc: SpecifiedCommunication,
        c: Crossing,
        w: Packet,
        names: tuple[str, ...],
    ) -> Finding:
        steps = a.steps(c.device, c.in_interface, c.out_interface, w)
        evidence = evidence_of(a, c, steps, _route_evidence(a, c, w.dst))
        return finding(
            self.meta,
            Text(
                ja=f"{c.device}（{c.in_interface} → {c.out_interface}）で特定通信 {sc.id} を許可する行がログを取らず、経路上の他の機器でも記録されません。例: {w}",
                en=f"{c.device} ({c.in_interface} -> {c.out_interface}): no line permitting specified communication {sc.id} logs it, nor does any other device on its way. Example: {w}",
            ),
            key=(
                c.device,
                sc.id,
                *(one_line(e.text) for e in evidence if e.role != "route"),
            ),
            device=c.device,
            zone_from=c.zone_from,
            zone_to=c.zone_to,
            example_flow=w.to_json(),
            evidence=evidence,
            policy_ref=entry_ref(p, index, sc),
            path=names,
        )


def carrier_paths(
    a: NetworkAnalysis, sc: SpecifiedCommunication
) -> Iterator[tuple[list[tuple[Crossing, PacketSet]], tuple[str, ...]]]:
    """The ways ``sc``'s traffic goes: per path, its hops (as crossings) and the path's name.

    With end-to-end paths each path of the entry's zone pair is one way, its hops the
    devices it crosses; without them each crossing is a way of its own. Declared packets are
    matched as each hop receives them (a NAT on the way is not followed back here).
    """
    if a.paths is None:
        for c, part in carriers(a, sc):
            yield [(c, part)], (f"{c.device}:{c.in_interface}->{c.out_interface}",)
        return
    declared = entry_set(a, sc, sc.from_, sc.to)
    for flow in a.paths:
        if (flow.zone_from, flow.zone_to) != (sc.from_, sc.to):
            continue
        hops: list[tuple[Crossing, PacketSet]] = []
        for k, hop in enumerate(flow.hops):
            if hop.out_interface is None:
                continue
            part = flow.at_hop[k] & declared
            if not part.is_empty():
                c = Crossing(hop.device, hop.in_interface, hop.out_interface, sc.from_, sc.to, part)
                hops.append((c, part))
        if hops:
            yield hops, flow.names()


def _combos(
    a: NetworkAnalysis, c: Crossing, part: PacketSet
) -> Iterator[tuple[PacketSet, list[Rule]]]:
    """``part`` split by the combination of rules that permit it on the crossing's device."""
    remaining = part
    for _ in range(MAX_FINDINGS_PER_CROSSING):
        w = remaining.witness()
        if w is None:
            return
        rules = [
            s.rule
            for s in a.steps(c.device, c.in_interface, c.out_interface, w)
            if s.rule is not None
        ]
        region = remaining
        for r in rules:
            region = region & a.space.rule(r)
        region = region | a.space.packet(w)
        remaining = remaining - region
        yield region & part, rules
