"""The channel-neutral conversation core: one inbound message in, the replies out."""

from __future__ import annotations

import logging

from backend_client import RegistryBackend
from bot import keyboards
from bot.dialogue.state import Step
from bot.dialogue.store import ConversationStore
from bot.handlers import language, menu
from bot.handlers.verification import MAX_MATCHES, shop_card
from bot.i18n import NP_, _, pgettext, use_locale
from bot.language import decide_locale
from bot.messages import Button, CardReply, InboundMessage, Reply
from bot.metrics import TurnTimer
from bot.navigation import Navigation, parse_navigation, parse_navigation_payload
from bot.ordering import KeyedLocks
from bot.routing import (
    INTENT_HANDLERS,
    PAYLOAD_HANDLERS,
    RESUMABLE_STEPS,
    STEP_HANDLERS,
    STEP_PROMPTS,
    TOPIC_INTENTS,
)
from bot.settings import Settings
from bot.turn import Turn
from kb import KnowledgeBase
from nlu import Intent, NluEngine

log = logging.getLogger(__name__)

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
    Intent.OUT_OF_SCOPE: NP_("button", "Something else"),
}


def intent_button(intent: Intent) -> Button:
    """A button that asks the bot for ``intent``, labelled in the current locale."""
    return Button(pgettext("button", _INTENT_LABELS[intent]), f"i:{intent.value}")


class ConversationCore:
    """Handles each user's messages one at a time, in order, with persisted state."""

    def __init__(
        self,
        *,
        store: ConversationStore,
        nlu: NluEngine,
        kb: KnowledgeBase,
        settings: Settings,
        backend: RegistryBackend,
        clarify_threshold: float,
    ) -> None:
        self._backend = backend
        self._store = store
        self._nlu = nlu
        self._kb = kb
        self._settings = settings
        self._clarify_threshold = clarify_threshold
        self._locks = KeyedLocks()

    async def set_language(self, channel: str, user_id: str, locale: str) -> None:
        """Record a language the user chose outside the chat (e.g. ``--lang`` or a setting)."""
        async with self._locks.hold((channel, user_id)):
            state = await self._store.load(channel, user_id)
            turn = Turn(
                message=InboundMessage(channel=channel, user_id=user_id),
                state=state,
                kb=self._kb,
                settings=self._settings,
                backend=self._backend,
            )
            await language.set_language(turn, locale)
            await self._store.save(state)

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
        if not query.strip():
            return []
        with use_locale(locale):
            matches = await self._backend.find_shops(query.strip(), limit=MAX_MATCHES)
            return [shop_card(match) for match in matches]

    async def handle(self, message: InboundMessage) -> list[Reply]:
        """Handle one message and return the replies to send, in order."""
        timer = TurnTimer()
        async with self._locks.hold(message.conversation_key):
            state = await self._store.load(message.channel, message.user_id)
            decision = decide_locale(
                state.locale, state.locale_source, message.text, message.language_code
            )
            state.locale, state.locale_source = decision.locale, decision.source
            turn = Turn(
                message=message,
                state=state,
                kb=self._kb,
                settings=self._settings,
                backend=self._backend,
            )
            with use_locale(decision.locale):
                await self._dispatch(turn)
            await self._store.save(state)
            parse = turn.parse
            timer.done(
                message.channel,
                intent=parse.intent.name if parse else None,
                confidence=parse.intent.confidence if parse else None,
                payload=bool(message.payload),
            )
            return list(turn.outbox.replies)

    async def _dispatch(self, turn: Turn) -> None:
        message = turn.message
        if message.payload:
            await self._on_payload(turn, message.payload)
            return
        navigation = parse_navigation(turn.text)
        if navigation is not None:
            await self._navigate(turn, navigation)
            return
        if not turn.text:
            if message.attachments:
                await menu.attachment_not_expected(turn)
            else:
                await menu.main_menu(turn)
            return
        turn.parse = await self._nlu.parse(turn.text)
        step_handler = STEP_HANDLERS.get(turn.state.step)
        if step_handler is not None and await step_handler(turn):
            return
        intent = self._confident_intent(turn)
        if step_handler is not None and (intent is None or intent not in TOPIC_INTENTS):
            await self._reask(turn)
            return
        if intent is None:
            await self._clarify(turn)
            return
        await self._run_intent(turn, intent)

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
        step_before = turn.state.step
        await INTENT_HANDLERS[intent](turn)
        if turn.state.step is not step_before or step_before is Step.IDLE:
            return
        if step_before not in RESUMABLE_STEPS:
            turn.state.leave_flow()
            return
        # The user asked something else in the middle of a flow: keep their answers and offer
        # to continue where they were.
        turn.outbox.say(
            _("You have an unfinished eligibility check."),
            (Button(pgettext("button", "Continue"), "nav:resume"), keyboards.cancel_button()),
        )

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
        elif prefix in PAYLOAD_HANDLERS:
            await PAYLOAD_HANDLERS[prefix](turn, argument)
            return
        log.info("unknown button payload %r", payload)
        await menu.main_menu(turn)

    async def _navigate(self, turn: Turn, navigation: Navigation) -> None:
        state = turn.state
        if navigation is Navigation.MENU:
            state.leave_flow()
            await menu.main_menu(turn)
        elif navigation is Navigation.HELP:
            await menu.show_help(turn)
        elif navigation is Navigation.LANGUAGE:
            await language.choose_language(turn)
        elif navigation is Navigation.CANCEL:
            was_in_flow = state.step is not Step.IDLE
            state.leave_flow()
            text = _("Stopped. What next?") if was_in_flow else _("What would you like to know?")
            turn.outbox.say(text, keyboards.main_menu())
        elif navigation is Navigation.BACK:
            if state.go_back() is not None:
                await STEP_PROMPTS[state.step](turn)
            elif state.step is not Step.IDLE:
                # At the first question, back means leaving the flow.
                state.leave_flow()
                await menu.main_menu(turn)
            else:
                await menu.main_menu(turn)
        elif navigation is Navigation.RESUME:
            prompt = STEP_PROMPTS.get(state.step)
            if prompt is not None:
                await prompt(turn)
            else:
                await menu.main_menu(turn)

    async def _reask(self, turn: Turn) -> None:
        """The user's text does not answer the current question: say so and ask again."""
        turn.outbox.say(_("Sorry, I did not understand. Please choose one of the buttons."))
        await STEP_PROMPTS[turn.state.step](turn)

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
