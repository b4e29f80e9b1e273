"""Model-specific checks: what the policy's ``model`` (α′, β/β′) and its gateways promise.

Each check applies to the models it names and reports ``not_applicable`` (once, with the
reason) for the others. They are stricter than the generic separation checks of the same zone
pairs: there an ``allowed_flows`` entry excuses traffic; here only what the model itself
allows does — the declared breakout destinations (α′) or the declared gateways (β/β′, remote
access).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from checks._common import finding, policy_ref
from checks._flows import crossing_message, flow_findings
from checks.base import CheckContext, CheckMeta
from netaudit.flow import PacketSet
from netaudit.policy import Policy
from netaudit.result import Finding, PolicyRef, Severity, Status, Text

BASIS_ALPHA_PRIME = "α′モデル ローカルブレイクアウトは宛先・テナントを厳格に限定 [DOMAIN S11, S12]"
BASIS_BETA = "β/β′モデル LGWAN接続系の業務システムは画面転送で利用 [DOMAIN S1, S10]"
BASIS_SANITIZE = "LGWAN接続系への取り込みは無害化通信に限る [DOMAIN S4, S5]"
BASIS_REMOTE = "リモートアクセスはセキュリティクラウド回線・宣言した装置経由 [DOMAIN S26, I]"

# Remote-access protocols (IANA assignments): interactive shells and desktops, VPN tunnels.
REMOTE_ACCESS_SERVICES = (
    "tcp/22",  # SSH
    "tcp/23",  # Telnet
    "tcp/3389",  # RDP
    "udp/3389",
    "tcp/5900-5901",  # VNC
    "tcp/1494",  # Citrix ICA
    "tcp/2598",
    "udp/500",  # IKE
    "udp/4500",  # IPsec NAT traversal
    "proto/50",  # ESP
    "proto/51",  # AH
    "udp/1701",  # L2TP
    "tcp/1723",  # PPTP
    "proto/47",  # GRE
    "udp/1194",  # OpenVPN
    "udp/51820",  # WireGuard
)


def not_applicable(meta: CheckMeta, p: Policy, wanted: str) -> Finding:
    """The one finding of a model-specific check under another model."""
    return finding(
        meta,
        Text(
            ja=f"ポリシーのモデルが {p.data.model} のため対象外です（{wanted} のみ）。",
            en=f"Not applicable: the policy's model is {p.data.model} (this check is for {wanted}).",
        ),
        key=("model", p.data.model),
        status=Status.NOT_APPLICABLE,
        severity=Severity.INFO,
        policy_ref=policy_ref(p, "model", id="model"),
    )


def gateway_set(ctx: CheckContext, roles: tuple[str, ...]) -> PacketSet:
    """Packets to the declared gateways of ``roles``, on the services each accepts."""
    a = ctx.analysis
    p = a.policy
    out = a.space.empty
    for gw in p.data.gateways:
        if gw.role in roles:
            out = out | (
                a.space.dst(p.addresses(gw.hosts)) & a.space.services(p.services(gw.services))
            )
    return out


def gateway_ref(p: Policy, roles: tuple[str, ...]) -> PolicyRef:
    """The policy line that declares the gateways (or the model, when there are none)."""
    for i, gw in enumerate(p.data.gateways):
        if gw.role in roles:
            return policy_ref(p, "gateways", i, id=gw.id)
    return policy_ref(p, "model", id=f"model: {p.data.model}")


def outside_findings(
    ctx: CheckContext,
    meta: CheckMeta,
    select: Callable[[Policy, str, str], bool],
    allowed: PacketSet,
    policy_ref: PolicyRef,
    reason: Text,
    within: PacketSet | None = None,
) -> Iterator[Finding]:
    """Findings for the packets of the selected crossings outside ``allowed``.

    ``within`` limits what is looked at (remote-access services only, say). Findings of
    one device with the same deciding lines on several interface pairs are merged.
    """
    judged = allowed if within is None else allowed | ~within
    yield from flow_findings(
        ctx,
        meta,
        select,
        lambda _zf, _zt: judged,
        crossing_message(reason.ja, reason.en),
        policy_ref=policy_ref,
    )


def _lgwan_breakout(p: Policy, zf: str, zt: str) -> bool:
    return p.root(zf) == "lgwan" and p.root(zt) in ("internet_wan", "sec_cloud")


def _internet_to_lgwan(p: Policy, zf: str, zt: str) -> bool:
    return p.root(zf) == "internet" and p.root(zt) == "lgwan"


def _remote_access(p: Policy, zf: str, zt: str) -> bool:
    return p.root(zf) == "internet_wan" and not p.is_external(zt)


class BreakoutDestinations:
    """APR-001: (α′) LGWAN接続系 breaks out only to the declared cloud destinations.

    Under the α′ model, traffic from ``lgwan`` to the Internet (``internet_wan``, or the
    security cloud) must fall within an ``lbo_services`` entry's destination addresses and
    services. Unlike LGW-001, an ``allowed_flows`` entry does not excuse a breakout, and an
    entry known only by FQDN does not make every destination ``unknown``: a rule whose
    destination the parser resolved to addresses (``any`` included) outside the declared ones
    fails — a generic any-Internet permit from LGWAN is exactly what α′ forbids. A rule naming
    an FQDN object cannot be resolved from the config: the audit reports it ``unknown``
    (PARSE) and this check sees what the rest of the rules allow. The policy itself is
    checked too: an ``allowed_flows`` entry from LGWAN to the Internet without destinations
    or with ``any`` service, and a breakout entry naming neither addresses nor FQDNs, declare
    the generic breakout α′ forbids (findings on the entry, device ``""``). Other models:
    not applicable.
    """

    meta = CheckMeta(
        id="APR-001",
        family="model",
        title=Text(
            ja="α′モデルのローカルブレイクアウトが宣言した宛先に限定されていない",
            en="α′ local breakout not limited to the declared destinations",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_ALPHA_PRIME,),
        summary_ja="α′モデルで、LGWAN接続系からインターネットへの通信が lbo_services に宣言したクラウドサービスの宛先とサービスに限られ、任意の宛先への許可がないことを確認します。",
        fix=Text(
            ja="LGWAN接続系からインターネットへの許可を、宣言したクラウドサービスの宛先（アドレス・FQDN オブジェクト）とポートに限定してください。",
            en="Limit the LGWAN-to-Internet rules to the declared cloud destinations (addresses or FQDN objects) and ports.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """lgwan → Internet minus the declared breakout destinations (α′ only)."""
        a = ctx.analysis
        p = a.policy
        if p.data.model != "alpha_prime":
            yield not_applicable(self.meta, p, "alpha_prime")
            return
        allowed = a.space.empty
        for e in p.data.lbo_services:
            if e.dst:
                allowed = allowed | (
                    a.space.dst(p.addresses(e.dst)) & a.space.services(p.services(e.services))
                )
        yield from self._generic_entries(p)
        ref = (
            policy_ref(p, "lbo_services", id="lbo_services")
            if p.data.lbo_services
            else policy_ref(p, "model", id="model: alpha_prime")
        )
        yield from outside_findings(
            ctx,
            self.meta,
            _lgwan_breakout,
            allowed,
            ref,
            Text(
                ja="宣言したブレイクアウト先ではありません。",
                en="Not a declared breakout destination.",
            ),
        )

    def _generic_entries(self, p: Policy) -> Iterator[Finding]:
        """Policy entries that declare a breakout to anywhere."""
        generic: list[tuple[str, int, str, str]] = []
        for i, flow in enumerate(p.data.allowed_flows):
            if _lgwan_breakout(p, flow.from_, flow.to) and (not flow.dst or "any" in flow.services):
                generic.append(("allowed_flows", i, flow.id, "dst" if not flow.dst else "any"))
        for i, lbo in enumerate(p.data.lbo_services):
            if not lbo.dst and not lbo.fqdn:
                generic.append(("lbo_services", i, lbo.id, "dst/fqdn"))
        for section, i, entry_id, what in generic:
            yield finding(
                self.meta,
                Text(
                    ja=f"{entry_id} は LGWAN接続系からインターネットへの宛先・サービスを限定していません（{what}）。",
                    en=f"{entry_id} declares a breakout from LGWAN to the Internet without limiting it ({what}).",
                ),
                key=("policy", entry_id, what),
                zone_from="lgwan",
                zone_to="internet_wan",
                policy_ref=policy_ref(p, section, i, id=entry_id),
            )


class ScreenTransferOnly:
    """BET-001: (β/β′) the Internet segment reaches LGWAN接続系 only through declared gateways.

    Under β and β′ the staff terminals sit in the Internet segment and use the systems left in
    LGWAN接続系 by screen transfer. Every packet from an ``internet`` zone into an ``lgwan``
    zone must therefore go to a declared gateway (``gateways`` with role ``screen_transfer``,
    or ``sanitizer`` for the mail/file 無害化 relays every model keeps) on the services it
    accepts. Unlike LGW-002, an ``allowed_flows`` entry does not excuse other destinations.
    Other models: not applicable.
    """

    meta = CheckMeta(
        id="BET-001",
        family="model",
        title=Text(
            ja="β/β′モデルでインターネット接続系から LGWAN接続系へ画面転送装置を経ない通信が可能",
            en="β/β′: Internet segment reaches LGWAN systems other than through screen-transfer gateways",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_BETA, BASIS_SANITIZE),
        summary_ja="β/β′モデルで、インターネット接続系から LGWAN接続系への通信が、宣言した画面転送（および無害化）ゲートウェイとそのサービスだけに向いていることを確認します。",
        fix=Text(
            ja="インターネット接続系から LGWAN接続系への許可を画面転送サーバ（VDI・仮想ブラウザ）と無害化装置に限定し、policy の gateways に宣言してください。",
            en="Limit Internet-segment-to-LGWAN rules to the screen-transfer (VDI) and sanitiser hosts, declared under gateways.",
        ),
    )

    ROLES = ("screen_transfer", "sanitizer")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """internet → lgwan minus the declared gateways (β/β′ only)."""
        p = ctx.analysis.policy
        if p.data.model not in ("beta", "beta_prime"):
            yield not_applicable(self.meta, p, "beta, beta_prime")
            return
        yield from outside_findings(
            ctx,
            self.meta,
            _internet_to_lgwan,
            gateway_set(ctx, self.ROLES),
            gateway_ref(p, self.ROLES),
            Text(
                ja="宣言された画面転送・無害化ゲートウェイではありません。",
                en="Not a declared screen-transfer or sanitiser gateway.",
            ),
        )


class RemoteAccessGateway:
    """INT-003: remote access from the Internet reaches internal zones only at declared gateways.

    Interactive and tunnel protocols (SSH, Telnet, RDP, VNC, ICA, IKE/IPsec, L2TP, PPTP, GRE,
    OpenVPN, WireGuard) from ``internet_wan`` into any internal zone must go to a ``gateways``
    entry with role ``remote_access`` (the VPN / ZTNA concentrator) on the services it
    accepts — never straight to a server or terminal, whatever ``allowed_flows`` say. Other
    inbound traffic is INT-002's (and MYN-001's, LGW-002's). SSL-VPN on 443 cannot be told
    from web publishing by ports, so HTTPS is left to INT-002 (declare an SSL-VPN portal as a
    gateway anyway, for the record). A VPN that terminates on the firewall itself is not
    forwarded traffic and is not seen here (see the MGT family).
    """

    meta = CheckMeta(
        id="INT-003",
        family="model",
        title=Text(
            ja="インターネットから宣言外の装置へリモートアクセスが可能",
            en="Remote access from the Internet other than through a declared gateway",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_REMOTE,),
        summary_ja="インターネットから庁内のゾーンへの SSH・RDP・VPN などのリモートアクセスが、宣言したリモートアクセス装置だけに向いていることを確認します。",
        fix=Text(
            ja="リモートアクセスを VPN・ZTNA 装置で終端し、内部ホストへの直接の許可（NAT/VIP を含む）を削除して、装置を gateways に role: remote_access で宣言してください。",
            en="Terminate remote access on a VPN/ZTNA gateway, remove direct rules (incl. NAT/VIP) to internal hosts, and declare the gateway with role remote_access.",
        ),
    )

    ROLES = ("remote_access",)

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Remote-access services from the Internet inward, minus the declared gateways."""
        a = ctx.analysis
        p = a.policy
        within = a.space.services(p.services(REMOTE_ACCESS_SERVICES))
        yield from outside_findings(
            ctx,
            self.meta,
            _remote_access,
            gateway_set(ctx, self.ROLES),
            gateway_ref(p, self.ROLES),
            Text(
                ja="宣言されたリモートアクセス装置ではありません。",
                en="Not a declared remote-access gateway.",
            ),
            within=within,
        )
