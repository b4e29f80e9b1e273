"""A realistic, hand-built :class:`AuditResult` for renderer tests and golden files.

The fictional かもめ市 runs an α-model network: a FortiGate core firewall between the My Number
and LGWAN segments, a Yamaha router to LGWAN and a PAN-OS firewall at the Internet edge. The
result mixes severities, statuses (fail, waived, unknown, error, pass), a zone matrix with every
cell state, partial parse coverage and input problems — everything a report has to show.
"""

from __future__ import annotations

import hashlib

from netaudit.result import (
    AuditResult,
    CellState,
    DeviceCoverage,
    Evidence,
    Finding,
    InputProblem,
    MatrixCell,
    PolicyRef,
    RunInfo,
    Severity,
    Status,
    Text,
    Verdict,
    ZoneMatrix,
    fingerprint,
)

ZONES = ("mynumber", "lgwan", "internet", "lgwan_wan", "internet_wan")
POLICY = "policies/kamome-city.yaml"
CORE = "snap/core-fw01.cfg"
EDGE = "snap/inet-fw01.txt"
LGWAN_RT = "snap/lgwan-rt01.cfg"
GUIDELINE = (
    "総務省 地方公共団体における情報セキュリティポリシーに関するガイドライン（令和7年3月版）"
)


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _fp(check: str, device: str, zone_from: str, zone_to: str, *evidence: Evidence) -> str:
    return fingerprint(check, device, zone_from, zone_to, *(e.text for e in evidence))


def _flow(
    proto: str, src: str, dst: str, sport: int | None, dport: int | None
) -> dict[str, object]:
    return {"proto": proto, "src": src, "dst": dst, "sport": sport, "dport": dport}


def sample_findings() -> tuple[Finding, ...]:
    """The findings of the sample, in the (unsorted) order an engine might produce them."""
    core_policy_12 = (
        Evidence(file=CORE, line=912, text="    edit 12", device="core-fw01", role="rule"),
        Evidence(
            file=CORE, line=916, text='        set dstaddr "all"', device="core-fw01", role="rule"
        ),
        Evidence(
            file=CORE, line=918, text="        set action accept", device="core-fw01", role="rule"
        ),
    )
    edge_default = (
        Evidence(
            file=EDGE,
            line=211,
            text=(
                "set rulebase security rules outbound-any from [ trust dmz ] to untrust "
                "source any destination any application any service any action allow"
            ),
            device="inet-fw01",
            role="rule",
        ),
    )
    eltax = (
        Evidence(file=CORE, line=940, text="    edit 20", device="core-fw01", role="rule"),
        Evidence(
            file=CORE,
            line=944,
            text='        set service "ALL_TCP"',
            device="core-fw01",
            role="rule",
        ),
    )
    lbo = (
        Evidence(
            file=EDGE,
            line=230,
            text=(
                "set rulebase security rules allow-lbo-m365 from [ lgwan ] to untrust "
                "destination [ m365-optimize m365-allow ] application any action allow"
            ),
            device="inet-fw01",
            role="rule",
        ),
    )
    mail = (
        Evidence(
            file=EDGE,
            line=118,
            text="set address mail-relay fqdn mail-relay.sec-cloud.example.jp",
            device="inet-fw01",
            role="object",
        ),
        Evidence(
            file=EDGE,
            line=245,
            text=(
                "set rulebase security rules mail-in from untrust to [ lgwan ] "
                "destination mail-relay service tcp-25 action allow"
            ),
            device="inet-fw01",
            role="rule",
        ),
    )
    telnet = (
        Evidence(
            file=LGWAN_RT, line=301, text="telnetd service on", device="lgwan-rt01", role="mgmt"
        ),
    )
    return (
        Finding(
            check="HYG-010",
            severity=Severity.LOW,
            status=Status.FAIL,
            title=Text(
                ja="TELNET による管理が有効で接続元が制限されていない",
                en="Telnet management is enabled and not restricted by source",
            ),
            message=Text(
                ja="lgwan-rt01 で telnetd が有効で、telnetd host の指定がありません。"
                "管理通信は SSH とし、接続元を管理用端末に限定してください。",
                en="telnetd is on and no telnetd host restriction is configured on lgwan-rt01. "
                "Use SSH for management and allow only the management terminals.",
            ),
            device="lgwan-rt01",
            evidence=telnet,
            basis=(f"{GUIDELINE} 6.2 アクセス制御",),
            fingerprint=_fp("HYG-010", "lgwan-rt01", "", "", *telnet),
        ),
        Finding(
            check="MYN-001",
            severity=Severity.CRITICAL,
            status=Status.FAIL,
            title=Text(
                ja="マイナンバー利用事務系からインターネット接続系へ通信できる",
                en="The My Number segment can reach the Internet segment",
            ),
            message=Text(
                ja="ポリシー 12（port3→port1）が宛先 all・サービス ALL を許可しているため、"
                "マイナンバー利用事務系の端末からインターネット接続系へ到達できます。",
                en="Policy 12 (port3 -> port1) accepts destination all with service ALL, so "
                "My Number terminals reach the Internet segment.",
            ),
            device="core-fw01",
            zone_from="mynumber",
            zone_to="internet",
            example_flow=_flow("tcp", "10.10.1.25", "10.30.0.80", 49152, 443),
            evidence=core_policy_12,
            policy_ref=PolicyRef(file=POLICY, line=14, id="separation.mynumber"),
            basis=(f"{GUIDELINE} 三層の対策（マイナンバー利用事務系の分離）",),
            path=("core-fw01",),
            fingerprint=_fp("MYN-001", "core-fw01", "mynumber", "internet", *core_policy_12),
        ),
        Finding(
            check="SEP-001",
            severity=Severity.INFO,
            status=Status.PASS,
            title=Text(
                ja="LGWAN接続系からマイナンバー利用事務系への通信はない",
                en="Nothing crosses from the LGWAN segment to the My Number segment",
            ),
            message=Text(
                ja="lgwan → mynumber の通信経路はありません。",
                en="No path from lgwan to mynumber.",
            ),
            zone_from="lgwan",
            zone_to="mynumber",
            policy_ref=PolicyRef(file=POLICY, line=14, id="separation.mynumber"),
            fingerprint=fingerprint("SEP-001", "", "lgwan", "mynumber"),
        ),
        Finding(
            check="LBO-003",
            severity=Severity.HIGH,
            status=Status.WAIVED,
            title=Text(
                ja="LGWAN接続系からインターネットへ直接通信できる（ローカルブレイクアウト）",
                en="The LGWAN segment reaches the Internet directly (local breakout)",
            ),
            message=Text(
                ja="宛先が Microsoft 365 のアドレス範囲に限定されていますが、テナント制限が"
                "確認できません。例外申請 W-2024-07（有効期限 2026-03-31）により承認済みです。",
                en="Destinations are limited to Microsoft 365 ranges but no tenant restriction "
                "is visible. Waived by W-2024-07 (expires 2026-03-31).",
            ),
            device="inet-fw01",
            zone_from="lgwan",
            zone_to="internet_wan",
            example_flow=_flow("tcp", "10.20.4.11", "198.51.100.20", 50123, 443),
            evidence=lbo,
            policy_ref=PolicyRef(file=POLICY, line=41, id="lbo.m365"),
            basis=(f"{GUIDELINE} α′モデル",),
            path=("inet-fw01",),
            fingerprint=_fp("LBO-003", "inet-fw01", "lgwan", "internet_wan", *lbo),
        ),
        Finding(
            check="SPC-002",
            severity=Severity.HIGH,
            status=Status.FAIL,
            title=Text(
                ja="特定通信 eltax が宣言より広く許可されている",
                en="Specified communication eltax is allowed more widely than declared",
            ),
            message=Text(
                ja="ポリシーでは tcp/443 のみの宣言ですが、"
                "ポリシー 20 は全 TCP ポートを許可しています。",
                en="The policy declares tcp/443 only, but policy 20 accepts every TCP port.",
            ),
            device="core-fw01",
            zone_from="mynumber",
            zone_to="lgwan_wan",
            example_flow=_flow("tcp", "10.10.2.7", "10.200.5.10", 40000, 22),
            evidence=eltax,
            policy_ref=PolicyRef(file=POLICY, line=27, id="eltax"),
            basis=(
                f"{GUIDELINE} 特定通信",
                "総務省 自治体情報セキュリティ対策の見直しについて（2020-05-22）",
            ),
            path=("core-fw01", "lgwan-rt01"),
            fingerprint=_fp("SPC-002", "core-fw01", "mynumber", "lgwan_wan", *eltax),
        ),
        Finding(
            check="SEP-004",
            severity=Severity.MEDIUM,
            status=Status.UNKNOWN,
            title=Text(
                ja="インターネット接続系から LGWAN接続系への通信を判定できない",
                en="Traffic from the Internet segment to the LGWAN segment cannot be decided",
            ),
            message=Text(
                ja="ルール mail-in の宛先 mail-relay が FQDN のため、通信の範囲を確定できません。",
                en="Rule mail-in uses the FQDN object mail-relay, so what it allows is unknown.",
            ),
            device="inet-fw01",
            zone_from="internet",
            zone_to="lgwan",
            evidence=mail,
            policy_ref=PolicyRef(file=POLICY, line=33, id="separation.lgwan"),
            basis=(f"{GUIDELINE} 無害化通信",),
            path=("inet-fw01",),
            fingerprint=_fp("SEP-004", "inet-fw01", "internet", "lgwan", *mail),
        ),
        Finding(
            check="MYN-001",
            severity=Severity.CRITICAL,
            status=Status.FAIL,
            title=Text(
                ja="マイナンバー利用事務系からインターネットへ通信できる",
                en="The My Number segment can reach the Internet",
            ),
            message=Text(
                ja="core-fw01 のポリシー 12 と inet-fw01 のルール outbound-any を経由して、"
                "マイナンバー利用事務系からインターネットへ到達できます。",
                en="Through policy 12 on core-fw01 and rule outbound-any on inet-fw01, the My "
                "Number segment reaches the Internet.",
            ),
            device="core-fw01",
            zone_from="mynumber",
            zone_to="internet_wan",
            example_flow=_flow("udp", "10.10.1.25", "203.0.113.53", 53000, 53),
            evidence=core_policy_12 + edge_default,
            policy_ref=PolicyRef(file=POLICY, line=14, id="separation.mynumber"),
            basis=(f"{GUIDELINE} 三層の対策（マイナンバー利用事務系の分離）",),
            path=("core-fw01", "inet-fw01"),
            fingerprint=_fp(
                "MYN-001", "core-fw01", "mynumber", "internet_wan", *core_policy_12, *edge_default
            ),
        ),
        Finding(
            check="HYG-011",
            severity=Severity.INFO,
            status=Status.FAIL,
            title=Text(ja="ログインバナーが設定されていない", en="No login banner is configured"),
            message=Text(
                ja="不正アクセス禁止の警告を表示するログインバナーがありません。",
                en="There is no login banner warning against unauthorised access.",
            ),
            device="lgwan-rt01",
            fingerprint=fingerprint("HYG-011", "lgwan-rt01"),
        ),
        Finding(
            check="L2-001",
            severity=Severity.MEDIUM,
            status=Status.ERROR,
            title=Text(
                ja="VLAN 分離のチェックを実行できなかった",
                en="The VLAN separation check could not run",
            ),
            message=Text(
                ja="チェックの実行中にエラーが発生しました: "
                "スイッチの設定がスナップショットにありません。",
                en="The check failed: the snapshot holds no switch configuration.",
            ),
            fingerprint=fingerprint("L2-001", "error"),
        ),
    )


def _cell(
    zone_from: str,
    zone_to: str,
    state: CellState,
    *,
    paths: int = 0,
    allowed: int = 0,
    devices: tuple[str, ...] = (),
    flow: dict[str, object] | None = None,
) -> MatrixCell:
    violations = paths - allowed if state is CellState.VIOLATION else 0
    return MatrixCell(
        zone_from=zone_from,
        zone_to=zone_to,
        state=state,
        paths=paths,
        allowed_paths=allowed,
        violations=violations,
        example_flow=flow,
        devices=devices,
    )


def sample_matrix() -> ZoneMatrix:
    """A matrix over the five zones with every cell state."""
    special = {
        ("mynumber", "internet"): _cell(
            "mynumber",
            "internet",
            CellState.VIOLATION,
            paths=1,
            devices=("core-fw01",),
            flow=_flow("tcp", "10.10.1.25", "10.30.0.80", 49152, 443),
        ),
        ("mynumber", "lgwan_wan"): _cell(
            "mynumber",
            "lgwan_wan",
            CellState.VIOLATION,
            paths=2,
            allowed=1,
            devices=("core-fw01", "lgwan-rt01"),
            flow=_flow("tcp", "10.10.2.7", "10.200.5.10", 40000, 22),
        ),
        ("mynumber", "internet_wan"): _cell(
            "mynumber",
            "internet_wan",
            CellState.VIOLATION,
            paths=1,
            devices=("core-fw01", "inet-fw01"),
            flow=_flow("udp", "10.10.1.25", "203.0.113.53", 53000, 53),
        ),
        ("lgwan", "internet"): _cell(
            "lgwan", "internet", CellState.ALLOWED, paths=1, allowed=1, devices=("inet-fw01",)
        ),
        ("lgwan", "lgwan_wan"): _cell(
            "lgwan", "lgwan_wan", CellState.ALLOWED, paths=3, allowed=3, devices=("lgwan-rt01",)
        ),
        ("lgwan", "internet_wan"): _cell(
            "lgwan", "internet_wan", CellState.ALLOWED, paths=1, allowed=1, devices=("inet-fw01",)
        ),
        ("internet", "lgwan"): _cell(
            "internet", "lgwan", CellState.UNKNOWN, paths=1, devices=("inet-fw01",)
        ),
        ("internet", "internet_wan"): _cell(
            "internet",
            "internet_wan",
            CellState.ALLOWED,
            paths=2,
            allowed=2,
            devices=("inet-fw01",),
        ),
        ("lgwan_wan", "lgwan"): _cell(
            "lgwan_wan", "lgwan", CellState.ALLOWED, paths=2, allowed=2, devices=("lgwan-rt01",)
        ),
    }
    cells = []
    for zf in ZONES:
        for zt in ZONES:
            if zf == zt:
                cells.append(_cell(zf, zt, CellState.SAME))
            else:
                cells.append(special.get((zf, zt), _cell(zf, zt, CellState.NONE)))
    return ZoneMatrix(zones=ZONES, cells=tuple(cells))


def sample_coverage() -> tuple[DeviceCoverage, ...]:
    """Coverage of the three devices, with unrecognized lines and warnings."""
    return (
        DeviceCoverage(
            device="lgwan-rt01",
            file=LGWAN_RT,
            platform="yamaha",
            lines=312,
            recognized=281,
            unrecognized=((77, "ipsec ike keepalive use 1 on heartbeat 10 3"),),
            collection="ok",
        ),
        DeviceCoverage(
            device="core-fw01",
            file=CORE,
            platform="fortinet",
            lines=1842,
            recognized=1516,
            unrecognized=(
                (1210, "        set load-balance-mode source-ip-based"),
                (1203, "config system sdwan"),
            ),
            warnings=((455, 'address "eltax-fqdn" is an FQDN and cannot be resolved'),),
            collection="ok",
        ),
        DeviceCoverage(
            device="inet-fw01",
            file=EDGE,
            platform="paloalto_panos",
            lines=640,
            recognized=598,
            unrecognized=(
                (88, "set deviceconfig system panorama-server 10.9.0.5"),
                (402, "set rulebase decryption rules [ m365 ] action no-decrypt"),
            ),
            warnings=((118, "address mail-relay is an FQDN; rules using it are unknown"),),
            collection="ok",
        ),
    )


def sample_result() -> AuditResult:
    """The full sample audit result (verdict: fail)."""
    return AuditResult(
        policy_file=POLICY,
        policy_digest=_digest("kamome-city policy v3"),
        model="alpha",
        snapshot="snap/",
        verdict=Verdict.FAIL,
        findings=sample_findings(),
        matrix=sample_matrix(),
        coverage=sample_coverage(),
        problems=(
            InputProblem(
                file="snap/old-sw03.cfg",
                line=0,
                message=(
                    "機種を判別できないため解析しませんでした（最も近い候補 cisco_ios: 信頼度 12）"
                ),
            ),
            InputProblem(
                file="policies/waivers.yaml",
                line=7,
                message="waiver W-2023-02 expired on 2024-03-31 and was ignored",
            ),
        ),
        run=RunInfo(tool_version="0.1.0", started="2025-04-01T09:00:00+09:00", duration_s=3.27),
        manifest_digest=_digest("snap manifest 2025-04-01"),
        checks_run=(
            "SPC-002",
            "MYN-001",
            "SEP-001",
            "SEP-004",
            "LBO-003",
            "HYG-010",
            "HYG-011",
            "L2-001",
        ),
    )


def empty_result() -> AuditResult:
    """An audit of nothing: no findings, no zones, no devices."""
    return AuditResult(
        policy_file="policy.yaml",
        policy_digest="",
        model="",
        snapshot="",
        verdict=Verdict.INCOMPLETE,
        findings=(),
        matrix=ZoneMatrix(zones=(), cells=()),
        coverage=(),
    )
