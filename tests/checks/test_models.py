"""Model-specific checks (APR-001, BET-001, INT-003): the policy's model and gateways decide.

What the fixtures cannot show: ``not_applicable`` under other models, the contrast with the
generic checks of the same zone pairs (an allowed flow or an FQDN breakout excuses there, not
here), and services a gateway does not accept.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from netaudit.engine import audit
from netaudit.policy import load_policy
from netaudit.result import Finding, Status

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 1, 15)


def findings(folder: Path, check: str, policy_text: str | None = None) -> list[Finding]:
    """One check's findings on a fixture folder, with its policy or a replacement text."""
    policy = folder / "policy.yaml"
    if policy_text is not None:
        policy = folder.parent / f"{folder.name}.policy.yaml"
        policy.write_text(policy_text, encoding="utf-8")
    result, _ = audit(folder, load_policy(policy), only=[check], today=TODAY)
    return [f for f in result.findings if f.check == check]


def copy_fixture(name: str, tmp_path: Path) -> tuple[Path, str]:
    """A fixture folder's configs in ``tmp_path`` and its policy text."""
    src = FIXTURES / name
    dst = tmp_path / name
    dst.mkdir()
    for f in src.iterdir():
        if f.name != "policy.yaml":
            (dst / f.name).write_bytes(f.read_bytes())
    return dst, (src / "policy.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("check", "folder", "model"),
    [
        ("APR-001", "APR-001", "beta"),
        ("APR-001", "APR-001", "alpha"),
        ("BET-001", "BET-001", "alpha"),
        ("BET-001", "BET-001", "alpha_prime"),
    ],
)
def test_other_models_are_not_applicable_once(
    check: str, folder: str, model: str, tmp_path: Path
) -> None:
    """Under another model the check says so once, pointing at ``model:``, and nothing else."""
    configs, policy = copy_fixture(folder, tmp_path)
    current = next(line for line in policy.splitlines() if line.startswith("model:"))
    found = findings(configs, check, policy.replace(current, f"model: {model}"))
    assert [f.status for f in found] == [Status.NOT_APPLICABLE]
    assert found[0].policy_ref is not None and found[0].policy_ref.id == "model"
    assert model in found[0].message.en


def test_beta_prime_is_beta_for_bet001(tmp_path: Path) -> None:
    """β′ keeps the β rule: the same devices fail."""
    configs, policy = copy_fixture("BET-001", tmp_path)
    beta = {f.device for f in findings(configs, "BET-001", policy) if f.status is Status.FAIL}
    prime = {
        f.device
        for f in findings(configs, "BET-001", policy.replace("model: beta", "model: beta_prime"))
        if f.status is Status.FAIL
    }
    assert beta == prime and beta


def test_apr001_fails_a_generic_permit_where_lgw001_is_unsure() -> None:
    """An FQDN-only breakout leaves LGW-001 ``unknown``; APR-001 still fails ``any``."""
    folder = FIXTURES / "APR-001"
    lgw = findings(folder, "LGW-001")
    apr = findings(folder, "APR-001")
    generic = [f for f in apr if f.device == "fail_any_internet_https"]
    assert generic and all(f.status is Status.FAIL for f in generic)
    assert {f.status for f in lgw if f.device == "fail_any_internet_https"} == {Status.UNKNOWN}


def test_apr001_ignores_allowed_flows_lgw001_honours() -> None:
    """F-NOT-A-BREAKOUT excuses the flow for LGW-001, never for APR-001."""
    folder = FIXTURES / "APR-001"
    device = "fail_allowed_flow_is_no_breakout"
    assert not [f for f in findings(folder, "LGW-001") if f.device == device]
    assert [f for f in findings(folder, "APR-001") if f.device == device]


def test_bet001_a_gateway_only_on_its_services(tmp_path: Path) -> None:
    """Widening GW-VDI's services to ``any`` makes fail_vdi_any_port pass, nothing else."""
    configs, policy = copy_fixture("BET-001", tmp_path)
    before = {f.device for f in findings(configs, "BET-001", policy)}
    widened = policy.replace("hosts: [10.20.5.10], services: [rdp]", "hosts: [10.20.5.10]")
    after = {f.device for f in findings(configs, "BET-001", widened)}
    assert before - after == {"fail_vdi_any_port"}


def test_bet001_without_gateways_fails_even_screen_transfer(tmp_path: Path) -> None:
    """No declared gateway: every crossing into LGWAN fails, the VDI one included."""
    configs, policy = copy_fixture("BET-001", tmp_path)
    start = policy.index("gateways:")
    end = policy.index("allowed_flows:")
    found = findings(configs, "BET-001", policy[:start] + policy[end:])
    assert {"pass_vdi_and_sanitizer", "pass_fgt_vdi"} <= {f.device for f in found}


def test_int003_looks_at_remote_access_services_only() -> None:
    """pass_vpn_gateway also opens HTTPS to a web server: not remote access, not INT-003's."""
    folder = FIXTURES / "INT-003"
    found = findings(folder, "INT-003")
    assert "pass_vpn_gateway" not in {f.device for f in found}
    assert {f.example_flow["dport"] for f in found if f.example_flow} <= {22, 3389}


def test_int003_allowed_flows_do_not_excuse() -> None:
    """F-VENDOR-SSH allows SSH for POL/INT-002, but remote access needs a gateway."""
    folder = FIXTURES / "INT-003"

    def ssh(check: str) -> set[str]:
        return {
            f.device
            for f in findings(folder, check)
            if f.status is Status.FAIL and f.example_flow and f.example_flow["dport"] == 22
        }

    assert "fail_vendor_ssh" not in ssh("INT-002")
    assert "fail_vendor_ssh" in ssh("INT-003")
