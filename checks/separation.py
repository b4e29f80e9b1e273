"""Separation checks decided by one device's interfaces, routes and filters (DOMAIN.md §11)."""

from __future__ import annotations

from collections.abc import Iterator

from checks._common import finding, policy_ref, span_evidence
from checks._flows import (
    ZonePairCheck,
    crossing_message,
    pair_findings,
    pair_inbound,
    pair_internet_lgwan,
    pair_lgwan_internet,
    pair_lgwan_internet_wan,
    pair_myn_internet,
    pair_unclaimed,
)
from checks.base import CheckContext, CheckMeta
from netaudit.policy import Policy
from netaudit.result import Finding, Severity, Text

BASIS_SEPARATION = "総務省「地方公共団体における情報セキュリティポリシーに関するガイドライン」三層の対策 [DOMAIN S4, S5]"
BASIS_MYNUMBER = "マイナンバー利用事務系とインターネットの完全遮断 [DOMAIN S1, S5]"
BASIS_SANITIZE = "LGWAN接続系への取り込みは無害化通信に限る [DOMAIN S4, S5]"
BASIS_SCREEN = "画面転送・仮想ブラウザ方式 [DOMAIN S5, S9]"
BASIS_ALPHA_PRIME = "α′モデル ローカルブレイクアウトは宛先限定 [DOMAIN S11]"
BASIS_INBOUND = "インターネットからの着信は公開サーバ等に限る [DOMAIN S19]"


class ZoneMapping:
    """SEP-001: every layer-3 interface and VLAN belongs to exactly one declared zone.

    An interface whose subnet lies in no zone network, or whose subnets and VLAN point at
    different zones, cannot be audited: traffic through it is invisible to every other check.
    The inventory may assign such interfaces explicitly (later issues); the policy's networks
    and VLANs are the source of truth here.
    """

    meta = CheckMeta(
        id="SEP-001",
        family="separation",
        title=Text(
            ja="インタフェースがどのゾーンにも属していない、または複数のゾーンに属している",
            en="Interface in no zone or in several zones",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_SEPARATION,),
        summary_ja="全機器の全インタフェース（サブネット・VLAN）が、ポリシーで宣言されたゾーンのちょうど一つに属することを確認します。",
        fix=Text(
            ja="ポリシーの zones にそのサブネット／VLAN を追加するか、インタフェースの設定を正してください。",
            en="Add the subnet/VLAN to the right zone in the policy, or correct the interface.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Report interfaces mapped to no zone or several."""
        for iz in ctx.analysis.interface_zones:
            itf = iz.interface
            if not itf.enabled or len(iz.zones) == 1:
                continue
            several = len(iz.zones) > 1
            yield finding(
                self.meta,
                Text(
                    ja=f"{iz.device} の {itf.name} は{'複数のゾーン（' + '、'.join(iz.zones) + '）に属しています' if several else 'どのゾーンにも属していません'}（{iz.reason}）。",
                    en=f"{iz.device} {itf.name} is {'in several zones (' + ', '.join(iz.zones) + ')' if several else 'in no zone'} ({iz.reason}).",
                ),
                key=(iz.device, itf.name, iz.reason),
                device=iz.device,
                zone_from=", ".join(iz.zones),
                evidence=(span_evidence(iz.device, itf.span, "interface"),),
                policy_ref=policy_ref(ctx.analysis.policy, "zones", id="zones"),
            )


class MynumberInternet(ZonePairCheck):
    """MYN-001: nothing passes between マイナンバー利用事務系 and the Internet side, either way.

    Any packet a device forwards between a ``mynumber`` zone and ``internet``, ``internet_wan``
    or ``sec_cloud`` is a finding, whatever the policy's allowed flows say: the guideline
    requires complete separation (完全遮断), and 特定通信 travel via LGWAN, never the Internet.
    """

    meta = CheckMeta(
        id="MYN-001",
        family="separation",
        title=Text(
            ja="マイナンバー利用事務系とインターネット接続系の間で通信が可能",
            en="Traffic possible between the My Number segment and the Internet side",
        ),
        severity=Severity.CRITICAL,
        basis=(BASIS_MYNUMBER,),
        summary_ja="マイナンバー利用事務系とインターネット接続系・インターネットの間を、どちらの向きにも通信が通らないことを確認します。",
        fix=Text(
            ja="該当する許可ルールを削除し、境界にフィルタを設けてください（SVI 間のルーティングも含む）。",
            en="Remove the permitting rule and filter the boundary (including routing between SVIs).",
        ),
    )

    def selects(self, policy: Policy, zone_from: str, zone_to: str) -> bool:
        """The zone pairs this check watches."""
        return pair_myn_internet(policy, zone_from, zone_to)

    sections = ()
    reason = Text(ja="完全遮断が必要です。", en="Complete separation is required.")


class LgwanToInternet:
    """LGW-001: LGWAN接続系 reaches the Internet directly only through declared α′ breakouts.

    Crossings from ``lgwan`` to ``internet_wan`` or ``sec_cloud`` must be covered by an
    ``lbo_services`` entry (α′ model only) or an explicit allowed flow.
    """

    meta = CheckMeta(
        id="LGW-001",
        family="separation",
        title=Text(
            ja="LGWAN接続系からインターネットへ直接通信が可能",
            en="LGWAN segment reaches the Internet directly",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_SEPARATION, BASIS_ALPHA_PRIME),
        summary_ja="LGWAN接続系からインターネットへの直接の通信が、α′モデルで宣言したローカルブレイクアウト先以外にないことを確認します。",
        fix=Text(
            ja="許可ルールを削除するか、α′モデルの lbo_services として宛先を限定して宣言してください。",
            en="Remove the rule, or declare the destination as an α′ lbo_services entry.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """lgwan → internet_wan/sec_cloud minus declared breakouts and flows.

        A breakout declared only by FQDN cannot be matched against the addresses in configs:
        the traffic it could cover (its services, to the Internet) is reported ``unknown``;
        everything else stays a failure.
        """
        a = ctx.analysis
        policy = a.policy
        alpha_prime = policy.data.model == "alpha_prime"
        sections = ("allowed_flows", "lbo_services") if alpha_prime else ("allowed_flows",)
        fqdn_only = [e for e in policy.data.lbo_services if e.fqdn and not e.dst]
        could = a.space.empty
        if alpha_prime:
            for e in fqdn_only:
                could = could | a.space.services(policy.services(e.services))
            could = could & a.zone_dst.get("internet_wan", a.space.empty)
        yield from pair_findings(
            ctx,
            self.meta,
            pair_lgwan_internet_wan,
            sections,
            crossing_message(
                "宣言されたブレイクアウト先ではありません。", "Not a declared breakout."
            ),
            uncertain=(lambda c: could) if fqdn_only and alpha_prime else None,
        )


class InternetToLgwan(ZonePairCheck):
    """LGW-002: the Internet segment reaches LGWAN接続系 only through declared gateways.

    Crossings from ``internet`` (and the Internet) into ``lgwan`` must be covered by an allowed
    flow — the mail text-ization relay, the file sanitiser, the screen-transfer hosts.
    """

    meta = CheckMeta(
        id="LGW-002",
        family="separation",
        title=Text(
            ja="インターネット接続系から LGWAN接続系へ無害化を経ない通信が可能",
            en="Internet side reaches the LGWAN segment without sanitisation",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_SANITIZE,),
        summary_ja="インターネット接続系から LGWAN接続系への通信が、宣言された無害化・画面転送の中継にだけ向いていることを確認します。",
        fix=Text(
            ja="許可ルールを無害化装置・メール中継など宣言済みの宛先とポートに限定してください。",
            en="Restrict the rule to the declared sanitiser/relay hosts and ports.",
        ),
    )

    def selects(self, policy: Policy, zone_from: str, zone_to: str) -> bool:
        """The zone pairs this check watches."""
        return pair_internet_lgwan(policy, zone_from, zone_to)

    reason = Text(ja="宣言された無害化経路ではありません。", en="Not a declared sanitised path.")


class LgwanToInternetSegment(ZonePairCheck):
    """LGW-003: LGWAN接続系 reaches the Internet segment only for screen transfer.

    Crossings from ``lgwan`` to ``internet`` must be covered by an allowed flow (the virtual
    browser or screen-transfer hosts and their display ports).
    """

    meta = CheckMeta(
        id="LGW-003",
        family="separation",
        title=Text(
            ja="LGWAN接続系からインターネット接続系へ画面転送以外の通信が可能",
            en="LGWAN segment reaches the Internet segment beyond screen transfer",
        ),
        severity=Severity.MEDIUM,
        basis=(BASIS_SCREEN,),
        summary_ja="LGWAN接続系からインターネット接続系への通信が、画面転送・仮想ブラウザの宛先とポートに限られていることを確認します。",
        fix=Text(
            ja="許可ルールを画面転送サーバと表示プロトコルのポートに限定してください。",
            en="Restrict the rule to the screen-transfer hosts and display-protocol ports.",
        ),
    )

    def selects(self, policy: Policy, zone_from: str, zone_to: str) -> bool:
        """The zone pairs this check watches."""
        return pair_lgwan_internet(policy, zone_from, zone_to)

    reason = Text(ja="宣言された画面転送ではありません。", en="Not a declared screen transfer.")


class InboundInternet(ZonePairCheck):
    """INT-002: nothing enters the city from the Internet except to declared public servers.

    Crossings from ``internet_wan`` into any internal zone must be covered by an allowed flow
    (a DMZ web server, the security cloud's relay).
    """

    meta = CheckMeta(
        id="INT-002",
        family="separation",
        title=Text(
            ja="インターネットから内部への着信が可能",
            en="Inbound traffic from the Internet to an internal zone",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_INBOUND,),
        summary_ja="インターネットから庁内のゾーンへの着信が、宣言された公開サーバ等に限られていることを確認します。",
        fix=Text(
            ja="着信を許可するルール（NAT/VIP を含む）を削除するか、公開サーバとして allowed_flows に宣言してください。",
            en="Remove the inbound rule (including NAT/VIP), or declare the public server in allowed_flows.",
        ),
    )

    def selects(self, policy: Policy, zone_from: str, zone_to: str) -> bool:
        """The zone pairs this check watches."""
        return pair_inbound(policy, zone_from, zone_to)

    reason = Text(ja="宣言された公開サービスではありません。", en="Not a declared public service.")


class UndeclaredCrossing(ZonePairCheck):
    """POL-001: every other crossing between zones is declared in the policy.

    The policy's ``default_action`` is deny: a crossing between two zones that no specific
    check watches (the management network to a segment, the LGWAN to the Internet segment's
    servers, between user-defined zones, ...) must still be covered by an allowed flow or a
    特定通信. Together with the specific checks, every crossing the policy does not allow is
    reported exactly once.
    """

    meta = CheckMeta(
        id="POL-001",
        family="separation",
        title=Text(
            ja="ポリシーで宣言されていないゾーン間通信",
            en="Crossing between zones not declared in the policy",
        ),
        severity=Severity.MEDIUM,
        basis=(BASIS_SEPARATION,),
        summary_ja="個別のチェックが扱わないゾーンの組についても、ゾーン間を通る通信がすべてポリシーで許可されていることを確認します（既定は拒否）。",
        fix=Text(
            ja="不要な許可ルールを削除するか、必要な通信を allowed_flows に宣言してください。",
            en="Remove the rule, or declare the needed flow in allowed_flows.",
        ),
    )

    def selects(self, policy: Policy, zone_from: str, zone_to: str) -> bool:
        """The zone pairs this check watches."""
        return pair_unclaimed(policy, zone_from, zone_to)

    sections = ("allowed_flows", "specified_communications", "lbo_services")
    reason = Text(ja="ポリシーで許可されていません。", en="Not allowed by the policy.")
