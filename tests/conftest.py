"""Shared fixtures: where the public sample configs are, and a header space per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from netaudit.flow import HeaderSpace

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture
def space() -> HeaderSpace:
    """A fresh header space."""
    return HeaderSpace()


def corpus_dir(platform_dir: str) -> Path:
    """The corpus folder of one platform, or skip the test when the corpus is not present."""
    path = CORPUS / platform_dir
    if not path.is_dir():
        pytest.skip(f"public corpus not present at {path} (only in the team's workspace)")
    return path
