"""A synthetic municipal network of N devices, for the end-to-end audit benchmark.

The city grows the way real ones do: per segment (マイナンバー利用事務系 / LGWAN接続系 /
インターネット接続系) one core L3 switch, or two from 300 devices on, with an SVI per
department VLAN and a management VLAN; many L2 floor switches trunked to the core; branch
routers (NEC IX and Cisco IOS in turn) with static routes back to the core. Between the
segments sit two IOS boundary routers with long extended ACLs (object groups, remarks,
50-2,000 entries as the city grows), an LGWAN router (Yamaha RTX) towards the LGWAN-SS, and an
Internet FortiGate towards the prefecture's security cloud with policies, source NAT and a VIP.
Routes are consistent, so packets have paths of three to six hops, e.g. a マイナンバー系 branch
→ core → boundary router → LGWAN core → LGWAN router → LGWAN-SS.

Everything comes from the seed: the same ``(n_devices, seed)`` gives the same bytes.

A handful of deviations are planted (``plant=True``, the default) and listed in
``planted.json`` beside the snapshot, each with the device, file, line, config text and the
checks expected to report it end to end. The same file lists traps: lines that look like
deviations but are none (a disabled allow-all policy, an unbound pass-all filter, and a
permit-all that a device upstream makes unreachable, which only an end-to-end analysis can
tell). With NAT an eighth deviation is a VIP that opens RDP from the whole Internet to an
internal server: only an analysis that follows the destination NAT sees it. With ``plant=False`` the city is clean: no planted lines and no traps, so every
crossing is one the policy declares. ``nat=False`` writes the FortiGate without source NAT
and VIP (the same flows, untranslated).

Addresses: inside the city 10.0.0.0/8 (segments) and 172.16.0.0/12 (management); outside it
the documentation ranges of RFC 5737 (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24).

Usage::

    python benchmarks/synth_city.py --devices 200 --seed 1 --out /tmp/city200
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

IPv4Net = ipaddress.IPv4Network
IPv4If = ipaddress.IPv4Interface

DEPARTMENTS = (
    "市民課",
    "税務課",
    "保険年金課",
    "福祉課",
    "子育て支援課",
    "介護保険課",
    "総務課",
    "財政課",
    "企画課",
    "情報政策課",
    "建設課",
    "上下水道課",
    "教育総務課",
    "会計課",
    "議会事務局",
    "選挙管理委員会",
    "農林課",
    "商工観光課",
    "環境課",
    "防災危機管理課",
    "都市計画課",
    "健康推進課",
    "生活支援課",
    "障害福祉課",
    "固定資産税課",
    "収納課",
    "人事課",
    "契約課",
    "文化スポーツ課",
    "学校教育課",
)


@dataclass(frozen=True)
class Segment:
    """One of the three segments of 三層の対策."""

    key: str  # short name used in hostnames
    zone: str  # policy zone id
    label: str
    index: int  # 1, 2, 3: second octet 10*index, VLAN 1000*index, mgmt 172.16.8*index.0/21

    @property
    def hq(self) -> IPv4Net:
        """The head office's networks (departments, servers, transit links)."""
        return IPv4Net(f"10.{10 * self.index}.0.0/16")

    @property
    def branches(self) -> IPv4Net:
        """The branch offices' networks."""
        return IPv4Net(f"10.{10 * self.index + 1}.0.0/16")

    @property
    def both(self) -> IPv4Net:
        """Head office and branches (a /15)."""
        return IPv4Net(f"10.{10 * self.index}.0.0/15")

    @property
    def mgmt(self) -> IPv4Net:
        """The segment's management VLAN subnet."""
        return IPv4Net(f"172.16.{8 * self.index}.0/21")

    @property
    def mgmt_vlan(self) -> int:
        """The segment's management VLAN."""
        return 900 + self.index

    def dept_net(self, i: int) -> IPv4Net:
        """Department ``i`` (1-based) subnet."""
        return IPv4Net(f"10.{10 * self.index}.{i}.0/24")

    def dept_vlan(self, i: int) -> int:
        """Department ``i`` VLAN."""
        return 1000 * self.index + i

    @property
    def servers(self) -> IPv4Net:
        """The server VLAN subnet."""
        return IPv4Net(f"10.{10 * self.index}.250.0/24")

    @property
    def server_vlan(self) -> int:
        """The server VLAN."""
        return 1000 * self.index + 250

    def transit(self, n: int) -> IPv4Net:
        """The n-th /30 transit link of the head office."""
        return IPv4Net(f"10.{10 * self.index}.255.{4 * n}/30")

    def branch_link(self, b: int) -> IPv4Net:
        """Branch ``b``'s /30 link to the core."""
        base = int(IPv4Net(f"10.{10 * self.index + 1}.252.0/22").network_address)
        return IPv4Net((base + 4 * b, 30))

    def branch_lan(self, b: int) -> IPv4Net:
        """Branch ``b``'s LAN."""
        return IPv4Net(f"10.{10 * self.index + 1}.{b + 1}.0/24")


MYN = Segment("myn", "mynumber", "マイナンバー利用事務系", 1)
LGW = Segment("lgw", "lgwan", "LGWAN接続系", 2)
INET = Segment("inet", "internet", "インターネット接続系", 3)
SEGMENTS = (MYN, LGW, INET)

# Outside the city (RFC 5737 documentation ranges).
LGWAN_WAN = (IPv4Net("198.51.100.0/24"), IPv4Net("192.0.2.0/28"))
SEC_CLOUD = (IPv4Net("203.0.113.0/25"), IPv4Net("192.0.2.16/28"))
LGWAN_SS_GW = ipaddress.IPv4Address("192.0.2.1")
LGWAN_RTR_WAN = IPv4If("192.0.2.2/28")
FGT_WAN = IPv4If("192.0.2.18/28")
SEC_CLOUD_GW = ipaddress.IPv4Address("192.0.2.17")
FGT_VIP_MAIL = ipaddress.IPv4Address("192.0.2.20")
FGT_VIP_VENDOR = ipaddress.IPv4Address("192.0.2.21")

# Hosts.
ELTAX_CLIENT, CHUKAN_CLIENT, PITTARI_CLIENT = "10.10.250.20", "10.10.250.21", "10.10.250.22"
ELTAX, CHUKAN, PITTARI = "198.51.100.10", "198.51.100.20", "198.51.100.30"
MYN_ASP_CLIENTS = IPv4Net("10.10.250.128/25")
LGWAN_ASP_FOR_MYN = IPv4Net("198.51.100.128/25")
MYN_VDI = "10.10.250.50"
LGWAN_MAIL, LGWAN_DNS, LGWAN_FILE = "10.20.250.25", "10.20.250.53", "10.20.250.30"
LGWAN_VDI = IPv4Net("10.20.250.64/26")
SS_MAIL, SS_DNS = "198.51.100.25", "198.51.100.53"
SANITIZER, INET_DNS = "10.30.250.25", "10.30.250.53"
VENDOR_SERVER = "10.30.250.80"
PREF_PROXY, PREF_SMTP, PREF_DNS = "203.0.113.10", "203.0.113.25", "203.0.113.53"
GUEST_VLAN = 4000  # a VLAN no zone declares (planted)


@dataclass
class Planted:
    """One planted deviation: where it is and what must report it."""

    id: str
    device: str
    file: str
    line: int
    text: str
    checks: list[str]
    zone_from: str | None
    zone_to: str | None
    description: str


@dataclass
class Trap:
    """A line that looks like a deviation but is none: no flow check may report it."""

    id: str
    device: str
    file: str
    line: int
    text: str
    description: str
    end_to_end: bool


@dataclass
class Config:
    """A device's config being written, line by line."""

    name: str
    platform: str
    file: str
    host: str
    segment: str
    role: str
    lines: list[str] = field(default_factory=list)
    marks: dict[str, int] = field(default_factory=dict)

    def add(self, *lines: str) -> None:
        """Append lines."""
        self.lines.extend(lines)

    def mark(self, plant_id: str, line: str) -> None:
        """Append a line and remember its number for a planted deviation."""
        self.lines.append(line)
        self.marks[plant_id] = len(self.lines)


@dataclass(frozen=True)
class Plan:
    """How many of each thing a city of N devices has."""

    n_devices: int
    depts: int
    two_cores: bool
    branches: dict[str, int]
    access: dict[str, int]
    acl_entries: int


def plan(n_devices: int) -> Plan:
    """Split N devices into cores, boundaries, branches and floor switches."""
    if n_devices < 12:
        raise ValueError("a city needs at least 12 devices")
    two_cores = n_devices >= 300
    fixed = 4 + (6 if two_cores else 3)  # 2 IOS boundaries, Yamaha, FortiGate + cores
    n_branch = min(max(2, n_devices // 25), 3 * 200)
    branches = {
        s.key: n_branch // 3 + (1 if i < n_branch % 3 else 0) for i, s in enumerate(SEGMENTS)
    }
    n_access = n_devices - fixed - n_branch
    access = {s.key: n_access // 3 + (1 if i < n_access % 3 else 0) for i, s in enumerate(SEGMENTS)}
    depts = min(max(4 + n_devices // 20, 4), 200)
    return Plan(
        n_devices=n_devices,
        depts=depts,
        two_cores=two_cores,
        branches=branches,
        access=access,
        acl_entries=min(max(n_devices, 50), 2000),
    )


# -- address formatting ---------------------------------------------------------------------


def ios_net(net: IPv4Net | str) -> str:
    """IOS ACL address: ``host a.b.c.d`` or ``a.b.c.d wildcard``."""
    n = IPv4Net(net)
    if n.prefixlen == 32:
        return f"host {n.network_address}"
    if n.prefixlen == 0:
        return "any"
    return f"{n.network_address} {n.hostmask}"


def ios_ifaddr(itf: IPv4If) -> str:
    """``ip address a.b.c.d m.m.m.m``."""
    return f" ip address {itf.ip} {itf.netmask}"


def host_in(net: IPv4Net, n: int) -> IPv4If:
    """The n-th address of ``net`` with its prefix."""
    return IPv4If((int(net.network_address) + n, net.prefixlen))


def dept_name(i: int) -> str:
    """A department's Japanese name (numbered beyond the list)."""
    base = DEPARTMENTS[(i - 1) % len(DEPARTMENTS)]
    rnd = (i - 1) // len(DEPARTMENTS)
    return base if rnd == 0 else f"{base}（第{rnd + 1}庁舎）"


def ios_header(c: Config, title: str, *, routing: bool) -> None:
    """The common head of an IOS config."""
    c.add(
        "!",
        f"! {title}",
        "!",
        "version 17.6",
        "service timestamps log datetime msec",
        "service password-encryption",
        f"hostname {c.name}",
        "!",
        "enable secret 9 $9$c3ludGhTYWx0$Qw1Er3Ty5Ui7Op9As1Df3Gh5Jk7Lz9Xc1Vb3Nm5Qw7",
        "username admin privilege 15 secret 9 $9$c3ludGhVc2Vy$Zz1Yy3Xx5Ww7Vv9Uu1Tt3Ss5Rr7Qq9Pp1Oo3",
        "aaa new-model",
        "ip routing" if routing else "no ip routing",
        "no ip domain lookup",
        "!",
    )


def ios_footer(c: Config, seg: Segment) -> None:
    """Management lines shared by every IOS device."""
    syslog = host_in(seg.mgmt, 10).ip
    c.add(
        "ip access-list standard MGMT-ONLY",
        f" permit {seg.mgmt.network_address} {seg.mgmt.hostmask}",
        " deny   any log",
        "!",
        "ip ssh version 2",
        "no ip http server",
        "no ip http secure-server",
        f"logging host {syslog}",
        f"ntp server {host_in(seg.mgmt, 11).ip}",
        "banner motd ^C",
        "許可された管理者以外の接続を禁止します。",
        "^C",
        "!",
        "line con 0",
        "line vty 0 4",
        " access-class MGMT-ONLY in",
        " transport input ssh",
        "!",
        "end",
    )


def port_name(k: int) -> str:
    """The k-th (0-based) copper port of a stack of 48-port members."""
    return f"GigabitEthernet{k // 48 + 1}/0/{k % 48 + 1}"


# -- the city -------------------------------------------------------------------------------


@dataclass
class City:
    """Everything generated: configs, planted deviations and the numbers behind them."""

    plan: Plan
    seed: int
    plant_on: bool = True
    nat_on: bool = True
    configs: list[Config] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)
    pending: list[tuple[str, str, list[str], str | None, str | None, str]] = field(
        default_factory=list
    )
    pending_traps: list[tuple[str, str, str, bool]] = field(default_factory=list)
    traps: list[Trap] = field(default_factory=list)

    def trap(self, c: Config, tid: str, line: str, description: str, *, end_to_end: bool) -> None:
        """Write a trap line into ``c``: it looks like a deviation but is none.

        ``end_to_end``: only an end-to-end analysis can tell (another device blocks it).
        """
        c.mark(tid, line)
        self.pending_traps.append((tid, c.name, description, end_to_end))

    def plant(
        self,
        c: Config,
        pid: str,
        line: str,
        checks: list[str],
        zone_from: str | None,
        zone_to: str | None,
        description: str,
    ) -> None:
        """Write a planted line into ``c`` and record it."""
        c.mark(pid, line)
        self.pending.append((pid, c.name, checks, zone_from, zone_to, description))


def _core_names(seg: Segment, p: Plan) -> list[str]:
    return [f"{seg.key}-core1"] + ([f"{seg.key}-core2"] if p.two_cores else [])


def _dept_core(p: Plan, i: int) -> int:
    """Which core (0 or 1) holds department ``i``'s SVI."""
    return (i - 1) % 2 if p.two_cores else 0


def _mgmt_acls(c: Config, seg: Segment) -> None:
    c.add(
        "ip access-list extended MGMT-IN",
        " remark 管理端末から機器への SSH・SNMP のみ",
        f" 10 permit tcp {ios_net(seg.mgmt)} {ios_net(seg.both)} eq 22",
        f" 20 permit udp {ios_net(seg.mgmt)} {ios_net(seg.both)} eq snmp",
        " 30 deny ip any any log",
        "ip access-list extended MGMT-OUT",
        " remark 管理VLANへは戻りの通信のみ",
        f" 10 permit tcp {ios_net(seg.both)} {ios_net(seg.mgmt)} established",
        " 20 deny ip any any log",
        "!",
    )


def build_core(
    city: City, seg: Segment, which: int, access_of: dict[int, list[int]], rng: random.Random
) -> Config:
    """A core L3 switch: department SVIs, trunks to its floor switches, routed uplinks."""
    p = city.plan
    name = _core_names(seg, p)[which]
    mgmt_ip = host_in(seg.mgmt, 1 + which)
    c = Config(name, "cisco_ios", f"{name}.cfg", str(mgmt_ip.ip), seg.zone, "core")
    ios_header(c, f"架空市 {seg.label} コアスイッチ{which + 1}", routing=True)
    depts = [i for i in range(1, p.depts + 1) if _dept_core(p, i) == which]
    vlans = [(seg.dept_vlan(i), f"{seg.key.upper()}-D{i:03d}") for i in depts]
    if which == 0:
        vlans.append((seg.server_vlan, f"{seg.key.upper()}-SERVERS"))
    vlans.append((seg.mgmt_vlan, "MGMT"))
    for vid, vname in vlans:
        c.add(f"vlan {vid}", f" name {vname}")
    if seg is MYN and which == 0 and city.plant_on:
        c.add(f"vlan {INET.dept_vlan(240)}", " name INET-TEMP")
    c.add("!")
    k = 0
    for sw_index, sw_depts in sorted(access_of.items()):
        allowed = ",".join(str(seg.dept_vlan(i)) for i in sw_depts)
        c.add(
            f"interface {port_name(k)}",
            f" description {seg.key}-acc{sw_index:03d} へのトランク",
            f" switchport trunk allowed vlan {allowed},{seg.mgmt_vlan}",
            " switchport mode trunk",
            "!",
        )
        k += 1
    if which == 0:
        c.add(
            f"interface {port_name(k)}",
            " description 業務サーバ群（サーバVLAN）",
            f" switchport access vlan {seg.server_vlan}",
            " switchport mode access",
            *(
                (" switchport port-security", " switchport port-security maximum 8")
                if seg is MYN
                else ()
            ),
            "!",
        )
        k += 1
    if p.two_cores:
        c.add(
            f"interface {port_name(k)}",
            f" description {_core_names(seg, p)[1 - which]} 管理VLAN 連絡",
            f" switchport trunk allowed vlan {seg.mgmt_vlan}",
            " switchport mode trunk",
            "!",
        )
        k += 1
    if seg is MYN and which == 0 and city.plant_on:
        c.add(
            f"interface {port_name(k)}",
            " description 作業用（一時）",
            f" switchport access vlan {INET.dept_vlan(240)}",
            " switchport mode access",
            "!",
        )
        k += 1
    # Routed ports: the segment boundary (core1), the core-to-core link and branch links.
    te = 1
    if which == 0:
        up = {MYN: (MYN.transit(0), 1, "myn-lg-rtr"), LGW: (LGW.transit(0), 2, "myn-lg-rtr")}
        links: list[tuple[IPv4Net, int, str]] = []
        if seg in up:
            links.append(up[seg])
        if seg is LGW:
            links += [(LGW.transit(1), 1, "lgwan-rtr"), (LGW.transit(2), 1, "lg-inet-rtr")]
        if seg is INET:
            links += [(INET.transit(0), 2, "lg-inet-rtr"), (INET.transit(1), 1, "inet-fgt")]
        for net, n, peer in links:
            c.add(
                f"interface TenGigabitEthernet1/1/{te}",
                f" description {peer} へ",
                " no switchport",
                ios_ifaddr(host_in(net, n)),
                "!",
            )
            te += 1
    if p.two_cores:
        c.add(
            f"interface TenGigabitEthernet1/1/{te}",
            f" description {_core_names(seg, p)[1 - which]} へ（コア間）",
            " no switchport",
            ios_ifaddr(host_in(seg.transit(63), 1 + which)),
            "!",
        )
        te += 1
    my_branches = [b for b in range(p.branches[seg.key]) if b % (2 if p.two_cores else 1) == which]
    for b in my_branches:
        c.add(
            f"interface {port_name(k)}",
            f" description {seg.key}-br{b + 1:02d} 支所 閉域回線",
            " no switchport",
            ios_ifaddr(host_in(seg.branch_link(b), 1)),
            "!",
        )
        k += 1
    for i in depts:
        c.add(
            f"interface Vlan{seg.dept_vlan(i)}",
            f" description {dept_name(i)} 端末",
            ios_ifaddr(host_in(seg.dept_net(i), 1)),
            " no ip redirects",
            " no ip proxy-arp",
            "!",
        )
    if which == 0:
        c.add(
            f"interface Vlan{seg.server_vlan}",
            f" description {seg.label} サーバ",
            ios_ifaddr(host_in(seg.servers, 1)),
            "!",
        )
    if seg is MYN and which == 0 and city.plant_on:
        city.plant(
            c,
            "P3-MYN-INET-SVI",
            f"interface Vlan{INET.dept_vlan(240)}",
            ["MYN-001", "SEP-002"],
            "mynumber",
            "internet",
            "an Internet-segment SVI added 'for temporary work' on the マイナンバー系 core: "
            "routed, unfiltered",
        )
        c.add(
            " description 作業用に一時追加（インターネット接続系）",
            ios_ifaddr(host_in(INET.dept_net(240), 1)),
            "!",
        )
    c.add(
        f"interface Vlan{seg.mgmt_vlan}",
        " description 管理用",
        ios_ifaddr(mgmt_ip),
        " ip access-group MGMT-IN in",
        " ip access-group MGMT-OUT out",
        "!",
    )
    # Routes.
    if which == 0:
        default = {
            MYN: host_in(MYN.transit(0), 2).ip,
            LGW: None,
            INET: host_in(INET.transit(1), 2).ip,
        }[seg]
        if default is not None:
            c.add(f"ip route 0.0.0.0 0.0.0.0 {default}")
        if seg is LGW:
            c.add(
                f"ip route {MYN.both.network_address} {MYN.both.netmask} {host_in(LGW.transit(0), 1).ip}",
                f"ip route {INET.both.network_address} {INET.both.netmask} {host_in(LGW.transit(2), 2).ip}",
            )
            for net in LGWAN_WAN:
                c.add(
                    f"ip route {net.network_address} {net.netmask} {host_in(LGW.transit(1), 2).ip}"
                )
        if seg is INET:
            c.add(
                f"ip route {LGW.both.network_address} {LGW.both.netmask} {host_in(INET.transit(0), 1).ip}"
            )
        if p.two_cores:
            core2_ip = host_in(seg.transit(63), 2).ip
            for i in range(1, p.depts + 1):
                if _dept_core(p, i) == 1:
                    net = seg.dept_net(i)
                    c.add(
                        f"ip route {net.network_address} {net.netmask} {core2_ip} name {seg.key.upper()}-D{i:03d}"
                    )
    else:
        c.add(f"ip route 0.0.0.0 0.0.0.0 {host_in(seg.transit(63), 1).ip}")
    for b in my_branches:
        lan = seg.branch_lan(b)
        c.add(
            f"ip route {lan.network_address} {lan.netmask} {host_in(seg.branch_link(b), 2).ip} name BR{b + 1:02d}"
        )
    c.add("!")
    _mgmt_acls(c, seg)
    ios_footer(c, seg)
    return c


def build_access(city: City, seg: Segment, sw: int, depts: list[int], rng: random.Random) -> Config:
    """An L2 floor switch: access ports in department VLANs, a trunk to the core."""
    name = f"{seg.key}-acc{sw:03d}"
    mgmt = host_in(seg.mgmt, 10 + sw + 10)
    c = Config(name, "cisco_ios", f"{name}.cfg", str(mgmt.ip), seg.zone, "access")
    ios_header(c, f"架空市 {seg.label} フロアスイッチ（{dept_name(depts[0])}）", routing=False)
    for i in depts:
        c.add(f"vlan {seg.dept_vlan(i)}", f" name {seg.key.upper()}-D{i:03d}")
    c.add(f"vlan {seg.mgmt_vlan}", " name MGMT", "!")
    ports = 48 if rng.random() < 0.7 else 24
    guest = city.plant_on and seg is LGW and sw == 1
    for k in range(ports - 1):
        i = depts[k * len(depts) // (ports - 1)]
        if guest and k == ports - 2:
            city.plant(
                c,
                "P4-GUEST-AP",
                f"interface {port_name(k)}",
                ["SEP-001"],
                None,
                None,
                f"a guest access point in VLAN {GUEST_VLAN}, which belongs to no zone",
            )
            c.add(
                " description 来庁者用 無線AP（暫定）",
                f" switchport access vlan {GUEST_VLAN}",
                " switchport mode access",
                "!",
            )
            continue
        c.add(f"interface {port_name(k)}")
        used = k < ports - 4
        c.add(f" description {dept_name(i)} 端末{k + 1}" if used else " description 予備")
        c.add(f" switchport access vlan {seg.dept_vlan(i)}", " switchport mode access")
        if seg is MYN:
            c.add(" switchport port-security", " switchport port-security maximum 1")
        c.add(" spanning-tree portfast", " spanning-tree bpduguard enable")
        if not used:
            c.add(" shutdown")
        c.add("!")
    allowed = ",".join(str(seg.dept_vlan(i)) for i in depts)
    c.add(
        f"interface {port_name(ports - 1)}",
        f" description {seg.key}-core へのアップリンク",
        f" switchport trunk allowed vlan {allowed},{seg.mgmt_vlan}",
        " switchport mode trunk",
        "!",
        f"interface Vlan{seg.mgmt_vlan}",
        " description 管理用",
        ios_ifaddr(mgmt),
        "!",
        f"ip default-gateway {host_in(seg.mgmt, 1).ip}",
        "!",
    )
    ios_footer(c, seg)
    return c


def build_branch(city: City, seg: Segment, b: int) -> Config:
    """A branch router (NEC IX for even, IOS for odd numbers) with a static default to the core."""
    name = f"{seg.key}-br{b + 1:02d}"
    link, lan = seg.branch_link(b), seg.branch_lan(b)
    core_ip = host_in(link, 1).ip
    ix = b % 2 == 0
    host = str(host_in(link, 2).ip)
    if not ix:
        c = Config(name, "cisco_ios", f"{name}.cfg", host, seg.zone, "branch")
        ios_header(c, f"架空市 {seg.label} 第{b + 1}支所ルータ", routing=True)
        c.add(
            "interface GigabitEthernet0/0/0",
            " description 本庁コア向け閉域回線",
            ios_ifaddr(host_in(link, 2)),
            "!",
            "interface GigabitEthernet0/0/1",
            f" description 第{b + 1}支所 {seg.label} LAN",
            ios_ifaddr(host_in(lan, 1)),
            "!",
            f"ip route 0.0.0.0 0.0.0.0 {core_ip}",
            "!",
        )
        ios_footer(c, seg)
        return c
    c = Config(name, "nec_ix", f"{name}.cfg", host, seg.zone, "branch")
    c.add(
        "! NEC Portable Internetwork Core Operating System Software",
        "! IX Series IX2215 (magellan-sec) Software, Version 10.2.16, RELEASE SOFTWARE",
        f"! 架空市 {seg.label} 第{b + 1}支所ルータ",
        "!",
        f"hostname {name}",
        "timezone +09 00",
        "!",
        "logging buffered 131072",
        "logging timestamp datetime",
        f"logging host {host_in(seg.mgmt, 10).ip}",
        "!",
        "username admin password hash 3f2a9c0d1e8b7a6c administrator",
        "!",
        "ssh-server ip enable",
        "ssh-server ip access-list MGMT-ONLY",
        "!",
        f"ntp server {host_in(seg.mgmt, 11).ip}",
        "ntp ip enable",
        "!",
        f"ip route default {core_ip}",
        "!",
    )
    extra_lan = city.plant_on and seg is LGW and b == 0
    inet_lan = IPv4Net(f"10.31.{200 + b}.0/24")
    if extra_lan:
        c.add(
            f"ip access-list INET-LAN-IN permit tcp src {inet_lan} sport any dest {LGWAN_VDI} dport eq 3389"
        )
        city.plant(
            c,
            "P7-BRANCH-INET-LAN",
            f"ip access-list INET-LAN-IN permit ip src {inet_lan} dest {LGW.branches}",
            ["LGW-002", "BET-001"],
            "internet",
            "lgwan",
            "the branch Internet LAN reaches the branch LGWAN LANs (printer sharing)",
        )
        c.add(
            "ip access-list INET-LAN-IN deny ip src any dest any",
            f"ip access-list INET-LAN-OUT permit tcp src any sport any dest {inet_lan} dport any established",
            "ip access-list INET-LAN-OUT deny ip src any dest any",
        )
    c.add(
        f"ip access-list MGMT-ONLY permit ip src {seg.mgmt} dest any",
        "!",
        "interface GigaEthernet0.0",
        "  description 本庁コア向け閉域回線",
        f"  ip address {host_in(link, 2)}",
        "  no shutdown",
        "!",
        "interface GigaEthernet1.0",
        f"  description 第{b + 1}支所 {seg.label} 端末",
        f"  ip address {host_in(lan, 1)}",
        "  no shutdown",
        "!",
    )
    if extra_lan:
        c.add(
            "interface GigaEthernet2.0",
            f"  description 第{b + 1}支所 インターネット接続系 端末（画面転送用）",
            f"  ip address {host_in(inet_lan, 1)}",
            "  ip filter INET-LAN-IN 10 in",
            "  ip filter INET-LAN-OUT 10 out",
            "  no shutdown",
            "!",
        )
    return c


def build_myn_lg_rtr(city: City, rng: random.Random) -> Config:
    """Boundary マイナンバー系 ⇔ LGWAN接続系: the 特定通信 and the screen transfer."""
    p = city.plan
    name = "myn-lg-rtr"
    c = Config(
        name, "cisco_ios", f"{name}.cfg", str(host_in(MYN.mgmt, 5).ip), "boundary", "boundary"
    )
    ios_header(
        c, "架空市 マイナンバー利用事務系 ⇔ LGWAN接続系 境界ルータ（特定通信）", routing=True
    )
    clients = [host_in(MYN_ASP_CLIENTS, 1 + j).ip for j in range(min(100, p.depts * 3))]
    asps = [host_in(LGWAN_ASP_FOR_MYN, 1 + j).ip for j in range(100)]
    c.add(
        "vrf definition Mgmt-intf",
        " address-family ipv4",
        " exit-address-family",
        "!",
        "object-group network OG-MYN-ASP-CLIENTS",
        " description 特定通信 業務ASP 利用端末",
        *(f" host {h}" for h in clients[:20]),
        "object-group network OG-LGWAN-ASP-MYN",
        " description LGWAN-ASP（マイナンバー系向け）",
        f" {LGWAN_ASP_FOR_MYN.network_address} {LGWAN_ASP_FOR_MYN.netmask}",
        "!",
        "interface GigabitEthernet0",
        " description 管理用",
        " vrf forwarding Mgmt-intf",
        ios_ifaddr(host_in(MYN.mgmt, 5)),
        "!",
        "interface GigabitEthernet0/0/0",
        " description myn-core1 側（マイナンバー利用事務系）",
        ios_ifaddr(host_in(MYN.transit(0), 2)),
        " ip access-group MYN-OUT in",
        "!",
        "interface GigabitEthernet0/0/1",
        " description lgw-core1 側（LGWAN接続系）",
        ios_ifaddr(host_in(LGW.transit(0), 1)),
        " ip access-group LGWAN-IN in",
        "!",
        f"ip route {MYN.both.network_address} {MYN.both.netmask} {host_in(MYN.transit(0), 1).ip}",
        f"ip route 0.0.0.0 0.0.0.0 {host_in(LGW.transit(0), 2).ip}",
        f"ip route vrf Mgmt-intf 0.0.0.0 0.0.0.0 {host_in(MYN.mgmt, 1).ip}",
        "!",
        "ip access-list extended MYN-OUT",
        " remark SC-ELTAX eLTAX（地方税ポータル）",
        f" 10 permit tcp host {ELTAX_CLIENT} host {ELTAX} eq 443 log",
        " remark SC-CHUKAN 中間サーバー",
        f" 20 permit tcp host {CHUKAN_CLIENT} host {CHUKAN} eq 443 log",
        " remark SC-PITTARI ぴったりサービス",
        f" 30 permit tcp host {PITTARI_CLIENT} host {PITTARI} eq 443 log",
        " remark SC-ASP 業務ASP（オブジェクト）",
        " 40 permit tcp object-group OG-MYN-ASP-CLIENTS object-group OG-LGWAN-ASP-MYN eq 443 log",
    )
    seq = 50
    n_fill = max(40, int(p.acl_entries * 0.45))
    plant_at = n_fill * 3 // 5
    for j in range(n_fill):
        if j % 10 == 0:
            c.add(f" remark SC-ASP 業務システム{j // 10 + 1:03d}（{dept_name(j // 10 + 1)}）")
        if city.plant_on and j == plant_at:
            c.add(" remark 2024-06 ファイル共有（申請なし）")
            city.plant(
                c,
                "P1-MYN-SMB",
                f" {seq} permit tcp {ios_net(MYN.dept_net(1))} host {LGWAN_FILE} eq 445",
                ["MYN-002"],
                "mynumber",
                "lgwan",
                "SMB from a マイナンバー系 department to the LGWAN file server",
            )
            seq += 10
        c.add(f" {seq} permit tcp host {rng.choice(clients)} host {rng.choice(asps)} eq 443 log")
        seq += 10
    for i in range(1, p.depts + 1):
        c.add(
            f" remark {dept_name(i)} 端末 → LGWAN 禁止",
            f" {seq} deny ip {ios_net(MYN.dept_net(i))} any log",
        )
        seq += 10
    c.add(f" {seq} deny ip any any log", "!")
    c.add(
        "ip access-list extended LGWAN-IN",
        " remark 特定通信の戻り",
        f" 10 permit tcp any {ios_net(MYN.both)} established",
        " remark SC-SCREEN 画面転送（マイナンバー系VDI）",
    )
    seq = 20
    for i in range(1, p.depts + 1):
        c.add(f" {seq} permit tcp {ios_net(LGW.dept_net(i))} host {MYN_VDI} eq 3389 log")
        seq += 10
    c.add(f" {seq} deny ip any any log", "!")
    ios_footer(c, MYN)
    return c


def build_lg_inet_rtr(city: City, rng: random.Random) -> Config:
    """Boundary LGWAN接続系 ⇔ インターネット接続系: sanitised mail and screen transfer."""
    p = city.plan
    name = "lg-inet-rtr"
    c = Config(
        name, "cisco_ios", f"{name}.cfg", str(host_in(LGW.mgmt, 5).ip), "boundary", "boundary"
    )
    ios_header(
        c, "架空市 LGWAN接続系 ⇔ インターネット接続系 境界ルータ（無害化・画面転送）", routing=True
    )
    vdi = [host_in(LGWAN_VDI, 1 + j).ip for j in range(LGWAN_VDI.num_addresses - 2)]
    c.add(
        "object-group network OG-LGWAN-VDI",
        " description LGWAN接続系 仮想デスクトップ",
        f" {LGWAN_VDI.network_address} {LGWAN_VDI.netmask}",
        "object-group network OG-SANITIZER",
        f" host {SANITIZER}",
        "object-group service OG-RDP",
        " tcp eq 3389",
        " udp eq 3389",
        "!",
        "interface GigabitEthernet0/0/0",
        " description lgw-core1 側（LGWAN接続系）",
        ios_ifaddr(host_in(LGW.transit(2), 2)),
        " ip access-group LGWAN-SIDE-IN in",
        "!",
        "interface GigabitEthernet0/0/1",
        " description inet-core1 側（インターネット接続系）",
        ios_ifaddr(host_in(INET.transit(0), 1)),
        " ip access-group INET-IN in",
        "!",
        f"ip route {LGW.both.network_address} {LGW.both.netmask} {host_in(LGW.transit(2), 1).ip}",
        f"ip route 0.0.0.0 0.0.0.0 {host_in(INET.transit(0), 2).ip}",
        "!",
        "ip access-list extended INET-IN",
        " remark F-SANITIZED-MAIL 無害化後のメール",
        f" 10 permit tcp object-group OG-SANITIZER host {LGWAN_MAIL} eq smtp",
        " remark F-SCREEN-TRANSFER 画面転送（部署別）",
    )
    seq = 20
    for i in range(1, p.depts + 1):
        c.add(
            f" {seq} permit object-group OG-RDP {ios_net(INET.dept_net(i))} object-group OG-LGWAN-VDI"
        )
        seq += 10
    n_fill = max(40, int(p.acl_entries * 0.45))
    plant_at = n_fill // 2
    for j in range(n_fill):
        if j % 16 == 0:
            c.add(f" remark 画面転送 個別割当 {j // 16 + 1:03d}")
        if city.plant_on and j == plant_at:
            c.add(" remark 2025-01 ファイルサーバ直接参照（暫定）")
            city.plant(
                c,
                "P2-INET-LGWAN-SMB",
                f" {seq} permit tcp {ios_net(INET.dept_net(2))} host {LGWAN_FILE} eq 445",
                ["LGW-002", "BET-001"],
                "internet",
                "lgwan",
                "Internet-segment terminals reach the LGWAN file server over SMB",
            )
            seq += 10
        i = rng.randint(1, p.depts)
        c.add(f" {seq} permit tcp {ios_net(INET.dept_net(i))} host {rng.choice(vdi)} eq 3389")
        seq += 10
    c.add(f" {seq} deny ip any any log", "!")
    c.add(
        "ip access-list extended LGWAN-SIDE-IN",
        " remark 戻りの通信のみ",
        f" 10 permit tcp any {ios_net(INET.both)} established",
        " 20 deny ip any any log",
        "!",
    )
    ios_footer(c, LGW)
    return c


def build_lgwan_rtr(city: City) -> Config:
    """LGWAN接続ルータ (Yamaha RTX) towards the LGWAN-SS."""
    p = city.plan
    name = "lgwan-rtr"
    c = Config(name, "yamaha", f"{name}.cfg", str(host_in(LGW.mgmt, 6).ip), "boundary", "boundary")
    c.add(
        "# RTX1210 Rev.14.01.42 (Fri Jan 26 10:00:00 2024)",
        "# MAC Address : 00:a0:de:00:00:01, 00:a0:de:00:00:02, 00:a0:de:00:00:03",
        "# Memory 256Mbytes, 3LAN, 1BRI",
        "# 架空市 LGWAN接続ルータ（LGWAN-SS 接続）",
        "login password encrypted cGxhY2Vob2xkZXI=",
        "administrator password encrypted cGxhY2Vob2xkZXI=",
        "console character ja.utf8",
        "timezone +09:00",
        f"ip route {MYN.both} gateway {host_in(LGW.transit(1), 1).ip}",
        f"ip route {LGW.both} gateway {host_in(LGW.transit(1), 1).ip}",
        f"ip route {LGWAN_WAN[0]} gateway {LGWAN_SS_GW}",
    )
    filters: list[str] = []
    out_filters: list[tuple[int, str, str | None]] = []
    n = 100

    def flt(text: str, mark: str | None = None) -> None:
        nonlocal n
        out_filters.append((n, text, mark))
        filters.append(str(n))
        n += 1

    flt(f"pass-log {ELTAX_CLIENT} {ELTAX} tcp * 443")
    flt(f"pass-log {CHUKAN_CLIENT} {CHUKAN} tcp * 443")
    flt(f"pass-log {PITTARI_CLIENT} {PITTARI} tcp * 443")
    flt(f"pass-log {MYN_ASP_CLIENTS} {LGWAN_ASP_FOR_MYN} tcp * 443")
    flt(f"pass {LGWAN_MAIL} {SS_MAIL} tcp * smtp")
    flt(f"pass {LGWAN_DNS} {SS_DNS} udp * domain")
    if city.plant_on:
        flt(f"pass {MYN.hq} {LGWAN_WAN[0]} * * *", "T1-MASKED-MYN")
        flt(f"pass {LGW.hq} {LGWAN_WAN[0]} * * *", "P5-YAMAHA-LGWAN-ANY")
    for i in range(1, min(p.depts, 300) + 1):
        flt(f"pass {LGW.dept_net(i)} {LGWAN_WAN[0]} tcp * 443")
    flt("reject * * * * *")
    c.add(
        f"ip lan1 address {host_in(LGW.transit(1), 2)}",
        'description lan1 "lgw-core1 側"',
        f"ip lan1 secure filter in {' '.join(filters)}",
        f"ip lan2 address {LGWAN_RTR_WAN}",
        'description lan2 "LGWAN-SS 側"',
        "ip lan2 secure filter in 2000 2001 2099",
    )
    for num, text, mark in out_filters:
        if mark == "T1-MASKED-MYN":
            city.trap(
                c,
                mark,
                f"ip filter {num} {text}",
                "the whole マイナンバー系 head office may reach anything on the LGWAN here, but "
                "myn-lg-rtr lets only the declared 特定通信 out of it: no path end to end",
                end_to_end=True,
            )
        elif mark is not None:
            city.plant(
                c,
                mark,
                f"ip filter {num} {text}",
                ["POL-001"],
                "lgwan",
                "lgwan_wan",
                "the whole LGWAN接続系 head office may reach anything on the LGWAN, any service",
            )
        else:
            c.add(f"ip filter {num} {text}")
    c.add(
        f"ip filter 2000 pass {SS_MAIL} {LGWAN_MAIL} tcp * smtp",
        "ip filter 2001 pass * * established * *",
        "ip filter 2099 reject * * * * *",
    )
    if city.plant_on:
        city.trap(
            c,
            "T3-UNBOUND-FILTER",
            "ip filter 9000 pass * * * * *",
            "a pass-everything filter bound to no interface",
            end_to_end=False,
        )
    c.add(
        "telnetd service off",
        "sshd service on",
        f"sshd host {LGW.mgmt[0]}-{LGW.mgmt[-1]}",
        f"syslog host {host_in(LGW.mgmt, 10).ip}",
        f"ntpdate ntpserver {host_in(LGW.mgmt, 11).ip}",
    )
    return c


def build_fortigate(city: City) -> Config:
    """Internet FortiGate towards the security cloud: proxy with source NAT, VIP for mail."""
    p = city.plan
    name = "inet-fgt"
    c = Config(
        name, "fortinet", f"{name}.conf", str(host_in(INET.mgmt, 4).ip), "boundary", "boundary"
    )
    mgmt = host_in(INET.mgmt, 4)
    c.add(
        "#config-version=FG100F-7.2.8-FW-build1639-240313:opmode=0:vdom=0:user=admin",
        "#conf_file_ver=2025110401",
        "#buildno=1639",
        "#global_vdom=1",
        "config system global",
        f'    set hostname "{name}"',
        '    set alias "INET-EDGE"',
        "    set admin-sport 443",
        "    set timezone 60",
        "end",
        "config system interface",
        '    edit "port1"',
        '        set vdom "root"',
        f"        set ip {host_in(INET.transit(1), 2).ip} {host_in(INET.transit(1), 2).netmask}",
        "        set allowaccess ping",
        "        set type physical",
        '        set description "inet-core1 側（インターネット接続系）"',
        "        set role lan",
        "    next",
        '    edit "wan1"',
        '        set vdom "root"',
        f"        set ip {FGT_WAN.ip} {FGT_WAN.netmask}",
        "        set type physical",
        '        set description "自治体情報セキュリティクラウド 側"',
        "        set role wan",
        "    next",
        '    edit "mgmt"',
        '        set vdom "root"',
        f"        set ip {mgmt.ip} {mgmt.netmask}",
        "        set allowaccess ping https ssh",
        "        set type physical",
        "    next",
        "end",
        "config system admin",
        '    edit "admin"',
        '        set accprofile "super_admin"',
        '        set vdom "root"',
        f"        set trusthost1 {INET.mgmt.network_address} {INET.mgmt.netmask}",
        "        set password ENC SH2cGxhY2Vob2xkZXJwbGFjZWhvbGRlcnBsYWNlaG9sZGVycGxhY2Vob2xkZXI=",
        "    next",
        "end",
        "config system ntp",
        "    set ntpsync enable",
        "    set type custom",
        "    config ntpserver",
        "        edit 1",
        f'            set server "{host_in(INET.mgmt, 11).ip}"',
        "        next",
        "    end",
        "end",
        "config log syslogd setting",
        "    set status enable",
        f'    set server "{host_in(INET.mgmt, 10).ip}"',
        "end",
        "config firewall address",
    )
    n_dept_obj = min(p.depts, 200)
    objs = [
        ("PREF-PROXY", f"{PREF_PROXY} 255.255.255.255"),
        ("PREF-SMTP", f"{PREF_SMTP} 255.255.255.255"),
        ("PREF-DNS", f"{PREF_DNS} 255.255.255.255"),
        ("SANITIZER", f"{SANITIZER} 255.255.255.255"),
        ("INET-DNS", f"{INET_DNS} 255.255.255.255"),
    ]
    objs += [
        (f"INET-D{i:03d}", f"{INET.dept_net(i).network_address} {INET.dept_net(i).netmask}")
        for i in range(1, n_dept_obj + 1)
    ]
    for oname, subnet in objs:
        c.add(f'    edit "{oname}"', f"        set subnet {subnet}", "    next")
    c.add(
        "end",
        "config firewall addrgrp",
        '    edit "INET-TERMINALS"',
        "        set member " + " ".join(f'"INET-D{i:03d}"' for i in range(1, n_dept_obj + 1)),
        "    next",
        "end",
        "config firewall service custom",
        '    edit "PROXY-8080"',
        "        set tcp-portrange 8080",
        "    next",
        "end",
    )
    if city.nat_on:
        c.add(
            "config firewall vip",
            '    edit "VIP-MAIL-IN"',
            '        set comment "F-MAIL-IN 受信メール → 無害化装置"',
            f"        set extip {FGT_VIP_MAIL}",
            f'        set mappedip "{SANITIZER}"',
            '        set extintf "wan1"',
            "        set portforward enable",
            "        set extport 25",
            "        set mappedport 25",
            "    next",
            *(
                (
                    '    edit "VIP-VENDOR-RDP"',
                    '        set comment "保守業者 リモート保守（2024年度末で契約終了）"',
                    f"        set extip {FGT_VIP_VENDOR}",
                    f'        set mappedip "{VENDOR_SERVER}"',
                    '        set extintf "wan1"',
                    "        set portforward enable",
                    "        set extport 3389",
                    "        set mappedport 3389",
                    "    next",
                )
                if city.plant_on
                else ()
            ),
            "end",
        )
    c.add("config firewall policy")
    pid = 1

    def policy(
        pname: str,
        src_if: str,
        dst_if: str,
        src: str,
        dst: str,
        svc: str,
        *,
        nat: bool,
        comment: str,
        extra: Sequence[str] = (),
        trap: str = "",
    ) -> None:
        nonlocal pid
        if trap:
            city.trap(c, trap, f"    edit {pid}", comment, end_to_end=False)
        else:
            c.add(f"    edit {pid}")
        c.add(
            f'        set name "{pname}"',
            f'        set srcintf "{src_if}"',
            f'        set dstintf "{dst_if}"',
            "        set action accept",
            f"        set srcaddr {src}",
            f"        set dstaddr {dst}",
            '        set schedule "always"',
            f"        set service {svc}",
            "        set logtraffic all",
        )
        if nat and city.nat_on:
            c.add("        set nat enable")
        c.add(*extra)
        c.add(f'        set comments "{comment}"', "    next")
        pid += 1

    policy(
        "PROXY",
        "port1",
        "wan1",
        '"INET-TERMINALS"',
        '"PREF-PROXY"',
        '"PROXY-8080"',
        nat=True,
        comment="F-PROXY セキュリティクラウドのプロキシ",
    )
    policy(
        "SMTP-RELAY",
        "port1",
        "wan1",
        '"SANITIZER"',
        '"PREF-SMTP"',
        '"SMTP"',
        nat=True,
        comment="F-SMTP-RELAY",
    )
    policy(
        "DNS-FWD",
        "port1",
        "wan1",
        '"INET-DNS"',
        '"PREF-DNS"',
        '"DNS"',
        nat=True,
        comment="F-DNS-FWD",
    )
    policy(
        "MAIL-IN",
        "wan1",
        "port1",
        '"PREF-SMTP"',
        '"VIP-MAIL-IN"' if city.nat_on else '"SANITIZER"',
        '"SMTP"',
        nat=False,
        comment="F-MAIL-IN 受信メール",
    )
    if city.plant_on and city.nat_on:
        city.plant(
            c,
            "P8-VIP-VENDOR-RDP",
            f"    edit {pid}",
            ["INT-003", "INT-002"],
            "internet_wan",
            "internet",
            "RDP from the whole Internet to an internal server through a VIP (expired vendor "
            "access): only visible once the destination NAT is followed",
        )
        pid += 1
        c.add(
            '        set name "VENDOR-RDP"',
            '        set srcintf "wan1"',
            '        set dstintf "port1"',
            "        set action accept",
            '        set srcaddr "all"',
            '        set dstaddr "VIP-VENDOR-RDP"',
            '        set schedule "always"',
            '        set service "RDP"',
            "        set logtraffic all",
            '        set comments "保守業者 リモート保守"',
            "    next",
        )
    n_pol = min(max(p.depts, 10), 200)
    for i in range(1, n_pol + 1):
        d = (i - 1) % n_dept_obj + 1
        if city.plant_on and i == max(2, n_pol // 2):
            city.plant(
                c,
                "P6-FGT-DIRECT",
                f"    edit {pid}",
                ["POL-001", "LGW-002", "INT-001"],
                "internet",
                "internet_wan",
                "one department may browse the Internet directly over HTTPS, bypassing the proxy",
            )
            c.add(
                '        set name "TEMP-DIRECT-WEB"',
                '        set srcintf "port1"',
                '        set dstintf "wan1"',
                "        set action accept",
                f'        set srcaddr "INET-D{d:03d}"',
                '        set dstaddr "all"',
                '        set schedule "always"',
                '        set service "HTTPS"',
                "        set logtraffic all",
                *(("        set nat enable",) if city.nat_on else ()),
                '        set comments "2025-09 クラウド会議 直接接続（暫定）"',
                "    next",
            )
            pid += 1
        policy(
            f"PROXY-D{d:03d}-{i:03d}",
            "port1",
            "wan1",
            f'"INET-D{d:03d}"',
            '"PREF-PROXY"',
            '"PROXY-8080"',
            nat=True,
            comment=f"{dept_name(d)} プロキシ利用",
        )
    policy(
        "OLD-MIGRATION",
        "port1",
        "wan1",
        '"all"',
        '"all"',
        '"ALL"',
        nat=True,
        comment="移行時の全許可（無効化済み）",
        extra=("        set status disable",),
        trap="T2-DISABLED-ALLOW-ALL" if city.plant_on else "",
    )
    c.add(
        "end",
        "config router static",
        "    edit 1",
        f"        set dst {INET.both.network_address} {INET.both.netmask}",
        f"        set gateway {host_in(INET.transit(1), 1).ip}",
        '        set device "port1"',
        "    next",
        "    edit 2",
        f"        set gateway {SEC_CLOUD_GW}",
        '        set device "wan1"',
        "    next",
        "end",
    )
    return c


def build_city(n_devices: int, seed: int, *, plant: bool = True, nat: bool = True) -> City:
    """Every device config of a city of ``n_devices``.

    ``plant``: write the planted deviations; ``nat``: the FortiGate translates (source NAT on
    its outbound policies, a VIP for inbound mail), else it routes the same flows untranslated.
    """
    rng = random.Random(seed)
    p = plan(n_devices)
    city = City(plan=p, seed=seed, plant_on=plant, nat_on=nat)
    for seg in SEGMENTS:
        n_acc = p.access[seg.key]
        assign: list[dict[int, list[int]]] = [{} for _ in range(2 if p.two_cores else 1)]
        switches: list[tuple[int, list[int]]] = []
        for sw in range(1, n_acc + 1):
            dept = (sw - 1) % p.depts + 1
            switches.append((sw, [dept]))
            assign[_dept_core(p, dept)][sw] = [dept]
        for which in range(len(assign)):
            city.configs.append(build_core(city, seg, which, assign[which], rng))
        for sw, depts in switches:
            city.configs.append(build_access(city, seg, sw, depts, rng))
        for b in range(p.branches[seg.key]):
            city.configs.append(build_branch(city, seg, b))
    city.configs.append(build_myn_lg_rtr(city, rng))
    city.configs.append(build_lg_inet_rtr(city, rng))
    city.configs.append(build_lgwan_rtr(city))
    city.configs.append(build_fortigate(city))
    assert len(city.configs) == n_devices, (len(city.configs), n_devices)
    by_name = {c.name: c for c in city.configs}
    for pid, dev, checks, zf, zt, desc in city.pending:
        c = by_name[dev]
        line = c.marks[pid]
        city.planted.append(
            Planted(pid, dev, c.file, line, c.lines[line - 1].strip(), checks, zf, zt, desc)
        )
    for tid, dev, desc, e2e in city.pending_traps:
        c = by_name[dev]
        line = c.marks[tid]
        city.traps.append(Trap(tid, dev, c.file, line, c.lines[line - 1].strip(), desc, e2e))
    return city


# -- policy and inventory -------------------------------------------------------------------


def _collapse(nets: Sequence[IPv4Net]) -> list[str]:
    return [str(n) for n in ipaddress.collapse_addresses(nets)]


def policy_yaml(city: City) -> str:
    """The β-model policy of the city (JSON is YAML; every value is quoted where it matters)."""
    p = city.plan
    lgwan_terminals = _collapse([LGW.dept_net(i) for i in range(1, p.depts + 1)])
    inet_terminals = _collapse([INET.dept_net(i) for i in range(1, p.depts + 1)])
    zones = {
        "mynumber": {
            "label": MYN.label,
            "networks": [str(MYN.hq), str(MYN.branches)],
            "vlans": [MYN.dept_vlan(i) for i in range(1, p.depts + 1)] + [MYN.server_vlan],
            "separation": "logical",
        },
        "lgwan": {
            "label": LGW.label,
            "networks": [str(LGW.hq), str(LGW.branches)],
            "vlans": [LGW.dept_vlan(i) for i in range(1, p.depts + 1)] + [LGW.server_vlan],
        },
        "internet": {
            "label": INET.label,
            "networks": [str(INET.hq), str(INET.branches)],
            "vlans": [INET.dept_vlan(i) for i in range(1, p.depts + 1)]
            + [INET.server_vlan, INET.dept_vlan(240)],
        },
        "mgmt": {
            "label": "管理用ネットワーク",
            "networks": [str(s.mgmt) for s in SEGMENTS],
            "vlans": [s.mgmt_vlan for s in SEGMENTS],
        },
        "lgwan_wan": {
            "label": "LGWAN（LGWAN-SS・LGWAN-ASP）",
            "networks": [str(n) for n in LGWAN_WAN],
        },
        "sec_cloud": {
            "label": "架空県 自治体情報セキュリティクラウド",
            "networks": [str(n) for n in SEC_CLOUD],
        },
        "internet_wan": {"label": "インターネット"},
    }
    addresses = {
        "eltax-client": [ELTAX_CLIENT],
        "chukan-client": [CHUKAN_CLIENT],
        "pittari-client": [PITTARI_CLIENT],
        "myn-asp-clients": [str(MYN_ASP_CLIENTS)],
        "myn-vdi": [MYN_VDI],
        "eltax-lgwan": [ELTAX],
        "chukan-server": [CHUKAN],
        "pittari-lgwan": [PITTARI],
        "lgwan-asp-myn": [str(LGWAN_ASP_FOR_MYN)],
        "lgwan-ss-mail": [SS_MAIL],
        "lgwan-ss-dns": [SS_DNS],
        "lgwan-asp": [str(LGWAN_WAN[0])],
        "lgwan-mail": [LGWAN_MAIL],
        "lgwan-dns": [LGWAN_DNS],
        "lgwan-vdi": [str(LGWAN_VDI)],
        "lgwan-terminals": lgwan_terminals,
        "inet-terminals": inet_terminals,
        "sanitizer": [SANITIZER],
        "inet-dns": [INET_DNS],
        "pref-proxy": [PREF_PROXY],
        "pref-smtp": [PREF_SMTP],
        "pref-dns": [PREF_DNS],
        **{f"mgmt-{s.key}": [str(s.mgmt)] for s in SEGMENTS},
    }
    sc_common = {
        "basis": "総務省 2020-05-22「自治体情報セキュリティ対策の見直しについて」",
        "review_by": "2027-03-31",
    }
    specified = [
        {
            "id": "SC-ELTAX",
            "name": "eLTAX（地方税ポータル）",
            "from": "mynumber",
            "to": "lgwan_wan",
            "via": "lgwan",
            "src": ["eltax-client"],
            "dst": ["eltax-lgwan"],
            "services": ["https"],
            "owner": "税務課",
            "approval_ref": "情セ-2025-011",
            **sc_common,
        },
        {
            "id": "SC-CHUKAN",
            "name": "中間サーバー",
            "from": "mynumber",
            "to": "lgwan_wan",
            "via": "lgwan",
            "src": ["chukan-client"],
            "dst": ["chukan-server"],
            "services": ["https"],
            "owner": "情報政策課",
            "approval_ref": "情セ-2025-012",
            **sc_common,
        },
        {
            "id": "SC-PITTARI",
            "name": "ぴったりサービス申請データ取込",
            "from": "mynumber",
            "to": "lgwan_wan",
            "via": "lgwan",
            "src": ["pittari-client"],
            "dst": ["pittari-lgwan"],
            "services": ["https"],
            "owner": "市民課",
            "approval_ref": "情セ-2025-013",
            **sc_common,
        },
        {
            "id": "SC-ASP",
            "name": "業務ASP（LGWAN-ASP）",
            "from": "mynumber",
            "to": "lgwan_wan",
            "via": "lgwan",
            "src": ["myn-asp-clients"],
            "dst": ["lgwan-asp-myn"],
            "services": ["https"],
            "owner": "情報政策課",
            "approval_ref": "情セ-2025-014",
            **sc_common,
        },
        {
            "id": "SC-SCREEN",
            "name": "マイナンバー系VDIへの画面転送（令和7年3月版）",
            "from": "lgwan",
            "to": "mynumber",
            "src": ["lgwan-terminals"],
            "dst": ["myn-vdi"],
            "services": ["rdp"],
            "basis": "ガイドライン令和7年3月版 画面転送方式",
            "owner": "情報政策課",
            "approval_ref": "情セ-2025-020",
            "review_by": "2027-03-31",
        },
    ]
    flows: list[dict[str, object]] = [
        {
            "id": "F-LGWAN-MAIL",
            "from": "lgwan",
            "to": "lgwan_wan",
            "src": ["lgwan-mail"],
            "dst": ["lgwan-ss-mail"],
            "services": ["smtp"],
        },
        {
            "id": "F-LGWAN-MAIL-IN",
            "from": "lgwan_wan",
            "to": "lgwan",
            "src": ["lgwan-ss-mail"],
            "dst": ["lgwan-mail"],
            "services": ["smtp"],
        },
        {
            "id": "F-LGWAN-DNS",
            "from": "lgwan",
            "to": "lgwan_wan",
            "src": ["lgwan-dns"],
            "dst": ["lgwan-ss-dns"],
            "services": ["dns"],
        },
        {
            "id": "F-LGWAN-ASP",
            "from": "lgwan",
            "to": "lgwan_wan",
            "src": ["lgwan-terminals"],
            "dst": ["lgwan-asp"],
            "services": ["https"],
        },
        {
            "id": "F-SANITIZED-MAIL",
            "from": "internet",
            "to": "lgwan",
            "src": ["sanitizer"],
            "dst": ["lgwan-mail"],
            "services": ["smtp"],
            "description": "メール無害化後の転送",
            "requires": {"sanitization": "mail_text"},
        },
        {
            "id": "F-SCREEN-TRANSFER",
            "from": "internet",
            "to": "lgwan",
            "src": ["inet-terminals"],
            "dst": ["lgwan-vdi"],
            "services": ["rdp"],
            "description": "βモデル 画面転送",
            "requires": {
                "clipboard": "disabled",
                "printer_redirect": "disabled",
                "drive_redirect": "disabled",
            },
        },
        {
            "id": "F-PROXY",
            "from": "internet",
            "to": "sec_cloud",
            "src": ["inet-terminals"],
            "dst": ["pref-proxy"],
            "services": ["proxy"],
        },
        {
            "id": "F-SMTP-RELAY",
            "from": "internet",
            "to": "sec_cloud",
            "src": ["sanitizer"],
            "dst": ["pref-smtp"],
            "services": ["smtp"],
        },
        {
            "id": "F-DNS-FWD",
            "from": "internet",
            "to": "sec_cloud",
            "src": ["inet-dns"],
            "dst": ["pref-dns"],
            "services": ["dns"],
        },
        {
            "id": "F-MAIL-IN",
            "from": "sec_cloud",
            "to": "internet",
            "src": ["pref-smtp"],
            "dst": ["sanitizer"],
            "services": ["smtp"],
        },
    ]
    for s in SEGMENTS:
        flows.append(
            {
                "id": f"F-MGMT-{s.key.upper()}",
                "from": "mgmt",
                "to": s.zone,
                "src": [f"mgmt-{s.key}"],
                "services": ["ssh", "snmp"],
                "description": f"{s.label} 機器の管理",
            }
        )
    doc = {
        "schema_version": 1,
        "model": "beta",
        "guideline_baseline": "R7.3",
        "municipality": {
            "name": f"架空市（合成 {p.n_devices} 台, seed {city.seed}）",
            "prefecture": "架空県",
        },
        "zones": zones,
        "addresses": addresses,
        "services": {"proxy": ["tcp/8080"]},
        "default_action": "deny",
        "specified_communications": specified,
        "allowed_flows": flows,
        "gateways": [
            {
                "id": "GW-VDI",
                "role": "screen_transfer",
                "hosts": ["lgwan-vdi"],
                "services": ["rdp"],
                "description": "LGWAN接続系 仮想デスクトップ",
            },
            {
                "id": "GW-MAIL",
                "role": "sanitizer",
                "hosts": ["lgwan-mail"],
                "services": ["smtp"],
                "description": "無害化後メールの受け口",
            },
        ],
        "management": {
            "allowed_admin_sources": [str(s.mgmt) for s in SEGMENTS],
            "protocols_allowed": ["ssh", "https"],
            "ntp_servers": [str(host_in(s.mgmt, 11).ip) for s in SEGMENTS],
            "syslog_servers": [str(host_in(s.mgmt, 10).ip) for s in SEGMENTS],
        },
    }
    head = "# 架空市 合成ネットワーク分離ポリシー（βモデル）— benchmarks/synth_city.py が生成\n"
    return head + _yaml(doc) + "\n"


def _yaml(value: object, indent: int = 0) -> str:
    """A small block-style YAML writer (scalars JSON-quoted), enough for the policy."""
    pad = "  " * indent
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            if isinstance(v, list) and v and not any(isinstance(x, (dict, list)) for x in v):
                out.append(f"{pad}{k}: [{', '.join(_scalar(x) for x in v)}]")
            elif isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{k}:\n{_yaml(v, indent + 1)}")
            else:
                out.append(f"{pad}{k}: {_scalar(v)}")
        return "\n".join(out)
    if isinstance(value, list):
        out = []
        for v in value:
            if isinstance(v, dict):
                body = _yaml(v, indent + 1).lstrip()
                out.append(f"{pad}- {body}")
            else:
                out.append(f"{pad}- {_scalar(v)}")
        return "\n".join(out)
    return pad + _scalar(value)


def _scalar(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (dict, list)):
        return "{}" if isinstance(v, dict) else "[]"
    if isinstance(v, str) and v.count("-") == 2 and v[:4].isdigit() and len(v) == 10:
        return v  # a date
    return json.dumps(v, ensure_ascii=False)


def inventory_yaml(city: City) -> str:
    """The inventory: every device with its platform pinned, and the external neighbours."""
    lines = [
        "# 架空市 合成機器台帳 — benchmarks/synth_city.py が生成",
        "defaults: {port: 22}",
        "groups:",
        "  ios: {platform: cisco_ios}",
        "devices:",
    ]
    for c in city.configs:
        group = "group: ios" if c.platform == "cisco_ios" else f"platform: {c.platform}"
        lines.append(
            f"  - {{name: {c.name}, host: {c.host}, {group}, tags: [{c.segment}, {c.role}]}}"
        )
    lines += [
        "externals:",
        '  - {name: lgwan-ss, zone: lgwan_wan, attach: "lgwan-rtr:lan2"}',
        '  - {name: sec-cloud, zone: sec_cloud, attach: "inet-fgt:wan1"}',
    ]
    return "\n".join(lines) + "\n"


def generate(
    n_devices: int, seed: int, out_dir: Path, *, plant: bool = True, nat: bool = True
) -> tuple[Path, Path, Path]:
    """Write a city of ``n_devices`` into ``out_dir``.

    Returns (snapshot directory, policy path, inventory path). ``out_dir/planted.json`` lists
    the planted deviations (empty with ``plant=False``).
    """
    city = build_city(n_devices, seed, plant=plant, nat=nat)
    out_dir = Path(out_dir)
    snap = out_dir / "snapshot"
    snap.mkdir(parents=True, exist_ok=True)
    for old in snap.iterdir():
        old.unlink()
    for c in city.configs:
        (snap / c.file).write_text("\n".join(c.lines) + "\n", encoding="utf-8")
    policy = out_dir / "policy.yaml"
    policy.write_text(policy_yaml(city), encoding="utf-8")
    inventory = out_dir / "inventory.yaml"
    inventory.write_text(inventory_yaml(city), encoding="utf-8")
    meta = {
        "n_devices": n_devices,
        "seed": seed,
        "nat": nat,
        "plan": asdict(city.plan),
        "lines": sum(len(c.lines) for c in city.configs),
        "planted": [asdict(pl) for pl in city.planted],
        "traps": [asdict(t) for t in city.traps],
    }
    (out_dir / "planted.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return snap, policy, inventory


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: write a city and print where."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--devices", "-n", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--clean", action="store_true", help="plant no deviations")
    ap.add_argument("--no-nat", action="store_true", help="the FortiGate routes without NAT")
    a = ap.parse_args(argv)
    snap, pol, inv = generate(a.devices, a.seed, a.out, plant=not a.clean, nat=not a.no_nat)
    print(f"snapshot: {snap}\npolicy: {pol}\ninventory: {inv}\nplanted: {a.out / 'planted.json'}")


if __name__ == "__main__":
    main()
