"""An album (photos sharing a media_group_id, arriving as separate updates) is one message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.app_keys import RUNTIME_KEY
from bot.channels.telegram.updates import UpdateRouter
from bot.channels.telegram.webhook import TELEGRAM_CHANNEL_KEY
from bot.core import ConversationCore
from bot.inbox import CommitHook, TurnCommit
from bot.messages import Attachment, CardReply, InboundMessage, Reply
from tests.telegram.conftest import RunningBot, StartBot, TelegramUser, new_user, texts
from tests.telegram.fake_bot_api import FakeBotApi

ALBUM = "13579246801357924"


def photo(n: int) -> bytes:
    """A distinct JPEG-looking file per photo."""
    return b"\xff\xd8\xff\xe0" + bytes([n]) * 2000 + b"\xff\xd9"


def album(user: TelegramUser, fake_api: FakeBotApi, count: int = 3) -> list[dict[str, Any]]:
    """The updates Telegram sends for an album of ``count`` photos (caption on the first)."""
    bodies = []
    for n in range(1, count + 1):
        body = user.payload("message_photo")
        message = body["message"]
        message["message_id"] = body["update_id"]
        message["media_group_id"] = ALBUM
        for size in message["photo"]:
            size["file_id"] = f"{size['file_id']}-{n}"
            size["file_unique_id"] = f"{size['file_unique_id']}-{n}"
        largest = message["photo"][-1]
        fake_api.add_file(largest["file_id"], photo(n), f"photos/album_{n}.jpg")
        if n == 1:
            message["caption"] = "my shop's licence"
        bodies.append(body)
    return bodies


async def test_a_three_photo_album_gets_one_answer_and_is_stored_once(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot()
    user = new_user(bot, "en")
    shown = await user.say(*album(user, fake_api))

    assert len(shown) == 1  # one answer, not three
    assert fake_api.file_downloads == [f"photos/album_{n}.jpg" for n in (1, 2, 3)]
    head, *members = await bot.inbox()
    assert head.status == "done" and head.replies is not None and len(head.replies) == 1
    assert len(members) == 2
    assert all(m.status == "done" and m.replies is None for m in members)
    assert {e.group_key for e in (head, *members)} == {ALBUM}
    # The conversation goes on normally afterwards.
    assert "$100" in texts(await user.say(user.text("fee for a sole proprietorship")))[0]


@dataclass
class RecordingCore:
    """The real core, with a record of every message it was handed."""

    core: ConversationCore
    received: list[InboundMessage] = field(default_factory=list)

    async def handle(
        self, message: InboundMessage, *, commit: CommitHook | None = None
    ) -> list[Reply]:
        self.received.append(message)
        return await self.core.handle(message, commit=commit)

    async def reply_locale(
        self, channel: str, user_id: str, text: str = "", language_code: str | None = None
    ) -> str:
        return await self.core.reply_locale(channel, user_id, text, language_code)

    async def shop_cards(self, query: str, locale: str) -> list[CardReply]:
        return await self.core.shop_cards(query, locale)


async def route_stored_album(bot: RunningBot, bodies: list[dict[str, Any]]) -> RecordingCore:
    """Store the album's updates in the inbox and let the router answer the first."""
    runtime = bot.app[RUNTIME_KEY]
    channel = bot.app[TELEGRAM_CHANNEL_KEY]
    stored = []
    for body in bodies:
        event = await runtime.inbox.accept(
            "telegram",
            str(body["update_id"]),
            str(body["message"]["from"]["id"]),
            body,
            group_key=body["message"]["media_group_id"],
        )
        assert event is not None
        stored.append(event)
    recording = RecordingCore(runtime.core)
    router = UpdateRouter(channel.config, channel.bot, recording, runtime.inbox)
    replies = await router.handle(stored[0], TurnCommit(runtime.inbox, stored[0]))
    assert replies
    return recording


async def test_the_album_reaches_the_core_as_one_message_with_three_attachments(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot(TELEGRAM_ALBUM_SECONDS="0.2")
    user = new_user(bot, "en")
    recording = await route_stored_album(bot, album(user, fake_api))
    [message] = recording.received
    assert message.text == "my shop's licence"
    assert message.attachments == tuple(
        Attachment("image", f"photo-AQADlarge-{n}.jpg", "image/jpeg", photo(n)) for n in (1, 2, 3)
    )
    head, *members = await bot.inbox()
    assert head.status == "replying"  # the turn is committed; the worker sends its replies
    assert [m.status for m in members] == ["done", "done"]  # merged in the same transaction
