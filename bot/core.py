"""The channel-neutral conversation core: one inbound message in, the replies out."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from backend_client import RegistryBackend
from bot import forms, keyboards
from bot.channels.text_render import reply_buttons
from bot.clock import Clock, SystemClock
from bot.dialogue.state import DialogueState, OfferedButton
from bot.dialogue.store import ConversationStore, StaleStateError
from bot.forms import FORMS
from bot.handlers import language, menu
from bot.handlers.verification import inline_cards
from bot.i18n import NP_, _, pgettext, use_locale
from bot.intake import FileIntake, FileLimits
from bot.language import decide_locale
from bot.messages import Button, CardReply, InboundMessage, Reply
from bot.metrics import TurnTimer
from bot.navigation import Navigation, parse_navigation, parse_navigation_payload
from bot.routing import (
    ATTACHMENT_HANDLER,
    INTENT_HANDLERS,
    PAYLOAD_HANDLERS,
    TOPIC_INTENTS,
    TURN_INTERCEPTORS,
    TURN_RECORDERS,
)
from bot.settings import Settings
from bot.turn import Turn
from kb import KnowledgeBase
from nlu import Intent, NluEngine

log = logging.getLogger(__name__)

CommitHook = Callable[[AsyncSession, Sequence[Reply]], Awaitable[None]]
"""Awaited inside the transaction that saves a turn's state, with the turn's replies."""

DRAFT_LIFETIME: Final = timedelta(days=30)
TURN_ATTEMPTS: Final = 3
LONG_MESSAGE: Final = 1000
_KHMER_DIGITS: Final = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
_NUMBER: Final = re.compile(r"^\s*#?([0-9]{1,3})\s*[.)]?\s*$")

_INTENT_LABELS = {
    Intent.GREET: NP_("button", "Hello"),
    Intent.GOODBYE: NP_("button", "Goodbye"),
    Intent.THANKS: NP_("button", "Thanks"),
    Intent.HELP: NP_("button", "Help"),
    Intent.CHANGE_LANGUAGE: NP_("button", "Language"),
    Intent.ABOUT_TRUSTMARK: NP_("button", "What is the trustmark?"),
    Intent.ASK_ELIGIBILITY: NP_("button", "Am I eligible?"),
    Intent.ASK_FEE: NP_("button", "Fees"),
    Intent.ASK_DOCUMENTS: NP_("button", "Documents"),
    Intent.ASK_CRITERIA: NP_("button", "The 9 criteria"),
    Intent.APPLY: NP_("button", "Apply"),
    Intent.APPLICATION_STATUS: NP_("button", "My application"),
    Intent.RENEW: NP_("button", "Renew"),
    Intent.CHECK_SHOP: NP_("button", "Check a shop"),
    Intent.COMPLAIN: NP_("button", "Complain"),
    Intent.COMPLAINT_STATUS: NP_("button", "My complaint"),
    Intent.HUMAN_AGENT: NP_("button", "Talk to an officer"),
    Intent.ASK_PENALTIES: NP_("button", "Penalties"),
    Intent.ASK_OBLIGATIONS: NP_("button", "Obligations"),
    Intent.ASK_CONTACT: NP_("button", "Contacts"),
    Intent.OUT_OF_SCOPE: NP_("button", "Something else"),
}


def intent_button(intent: Intent) -> Button:
    """A button that asks the bot for ``intent``, labelled in the current locale."""
    return Button(pgettext("button", _INTENT_LABELS[intent]), f"i:{intent.value}")


class ConversationCore:
    """Runs one turn per message on the user's persisted state; sends nothing itself.

    Per-user ordering is the caller's (the inbox's) job. A turn's state is saved with a
    compare-and-swap; when another writer got there first, the turn is run again on the new
    state (handlers' side effects carry idempotency keys, so a re-run creates nothing twice).
    """

    def __init__(
        self,
        *,
        store: ConversationStore,
        nlu: NluEngine,
        kb: KnowledgeBase,
        settings: Settings,
        backend: RegistryBackend,
        clarify_threshold: float,
        intake: FileIntake | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._backend = backend
        self._store = store
        self._nlu = nlu
        self._kb = kb
        self._settings = settings
        self._clarify_threshold = clarify_threshold
        self._intake = intake
        self.clock: Clock = clock or SystemClock()
        self.services: dict[str, object] = {}

    @property
    def intake(self) -> FileIntake:
        """The file intake forms store files through."""
        if self._intake is None:
            self._intake = FileIntake(self._store.engine, FileLimits.from_env())
        return self._intake

    async def set_language(self, channel: str, user_id: str, locale: str) -> None:
        """Record a language the user chose outside the chat (e.g. ``--lang`` or a setting)."""
        for _attempt in range(TURN_ATTEMPTS):
            state = await self._store.load(channel, user_id)
            turn = self._turn(InboundMessage(channel=channel, user_id=user_id), state)
            await language.set_language(turn, locale)
            try:
                await self._store.save(state)
            except StaleStateError:
                continue
            return
        raise StaleStateError("the conversation kept changing")

    async def saved_locale(self, channel: str, user_id: str) -> str | None:
        """The language this user's conversation is in, once one is known."""
        state = await self._store.load(channel, user_id)
        return state.locale

    async def reply_locale(
        self, channel: str, user_id: str, text: str = "", language_code: str | None = None
    ) -> str:
        """The language the core would answer this message in (nothing is saved).

        Adapters use it for the few texts they write themselves, e.g. "this file is too large".
        """
        state = await self._store.load(channel, user_id)
        return decide_locale(state.locale, state.locale_source, text, language_code).locale

    async def shop_cards(self, query: str, locale: str) -> list[CardReply]:
        """Verification cards for shops matching ``query``, for inline search in a chat."""
        with use_locale(locale):
            return await inline_cards(self._backend, query)

    async def handle(
        self, message: InboundMessage, *, commit: CommitHook | None = None
    ) -> list[Reply]:
        """Handle one message and return the replies to send, in order.

        ``commit`` runs inside the transaction that saves the new state, so a caller can store
        the turn's outcome (e.g. an inbox event's status and these replies) atomically with it.
        """
        timer = TurnTimer()
        for attempt in range(TURN_ATTEMPTS):
            state = await self._store.load(message.channel, message.user_id)
            turn = self._turn(message, state)
            decision = decide_locale(
                state.locale, state.locale_source, message.text, message.language_code
            )
            state.locale, state.locale_source = decision.locale, decision.source
            forms.expire_drafts(turn, DRAFT_LIFETIME)
            with use_locale(decision.locale):
                await self._dispatch(turn)
            replies = list(turn.outbox.replies)
            self._remember_buttons(state, replies)
            state.last_seen_at = turn.now

            async def hook(
                session: AsyncSession, replies: list[Reply] = replies, turn: Turn = turn
            ) -> None:
                for record in TURN_RECORDERS:
                    await record(session, turn, replies)
                if commit is not None:
                    await commit(session, replies)

            try:
                await self._store.save(state, hook)
            except StaleStateError:
                log.info("conversation changed during a turn; running it again (%d)", attempt + 1)
                continue
            parse = turn.parse
            timer.done(
                message.channel,
                intent=parse.intent.name if parse else None,
                confidence=parse.intent.confidence if parse else None,
                payload=bool(message.payload),
            )
            return replies
        raise StaleStateError("the conversation kept changing during the turn")

    def _turn(self, message: InboundMessage, state: DialogueState) -> Turn:
        return Turn(
            message=message,
            state=state,
            kb=self._kb,
            settings=self._settings,
            backend=self._backend,
            now=self.clock.now(),
            intake=self.intake,
            services=self.services,
        )

    @staticmethod
    def _remember_buttons(state: DialogueState, replies: Sequence[Reply]) -> None:
        """Keep the buttons just offered, so that "2" picks the second one, even after a restart."""
        buttons = [b for reply in replies for b in reply_buttons(reply)]
        if buttons or replies:
            state.offered = [OfferedButton(b.label, b.payload) for b in buttons]

    async def _dispatch(self, turn: Turn) -> None:
        for intercept in TURN_INTERCEPTORS:
            if await intercept(turn):
                return
        message = turn.message
        if message.payload:
            await self._on_payload(turn, message.payload)
            return
        navigation = parse_navigation(turn.text)
        if navigation is not None:
            await self._navigate(turn, navigation)
            return
        if not turn.text and not message.attachments:
            await menu.main_menu(turn)
            return
        if turn.text:
            turn.parse = await self._nlu.parse(turn.text)
        typed_numbers = forms.expects_typed_numbers(turn)
        if not typed_numbers and await self._pick_by_number(turn):
            return
        if await forms.take_input(turn):
            return
        if typed_numbers and await self._pick_by_number(turn):
            return
        if not turn.text:
            await ATTACHMENT_HANDLER(turn)
            return
        in_flow = turn.state.active_flow() is not None
        if _is_noise(turn.text):
            if not (in_flow and await forms.reask(turn)):
                await menu.not_understood(turn)
            return
        intent = self._confident_intent(turn)
        if in_flow and (intent is None or intent not in TOPIC_INTENTS):
            await forms.reask(turn)
            return
        if intent is None:
            await self._clarify(turn)
            return
        await self._run_intent(turn, intent)

    async def _pick_by_number(self, turn: Turn) -> bool:
        """A typed number picks an offered button; one out of range gets the choices again."""
        match = _NUMBER.match(turn.text.translate(_KHMER_DIGITS))
        offered = turn.state.offered
        if match is None or not offered:
            return False
        number = int(match.group(1))
        if not 1 <= number <= len(offered):
            turn.outbox.say(
                _("Please choose a number from 1 to {count}.").format(count=len(offered)),
                [Button(b.label, b.payload) for b in offered],
            )
            return True
        chosen = offered[number - 1]
        turn.message = dataclasses.replace(turn.message, text="", payload=chosen.payload)
        turn.parse = None
        await self._on_payload(turn, chosen.payload)
        return True

    def _confident_intent(self, turn: Turn) -> Intent | None:
        """The understood intent, or None when the NLU is not sure enough to act on it."""
        assert turn.parse is not None
        try:
            intent = Intent(turn.parse.intent.name)
        except ValueError:
            log.warning("NLU returned an unknown intent %r", turn.parse.intent.name)
            return None
        if turn.parse.intent.confidence < self._clarify_threshold:
            return None
        return intent

    async def _run_intent(self, turn: Turn, intent: Intent) -> None:
        active_before = turn.state.active
        await INTENT_HANDLERS[intent](turn)
        # Asked something else in the middle of a flow: keep the answers, offer to continue.
        forms.interrupted(turn, active_before)

    async def _on_payload(self, turn: Turn, payload: str) -> None:
        prefix, _sep, argument = payload.partition(":")
        if prefix == "nav":
            navigation = parse_navigation_payload(argument)
            if navigation is not None:
                await self._navigate(turn, navigation)
                return
        elif prefix == "i":
            try:
                intent = Intent(argument)
            except ValueError:
                intent = None
            if intent is not None:
                await self._run_intent(turn, intent)
                return
        elif prefix in FORMS:
            await forms.on_payload(turn, prefix, argument)
            return
        elif prefix in PAYLOAD_HANDLERS:
            await PAYLOAD_HANDLERS[prefix](turn, argument)
            return
        log.info("unknown button payload %r", payload)
        await menu.main_menu(turn)

    async def _navigate(self, turn: Turn, navigation: Navigation) -> None:
        if navigation is Navigation.MENU:
            forms.leave(turn)
            await menu.main_menu(turn)
            forms.remind_other_draft(turn)
        elif navigation is Navigation.HELP:
            await menu.show_help(turn)
        elif navigation is Navigation.LANGUAGE:
            await language.choose_language(turn)
        elif navigation is Navigation.CANCEL:
            if forms.cancel(turn):
                turn.outbox.say(_("Stopped. What next?"), keyboards.main_menu())
                forms.remind_other_draft(turn)
            else:
                turn.outbox.say(_("What would you like to know?"), keyboards.main_menu())
        elif navigation is Navigation.BACK:
            if not await forms.back(turn):
                await menu.main_menu(turn)
        elif navigation is Navigation.RESUME and not await forms.resume(turn):
            await menu.main_menu(turn)

    async def _clarify(self, turn: Turn) -> None:
        """Not sure what the user meant: offer the two likeliest topics."""
        assert turn.parse is not None
        candidates: list[Intent] = []
        for scored in turn.parse.intent_ranking:
            try:
                intent = Intent(scored.name)
            except ValueError:
                continue
            if intent in TOPIC_INTENTS:
                candidates.append(intent)
            if len(candidates) == 2:
                break
        if not candidates:
            await menu.fallback(turn)
            return
        turn.outbox.say(
            _("Sorry, I am not sure what you mean. Did you mean:"),
            [*(intent_button(i) for i in candidates), keyboards.menu_button()],
        )


def _is_noise(text: str) -> bool:
    """Emoji, punctuation only, or a wall of text: nothing the NLU can answer well."""
    if len(text) > LONG_MESSAGE:
        return True
    return not any(ch.isalnum() for ch in text)
