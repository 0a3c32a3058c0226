"""The terminal chat, run as a real process with piped input, as a newcomer would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_chat(
    lines: list[str], tmp_path: Path, compiled_catalogs: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """Pipe ``lines`` into ``cets-bot chat`` and return what it printed."""
    env = {
        **os.environ,
        "CETS_DATA_DIR": str(tmp_path / "data"),
        "CETS_LOCALES_DIR": str(compiled_catalogs),
        "CETS_CACHE_DIR": str(tmp_path / "cache"),
    }
    env.pop("CETS_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", *args],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_piped_english_fee_question(tmp_path: Path, compiled_catalogs: Path) -> None:
    result = run_chat(
        ["hello", "how much is the fee for a sole proprietorship?"],
        tmp_path,
        compiled_catalogs,
        "--lang",
        "en",
    )
    assert result.returncode == 0, result.stderr
    assert "Hello" in result.stdout
    assert "$100" in result.stdout
    assert "2 years" in result.stdout


@pytest.mark.slow
def test_numbers_pick_buttons_and_the_conversation_is_kept(
    tmp_path: Path, compiled_catalogs: Path
) -> None:
    first = run_chat(["សួស្តី", "3"], tmp_path, compiled_catalogs)  # 3 = the fees button
    assert first.returncode == 0, first.stderr
    assert "1) " in first.stdout
    assert "50$" in first.stdout and "250$" in first.stdout
    second = run_chat(["2"], tmp_path, compiled_catalogs, "--user", "someone-else")
    assert second.returncode == 0, second.stderr
