"""The collector against the lab through real netmiko SSH sessions: every platform, every failure.

Each test starts emulated devices on 127.0.0.1 (asyncssh), collects with ``collectors.ssh`` and
checks what came back: the running configuration exactly as served, and for each fault the
status the closing table and the manifest report.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from collectors.evidence import write_snapshot
from collectors.lab import Fault, device_from_text
from collectors.profiles import RUNNING_CONFIG
from collectors.secrets import Scrubber
from collectors.ssh import Options, _prompt_pattern, collect
from netaudit.parsers import PLATFORMS
from tests.collectors.conftest import LabStarter, fixture_devices, one_device

# FortiOS's netmiko driver insists on finite-field DH key exchange, which cryptography flags.
pytestmark = pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")


def lines(text: str) -> list[str]:
    """A text modulo line endings and trailing blank lines."""
    return text.replace("\r\n", "\n").rstrip("\n").split("\n")


def test_every_platform_collects_the_served_config_exactly(
    lab_of: LabStarter, tmp_path: Path
) -> None:
    devices = fixture_devices()
    assert {d.platform for d in devices} == set(PLATFORMS)
    lab = lab_of(devices)
    results = collect(lab.targets(), Options(known_hosts=lab.known_hosts, workers=len(devices)))
    failed = {r.name: (r.status, r.error) for r in results if r.status != "ok"}
    assert failed == {}
    served = {d.name: d for d in devices}
    for r in results:
        assert lines(r.outputs[RUNNING_CONFIG]) == lines(served[r.name].config), r.name
        assert set(r.outputs) > {RUNNING_CONFIG}, r.name  # routes/version too
        assert r.facts.get("version"), r.name

    # --keep-secrets: the snapshot holds the served configs byte for byte (modulo line endings).
    kept = tmp_path / "kept"
    write_snapshot(kept, results, inventory_digest=None, keep_secrets=True)
    key = b"k" * 32
    scrubbed = tmp_path / "scrubbed"
    write_snapshot(scrubbed, results, inventory_digest=None, scrub_key=key)
    scrubber = Scrubber(key)
    for d in devices:
        stored = kept / d.name / "running-config.txt"
        assert lines(stored.read_text(encoding="utf-8")) == lines(d.config), d.name
        expected = scrubber.scrub(d.config, d.platform).text
        got = (scrubbed / d.name / "running-config.txt").read_text(encoding="utf-8")
        assert lines(got) == lines(expected), d.name


def test_paging_is_turned_off_by_each_platform_driver(lab_of: LabStarter) -> None:
    """A config longer than a page comes back whole (no --More-- left in it)."""
    long_ios = one_device("cisco_ios")
    assert len(long_ios.config.splitlines()) > 24
    lab = lab_of([long_ios])
    (r,) = collect(lab.targets(), Options(known_hosts=lab.known_hosts))
    assert r.status == "ok" and "More" not in r.outputs[RUNNING_CONFIG]


def test_each_failure_is_a_status_and_the_run_goes_on(lab_of: LabStarter) -> None:
    devices = [
        one_device("cisco_ios", name="good"),
        one_device("cisco_ios", Fault(refuse_password=True), name="refuses"),
        one_device("linux", Fault(slow=1.5), name="slow"),
        one_device("cisco_ios", Fault(other_host_key=True), name="other-key"),
        one_device("yamaha", Fault(drop=True), name="drops"),
    ]
    lab = lab_of(devices)
    before = lab.known_hosts.read_bytes()
    targets = [lab.target(d.name, timeout=0.8) for d in devices]
    results = {
        r.name: r
        for r in collect(
            targets, Options(known_hosts=lab.known_hosts, workers=5, accept_new_host_keys=True)
        )
    }
    assert {n: r.status for n, r in results.items()} == {
        "good": "ok",
        "refuses": "auth_failed",
        "slow": "timeout",
        "other-key": "host_key_mismatch",
        "drops": "command_failed",
    }
    assert "differs" in results["other-key"].error
    assert "dropped" in results["drops"].error
    # A changed key is refused even with --accept-new-host-keys, and never written.
    assert lab.known_hosts.read_bytes() == before
    for r in results.values():
        assert r.outputs == {} or r.status == "ok"
        assert "Pa55" not in r.error and "En4ble" not in r.error


def test_unknown_host_key_is_refused_unless_accepted(lab_of: LabStarter) -> None:
    lab = lab_of([one_device("cisco_nxos")], record_keys=False)
    (r,) = collect(lab.targets(), Options(known_hosts=lab.known_hosts))
    assert r.status == "host_key_mismatch" and "unknown" in r.error
    assert lab.known_hosts.read_text() == ""
    (r,) = collect(lab.targets(), Options(known_hosts=lab.known_hosts, accept_new_host_keys=True))
    assert r.status == "ok"
    e = lab.lab.endpoints["cisco-nxos"]
    stored = lab.known_hosts.read_text()
    assert stored.startswith(f"[127.0.0.1]:{e.port} ssh-ed25519 ")
    assert e.known_key.split()[1] in stored
    # Now known: accepted without the flag.
    (r,) = collect(lab.targets(), Options(known_hosts=lab.known_hosts))
    assert r.status == "ok"


def test_unreachable_and_retries(lab_of: LabStarter, tmp_path: Path) -> None:
    lab = lab_of([one_device("juniper_junos", Fault(drop=True), name="drops")])
    t = lab.target("drops", retries=1, timeout=20)  # a drop is noticed at once, not at the timeout
    (r,) = collect([t], Options(known_hosts=lab.known_hosts, retry_delay=0.05))
    assert r.status == "command_failed" and "after 2 attempts" in r.error
    closed = replace(t, name="nobody", port=1)
    (r,) = collect([closed], Options(known_hosts=lab.known_hosts))
    assert r.status == "unreachable"


def test_wrong_enable_secret(lab_of: LabStarter) -> None:
    lab = lab_of([one_device("cisco_ios"), one_device("cisco_asa")])
    ios, asa = collect(lab.targets(secret="wrong", timeout=1.0), Options(lab.known_hosts))
    assert ios.status == "auth_failed" and "privileged" in ios.error and ios.outputs == {}
    # netmiko's ASA driver enables while preparing the session and waits for `#`.
    assert asa.status == "timeout" and "enable secret?" in asa.error


def test_nec_ix_shows_its_config_only_from_configuration_mode(lab_of: LabStarter) -> None:
    """The profile's `configure` first: without it the lab (like the device) refuses."""
    lab = lab_of([one_device("nec_ix")])
    (r,) = collect(lab.targets(), Options(known_hosts=lab.known_hosts))
    assert r.status == "ok"
    digest = hashlib.sha256(r.outputs[RUNNING_CONFIG].encode()).hexdigest()
    assert len(digest) == 64 and r.facts.get("model") == "IX2215"


def test_a_failing_callback_cancels_the_devices_not_yet_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import datetime as dt
    import threading
    import time

    import collectors.ssh as ssh
    from collectors.evidence import DeviceResult

    started: list[str] = []
    lock = threading.Lock()

    def fake(target: ssh.Target, options: Options) -> DeviceResult:
        with lock:
            started.append(target.name)
        time.sleep(0.01)  # a (very fast) device
        t = dt.datetime.now(dt.UTC)
        return DeviceResult(target.name, target.host, target.platform, "ok", t, t, {})

    def boom(result: DeviceResult) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ssh, "collect_one", fake)
    targets = [
        ssh.Target(
            name=f"d{i}",
            host="192.0.2.1",
            port=22,
            platform="cisco_ios",
            username="u",
            password="p",
        )
        for i in range(200)
    ]
    with pytest.raises(RuntimeError, match="disk full"):
        collect(targets, Options(known_hosts=Path("/nonexistent"), workers=1), on_done=boom)
    assert len(started) < 20  # not all 200


def test_prompt_like_lines_inside_a_long_output_do_not_end_the_read(lab_of: LabStarter) -> None:
    """The prompt is matched only at the end of what arrived, never inside the output.

    A banner that shows the device's own prompt, repeated through a configuration long enough
    to arrive in many reads: an unanchored prompt search stops at the first read holding it.
    """
    body = ["hostname edge1", "banner motd ^C"]
    body += ["edge1#", "edge1> show running-config", "edge1(config)# exit"] * 50
    body += ["^C"]
    for i in range(4000):
        body += [f"interface GigabitEthernet0/{i}", f" description edge1# port {i}", "!"]
    config = "\n".join(body) + "\nend\n"
    lab = lab_of([device_from_text("edge1", config, platform="cisco_ios")])
    [result] = collect(lab.targets(timeout=30.0), Options(known_hosts=lab.known_hosts))
    assert result.status == "ok", result.error
    assert lines(result.outputs[RUNNING_CONFIG]) == lines(config)


@pytest.mark.parametrize(
    ("base", "prompts"),
    [
        ("edge1", ["edge1#", "edge1>", "edge1(config)#", "edge1(config-if)# ", "edge1# \x1b[K"]),
        ("admin@PA-VM", ["admin@PA-VM> ", "admin@PA-VM# "]),
        ("FGT", ["FGT # ", "FGT (root) # "]),
        ("akuba-core01", ["yakuba-core01#", "!yakuba-core01(config)#"]),  # netmiko's AlaxalA
    ],
)
def test_the_prompt_pattern_ends_only_on_a_prompt_at_the_end(base: str, prompts: list[str]) -> None:
    """What arrived so far ends the read only when a prompt line closes it, in any mode."""
    conn = SimpleNamespace(base_prompt=base)
    pattern = re.compile(_prompt_pattern(conn))  # type: ignore[arg-type]
    output = f"hostname {base}\n description to {base}#\n{base}# shown in a banner\n"
    for prompt in prompts:
        assert pattern.search(output + prompt), prompt
        assert pattern.search(output.replace("\n", "\r\n") + prompt), prompt
    # Every prefix that ends inside the output, including right after each prompt-like text,
    # except a line that starts like a prompt cut just after its terminator: that is a prompt
    # as far as any reader can tell (netmiko's own search has the same limit).
    cut = output.index(f"\n{base}# shown") + len(base) + 2
    ambiguous = {cut, cut + 1}  # "edge1#", "edge1# "
    for end in range(len(output) + 1):
        if end not in ambiguous:
            assert not pattern.search(output[:end]), output[:end][-30:]
    assert all(pattern.search(output[:end]) for end in ambiguous)
