"""Per-check pass/fail fixtures, checkov style.

``fixtures/<CHECK-ID>[-<variant>]/`` holds a compact ``policy.yaml`` and one small config per
device, named ``pass_*``, ``fail_*`` or ``unknown_*`` (the device name is the file stem), of any
platform and with any suffix the engine reads (``netaudit.engine.CONFIG_SUFFIXES``: ``.cfg``,
``.conf``, ``.txt``, ``.xml`` …). The folder is read exactly as a snapshot: the engine detects
each file's platform, and an optional ``manifest.json`` (``{"devices": {"<name>": {"platform":
"<netmiko name>"}}}``) pins it where detection would be ambiguous. Fixtures of one check for
several platforms go in variant folders (``MYN-001-fortinet``) or side by side in one folder.

The folder is audited with only that check; the subjects with a ``fail``
finding must be exactly the ``fail_*`` ones and those with an ``unknown`` finding exactly the
``unknown_*`` ones. A subject is a device, or — for findings about the policy itself (device
``""``) — the policy entry the finding points at, so such entries are given ids ``pass_*`` /
``fail_*`` (see ``MYN-003-policy``).

Every failing finding must also prove itself: its evidence lines are lines of that device's
file, and its example packet, walked concretely through the device's interface filters and its
zone/interface-pair policy (``DeviceConfig.policy``) with ``netaudit.flow.evaluate``, its routes
and the policy's zones, really gets through on every reported path. Fingerprints must survive
lines being inserted above (comment lines in the platform's own syntax).

A fixture that shows a check behaving wrongly stays here, marked in ``KNOWN_BUGS`` (strict
xfail), until the check is fixed.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from netaudit.engine import audit, snapshot_files
from netaudit.flow import Packet, evaluate
from netaudit.model import PROTO_ICMP, PROTO_TCP, PROTO_UDP, Action, DeviceConfig, Direction
from netaudit.parsers import PLATFORMS, available, detect
from netaudit.parsers.base import decode
from netaudit.policy import load_policy
from netaudit.reach import NetworkAnalysis, host_route
from netaudit.result import AuditResult, Finding, Status

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 1, 15)
FOLDER_RE = re.compile(r"^(?P<check>[A-Z][A-Z0-9]{1,3}-\d{3})(?:-(?P<variant>[a-z0-9-]+))?$")
# Checks whose device findings are about packets: each must carry an example packet that is
# proven to get through. Findings of other checks (an interface, a management setting, a
# port) are proven by their evidence lines alone; one without an example packet may also have
# no evidence when it reports an absence (no syslog host, no banner).
FLOW_CHECKS = frozenset(
    {
        "MYN-001",
        "MYN-002",
        "MYN-003",
        "LGW-001",
        "LGW-002",
        "LGW-003",
        "INT-002",
        "POL-001",
        "SC-005",
        "SC-006",
        "APR-001",
        "BET-001",
        "INT-003",
        "INT-001",
        "GOV-002",
    }
)
# Checks that report what the parser warns of (an undefined object): their fail_ configs must
# carry such warnings, so those alone are exempt from "fully understood, no warnings".
WARNING_CHECKS = frozenset({"RUL-008"})
REDACTED = "<redacted>"
ROUTELESS_EVIDENCE = frozenset({"MYN-003"})  # cites the filter lines only, not the route
SECTIONS = ("specified_communications", "allowed_flows", "lbo_services")
# Two lines a platform's parser reads as nothing (inserted to shift every line by two). XML
# cannot take anything before its declaration: see ``shifted``.
COMMENT = {
    "cisco_ios": "!",
    "cisco_asa": "!",
    "cisco_nxos": "!",
    "nec_ix": "!",
    "alaxala_ax": "!",
    "allied_telesis_awplus": "!",
    "fortinet": "#",
    "juniper_junos": "#",
    "yamaha": "#",
    "linux": "#",
}

KNOWN_BUGS: dict[str, str] = {}

# pass_* devices that do carry traffic, just not this check's: the owning checks must fail them,
# which proves the zone pairs are partitioned rather than dropped.
OWNED_ELSEWHERE: dict[tuple[str, str], tuple[str, ...]] = {
    ("MYN-002", "pass_internet_not_mine"): ("MYN-001",),
    ("MYN-003", "pass_broad_rule_elsewhere"): ("MYN-002",),
    ("MYN-003", "pass_shadowed_broad"): ("MYN-002",),
    ("LGW-002", "pass_lgwan_outbound_only"): ("LGW-003",),
    ("INT-002", "pass_not_mine"): ("MYN-001", "LGW-002"),
    ("INT-002", "pass_sec_cloud_only"): ("POL-001",),
    ("POL-001", "pass_claimed_pair"): ("LGW-002", "LGW-003"),
    ("SC-005", "pass_wide_line_is_myn003"): ("MYN-003",),
}


@dataclass(frozen=True)
class Fixture:
    """One fixture folder: the check it exercises and its pass/fail subjects."""

    folder: Path
    check: str
    devices: tuple[str, ...]
    entries: tuple[str, ...]
    files: dict[str, Path]
    platforms: dict[str, str]

    @property
    def subjects(self) -> tuple[str, ...]:
        """Devices and policy entries named ``pass_*`` / ``fail_*`` / ``unknown_*``."""
        return self.devices + self.entries

    def expected(self, status: Status) -> set[str]:
        """The subjects named after ``status`` (``fail_*`` for FAIL, ``unknown_*`` for UNKNOWN)."""
        return {s for s in self.subjects if s.startswith(f"{status.value}_")}


def fixture_folders() -> list[Path]:
    """Every fixture folder, sorted."""
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def load_fixture(folder: Path) -> Fixture:
    """Read a fixture folder's name, devices and named policy entries."""
    m = FOLDER_RE.match(folder.name)
    assert m, f"fixture folder {folder.name!r} is not <CHECK-ID>[-<variant>]"
    policy = load_policy(folder / "policy.yaml")
    entries = tuple(
        e.id
        for section in SECTIONS
        for e in getattr(policy.data, section)
        if e.id.startswith(("pass_", "fail_", "unknown_"))
    )
    files: dict[str, Path] = {}
    platforms: dict[str, str] = {}
    for sf in snapshot_files(folder):
        assert sf.device not in files, f"{folder.name}: two files for device {sf.device}"
        files[sf.device] = sf.path
        platforms[sf.device] = sf.platform or expected_platform(sf.path)
    return Fixture(
        folder=folder,
        check=m["check"],
        devices=tuple(sorted(files)),
        entries=entries,
        files=files,
        platforms=platforms,
    )


def read_text(path: Path) -> str:
    """A config file's text, decoded as the engine decodes it (UTF-8, Shift_JIS …)."""
    return decode(path.read_bytes(), source=str(path))


def expected_platform(path: Path) -> str:
    """The platform detection must settle on for an unpinned fixture: a clear winner.

    A runner-up within 10 points means the fixture should pin its platform in
    ``manifest.json`` instead of relying on luck.
    """
    text = read_text(path)
    scores = sorted(((m.detect(text), p) for p, m in available().items()), reverse=True)
    best, winner = scores[0]
    assert best > 0 and detect(text)[0] == winner, f"{path}: no platform detected"
    runner_up = scores[1][0] if len(scores) > 1 else 0
    assert best - runner_up >= 10, f"{path}: ambiguous platform {scores[:2]}; pin it"
    return winner


def run_audit(folder: Path, check: str) -> tuple[AuditResult, NetworkAnalysis]:
    """Audit a fixture folder with one check, on the fixed date.

    The devices of a folder are separate subjects that happen to reuse the same subnets, so
    each is its own network (no end-to-end path joins two of them) unless the folder has a
    ``connected.yaml`` marker file: then they form one network.
    """
    return audit(
        folder,
        load_policy(folder / "policy.yaml"),
        only=[check],
        today=TODAY,
        isolated=not (folder / "connected.yaml").exists(),
    )


@functools.cache
def audited(folder: Path, check: str) -> tuple[AuditResult, NetworkAnalysis]:
    """``run_audit``, once per folder and check for the whole module."""
    return run_audit(folder, check)


def subject(f: Finding) -> str:
    """What a finding is about: its device, or the policy entry for policy-level findings."""
    if f.device:
        return f.device
    assert f.policy_ref is not None, f"finding without device or policy entry: {f}"
    return f.policy_ref.id


def failing(
    result: AuditResult, check: str, statuses: tuple[Status, ...] = (Status.FAIL,)
) -> list[Finding]:
    """The findings of one check with one of ``statuses`` (``fail`` by default)."""
    return [f for f in result.findings if f.check == check and f.status in statuses]


def packet_of(flow: dict[str, object]) -> Packet:
    """The concrete packet of an ``example_flow``."""
    protos = {"tcp": PROTO_TCP, "udp": PROTO_UDP, "icmp": PROTO_ICMP}
    proto = str(flow["proto"])

    def opt(key: str) -> int | None:
        v = flow.get(key)
        return None if v is None else int(str(v))

    return Packet(
        proto=protos[proto] if proto in protos else int(proto),
        src=ipaddress.ip_address(str(flow["src"])),
        dst=ipaddress.ip_address(str(flow["dst"])),
        sport=opt("sport"),
        dport=opt("dport"),
        icmp_type=opt("icmp_type"),
        icmp_code=opt("icmp_code"),
        established=bool(flow.get("established", False)),
    )


def walk(device: DeviceConfig, in_if: str, out_if: str, p: Packet) -> list[tuple[Action, int]]:
    """Each filter the packet meets from ``in_if`` to ``out_if``: (action, deciding line).

    An independent re-statement of the forwarding rule (ingress bindings, the device policy for
    the interface pair, egress bindings), evaluated packet by packet; line 0 = a default.
    """
    out: list[tuple[Action, int]] = []

    def bound(iface: str, direction: Direction) -> None:
        for b in device.bound(iface, direction):
            flt = device.filter(b.filter)
            assert flt is not None, f"{device.name}: {b.filter} is not defined"
            if flt.family is not None and flt.family != p.src.version:
                continue  # an IPv6 list does not see IPv4 packets, and vice versa
            action, rule = evaluate(flt.rules, flt.default_action, p)
            out.append((action, rule.span.line if rule is not None else 0))

    bound(in_if, Direction.IN)
    if device.policy is not None:
        rules = [
            r
            for r in device.policy.rules
            if (r.in_interfaces is None or in_if in r.in_interfaces)
            and (r.out_interfaces is None or out_if in r.out_interfaces)
        ]
        action, rule = evaluate(rules, device.policy.default_action, p)
        out.append((action, rule.span.line if rule is not None else 0))
    bound(out_if, Direction.OUT)
    return out


def split_path(path: str) -> tuple[str, str, str]:
    """``device:in->out`` into its three parts."""
    device, _, pair = path.partition(":")
    in_if, _, out_if = pair.partition("->")
    assert device and in_if and out_if, f"malformed path {path!r}"
    return device, in_if, out_if


def shifted(text: str, platform: str) -> tuple[str, int]:
    """``text`` with two do-nothing lines inserted, and the first line number that moved.

    Comments in the platform's syntax go on top; an XML document keeps its declaration first
    and takes two XML comments after it.
    """
    if text.startswith("<?xml"):
        first, _, rest = text.partition("\n")
        return f"{first}\n<!-- -->\n<!-- -->\n{rest}", 2
    mark = COMMENT.get(platform)
    pad = f"{mark}\n{mark}\n" if mark else "\n\n"
    return pad + text, 1


def same_line(line: str, evidence: str) -> bool:
    """Whether evidence text is that config line, secrets redacted (``<redacted>``) or not."""
    line, evidence = _normal(line), _normal(evidence)
    if REDACTED not in evidence:
        return line == evidence
    pattern = ".*".join(re.escape(part) for part in evidence.split(REDACTED))
    return re.fullmatch(pattern, line) is not None and REDACTED not in line


def _normal(text: str) -> str:
    return " ".join(text.split())


def _id(folder: Path) -> str:
    return folder.name


ALL = fixture_folders()


def _expectation_params() -> list[object]:
    out: list[object] = []
    for folder in ALL:
        reason = KNOWN_BUGS.get(folder.name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(folder, marks=marks, id=folder.name))
    return out


@pytest.mark.parametrize("folder", _expectation_params())
def test_exactly_the_fail_subjects_fail(folder: Path) -> None:
    """Subjects with a ``fail`` (``unknown``) finding are exactly the ``fail_*`` (``unknown_*``)."""
    fx = load_fixture(folder)
    result, _ = audited(folder, fx.check)
    assert result.checks_run == (fx.check,)
    errors = [f for f in result.findings if f.status is Status.ERROR]
    assert not errors, errors
    for status in (Status.FAIL, Status.UNKNOWN):
        found = {subject(f) for f in failing(result, fx.check, (status,))}
        wanted = fx.expected(status)
        assert found == wanted, (
            f"{status.value}: unexpected {sorted(found - wanted)}; missed {sorted(wanted - found)}"
        )


@pytest.mark.parametrize("folder", ALL, ids=_id)
def test_fixture_configs_are_fully_understood(folder: Path) -> None:
    """Every line of every fixture config is understood, so verdicts rest on what was meant."""
    fx = load_fixture(folder)
    result, _ = audited(folder, fx.check)
    assert {c.device for c in result.coverage} == set(fx.devices)
    for c in result.coverage:
        assert c.platform == fx.platforms[c.device] and c.platform in PLATFORMS
        assert not c.unrecognized, (c.device, c.unrecognized)
        if fx.check in WARNING_CHECKS and c.device.startswith("fail_"):
            continue
        assert not c.warnings, (c.device, c.warnings)
    warned = fx.check in WARNING_CHECKS
    assert not [
        f
        for f in result.findings
        if f.check == "PARSE" and not (warned and f.device.startswith("fail_"))
    ]


@pytest.mark.parametrize("folder", ALL, ids=_id)
def test_failures_carry_evidence_and_a_packet_that_gets_through(folder: Path) -> None:
    """Evidence lines are lines of the device's file; the example packet really passes."""
    fx = load_fixture(folder)
    result, analysis = audited(folder, fx.check)
    policy = analysis.policy
    policy_lines = Path(policy.file).read_text(encoding="utf-8").splitlines()
    for f in failing(result, fx.check, (Status.FAIL, Status.UNKNOWN)):
        assert f.fingerprint
        if not f.device:
            # A finding about the policy itself points at the entry's line.
            assert f.policy_ref is not None
            assert f.policy_ref.id in policy_lines[f.policy_ref.line - 1]
            continue
        cfg = fx.files[f.device]
        lines = read_text(cfg).splitlines()
        flow = fx.check in FLOW_CHECKS or f.example_flow is not None
        assert f.evidence or not flow, f
        for e in f.evidence:
            assert Path(e.file).resolve() == cfg.resolve(), e
            assert 1 <= e.line <= len(lines), e
            assert same_line(lines[e.line - 1], e.text), e
        if not flow:
            assert not f.path, f
            continue
        assert f.example_flow is not None and f.path, f
        p = packet_of(f.example_flow)
        assert not p.established, "only packets that can open a session are violations"
        assert policy.zone_of_address(p.src) == f.zone_from
        assert policy.zone_of_address(p.dst) == f.zone_to
        evidence_lines = {e.line for e in f.evidence}
        deciding: set[int] = set()
        routes: set[int] = set()
        hops = [split_path(path) for path in f.path]
        # An end-to-end path names every device it crosses; the finding's device is one.
        assert f.device in {name for name, _, _ in hops}, f.path
        for name, in_if, out_if in hops:
            if name != f.device:
                continue
            device = analysis.devices[name]
            out_itf = device.interface(out_if)
            assert out_itf is not None and device.interface(in_if) is not None
            vrf = out_itf.vrf
            egress, route, _ = host_route(device, p.dst, vrf)
            assert egress == out_if, "dst not routed out of out_if"
            if route is not None:
                routes.add(route.span.line)
            assert host_route(device, p.src, vrf)[0] == in_if, "src not routed back via in_if"
            decisions = walk(device, in_if, out_if, p)
            assert all(a is Action.PERMIT for a, _ in decisions), (name, in_if, out_if, decisions)
            # The engine's own explanation agrees, and every permitting rule is evidence.
            steps = analysis.steps(name, in_if, out_if, p)
            assert [s.action for s in steps] == [a for a, _ in decisions]
            deciding |= {line for _, line in decisions if line}
        # Rule evidence is made of deciding lines; flow checks cite every one of them.
        assert {e.line for e in f.evidence if e.role.startswith("permit")} <= deciding
        assert deciding <= evidence_lines
        if fx.check not in ROUTELESS_EVIDENCE:
            assert routes <= evidence_lines


@pytest.mark.parametrize("folder", ALL, ids=_id)
def test_fingerprints_survive_lines_inserted_above(folder: Path, tmp_path: Path) -> None:
    """Two comment lines on top of every config: same fingerprints, lines shifted by two."""
    fx = load_fixture(folder)
    before, _ = audited(folder, fx.check)
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    moved_from: dict[str, int] = {}
    for device, path in fx.files.items():
        cfg = copy / path.name
        text, moved_from[path.name] = shifted(read_text(cfg), fx.platforms[device])
        cfg.write_text(text, encoding="utf-8")
    after, _ = run_audit(copy, fx.check)
    statuses = (Status.FAIL, Status.UNKNOWN)
    old = {f.fingerprint: f for f in failing(before, fx.check, statuses)}
    new = {f.fingerprint: f for f in failing(after, fx.check, statuses)}
    assert old.keys() == new.keys()
    for fp, f in old.items():
        g = new[fp]
        assert (g.device, g.zone_from, g.zone_to, g.path) == (
            f.device,
            f.zone_from,
            f.zone_to,
            f.path,
        )

        def moved(name: str, line: int) -> int:
            return line + 2 if line >= moved_from.get(name, 1) else line

        assert [
            (Path(e.file).name, moved(Path(e.file).name, e.line), e.text) for e in f.evidence
        ] == [(Path(e.file).name, e.line, e.text) for e in g.evidence]
        if f.policy_ref is not None:
            assert g.policy_ref is not None and g.policy_ref.line == f.policy_ref.line


@pytest.mark.parametrize(
    ("check", "device", "owners"),
    [(c, d, o) for (c, d), o in OWNED_ELSEWHERE.items()],
)
def test_pass_fixtures_owned_by_another_check_fail_there(
    check: str, device: str, owners: tuple[str, ...]
) -> None:
    """A pass_ device carrying another check's zone pair is reported by that check."""
    folder = FIXTURES / check
    assert device in load_fixture(folder).devices
    for owner in owners:
        result, _ = audited(folder, owner)
        assert device in {f.device for f in failing(result, owner)}, owner


def test_known_bugs_and_owners_name_existing_fixtures() -> None:
    """The xfail and ownership tables point at folders and devices that exist."""
    names = {p.name for p in ALL}
    assert set(KNOWN_BUGS) <= names
    for check, device in OWNED_ELSEWHERE:
        assert check in names and device in load_fixture(FIXTURES / check).devices


def test_manifest_pins_a_platform(tmp_path: Path) -> None:
    """``manifest.json`` in a fixture folder pins a device's platform over detection."""
    folder = tmp_path / "SC-004"
    shutil.copytree(FIXTURES / "SC-004", folder)
    (folder / "manifest.json").write_text(
        '{"devices": {"pass_router": {"platform": "cisco_ios"}}}', encoding="utf-8"
    )
    fx = load_fixture(folder)
    assert fx.platforms == {"pass_router": "cisco_ios", "pass_fgt": "fortinet"}
    assert fx.files["pass_fgt"].suffix == ".conf"


def test_shifted_keeps_every_format_parseable() -> None:
    """Comments on top in the platform's syntax; XML keeps its declaration on line 1."""
    assert shifted("hostname r1\n", "cisco_ios") == ("!\n!\nhostname r1\n", 1)
    assert shifted("config system global\n", "fortinet")[0].startswith("#\n#\n")
    xml, moved = shifted('<?xml version="1.0"?>\n<config/>\n', "paloalto_panos")
    assert xml.splitlines()[:3] == ['<?xml version="1.0"?>', "<!-- -->", "<!-- -->"]
    assert moved == 2


def test_same_line_accepts_redacted_secrets_only_where_they_were() -> None:
    """``<redacted>`` stands for the secret; the rest of the line must match."""
    assert same_line("snmp-server community Xq7 RO MGMT", "snmp-server community <redacted>")
    assert not same_line("snmp-server host 10.0.0.1", "snmp-server community <redacted>")
    assert same_line("interface  Gi0/0", "interface Gi0/0")
