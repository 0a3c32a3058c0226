"""The officers' side of a handoff in a Telegram forum supergroup (``TELEGRAM_OFFICER_CHAT_ID``).

Each handed-over user gets a forum topic (``createForumTopic``, named after the channel, a
masked user id and the open references). The desk is a deliveries channel named
``officers``: a delivery to "user" ``<handoff id>`` is posted into that handoff's topic
(opened on the first one), so briefings and forwarded messages are stored, ordered, retried
and sent once like every other delivery.

Updates from the officers' group come in through the Telegram channel's inbox, which hands
them here instead of to the conversation core: an officer's message in a topic is relayed
to the user, ``/close`` or closing the topic returns the user to the bot. The bot must be an
administrator of the group with the right to manage topics (it then receives every message).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, ClassVar, Final

from telegram import Bot, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.channels.base import Channel, Purpose, SendFailed, SendProgress, SendResult, Sent
from bot.channels.telegram.files import FileTooLargeError, download, incoming_file
from bot.channels.telegram.rendering import TelegramMessage, rendered
from bot.handoff.service import OFFICERS, HandoffService, Officer
from bot.inbox import InboundEvent, TurnCommit
from bot.messages import FileReply, Reply

log = logging.getLogger(__name__)

CLOSE_COMMAND: Final = "/close"


class TelegramOfficerDesk(Channel):
    """The officers' forum: topics out (as deliveries), officers' messages in."""

    name: ClassVar[str] = OFFICERS

    def __init__(
        self, bot: Bot, service: HandoffService, chat_id: int, *, max_download_bytes: int
    ) -> None:
        self.bot = bot
        self.service = service
        self.chat_id = chat_id
        self._max_download_bytes = max_download_bytes

    # -- the Channel interface: only sending; updates arrive through the Telegram channel --

    async def start(self) -> None:
        """Make officers reachable and start closing timed-out handoffs."""
        self.service.desk = self
        self.service.start()
        log.info("officers' forum ready for handoffs")

    async def stop(self) -> None:
        """Stop the timeout sweep (open handoffs stay open)."""
        await self.service.stop()

    async def accept(self, body: Any) -> int:
        """Nothing to accept: the officers' updates come through the Telegram channel."""
        del body
        return 0

    async def handle_event(self, event: InboundEvent, commit: TurnCommit) -> Sequence[Reply] | None:
        """Never called: this channel has no inbox of its own."""
        del event, commit
        return None

    async def wait_idle(self) -> None:
        """Nothing runs here between deliveries."""

    async def send(
        self,
        user_id: str,
        replies: Sequence[Reply],
        *,
        skip: int = 0,
        purpose: Purpose = Purpose.REPLY,
        progress: SendProgress | None = None,
    ) -> SendResult:
        """Post into the topic of handoff ``user_id`` (opening the topic the first time);
        ``progress`` is told before each message (several workers record it)."""
        del purpose
        handoff = await self.service.store.get(int(user_id)) if user_id.isdigit() else None
        if handoff is None:
            raise SendFailed("no such handoff", sent=skip, retryable=False, reachable=False)
        # The Telegram channel imports this module: its error mapping is imported here.
        from bot.channels.telegram.channel import send_failure

        messages = rendered(replies)
        try:
            topic_id = handoff.topic_id
            if topic_id is None:
                topic = await self.bot.create_forum_topic(self.chat_id, handoff.title)
                topic_id = topic.message_thread_id
                await self.service.store.set_topic(handoff.id, topic_id)
                log.info("forum topic opened for handoff %d", handoff.id)
            for number in range(skip, len(messages)):
                if progress is not None:
                    await progress(number + 1)
                try:
                    await self._post(topic_id, messages[number])
                except TelegramError as exc:
                    raise send_failure(exc, number) from exc
        except TelegramError as exc:
            # e.g. the bot is not an administrator allowed to manage topics: said in the log.
            log.error("the officers' forum refused a handoff message: %s", exc.message)
            raise send_failure(exc, skip) from exc
        return SendResult(Sent.SENT, max(skip, len(messages)))

    async def _post(self, topic_id: int, message: TelegramMessage) -> None:
        if message.document is not None:
            await self.bot.send_document(
                self.chat_id,
                message.document.data,
                filename=message.document.filename,
                caption=message.text or None,
                parse_mode=ParseMode.HTML if message.text else None,
                message_thread_id=topic_id,
            )
            return
        await self.bot.send_message(
            self.chat_id, message.text, parse_mode=ParseMode.HTML, message_thread_id=topic_id
        )

    async def close_topic(self, topic_id: int) -> None:
        """Close a topic (officers can still read and reopen it)."""
        await self.bot.close_forum_topic(self.chat_id, topic_id)

    # -- the officers' updates --------------------------------------------------------------

    def owns(self, update: Update) -> bool:
        """Whether an update comes from the officers' group."""
        chat = update.effective_chat
        return chat is not None and chat.id == self.chat_id

    async def handle_update(self, update: Update) -> None:
        """An update from the officers' group: relay, close, or ignore it."""
        message = update.message
        if message is None or message.message_thread_id is None:
            return  # edits, the general topic, other updates: nothing to relay
        topic_id = message.message_thread_id
        if message.forum_topic_closed is not None:
            await self.service.topic_closed(topic_id)
            return
        sender = message.from_user
        if sender is None or sender.is_bot or not message.is_topic_message:
            return
        text = (message.text or message.caption or "").strip()
        if text.split("@", 1)[0].lower() == CLOSE_COMMAND:
            await self.service.close_topic_by_command(topic_id)
            return
        if text.startswith("/") and not message.caption:
            return  # other commands are for the officers, not the user
        files = await self._files(message)
        if not text and not files:
            return
        await self.service.from_officer(
            topic_id, Officer(text, tuple(files)), key=f"{self.chat_id}:{message.message_id}"
        )

    async def _files(self, message: Message) -> list[FileReply]:
        incoming = incoming_file(message)
        if incoming is None:
            return []
        try:
            attachment = await download(self.bot, incoming, self._max_download_bytes)
        except (FileTooLargeError, TelegramError):
            log.warning("an officer's file could not be relayed")
            return []
        return [FileReply(attachment.filename, attachment.mime_type, attachment.data)]


def officer_desk(
    bot: Bot, service: object, *, max_download_bytes: int
) -> TelegramOfficerDesk | None:
    """The desk when the handoff service has an officers' forum configured, else None."""
    if not isinstance(service, HandoffService) or service.config.officer_chat_id is None:
        return None
    return TelegramOfficerDesk(
        bot, service, service.config.officer_chat_id, max_download_bytes=max_download_bytes
    )
