"""The registry is killed while a complaint is being submitted: the user is told honestly, the
complaint waits in the backend outbox, and once the registry is back it is filed exactly once
(with its idempotency key) and the user gets its reference.

The registry is the real reference server in a subprocess, killed with SIGKILL in the middle
of the request (before it handled it, or after it committed but before it answered); the bot
talks to it with the real HTTP client.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from backend_client.http_client import HttpRegistryBackend
from backend_client.transport import RetryPolicy
from bot.backend_outbox import BackendOutbox
from bot.channels.collecting import CollectingChannel
from bot.clock import ManualClock
from bot.complaints import guard
from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.dialogue.store import ConversationStore
from bot.i18n import DEFAULT_LOCALE, use_locale
from bot.messages import Reply, TextReply
from bot.settings import Settings
from kb import KnowledgeBase
from nlu.embedded import CLARIFY_THRESHOLD, EmbeddedNlu
from registry.database import create_engine, upgrade_database_async
from registry.demo import seed_demo
from tests.backend.support import BOT_TOKEN, ServerProcess, server_env, start_reference_server
from tests.complaints.conftest import photo

pytestmark = pytest.mark.slow
REFERENCE = re.compile(r"CMP-\d{4}-\d{6}")


class UserDeliveries:
    """Stands where the deliveries are: composes in the user's saved language, once per key."""

    def __init__(self, core: ConversationCore) -> None:
        self.core = core
        self.sent: dict[str, tuple[str, str, list[Reply]]] = {}

    async def __call__(
        self,
        channel: str,
        user_id: str,
        compose: Callable[[], Sequence[Reply]],
        *,
        dedupe_key: str | None = None,
    ) -> None:
        locale = await self.core.saved_locale(channel, user_id) or DEFAULT_LOCALE
        with use_locale(locale):
            replies = list(compose())
        self.sent.setdefault(dedupe_key or str(len(self.sent)), (channel, user_id, replies))


async def _seeded_registry(url: str) -> None:
    await upgrade_database_async(url)
    engine = create_engine(url)
    try:
        async with async_sessionmaker(engine).begin() as session:
            await seed_demo(session)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("moment", ["after_commit", "before_handler"])
@pytest.mark.parametrize("locale", ["en", "km"])
async def test_killed_during_submit_then_filed_once_and_the_reference_delivered(
    tmp_path: Path,
    settings: Settings,
    nlu_engine: EmbeddedNlu,
    knowledge_base: KnowledgeBase,
    moment: str,
    locale: str,
) -> None:
    registry_url = f"sqlite+aiosqlite:///{tmp_path / 'registry.sqlite3'}"
    await _seeded_registry(registry_url)
    env = server_env(registry_url) | {
        "CETS_TEST_HANG_PATH_SUFFIX": "/complaints",
        "CETS_TEST_HANG_MOMENT": moment,
    }
    crashing = await asyncio.to_thread(ServerProcess, ["-m", "tests.backend.crashing_server"], env)
    backend = HttpRegistryBackend(
        crashing.url, BOT_TOKEN, retry=RetryPolicy(attempts=2, first_delay=0.05, max_delay=0.1)
    )
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    clock = ManualClock()
    core = ConversationCore(
        store=ConversationStore(engine),
        nlu=nlu_engine,
        kb=knowledge_base,
        settings=settings,
        backend=backend,
        clarify_threshold=CLARIFY_THRESHOLD,
        clock=clock,
    )
    guard.install(core.services, engine)
    deliveries = UserDeliveries(core)
    outbox = BackendOutbox(engine, backend, core.intake, deliver=deliveries, clock=clock)
    core.services["backend_outbox"] = outbox
    owner = ("telegram", f"880{len(locale)}{len(moment)}")
    restarted: ServerProcess | None = None
    try:
        chat = CollectingChannel(core, user_id=owner[1], channel="telegram")
        await core.set_language(*owner, locale)
        await chat.press_payload("cmp:shop:EC-2024-000101")
        await chat.press_payload("cpl:cat:non_delivery")
        await chat.say(
            {
                "en": "Paid 40 dollars for shoes, nothing came.",
                "km": "បង់ 40 ដុល្លារ ទិញស្បែកជើង តែមិនបានទទួលទេ។",
            }[locale]
        )
        await chat.press_payload("cpl:!skip:when")
        await chat.say("40$")
        await chat.press_payload("cpl:pay:aba")
        await chat.say("", attachments=(photo(7, "slip.jpg"),))
        await chat.press_payload("cpl:!done:ev")
        await chat.press_payload("cpl:contact:yes")
        await chat.press_payload("cpl:share:no")
        submitting = asyncio.create_task(chat.press_payload("cpl:!submit"))
        await asyncio.to_thread(crashing.wait_for_line, "HANGING")
        crashing.kill()
        await asyncio.wait_for(submitting, timeout=60)
        told = chat.text()
        assert {"en": "cannot be reached right now", "km": "មិនអាចភ្ជាប់ទៅប្រព័ន្ធបញ្ជីបណ្តឹង"}[
            locale
        ] in told
        assert REFERENCE.search(told) is None  # no reference is promised that is not known
        assert await outbox.depth() == 1
        # A second tap on Submit while it waits creates nothing new.
        await chat.press_payload("cpl:!submit")
        assert await outbox.depth() == 1

        restarted = await asyncio.to_thread(start_reference_server, registry_url, crashing.port)
        clock.advance(timedelta(minutes=1))
        assert await outbox.run_due() == 1
        assert await outbox.depth() == 0
        complaints = await backend.list_complaints(owner)
        assert len(complaints) == 1
        (complaint,) = complaints
        assert complaint.shop_name == "Sokha Fashion"
        assert [e.filename for e in complaint.evidence] == ["slip.jpg"]
        ((channel, user_id, replies),) = deliveries.sent.values()
        assert (channel, user_id) == owner
        (reply,) = replies
        assert isinstance(reply, TextReply) and complaint.complaint_id in reply.text
        assert {"en": "has now been received", "km": "ឥឡូវនេះត្រូវបានទទួលហើយ"}[locale] in reply.text
        # Another user of the same registry cannot see or track it.
        stranger = CollectingChannel(core, user_id="880-stranger", channel="telegram")
        await core.set_language("telegram", "880-stranger", "en")
        await stranger.press_payload(f"cmps:{complaint.complaint_id}")
        assert "I found no complaint" in stranger.text()
    finally:
        await backend.close()
        crashing.stop()
        if restarted is not None:
            restarted.stop()
        await engine.dispose()
