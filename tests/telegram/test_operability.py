"""/healthz, /readyz and /metrics on the running bot: what an operator and Prometheus see."""

from __future__ import annotations

import asyncio

from prometheus_client.parser import text_string_to_metric_families

from backend_client.http_client import HttpRegistryBackend
from bot.delivery import apology
from bot.lifecycle import LIFECYCLE
from bot.server import RUNTIME_KEY
from tests.telegram.conftest import RunningBot, StartBot, labels, new_user
from tests.telegram.fake_bot_api import FakeBotApi


async def get(bot: RunningBot, path: str) -> tuple[int, str]:
    async with bot.http.get(f"{bot.url}{path}") as response:
        return response.status, await response.text()


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def samples(bot: RunningBot) -> Samples:
    status, text = await get(bot, "/metrics")
    assert status == 200
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def test_liveness_and_readiness_of_a_healthy_bot(start_bot: StartBot) -> None:
    bot = await start_bot()
    assert await get(bot, "/healthz") == (200, '{"status": "ok"}')
    status, body = await get(bot, "/readyz")
    assert status == 200, body
    assert '"database": "ok"' in body and '"registry": "ok"' in body and '"nlu": "ok"' in body


async def test_a_draining_bot_is_alive_but_not_ready(start_bot: StartBot) -> None:
    bot = await start_bot()
    LIFECYCLE.start_draining()
    try:
        assert (await get(bot, "/healthz"))[0] == 200
        status, body = await get(bot, "/readyz")
        assert status == 503 and '"serving": "draining"' in body
    finally:
        LIFECYCLE.reset()
    assert (await get(bot, "/readyz"))[0] == 200


async def test_an_unreachable_registry_makes_the_bot_unready(start_bot: StartBot) -> None:
    bot = await start_bot()
    runtime = bot.app[RUNTIME_KEY]
    working = runtime.backend
    # The same bot, but its registry is a server that is not there (a closed loopback port).
    runtime.backend = HttpRegistryBackend("http://127.0.0.1:9", "bot-token")
    try:
        status, body = await get(bot, "/readyz")
    finally:
        await runtime.backend.close()
        runtime.backend = working
    assert status == 503, body
    assert '"registry": "failed' in body and '"database": "ok"' in body


async def test_turns_latency_confidence_and_depths_are_exported(start_bot: StartBot) -> None:
    bot = await start_bot()
    before = await samples(bot)
    user = new_user(bot, "en")
    hello = await user.say(user.text("hello"))
    await user.say(user.text("how much is the fee for a sole proprietorship?"))
    await user.say(user.press(labels(hello)[0]))  # a pressed button counts as "payload"
    after = await samples(bot)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("cets_turns_total", channel="telegram", intent="greet") == 1
    assert grew("cets_turns_total", channel="telegram", intent="ask_fee") == 1
    assert grew("cets_turns_total", channel="telegram", intent="payload") == 1
    assert grew("cets_turn_seconds_count", channel="telegram") == 3
    assert grew("cets_nlu_confidence_count") == 2
    assert grew("cets_webhook_requests_total", channel="telegram", status="200") == 3
    assert value(after, "cets_events_in_flight") == 0
    assert ("cets_inbox_depth", frozenset()) not in after  # labelled per channel only
    assert value(after, "process_resident_memory_bytes") > 0


async def test_a_reply_that_cannot_be_delivered_is_counted(start_bot: StartBot) -> None:
    bot = await start_bot()
    before = await samples(bot)
    user = new_user(bot, "en")
    bot.fake.break_next("sendMessage", status=403)  # the user blocked the bot
    assert await user.say(user.text("hello")) == []
    after = await samples(bot)
    failed = "cets_deliveries_failed_total"
    assert value(after, failed, channel="telegram") - value(before, failed, channel="telegram") == 1


async def test_inbox_and_outbox_depth_count_what_is_not_sent_yet(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    fake_api.delay("sendMessage", 1.5)  # every message takes a while to go out
    deliveries = bot.app[RUNTIME_KEY].deliveries
    await deliveries.deliver("telegram", str(user.user_id), apology)
    await asyncio.sleep(0.3)
    during = await samples(bot)
    assert value(during, "cets_outbox_depth", channel="telegram") == 1
    await deliveries.wait_idle()
    after = await samples(bot)
    assert value(after, "cets_outbox_depth", channel="telegram") == 0
    assert len(user.new_messages()) == 1
