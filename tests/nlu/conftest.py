"""Shared fixtures: one embedded engine trained from nlu/data into a temporary cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.embedded import EmbeddedNlu


@pytest.fixture(scope="session")
def nlu_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache private to this test session (never ~/.cache)."""
    return tmp_path_factory.mktemp("nlu-cache")


@pytest.fixture(scope="session")
def engine(nlu_cache_dir: Path) -> EmbeddedNlu:
    """The embedded engine trained on the shipped data."""
    return EmbeddedNlu.load(cache_dir=nlu_cache_dir)
