"""Fuzzing both webhooks with correctly authenticated, generated bodies (hypothesis).

Each webhook gets a few thousand bodies: valid updates and deliveries with fields replaced by
hostile values (wrong types, huge or infinite numbers, lone surrogates, control characters,
long strings, deep nesting), broken JSON and raw bytes. The bot runs as its own process and
must: never answer 5xx, stay alive, keep ``/healthz`` under 100 ms throughout, leave no event
pending, store only what it acknowledged (and nothing of what it refused), store nothing that
is not clean JSON, and still answer a valid message afterwards.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.bot_process import BotProcess, HealthWatch, ThreadLoop, bot_process, fake_bot_api
from tests.messenger.fake_graph_api import PAGE_TOKEN, FakeGraphApi
from tests.telegram.fake_bot_api import BOT_TOKEN, FakeBotApi

UPDATES = Path(__file__).resolve().parent.parent / "telegram" / "updates"
PAYLOADS = Path(__file__).resolve().parent.parent / "messenger" / "payloads"
SECRET = "fuzz-secret-token"
APP_SECRET = "fuzz-app-secret"
# Bodies per webhook (CETS_FUZZ_EXAMPLES to run more).
EXAMPLES = int(os.environ.get("CETS_FUZZ_EXAMPLES", "2000"))
# The liveness bound: /healthz within 100 ms throughout. A machine shared with other heavy
# work can stall any process that long; CETS_FUZZ_HEALTH_MS raises the bound there.
HEALTH_BOUND_SECONDS = int(os.environ.get("CETS_FUZZ_HEALTH_MS", "100")) / 1000

Json = dict[str, Any]

# --- generated values ----------------------------------------------------------------------

hostile_text = st.text(
    alphabet=st.characters(exclude_categories=()), max_size=60
) | st.sampled_from(
    ["\ud800", "a\udfffb", "\x00", "\u202e", "/start", "/help?", "/start, please", "x" * 5000]
)
hostile_number = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 2**63, 2**64, 10**30]),
)
leaf = st.one_of(st.none(), st.booleans(), hostile_number, hostile_text)
json_value = st.recursive(
    leaf,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _replace(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copied = copy.deepcopy(document)
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copied


@st.composite
def mutated(draw: st.DrawFn, templates: list[Json]) -> bytes:
    """A template with a few of its fields replaced, then encoded (maybe broken) as bytes."""
    document: Any = copy.deepcopy(draw(st.sampled_from(templates)))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        paths = list(_paths(document))
        path = draw(st.sampled_from(paths))
        kind = draw(st.integers(min_value=0, max_value=9))
        if kind == 0:
            depth = draw(st.integers(min_value=20, max_value=1500))
            new: Any = "__DEEP__"
            document = _replace(document, path, new)
            text = json.dumps(document).replace('"__DEEP__"', "[" * depth + "]" * depth)
            return text.encode()
        new = draw(json_value)
        document = _replace(document, path, new)
    text = json.dumps(document)  # Infinity/NaN as Python writes them; surrogates escaped
    damage = draw(st.integers(min_value=0, max_value=12))
    if damage == 0:
        return text.encode()[: draw(st.integers(min_value=0, max_value=len(text)))]
    if damage == 1:
        return text.encode() + draw(st.binary(max_size=8))
    if damage == 2:
        return draw(st.binary(max_size=64))
    if damage == 3:
        return text.replace('"', "", 1).encode()
    return text.encode()


def telegram_templates() -> list[Json]:
    names = ("message_text", "message_command", "callback_query", "edited_message")
    names += ("inline_query", "channel_post", "message_photo", "message_document")
    templates = []
    for name in names:
        body: Json = json.loads((UPDATES / f"{name}.json").read_text(encoding="utf-8"))
        templates.append(body)
    return templates


def messenger_templates() -> list[Json]:
    names = ("text_message", "postback", "quick_reply", "referral", "batch_two_entries")
    names += ("image", "fallback_link", "mixed_receipts_and_text")
    return [
        json.loads(
            (PAYLOADS / f"{name}.json")
            .read_text(encoding="utf-8")
            .replace("__CDN__", "https://scontent.xx.fbcdn.net")
        )
        for name in names
    ]


# --- the bots -------------------------------------------------------------------------------


@pytest.fixture
def telegram_bot(
    tmp_path: Path, nlu_cache_dir: Path, nlu_engine: object
) -> Iterator[tuple[BotProcess, FakeBotApi]]:
    with fake_bot_api() as (api, _loop):
        env = {
            "CETS_CACHE_DIR": str(nlu_cache_dir),
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_API_BASE_FILE_URL": api.base_file_url,
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_RATE_LIMITER_OFF": "1",
        }
        with bot_process(env, tmp_path) as bot:
            yield bot, api


@pytest.fixture
def messenger_bot(
    tmp_path: Path, nlu_cache_dir: Path, nlu_engine: object
) -> Iterator[tuple[BotProcess, FakeGraphApi]]:
    loop = ThreadLoop()
    graph = FakeGraphApi()
    loop.run(graph.start())
    env = {
        "CETS_CACHE_DIR": str(nlu_cache_dir),
        "MESSENGER_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
        "MESSENGER_APP_SECRET": APP_SECRET,
        "MESSENGER_VERIFY_TOKEN": "fuzz-verify",
        "MESSENGER_GRAPH_API_URL": graph.url,
        "MESSENGER_RETRY_BASE_SECONDS": "0.01",
    }
    try:
        with bot_process(env, tmp_path) as bot:
            yield bot, graph
    finally:
        loop.run(graph.close())
        loop.close()


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


def assert_clean(value: Any) -> None:
    """Stored JSON holds no lone surrogate, no NUL and no non-finite number."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")  # a lone surrogate cannot be encoded
    assert "\x00" not in text


def check_health(watch: HealthWatch, bot: BotProcess) -> None:
    assert bot.alive, "the bot process died"
    assert watch.failures == []
    assert len(watch.latencies) > 10
    ordered = sorted(watch.latencies)
    slowest, p99 = ordered[-1], ordered[int(0.99 * (len(ordered) - 1))]
    assert slowest < HEALTH_BOUND_SECONDS, (
        f"/healthz took {slowest * 1000:.0f} ms (p99 {p99 * 1000:.0f} ms, {len(ordered)} probes)"
    )


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.slow
def test_fuzzed_telegram_updates(telegram_bot: tuple[BotProcess, FakeBotApi]) -> None:
    bot, api = telegram_bot
    statuses: Counter[int] = Counter()
    accepted: set[str] = set()
    refused: set[str] = set()
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}

    @FUZZ_SETTINGS
    @given(body=mutated(telegram_templates()))
    def post(body: bytes) -> None:
        status = bot.post("/telegram/webhook", body, headers)
        statuses[status] += 1
        assert status < 500, (status, body[:300])
        try:
            update_id = json.loads(body).get("update_id")
        except (ValueError, AttributeError, RecursionError):
            return
        if isinstance(update_id, int) and not isinstance(update_id, bool):
            (accepted if status == 200 else refused).add(str(update_id))

    with HealthWatch(bot.port) as watch:
        post()
        bot.wait_idle()
    check_health(watch, bot)
    events = bot.stored_events()
    assert [e for e in events if e["status"] == "pending"] == []
    stored = {e["event_id"] for e in events}
    assert accepted <= stored, "an acknowledged update was not stored"
    assert not (refused - accepted) & stored, "a refused update was stored"
    for event in events:
        assert_clean(event["body"])
    assert statuses[200] > 50 and sum(statuses.values()) == EXAMPLES, statuses

    # A valid message is still answered.
    user = 700_900_001
    hello = json.loads((UPDATES / "message_text.json").read_text(encoding="utf-8"))
    hello["update_id"] = 2**40
    hello["message"]["text"] = "hello"
    hello["message"]["from"]["id"] = hello["message"]["chat"]["id"] = user
    assert bot.post("/telegram/webhook", json.dumps(hello).encode(), headers) == 200
    bot.wait_idle()
    assert any("Hello" in str(c.params.get("text")) for c in api.sent_to(user))


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


@pytest.mark.slow
def test_fuzzed_messenger_deliveries(messenger_bot: tuple[BotProcess, FakeGraphApi]) -> None:
    bot, graph = messenger_bot
    statuses: Counter[int] = Counter()

    @FUZZ_SETTINGS
    @given(body=mutated(messenger_templates()))
    def post(body: bytes) -> None:
        headers = {"X-Hub-Signature-256": sign(body), "Content-Type": "application/json"}
        status = bot.post("/messenger/webhook", body, headers)
        statuses[status] += 1
        assert status < 500, (status, body[:300])

    with HealthWatch(bot.port) as watch:
        post()
        bot.wait_idle()
    check_health(watch, bot)
    events = bot.stored_events()
    assert [e for e in events if e["status"] == "pending"] == []
    for event in events:
        assert_clean(event["body"])
        assert len(event["user_id"]) <= 128 and len(event["event_id"]) <= 191
    assert statuses[200] > 50 and sum(statuses.values()) == EXAMPLES, statuses

    psid = "7012345678909999"
    delivery = json.loads((PAYLOADS / "text_message.json").read_text(encoding="utf-8"))
    event = delivery["entry"][0]["messaging"][0]
    event["sender"]["id"] = psid
    event["message"]["mid"] = "m_after-the-fuzz"
    body = json.dumps(delivery).encode()
    headers = {"X-Hub-Signature-256": sign(body), "Content-Type": "application/json"}
    assert bot.post("/messenger/webhook", body, headers) == 200
    bot.wait_idle()
    assert any("Hello" in str(m.get("text")) for m in graph.messages(psid))
