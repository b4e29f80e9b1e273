"""Management-plane hardening checks (MGT family), one device at a time.

Guideline basis: 地方公共団体における情報セキュリティポリシーに関するガイドライン §6.1
(コンピュータ及びネットワークの管理), §6.2 (アクセス制御) and §7.1 (情報システムの監視) —
DOMAIN.md §5.4 and the catalog rows MGT-001, MGT-002 and MGT-004 of §11. The catalog's rows
are split into small checks; the IDs keep the catalog's meanings:

=========  ==================================================  ==========================
ID         what                                                DOMAIN §11 row
=========  ==================================================  ==========================
MGT-001    management access not limited to the mgmt zone      MGT-001 (restriction)
MGT-002    no central syslog                                   MGT-002 (logs)
MGT-003    (reserved: firmware / EOL inventory)                MGT-003
MGT-004    no AAA (central authentication)                     MGT-004
MGT-005    Telnet enabled                                      MGT-001 (insecure protocol)
MGT-006    plain HTTP management enabled                       MGT-001 (insecure protocol)
MGT-007    SNMP v1/v2c communities                             MGT-001 (insecure protocol)
MGT-008    guessable SNMP community                            MGT-001 / MGT-004
MGT-009    SNMP write access                                   MGT-001
MGT-010    passwords in clear, reversible, or absent           MGT-004 (admin accounts)
MGT-011    no NTP                                              MGT-002 (time sync)
MGT-012    SSH protocol version 1 allowed                      MGT-001 (insecure protocol)
MGT-013    no login banner                                     MGT-004 (admin access)
=========  ==================================================  ==========================

A fact a platform's parser does not report gives ``not_applicable`` for that device, with the
reason, never a silent pass. CIS references are given only where the benchmark item number was
verified (CIS Cisco IOS XE 17.x and CIS Cisco NX-OS v1.1.0 tables of contents).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from typing import ClassVar

from checks._common import finding, policy_ref, span_evidence
from checks.base import CheckContext, CheckMeta
from netaudit.flow import first_match
from netaudit.model import (
    PROTO_TCP,
    PROTO_UDP,
    CredentialStorage,
    DeviceConfig,
    Direction,
    IPNetwork,
    MgmtService,
    ServiceMatch,
    SourceSpan,
)
from netaudit.policy import Policy
from netaudit.reach import NetworkAnalysis
from netaudit.result import Evidence, Finding, PolicyRef, Severity, Status, Text

BASIS_MGMT_ACCESS = "通信回線装置の管理・アクセス制御: 管理は管理者・管理用ネットワークに限定 [ガイドライン §6.1, §6.2; DOMAIN §5.4]"
BASIS_PROTOCOL = (
    "不正アクセス対策: 平文の管理プロトコルを用いない [ガイドライン §6.5; DOMAIN §11 MGT-001]"
)
BASIS_LOG = "ログの取得・保管と改ざん防止 [ガイドライン §7.1; DOMAIN §5.4, S30]"
BASIS_TIME = "ログの時刻同期（単一の基準への同期） [ガイドライン §7.1; DOMAIN §5.4, S30]"
BASIS_ACCOUNT = (
    "管理者アカウント・認証の管理（多要素認証推奨） [ガイドライン §6.2; DOMAIN §11 MGT-004, S23b]"
)

# Platforms whose parsers report syslog and NTP destinations and SNMP communities
# (audit of netaudit/parsers/*.py); Linux (iptables-save) carries no management settings.
_REPORTS_LOGGING = frozenset(
    {
        "cisco_ios",
        "cisco_asa",
        "cisco_nxos",
        "fortinet",
        "paloalto_panos",
        "juniper_junos",
        "yamaha",
        "nec_ix",
        "allied_telesis_awplus",
        "alaxala_ax",
    }
)
_REPORTS_SNMP = _REPORTS_LOGGING
# AlaxalA keeps login passwords outside the running configuration.
_REPORTS_CREDENTIALS = _REPORTS_LOGGING - {"alaxala_ax"}
# On IOS and NX-OS an absent "aaa new-model" / "banner" means the default: none. AW+ and
# AlaxalA log in against local users unless "aaa authentication login ... group" is set.
_ABSENT_MEANS_OFF = frozenset({"cisco_ios", "cisco_nxos"})
_AAA_ABSENT_MEANS_OFF = _ABSENT_MEANS_OFF | {"allied_telesis_awplus", "alaxala_ax"}
# SSH version 1 is not offered at all by these platforms: NX-OS, FortiOS, PAN-OS and Junos
# (v2 the default on all current releases) implement SSHv2 only in the releases netaudit
# parses; the Yamaha RT SSH server "does not support SSH protocol version 1" (rtpro.yamaha.co.jp
# RT/docs/sshd).
_SSH2_ONLY = frozenset({"cisco_nxos", "fortinet", "paloalto_panos", "juniper_junos", "yamaha"})
# Checks whose fact most parsers report list platforms as "all" and answer not_applicable,
# with the reason, on the platforms named in their docstrings; the SSH version is reported
# for few, so MGT-012 names them.
# These parsers record the SSH versions the server accepts in MgmtService.version ("2" when
# pinned to SSHv2; IOS "" = the default 1.99, AW+ "1,2" = the default v1v2).
_SSH_VERSION_RECORDED = frozenset({"cisco_ios", "allied_telesis_awplus"})
_REPORTS_SSH_VERSION = _SSH2_ONLY | _SSH_VERSION_RECORDED
_SSH_PIN = {
    "cisco_ios": ("ip ssh version 2", "1.99"),
    "allied_telesis_awplus": ("ssh server v2only", "v1v2"),
}


def _covers(platforms: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(platforms))


# Services that are not a way to administer the device.
_NOT_ADMIN = frozenset({"ping", "http-ocsp", "probe-response", "capwap", "ftm", "speed-test"})
_PORTS: dict[str, tuple[int, int]] = {
    "ssh": (PROTO_TCP, 22),
    "telnet": (PROTO_TCP, 23),
    "http": (PROTO_TCP, 80),
    "https": (PROTO_TCP, 443),
    "snmp": (PROTO_UDP, 161),
    "netconf": (PROTO_TCP, 830),
    "ftp": (PROTO_TCP, 21),
}


# -- shared helpers (also used by checks.l2) ------------------------------------------------


def evidence(device: str, spans: Iterable[SourceSpan], role: str) -> tuple[Evidence, ...]:
    """Evidence for the real config lines among ``spans`` (defaults have line 0)."""
    out: list[Evidence] = []
    seen: set[int] = set()
    for s in spans:
        if s.line > 0 and s.line not in seen:
            seen.add(s.line)
            out.append(span_evidence(device, s, role))
    return tuple(out)


def management_ref(policy: Policy) -> PolicyRef:
    """The policy's ``management`` section, or its zones when it has none."""
    if policy.data.management is not None:
        return policy_ref(policy, "management", id="management")
    return policy_ref(policy, "zones", id="zones")


class DeviceCheck:
    """A check that looks at one device at a time; subclasses implement ``device``."""

    meta: ClassVar[CheckMeta]

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Every device, in name order."""
        for name in sorted(ctx.analysis.devices):
            yield from self.device(ctx, ctx.analysis.devices[name])

    def device(self, ctx: CheckContext, dev: DeviceConfig) -> Iterator[Finding]:
        """Findings for one device."""
        raise NotImplementedError

    def ref(self, ctx: CheckContext) -> PolicyRef:
        """The policy entry findings are judged against."""
        return management_ref(ctx.analysis.policy)

    def finding(
        self,
        ctx: CheckContext,
        dev: DeviceConfig,
        message: Text,
        *,
        key: Iterable[str],
        spans: Iterable[SourceSpan] = (),
        role: str = "config",
        status: Status = Status.FAIL,
    ) -> Finding:
        """A finding about ``dev``; ``key`` (stable text) identifies it across line shifts."""
        return finding(
            self.meta,
            message,
            key=(dev.name, *key),
            status=status,
            device=dev.name,
            evidence=evidence(dev.name, spans, role),
            policy_ref=self.ref(ctx),
        )

    def not_applicable(self, ctx: CheckContext, dev: DeviceConfig, why: Text) -> Finding:
        """The device cannot be judged: the platform or its parser lacks the fact."""
        return self.finding(
            ctx, dev, why, key=("not_applicable", dev.platform), status=Status.NOT_APPLICABLE
        )


def _na_platform(what_ja: str, what_en: str, platform: str) -> Text:
    return Text(
        ja=f"{platform} の設定からは{what_ja}を判定できません（パーサが報告しない事実）。",
        en=f"{what_en} cannot be told from a {platform} configuration (not reported by its parser).",
    )


def _admin_services(dev: DeviceConfig) -> list[MgmtService]:
    return [s for s in dev.mgmt.services if s.enabled and s.protocol not in _NOT_ADMIN]


# -- MGT-001 ---------------------------------------------------------------------------------


def mgmt_sources(policy: Policy) -> tuple[IPNetwork, ...]:
    """Where administrators may connect from: the mgmt zones' networks and declared sources."""
    nets = [n for z in policy.zone_ids if policy.root(z) == "mgmt" for n in policy.zone_networks(z)]
    if policy.data.management is not None:
        nets.extend(_declared(policy, policy.data.management.allowed_admin_sources)[0])
    return tuple(dict.fromkeys(nets))


def _inside(net: IPNetwork, allowed: tuple[IPNetwork, ...]) -> bool:
    return any(
        net.version == a.version and net.subnet_of(a)  # type: ignore[arg-type]
        for a in allowed
    )


class RestrictedManagement(DeviceCheck):
    """MGT-001: management access is restricted to the ``mgmt`` zone.

    Every enabled management service (SSH, Telnet, HTTP(S), SNMP, NETCONF, FTP) must admit only
    sources inside the policy's ``mgmt`` zones (zones whose canonical root is ``mgmt``) and the
    ``management.allowed_admin_sources``. How the restriction is expressed differs by platform
    and is read from the parsed model:

    * a source list (FortiGate ``trusthost``, PAN-OS ``permitted-ip``, Yamaha ``telnetd host``
      / ``sshd host``, ASA ``ssh``/``http`` lines, AW+/AlaxalA permit-only vty ACLs): every
      listed network must lie inside the mgmt networks;
    * an ACL (IOS/NX-OS vty ``access-class``, ``ip http access-class``, NEC IX
      ``ssh-server ip access-list``): the ACL is evaluated exactly over packets to the service
      from outside the mgmt networks; any permitted one fails with that source as example;
      an undefined ACL is ``unknown``;
    * Junos: the input filter on ``lo0`` is evaluated the same way;
    * only an interface list (Junos host-inbound-traffic, Yamaha ``lan1``): every interface
      must be in a mgmt zone;
    * nothing: the service answers anyone who can reach the device — a failure.

    A policy without any mgmt zone or admin source makes the check ``not_applicable``.
    """

    meta = CheckMeta(
        id="MGT-001",
        family="management",
        title=Text(
            ja="機器の管理アクセスが管理セグメントに限定されていない",
            en="Management access not restricted to the management zone",
        ),
        severity=Severity.MEDIUM,
        basis=(BASIS_MGMT_ACCESS,),
        summary_ja="SSH・Telnet・HTTP(S)・SNMP などの管理サービスが、ポリシーの管理用ゾーン（mgmt）からの接続だけを受け付けることを確認します。",
        fix=Text(
            ja="vty の access-class、trusthost、permitted-ip、telnetd host などで管理用ネットワークだけを許可してください。",
            en="Limit each management service (vty access-class, trusthost, permitted-ip, telnetd host, ...) to the management network.",
        ),
        cis=("CIS Cisco NX-OS v1.1.0 1.2.1",),
    )

    def device(self, ctx: CheckContext, dev: DeviceConfig) -> Iterator[Finding]:
        """Each enabled service whose admitted sources reach outside the mgmt networks."""
        a = ctx.analysis
        allowed = mgmt_sources(a.policy)
        if not allowed:
            yield self.not_applicable(
                ctx,
                dev,
                Text(
                    ja="ポリシーに管理用ゾーン（mgmt）も management.allowed_admin_sources もないため判定できません。",
                    en="The policy declares no mgmt zone and no management.allowed_admin_sources.",
                ),
            )
            return
        for svc in _admin_services(dev):
            yield from self._service(ctx, dev, svc, allowed)

    def _service(
        self, ctx: CheckContext, dev: DeviceConfig, svc: MgmtService, allowed: tuple[IPNetwork, ...]
    ) -> Iterator[Finding]:
        proto = svc.protocol
        if svc.allowed_sources is not None:
            outside = [n for n in svc.allowed_sources if not _inside(n, allowed)]
            if outside:
                nets = ", ".join(str(n) for n in outside)
                yield self.finding(
                    ctx,
                    dev,
                    Text(
                        ja=f"{dev.name} の {proto} は管理用ネットワーク外の {nets} から接続できます。",
                        en=f"{dev.name}: {proto} admits {nets}, outside the management networks.",
                    ),
                    key=(proto, *sorted(str(n) for n in outside)),
                    spans=(svc.span,),
                )
            return
        acl = svc.acl
        spans: list[SourceSpan] = [svc.span]
        if acl is None:
            lo0 = [b for b in dev.bindings if b.interface in ("lo0", "lo0.0")]
            lo0 = [b for b in lo0 if b.direction is Direction.IN]
            if lo0:
                acl = lo0[0].filter
                spans.append(lo0[0].span)
        if acl is not None:
            yield from self._acl(ctx, dev, svc, acl, allowed, spans)
            return
        if svc.interfaces is not None:
            zones = self._zones(ctx.analysis, dev, svc.interfaces)
            bad = sorted(i for i, z in zones.items() if z != "mgmt")
            if bad:
                yield self.finding(
                    ctx,
                    dev,
                    Text(
                        ja=f"{dev.name} の {proto} は送信元を限定せず、管理用ゾーン外のインタフェース {', '.join(bad)} で受け付けます。",
                        en=f"{dev.name}: {proto} has no source restriction and listens on {', '.join(bad)}, outside the mgmt zone.",
                    ),
                    key=(proto, "interfaces", *bad),
                    spans=spans,
                )
            return
        yield self.finding(
            ctx,
            dev,
            Text(
                ja=f"{dev.name} の {proto} には接続元の制限がありません。",
                en=f"{dev.name}: {proto} accepts connections from any source.",
            ),
            key=(proto, "unrestricted"),
            spans=spans,
        )

    def _acl(
        self,
        ctx: CheckContext,
        dev: DeviceConfig,
        svc: MgmtService,
        acl: str,
        allowed: tuple[IPNetwork, ...],
        spans: list[SourceSpan],
    ) -> Iterator[Finding]:
        proto = svc.protocol
        flt = dev.filter(acl)
        if flt is None:
            yield self.finding(
                ctx,
                dev,
                Text(
                    ja=f"{dev.name} の {proto} を制限する ACL {acl} が定義されていないため判定できません。",
                    en=f"{dev.name}: ACL {acl} restricting {proto} is not defined; cannot tell.",
                ),
                key=(proto, "undefined", acl),
                spans=spans,
                status=Status.UNKNOWN,
            )
            return
        space = ctx.analysis.space
        question = space.all - space.src(allowed)
        if flt.family in (4, 6):
            # An IPv4 access-class says nothing about IPv6 sessions (ipv6 access-class does).
            question = question & space.family(flt.family)
        if proto in _PORTS:
            ip_proto, port = _PORTS[proto]
            question = question & space.services(
                (ServiceMatch(protocol=ip_proto, dst_ports=((port, port),)),)
            )
        fm = first_match(space, flt.rules, flt.default_action, within=question)
        w = fm.permitted.witness()
        if w is not None:
            deciding = [r.span for r in flt.rules if r.enabled and space.rule(r).contains(w)][:1]
            yield self.finding(
                ctx,
                dev,
                Text(
                    ja=f"{dev.name} の {proto} は ACL {acl} により管理用ネットワーク外から接続できます（例: 送信元 {w.src}）。",
                    en=f"{dev.name}: ACL {acl} lets {proto} in from outside the management networks (e.g. from {w.src}).",
                ),
                key=(proto, "acl", acl),
                spans=[*spans, *deciding],
            )
        elif fm.unresolved_rules:
            yield self.finding(
                ctx,
                dev,
                Text(
                    ja=f"{dev.name} の {proto} を制限する ACL {acl} に解決できない参照があるため判定できません。",
                    en=f"{dev.name}: ACL {acl} restricting {proto} references something unresolved; cannot tell.",
                ),
                key=(proto, "unresolved", acl),
                spans=[*spans, *(r.span for r in fm.unresolved_rules)],
                status=Status.UNKNOWN,
            )

    @staticmethod
    def _zones(a: NetworkAnalysis, dev: DeviceConfig, names: frozenset[str]) -> dict[str, str]:
        """Canonical zone of each named interface ('' when in none or several)."""
        out = dict.fromkeys(names, "")
        for name, z in a.zones_of_device(dev.name).items():
            if name in out:
                out[name] = a.policy.root(z) if z else ""
        return out


# -- MGT-002 / MGT-011 -----------------------------------------------------------------------


def _declared(policy: Policy, refs: list[str]) -> tuple[tuple[IPNetwork, ...], frozenset[str]]:
    """Declared servers as networks, plus the names that are not addresses (host names)."""
    nets: list[IPNetwork] = []
    names: set[str] = set()
    for ref in refs:
        try:
            nets.extend(policy.addresses([ref]))
        except (KeyError, ValueError):
            names.add(ref.lower())
    return tuple(nets), frozenset(names)


def _is_declared(host: str, nets: tuple[IPNetwork, ...], names: frozenset[str]) -> bool:
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return host.lower() in names
    return any(addr in n for n in nets)


class _ServerCheck(DeviceCheck):
    """Shared logic of the "sends to a central server" checks (syslog, NTP)."""

    what: ClassVar[tuple[str, str]]
    section: ClassVar[str]

    def hosts(self, dev: DeviceConfig) -> tuple[str, ...]:
        """The servers the device is configured with."""
        raise NotImplementedError

    def device(self, ctx: CheckContext, dev: DeviceConfig) -> Iterator[Finding]:
        """No server at all, or none of the policy's declared servers."""
        ja, en = self.what
        if dev.platform not in _REPORTS_LOGGING:
            yield self.not_applicable(
                ctx, dev, _na_platform(f"{ja}の設定", f"The {en}", dev.platform)
            )
            return
        hosts = self.hosts(dev)
        if not hosts:
            yield self.finding(
                ctx,
                dev,
                Text(ja=f"{dev.name} に{ja}が設定されていません。", en=f"{dev.name} has no {en}."),
                key=("none",),
            )
            return
        mp = ctx.analysis.policy.data.management
        refs = list(getattr(mp, self.section)) if mp is not None else []
        if not refs:
            return
        nets, names = _declared(ctx.analysis.policy, refs)
        if not any(_is_declared(h, nets, names) for h in hosts):
            listed = ", ".join(hosts)
            yield self.finding(
                ctx,
                dev,
                Text(
                    ja=f"{dev.name} の{ja}（{listed}）はポリシーで宣言されたサーバではありません。",
                    en=f"{dev.name}: its {en} ({listed}) is none of the servers the policy declares.",
                ),
                key=("undeclared", *sorted(hosts)),
            )


class CentralSyslog(_ServerCheck):
    """MGT-002: every device sends its log to a central syslog collector.

    Fails when the device has no remote syslog destination (IOS/NX-OS/ASA ``logging host``,
    FortiGate ``log syslogd setting``, PAN-OS syslog server profiles, Junos ``syslog host``,
    Yamaha ``syslog host``, NEC IX / AW+ / AlaxalA ``logging host``), or — when the policy lists
    ``management.syslog_servers`` — when none of its destinations is one of them. Local buffers
    do not count: the guideline asks for logs kept safe from tampering on the device. Linux
    (iptables-save) carries no logging settings: ``not_applicable``.
    """

    meta = CheckMeta(
        id="MGT-002",
        family="management",
        title=Text(ja="集中ログサーバへの syslog 送信がない", en="No central syslog"),
        severity=Severity.MEDIUM,
        basis=(BASIS_LOG,),
        summary_ja="各機器がログを集中ログサーバ（ポリシーの management.syslog_servers）へ送信していることを確認します。",
        fix=Text(
            ja="ポリシーで宣言した syslog サーバへのログ送信を設定してください。",
            en="Send the device's log to the syslog server(s) the policy declares.",
        ),
    )
    what = ("syslog 送信先", "remote syslog destination")
    section = "syslog_servers"

    def hosts(self, dev: DeviceConfig) -> tuple[str, ...]:
        """Remote syslog destinations."""
        return dev.mgmt.syslog_hosts


class TimeSync(_ServerCheck):
    """MGT-011: every device synchronises its clock by NTP.

    Fails when the device has no NTP server (IOS ``ntp server``, FortiGate ``system ntp``,
    PAN-OS ``ntp-servers``, Junos ``system ntp server``, Yamaha ``ntpdate ntpserver`` /
    ``schedule ... ntpdate``, ...), or — when the policy lists ``management.ntp_servers`` — when
    none of them is a declared server. Log timestamps from unsynchronised clocks cannot be
    correlated, which the guideline's 時刻同期 requirement is about. Linux (iptables-save):
    ``not_applicable``.
    """

    meta = CheckMeta(
        id="MGT-011",
        family="management",
        title=Text(ja="NTP による時刻同期がない", en="No NTP time synchronisation"),
        severity=Severity.MEDIUM,
        basis=(BASIS_TIME,),
        summary_ja="各機器が NTP で時刻を同期していること（ポリシーで宣言した NTP サーバがあればそれ）を確認します。",
        fix=Text(
            ja="ポリシーで宣言した NTP サーバとの時刻同期を設定してください。",
            en="Configure NTP with the server(s) the policy declares.",
        ),
    )
    what = ("NTP サーバ", "NTP server")
    section = "ntp_servers"

    def hosts(self, dev: DeviceConfig) -> tuple[str, ...]:
        """NTP servers."""
        return dev.mgmt.ntp_servers


# -- MGT-004 / MGT-013 -----------------------------------------------------------------------


class _SettingCheck(DeviceCheck):
    """Shared logic of the "this setting is on" checks (AAA, login banner).

    The parser reports the setting as on, off, or ``None`` (cannot tell); on the platforms in
    ``absent_means_off`` an unreported setting is the platform default, off.
    """

    absent_means_off: ClassVar[frozenset[str]]
    what: ClassVar[tuple[str, str]]
    missing: ClassVar[tuple[str, str]]
    key: ClassVar[str]

    def setting(self, dev: DeviceConfig) -> bool | None:
        """The setting as the parser reports it."""
        raise NotImplementedError

    def device(self, ctx: CheckContext, dev: DeviceConfig) -> Iterator[Finding]:
        """Setting off, or not applicable when the parser cannot tell."""
        on = self.setting(dev)
        if on is None and dev.platform in self.absent_means_off:
            on = False
        if on is None:
            yield self.not_applicable(ctx, dev, _na_platform(*self.what, dev.platform))
        elif not on:
            ja, en = self.missing
            yield self.finding(
                ctx,
                dev,
                Text(ja=ja.format(device=dev.name), en=en.format(device=dev.name)),
                key=(self.key,),
            )


class CentralAuthentication(_SettingCheck):
    """MGT-004: administrators authenticate through AAA (RADIUS/TACACS+), not only local users.

    Reads ``Management.aaa``: IOS/NX-OS ``aaa new-model`` with authentication lists (absent =
    the IOS default, no AAA), ASA ``aaa authentication``, Junos ``authentication-order`` with
    radius/tacplus, AW+ / AlaxalA ``aaa authentication login ... group`` (absent = local users
    only, the default), FortiGate admins with
    ``set remote-auth enable``, PAN-OS admins with an ``authentication-profile``. Platforms
    whose parser does not report it (Yamaha, NEC IX, Linux) are ``not_applicable``.
    """

    meta = CheckMeta(
        id="MGT-004",
        family="management",
        title=Text(
            ja="管理者認証に AAA（RADIUS/TACACS+）を使っていない", en="No AAA for administrators"
        ),
        severity=Severity.LOW,
        basis=(BASIS_ACCOUNT,),
        summary_ja="管理者のログインが AAA（RADIUS/TACACS+ などの集中認証）で行われていることを確認します。",
        fix=Text(
            ja="aaa new-model と RADIUS/TACACS+ による認証を設定し、ローカルユーザは非常用に限ってください。",
            en="Configure AAA with RADIUS/TACACS+; keep local users as a fallback only.",
        ),
        cis=("CIS Cisco IOS XE 17.x 1.1.1",),
    )

    absent_means_off = _AAA_ABSENT_MEANS_OFF
    what = ("AAA の設定", "AAA")
    missing = (
        "{device} は管理者認証に AAA を使っていません。",
        "{device} does not authenticate administrators through AAA.",
    )
    key = "no-aaa"

    def setting(self, dev: DeviceConfig) -> bool | None:
        """AAA for administrators."""
        return dev.mgmt.aaa


class LoginBanner(_SettingCheck):
    """MGT-013: a login banner warns that access is restricted to authorised staff.

    Reads ``Management.banner`` (IOS/NX-OS/ASA ``banner login|motd``, FortiGate
    ``pre-login-banner`` — default disable, PAN-OS ``login-banner`` — none by default, Junos
    ``login message``, AW+ / AlaxalA banners; absent on IOS/NX-OS = no banner). Platforms whose
    parser does not report it (Yamaha, NEC IX, Linux) are ``not_applicable``.
    """

    meta = CheckMeta(
        id="MGT-013",
        family="management",
        title=Text(ja="ログインバナーがない", en="No login banner"),
        severity=Severity.LOW,
        basis=(BASIS_ACCOUNT,),
        summary_ja="管理ログイン時に、権限のない利用を禁止する旨のバナーが表示されることを確認します。",
        fix=Text(
            ja="banner login などで不正利用禁止の警告文を設定してください。",
            en="Configure a login banner warning against unauthorised access.",
        ),
        cis=("CIS Cisco IOS XE 17.x 1.3.2", "CIS Cisco NX-OS v1.1.0 1.3.1"),
    )

    absent_means_off = _ABSENT_MEANS_OFF
    what = ("ログインバナー", "A login banner")
    missing = ("{device} にログインバナーがありません。", "{device} has no login banner.")
    key = "no-banner"

    def setting(self, dev: DeviceConfig) -> bool | None:
        """A login banner."""
        return dev.mgmt.banner


# -- MGT-005 / MGT-006 / MGT-012: insecure protocols -----------------------------------------


class _ProtocolCheck(DeviceCheck):
    """An enabled management service of one protocol is a finding."""

    protocol: ClassVar[str]

    def device(self, ctx: CheckContext, dev: DeviceConfig) -> Iterator[Finding]:
        """One finding per enabled service of ``protocol`` (per line that enables it)."""
        spans = [s.span for s in dev.mgmt.services if s.enabled and s.protocol == self.protocol]
        if not spans:
            return
        default = any(s.line == 0 for s in spans)
        where = ", ".join(str(s.line) for s in spans if s.line > 0) or "default"
        yield self.finding(
            ctx,
            dev,
            Text(
                ja=f"{dev.name} で {self.protocol} による管理アクセスが有効です（{'工場出荷時の既定' if default and where == 'default' else '行 ' + where}）。",
                en=f"{dev.name}: {self.protocol} management access is enabled ({'factory default' if default and where == 'default' else 'line ' + where}).",
            ),
            key=(self.protocol, *sorted({s.text.strip() for s in spans if s.line > 0})),
            spans=spans,
        )


class TelnetEnabled(_ProtocolCheck):
    """MGT-005: Telnet management is disabled.

    Telnet sends passwords in clear text. Fails for every enabled ``telnet`` service in the
    model. Platform defaults, as the parsers model them: IOS vty without ``transport input`` —
    the classic IOS default admits all protocols, Telnet included (the parser warns); Yamaha RTX
    ``telnetd service`` is on by factory default; AW+ Telnet is on unless ``no service telnet``;
    NX-OS ``feature telnet`` is off by default; PAN-OS Telnet is off unless enabled; NEC IX
    servers are off until ``telnet-server ip enable``.
    """

    meta = CheckMeta(
        id="MGT-005",
        family="management",
        title=Text(ja="Telnet による管理アクセスが有効", en="Telnet management enabled"),
        severity=Severity.MEDIUM,
        basis=(BASIS_PROTOCOL,),
        summary_ja="平文でパスワードが流れる Telnet による管理アクセスが無効になっていることを確認します。",
        fix=Text(
            ja="transport input ssh、no service telnet、telnetd service off などで Telnet を無効にし、SSH を使ってください。",
            en="Disable Telnet (transport input ssh, no service telnet, telnetd service off, ...) and use SSH.",
        ),
        cis=("CIS Cisco NX-OS v1.1.0 1.2.7",),
    )
    protocol = "telnet"


class HttpEnabled(_ProtocolCheck):
    """MGT-006: plain-HTTP management is disabled.

    Fails for every enabled ``http`` management service: IOS ``ip http server`` (only when the
    running configuration shows it — IOS lists the non-default state of the HTTP server
    explicitly), FortiGate ``allowaccess http``, PAN-OS ``disable-http no`` / management
    profile ``http``, AW+ (HTTP service on by default), NEC IX ``http-server ip enable``,
    Linux INPUT rules accepting TCP/80.
    """

    meta = CheckMeta(
        id="MGT-006",
        family="management",
        title=Text(
            ja="HTTP（非暗号化）による管理アクセスが有効", en="Plain HTTP management enabled"
        ),
        severity=Severity.MEDIUM,
        basis=(BASIS_PROTOCOL,),
        summary_ja="暗号化されない HTTP による管理画面へのアクセスが無効になっていることを確認します。",
        fix=Text(
            ja="no ip http server、allowaccess から http を外すなどで HTTP を無効にし、HTTPS を使ってください。",
            en="Disable HTTP management (no ip http server, remove http from allowaccess, ...) and use HTTPS.",
        ),
    )
    protocol = "http"


class SshVersion1(DeviceCheck):
    """MGT-012: SSH protocol version 1 is not allowed.

    IOS without ``ip ssh version 2`` runs SSH "1.99" (both versions) — the IOS default — so an
    enabled SSH vty without that line fails. AlliedWare Plus accepts ``v1v2`` unless
    ``ssh server v2only`` (default documented in the AW+ 5.4 command reference; later releases
    may have dropped SSHv1 — pin it anyway). NX-OS, FortiOS, PAN-OS, Junos and Yamaha RT offer
    SSHv2 only and pass. Other platforms, whose parsers do not report the SSH version, are
    ``not_applicable`` when SSH is enabled.
    """

    meta = CheckMeta(
        id="MGT-012",
        family="management",
        title=Text(ja="SSH バージョン1が許可されている", en="SSH version 1 allowed"),
        severity=Severity.MEDIUM,
        basis=(BASIS_PROTOCOL,),
        summary_ja="脆弱な SSH バージョン1での接続が許可されていないことを確認します。",
        fix=Text(
            ja="ip ssh version 2（AW+ は ssh server v2only）を設定してください。",
            en="Configure 'ip ssh version 2' (AW+: 'ssh server v2only').",
        ),
        cis=("CIS Cisco IOS XE 17.x 2.1.1.2",),
        platforms=_covers(_REPORTS_SSH_VERSION),
    )

    def device(self, ctx: CheckContext, dev: DeviceConfig) -> Iterator[Finding]:
        """SSH enabled without version 2 pinned (IOS); not applicable where not reported."""
        ssh = [s for s in dev.mgmt.services if s.enabled and s.protocol == "ssh"]
        if not ssh or dev.platform in _SSH2_ONLY:
            return
        if dev.platform not in _SSH_VERSION_RECORDED:
            yield self.not_applicable(
                ctx,
                dev,
                _na_platform("SSH のプロトコルバージョン", "The SSH version", dev.platform),
            )
            return
        if all(s.version == "2" for s in ssh):
            return
        pin, default = _SSH_PIN[dev.platform]
        yield self.finding(
            ctx,
            dev,
            Text(
                ja=f"{dev.name} は {pin} がなく、SSH バージョン1も受け付けます（既定 {default}）。",
                en=f"{dev.name} has no '{pin}' and accepts SSH version 1 (default {default}).",
            ),
            key=("ssh-v1",),
            spans=[s.span for s in ssh],
        )


# -- MGT-007 / MGT-008 / MGT-009: SNMP -------------------------------------------------------


class _SnmpCheck(DeviceCheck):
    """Communities matching ``hit`` are findings; Linux has no SNMP facts."""

    def hit(self, guessable: bool, write: bool) -> bool:
        """Whether a community with these properties is a finding."""
        raise NotImplementedError

    message: ClassVar[tuple[str, str]]

    def device(self, ctx: CheckContext, dev: DeviceConfig) -> Iterator[Finding]:
        """One finding per device listing every offending community line."""
        if dev.platform not in _REPORTS_SNMP:
            yield self.not_applicable(ctx, dev, _na_platform("SNMP の設定", "SNMP", dev.platform))
            return
        bad = [c for c in dev.mgmt.snmp_communities if self.hit(c.guessable, c.write)]
        if not bad:
            return
        ja, en = self.message
        yield self.finding(
            ctx,
            dev,
            Text(ja=f"{dev.name}: {ja}（{len(bad)} 件）。", en=f"{dev.name}: {en} ({len(bad)})."),
            key=tuple(sorted(c.digest for c in bad)),
            spans=[c.span for c in bad],
            role="snmp community (value redacted)",
        )


class SnmpV2c(_SnmpCheck):
    """MGT-007: no SNMP v1/v2c communities.

    SNMP v1/v2c authenticate by a community string sent in clear; SNMPv3 with authPriv should be
    used. Any configured community (IOS/NX-OS/ASA ``snmp-server community``, FortiGate
    ``system snmp community``, PAN-OS v2c access settings, Junos ``snmp community``, Yamaha
    ``snmp community``, NEC IX ``snmp-agent ip community``, AW+ / AlaxalA
    ``snmp-server community``) fails. The value is never shown. Linux (iptables-save) carries
    no SNMP settings: ``not_applicable`` (likewise for MGT-008 and MGT-009).
    """

    meta = CheckMeta(
        id="MGT-007",
        family="management",
        title=Text(ja="SNMP v1/v2c（コミュニティ認証）が有効", en="SNMP v1/v2c enabled"),
        severity=Severity.LOW,
        basis=(BASIS_PROTOCOL,),
        summary_ja="平文のコミュニティ名で認証する SNMP v1/v2c が使われていないことを確認します。",
        fix=Text(
            ja="SNMPv3（authPriv）に移行し、コミュニティを削除してください。",
            en="Move to SNMPv3 (authPriv) and remove the communities.",
        ),
    )
    message = ("SNMP v1/v2c のコミュニティが設定されています", "SNMP v1/v2c communities configured")

    def hit(self, guessable: bool, write: bool) -> bool:
        """Every community."""
        return True


class GuessableCommunity(_SnmpCheck):
    """MGT-008: no default or guessable SNMP community (public, private, ...).

    A community is guessable when its value (compared case-insensitively at parse time, then
    discarded) is one of netaudit.model.DEFAULT_COMMUNITIES: public, private, community, snmp,
    cisco, admin.
    """

    meta = CheckMeta(
        id="MGT-008",
        family="management",
        title=Text(ja="推測可能な SNMP コミュニティ名", en="Guessable SNMP community"),
        severity=Severity.HIGH,
        basis=(BASIS_PROTOCOL, BASIS_ACCOUNT),
        summary_ja="public・private などの既定値や推測しやすい SNMP コミュニティ名が使われていないことを確認します。",
        fix=Text(
            ja="コミュニティを削除して SNMPv3 に移行するか、推測できない値に変更してください。",
            en="Remove the community (SNMPv3), or change it to an unguessable value.",
        ),
        cis=("CIS Cisco NX-OS v1.1.0 1.5.1",),
    )
    message = ("既定値など推測可能な SNMP コミュニティがあります", "guessable SNMP community")

    def hit(self, guessable: bool, write: bool) -> bool:
        """Guessable communities."""
        return guessable


class SnmpWrite(_SnmpCheck):
    """MGT-009: no SNMP community grants write access.

    A read-write community (IOS ``RW``, NX-OS ``group network-admin`` / ``rw``, Junos
    ``authorization read-write``, NEC IX ``rw``, ...) lets anyone who knows it reconfigure the
    device. The ASA's agent is read-only and never fails.
    """

    meta = CheckMeta(
        id="MGT-009",
        family="management",
        title=Text(ja="SNMP の書き込み権限", en="SNMP write access"),
        severity=Severity.MEDIUM,
        basis=(BASIS_MGMT_ACCESS,),
        summary_ja="SNMP コミュニティに書き込み（RW）権限が与えられていないことを確認します。",
        fix=Text(
            ja="RW コミュニティを削除し、読み取り専用（RO）にしてください。",
            en="Remove read-write communities; use read-only.",
        ),
    )
    message = ("書き込み可能な SNMP コミュニティがあります", "read-write SNMP community")

    def hit(self, guessable: bool, write: bool) -> bool:
        """Read-write communities."""
        return write


# -- MGT-010 ---------------------------------------------------------------------------------

_WEAK = {
    CredentialStorage.PLAIN: ("平文", "clear text"),
    CredentialStorage.REVERSIBLE: ("復号可能な形式", "reversible form"),
    CredentialStorage.NONE: ("パスワードなし", "no password"),
}


class WeakPasswordStorage(DeviceCheck):
    """MGT-010: passwords are stored hashed, and every account has one.

    Fails for every credential the parser reports as stored in clear (IOS type 0 and
    ``enable password`` without ``service password-encryption``, Yamaha ``login password``
    without ``encrypted``, Junos ``plain-text-password``, NX-OS ``password 0``), in a reversible
    form (IOS/NX-OS type 7), or absent (FortiGate admin without a password, PAN-OS user without
    a hash, ASA ``nopassword``, Yamaha ``login user`` without one). AlaxalA keeps passwords
    outside the running configuration and Linux has none: ``not_applicable``.
    """

    meta = CheckMeta(
        id="MGT-010",
        family="management",
        title=Text(
            ja="パスワードが平文・復号可能な形式で保存されている、またはパスワードがない",
            en="Password stored in clear or reversible form, or missing",
        ),
        severity=Severity.MEDIUM,
        basis=(BASIS_ACCOUNT,),
        summary_ja="設定内のパスワードがハッシュで保存され、パスワードのないアカウントがないことを確認します。",
        fix=Text(
            ja="enable secret / username secret（type 8/9）など、ハッシュで保存する形式で設定し直してください。",
            en="Re-enter the passwords in a hashed form (enable secret, username secret type 8/9, ...).",
        ),
    )

    def device(self, ctx: CheckContext, dev: DeviceConfig) -> Iterator[Finding]:
        """One finding per weak credential line."""
        if dev.platform not in _REPORTS_CREDENTIALS:
            yield self.not_applicable(
                ctx, dev, _na_platform("パスワードの保存形式", "Password storage", dev.platform)
            )
            return
        for c in dev.mgmt.credentials:
            if c.storage not in _WEAK:
                continue
            ja, en = _WEAK[c.storage]
            who = f"{c.kind}{' ' + c.user if c.user else ''}"
            yield self.finding(
                ctx,
                dev,
                Text(
                    ja=f"{dev.name} の {who} のパスワードが{ja}です。",
                    en=f"{dev.name}: the password of {who} is stored in {en}."
                    if c.storage is not CredentialStorage.NONE
                    else f"{dev.name}: {who} has no password.",
                ),
                key=(c.kind, c.user or "", c.storage.value),
                spans=(c.span,),
                role="credential (value redacted)",
            )
