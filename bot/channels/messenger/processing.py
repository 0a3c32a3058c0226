"""Processing one stored Messenger event: read it, fetch its files, ask the core.

Runs inside the inbox worker, so each user's events are handled one at a time, in order; the
channel sends the replies the worker stored with the turn.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.channels.base import SendFailed, SendProgress
from bot.channels.messenger.attachments import (
    AttachmentError,
    AttachmentTooLarge,
    download_attachment,
)
from bot.channels.messenger.config import MessengerConfig
from bot.channels.messenger.events import CHANNEL, AttachmentRef, UserEvent, read_user_event
from bot.channels.messenger.outgoing import OutgoingMessage
from bot.channels.messenger.overflow import decode_choices, is_overflow_payload
from bot.channels.messenger.render import text_messages
from bot.channels.messenger.send_api import GraphApiError, GraphClient, MessagingType
from bot.channels.notices import file_not_received, file_too_large
from bot.i18n import DEFAULT_LOCALE, _, use_locale
from bot.inbox import CommitHook, InboundEvent, TurnCommit
from bot.messages import Attachment, InboundMessage, Reply, TextReply
from bot.send_budget import SendBudget

log = logging.getLogger(__name__)

# Payloads whose answer needs the registry: worth a typing indicator, like text and files.
_SLOW_PAYLOAD_PREFIXES = ("cert:", "share:")


class MessageHandler(Protocol):
    """What the processor needs of the conversation core."""

    async def handle(
        self, message: InboundMessage, *, commit: CommitHook | None = None
    ) -> list[Reply]:
        """The replies to one message (``commit`` runs in the transaction saving the turn)."""
        ...

    async def saved_locale(self, channel: str, user_id: str) -> str | None:
        """The language the user's conversation is in, once one is known."""
        ...


def send_failure(exc: GraphApiError, sent: int) -> SendFailed:
    """What a Graph API error means for the rest of the answer."""
    reason = repr(exc)  # endpoint, status and Meta's codes: no token, no message text
    if exc.unreachable:
        return SendFailed(reason, sent=sent, retryable=False, reachable=False)
    return SendFailed(reason, sent=sent, retryable=exc.retryable)


async def send_messages(
    client: GraphClient,
    psid: str,
    messages: Sequence[OutgoingMessage],
    *,
    skip: int = 0,
    messaging_type: MessagingType = "RESPONSE",
    tag: str | None = None,
    budget: SendBudget | None = None,
    progress: SendProgress | None = None,
) -> int:
    """Send ``messages[skip:]`` in order; the number sent in all, or :class:`SendFailed`.

    Each message takes its slot from the Page's ``budget`` first, then ``progress`` is told.
    """
    for number in range(skip, len(messages)):
        if budget is not None:
            await budget.acquire()
        if progress is not None:
            await progress(number + 1)
        try:
            await client.send_message(
                psid, messages[number], messaging_type=messaging_type, tag=tag
            )
        except GraphApiError as exc:
            if not exc.retryable:
                log.error("reply not delivered (%s); the rest of this answer is dropped", exc)
            raise send_failure(exc, number) from exc
    return max(skip, len(messages))


class MessengerProcessor:
    """Turns one accepted event into the core's answer (sent afterwards by the channel)."""

    def __init__(
        self,
        *,
        core: MessageHandler,
        client: GraphClient,
        config: MessengerConfig,
    ) -> None:
        self._core = core
        self._client = client
        self._config = config

    async def handle(self, event: InboundEvent, commit: TurnCommit) -> list[Reply] | None:
        """The replies to one stored event, the core's turn committed through ``commit``."""
        user_event = read_user_event(event.body)
        if user_event is None:
            return None
        psid = user_event.psid
        if is_overflow_payload(user_event.payload):
            return await self._show_more(psid, user_event.payload or "", commit)
        if self._is_slow(user_event):
            await self._client.send_typing(psid)
        saved_locale = await self._saved_locale(psid)
        attachments, problem = await self._download(user_event.attachments)
        notices: list[Reply] = []
        if problem is not None or user_event.unavailable_attachments:
            notices.append(self._file_problem(saved_locale, problem))
            if not (user_event.text or user_event.payload or attachments):
                return notices
        language_code = None
        if self._config.use_profile_locale and saved_locale is None:
            language_code = await self._client.user_locale(psid)
        message = InboundMessage(
            channel=CHANNEL,
            user_id=psid,
            text=user_event.text,
            payload=user_event.payload,
            attachments=tuple(attachments),
            language_code=language_code,
            message_id=event.event_id,
        )
        commit.prefix = notices
        replies = await self._core.handle(message, commit=commit)
        return [*notices, *replies]

    @staticmethod
    def _is_slow(user_event: UserEvent) -> bool:
        payload = user_event.payload or ""
        return bool(
            user_event.attachments
            or (user_event.text and not payload)
            or payload.startswith(_SLOW_PAYLOAD_PREFIXES)
        )

    async def _saved_locale(self, psid: str) -> str | None:
        """The language the core answers this user in, once it has decided one."""
        return await self._core.saved_locale(CHANNEL, psid)

    async def _download(
        self, refs: Sequence[AttachmentRef]
    ) -> tuple[list[Attachment], AttachmentError | None]:
        """Every file that could be fetched, and the first problem met (too large wins)."""
        attachments: list[Attachment] = []
        problem: AttachmentError | None = None
        for ref in refs:
            try:
                attachments.append(
                    await download_attachment(
                        self._client.session,
                        ref,
                        max_bytes=self._config.max_attachment_bytes,
                        policy=self._config.attachment_policy,
                    )
                )
            except AttachmentError as exc:
                log.warning("a %s attachment was not received: %s", ref.kind, exc)
                if problem is None or isinstance(exc, AttachmentTooLarge):
                    problem = exc
        return attachments, problem

    def _file_problem(self, locale: str | None, problem: AttachmentError | None) -> Reply:
        """Telling the user a file did not arrive, in their language."""
        with use_locale(locale or DEFAULT_LOCALE):
            if isinstance(problem, AttachmentTooLarge):
                return TextReply(file_too_large(self._config.max_attachment_bytes))
            return TextReply(file_not_received())

    async def _show_more(self, psid: str, payload: str, commit: TurnCommit) -> list[Reply] | None:
        """The choices a "More" quick reply carries, shown as the next set of quick replies.

        Nothing about the conversation changes, so these are sent at once (again, if the
        event is tried again); an invalid payload is a turn: the main menu.
        """
        choices = decode_choices(payload)
        if choices is None:
            log.info("an invalid More payload was pressed; showing the menu")
            return await self._core.handle(
                InboundMessage(channel=CHANNEL, user_id=psid, payload="nav:menu"), commit=commit
            )
        locale = await self._saved_locale(psid) or DEFAULT_LOCALE
        with use_locale(locale):
            messages = text_messages(_("More choices:"), choices)
        await send_messages(self._client, psid, messages)
        return None
