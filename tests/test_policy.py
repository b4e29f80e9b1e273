"""Tests of netaudit.policy: loading, every kind of problem with its file and line, lookups.

Bad fixtures under tests/fixtures/policies/ mark each line that must be reported with a trailing
``# expect: <text>`` comment; the tests read the markers, so no line number is written twice.
Templates (policies/*.yaml) and the bundled example are checked against the loader, the lint,
the committed JSON Schema, and for internal consistency (every entry's addresses lie in its zones).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import ipaddress
import json
import re
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml
from pydantic import BaseModel

from netaudit.errors import PolicyError
from netaudit.model import PROTO_ICMP, PROTO_TCP, PROTO_UDP, ServiceMatch
from netaudit.policy import (
    BUILTIN_SERVICES,
    CANONICAL_ZONES,
    AllowedFlow,
    LboService,
    ManagementPolicy,
    Municipality,
    Policy,
    PolicyModel,
    PolicyValidationError,
    Problem,
    Requires,
    SpecifiedCommunication,
    Zone,
    json_schema,
    lint_policy,
    load_policy,
    parse_service,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "policies"
TEMPLATE_DIR = ROOT / "policies"
TEMPLATES = sorted(TEMPLATE_DIR.glob("*.yaml"))
EXAMPLE = ROOT / "examples" / "sakuradai" / "policy.yaml"
SCHEMA_FILE = TEMPLATE_DIR / "policy.schema.json"
TODAY = dt.date(2026, 4, 1)
EXPECTED_TEMPLATES = {
    "alpha.yaml": "alpha",
    "alpha-prime.yaml": "alpha_prime",
    "beta.yaml": "beta",
    "beta-prime.yaml": "beta_prime",
}
_MARKER = re.compile(r"#\s*expect:\s*(?P<text>.+?)\s*$")


# -- helpers ---------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    """Write a dedented policy text and return its path."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the only line of ``path`` containing ``needle``."""
    hits = [
        i
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if needle in line
    ]
    assert len(hits) == 1, f"{needle!r} found on lines {hits} of {path}"
    return hits[0]


def entry_line(path: Path, entry_id: str) -> int:
    """The line of the entry whose ``id`` is exactly ``entry_id``."""
    pattern = re.compile(rf"\bid: {re.escape(entry_id)}(?=[,\s}}]|$)")
    return line_of_match(path, pattern)


def line_of_match(path: Path, pattern: re.Pattern[str]) -> int:
    """The 1-based line of the only line of ``path`` matching ``pattern``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i for i, line in enumerate(lines, 1) if pattern.search(line)]
    assert len(hits) == 1, f"{pattern.pattern!r} found on lines {hits} of {path}"
    return hits[0]


def markers(path: Path) -> list[tuple[int, str]]:
    """``(line, expected text)`` for every ``# expect:`` marker of a fixture."""
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = _MARKER.search(line)
        if m and not line.lstrip().startswith("#"):
            out.append((i, m["text"]))
    assert out, f"{path} has no expect markers"
    return out


def problems(path: Path, *, today: dt.date = TODAY) -> list[Problem]:
    """Every problem the loader (or, for a valid file, the lint) reports."""
    try:
        policy = load_policy(path)
    except PolicyValidationError as e:
        return list(e.problems)
    return lint_policy(policy, today=today)


def load_text(tmp_path: Path, text: str) -> Policy:
    """Load a policy written from text; fail the test with the problems if it is invalid."""
    path = write(tmp_path, text)
    try:
        return load_policy(path)
    except PolicyValidationError as e:
        pytest.fail("\n".join(str(p) for p in e.problems))


def problems_of_text(tmp_path: Path, text: str) -> tuple[Path, list[Problem]]:
    """The path written and the problems loading it reports (there must be some)."""
    path = write(tmp_path, text)
    with pytest.raises(PolicyValidationError) as info:
        load_policy(path)
    return path, list(info.value.problems)


def assert_marked_problems(path: Path, found: list[Problem]) -> None:
    """Every marker is reported at its line with its text, and nothing else is reported."""
    expected = markers(path)
    assert all(p.file == str(path) for p in found), [p.file for p in found]
    unmatched = list(found)
    missing = []
    for line, text in expected:
        hit = next((p for p in unmatched if p.line == line and text in p.message), None)
        if hit is None:
            missing.append(f"line {line}: {text}")
        else:
            unmatched.remove(hit)
    assert not missing and not unmatched, (
        "missing: " + "; ".join(missing) + "\nunexpected: " + "; ".join(map(str, unmatched))
    )


def json_ready(value: Any) -> Any:
    """YAML data as JSON sees it (dates are strings), for schema validation."""
    return json.loads(json.dumps(value, default=lambda o: o.isoformat()))


def gen_script() -> ModuleType:
    """scripts/gen_policy_schema.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "gen_policy_schema", ROOT / "scripts" / "gen_policy_schema.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def validator() -> Any:
    """A Draft 2020-12 validator of the committed schema, checking formats (dates)."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


# -- the bundled example -------------------------------------------------------------------------


def test_example_loads_with_zones_and_entry_lines() -> None:
    policy = load_policy(EXAMPLE)
    raw = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert policy.data.model == "beta"
    assert policy.zone_ids == tuple(raw["zones"])
    assert policy.file == str(EXAMPLE)
    assert policy.digest == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert policy.digest_short() == policy.digest[:12]
    sections = ("allowed_flows", "specified_communications")
    assert sum(len(getattr(policy.data, s)) for s in sections) == sum(
        len(raw.get(s, [])) for s in sections
    )
    for section in sections:
        for i, entry in enumerate(getattr(policy.data, section)):
            assert policy.line(section, i) == entry_line(EXAMPLE, entry.id)
    assert policy.line("zones", "lgwan", "networks") == line_of(EXAMPLE, "networks: [10.20.0.0/16")
    assert lint_policy(policy, today=TODAY) == []


# -- templates -----------------------------------------------------------------------------------


def test_every_model_has_a_template() -> None:
    assert {p.name for p in TEMPLATES} == set(EXPECTED_TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_loads_and_lints_clean(path: Path) -> None:
    policy = load_policy(path)
    assert policy.data.model == EXPECTED_TEMPLATES[path.name]
    assert lint_policy(policy, today=TODAY) == []
    assert set(INTERNAL) <= set(policy.zone_ids)
    assert {"lgwan_wan", "sec_cloud", "internet_wan"} <= set(policy.zone_ids)
    assert policy.is_rest("internet_wan")


INTERNAL = ("mynumber", "lgwan", "internet", "mgmt")


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_points_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./policy.schema.json"
    assert (path.parent / "policy.schema.json").is_file()


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_specified_communications_are_narrow_and_owned(path: Path) -> None:
    """MYN-003 and SC-001 would flag a template entry that is broad or has no audit trail."""
    policy = load_policy(path)
    names = {sc.name for sc in policy.data.specified_communications}
    for needle in ("eLTAX", "ぴったりサービス", "中間サーバー", "住基ネット", "画面転送"):
        assert any(needle in n for n in names), needle
    for sc in policy.data.specified_communications:
        assert sc.src and sc.dst, sc.id
        assert "any" not in sc.services, sc.id
        assert sc.owner and sc.approval_ref and sc.basis and sc.review_by, sc.id
        assert "mynumber" in (sc.from_, sc.to), sc.id


def _in_zone(policy: Policy, net: ipaddress.IPv4Network | ipaddress.IPv6Network, zone: str) -> bool:
    if policy.is_rest(zone):
        return policy.zones_of_network(net) == ()
    return zone in policy.zones_of_network(net)


@pytest.mark.parametrize("path", [*TEMPLATES, EXAMPLE], ids=lambda p: p.name)
def test_entry_addresses_lie_in_their_zones(path: Path) -> None:
    """An address outside the entry's zone would make the entry allow nothing at all."""
    policy = load_policy(path)
    entries: list[AllowedFlow | SpecifiedCommunication] = [
        *policy.data.allowed_flows,
        *policy.data.specified_communications,
    ]
    for entry in entries:
        for zone, refs in ((entry.from_, entry.src), (entry.to, entry.dst)):
            for net in policy.addresses(refs):
                assert _in_zone(policy, net, zone), f"{entry.id}: {net} is not in {zone}"
    for lbo in policy.data.lbo_services:
        assert lbo.dst, f"{lbo.id}: a breakout by FQDN only cannot be audited (unknown)"
        for net in policy.addresses(lbo.dst):
            assert _in_zone(policy, net, "internet_wan"), f"{lbo.id}: {net}"


def test_alpha_prime_template_declares_restricted_breakouts() -> None:
    policy = load_policy(TEMPLATE_DIR / "alpha-prime.yaml")
    lbo = {x.id: x for x in policy.data.lbo_services}
    assert {"LBO-M365", "LBO-GWS"} <= set(lbo)
    for key in ("LBO-M365", "LBO-GWS"):
        assert lbo[key].fqdn and lbo[key].tenant_restriction and lbo[key].ssl_inspection
    for other in ("alpha.yaml", "beta.yaml", "beta-prime.yaml"):
        assert load_policy(TEMPLATE_DIR / other).data.lbo_services == []


@pytest.mark.parametrize(
    ("name", "frm", "to"),
    [
        ("alpha.yaml", "lgwan", "internet"),
        ("alpha-prime.yaml", "lgwan", "internet"),
        ("beta.yaml", "internet", "lgwan"),
        ("beta-prime.yaml", "internet", "lgwan"),
    ],
)
def test_template_screen_transfer_direction(name: str, frm: str, to: str) -> None:
    """α: LGWAN terminals → virtual browser; β/β′: Internet terminals → LGWAN VDI."""
    policy = load_policy(TEMPLATE_DIR / name)
    flow = next(f for f in policy.data.allowed_flows if f.id == "F-SCREEN-TRANSFER")
    assert (flow.from_, flow.to) == (frm, to)
    assert flow.requires is not None and flow.requires.clipboard == "disabled"
    sanitized = next(f for f in policy.data.allowed_flows if f.id == "F-SANITIZED-MAIL")
    assert (sanitized.from_, sanitized.to) == ("internet", "lgwan")
    assert sanitized.requires is not None and sanitized.requires.sanitization == "mail_text"


def test_beta_prime_template_puts_business_systems_in_a_child_of_internet() -> None:
    policy = load_policy(TEMPLATE_DIR / "beta-prime.yaml")
    assert policy.root("gyomu") == "internet"
    net = policy.addresses(["zaimu-kaikei"])[0]
    assert policy.zones_of_network(net)[:2] == ("gyomu", "internet")


def test_readme_explains_every_key_builtin_and_zone() -> None:
    readme = (TEMPLATE_DIR / "README.md").read_text(encoding="utf-8")
    models: list[type[BaseModel]] = [
        PolicyModel,
        Municipality,
        Zone,
        AllowedFlow,
        Requires,
        SpecifiedCommunication,
        LboService,
        ManagementPolicy,
    ]
    for model in models:
        for name, field in model.model_fields.items():
            key = field.alias or name
            assert f"`{key}`" in readme, f"{model.__name__}.{key} is not in policies/README.md"
    for name, literals in BUILTIN_SERVICES.items():
        assert f"| `{name}` | {', '.join(literals)} |" in readme, name
    for zone in CANONICAL_ZONES:
        assert f"| `{zone}` |" in readme, zone
    for template in EXPECTED_TEMPLATES:
        assert f"`{template}`" in readme, template


# -- the committed JSON Schema ---------------------------------------------------------------------


def test_committed_schema_is_current() -> None:
    generated = gen_script().render()
    assert (
        generated == json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    assert committed == generated, (
        "policies/policy.schema.json is stale; regenerate it with "
        "`.venv/bin/python scripts/gen_policy_schema.py` and commit the result"
    )


def test_schema_script_check_mode(tmp_path: Path) -> None:
    script = gen_script()
    out = tmp_path / "schema.json"
    assert script.main(["--check", "--output", str(out)]) == 1
    assert script.main(["--output", str(out)]) == 0
    first = out.read_bytes()
    assert first.endswith(b"}\n") and not first.endswith(b"\n\n")
    assert script.main(["--check", "--output", str(out)]) == 0
    assert script.main(["--output", str(out)]) == 0
    assert out.read_bytes() == first
    out.write_text(first.decode("utf-8").replace('"Zone"', '"Zones"', 1), encoding="utf-8")
    assert script.main(["--check", "--output", str(out)]) == 1


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) == {"model", "zones"}
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize(
    "path",
    [*TEMPLATES, EXAMPLE, *sorted(FIXTURES.glob("good_*.yaml")), FIXTURES / "expired.yaml"],
    ids=lambda p: p.name,
)
def test_valid_policies_validate_against_the_schema(path: Path) -> None:
    data = json_ready(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(data)]
    assert errors == []


def test_schema_rejects_what_the_loader_rejects() -> None:
    path = FIXTURES / "bad_structure.yaml"
    data = json_ready(yaml.safe_load(path.read_text(encoding="utf-8")))
    paths = {tuple(e.absolute_path) for e in validator().iter_errors(data)}
    for expected in [
        (),  # unknown top-level key 'colour'
        ("zones", "lgwan", "vlans", 1),
        ("zones", "lgwan", "wireless"),
        ("zones", "lgwan", "separation"),
        ("allowed_flows", 0),  # no services
        ("allowed_flows", 1, "services"),
        ("allowed_flows", 1, "expires"),
        ("specified_communications", 0),  # unknown key 'approver'
        ("specified_communications", 0, "match_by", 0),
    ]:
        assert expected in paths, (expected, sorted(paths, key=str))


# -- problems, each with its file and line -----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "bad_structure.yaml",
        "bad_references.yaml",
        "bad_cidr.yaml",
        "bad_yaml_syntax.yaml",
        "bad_duplicate_keys.yaml",
        "expired.yaml",
    ],
)
def test_every_problem_is_reported_at_its_line(name: str) -> None:
    path = FIXTURES / name
    assert_marked_problems(path, problems(path))


def test_several_problems_in_one_file_are_all_reported() -> None:
    structure = problems(FIXTURES / "bad_structure.yaml")
    references = problems(FIXTURES / "bad_references.yaml")
    assert len(structure) == len(markers(FIXTURES / "bad_structure.yaml")) >= 10
    assert len(references) == len(markers(FIXTURES / "bad_references.yaml")) >= 10


def test_duplicate_entry_ids_are_reported_at_the_repeated_entry() -> None:
    path = FIXTURES / "bad_duplicate_ids.yaml"
    assert_marked_problems(path, problems(path))


def test_duplicate_entry_ids_are_reported_across_sections() -> None:
    found = problems(FIXTURES / "bad_duplicate_ids.yaml")
    assert sorted(re.findall(r"'([^']+)'", p.message)[0] for p in found) == ["F-ASP", "SC-X"]
    assert all("duplicate entry id" in p.message for p in found)


def test_first_problem_is_on_the_error(tmp_path: Path) -> None:
    path = FIXTURES / "bad_references.yaml"
    with pytest.raises(PolicyValidationError) as info:
        load_policy(path)
    first = info.value.problems[0]
    assert (info.value.file, info.value.line) == (first.file, first.line)
    assert str(first) == f"{path}:{first.line}: {first.message}"
    assert str(Problem("p.yaml", 0, "no line")) == "p.yaml: no line"
    assert isinstance(info.value, PolicyError)


@pytest.mark.parametrize(
    "text",
    [
        # a tab where indentation is expected
        "model: alpha\nzones:\n\tlgwan: {}  # expect: YAML syntax\n",
        # a flow sequence closed by the wrong bracket
        "model: alpha\nzones:\n  lgwan: {networks: [10.20.0.0/16}  # expect: YAML syntax\n",
        # a key indented less than its sibling
        "model: alpha\nzones:\n  lgwan:\n    label: x\n   vlans: [20]  # expect: YAML syntax\n",
    ],
    ids=["tab", "bracket", "indent"],
)
def test_yaml_syntax_error_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    assert_marked_problems(path, problems(path))


def test_unterminated_quote_names_the_line_it_starts(tmp_path: Path) -> None:
    _, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones:
          lgwan:
            label: "LGWAN接続系
          internet: {}
        """,
    )
    assert len(found) == 1
    assert found[0].line == 4 or "line 4" in found[0].message, str(found[0])


def test_duplicate_top_level_key(tmp_path: Path) -> None:
    _, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones:
          lgwan: {}
        model: beta
        """,
    )
    assert [(p.line, p.message) for p in found] == [(4, "duplicate key 'model' (first at line 1)")]


def test_wrong_type_for_a_whole_section(tmp_path: Path) -> None:
    _, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones:
          - lgwan
          - internet
        management:
          log_retention_days: a year
        """,
    )
    assert [p.line for p in found] == [2, 6]
    assert "zones" in found[0].message and "dictionary" in found[0].message
    assert "log_retention_days" in found[1].message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model: alpha\n", "missing required key 'zones'"),
        ("zones: {lgwan: {}}\n", "missing required key 'model'"),
        ("model: gamma\nzones: {lgwan: {}}\n", "model"),
        ("schema_version: 2\nmodel: alpha\nzones: {lgwan: {}}\n", "schema_version"),
        ("model: alpha\ndefault_action: allow\nzones: {lgwan: {}}\n", "default_action"),
    ],
    ids=["no-zones", "no-model", "unknown-model", "future-schema", "default-allow"],
)
def test_top_level_problems(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    found = problems(path)
    assert len(found) == 1 and message in found[0].message
    expected_line = next(
        (i for i, line in enumerate(text.splitlines(), 1) if line.startswith(message)), 1
    )
    assert found[0].line == expected_line


def test_missing_services_reports_the_entry_line(tmp_path: Path) -> None:
    _, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones: {lgwan: {}, lgwan_wan: {}}
        allowed_flows:
          - id: F-OK
            from: lgwan
            to: lgwan_wan
            services: [https]
          - id: F-NONE
            from: lgwan
            to: lgwan_wan
          - {id: F-EMPTY, from: lgwan, to: lgwan_wan, services: []}
        """,
    )
    assert [(p.line, "services" in p.message) for p in found] == [(8, True), (11, True)]


def test_unknown_key_in_nested_entries(tmp_path: Path) -> None:
    _, found = problems_of_text(
        tmp_path,
        """
        model: alpha_prime
        zones:
          lgwan: {lable: typo}
        lbo_services:
          - id: LBO-X
            dst: [203.0.113.0/24]
            tenant: contoso
        management:
          ntp: [10.99.0.10]
        """,
    )
    assert sorted((p.line, p.message) for p in found) == [
        (3, "unknown key 'lable' at zones.lgwan.lable"),
        (7, "unknown key 'tenant' at lbo_services.0.tenant"),
        (9, "unknown key 'ntp' at management.ntp"),
    ]


def test_bad_cidrs_written_inline(tmp_path: Path) -> None:
    _, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones:
          lgwan: {networks: [10.20.0.0/16, 10.0.0.1/8]}
          internet: {networks: [10.30.0.300/24]}
        allowed_flows:
          - {id: F-X, from: lgwan, to: internet, dst: [10.30.1.1/16], services: [https]}
        """,
    )
    assert sorted((p.line, "host bits" in p.message) for p in found) == [
        (3, True),
        (4, False),
        (6, True),
    ]
    assert "not an address or network" in next(p.message for p in found if p.line == 4)


def test_host_bits_in_an_entry_literal(tmp_path: Path) -> None:
    _, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones: {lgwan: {networks: [10.20.0.0/16]}, lgwan_wan: {networks: [198.51.100.0/24]}}
        allowed_flows:
          - {id: F-X, from: lgwan, to: lgwan_wan, dst: [198.51.100.1/24], services: [https]}
        """,
    )
    assert [p.line for p in found] == [4]
    assert "host bits" in found[0].message


def test_hex_like_address_names_are_names(tmp_path: Path) -> None:
    policy = load_text(
        tmp_path,
        """
        model: alpha
        zones: {lgwan: {networks: [10.20.0.0/16]}, lgwan_wan: {networks: [198.51.100.0/24]}}
        addresses:
          db: [10.20.0.5]
          dc1: [db, 10.20.0.6]
          cafe: [198.51.100.7]
        allowed_flows:
          - {id: F-X, from: lgwan, to: lgwan_wan, src: [dc1], dst: [cafe], services: [https]}
        """,
    )
    assert [str(n) for n in policy.addresses(["dc1"])] == ["10.20.0.5/32", "10.20.0.6/32"]


# -- zones: canonical, custom, overlaps ----------------------------------------------------------------


def test_overlap_names_both_lines(tmp_path: Path) -> None:
    path, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones:
          lgwan:
            networks:
              - 10.20.0.0/16
          internet:
            networks:
              - 10.30.0.0/16
              - 10.20.128.0/17
        """,
    )
    assert len(found) == 1
    lines = {found[0].line, int(re.findall(r"\(line (\d+)\)", found[0].message)[0])}
    assert lines == {line_of(path, "10.20.0.0/16"), line_of(path, "10.20.128.0/17")}
    assert "10.20.0.0/16" in found[0].message and "10.20.128.0/17" in found[0].message


def test_child_zones_inside_their_ancestors_are_not_overlaps(tmp_path: Path) -> None:
    policy = load_text(
        tmp_path,
        """
        model: alpha
        zones:
          lgwan: {networks: [10.20.0.0/16]}
          naibu: {parent: lgwan, networks: [10.20.128.0/17]}
          naibu_dev: {parent: naibu, networks: [10.20.200.0/24, 10.20.0.0/24]}
          internet: {networks: [10.30.0.0/16]}
        """,
    )
    assert policy.root("naibu_dev") == "lgwan"


def test_sibling_children_overlapping_each_other_are_reported(tmp_path: Path) -> None:
    path, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones:
          lgwan: {networks: [10.20.0.0/16]}
          naibu: {parent: lgwan, networks: [10.20.128.0/17]}
          kaihatsu: {parent: lgwan, networks: [10.20.200.0/24]}
        """,
    )
    assert [p.line for p in found] == [line_of(path, "kaihatsu")]
    assert "'naibu'" in found[0].message


def test_child_overlapping_an_unrelated_zone_is_reported(tmp_path: Path) -> None:
    path, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones:
          internet: {networks: [10.30.0.0/16]}
          lgwan: {networks: [10.20.0.0/16]}
          dmz: {parent: internet, networks: [10.20.9.0/24]}
        """,
    )
    assert [p.line for p in found] == [line_of(path, "dmz")]
    assert "'lgwan'" in found[0].message


def test_ipv4_and_ipv6_never_overlap(tmp_path: Path) -> None:
    policy = load_text(
        tmp_path,
        """
        model: alpha
        zones:
          lgwan: {networks: [0.0.0.0/0]}
          internet: {networks: ["::/0"]}
        """,
    )
    assert policy.zones_of_network(ipaddress.ip_network("2001:db8::/32")) == ("internet",)


def test_external_zones_overlapping_internal_ones_are_reported(tmp_path: Path) -> None:
    path, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones:
          lgwan: {networks: [10.20.0.0/16]}
          lgwan_wan: {networks: [10.0.0.0/8]}
        """,
    )
    assert [p.line for p in found] == [line_of(path, "lgwan:")]


def test_parent_cycle_is_reported(tmp_path: Path) -> None:
    _, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones:
          lgwan: {}
          naibu: {parent: kaihatsu}
          kaihatsu: {parent: naibu}
        """,
    )
    assert {p.line for p in found} == {4, 5}


def test_address_cycle_is_reported(tmp_path: Path) -> None:
    _, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones: {lgwan: {networks: [10.20.0.0/16]}}
        addresses:
          servers: [web-servers]
          web-servers: [servers]
        """,
    )
    assert {p.line for p in found} <= {4, 5} and found


def test_service_cycle_is_reported(tmp_path: Path) -> None:
    _, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones: {lgwan: {}}
        services:
          web: [web-alt]
          web-alt: [web]
        """,
    )
    assert {p.line for p in found} <= {4, 5} and found


def test_vlan_in_two_unrelated_zones_is_reported(tmp_path: Path) -> None:
    _, found = problems_of_text(
        tmp_path,
        """
        model: alpha
        zones:
          lgwan: {vlans: [20]}
          internet: {vlans: [30, 20]}
        """,
    )
    assert [p.line for p in found] == [4]


# -- files that are not policies -----------------------------------------------------------------------


def test_non_utf8_policy(tmp_path: Path) -> None:
    path = tmp_path / "sjis.yaml"
    path.write_bytes("model: alpha\nzones:\n  lgwan: {label: LGWAN接続系}\n".encode("shift_jis"))
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert not isinstance(info.value, PolicyValidationError)
    assert info.value.file == str(path)
    assert "UTF-8" in str(info.value)


def test_utf8_with_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("model: alpha\nzones:\n  lgwan: {label: LGWAN接続系}\n".encode("utf-8-sig"))
    assert load_policy(path).data.zones["lgwan"].label == "LGWAN接続系"


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# only a comment\n", "- model: alpha\n", "just text\n"]
)
def test_empty_or_not_a_mapping(tmp_path: Path, text: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyValidationError) as info:
        load_policy(path)
    assert [(p.file, p.line) for p in info.value.problems] == [(str(path), 1)]
    assert "mapping" in info.value.problems[0].message


def test_directory_and_missing_file(tmp_path: Path) -> None:
    for path in (tmp_path, tmp_path / "missing.yaml"):
        with pytest.raises(PolicyError) as info:
            load_policy(path)
        assert not isinstance(info.value, PolicyValidationError)
        assert info.value.file == str(path)
        assert "cannot read policy" in str(info.value)


# -- expiry and review dates -------------------------------------------------------------------------


def test_lint_reports_expiry_and_review_on_their_lines() -> None:
    path = FIXTURES / "expired.yaml"
    policy = load_policy(path)
    assert_marked_problems(path, lint_policy(policy, today=TODAY))
    # the expiry day itself is still valid; the day after it is not
    assert lint_policy(policy, today=dt.date(2025, 9, 30)) == []
    later = lint_policy(policy, today=dt.date(2026, 4, 2))
    assert sorted(p.message.split()[0] for p in later) == [
        "F-TEMPORARY",
        "F-UNTIL-TODAY",
        "SC-ELTAX",
    ]
    assert len(lint_policy(policy, today=dt.date(2027, 4, 1))) == 4


# -- service literals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tcp/443", ServiceMatch(protocol=PROTO_TCP, dst_ports=((443, 443),), name="tcp/443")),
        ("TCP/443", ServiceMatch(protocol=PROTO_TCP, dst_ports=((443, 443),), name="TCP/443")),
        (
            "udp/1000-2000",
            ServiceMatch(protocol=PROTO_UDP, dst_ports=((1000, 2000),), name="udp/1000-2000"),
        ),
        (
            "tcp/0-65535",
            ServiceMatch(protocol=PROTO_TCP, dst_ports=((0, 65535),), name="tcp/0-65535"),
        ),
        ("tcp", ServiceMatch(protocol=PROTO_TCP, name="tcp")),
        ("icmp", ServiceMatch(protocol=PROTO_ICMP, name="icmp")),
        ("icmp/8", ServiceMatch(protocol=PROTO_ICMP, icmp_type=8, name="icmp/8")),
        ("icmp/3/4", ServiceMatch(protocol=PROTO_ICMP, icmp_type=3, icmp_code=4, name="icmp/3/4")),
        ("icmpv6/128", ServiceMatch(protocol=58, icmp_type=128, name="icmpv6/128")),
        ("proto/50", ServiceMatch(protocol=50, name="proto/50")),
        ("any", ServiceMatch(name="any")),
        ("ip", ServiceMatch(name="ip")),
    ],
)
def test_parse_service_literals(text: str, expected: ServiceMatch) -> None:
    assert parse_service(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "tcp/70000",
        "udp/2000-1000",
        "tcp/80/1",
        "icmp/1-2",
        "icmp/256",
        "icmp/3/256",
        "proto/256",
        "proto",
        "proto/1-2",
        "ip/5",
        "sctp/80",
        "https",
        "",
        "tcp/",
        "tcp/-1",
    ],
)
def test_parse_service_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_service(text)


def test_builtin_services_are_all_valid() -> None:
    for name, literals in BUILTIN_SERVICES.items():
        for literal in literals:
            parse_service(literal)  # raises on a bad built-in
        assert name == name.lower()


def test_named_and_builtin_services_resolve(tmp_path: Path) -> None:
    policy = load_policy(FIXTURES / "good_custom_zones.yaml")
    assert set(policy.services(["dns"])) == {parse_service("udp/53"), parse_service("tcp/53")}
    assert [(s.protocol, s.dst_ports) for s in policy.services(["nested-svc"])] == [
        (PROTO_TCP, ((443, 443),)),
        (PROTO_TCP, ((8080, 8080),)),
        (PROTO_UDP, ((1000, 2000),)),
    ]
    assert policy.services(["icmp/3/4"]) == (parse_service("icmp/3/4"),)
    # a policy's own definition takes precedence over the built-in of the same name
    override = load_text(
        tmp_path, "model: alpha\nzones: {lgwan: {}}\nservices: {https: [tcp/8443]}\n"
    )
    assert override.services(["https"]) == (parse_service("tcp/8443"),)


# -- zone lookups and names ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def custom() -> Policy:
    return load_policy(FIXTURES / "good_custom_zones.yaml")


def net(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text)


def test_zones_of_network_most_specific_first(custom: Policy) -> None:
    assert custom.zones_of_network(net("10.20.200.7/32")) == ("naibu_dev", "naibu", "lgwan")
    assert custom.zones_of_network(net("10.20.200.0/24")) == ("naibu_dev", "naibu", "lgwan")
    assert custom.zones_of_network(net("10.20.129.0/24")) == ("naibu", "lgwan")
    assert custom.zones_of_network(net("10.20.0.0/15")) == ()
    assert custom.zones_of_network(net("10.20.1.0/24")) == ("lgwan",)
    assert custom.zones_of_network(net("fd00:20:0:c8::1/128")) == ("naibu_dev", "lgwan")
    assert custom.zones_of_network(net("192.0.2.0/24")) == ()


def test_zone_of_address(custom: Policy, tmp_path: Path) -> None:
    ip = ipaddress.ip_address
    assert custom.zone_of_address(ip("10.20.200.1")) == "naibu_dev"
    assert custom.zone_of_address(ip("172.16.0.9")) == "dmz"
    assert custom.zone_of_address(ip("198.51.100.9")) == "lgwan_wan"
    assert custom.zone_of_address(ip("192.0.2.1")) == "internet_wan"
    assert custom.zone_of_address(ip("2001:db8::1")) == "internet_wan"
    no_rest = load_text(tmp_path, "model: alpha\nzones: {lgwan: {networks: [10.20.0.0/16]}}\n")
    assert no_rest.zone_of_address(ip("192.0.2.1")) is None


def test_root_external_and_rest(custom: Policy) -> None:
    assert [custom.root(z) for z in custom.zone_ids] == [
        "mynumber",
        "lgwan",
        "lgwan",
        "lgwan",
        "internet",
        "internet",
        "lgwan_wan",
        "internet_wan",
    ]
    assert custom.root("undeclared") == "undeclared"
    assert [z for z in custom.zone_ids if custom.is_external(z)] == ["lgwan_wan", "internet_wan"]
    assert custom.is_rest("internet_wan") and not custom.is_rest("lgwan_wan")
    assert not custom.is_rest("lgwan")
    assert set(CANONICAL_ZONES) >= {custom.root(z) for z in custom.zone_ids}


def test_vlans(custom: Policy) -> None:
    assert custom.zone_of_vlan(25) == "naibu"
    assert custom.zone_of_vlan(20) == "lgwan"
    assert custom.zone_of_vlan(99) is None
    assert custom.zone_vlans("lgwan") == frozenset({20})
    assert custom.zone_vlans("undeclared") == frozenset()
    assert custom.zone_networks("undeclared") == ()


def test_addresses_resolve_nested_names_and_zone_ids(custom: Policy) -> None:
    def strs(refs: list[str]) -> list[str]:
        return [str(n) for n in custom.addresses(refs)]

    assert strs(["web"]) == ["10.30.1.10/32"]
    assert strs(["web-pair"]) == ["10.30.1.10/32", "10.30.1.11/32"]
    assert strs(["chain"]) == [
        "10.30.1.10/32",
        "10.30.1.11/32",
        "10.20.200.0/24",
        "fd00:20:0:c8::/64",
    ]
    assert strs(["all-lgwan"]) == ["10.20.0.0/16", "fd00:20::/48"]
    assert strs(["dmz", "192.0.2.0/24", "10.1.1.1"]) == [
        "172.16.0.0/24",
        "192.0.2.0/24",
        "10.1.1.1/32",
    ]
    assert strs(["v6-host"]) == ["fd00:20::10/128"]
    assert strs([]) == []


def test_line_lookup_falls_back_to_the_enclosing_key(custom: Policy) -> None:
    path = FIXTURES / "good_custom_zones.yaml"
    assert custom.line("allowed_flows", 0) == line_of(path, "id: F-WEB")
    assert custom.line("allowed_flows", 0, "services") == line_of(path, "services: [nested-svc]")
    assert custom.line("allowed_flows", 0, "no-such-key") == line_of(path, "id: F-WEB")
    assert custom.line("zones", "naibu", "parent") == line_of(path, "parent: lgwan")
    assert custom.line("nothing") == 1
