"""特定通信 checks: the My Number segment talks to others only as declared, and narrowly."""

from __future__ import annotations

from collections.abc import Iterator

from checks._common import finding
from checks._flows import ZonePairCheck, entry_set, evidence_of, pair_myn_other
from checks.base import CheckContext, CheckMeta
from checks.lifecycle import entry_finding, entry_ref
from netaudit.policy import Policy, SpecifiedCommunication
from netaudit.reach import Crossing
from netaudit.result import Finding, Severity, Text

BASIS_SPECIFIED = "特定通信（国が認めた通信）に限る [DOMAIN S1, S14]"
BASIS_NARROW = "通信経路の限定（MAC/IP）とポート番号の制限 [DOMAIN §3.2, G]"


class UndeclaredMynumberFlow(ZonePairCheck):
    """MYN-002: every crossing between マイナンバー利用事務系 and another zone is declared.

    Crossings between a ``mynumber`` zone and LGWAN接続系, LGWAN, management or any other
    non-Internet zone must be covered by a ``specified_communications`` entry (or an allowed
    flow, e.g. management access) for that direction. The Internet side is MYN-001's.
    """

    meta = CheckMeta(
        id="MYN-002",
        family="specified",
        title=Text(
            ja="マイナンバー利用事務系と他ゾーンの間に特定通信として宣言されていない通信",
            en="Undeclared traffic between the My Number segment and another zone",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_SPECIFIED,),
        summary_ja="マイナンバー利用事務系と LGWAN接続系などの間を通る通信が、すべてポリシーの特定通信として宣言されていることを確認します。",
        fix=Text(
            ja="不要な許可ルールを削除するか、承認を得て specified_communications に宣言してください。",
            en="Remove the rule, or declare the approved exchange in specified_communications.",
        ),
    )

    def selects(self, policy: Policy, zone_from: str, zone_to: str) -> bool:
        """The zone pairs this check watches."""
        return pair_myn_other(policy, zone_from, zone_to)

    sections = ("specified_communications", "allowed_flows")
    reason = Text(
        ja="特定通信として宣言されていません。", en="Not a declared specified communication."
    )


class NarrowSpecified:
    """MYN-003: 特定通信 are narrow — specific hosts, specific destination, specific ports.

    Checked twice: the policy entry itself must name sources, destinations and services other
    than ``any``; and on every device path that carries a declared 特定通信, the config lines
    that decide it must together allow nothing beyond the declared sources, destinations and
    services (the difference is shown as an example packet).
    """

    meta = CheckMeta(
        id="MYN-003",
        family="specified",
        title=Text(
            ja="特定通信の許可範囲が広すぎる", en="Specified communication allowed too broadly"
        ),
        severity=Severity.HIGH,
        basis=(BASIS_NARROW,),
        summary_ja="特定通信の宣言と、それを実装する設定行の両方が、送信元・宛先・ポートを限定していることを確認します。",
        fix=Text(
            ja="送信元ホスト・宛先ホスト・ポートを限定したルールに書き換えてください。",
            en="Rewrite the rule with specific source hosts, destination hosts and ports.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Broad 特定通信 entries and broad rules implementing them."""
        a = ctx.analysis
        p = a.policy
        for i, sc in enumerate(p.data.specified_communications):
            gaps = [k for k, v in (("src", sc.src), ("dst", sc.dst)) if not v]
            if "any" in sc.services:
                gaps.append("services any")
            if gaps:
                yield entry_finding(
                    self.meta,
                    p,
                    i,
                    sc,
                    Text(
                        ja=f"特定通信 {sc.id} の宣言が限定されていません（{', '.join(gaps)}）。",
                        en=f"Specified communication {sc.id} is not narrow ({', '.join(gaps)}).",
                    ),
                    detail=tuple(gaps),
                )
        for c in a.crossings:
            for i, sc in enumerate(p.data.specified_communications):
                if (sc.from_, sc.to) != (c.zone_from, c.zone_to):
                    continue
                yield from self._path(ctx, c, i, sc)

    def _path(
        self, ctx: CheckContext, c: Crossing, index: int, sc: SpecifiedCommunication
    ) -> Iterator[Finding]:
        """Is the combination of lines that carries ``sc`` on this path wider than declared?

        The packets decided by the same lines as the declared traffic are compared with the
        declaration dimension by dimension, so an outbound ``permit ip any any`` behind a
        host-to-host inbound rule is not "too broad": together they are narrow.
        """
        a = ctx.analysis
        p = a.policy
        declared = entry_set(a, sc, c.zone_from, c.zone_to)
        w = (c.packets & declared).witness()
        if w is None:
            return
        steps = a.steps(c.device, c.in_interface, c.out_interface, w)
        rules = [s.rule for s in steps if s.rule is not None]
        region = c.packets
        for r in rules:
            region = region & a.space.rule(r)
        space = a.space
        dims = {
            "src": region - space.src(p.addresses(sc.src)) if sc.src else space.empty,
            "dst": region - space.dst(p.addresses(sc.dst)) if sc.dst else space.empty,
            "service": region - space.services(p.services(sc.services)),
        }
        wider = [name for name, extra in dims.items() if not extra.is_empty()]
        if not wider:
            return
        example = (region - declared).witness()
        ev = evidence_of(a, c, steps, None)
        yield finding(
            self.meta,
            Text(
                ja=f"{c.device} で特定通信 {sc.id} を通す設定行が宣言より広い範囲を許可しています（{'・'.join(wider)}）。宣言外の例: {example}",
                en=f"{c.device}: the lines carrying specified communication {sc.id} allow more than declared ({', '.join(wider)}). Undeclared example: {example}",
            ),
            key=(c.device, sc.id, *(e.text for e in ev)),
            device=c.device,
            zone_from=c.zone_from,
            zone_to=c.zone_to,
            example_flow=example.to_json() if example else None,
            evidence=ev,
            policy_ref=entry_ref(p, index, sc),
            path=(f"{c.device}:{c.in_interface}->{c.out_interface}",),
        )
