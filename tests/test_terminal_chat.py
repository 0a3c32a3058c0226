"""The terminal chat, run as a real process with piped input, as a newcomer would."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend_client import open_backend
from bot.channels.terminal import TerminalChat, pick_button
from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.dialogue.store import ConversationStore
from bot.messages import Button
from bot.settings import Settings
from kb import KnowledgeBase
from nlu.embedded import EmbeddedNlu

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def chat_env(
    tmp_path: Path, compiled_catalogs: Path, nlu_engine: object, nlu_cache_dir: Path
) -> dict[str, str]:
    """Environment of a fresh install: its own data folder, the session's trained NLU artifact."""
    env = {
        **os.environ,
        "CETS_DATA_DIR": str(tmp_path / "data"),
        "CETS_LOCALES_DIR": str(compiled_catalogs),
        "CETS_CACHE_DIR": str(nlu_cache_dir),
    }
    env.pop("CETS_DATABASE_URL", None)
    return env


def run_chat(lines: list[str], env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Pipe ``lines`` into ``cets-bot chat`` and return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", *args],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=env["CETS_DATA_DIR"].rsplit("/", 1)[0],
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_piped_english_fee_question(chat_env: dict[str, str]) -> None:
    result = run_chat(
        ["hello", "how much is the fee for a sole proprietorship?"], chat_env, "--lang", "en"
    )
    assert result.returncode == 0, result.stderr
    assert "Hello" in result.stdout
    assert "$100" in result.stdout
    assert "2 years" in result.stdout


@pytest.mark.slow
def test_numbers_pick_buttons_and_the_conversation_is_kept(chat_env: dict[str, str]) -> None:
    first = run_chat(["សួស្តី", "4"], chat_env)  # 4 = the fees button of the main menu
    assert first.returncode == 0, first.stderr
    assert "1) " in first.stdout
    assert "50$" in first.stdout and "250$" in first.stdout
    # Later runs of the same user resume the same conversation: in Khmer, mid-flow.
    second = run_chat(["តើខ្ញុំមានសិទ្ធិទេ?", "2"], chat_env)  # 2 = sole proprietorship
    assert "ជំហានទី 2 នៃ 4" in second.stdout
    third = run_chat(["ថយក្រោយ"], chat_env)
    assert third.returncode == 0, third.stderr
    assert "ជំហានទី 1 នៃ 4" in third.stdout
    other = run_chat(["hello"], chat_env, "--user", "someone-else")
    assert "Hello" in other.stdout


@pytest.mark.parametrize(
    ("locale", "hello", "label", "asked"),
    [
        ("en", "hello", "1) Check a shop", "Facebook page link"),
        ("km", "សួស្តី", "1) ពិនិត្យហាង", "ហ្វេសប៊ុក"),
    ],
)
async def test_the_terminal_menu_offers_the_shop_check_first(
    core: ConversationCore, locale: str, hello: str, label: str, asked: str
) -> None:
    output = io.StringIO()
    await core.set_language("terminal", "shopper", locale)
    await TerminalChat(
        core, user_id="shopper", stdin=io.StringIO(f"{hello}\n1\n"), stdout=output
    ).run()
    greeting, _, after = output.getvalue().partition(label)
    assert greeting and after
    assert asked in after


def test_a_typed_label_or_number_picks_the_button() -> None:
    buttons = (
        Button("ថ្លៃសេវា", "fee:all"),
        Button("Am I eligible?", "i:ask_eligibility", "Eligibility"),
    )
    assert pick_button("1", buttons) == buttons[0]
    assert pick_button(" ថ្លៃសេវា ", buttons) == buttons[0]
    assert pick_button("am i eligible?", buttons) == buttons[1]
    assert pick_button("eligibility", buttons) == buttons[1]
    assert pick_button("3", buttons) is None
    assert pick_button("how much?", buttons) is None


async def test_a_failing_message_gets_an_apology_and_the_chat_goes_on(
    tmp_path: Path, nlu_engine: EmbeddedNlu, knowledge_base: KnowledgeBase
) -> None:
    # A database without tables: every message fails inside the core.
    registry_url = f"sqlite+aiosqlite:///{tmp_path / 'registry.sqlite3'}"
    await prepare_database(registry_url)
    backend = await open_backend(backend_url=None, database_url=registry_url, bot_token=None)
    engine = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    settings = Settings(data_dir=tmp_path, database_url=registry_url)
    core = ConversationCore(
        store=ConversationStore(engine),
        nlu=nlu_engine,
        kb=knowledge_base,
        settings=settings,
        backend=backend,
        clarify_threshold=0.7,
    )
    output = io.StringIO()
    try:
        await TerminalChat(
            core, user_id="u", stdin=io.StringIO("សួស្តី\nhello\n"), stdout=output
        ).run()
    finally:
        await backend.close()
        await engine.dispose()
    assert "សូមទោស មានបញ្ហាបច្ចេកទេស។" in output.getvalue()
    assert "Sorry, something went wrong. Please try again." in output.getvalue()
