"""Golden files: ``NETAUDIT_BLESS=1 pytest`` rewrites them; a mismatch writes ``.actual``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).parent / "golden"


def _text(data: Any) -> str:
    if isinstance(data, str | bytes):
        return data if isinstance(data, str) else data.decode()
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def assert_golden(relpath: str, data: Any) -> None:
    """Compare ``data`` (JSON-able, or text) with ``tests/golden/<relpath>``."""
    path = GOLDEN / relpath
    text = _text(data)
    actual = path.with_name(path.name + ".actual")
    if os.environ.get("NETAUDIT_BLESS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        actual.unlink(missing_ok=True)
        return
    if not path.exists():
        actual.parent.mkdir(parents=True, exist_ok=True)
        actual.write_text(text, encoding="utf-8")
        raise AssertionError(f"no golden file {path}; wrote {actual} (bless with NETAUDIT_BLESS=1)")
    expected = path.read_text(encoding="utf-8")
    if expected != text:
        actual.write_text(text, encoding="utf-8")
        raise AssertionError(f"{path} differs; see {actual} (bless with NETAUDIT_BLESS=1)")
    actual.unlink(missing_ok=True)
