"""The running Messenger channel: the Graph client, the inbox worker, the 24-hour window.

Replies to a user's message go out as ``RESPONSE``. A message no turn asked for (a delivery)
goes out as ``RESPONSE`` while the user's last message is less than 24 hours old; outside
that window as a utility message (a Page-owned template, when configured), an officer's own
reply with the ``HUMAN_AGENT`` tag within 7 days when that is switched on, and otherwise it is
held and sent right after the answer to the user's next message. No retired tag is ever sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Final

import aiohttp
from aiohttp import web

from bot.channels.base import Channel, Purpose, SendFailed, SendProgress, SendResult, Sent
from bot.channels.graphemes import fit
from bot.channels.messenger.config import MessengerConfig
from bot.channels.messenger.events import CHANNEL, accepted_events
from bot.channels.messenger.processing import MessengerProcessor, send_failure, send_messages
from bot.channels.messenger.render import render_replies
from bot.channels.messenger.send_api import HUMAN_AGENT_TAG, GraphApiError, GraphClient
from bot.i18n import DEFAULT_LOCALE, use_locale
from bot.inbox import InboundEvent, InboxWorker, TurnCommit
from bot.messages import CardReply, FileReply, Reply, TextReply
from bot.retry import utc_now

if TYPE_CHECKING:
    from bot.runtime import BotRuntime

log = logging.getLogger(__name__)

# The standard messaging window, less a margin for clocks and queues.
WINDOW: Final = timedelta(hours=24) - timedelta(minutes=10)
HUMAN_AGENT_WINDOW: Final = timedelta(days=7) - timedelta(minutes=10)
# The text put into a utility template's placeholder is cut to this.
UTILITY_TEXT_LIMIT: Final = 1000


def utility_text(replies: Sequence[Reply]) -> str:
    """The text of a delivery, for a utility template's placeholder."""
    parts: list[str] = []
    for reply in replies:
        if isinstance(reply, TextReply):
            parts.append(reply.text)
        elif isinstance(reply, CardReply):
            parts.append("\n".join(part for part in (reply.title, reply.subtitle) if part))
        elif isinstance(reply, FileReply) and reply.caption:
            parts.append(reply.caption)
    text = "\n\n".join(part.strip() for part in parts if part.strip())
    return fit(text, UTILITY_TEXT_LIMIT)


class MessengerChannel(Channel):
    """What the webhook routes and the rest of the bot use of the Messenger channel."""

    name: ClassVar[str] = CHANNEL
    holds_deliveries: ClassVar[bool] = True

    def __init__(
        self,
        config: MessengerConfig,
        runtime: BotRuntime,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.config = config
        self._runtime = runtime
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None
        self._client: GraphClient | None = None
        self._processor: MessengerProcessor | None = None
        self.worker: InboxWorker = runtime.inbox_worker(self)
        rate = config.max_sends_per_second
        self._budget = (
            runtime.send_budget("messenger", config.page_access_token, rate) if rate else None
        )

    @property
    def client(self) -> GraphClient:
        """The Graph API client (once started)."""
        if self._client is None:
            raise RuntimeError("the Messenger channel is not started")
        return self._client

    async def start(self) -> None:
        """Open the HTTP session and resume the events left unfinished."""
        timeout = aiohttp.ClientTimeout(total=self.config.request_timeout_seconds)
        self._session = aiohttp.ClientSession(timeout=timeout)
        self._client = GraphClient(self._session, self.config)
        self._processor = MessengerProcessor(
            core=self._runtime.core, client=self._client, config=self.config
        )
        await self.worker.start()
        log.info("Messenger channel ready")

    async def stop(self) -> None:
        """Stop processing (unfinished events stay in the inbox), close the session."""
        await self.worker.stop()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def accept(self, body: Any) -> int:
        """Store every event of a webhook delivery in the inbox and queue the new ones."""
        stored: list[InboundEvent] = []
        events = accepted_events(body)
        for event in events:
            accepted = await self._runtime.inbox.accept(
                CHANNEL, event.event_id, event.psid, event.body
            )
            if accepted is not None:
                stored.append(accepted)
        log.info("Messenger delivery: %d events, %d new", len(events), len(stored))
        for accepted in stored:
            self.worker.submit(accepted)
        return len(stored)

    async def handle_event(self, event: InboundEvent, commit: TurnCommit) -> list[Reply] | None:
        """Answer one stored event (see :class:`MessengerProcessor`)."""
        if self._processor is None:
            raise RuntimeError("the Messenger channel is not started")
        return await self._processor.handle(event, commit)

    async def send(
        self,
        user_id: str,
        replies: Sequence[Reply],
        *,
        skip: int = 0,
        purpose: Purpose = Purpose.REPLY,
        progress: SendProgress | None = None,
    ) -> SendResult:
        """Send replies to a PSID: inside the window as RESPONSE, outside as policy allows.

        Each message takes its slot from the Page's send budget (when configured), then
        ``progress`` is told, then it goes out.
        """
        locale = await self._runtime.core.saved_locale(CHANNEL, user_id) or DEFAULT_LOCALE
        with use_locale(locale):
            messages = render_replies(replies)
        if purpose is not Purpose.REPLY:
            age = await self._since_last_message(user_id)
            if age is None or age >= WINDOW:
                return await self._outside_window(
                    user_id, replies, messages, locale, purpose, age, skip, progress
                )
        try:
            sent = await send_messages(
                self.client, user_id, messages, skip=skip, budget=self._budget, progress=progress
            )
        except SendFailed as exc:
            cause = exc.__cause__
            if (
                purpose is not Purpose.REPLY
                and isinstance(cause, GraphApiError)
                and cause.outside_window
                and exc.sent == skip
            ):
                # Meta's window closed before ours did: as outside the window.
                return await self._outside_window(
                    user_id, replies, messages, locale, purpose, None, skip, progress
                )
            raise
        return SendResult(Sent.SENT, sent)

    async def _since_last_message(self, psid: str) -> timedelta | None:
        last = await self._runtime.inbox.last_contact(CHANNEL, psid)
        return None if last is None else self._clock() - last

    async def _outside_window(
        self,
        psid: str,
        replies: Sequence[Reply],
        messages: Sequence[Any],
        locale: str,
        purpose: Purpose,
        age: timedelta | None,
        skip: int,
        progress: SendProgress | None = None,
    ) -> SendResult:
        if (
            purpose is Purpose.HUMAN
            and self.config.human_agent_tag
            and age is not None
            and age < HUMAN_AGENT_WINDOW
        ):
            sent = await send_messages(
                self.client,
                psid,
                messages,
                skip=skip,
                messaging_type="MESSAGE_TAG",
                tag=HUMAN_AGENT_TAG,
                budget=self._budget,
                progress=progress,
            )
            return SendResult(Sent.HUMAN_AGENT, sent)
        template = self.config.utility_template
        if template is None:
            log.info("Messenger user outside the 24-hour window: delivery held")
            return SendResult(Sent.HELD, skip)
        if self._budget is not None:
            await self._budget.acquire()
        if progress is not None:
            await progress(len(messages))
        try:
            await self.client.send_utility(
                psid,
                template=template.name,
                language=template.language(locale),
                text=utility_text(replies),
                parameter=template.parameter,
            )
        except GraphApiError as exc:
            raise send_failure(exc, 0) from exc
        return SendResult(Sent.UTILITY, len(messages))

    async def wait_idle(self) -> None:
        """Wait until every accepted event has been processed."""
        await self.worker.wait_idle()


MESSENGER_KEY: web.AppKey[MessengerChannel] = web.AppKey("messenger", MessengerChannel)
