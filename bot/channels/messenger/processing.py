"""Processing one stored Messenger event: read it, fetch its files, ask the core, send replies.

Runs inside the inbox worker, so each user's events are handled one at a time, in order.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.channels.messenger.attachments import (
    AttachmentError,
    AttachmentTooLarge,
    download_attachment,
)
from bot.channels.messenger.config import MessengerConfig
from bot.channels.messenger.events import CHANNEL, AttachmentRef, UserEvent, read_user_event
from bot.channels.messenger.outgoing import OutgoingMessage
from bot.channels.messenger.overflow import decode_choices, is_overflow_payload
from bot.channels.messenger.render import render_replies, text_messages
from bot.channels.messenger.send_api import GraphApiError, GraphClient
from bot.channels.notices import file_not_received, file_too_large
from bot.i18n import DEFAULT_LOCALE, _, use_locale
from bot.inbox import InboundEvent
from bot.messages import Attachment, InboundMessage, Reply
from bot.metrics import delivery_failed

log = logging.getLogger(__name__)

# Payloads whose answer needs the registry: worth a typing indicator, like text and files.
_SLOW_PAYLOAD_PREFIXES = ("cert:", "share:")


class MessageHandler(Protocol):
    """What the processor needs of the conversation core."""

    async def handle(self, message: InboundMessage) -> list[Reply]:
        """The replies to one message."""
        ...

    async def saved_locale(self, channel: str, user_id: str) -> str | None:
        """The language the user's conversation is in, once one is known."""
        ...


class MessengerProcessor:
    """Turns one accepted event into the core's answer, sent through the Send API."""

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

    async def __call__(self, event: InboundEvent) -> None:
        """Process one stored event (the inbox worker's callback)."""
        user_event = read_user_event(event.body)
        if user_event is None:
            return
        psid = user_event.psid
        if is_overflow_payload(user_event.payload):
            await self._show_more(psid, user_event.payload or "")
            return
        if self._is_slow(user_event):
            await self._client.send_typing(psid)
        saved_locale = await self._saved_locale(psid)
        attachments, problem = await self._download(user_event.attachments)
        if problem is not None or user_event.unavailable_attachments:
            await self._send_file_problem(psid, saved_locale, problem)
            if not (user_event.text or user_event.payload or attachments):
                return
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
        replies = await self._core.handle(message)
        locale = await self._saved_locale(psid) or DEFAULT_LOCALE
        with use_locale(locale):
            outgoing = render_replies(replies)
        await self._send_all(psid, outgoing)

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

    async def _send_file_problem(
        self, psid: str, locale: str | None, problem: AttachmentError | None
    ) -> None:
        """Tell the user a file did not arrive, in their language."""
        with use_locale(locale or DEFAULT_LOCALE):
            if isinstance(problem, AttachmentTooLarge):
                text = file_too_large(self._config.max_attachment_bytes)
            else:
                text = file_not_received()
            messages = text_messages(text)
        await self._send_all(psid, messages)

    async def _show_more(self, psid: str, payload: str) -> None:
        """The choices a "More" quick reply carries, shown as the next set of quick replies."""
        choices = decode_choices(payload)
        locale = await self._saved_locale(psid) or DEFAULT_LOCALE
        if choices is None:
            log.info("an invalid More payload was pressed; showing the menu")
            replies = await self._core.handle(
                InboundMessage(channel=CHANNEL, user_id=psid, payload="nav:menu")
            )
            with use_locale(locale):
                messages = render_replies(replies)
        else:
            with use_locale(locale):
                messages = text_messages(_("More choices:"), choices)
        await self._send_all(psid, messages)

    async def _send_all(self, psid: str, messages: Sequence[OutgoingMessage]) -> None:
        """Send in order; a user who cannot be reached is logged, a temporary failure raised.

        A temporary failure that outlasts the client's retries propagates, so the inbox keeps
        the event and tries it again rather than losing the reply.
        """
        for outgoing in messages:
            try:
                await self._client.send_message(psid, outgoing)
            except GraphApiError as exc:
                if exc.retryable:
                    raise
                log.error("reply not delivered (%s); the rest of this answer is dropped", exc)
                delivery_failed(CHANNEL)
                return
