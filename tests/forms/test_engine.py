"""The form engine runs a form defined only here: progress, back, skip, review, edit, submit.

Nothing in bot/core.py or bot/routing.py knows this form; it is registered from this module
and reached through its own buttons, as every later wizard is.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from PIL import Image

from backend_client import open_backend
from bot.channels.collecting import CollectingChannel
from bot.clock import ManualClock
from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.dialogue.store import ConversationStore
from bot.forms import (
    FORMS,
    Accept,
    Choice,
    Field,
    FieldInput,
    FileRule,
    Form,
    FormContext,
    Parsed,
    Reject,
)
from bot.messages import Attachment
from bot.settings import Settings
from kb import KnowledgeBase
from nlu.embedded import CLARIFY_THRESHOLD, EmbeddedNlu
from tests.intake.samples import jpeg_with_gps

SUBMITTED: list[dict[str, object]] = []


def _name(given: FieldInput, ctx: FormContext) -> Parsed:
    return Accept(given.text) if given.text else None


def _phone(given: FieldInput, ctx: FormContext) -> Parsed:
    digits = re.sub(r"\D", "", given.text)
    if not given.text:
        return None
    if not 8 <= len(digits) <= 10:
        return Reject("That does not look like a phone number.")
    return Accept(digits)


async def _submit(ctx: FormContext) -> str:
    SUBMITTED.append({"key": ctx.flow.key, **ctx.answers})
    return f"TST-{len(SUBMITTED)}"


TEST_FORM = Form(
    id="tst",
    title=lambda: "test form",
    fields=(
        Field(
            "name",
            prompt=lambda ctx: "What is your shop called?",
            parse=_name,
            free_text=True,
            label=lambda: "Name",
        ),
        Field(
            "kind",
            prompt=lambda ctx: "What kind?",
            choices=lambda ctx: [Choice("a", "Kind A"), Choice("b", "Kind B")],
            label=lambda: "Kind",
        ),
        Field(
            "note",
            prompt=lambda ctx: "Any note?",
            parse=_name,
            required=False,
            label=lambda: "Note",
        ),
        Field("phone", prompt=lambda ctx: "Your phone?", parse=_phone, label=lambda: "Phone"),
    ),
    on_complete=_submit,
    review=True,
    declaration=lambda ctx: "I declare that this is true.",
)


@pytest.fixture(autouse=True)
def registered_form() -> Iterator[None]:
    FORMS.register(TEST_FORM)
    SUBMITTED.clear()
    yield
    FORMS.unregister(TEST_FORM.id)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


async def _open_core(
    settings: Settings, nlu: EmbeddedNlu, kb: KnowledgeBase, clock: ManualClock
) -> tuple[ConversationCore, object]:
    await prepare_database(settings.database_url)
    engine = open_engine(settings.database_url)
    backend = await open_backend(
        backend_url=None, database_url=settings.database_url, bot_token=None
    )
    core = ConversationCore(
        store=ConversationStore(engine),
        nlu=nlu,
        kb=kb,
        settings=settings,
        backend=backend,
        clarify_threshold=CLARIFY_THRESHOLD,
        clock=clock,
    )

    async def close() -> None:
        await backend.close()
        await engine.dispose()

    return core, close


@pytest.fixture
async def chat(
    settings: Settings, nlu_engine: EmbeddedNlu, knowledge_base: KnowledgeBase, clock: ManualClock
) -> AsyncIterator[CollectingChannel]:
    core, close = await _open_core(settings, nlu_engine, knowledge_base, clock)
    channel = CollectingChannel(core, user_id="form-user")
    await core.set_language(channel.channel, channel.user_id, "en")
    yield channel
    await close()  # type: ignore[operator]


def _payloads(chat: CollectingChannel) -> list[str]:
    return [b.payload for b in chat.buttons()]


async def test_a_whole_form_with_back_skip_edit_and_submit(chat: CollectingChannel) -> None:
    await chat.press_payload("tst:!start")
    assert "Step 1 of 4" in chat.text() and "What is your shop called?" in chat.text()
    assert "nav:back" not in _payloads(chat) and "nav:cancel" in _payloads(chat)
    await chat.say("Best Price KH")  # a name, even though it sounds like a fee question
    assert "Step 2 of 4" in chat.text()
    await chat.press("Kind B")
    assert "Step 3 of 4" in chat.text()
    await chat.say("back")
    assert "Step 2 of 4" in chat.text() and "What kind?" in chat.text()
    await chat.press("Kind A")
    await chat.press("Skip")
    assert "Step 4 of 4" in chat.text()
    await chat.say("12")
    assert "does not look like a phone number" in chat.text() and "Step 4 of 4" in chat.text()
    await chat.say("012 345 678")
    review = chat.text()
    assert "Please check your answers" in review
    assert "Name: Best Price KH" in review and "Kind: Kind A" in review
    assert "Note: skipped" in review and "Phone: 012345678" in review
    await chat.press_payload("tst:!edit:name")
    assert "What is your shop called?" in chat.text()
    await chat.say("Sokha Shop")
    assert "Name: Sokha Shop" in chat.text() and "Please check your answers" in chat.text()
    await chat.press("Continue")
    assert "I declare that this is true." in chat.text()
    await chat.press("I agree, submit")
    assert SUBMITTED and SUBMITTED[0]["name"] == "Sokha Shop" and SUBMITTED[0]["kind"] == "a"
    assert "note" not in SUBMITTED[0] or SUBMITTED[0]["note"] is None
    # A double tap (or a platform retry of the button) creates nothing more.
    await chat.press_payload("tst:!submit")
    assert len(SUBMITTED) == 1
    assert "already sent" in chat.text() and "TST-1" in chat.text()


async def _to_phone_step(chat: CollectingChannel) -> None:
    await chat.press_payload("tst:!start")
    await chat.say("Mekong Fashion")
    await chat.press("Kind B")
    await chat.say("no note")
    assert "Your phone?" in chat.text()


async def test_a_stale_button_does_not_corrupt_back(chat: CollectingChannel) -> None:
    await _to_phone_step(chat)
    await chat.press_payload("tst:kind:a")  # the button under the earlier question
    assert "Any note?" in chat.text()  # answered again, and on from there
    await chat.say("back")
    assert "What kind?" in chat.text()
    await chat.say("back")
    assert "What is your shop called?" in chat.text()
    await chat.say("back")  # at the first question, back leaves the form (its draft is kept)
    assert "What would you like to know?" in chat.text()
    await chat.say("continue")
    assert "What is your shop called?" in chat.text()
    await chat.press_payload("tst:phone:x")  # not a choice question, and not reached yet
    assert "earlier question" in chat.text() and "What is your shop called?" in chat.text()


@pytest.mark.parametrize(
    "interruption",
    ["how much is the fee for a sole proprietorship?", "menu", "check a shop"],
)
async def test_interruptions_keep_the_draft_and_continue_resumes(
    chat: CollectingChannel, interruption: str
) -> None:
    await _to_phone_step(chat)
    await chat.say(interruption)
    assert "Your phone?" not in chat.text()
    if interruption == "check a shop":
        await chat.say("facebook.com/some.unknown.page")
        assert "test form is saved" in chat.text()
    await chat.say("continue")
    assert "Your phone?" in chat.text() and "Step 4 of 4" in chat.text()
    await chat.say("012345678")
    assert "Name: Mekong Fashion" in chat.text() and "Note: no note" in chat.text()


async def test_restart_and_three_days_away_keep_the_draft(
    settings: Settings,
    nlu_engine: EmbeddedNlu,
    knowledge_base: KnowledgeBase,
    clock: ManualClock,
    chat: CollectingChannel,
) -> None:
    await _to_phone_step(chat)
    clock.advance(timedelta(days=3))
    core, close = await _open_core(settings, nlu_engine, knowledge_base, clock)
    try:
        again = CollectingChannel(core, user_id=chat.user_id)
        await again.say("hello")
        await again.say("continue")
        assert "Your phone?" in again.text()
        await again.say("012345678")
        assert "Name: Mekong Fashion" in again.text()
    finally:
        await close()  # type: ignore[operator]


async def test_typed_numbers_pick_buttons_even_after_a_restart(
    settings: Settings,
    nlu_engine: EmbeddedNlu,
    knowledge_base: KnowledgeBase,
    clock: ManualClock,
    chat: CollectingChannel,
) -> None:
    await chat.press_payload("tst:!start")
    await chat.say("Angkor")
    assert "What kind?" in chat.text()
    await chat.say("99")
    assert "Please choose a number from 1 to" in chat.text()
    assert "tst:kind:a" in _payloads(chat)
    core, close = await _open_core(settings, nlu_engine, knowledge_base, clock)
    try:
        again = CollectingChannel(core, user_id=chat.user_id)
        await again.say("2")
        assert "Any note?" in again.text()
        state = await core._store.load(again.channel, again.user_id)
        assert state.flows["tst"].answers["kind"] == "b"
    finally:
        await close()  # type: ignore[operator]


async def test_cancel_discards_and_several_drafts_say_which_resumes(
    chat: CollectingChannel,
) -> None:
    await _to_phone_step(chat)
    await chat.press_payload("i:ask_eligibility")
    assert "Step 1 of 4" in chat.text()
    await chat.say("cancel")
    assert "Stopped" in chat.text() and "test form is saved" in chat.text()
    await chat.say("continue")
    assert "continue your test form" in chat.text() and "Your phone?" in chat.text()
    await chat.say("cancel")
    await chat.say("continue")
    assert "Your phone?" not in chat.text()


async def _keep_files(ctx: FormContext) -> str:
    SUBMITTED.append(dict(ctx.answers))
    return "TST-FILES"


FILE_FORM = Form(
    id="tfile",
    title=lambda: "evidence form",
    fields=(
        Field(
            "pics",
            prompt=lambda ctx: "Send photos of your shop.",
            files=FileRule(max_files=5),
            multiple=True,
            missing_ok=True,
            label=lambda: "Photos",
        ),
        Field(
            "doc",
            prompt=lambda ctx: "Send your licence (photo or PDF).",
            files=FileRule(max_files=3),
            label=lambda: "Licence",
        ),
    ),
    on_complete=_keep_files,
    review=True,
)


@pytest.fixture
def file_form() -> Iterator[None]:
    FORMS.register(FILE_FORM)
    yield
    FORMS.unregister(FILE_FORM.id)


async def test_files_without_a_caption_reach_the_open_question(
    chat: CollectingChannel, file_form: None
) -> None:
    photo = Attachment("image", "IMG_0001.jpg", "image/jpeg", jpeg_with_gps())
    other = Image.new("RGB", (64, 48), "navy")
    png = _png_bytes(other)
    await chat.press_payload("tfile:!start")
    await chat.say("", attachments=(photo,))
    assert "So far:" in chat.text() and "1." in chat.text()
    await chat.say("", attachments=(photo,))  # the same photo again: listed once
    assert "2." not in chat.text()
    await chat.say("", attachments=(Attachment("file", "notes.txt", "text/plain", b"hello"),))
    assert "2." not in chat.text() and "Send photos of your shop." in chat.text()
    await chat.press("Done")
    # Three files sent together (an album) are one answer with three files.
    await chat.say(
        "",
        attachments=(
            Attachment("image", "a.png", "image/png", png),
            Attachment("image", "b.jpg", "image/jpeg", jpeg_with_gps(Image.new("RGB", (40, 40)))),
            Attachment("image", "c.png", "image/png", _png_bytes(Image.new("RGB", (9, 9), "red"))),
        ),
    )
    assert "Please check your answers" in chat.text()
    await chat.press("Submit")
    answers = SUBMITTED[-1]
    assert len(answers["pics"]) == 1 and answers["pics"][0]["kind"] == "image"  # type: ignore[index]
    assert [f["kind"] for f in answers["doc"]] == ["image", "image", "image"]  # type: ignore[union-attr]
    stored = await chat.core.intake.read(answers["pics"][0]["sha256"])  # type: ignore[index]
    assert b"Exif" not in stored[:4096]


async def test_a_file_question_can_be_left_for_later(
    chat: CollectingChannel, file_form: None
) -> None:
    await chat.press_payload("tfile:!start")
    await chat.press("I don't have this yet")
    assert "Send your licence" in chat.text()


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
