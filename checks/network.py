"""Checks that need the whole network: routing design, VLAN design, external transports.

SEP-002/003/004 judge the design (which interfaces, VLANs and VRFs share a device or a
broadcast domain), whatever filters do; LGW-004, GOV-001 and MYN-004 judge routes towards the
external zones; INT-001 and GOV-002 judge the packets that cross (DOMAIN.md §11).

The flow checks (INT-001, GOV-002) go through :func:`checks._flows.pair_findings`, so they
report what is delivered end to end (``NetworkAnalysis.paths``) and name the whole path, like
every zone-pair check. Who reports which zone pair is decided in
``checks._flows.CLAIMED_PAIRS``: INT-001 owns ``internet`` → ``internet_wan`` and GOV-002 every
pair into ``gov_cloud`` except from マイナンバー利用事務系, so POL-001 does not report them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from checks._common import finding, one_line, policy_ref, span_evidence
from checks._flows import (
    crossing_message,
    default_ref,
    pair_findings,
    pair_gov_cloud_inbound,
    pair_internet_egress,
)
from checks._topology import (
    INTERNET_SIDE,
    L2_PLATFORMS,
    carried_vlans,
    declared_pairs,
    enabled_trunks,
    filters_between,
    interface_of_address,
    l3_interfaces,
    layer2_domains,
    native_vlan,
    route_leaks,
    segment_zone,
    vlan_root,
)
from checks.base import CheckContext, CheckMeta
from netaudit.flow import PacketSet
from netaudit.model import (
    DeviceConfig,
    Interface,
    InterfaceKind,
    IPNetwork,
    Route,
    SwitchportMode,
)
from netaudit.policy import AllowedFlow, Policy
from netaudit.reach import NetworkAnalysis, host_route
from netaudit.result import Evidence, Finding, Severity, Status, Text

BASIS_MYN_SEPARATION = "マイナンバー利用事務系は他の領域と通信できないようにする（原則物理的に分離） [DOMAIN §5.1, S1, S3, S5]"
BASIS_VLAN = "VLAN による論理分離（論理的閉域網）の維持 [DOMAIN §5.1, S21]"
BASIS_LGWAN = "LGWAN は閉域網: LGWAN接続ルータは LGWAN-SS とのみ通信 [DOMAIN §5.2, S20]"
BASIS_SEC_CLOUD = "インターネット接続は自治体情報セキュリティクラウドに集約 [DOMAIN §6, S18, S19]"
BASIS_GOV_CLOUD = "ガバメントクラウドへは専用回線等の閉域で接続 [DOMAIN §7, S25]"
BASIS_SPECIFIED_DST = "特定通信の接続先はインターネットに接続しない [DOMAIN §11 MYN-004, G]"

MAX_EVIDENCE_PER_SIDE = 3


# -- small shared helpers ------------------------------------------------------------------


def _zones_of(a: NetworkAnalysis) -> dict[tuple[str, str], str]:
    """(device, interface) → its single zone (interfaces in no or several zones are left out)."""
    out: dict[tuple[str, str], str] = {}
    for iz in a.interface_zones:
        if iz.zone is not None:
            out[(iz.device, iz.interface.name)] = iz.zone
    return out


def _not_applicable(meta: CheckMeta, device: str, reason: Text, key: str) -> Finding:
    return finding(
        meta, reason, key=(device, "n/a", key), status=Status.NOT_APPLICABLE, device=device
    )


def _route_evidence(dev: DeviceConfig, itf: Interface, route: Route | None) -> Evidence:
    if route is not None:
        return span_evidence(dev.name, route.span, "route")
    return span_evidence(dev.name, itf.span, "connected")


def _egress_parts(
    a: NetworkAnalysis, dev: DeviceConfig, vrf: str | None, nets: Iterable[IPNetwork]
) -> Iterator[tuple[Interface, PacketSet, Route | None, bool]]:
    """Where ``dev`` sends packets for ``nets`` in ``vrf``: per egress interface, the packets,
    the route of one example destination and whether only a default route leads there."""
    fwd = a.forwarding.get(dev.name)
    if fwd is None:
        return
    want = a.space.dst(list(nets))
    for itf in fwd.l3:
        if (itf.vrf or None) != vrf:
            continue
        part = fwd.routed_out[itf.name] & want
        if part.is_empty():
            continue
        w = part.witness()
        assert w is not None
        _, route, _ = host_route(dev, w.dst, vrf)
        by_default = (part - fwd.via_default[itf.name]).is_empty()
        yield itf, part, route, by_default


# -- SEP-002 -------------------------------------------------------------------------------


class MynumberRouting:
    """SEP-002: no device routes between マイナンバー利用事務系 and another zone by design.

    A routing device (not ``no ip routing``) fails when, in one VRF, it has an enabled layer-3
    interface (routed port, SVI, subinterface) in a ``mynumber`` zone and another in a zone of
    another canonical root — whatever ACLs say: filtering what crosses is MYN-001/002's job,
    having the route at all is the design violation. ``gov_cloud`` counts as an extension of
    ``mynumber`` (DOMAIN.md §7). The one exception is the declared boundary of a 特定通信: a
    device that filters between the two interfaces (an ACL bound on either, or a firewall
    policy) for a zone pair the policy declares traffic on (a 特定通信 or allowed flow, its
    ``via`` zone included) — never towards the Internet side (``internet``, ``internet_wan``,
    ``sec_cloud``), with which マイナンバー系 must share no routing at all.

    Route leaks fail too: a static route in one VRF whose next hop or exit interface is in
    another (IOS ``ip route vrf X … global``, NX-OS ``… vrf Y``, an exit interface of another
    VRF) between a VRF holding マイナンバー系 interfaces and one holding another zone's (or the
    zones the policy names in ``vrfs``); a leak out of a マイナンバー系 VRF into a table whose
    zone nothing tells is ``unknown``. Junos ``next-table`` routes are not in the model: such
    devices with routing instances are ``not_applicable`` for the leak part. Leaks through BGP
    route targets are not modelled.
    """

    meta = CheckMeta(
        id="SEP-002",
        family="separation",
        title=Text(
            ja="マイナンバー利用事務系と他ゾーンが同じ機器・同じ VRF でルーティングされている",
            en="My Number segment routed with another zone on one device (same VRF or a VRF leak)",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_MYN_SEPARATION,),
        summary_ja="マイナンバー利用事務系の L3 インタフェース（SVI・ルーテッドポート）と他ゾーンの L3 インタフェースが同じ機器の同じ VRF にないこと、VRF 間の経路漏洩がないことを確認します。ACL で絞っていても設計上の違反として報告します。",
        fix=Text(
            ja="他ゾーンのインタフェースを別の機器か別の VRF に移し、VRF 間の経路漏洩を削除してください。特定通信の境界はフィルタを持つ専用の境界装置で行ってください。",
            en="Move the other zone's interface to another device or VRF and remove the leaking route; carry 特定通信 through a dedicated filtering boundary.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Same-VRF interface pairs and leaking routes, per device."""
        a = ctx.analysis
        p = a.policy
        zones = _zones_of(a)
        declared = declared_pairs(p)
        for name in sorted(a.devices):
            dev = a.devices[name]
            if dev.routing is False:
                continue
            by_vrf: dict[str | None, list[tuple[Interface, str]]] = {}
            for itf in l3_interfaces(dev):
                z = zones.get((name, itf.name))
                if z is not None:
                    by_vrf.setdefault(itf.vrf or None, []).append((itf, z))
            for vrf, items in by_vrf.items():
                yield from self._same_vrf(p, dev, vrf, items, declared)
            yield from self._leaks(ctx, dev, by_vrf)

    def _same_vrf(
        self,
        p: Policy,
        dev: DeviceConfig,
        vrf: str | None,
        items: list[tuple[Interface, str]],
        declared: frozenset[frozenset[str]],
    ) -> Iterator[Finding]:
        myn = [(i, z) for i, z in items if p.root(z) == "mynumber"]
        if not myn:
            return
        for other, zo in items:
            root = p.root(zo)
            if root in ("mynumber", "gov_cloud"):
                continue
            boundary = (
                root not in INTERNET_SIDE
                and frozenset(("mynumber", root)) in declared
                and all(filters_between(dev, m, other) for m, _ in myn)
            )
            if boundary:
                continue
            table = f"VRF {vrf}" if vrf else "グローバルテーブル"
            table_en = f"VRF {vrf}" if vrf else "the global table"
            why_ja = (
                "インターネット側とは経路を共有できません"
                if root in INTERNET_SIDE
                else "フィルタのある宣言済みの特定通信境界ではありません"
            )
            why_en = (
                "no routing may be shared with the Internet side"
                if root in INTERNET_SIDE
                else "it is not a declared, filtering 特定通信 boundary"
            )
            yield finding(
                self.meta,
                Text(
                    ja=f"{dev.name} は {table} で {other.name}（{zo}）とマイナンバー利用事務系の {', '.join(m.name for m, _ in myn)} の間をルーティングします（{why_ja}）。",
                    en=f"{dev.name} routes between {other.name} ({zo}) and My Number interface(s) {', '.join(m.name for m, _ in myn)} in {table_en} ({why_en}).",
                ),
                key=(dev.name, vrf or "", other.name, zo),
                device=dev.name,
                zone_from=myn[0][1],
                zone_to=zo,
                evidence=(
                    span_evidence(dev.name, other.span, f"interface ({zo})"),
                    *(
                        span_evidence(dev.name, m.span, f"interface ({z})")
                        for m, z in myn[:MAX_EVIDENCE_PER_SIDE]
                    ),
                ),
                policy_ref=policy_ref(p, "zones", myn[0][1], id=myn[0][1]),
            )

    def _leaks(
        self,
        ctx: CheckContext,
        dev: DeviceConfig,
        by_vrf: dict[str | None, list[tuple[Interface, str]]],
    ) -> Iterator[Finding]:
        p = ctx.analysis.policy
        if dev.platform == "juniper_junos" and any(i.vrf for i in dev.interfaces):
            yield _not_applicable(
                self.meta,
                dev.name,
                Text(
                    ja=f"{dev.name}: Junos の next-table 経路はモデル化されていないため、ルーティングインスタンス間の経路漏洩を判定できません。",
                    en=f"{dev.name}: Junos next-table routes are not modelled; leaks between routing instances cannot be judged.",
                ),
                "junos-next-table",
            )

        def roots(vrf: str | None) -> set[str]:
            out = {p.root(z) for _, z in by_vrf.get(vrf, [])}
            for zid, zone in p.data.zones.items():
                if vrf is not None and vrf in zone.vrfs:
                    out.add(p.root(zid))
            return out

        for leak in route_leaks(dev):
            src, dst = roots(leak.from_vrf), roots(leak.to_vrf)
            if "mynumber" in src:
                others = dst - {"mynumber", "gov_cloud"}
                myn_side = leak.from_vrf
            elif "mynumber" in dst:
                others = src - {"mynumber", "gov_cloud"}
                myn_side = leak.to_vrf
            else:
                continue
            other_vrf = leak.to_vrf if myn_side == leak.from_vrf else leak.from_vrf
            unknown = not others and not (src if myn_side == leak.to_vrf else dst)
            if not others and not unknown:
                continue
            evidence = [span_evidence(dev.name, leak.route.span, f"route ({leak.how})")]
            for vrf in (myn_side, other_vrf):
                evidence.extend(
                    span_evidence(dev.name, i.span, f"interface ({z})")
                    for i, z in by_vrf.get(vrf, [])[:1]
                )
            yield finding(
                self.meta,
                Text(
                    ja=f"{dev.name} の経路 {leak.route.prefix}（{leak.how}）が VRF {(leak.from_vrf or 'global')} から {(leak.to_vrf or 'global')} へ漏洩し、マイナンバー利用事務系と {', '.join(sorted(others)) or '不明なゾーン'} をつなぎます。",
                    en=f"{dev.name}: route {leak.route.prefix} ({leak.how}) leaks VRF {(leak.from_vrf or 'global')} into {(leak.to_vrf or 'global')}, joining the My Number segment with {', '.join(sorted(others)) or 'a zone nothing identifies'}.",
                ),
                key=(dev.name, "leak", one_line(leak.route.span.text)),
                status=Status.UNKNOWN if unknown else Status.FAIL,
                device=dev.name,
                zone_from="mynumber",
                zone_to=", ".join(sorted(others)),
                evidence=tuple(evidence),
                policy_ref=policy_ref(p, "zones", "mynumber", id="mynumber"),
            )


# -- SEP-003 -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Trunk:
    itf: Interface
    carried: frozenset[int]
    native: int | None
    zones: frozenset[str]  # segment zones of the VLANs it carries tagged


class VlanSeparation:
    """SEP-003: no VLAN of one zone is trunked into another zone's switch; no shared native VLAN.

    Zones are the canonical roots of the policy's ``zones.*.vlans`` (the management network is
    left out: every switch carries its management VLAN, MGT checks judge it). Per switch:

    * a switch *serves* the zones of its enabled access ports' VLANs, its SVIs and its routed
      ports (inventory zone hints included). A trunk that carries (allowed list ∩ VLANs that
      exist on the switch) a VLAN of a zone the switch does not serve brings that zone into a
      switch designated for others: **foreign VLAN**. A switch with only trunks serves nothing
      and is judged by its neighbours.
    * a trunk whose effective native VLAN (configured, or the platform default VLAN 1, and
      only when the allowed list carries it) belongs to a zone, while the trunk also carries
      VLANs of another zone: untagged and double-tagged frames cross between them: **native
      VLAN of another zone**.
    * trunks carrying different zones whose native VLANs fall into one broadcast domain
      (:func:`checks._topology.layer2_domains`, joined across devices by links where known):
      their untagged frames share a segment: **shared native VLAN**.

    Platforms whose parsers do not model switch ports are ``not_applicable`` where the device
    has VLANs.
    """

    meta = CheckMeta(
        id="SEP-003",
        family="separation",
        title=Text(
            ja="他ゾーンの VLAN がトランクで運ばれている、またはネイティブ VLAN がゾーン間で共有されている",
            en="VLAN of another zone carried on a trunk, or native VLAN shared across zones",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_VLAN,),
        summary_ja="スイッチのトランクが、そのスイッチが収容しないゾーンの VLAN を運んでいないこと、ネイティブ VLAN が別ゾーンの VLAN でなく、異なるゾーンのトランク間で共有されていないことを確認します。",
        fix=Text(
            ja="switchport trunk allowed vlan から他ゾーンの VLAN を外し、ネイティブ VLAN はゾーンごとの未使用 VLAN にしてください。",
            en="Remove other zones' VLANs from the trunk's allowed list; use an unused, per-zone native VLAN.",
        ),
        platforms=tuple(sorted(L2_PLATFORMS)),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Foreign VLANs, native VLANs of another zone and shared native VLANs, per switch."""
        a = ctx.analysis
        p = a.policy
        zones = _zones_of(a)
        domains = layer2_domains(a.devices.values(), p, a.links)
        native_groups: dict[int, list[tuple[DeviceConfig, _Trunk]]] = {}
        for name in sorted(a.devices):
            dev = a.devices[name]
            if dev.platform not in L2_PLATFORMS:
                if dev.vlans:
                    yield _not_applicable(
                        self.meta,
                        name,
                        Text(
                            ja=f"{name}: このプラットフォーム（{dev.platform}）のパーサはスイッチポート（トランク・ネイティブ VLAN）を扱わないため判定できません。",
                            en=f"{name}: the {dev.platform} parser does not model switch ports (trunks, native VLANs); not judged.",
                        ),
                        "no-switchports",
                    )
                continue
            serves = self._serves(p, dev, zones)
            for itf in enabled_trunks(dev):
                carried = carried_vlans(dev, itf)
                native = native_vlan(dev, itf)
                tagged = frozenset(
                    z for v in carried if v != native and (z := vlan_root(p, v)) is not None
                )
                trunk = _Trunk(itf, carried, native, tagged)
                yield from self._foreign(p, dev, trunk, serves)
                yield from self._native_other_zone(p, dev, trunk)
                if native is not None and trunk.zones:
                    dom = next((d for d in domains if (name, native) in d.vlans), None)
                    key = id(dom) if dom is not None else hash((name, native))
                    native_groups.setdefault(key, []).append((dev, trunk))
        yield from self._shared_native(p, native_groups)

    @staticmethod
    def _serves(p: Policy, dev: DeviceConfig, zones: dict[tuple[str, str], str]) -> set[str]:
        out: set[str] = set()
        for itf in dev.interfaces:
            if not itf.enabled:
                continue
            if itf.mode is SwitchportMode.ACCESS:
                z = vlan_root(p, itf.access_vlan)
            elif itf.kind is InterfaceKind.SVI or itf.addresses:
                z = segment_zone(p, zones.get((dev.name, itf.name)))
            else:
                z = None
            if z is not None:
                out.add(z)
        return out

    def _finding(
        self, p: Policy, dev: DeviceConfig, itf: Interface, zone: str, kind: str, msg: Text
    ) -> Finding:
        return finding(
            self.meta,
            msg,
            key=(dev.name, itf.name, kind, zone),
            device=dev.name,
            zone_from=zone,
            evidence=(span_evidence(dev.name, itf.span, "trunk"),),
            policy_ref=policy_ref(p, "zones", zone, "vlans", id=zone),
        )

    def _foreign(
        self, p: Policy, dev: DeviceConfig, t: _Trunk, serves: set[str]
    ) -> Iterator[Finding]:
        if not serves:
            return
        foreign: dict[str, list[int]] = {}
        for v in sorted(t.carried):
            z = vlan_root(p, v)
            if z is not None and z not in serves:
                foreign.setdefault(z, []).append(v)
        for z, vs in sorted(foreign.items()):
            zone_id = p.zone_of_vlan(vs[0]) or z
            vl = ", ".join(map(str, vs))
            yield self._finding(
                p,
                dev,
                t.itf,
                zone_id,
                f"foreign {vl}",
                Text(
                    ja=f"{dev.name} の {t.itf.name} は {zone_id} の VLAN {vl} を運んでいますが、このスイッチが収容するのは {', '.join(sorted(serves))} だけです。",
                    en=f"{dev.name} {t.itf.name} carries VLAN {vl} of {zone_id} into a switch that serves only {', '.join(sorted(serves))}.",
                ),
            )

    def _native_other_zone(self, p: Policy, dev: DeviceConfig, t: _Trunk) -> Iterator[Finding]:
        if t.native is None:
            return
        nz = p.zone_of_vlan(t.native)
        if nz is None:
            return
        others = t.zones - {p.root(nz)}
        if not others:
            return
        yield self._finding(
            p,
            dev,
            t.itf,
            nz,
            f"native {t.native}",
            Text(
                ja=f"{dev.name} の {t.itf.name} のネイティブ VLAN {t.native} は {nz} の VLAN ですが、このトランクは {', '.join(sorted(others))} の VLAN も運んでいます（タグなし・二重タグのフレームがゾーンを越えます）。",
                en=f"{dev.name} {t.itf.name}: native VLAN {t.native} belongs to {nz} while the trunk also carries {', '.join(sorted(others))} VLANs (untagged and double-tagged frames cross zones).",
            ),
        )

    def _shared_native(
        self, p: Policy, groups: dict[int, list[tuple[DeviceConfig, _Trunk]]]
    ) -> Iterator[Finding]:
        for trunks in groups.values():
            union = frozenset().union(*(t.zones for _, t in trunks))
            common = frozenset.intersection(*(t.zones for _, t in trunks))
            if len(trunks) < 2 or union == common:
                continue
            by_dev: dict[str, list[tuple[DeviceConfig, _Trunk]]] = {}
            for dev, t in trunks:
                by_dev.setdefault(dev.name, []).append((dev, t))
            desc = "; ".join(
                f"{d.name} {t.itf.name}: {'/'.join(sorted(t.zones))}" for d, t in trunks
            )
            for name, mine in sorted(by_dev.items()):
                dev = mine[0][0]
                natives = sorted({t.native for _, t in mine if t.native is not None})
                zone = sorted(union)[0]
                yield finding(
                    self.meta,
                    Text(
                        ja=f"異なるゾーンを運ぶトランクがネイティブ VLAN {', '.join(map(str, natives))} を共有しています（{desc}）。タグなしフレームが {' と '.join(sorted(union))} の間で同じセグメントに乗ります。",
                        en=f"Trunks carrying different zones share native VLAN {', '.join(map(str, natives))} ({desc}): their untagged frames share one segment across {', '.join(sorted(union))}.",
                    ),
                    key=(name, "shared-native", *sorted(t.itf.name for _, t in mine)),
                    device=name,
                    zone_from=", ".join(sorted(union)),
                    evidence=tuple(
                        span_evidence(name, t.itf.span, "trunk (native VLAN)") for _, t in mine
                    ),
                    policy_ref=policy_ref(p, "zones", zone, "vlans", id=zone),
                )


# -- SEP-004 -------------------------------------------------------------------------------


class PhysicalSeparation:
    """SEP-004: under ``separation: physical``, no device carries マイナンバー系 and another zone.

    Applies when a ``mynumber`` zone (or one of its children) says ``separation: physical``.
    A device carries a zone through an enabled interface in it (layer 3, by subnet or
    inventory hint), an access port in one of its VLANs, or a trunk that carries one of its
    VLANs. Shared switching — a VLAN of each zone on one switch — always fails; separate VRFs
    on one router fail too (that is logical separation). The management network is left out
    (each device's own management port), and so is ``gov_cloud`` (an extension of マイナンバー系).
    A declared 特定通信 boundary — a filtering device between the two zones at layer 3 for a
    pair the policy declares traffic on — is where the physical networks meet, and passes.
    """

    meta = CheckMeta(
        id="SEP-004",
        family="separation",
        title=Text(
            ja="物理分離のはずのマイナンバー利用事務系が他ゾーンと機器を共有している",
            en="Physically separated My Number segment shares a device with another zone",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_MYN_SEPARATION,),
        summary_ja="ポリシーで separation: physical としたマイナンバー利用事務系が、他ゾーンと同じ機器（スイッチ・ルータ）に収容されていないことを確認します（特定通信の境界装置を除く）。",
        fix=Text(
            ja="他ゾーンのポート・VLAN・インタフェースを別の機器に移すか、実態に合わせてポリシーを separation: logical にしてください。",
            en="Move the other zone's ports/VLANs/interfaces to another device, or declare separation: logical if that is the design.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Devices carrying both a physically separated My Number zone and another zone."""
        a = ctx.analysis
        p = a.policy
        physical = [
            zid
            for zid, z in p.data.zones.items()
            if p.root(zid) == "mynumber" and z.separation == "physical"
        ]
        if not physical:
            return
        zones = _zones_of(a)
        declared = declared_pairs(p)
        for name in sorted(a.devices):
            dev = a.devices[name]
            l2: dict[str, list[Interface]] = {}
            l3: dict[str, list[Interface]] = {}
            for itf in dev.interfaces:
                if not itf.enabled:
                    continue
                if itf.mode is SwitchportMode.ACCESS and itf.access_vlan is not None:
                    z = vlan_root(p, itf.access_vlan)
                    if z is not None:
                        l2.setdefault(z, []).append(itf)
                elif itf.mode is SwitchportMode.TRUNK:
                    for v in carried_vlans(dev, itf):
                        z = vlan_root(p, v)
                        if z is not None and itf not in l2.get(z, []):
                            l2.setdefault(z, []).append(itf)
                if itf.addresses:
                    z = segment_zone(p, zones.get((name, itf.name)))
                    if z is not None:
                        (l2 if itf.kind is InterfaceKind.SVI else l3).setdefault(z, []).append(itf)
            if "mynumber" not in l2 and "mynumber" not in l3:
                continue
            carried = (set(l2) | set(l3)) - {"mynumber", "gov_cloud"}
            for other in sorted(carried):
                shared_l2 = "mynumber" in l2 and other in l2
                if not shared_l2 and frozenset(("mynumber", other)) in declared:
                    myn_itfs = l3.get("mynumber", [])
                    other_itfs = l3.get(other, [])
                    if (
                        all(
                            filters_between(dev, m, o) and (m.vrf or None) == (o.vrf or None)
                            for m in myn_itfs
                            for o in other_itfs
                        )
                        and other not in INTERNET_SIDE
                    ):
                        continue
                myn = (l2.get("mynumber", []) + l3.get("mynumber", []))[:MAX_EVIDENCE_PER_SIDE]
                oth = (l2.get(other, []) + l3.get(other, []))[:MAX_EVIDENCE_PER_SIDE]
                yield finding(
                    self.meta,
                    Text(
                        ja=f"{name} はマイナンバー利用事務系（{', '.join(i.name for i in myn)}）と {other}（{', '.join(i.name for i in oth)}）の両方を収容しています。ポリシーは物理分離です。",
                        en=f"{name} carries both the My Number segment ({', '.join(i.name for i in myn)}) and {other} ({', '.join(i.name for i in oth)}); the policy requires physical separation.",
                    ),
                    key=(name, other),
                    device=name,
                    zone_from=physical[0],
                    zone_to=other,
                    evidence=tuple(
                        {
                            e.line: e
                            for e in (
                                *(span_evidence(name, i.span, f"interface ({other})") for i in oth),
                                *(span_evidence(name, i.span, "interface (mynumber)") for i in myn),
                            )
                        }.values()
                    ),
                    policy_ref=policy_ref(p, "zones", physical[0], "separation", id=physical[0]),
                )


# -- LGW-004 -------------------------------------------------------------------------------


class LgwanRouter:
    """LGW-004: the LGWAN-facing router talks only to LGWAN-SS/NOC; no Internet default route.

    *LGWAN-facing* interfaces are enabled layer-3 interfaces in an ``lgwan_wan`` zone (by
    subnet or inventory hint). On their devices every static route that leaves through one
    must (1) go to a next hop among the declared peers (``zones.lgwan_wan.peers``: the
    LGWAN-SS / NOC addresses; without that declaration, any address in the ``lgwan_wan``
    networks) and (2) be for a prefix inside the declared ``lgwan_wan`` networks — a default
    route or an Internet prefix towards the LGWAN sends traffic into the closed network that
    does not belong there.

    And in the LGWAN segment itself — a VRF of a device whose layer-3 interfaces are all on the
    LGWAN side (``lgwan``, ``lgwan_wan``, management) — no default route may lead towards the
    Internet: its next hop in an Internet-side zone, or an interface of a snapshot device that
    has an Internet-side interface (the Internet boundary). A VRF that mixes LGWAN and Internet
    interfaces is a boundary whose crossings LGW-001/002/003 judge. Permits are not judged
    here: traffic to non-LGWAN addresses is LGW-001's crossing.

    When the policy declares ``lgwan_wan`` and no snapshot device faces it, the check is
    ``not_applicable`` (the LGWAN router is not in the snapshot).
    """

    meta = CheckMeta(
        id="LGW-004",
        family="separation",
        title=Text(
            ja="LGWAN接続ルータが LGWAN-SS 以外と経路を持つ、または LGWAN 側にインターネットへの既定経路がある",
            en="LGWAN router routes beyond the LGWAN-SS, or an Internet default route in the LGWAN segment",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_LGWAN,),
        summary_ja="LGWAN接続ルータ・FW の LGWAN 側経路が宣言された LGWAN-SS/NOC と LGWAN のネットワークだけに向いていること、LGWAN接続系にインターネットへの既定経路がないことを確認します。",
        fix=Text(
            ja="LGWAN 向けの経路を LGWAN のプレフィックスと LGWAN-SS のネクストホップに限定し、LGWAN接続系の既定経路を削除してください。",
            en="Limit routes into the LGWAN to LGWAN prefixes via the LGWAN-SS, and remove default routes towards the Internet from the LGWAN segment.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Routes into the LGWAN and default routes of the LGWAN segment."""
        a = ctx.analysis
        p = a.policy
        wan_zones = [z for z in p.zone_ids if p.root(z) == "lgwan_wan"]
        if not wan_zones:
            return
        wan_nets = [n for z in wan_zones for n in p.zone_networks(z)]
        peers = [n for z in wan_zones for n in p.addresses(p.data.zones[z].peers)]
        zones = _zones_of(a)
        internet_devices = frozenset(d for (d, _), z in zones.items() if p.root(z) in INTERNET_SIDE)
        facing_any = False
        for name in sorted(a.devices):
            dev = a.devices[name]
            roots = {
                itf.name: p.root(z)
                for itf in l3_interfaces(dev)
                if (z := zones.get((name, itf.name))) is not None
            }
            facing = {n for n, r in roots.items() if r == "lgwan_wan"}
            if facing:
                facing_any = True
                yield from self._into_lgwan(ctx, dev, facing, wan_nets, peers, wan_zones[0])
            yield from self._default_routes(ctx, dev, roots, zones, internet_devices)
        if not facing_any:
            yield _not_applicable(
                self.meta,
                "",
                Text(
                    ja="LGWAN（lgwan_wan）に面したインタフェースを持つ機器がスナップショットにありません。LGWAN接続ルータの設定を含めてください。",
                    en="No snapshot device has an interface facing the LGWAN (lgwan_wan); include the LGWAN router's config.",
                ),
                "no-lgwan-router",
            )

    def _into_lgwan(
        self,
        ctx: CheckContext,
        dev: DeviceConfig,
        facing: set[str],
        wan_nets: list[IPNetwork],
        peers: list[IPNetwork],
        wan_zone: str,
    ) -> Iterator[Finding]:
        p = ctx.analysis.policy
        fwd = ctx.analysis.forwarding.get(dev.name)
        l3 = fwd.l3 if fwd is not None else ()
        for r in dev.routes:
            if r.discard:
                continue
            egress = r.interface or _next_hop_interface(l3, r)
            if egress not in facing:
                continue
            problems: list[tuple[str, str, str]] = []
            if r.next_hop is not None:
                allowed = peers or wan_nets
                if not any(r.next_hop in n for n in allowed):
                    problems.append(
                        (
                            "peer",
                            f"ネクストホップ {r.next_hop} は宣言された LGWAN-SS/NOC ではありません",
                            f"next hop {r.next_hop} is not a declared LGWAN-SS/NOC peer",
                        )
                    )
            if not any(
                r.prefix.version == n.version and r.prefix.subnet_of(n)  # type: ignore[arg-type]
                for n in wan_nets
            ):
                what = "既定経路" if r.prefix.prefixlen == 0 else f"{r.prefix}"
                problems.append(
                    (
                        "prefix",
                        f"{what} は LGWAN のネットワークではありません",
                        f"{'the default route' if r.prefix.prefixlen == 0 else r.prefix} is not an LGWAN network",
                    )
                )
            if not problems:
                continue
            yield finding(
                self.meta,
                Text(
                    ja=f"{dev.name} の LGWAN 向け経路（{egress}）: "
                    + "、".join(x[1] for x in problems)
                    + "。",
                    en=f"{dev.name} route into the LGWAN ({egress}): "
                    + "; ".join(x[2] for x in problems)
                    + ".",
                ),
                key=(dev.name, one_line(r.span.text), *(x[0] for x in problems)),
                device=dev.name,
                zone_to=wan_zone,
                evidence=(span_evidence(dev.name, r.span, "route"),),
                policy_ref=policy_ref(
                    p, "zones", wan_zone, "peers" if peers else "networks", id=wan_zone
                ),
            )

    def _default_routes(
        self,
        ctx: CheckContext,
        dev: DeviceConfig,
        roots: dict[str, str],
        zones: dict[tuple[str, str], str],
        internet_devices: frozenset[str],
    ) -> Iterator[Finding]:
        a = ctx.analysis
        p = a.policy
        if dev.routing is False:
            return
        by_vrf: dict[str | None, set[str]] = {}
        for itf in l3_interfaces(dev):
            if itf.name in roots:
                by_vrf.setdefault(itf.vrf or None, set()).add(roots[itf.name])
        for vrf, rs in by_vrf.items():
            if not rs & {"lgwan", "lgwan_wan"} or rs - {"lgwan", "lgwan_wan", "mgmt"}:
                continue
            for r in dev.routes:
                if (r.vrf or None) != vrf or r.prefix.prefixlen != 0 or r.discard:
                    continue
                towards = ""
                if r.next_hop is not None:
                    z = p.zone_of_address(r.next_hop)
                    if z is not None and p.root(z) in INTERNET_SIDE:
                        towards = z
                    else:
                        owner = interface_of_address(
                            (d for d in a.devices.values() if d.name != dev.name), r.next_hop
                        )
                        if owner is not None and owner[0].name in internet_devices:
                            towards = f"{owner[0].name}（インターネット境界）"
                if not towards:
                    continue
                yield finding(
                    self.meta,
                    Text(
                        ja=f"LGWAN接続系の {dev.name} に、インターネット側（{towards}）へ向かう既定経路があります。",
                        en=f"{dev.name} in the LGWAN segment has a default route towards the Internet side ({towards.replace('（インターネット境界）', ', the Internet boundary')}).",
                    ),
                    key=(dev.name, "default", one_line(r.span.text)),
                    device=dev.name,
                    zone_from="lgwan",
                    zone_to="internet_wan",
                    evidence=(span_evidence(dev.name, r.span, "default route"),),
                    policy_ref=default_ref(p),
                )


def _next_hop_interface(l3: Iterable[Interface], r: Route) -> str | None:
    if r.next_hop is None:
        return None
    for itf in l3:
        if (itf.vrf or None) == (r.vrf or None) and any(
            r.next_hop in addr.network
            for addr in itf.addresses
            if addr.version == r.next_hop.version
        ):
            return itf.name
    return None


# -- INT-001 -------------------------------------------------------------------------------


class InternetEgress:
    """INT-001: the Internet segment reaches the Internet only through the security cloud.

    Owns the zone pair ``internet`` → ``internet_wan`` (``checks._flows.CLAIMED_PAIRS``): every
    packet a device forwards from the Internet segment straight to the Internet — Web (HTTP/S),
    mail (SMTP), DNS or anything else — bypasses the prefecture's 自治体情報セキュリティクラウド
    (traffic to its addresses is the ``sec_cloud`` zone, a different pair). Allowed are an
    explicit ``allowed_flows`` entry and the declared local breakouts (``lbo_services`` with
    destinations; an FQDN-only breakout cannot be matched against addresses, so the traffic it
    could cover is ``unknown``). Each finding gives an example packet and the permitting lines.
    """

    meta = CheckMeta(
        id="INT-001",
        family="separation",
        title=Text(
            ja="インターネット接続系からセキュリティクラウドを経由しない直接のインターネット通信",
            en="Internet segment reaches the Internet without the security cloud",
        ),
        severity=Severity.MEDIUM,
        basis=(BASIS_SEC_CLOUD,),
        summary_ja="インターネット接続系からインターネットへの通信（Web・メール・DNS など）が、自治体情報セキュリティクラウド宛て（または宣言したローカルブレイクアウト）に限られていることを確認します。",
        fix=Text(
            ja="直接インターネットへ出る許可を削除し、プロキシ・メール中継・DNS をセキュリティクラウドに向けてください。必要なブレイクアウトは lbo_services に宣言してください。",
            en="Remove the direct Internet permit and point proxy, mail relay and DNS at the security cloud; declare needed breakouts in lbo_services.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """internet → internet_wan minus allowed flows and declared breakouts."""
        a = ctx.analysis
        p = a.policy
        could = a.space.empty
        for e in p.data.lbo_services:
            if e.fqdn and not e.dst:
                could = could | a.space.services(p.services(e.services))
        wan = a.space.empty
        for z in p.zone_ids:
            if p.root(z) == "internet_wan":
                wan = wan | a.zone_dst[z]
        yield from pair_findings(
            with_breakouts(ctx),
            self.meta,
            pair_internet_egress,
            ("allowed_flows",),
            crossing_message(
                "セキュリティクラウドを経由しません。", "It bypasses the security cloud."
            ),
            uncertain=(lambda c: could & wan) if not could.is_empty() else None,
        )


def with_breakouts(ctx: CheckContext) -> CheckContext:
    """The context with each declared breakout (``lbo_services`` with destinations) added as
    an allowed flow from every Internet-segment zone to every Internet zone.

    Breakouts are not zone-pair entries (they are α′'s LGWAN breakouts too), so the shared
    flow machinery cannot see them for ``internet`` → ``internet_wan`` otherwise.
    """
    p = ctx.analysis.policy
    extra: list[AllowedFlow] = []
    for e in p.data.lbo_services:
        if not e.dst:
            continue
        for zf in p.zone_ids:
            if p.root(zf) != "internet":
                continue
            for zt in p.zone_ids:
                if p.root(zt) == "internet_wan":
                    extra.append(
                        AllowedFlow.model_validate(
                            {
                                "id": f"{e.id}@{zf}",
                                "from": zf,
                                "to": zt,
                                "dst": e.dst,
                                "services": e.services,
                            }
                        )
                    )
    if not extra:
        return ctx
    data = p.data.model_copy(update={"allowed_flows": [*p.data.allowed_flows, *extra]})
    analysis = replace(ctx.analysis, policy=replace(p, data=data))
    return replace(ctx, analysis=analysis)


# -- GOV-001 -------------------------------------------------------------------------------


class GovCloudTransport:
    """GOV-001: GovCloud is routed only over the declared closed transport.

    For every ``gov_cloud`` network, on every device, in every VRF that holds a
    マイナンバー利用事務系 or ``gov_cloud`` interface (where GovCloud is used from), the
    longest-prefix-match share of the network is followed to its egress interface:

    * out of an Internet-side interface (``internet``, ``internet_wan``, ``sec_cloud``):
      routed via the Internet edge — fails;
    * only by a default route, not through the declared transport: the GovCloud traffic
      follows the default route wherever it goes — fails;
    * out of an interface facing another external zone (or ``gov_cloud`` itself) that is not
      the declared transport (``zones.gov_cloud.transport.via`` ``device:interface``, or a
      ``next_hops`` address) — fails.

    A specific route to an internal next hop is the next device's question. Without a
    ``transport`` declaration only the first two can be judged, and the check says so once
    (``not_applicable`` for the rest).
    """

    meta = CheckMeta(
        id="GOV-001",
        family="separation",
        title=Text(
            ja="ガバメントクラウドへの経路が宣言された閉域の回線を通らない",
            en="GovCloud routed outside the declared closed transport",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_GOV_CLOUD,),
        summary_ja="ガバメントクラウドのネットワークへの経路が、宣言した専用回線・閉域 VPN だけを通り、インターネット側や既定経路に向いていないことを確認します。",
        fix=Text(
            ja="ガバメントクラウドのプレフィックスへの静的経路を専用回線（閉域）側に設定し、既定経路やインターネット側に流れないようにしてください。",
            en="Add static routes for the GovCloud prefixes via the dedicated line / closed VPN so they never follow the default route or the Internet edge.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Egress of the GovCloud networks on every device that uses them."""
        a = ctx.analysis
        p = a.policy
        gov = [z for z in p.zone_ids if p.root(z) == "gov_cloud" and p.zone_networks(z)]
        if not gov:
            return
        transports = [(z, p.data.zones[z].transport) for z in gov if p.data.zones[z].transport]
        via = {v for _, t in transports if t is not None for v in t.via}
        next_hops = [n for _, t in transports if t is not None for n in p.addresses(t.next_hops)]
        if not transports:
            yield _not_applicable(
                self.meta,
                "",
                Text(
                    ja="ポリシーに zones.gov_cloud.transport（専用回線・閉域 VPN の接続点）の宣言がないため、宣言外の回線かどうかは判定できません（インターネット側・既定経路への経路だけを判定しました）。",
                    en="The policy declares no zones.gov_cloud.transport (the dedicated line / closed VPN ends): only routes via the Internet side or a default route were judged.",
                ),
                "no-transport",
            )
        zones = _zones_of(a)
        for name in sorted(a.devices):
            dev = a.devices[name]
            vrfs = {
                itf.vrf or None
                for itf in l3_interfaces(dev)
                if (z := zones.get((name, itf.name))) is not None
                and p.root(z) in ("mynumber", "gov_cloud")
            }
            for vrf in sorted(vrfs, key=lambda v: v or ""):
                for zid in gov:
                    nets = p.zone_networks(zid)
                    for itf, _part, route, by_default in _egress_parts(a, dev, vrf, nets):
                        z = zones.get((name, itf.name))
                        root = p.root(z) if z else None
                        declared = f"{name}:{itf.name}" in via or (
                            route is not None
                            and route.next_hop is not None
                            and any(route.next_hop in n for n in next_hops)
                        )
                        if root in INTERNET_SIDE:
                            why = ("internet", "インターネット側へ", "towards the Internet side")
                        elif by_default and not declared:
                            why = ("default", "既定経路で", "by a default route")
                        elif (
                            transports
                            and not declared
                            and (root is None or p.is_external(root) or root == "gov_cloud")
                        ):
                            why = ("undeclared", "宣言外の回線へ", "over an undeclared line")
                        else:
                            continue
                        yield finding(
                            self.meta,
                            Text(
                                ja=f"{name} はガバメントクラウド（{zid}）宛てを {itf.name} から{why[1]}転送します（{z or 'ゾーン不明'}）。",
                                en=f"{name} forwards traffic for GovCloud ({zid}) out of {itf.name} {why[2]} ({z or 'no zone'}).",
                            ),
                            key=(name, vrf or "", zid, itf.name, why[0]),
                            device=name,
                            zone_from=next(
                                (
                                    zz
                                    for (d, _), zz in zones.items()
                                    if d == name and p.root(zz) == "mynumber"
                                ),
                                "mynumber",
                            ),
                            zone_to=zid,
                            evidence=(_route_evidence(dev, itf, route),),
                            policy_ref=policy_ref(
                                p, "zones", zid, "transport" if transports else "networks", id=zid
                            ),
                        )


# -- GOV-002 -------------------------------------------------------------------------------


class GovCloudAccess:
    """GOV-002: GovCloud is reachable only from マイナンバー利用事務系 and declared operators.

    Owns every zone pair into ``gov_cloud`` except from ``mynumber`` (MYN-002's). From the
    Internet side (``internet``, ``internet_wan``, ``sec_cloud``) nothing may reach GovCloud,
    whatever the policy says (it is an extension of マイナンバー系, DOMAIN.md §7); from other
    zones (LGWAN接続系, the management network, ...) only the ``allowed_flows`` entries that
    declare the operators' hosts.
    """

    meta = CheckMeta(
        id="GOV-002",
        family="separation",
        title=Text(
            ja="マイナンバー利用事務系・宣言された運用端末以外からガバメントクラウドへ通信可能",
            en="GovCloud reachable from outside the My Number segment and declared operators",
        ),
        severity=Severity.HIGH,
        basis=(BASIS_GOV_CLOUD,),
        summary_ja="ガバメントクラウドへの通信が、マイナンバー利用事務系と allowed_flows で宣言した運用端末からだけ可能であることを確認します（インターネット側からは一切不可）。",
        fix=Text(
            ja="ガバメントクラウド宛ての許可を削除するか、運用端末からの通信として allowed_flows に宣言してください。",
            en="Remove the permit towards GovCloud, or declare the operators' access in allowed_flows.",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Crossings into gov_cloud from other zones, minus declared operator access."""
        message = crossing_message(
            "ガバメントクラウドへはマイナンバー利用事務系と宣言された運用端末からだけ通信できます。",
            "Only the My Number segment and declared operators may reach GovCloud.",
        )

        def internet_side(p: Policy, zf: str, zt: str) -> bool:
            return pair_gov_cloud_inbound(p, zf, zt) and p.root(zf) in INTERNET_SIDE

        def other(p: Policy, zf: str, zt: str) -> bool:
            return pair_gov_cloud_inbound(p, zf, zt) and p.root(zf) not in INTERNET_SIDE

        yield from pair_findings(ctx, self.meta, internet_side, (), message)
        yield from pair_findings(ctx, self.meta, other, ("allowed_flows",), message)


# -- MYN-004 -------------------------------------------------------------------------------


class SpecifiedDestinationOffInternet:
    """MYN-004: the destinations of 特定通信 are not Internet-routed from this site.

    Two ways a 特定通信 destination is on the Internet: the policy's own addresses put it in
    an Internet-side zone (``internet_wan``, ``sec_cloud``, ``internet``: the finding points
    at the entry), or — for a 特定通信 to an external partner (eLTAX or 中間サーバー on the
    LGWAN, 住基ネット) — a device on its source side (a VRF with an interface in its ``from``
    zone) routes the destination out of an Internet-side interface (the finding cites the
    route). Default routes to internal next hops are the next device's question.
    """

    meta = CheckMeta(
        id="MYN-004",
        family="specified",
        title=Text(
            ja="特定通信の宛先がインターネット側にある、またはインターネット側へルーティングされる",
            en="Destination of a specified communication is on or routed to the Internet side",
        ),
        severity=Severity.MEDIUM,
        basis=(BASIS_SPECIFIED_DST,),
        summary_ja="特定通信の宛先アドレスがインターネット側のゾーンになく、マイナンバー利用事務系側の機器からインターネット側へルーティングされないことを確認します。",
        fix=Text(
            ja="特定通信の宛先アドレスを見直すか、宛先への経路を LGWAN 等の閉域側に設定してください。",
            en="Correct the destination of the specified communication, or route it through the closed network (LGWAN).",
        ),
    )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Policy entries with Internet destinations, and Internet-bound routes to them."""
        a = ctx.analysis
        p = a.policy
        zones = _zones_of(a)
        for i, sc in enumerate(p.data.specified_communications):
            declared = p.addresses(sc.dst) if sc.dst else ()
            ref = policy_ref(p, "specified_communications", i, id=sc.id)
            nets = []
            for net in declared:
                hits = p.zones_of_network(net)
                zone = hits[0] if hits else p.zone_of_address(net.network_address)
                if zone is not None and p.root(zone) in INTERNET_SIDE:
                    yield finding(
                        self.meta,
                        Text(
                            ja=f"特定通信 {sc.id} の宛先 {net} はインターネット側のゾーン（{zone}）にあります。",
                            en=f"Specified communication {sc.id}: destination {net} is in an Internet-side zone ({zone}).",
                        ),
                        key=("policy", sc.id, str(net)),
                        zone_from=sc.from_,
                        zone_to=zone,
                        policy_ref=ref,
                    )
                else:
                    nets.append(net)  # judged on the devices below
            if not nets or not p.is_external(sc.to):
                continue
            src_root = p.root(sc.from_)
            for name in sorted(a.devices):
                dev = a.devices[name]
                vrfs = {
                    itf.vrf or None
                    for itf in l3_interfaces(dev)
                    if (z := zones.get((name, itf.name))) is not None and p.root(z) == src_root
                }
                for vrf in sorted(vrfs, key=lambda v: v or ""):
                    for itf, part, route, _ in _egress_parts(a, dev, vrf, nets):
                        z = zones.get((name, itf.name))
                        if z is None or p.root(z) not in INTERNET_SIDE:
                            continue
                        w = part.witness()
                        yield finding(
                            self.meta,
                            Text(
                                ja=f"{name} は特定通信 {sc.id} の宛先（例 {w.dst if w else ''}）を {itf.name}（{z}）からインターネット側へ転送します。",
                                en=f"{name} routes the destination of specified communication {sc.id} (e.g. {w.dst if w else ''}) out of {itf.name} ({z}) towards the Internet side.",
                            ),
                            key=(name, sc.id, vrf or "", itf.name),
                            device=name,
                            zone_from=sc.from_,
                            zone_to=z,
                            evidence=(_route_evidence(dev, itf, route),),
                            policy_ref=ref,
                        )
