"""Port security and layer-2 hygiene checks (MYN-005, L2 family) on switch ports.

Basis: only pre-registered devices may communicate in マイナンバー利用事務系 (DOMAIN.md §5.1,
e.g. 多治見市 [S6]), and VLAN separation must not leak (DOMAIN.md §11 SEP-003, [S21]).

Interface facts come from the switch parsers (cisco_ios, cisco_nxos, allied_telesis_awplus,
alaxala_ax), which record port authentication in ``Interface.extras`` (see
:func:`port_auth_methods`): ``port_security`` (IOS/NX-OS ``switchport port-security`` as
``True``; AW+ as a settings mapping with ``enabled``), ``dot1x`` (IOS/NX-OS ``True`` for
``authentication|dot1x port-control auto``; AW+/AlaxalA a mapping of the ``dot1x`` settings,
enforcing only with ``port-control auto`` — the default ``force-authorized`` admits anyone),
``mac_auth`` (IOS/NX-OS ``mab`` with port-control auto), AW+ ``auth_mac`` (``auth-mac
enable``), AlaxalA ``mac_authentication`` (``mac-authentication port``). A VLAN's zone is the
policy's ``zones.*.vlans``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from checks._common import policy_ref
from checks._topology import enabled_trunks
from checks.base import CheckContext, CheckMeta
from checks.management import DeviceCheck
from netaudit.model import DeviceConfig, Interface, InterfaceKind, SwitchportMode
from netaudit.policy import Policy
from netaudit.result import Finding, PolicyRef, Severity, Status, Text

BASIS_REGISTERED = "マイナンバー利用事務系では登録された機器のみ通信可能とする（MAC/802.1X 認証） [DOMAIN §5.1, S6]"
BASIS_VLAN = (
    "VLAN による論理分離の維持（トランクの許可 VLAN・ネイティブ VLAN） [DOMAIN §11 SEP-003, S21]"
)

# Switch platforms whose parsers report port authentication in Interface.extras.
PORT_AUTH_PLATFORMS = frozenset({"cisco_ios", "cisco_nxos", "allied_telesis_awplus", "alaxala_ax"})
ALL_VLANS = frozenset(range(1, 4095))
# Descriptions that mark a port as unused (未使用, 空き, 予備, unused, spare, reserved).
_UNUSED = re.compile(r"未使用|空き|予備|unused|spare|reserved?|not[ _-]?used", re.IGNORECASE)


def port_auth_methods(itf: Interface) -> tuple[str, ...]:
    """The port authentication methods that are enforced on ``itf`` (may be empty)."""
    x = itf.extras
    out: list[str] = []
    ps = x.get("port_security")
    if ps is True or (isinstance(ps, Mapping) and ps.get("enabled")):
        out.append("port-security")
    d = x.get("dot1x")
    if d is True or (isinstance(d, Mapping) and d.get("port-control") == "auto"):
        out.append("802.1X")
    if (
        x.get("mac_auth") is True
        or x.get("auth_mac") == "enable"
        or str(x.get("mac_authentication", "")).startswith("port")
    ):
        out.append("MAC authentication")
    return tuple(out)


def mynumber_vlan(policy: Policy, vlan: int | None) -> str | None:
    """The zone of ``vlan`` when it belongs to マイナンバー利用事務系 (root ``mynumber``)."""
    if vlan is None:
        return None
    z = policy.zone_of_vlan(vlan)
    return z if z is not None and policy.root(z) == "mynumber" else None


def _access_ports(dev: DeviceConfig) -> list[Interface]:
    return [
        i
        for i in dev.interfaces
        if i.mode is SwitchportMode.ACCESS
        and i.kind in (InterfaceKind.PHYSICAL, InterfaceKind.PORT_CHANNEL)
    ]


def _mynumber_ports(policy: Policy, dev: DeviceConfig) -> list[tuple[Interface, str]]:
    """Enabled access ports of ``dev`` in マイナンバー利用事務系 VLANs, with their zone."""
    return [
        (i, z)
        for i in _access_ports(dev)
        if i.enabled and (z := mynumber_vlan(policy, i.access_vlan)) is not None
    ]


class _PortCheck(DeviceCheck):
    """Findings point at the zone (VLAN declaration) of the port they are about."""

    zone = "mynumber"

    def ref(self, ctx: CheckContext) -> PolicyRef:
        """The zone entry in the policy."""
        p = ctx.analysis.policy
        if self.zone in p.data.zones:
            return policy_ref(p, "zones", self.zone, id=self.zone)
        return policy_ref(p, "zones", id="zones")

    def port_finding(
        self,
        ctx: CheckContext,
        dev: DeviceConfig,
        itf: Interface,
        message: Text,
        *,
        key: tuple[str, ...] = (),
        status: Status = Status.FAIL,
    ) -> Finding:
        """A finding about port ``itf``, citing its interface line, keyed by its name."""
        return self.finding(
            ctx,
            dev,
            message,
            key=(itf.name, *key),
            spans=(itf.span,),
            role="interface",
            status=status,
        )


class MynumberPortAuth(_PortCheck):
    """MYN-005: access ports in マイナンバー利用事務系 VLANs admit only registered devices.

    Every enabled access port whose VLAN belongs to a ``mynumber`` zone must use port security
    (MAC address limit), 802.1X or MAC authentication (:func:`port_auth_methods`). Shut-down ports pass (nothing can connect). A device of a
    platform whose parser does not report port authentication, yet has access ports in such
    VLANs, is ``not_applicable`` with the reason.
    """

    meta = CheckMeta(
        id="MYN-005",
        family="l2",
        title=Text(
            ja="マイナンバー利用事務系のアクセスポートに端末認証（ポートセキュリティ・802.1X・MAC認証）がない",
            en="My Number access port without port security, 802.1X or MAC authentication",
        ),
        severity=Severity.MEDIUM,
        basis=(BASIS_REGISTERED,),
        summary_ja="マイナンバー利用事務系の VLAN に属するアクセスポートで、ポートセキュリティ・802.1X・MAC認証のいずれかが有効であることを確認します。",
        fix=Text(
            ja="switchport port-security、dot1x／authentication port-control auto、mab などで登録端末だけが接続できるようにしてください。",
            en="Enable port security, 802.1X or MAC authentication so that only registered devices connect.",
        ),
        platforms=tuple(sorted(PORT_AUTH_PLATFORMS)),
    )

    def device(self, ctx: CheckContext, dev: DeviceConfig) -> Iterator[Finding]:
        """Enabled mynumber access ports with none of the three controls."""
        ports = _mynumber_ports(ctx.analysis.policy, dev)
        if not ports:
            return
        if dev.platform not in PORT_AUTH_PLATFORMS:
            yield self.not_applicable(
                ctx,
                dev,
                Text(
                    ja=f"{dev.platform} のパーサはポート認証の設定を報告しないため判定できません。",
                    en=f"The {dev.platform} parser does not report port authentication.",
                ),
            )
            return
        for itf, zone in ports:
            if port_auth_methods(itf):
                continue
            yield self.port_finding(
                ctx,
                dev,
                itf,
                Text(
                    ja=f"{dev.name} の {itf.name}（VLAN {itf.access_vlan}, {zone}）に端末認証がありません。",
                    en=f"{dev.name} {itf.name} (VLAN {itf.access_vlan}, {zone}) has no port security, 802.1X or MAC authentication.",
                ),
                key=(str(itf.access_vlan),),
            )


class UnusedPortEnabled(_PortCheck):
    """L2-001: unused ports in マイナンバー利用事務系 VLANs are shut down.

    A port counts as unused when it is an access port in a ``mynumber`` VLAN whose description
    is empty or says so (未使用, 空き, 予備, unused, spare, reserved): a port nobody has
    described is a port no registered device has been assigned to. Such a port that is not
    ``shutdown`` fails — anyone can plug into it. Whether a port authenticates what connects is
    MYN-005's question (an open, unassigned port without authentication is reported by both:
    shutting it down fixes both).
    """

    meta = CheckMeta(
        id="L2-001",
        family="l2",
        title=Text(
            ja="マイナンバー利用事務系の未使用ポートが無効化されていない",
            en="Unused My Number port not shut down",
        ),
        severity=Severity.LOW,
        basis=(BASIS_REGISTERED,),
        summary_ja="マイナンバー利用事務系の VLAN に属する未使用ポート（説明なし・「未使用」等）が shutdown されていることを確認します。",
        fix=Text(
            ja="未使用ポートを shutdown するか、接続する端末を description に記録してください。",
            en="Shut the unused port down, or record the connected device in its description.",
        ),
        platforms=tuple(sorted(PORT_AUTH_PLATFORMS)),
    )

    def device(self, ctx: CheckContext, dev: DeviceConfig) -> Iterator[Finding]:
        """Enabled, undescribed (or 'unused') access ports in mynumber VLANs."""
        for itf, zone in _mynumber_ports(ctx.analysis.policy, dev):
            desc = itf.description.strip()
            if desc and not _UNUSED.search(desc):
                continue
            yield self.port_finding(
                ctx,
                dev,
                itf,
                Text(
                    ja=f"{dev.name} の {itf.name}（VLAN {itf.access_vlan}, {zone}）は{'未使用と記載されて' if desc else '説明がなく未割当と見られ'}いますが shutdown されていません。",
                    en=f"{dev.name} {itf.name} (VLAN {itf.access_vlan}, {zone}) is {'marked unused' if desc else 'undescribed (unassigned)'} but not shut down.",
                ),
                key=(str(itf.access_vlan),),
            )


class TrunkAllVlans(_PortCheck):
    """L2-002: trunks list the VLANs they carry.

    A trunk without an allowed-VLAN list carries every VLAN (IOS/NX-OS default ``1-4094``; AW+
    and AlaxalA carry none until listed, so only an explicit ``all`` fails there), so a VLAN
    of one zone added anywhere appears on ports meant for another. A trunk whose VLAN list the
    parser could not tell is ``unknown``.
    """

    meta = CheckMeta(
        id="L2-002",
        family="l2",
        title=Text(ja="トランクが全 VLAN を許可している", en="Trunk allows all VLANs"),
        severity=Severity.MEDIUM,
        basis=(BASIS_VLAN,),
        summary_ja="トランクポートで switchport trunk allowed vlan により通す VLAN を限定していることを確認します。",
        fix=Text(
            ja="switchport trunk allowed vlan で必要な VLAN だけを列挙してください。",
            en="List only the needed VLANs with 'switchport trunk allowed vlan'.",
        ),
        platforms=tuple(sorted(PORT_AUTH_PLATFORMS)),
    )
    zone = ""

    def device(self, ctx: CheckContext, dev: DeviceConfig) -> Iterator[Finding]:
        """Enabled trunks carrying 1-4094."""
        for itf in enabled_trunks(dev):
            if itf.trunk_vlans is not None and not itf.trunk_vlans >= ALL_VLANS:
                continue
            unknown = itf.trunk_vlans is None
            yield self.port_finding(
                ctx,
                dev,
                itf,
                Text(
                    ja=f"{dev.name} の {itf.name} が{'通す VLAN を判定できません' if unknown else '全 VLAN を通すトランクです'}。",
                    en=f"{dev.name} {itf.name}: {'cannot tell which VLANs the trunk carries' if unknown else 'trunk carries every VLAN'}.",
                ),
                status=Status.UNKNOWN if unknown else Status.FAIL,
            )


class NativeVlan1(_PortCheck):
    """L2-003: trunks do not use VLAN 1 as native VLAN.

    Untagged frames on a trunk land in the native VLAN; with the default VLAN 1 (IOS, NX-OS,
    AW+ and AlaxalA default when ``native vlan`` is not set) they share the VLAN every switch
    uses by default, which enables VLAN hopping by double tagging. A trunk whose allowed list
    excludes VLAN 1 passes: untagged frames are then dropped, and a double-tagged frame from a
    VLAN 1 access port never reaches the trunk. AW+ ``native vlan none`` passes.
    """

    meta = CheckMeta(
        id="L2-003",
        family="l2",
        title=Text(ja="トランクのネイティブ VLAN が VLAN 1", en="Native VLAN 1 on a trunk"),
        severity=Severity.LOW,
        basis=(BASIS_VLAN,),
        summary_ja="トランクポートのネイティブ VLAN が既定の VLAN 1 のままになっていないことを確認します。",
        fix=Text(
            ja="switchport trunk native vlan で未使用の専用 VLAN を指定してください。",
            en="Set a dedicated, otherwise unused native VLAN with 'switchport trunk native vlan'.",
        ),
        platforms=tuple(sorted(PORT_AUTH_PLATFORMS)),
    )
    zone = ""

    def device(self, ctx: CheckContext, dev: DeviceConfig) -> Iterator[Finding]:
        """Enabled trunks whose native VLAN is (by default) 1."""
        if dev.platform not in PORT_AUTH_PLATFORMS:
            return
        for itf in enabled_trunks(dev):
            native = itf.native_vlan
            if native is None and itf.extras.get("native_vlan") != "none":
                native = 1
            if native != 1 or (itf.trunk_vlans is not None and 1 not in itf.trunk_vlans):
                continue
            yield self.port_finding(
                ctx,
                dev,
                itf,
                Text(
                    ja=f"{dev.name} の {itf.name} のネイティブ VLAN が VLAN 1 です。",
                    en=f"{dev.name} {itf.name}: native VLAN is VLAN 1.",
                ),
            )
