"""特定通信 lifecycle checks (SC-001, SC-003..SC-006): the semantics the fixtures cannot show.

Date boundaries, the split with MYN-003, and logging judged along end-to-end paths (a chain of
two routers, where the fixtures' devices stand alone).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from netaudit.engine import audit
from netaudit.policy import load_policy
from netaudit.result import Finding, Severity, Status

TODAY = dt.date(2026, 1, 15)

ZONES = """\
schema_version: 1
model: beta
zones:
  mynumber: { label: マイナンバー利用事務系, networks: [10.10.0.0/16] }
  lgwan: { label: LGWAN接続系, networks: [10.20.0.0/16] }
  lgwan_wan: { label: LGWAN, networks: [198.51.100.0/24, 192.0.2.0/24] }
  internet_wan: { label: インターネット }
"""

ELTAX = (
    "{ id: SC-ELTAX, from: mynumber, to: lgwan_wan, src: [10.10.11.20], "
    "dst: [198.51.100.10], services: [https]%s }"
)

# sep: mynumber (Gi0/0) -> transit 192.0.2.0/30 (Gi0/1) ; edge: transit (Gi0/0) -> LGWAN (Gi0/1)
SEP = """\
hostname sep
!
interface GigabitEthernet0/0
 ip address 10.10.255.2 255.255.255.252
 ip access-group MYN-IN in
!
interface GigabitEthernet0/1
 ip address 192.0.2.1 255.255.255.252
!
ip route 10.10.0.0 255.255.0.0 10.10.255.1
ip route 198.51.100.0 255.255.255.0 192.0.2.2
!
ip access-list extended MYN-IN
 10 permit tcp host 10.10.11.20 host 198.51.100.10 eq 443{log}
 90 deny ip any any log
!
end
"""
EDGE = """\
hostname edge
!
interface GigabitEthernet0/0
 ip address 192.0.2.2 255.255.255.252
 ip access-group TRANSIT-IN in
!
interface GigabitEthernet0/1
 ip address 192.0.2.9 255.255.255.252
!
ip route 10.10.0.0 255.255.0.0 192.0.2.1
ip route 198.51.100.0 255.255.255.0 192.0.2.10
!
ip access-list extended TRANSIT-IN
 10 permit tcp host 10.10.11.20 host 198.51.100.10 eq 443{log}
 90 deny ip any any log
!
end
"""


def run(tmp_path: Path, check: str, entries: str, configs: dict[str, str]) -> list[Finding]:
    """Audit a throw-away snapshot with one check; its non-quiet findings."""
    snap = tmp_path / "snap"
    snap.mkdir(exist_ok=True)
    for name, text in configs.items():
        (snap / f"{name}.cfg").write_text(text, encoding="utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text(ZONES + "specified_communications:\n" + entries, encoding="utf-8")
    result, _ = audit(snap, load_policy(policy), only=[check], today=TODAY)
    return [f for f in result.findings if f.check == check and f.status is not Status.PASS]


def chain(sep_log: bool, edge_log: bool) -> dict[str, str]:
    """Two routers in a row carrying eLTAX, each logging it or not."""
    return {
        "sep": SEP.format(log=" log" if sep_log else ""),
        "edge": EDGE.format(log=" log" if edge_log else ""),
    }


def test_sc003_boundaries(tmp_path: Path) -> None:
    """Past yesterday fails at medium; today is not past; today+30 is low; today+31 quiet."""
    day = dt.timedelta(days=1)
    dates = {
        "A": TODAY - day,
        "B": TODAY,
        "C": TODAY + 30 * day,
        "D": TODAY + 31 * day,
    }
    entries = "".join(
        f"  - {ELTAX.replace('SC-ELTAX', f'SC-{k}') % f', expires: {d.isoformat()}'}\n"
        for k, d in dates.items()
    )
    found = {
        f.policy_ref.id: f.severity
        for f in run(tmp_path, "SC-003", entries, chain(True, True))
        if f.policy_ref
    }
    assert found == {"SC-A": Severity.MEDIUM, "SC-B": Severity.LOW, "SC-C": Severity.LOW}


def test_sc001_accepts_either_date(tmp_path: Path) -> None:
    """``expires`` or ``review_by`` will do; the message lists exactly what is missing."""
    doc = ", basis: 総務省, owner: 税務課, approval_ref: 情政-1"
    entries = (
        f"  - {ELTAX.replace('SC-ELTAX', 'SC-REVIEW') % (doc + ', review_by: 2026-12-31')}\n"
        f"  - {ELTAX.replace('SC-ELTAX', 'SC-EXPIRES') % (doc + ', expires: 2026-12-31')}\n"
        f"  - {ELTAX.replace('SC-ELTAX', 'SC-NONE') % doc}\n"
    )
    found = run(tmp_path, "SC-001", entries, chain(True, True))
    assert [f.policy_ref.id for f in found if f.policy_ref] == ["SC-NONE"]
    assert "review_by/expires" in found[0].message.en
    assert "owner" not in found[0].message.en


def test_sc004_end_to_end_a_permit_the_next_device_drops_is_stale(tmp_path: Path) -> None:
    """sep permits eLTAX but edge drops it: nothing delivers it, so the entry is stale."""
    configs = chain(True, True)
    configs["edge"] = configs["edge"].replace(
        " 10 permit tcp host 10.10.11.20", " 10 deny tcp host 10.10.11.20"
    )
    assert [
        f.policy_ref.id
        for f in run(tmp_path, "SC-004", f"  - {ELTAX % ''}\n", configs)
        if f.policy_ref
    ] == ["SC-ELTAX"]
    assert run(tmp_path, "SC-004", f"  - {ELTAX % ''}\n", chain(True, True)) == []


def test_sc006_one_logging_device_on_the_path_is_enough(tmp_path: Path) -> None:
    """Logged on either router: quiet. Logged on neither: one finding per filtering router."""
    entry = f"  - {ELTAX % ''}\n"
    assert run(tmp_path, "SC-006", entry, chain(True, False)) == []
    assert run(tmp_path, "SC-006", entry, chain(False, True)) == []
    found = run(tmp_path, "SC-006", entry, chain(False, False))
    assert {f.device for f in found} == {"sep", "edge"}
    for f in found:
        assert f.example_flow is not None and f.example_flow["dport"] == 443
        assert len(f.path) == 2, "the finding names the whole path"


def test_sc005_leaves_the_carrying_line_to_myn003(tmp_path: Path) -> None:
    """A wide carrying line is MYN-003's; another line adding SMB is SC-005's."""
    entry = f"  - {ELTAX % ''}\n"
    wide = chain(True, True)
    wide["sep"] = wide["sep"].replace("host 198.51.100.10 eq 443 log", "host 198.51.100.10 log")
    wide["edge"] = wide["edge"].replace("host 198.51.100.10 eq 443 log", "host 198.51.100.10 log")
    assert run(tmp_path, "SC-005", entry, wide) == []
    assert {f.device for f in run(tmp_path, "MYN-003", entry, wide)} >= {"sep"}
    extra = chain(True, True)
    for name in ("sep", "edge"):
        extra[name] = extra[name].replace(
            " 90 deny ip any any log",
            " 20 permit tcp host 10.10.11.20 host 198.51.100.10 eq 445\n 90 deny ip any any log",
        )
    found = run(tmp_path, "SC-005", entry, extra)
    assert found and all(f.example_flow and f.example_flow["dport"] == 445 for f in found)
    assert all(f.policy_ref is not None and f.policy_ref.id == "SC-ELTAX" for f in found)


def test_expired_entries_are_left_to_sc003(tmp_path: Path) -> None:
    """An expired entry is neither stale (SC-004) nor checked for logging (SC-006)."""
    entry = f"  - {ELTAX % ', expires: 2025-01-01'}\n"
    assert run(tmp_path, "SC-004", entry, {"sep": SEP.format(log="")}) == []
    assert run(tmp_path, "SC-006", entry, chain(False, False)) == []
