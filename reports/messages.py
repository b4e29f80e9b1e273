"""The fixed words of every report, in Japanese (first) and English.

Labels are attributes of a frozen :class:`Labels` object, one instance per language, so a
missing translation is a type error rather than a ``KeyError`` in front of an auditor. Names of
enum members (verdicts, severities, statuses, matrix cell states) are mappings that a test
checks cover every member.

The Japanese wording follows what 情報セキュリティ担当 and 監査人 write in audit reports
(判定・検出事項・根拠・解析率 …); keep it plain and formal, never machine-translated English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from netaudit.result import CellState, Severity, Status, Text, Verdict, WaiverRef

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")


@dataclass(frozen=True, slots=True, kw_only=True)
class Labels:
    """Every fixed label a report prints, in one language.

    Fields ending in ``_fmt`` are :meth:`str.format` templates; their placeholders are named
    in the field's comment.
    """

    # header
    report_title: str
    verdict: str
    policy: str
    policy_digest: str
    model: str
    snapshot: str
    manifest_digest: str
    digests: str
    devices: str
    checks_run: str
    started: str
    duration: str
    seconds_fmt: str  # {s}
    tool_version: str
    # summary
    summary: str
    by_severity: str
    by_status: str
    failing_count: str
    total: str
    count_fmt: str  # {n}
    # zone matrix
    matrix: str
    matrix_corner: str
    legend: str
    no_zones: str
    cell_same: str
    cell_none: str
    cell_allowed: str
    cell_violation: str
    cell_unknown: str
    legend_same: str
    legend_none: str
    legend_allowed: str
    legend_violation: str
    legend_unknown: str
    # findings
    findings: str
    no_findings: str
    hidden_findings_fmt: str  # {n}
    quiet_findings_fmt: str  # {n}
    check: str
    title: str
    severity: str
    status: str
    device: str
    zones: str
    message: str
    example_packet: str
    evidence: str
    policy_ref: str
    basis: str
    path: str
    fingerprint: str
    established: str
    # coverage
    coverage: str
    no_devices: str
    col_device: str
    col_file: str
    col_platform: str
    col_lines: str
    col_recognized: str
    col_share: str
    col_unrecognized: str
    col_warnings: str
    col_collection: str
    unrecognized_lines: str
    parse_warnings: str
    # input problems
    problems: str
    no_problems: str
    col_line: str
    col_message: str
    # 新旧比較 (netaudit diff) and waivers
    diff_title: str
    changes: str
    change_new: str
    change_fixed: str
    change_unchanged: str
    new_findings: str
    fixed_findings: str
    unchanged_findings: str
    no_changed_findings: str
    flow_changes: str
    flow_added: str
    flow_removed: str
    no_flow_changes: str
    devices_responsible: str
    waiver: str
    waiver_fmt: str  # {id} {application_no} {approver} {expires} {reason}


JA = Labels(
    report_title="netaudit 監査結果",
    verdict="判定",
    policy="ポリシー",
    policy_digest="ポリシーのダイジェスト",
    model="モデル",
    snapshot="スナップショット",
    manifest_digest="マニフェストのダイジェスト",
    digests="証跡のダイジェスト",
    devices="機器数",
    checks_run="実施チェック数",
    started="実施日時",
    duration="所要時間",
    seconds_fmt="{s:.2f} 秒",
    tool_version="バージョン",
    summary="集計",
    by_severity="重大度別の不適合件数",
    by_status="状態別の件数",
    failing_count="不適合",
    total="計",
    count_fmt="{n}件",
    matrix="ゾーン間通信マトリクス",
    matrix_corner="送信元＼宛先",
    legend="凡例",
    no_zones="ゾーンが定義されていません。",
    cell_same="—",
    cell_none="✓",
    cell_allowed="許可",
    cell_violation="✗",
    cell_unknown="?",
    legend_same="同一ゾーン",
    legend_none="通信経路なし",
    legend_allowed="許可された通信のみ（経路数）",
    legend_violation="許可されていない通信（経路数）",
    legend_unknown="判定不能",
    findings="検出事項",
    no_findings="検出事項はありません。",
    hidden_findings_fmt="ほかに適合・対象外が{n}件あります（詳細表示で一覧）。",
    quiet_findings_fmt="適合・対象外 {n}件",
    check="チェック",
    title="件名",
    severity="重大度",
    status="状態",
    device="機器",
    zones="ゾーン",
    message="内容",
    example_packet="例示パケット",
    evidence="根拠",
    policy_ref="ポリシー定義",
    basis="準拠基準",
    path="経路",
    fingerprint="識別子",
    established="確立済みセッション (ACK)",
    coverage="設定の解析率",
    no_devices="解析した機器はありません。",
    col_device="機器",
    col_file="ファイル",
    col_platform="機種",
    col_lines="行数",
    col_recognized="解析済み",
    col_share="解析率",
    col_unrecognized="未解析行",
    col_warnings="警告",
    col_collection="収集状況",
    unrecognized_lines="未解析の設定行",
    parse_warnings="解析時の警告",
    problems="入力の問題",
    no_problems="入力の問題はありません。",
    col_line="行",
    col_message="内容",
    diff_title="netaudit 新旧比較",
    changes="変更点",
    change_new="新規",
    change_fixed="解消",
    change_unchanged="継続",
    new_findings="新たな指摘",
    fixed_findings="解消した指摘",
    unchanged_findings="変わらない指摘",
    no_changed_findings="ありません。",
    flow_changes="ゾーン間通信の変化",
    flow_added="新たに通る通信",
    flow_removed="通らなくなった通信",
    no_flow_changes="ゾーン間の通信に変化はありません。",
    devices_responsible="該当機器",
    waiver="例外承認",
    waiver_fmt="{id}（申請番号 {application_no}、承認者 {approver}、期限 {expires}）理由: {reason}",
)

EN = Labels(
    report_title="netaudit audit result",
    verdict="Verdict",
    policy="Policy",
    policy_digest="Policy digest",
    model="Model",
    snapshot="Snapshot",
    manifest_digest="Manifest digest",
    digests="Evidence digests",
    devices="Devices",
    checks_run="Checks run",
    started="Started",
    duration="Duration",
    seconds_fmt="{s:.2f} s",
    tool_version="Version",
    summary="Summary",
    by_severity="Failing findings by severity",
    by_status="Findings by status",
    failing_count="Failing",
    total="Total",
    count_fmt="{n}",
    matrix="Zone-to-zone matrix",
    matrix_corner="from \\ to",
    legend="Legend",
    no_zones="No zones are defined.",
    cell_same="—",
    cell_none="✓",
    cell_allowed="allowed",
    cell_violation="✗",
    cell_unknown="?",
    legend_same="same zone",
    legend_none="nothing crosses",
    legend_allowed="only allowed flows (paths)",
    legend_violation="flows the policy does not allow (paths)",
    legend_unknown="unknown",
    findings="Findings",
    no_findings="No findings.",
    hidden_findings_fmt="{n} more passed or not applicable (shown with verbose).",
    quiet_findings_fmt="{n} passed or not applicable",
    check="Check",
    title="Title",
    severity="Severity",
    status="Status",
    device="Device",
    zones="Zones",
    message="Details",
    example_packet="Example packet",
    evidence="Evidence",
    policy_ref="Policy entry",
    basis="Basis",
    path="Path",
    fingerprint="Fingerprint",
    established="established session (ACK)",
    coverage="Parse coverage",
    no_devices="No devices were parsed.",
    col_device="Device",
    col_file="File",
    col_platform="Platform",
    col_lines="Lines",
    col_recognized="Recognized",
    col_share="Coverage",
    col_unrecognized="Unrecognized",
    col_warnings="Warnings",
    col_collection="Collection",
    unrecognized_lines="Unrecognized lines",
    parse_warnings="Parser warnings",
    problems="Input problems",
    no_problems="No input problems.",
    col_line="Line",
    col_message="Message",
    diff_title="netaudit change diff",
    changes="Changes",
    change_new="NEW",
    change_fixed="FIXED",
    change_unchanged="unchanged",
    new_findings="New findings",
    fixed_findings="Fixed findings",
    unchanged_findings="Unchanged findings",
    no_changed_findings="None.",
    flow_changes="Flow changes between zones",
    flow_added="opened by the change",
    flow_removed="closed by the change",
    no_flow_changes="No flow between zones changed.",
    devices_responsible="Devices",
    waiver="Waiver",
    waiver_fmt="{id} (application no. {application_no}, approved by {approver}, "
    "expires {expires}) reason: {reason}",
)

_LABELS: Mapping[Lang, Labels] = MappingProxyType({"ja": JA, "en": EN})


def labels(lang: Lang) -> Labels:
    """The labels of ``lang``."""
    return _LABELS[lang]


VERDICT_NAMES: Mapping[Verdict, Text] = MappingProxyType(
    {
        Verdict.PASS: Text(ja="合格", en="PASS"),
        Verdict.FAIL: Text(ja="不合格", en="FAIL"),
        Verdict.INCOMPLETE: Text(ja="判定不能", en="INCOMPLETE"),
    }
)

SEVERITY_NAMES: Mapping[Severity, Text] = MappingProxyType(
    {
        Severity.CRITICAL: Text(ja="緊急", en="critical"),
        Severity.HIGH: Text(ja="高", en="high"),
        Severity.MEDIUM: Text(ja="中", en="medium"),
        Severity.LOW: Text(ja="低", en="low"),
        Severity.INFO: Text(ja="情報", en="info"),
    }
)

STATUS_NAMES: Mapping[Status, Text] = MappingProxyType(
    {
        Status.FAIL: Text(ja="不適合", en="fail"),
        Status.WAIVED: Text(ja="例外承認済み", en="waived"),
        Status.UNKNOWN: Text(ja="判定不能", en="unknown"),
        Status.ERROR: Text(ja="実行エラー", en="error"),
        Status.PASS: Text(ja="適合", en="pass"),
        Status.NOT_APPLICABLE: Text(ja="対象外", en="not applicable"),
    }
)

CELL_STATE_NAMES: Mapping[CellState, Text] = MappingProxyType(
    {
        CellState.SAME: Text(ja="同一ゾーン", en="same zone"),
        CellState.NONE: Text(ja="通信経路なし", en="nothing crosses"),
        CellState.ALLOWED: Text(ja="許可通信のみ", en="allowed flows only"),
        CellState.VIOLATION: Text(ja="違反あり", en="violation"),
        CellState.UNKNOWN: Text(ja="判定不能", en="unknown"),
    }
)


def waiver_text(waiver: WaiverRef, lang: Lang) -> str:
    """The approval of a waived finding on one line: id, 申請番号, approver, expiry, reason."""
    return labels(lang).waiver_fmt.format(
        id=waiver.id,
        application_no=waiver.application_no,
        approver=waiver.approver,
        expires=waiver.expires,
        reason=waiver.reason,
    )


def change_name(change: str, lang: Lang) -> str:
    """新規 / 解消 / 継続 (NEW / FIXED / unchanged) for a finding's ``change``; ``""`` outside a diff."""
    msg = labels(lang)
    names = {"new": msg.change_new, "fixed": msg.change_fixed, "unchanged": msg.change_unchanged}
    return names.get(change, "")


def verdict_name(verdict: Verdict, lang: Lang) -> str:
    """合格 / 不合格 / 判定不能 (PASS / FAIL / INCOMPLETE)."""
    return VERDICT_NAMES[verdict].get(lang)


def severity_name(severity: Severity, lang: Lang) -> str:
    """緊急 / 高 / 中 / 低 / 情報."""
    return SEVERITY_NAMES[severity].get(lang)


def status_name(status: Status, lang: Lang) -> str:
    """不適合 / 例外承認済み / 判定不能 / 実行エラー / 適合 / 対象外."""
    return STATUS_NAMES[status].get(lang)


def cell_state_name(state: CellState, lang: Lang) -> str:
    """How a zone-matrix cell state reads in a sentence."""
    return CELL_STATE_NAMES[state].get(lang)
