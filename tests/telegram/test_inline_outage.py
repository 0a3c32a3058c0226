"""Inline search over Telegram while the registry cannot be reached: an article says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from tests.backend.support import BOT_TOKEN as REGISTRY_BOT_TOKEN
from tests.core.shops import dead_port
from tests.telegram.conftest import StartBot
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.test_shop_check import inline_results

UNAVAILABLE = {
    "en": ("I cannot check right now", "I cannot reach the registry right now"),
    "km": ("នៅពេលនេះ ខ្ញុំមិនអាចពិនិត្យបានទេ", "ខ្ញុំមិនអាចភ្ជាប់ទៅបញ្ជីឈ្មោះ"),
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The bot's settings with its registry an HTTP server at a loopback port nobody serves."""
    return Settings(
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'cets.sqlite3'}",
        backend_url=f"http://127.0.0.1:{dead_port()}",
        backend_token=REGISTRY_BOT_TOKEN,
    )


@pytest.mark.parametrize(
    ("locale", "typed"),
    [("en", "facebook.com/sokhafashion.demo"), ("km", "សុខា ហ្វេសិន"), ("en", "CETS-2025-000001")],
)
async def test_an_inline_search_during_a_registry_outage_says_it_cannot_check(
    start_bot: StartBot, fake_api: FakeBotApi, locale: str, typed: str
) -> None:
    [article] = await inline_results(start_bot, fake_api, locale, typed)
    title, reason = UNAVAILABLE[locale]
    assert article["title"] == title
    assert reason in str(article["description"])
    posted = article["input_message_content"]
    assert isinstance(posted, dict) and reason in str(posted["message_text"])
