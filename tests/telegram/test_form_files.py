"""Over the Telegram webhook, files go to the open form's current question: a photo sent without
a caption is that question's answer, and a 3-photo album (three updates sharing a
media_group_id) is one answer with 3 files, each stored once and without its EXIF."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from bot.app_keys import RUNTIME_KEY
from bot.forms import FORMS, Field, FileRule, Form, FormContext
from tests.intake.samples import jpeg_with_gps, picture
from tests.telegram.conftest import StartBot, TelegramUser, new_user, texts
from tests.telegram.fake_bot_api import FakeBotApi

SUBMITTED: list[dict[str, Any]] = []
ALBUM = "24681357924681357"
_numbers = itertools.count(1)


async def _submit(ctx: FormContext) -> str:
    SUBMITTED.append(dict(ctx.answers))
    return "TGF-1"


PHOTO_FORM = Form(
    id="tgf",
    title=lambda: "photo form",
    fields=(
        Field(
            "front",
            prompt=lambda ctx: "Send a photo of your shop front.",
            files=FileRule(max_files=1),
            label=lambda: "Front",
        ),
        Field(
            "inside",
            prompt=lambda ctx: "Send photos of the inside.",
            files=FileRule(max_files=5),
            label=lambda: "Inside",
        ),
    ),
    on_complete=_submit,
    review=True,
)


@pytest.fixture(autouse=True)
def photo_form() -> Iterator[None]:
    FORMS.register(PHOTO_FORM)
    SUBMITTED.clear()
    yield
    FORMS.unregister(PHOTO_FORM.id)


def photo_update(
    user: TelegramUser, fake_api: FakeBotApi, data: bytes, album: str | None = None
) -> dict[str, Any]:
    """A photo message (no caption) whose largest size the fake serves as ``data``."""
    number = next(_numbers)
    body = user.payload("message_photo")
    message = body["message"]
    message["message_id"] = body["update_id"]
    message["photo"] = [
        {
            "file_id": f"form-photo-{number}",
            "file_unique_id": f"form-unique-{number}",
            "file_size": len(data),
            "width": 640,
            "height": 480,
        }
    ]
    if album is not None:
        message["media_group_id"] = album
    fake_api.add_file(f"form-photo-{number}", data, f"photos/form_{number}.jpg")
    return body


async def test_a_photo_without_a_caption_and_an_album_answer_the_open_questions(
    start_bot: StartBot, fake_api: FakeBotApi
) -> None:
    bot = await start_bot(TELEGRAM_ALBUM_SECONDS="0.3")
    user = new_user(bot, "en")
    [greeting] = await user.say(user.text("hello"))
    [first] = await user.say(user.callback("tgf:!start", greeting))
    assert texts([first]) == ["Step 1 of 2\nSend a photo of your shop front."]

    front = photo_update(user, fake_api, jpeg_with_gps())
    assert "caption" not in front["message"] and "text" not in front["message"]
    shown = texts(await user.say(front))
    assert shown == ["Step 2 of 2\nSend photos of the inside."]

    album = [
        photo_update(user, fake_api, jpeg_with_gps(picture(320, 240, seed=n)), album=ALBUM)
        for n in (1, 2, 3)
    ]
    [review] = texts(await user.say(*album))  # one answer to the three updates
    assert review.startswith("Please check your answers:")
    assert "1. Front: " in review and "2. Inside: " in review

    await user.say(user.press("Submit"))
    [answers] = SUBMITTED
    assert answers["front"]["kind"] == "image" and answers["front"]["mime_type"] == "image/jpeg"
    inside = answers["inside"]
    assert isinstance(inside, list) and len(inside) == 3
    assert len({f["sha256"] for f in inside} | {answers["front"]["sha256"]}) == 4
    intake = bot.app[RUNTIME_KEY].core.intake
    for stored in (answers["front"], *inside):
        data = await intake.read(stored["sha256"])
        assert data[:3] == b"\xff\xd8\xff" and b"Exif" not in data and b"GPS" not in data

    events = await bot.inbox()
    assert {e.status for e in events} == {"done"}
    grouped = [e for e in events if e.group_key == ALBUM]
    assert len(grouped) == 3 and sum(e.replies is not None for e in grouped) == 1
