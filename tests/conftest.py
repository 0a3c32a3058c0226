"""Shared fixtures: real compiled catalogs, the real knowledge base and NLU, a real SQLite file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from backend_client import open_backend
from bot import i18n
from bot.channels.collecting import CollectingChannel
from bot.complaints import guard as complaint_guard
from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.dialogue.store import ConversationStore
from bot.settings import Settings
from kb import KnowledgeBase, load_knowledge_base
from nlu.embedded import CLARIFY_THRESHOLD, EmbeddedNlu

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Compile the committed .po catalogs to .mo, so tests always use the current text."""
    target = tmp_path_factory.mktemp("locales")
    for po_path in sorted((REPO / "locales").glob("*/LC_MESSAGES/messages.po")):
        locale = po_path.parent.parent.name
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        mo_path = target / locale / "LC_MESSAGES" / "messages.mo"
        mo_path.parent.mkdir(parents=True)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
    os.environ["CETS_LOCALES_DIR"] = str(target)
    i18n.translations.cache_clear()
    return target


@pytest.fixture(scope="session")
def knowledge_base() -> KnowledgeBase:
    """The real knowledge base from kb/."""
    return load_knowledge_base()


@pytest.fixture(scope="session", autouse=True)
def nlu_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the NLU artifact, shared by every test, runtime and subprocess of the session.

    Set as ``CETS_CACHE_DIR`` so that no test writes to the developer's own cache.
    """
    folder = tmp_path_factory.mktemp("nlu-cache")
    os.environ["CETS_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def nlu_engine(nlu_cache_dir: Path) -> EmbeddedNlu:
    """The embedded NLU engine trained on nlu/data (artifact cached for the session)."""
    del (
        nlu_cache_dir
    )  # CETS_CACHE_DIR points there: runtimes started by tests load the same artifact
    return EmbeddedNlu.load()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh SQLite file."""
    return Settings(
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'cets.sqlite3'}",
    )


@pytest.fixture
async def core(
    settings: Settings, nlu_engine: EmbeddedNlu, knowledge_base: KnowledgeBase
) -> AsyncIterator[ConversationCore]:
    """A conversation core on a real SQLite database."""
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    backend = await open_backend(
        backend_url=None, database_url=settings.database_url, bot_token=None
    )
    core = ConversationCore(
        store=ConversationStore(engine),
        nlu=nlu_engine,
        kb=knowledge_base,
        settings=settings,
        backend=backend,
        clarify_threshold=CLARIFY_THRESHOLD,
    )
    complaint_guard.install(core.services, engine)
    yield core
    await backend.close()
    await engine.dispose()


async def open_chat(core: ConversationCore, locale: str, user_id: str = "u1") -> CollectingChannel:
    """A collecting channel for a user who chose ``locale``."""
    channel = CollectingChannel(core, user_id=user_id)
    await core.set_language(channel.channel, user_id, locale)
    return channel
