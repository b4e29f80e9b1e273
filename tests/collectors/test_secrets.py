"""Secret scrubbing: planted secrets of every platform disappear, and parsers see no difference.

The fixtures in tests/fixtures/secrets/ mark every planted secret with ``ZQX``.
"""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path
from typing import Any

import pytest

from collectors.secrets import (
    MARKER_RE,
    PLATFORMS_COVERED,
    Scrubber,
    SecretsError,
    key_id,
    load_scrub_key,
    scrub_for_display,
)
from netaudit.errors import InputError
from netaudit.model import DeviceConfig
from netaudit.parsers import PLATFORMS, parser_for
from netaudit.parsers.base import decode
from netaudit.serialize import to_data
from tests.conftest import corpus_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SECRETS = FIXTURES / "secrets"
PLANTED = "ZQX"
KEY = bytes(range(32))

# fixture file -> platform
SECRET_FIXTURES: dict[str, str] = {
    "cisco_ios.cfg": "cisco_ios",
    "cisco_nxos.cfg": "cisco_nxos",
    "cisco_asa.cfg": "cisco_asa",
    "juniper_junos.conf": "juniper_junos",
    "juniper_junos.set": "juniper_junos",
    "fortinet.conf": "fortinet",
    "paloalto_panos.xml": "paloalto_panos",
    "paloalto_panos.set.txt": "paloalto_panos",
    "yamaha.cfg": "yamaha",
    "nec_ix.cfg": "nec_ix",
    "allied_telesis_awplus.cfg": "allied_telesis_awplus",
    "alaxala_ax.cfg": "alaxala_ax",
    "linux_extra.txt": "linux",
}


def _norm(data: Any) -> Any:
    """Model data without what scrubbing may change: span texts, digests, source names."""
    if isinstance(data, dict):
        return {k: _norm(v) for k, v in data.items() if k not in ("text", "digest", "source")}
    if isinstance(data, list):
        return [_norm(x) for x in data]
    return data


def _expected_secrets(text: str) -> int:
    count, in_pem = 0, False
    for line in text.splitlines():
        if "-----BEGIN" in line and "PRIVATE KEY" in line:
            in_pem = True
            count += 1
        elif "-----END" in line:
            in_pem = False
        elif PLANTED in line and not in_pem:
            count += 1
    return count


def _assert_same_parse(platform: str, original: str, scrubbed: str) -> DeviceConfig:
    parser = parser_for(platform)
    a = parser.parse(original, source="x")
    b = parser.parse(scrubbed, source="x")
    assert b.coverage.recognized == a.coverage.recognized
    assert [u.line for u in b.coverage.unrecognized] == [u.line for u in a.coverage.unrecognized]
    assert [(w.span.line, w.matters) for w in b.warnings] == [
        (w.span.line, w.matters) for w in a.warnings
    ]
    assert _norm(to_data(b)) == _norm(to_data(a))
    return b


def test_every_platform_has_rules_and_a_fixture() -> None:
    assert set(PLATFORMS_COVERED) == set(PLATFORMS)
    assert set(SECRET_FIXTURES.values()) == set(PLATFORMS)


@pytest.mark.parametrize("name", sorted(SECRET_FIXTURES))
def test_planted_secrets_are_removed_and_parsing_is_unchanged(name: str) -> None:
    platform = SECRET_FIXTURES[name]
    text = (SECRETS / name).read_text(encoding="utf-8")
    planted_lines = [line for line in text.splitlines() if PLANTED in line]
    assert planted_lines, "the fixture must plant secrets"
    result = Scrubber(KEY).scrub(text, platform)
    survivors = [line for line in result.text.splitlines() if PLANTED in line]
    assert survivors == []
    assert result.text.count("\n") == text.count("\n"), "line numbers must not move"
    assert len(MARKER_RE.findall(result.text)) + result.text.count("&lt;removed:") >= 1
    # Every planted line holds at least one secret (a PEM block counts once).
    assert result.removed >= _expected_secrets(text)
    for before, after in zip(text.splitlines(), result.text.splitlines(), strict=True):
        if PLANTED not in before and "-----" not in before:
            assert before == after
    _assert_same_parse(platform, text, result.text)


@pytest.mark.parametrize("name", sorted(SECRET_FIXTURES))
def test_an_unknown_platform_gets_every_rule(name: str) -> None:
    text = (SECRETS / name).read_text(encoding="utf-8")
    result = Scrubber(KEY).scrub(text, None)
    assert PLANTED not in result.text


def test_well_known_default_communities_are_kept_for_the_hygiene_checks() -> None:
    text = (SECRETS / "cisco_ios.cfg").read_text(encoding="utf-8")
    scrubbed = Scrubber(KEY).scrub(text, "cisco_ios").text
    assert "snmp-server community public RO 10" in scrubbed
    device = parser_for("cisco_ios").parse(scrubbed, source="x")
    guessable = [c.guessable for c in device.mgmt.snmp_communities]
    assert guessable.count(True) == 1 and guessable.count(False) == 2


def test_types_and_keywords_stay_so_storage_is_still_known() -> None:
    text = (SECRETS / "cisco_ios.cfg").read_text(encoding="utf-8")
    scrubbed = Scrubber(KEY).scrub(text, "cisco_ios").text
    assert "enable secret 9 <removed:sha256:" in scrubbed
    assert "username oper privilege 1 password 7 <removed:sha256:" in scrubbed
    quoted = Scrubber(KEY).scrub('tacacs-server host 192.0.2.1 key 7 "ZQX a b"\n', "cisco_nxos")
    assert quoted.text.startswith('tacacs-server host 192.0.2.1 key 7 "<removed:sha256:')
    assert quoted.text.rstrip().endswith('>"')


def test_markers_compare_secrets_without_revealing_them() -> None:
    s = Scrubber(KEY)
    line = "snmp-server community {} RO\n"
    a = s.scrub(line.format("Kanri-2024"), "cisco_ios").text
    b = s.scrub(line.format("Kanri-2024"), "cisco_ios").text
    c = s.scrub(line.format("Kanri-2025"), "cisco_ios").text
    assert a == b, "the same secret gives the same marker (a diff shows no change)"
    assert a != c, "a changed secret shows as changed"
    other = Scrubber(bytes(32)).scrub(line.format("Kanri-2024"), "cisco_ios").text
    assert other != a, "markers depend on the installation's key"
    plain = hashlib.sha256(b"Kanri-2024").hexdigest()[:12]
    assert plain not in a, "not a public hash a dictionary attack could match"


def test_scrubbing_twice_changes_nothing() -> None:
    for name, platform in SECRET_FIXTURES.items():
        once = Scrubber(KEY).scrub((SECRETS / name).read_text(encoding="utf-8"), platform)
        twice = Scrubber(KEY).scrub(once.text, platform)
        assert twice.text == once.text and twice.removed == 0, name


def test_words_that_look_like_secrets_but_are_not_are_left_alone() -> None:
    text = (
        "service password-encryption\n"
        "password encryption aes\n"
        "key chain OSPF\n"
        " key 1\n"
        "ntp server 10.0.0.1 key 1\n"
        "snmp-server host 192.0.2.1 source-interface loopback 0\n"
        "neighbor 10.0.0.2 send-community both\n"
        " set community 65000:100 additive\n"
    )
    assert Scrubber(KEY).scrub(text, "cisco_ios").text == text
    junos = "set policy-options community CUST members 65000:100\nset system ntp server 10.0.0.1 key 1\n"
    assert Scrubber(KEY).scrub(junos, "juniper_junos").text == junos
    forti = "config system ntp\n    set key-type MD5\n    set key-id 1\nend\n"
    assert Scrubber(KEY).scrub(forti, "fortinet").text == forti


def test_panos_xml_marker_is_escaped_so_the_xml_still_parses() -> None:
    text = (SECRETS / "paloalto_panos.xml").read_text(encoding="utf-8")
    scrubbed = Scrubber(KEY).scrub(text, "paloalto_panos").text
    assert "<phash>&lt;removed:sha256:" in scrubbed
    import xml.etree.ElementTree as ET

    root = ET.fromstring(scrubbed)
    phash = root.find("./mgt-config/users/entry/phash")
    assert phash is not None and phash.text is not None
    assert MARKER_RE.fullmatch(phash.text)


def test_scrub_key_is_created_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "scrub.key"
    first = load_scrub_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_scrub_key(path) == first
    assert len(first) == 32
    assert key_id(first) != key_id(bytes(32))
    path.write_text("not hex\n")
    with pytest.raises(SecretsError):
        load_scrub_key(path)
    with pytest.raises(SecretsError):
        load_scrub_key(tmp_path / "absent.key", create=False)


@pytest.mark.parametrize(
    "platform", sorted(p for p in PLATFORMS if (FIXTURES / p).is_dir()), ids=str
)
def test_parser_fixtures_parse_the_same_after_scrubbing(platform: str) -> None:
    for path in sorted((FIXTURES / platform).iterdir()):
        text = decode(path.read_bytes(), source=str(path))
        scrubbed = Scrubber(KEY).scrub(text, platform)
        _assert_same_parse(platform, text, scrubbed.text)


_CORPUS = {
    "cisco_ios": "cisco_ios",
    "cisco_asa": "cisco_asa",
    "cisco_nxos": "cisco_nxos",
    "fortigate": "fortinet",
    "junos": "juniper_junos",
    "panos": "paloalto_panos",
    "yamaha_rtx": "yamaha",
}


@pytest.mark.corpus
@pytest.mark.parametrize("folder", sorted(_CORPUS))
def test_corpus_parses_the_same_after_scrubbing(folder: str) -> None:
    platform = _CORPUS[folder]
    files = removed = 0
    for path in sorted(corpus_dir(folder).iterdir()):
        if not path.is_file():
            continue
        try:
            text = decode(path.read_bytes(), source=str(path))
        except InputError:  # a binary sample is not a config
            continue
        scrubbed = Scrubber(KEY).scrub(text, platform)
        _assert_same_parse(platform, text, scrubbed.text)
        files += 1
        removed += scrubbed.removed
    print(f"{folder}: {files} files, {removed} secrets replaced, parse unchanged")
    assert files > 0


def test_scrub_for_display_hides_secrets_without_a_stable_digest() -> None:
    text = (SECRETS / "cisco_ios.cfg").read_text(encoding="utf-8")
    shown = scrub_for_display(text, "cisco_ios")
    assert PLANTED not in shown
    assert shown.count("\n") == text.count("\n")
    assert shown != Scrubber(KEY).scrub(text, "cisco_ios").text
