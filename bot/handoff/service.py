"""Handing a conversation to an officer and back.

The user asks for an officer: a handoff opens, and a topic in the officers' Telegram forum
receives a briefing (the user's language, open APP-/CMP- references, the recent transcript).
Until it closes, the bot answers nothing for that user: each message goes into the topic.
Officers answer in the topic and the bot relays their words to the user, on Telegram or
Messenger, as an officer's message (Messenger's HUMAN_AGENT tag outside 24 hours, when
enabled). The topic closing (``/close`` or closing it in Telegram), the user leaving, or a
day without an officer's message returns the user to the bot.

Everything sent goes through ``deliver``: to the user's channel, and to the officers'
forum as the ``officers`` channel whose "user" is the handoff (its topic is opened on the
first message), so it is stored, ordered, retried and sent once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from backend_client import (
    ApplicationStatus,
    BackendError,
    ComplaintStatus,
    RegistryBackend,
)
from bot import keyboards
from bot.clock import Clock, SystemClock
from bot.handoff import transcript
from bot.handoff.config import HandoffConfig
from bot.handoff.store import Handoff, HandoffStore
from bot.i18n import _, pgettext, use_locale
from bot.messages import Button, FileReply, Reply, TextReply
from registry.redact import redact_text

if TYPE_CHECKING:
    from bot.turn import Turn

log = logging.getLogger(__name__)

SERVICE: Final = "handoff"
"""The name of the service in ``turn.services``."""
OFFICERS: Final = "officers"
"""The deliveries' channel name of the officers' forum (its "users" are handoff ids)."""
END_PAYLOAD: Final = "ho:end"
SWEEP_SECONDS: Final = 600.0
_CLOSED_APPLICATIONS: Final = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
_CLOSED_COMPLAINTS: Final = (ComplaintStatus.RESOLVED, ComplaintStatus.REJECTED)


class Deliver(Protocol):
    """The deliveries' entry point (``runtime.deliveries.deliver``)."""

    async def __call__(
        self,
        channel: str,
        user_id: str,
        compose: Callable[[], Sequence[Reply]],
        *,
        dedupe_key: str | None = None,
        human: bool = False,
    ) -> object:
        """Store replies for the user and have them sent."""
        ...


class OfficerDesk(Protocol):
    """The officers' forum, for what is not a message: closing a topic."""

    async def close_topic(self, topic_id: int) -> None:
        """Close the forum topic (officers can reopen it to read it)."""
        ...


@dataclass(frozen=True, slots=True)
class Officer:
    """What is relayed from an officer: text and files (already downloaded)."""

    text: str
    files: tuple[FileReply, ...] = ()


def channel_name(channel: str) -> str:
    """A channel as officers read it."""
    return {"telegram": "Telegram", "messenger": "Messenger"}.get(channel, channel)


def language_name(locale: str) -> str:
    """A user's language as officers read it (in the officers' language)."""
    return {"km": _("Khmer"), "en": _("English")}.get(locale, locale)


def topic_title(owner: tuple[str, str], references: Sequence[str]) -> str:
    """The forum topic's name: the channel, a masked user id and the open references."""
    parts = [f"{channel_name(owner[0])} {redact_text(owner[1], keep=4)}", *references[:2]]
    return " \u00b7 ".join(parts)[:128]


class HandoffService:
    """Opens, relays and closes handoffs; knows whether officers can be reached at all."""

    def __init__(
        self, engine: AsyncEngine, config: HandoffConfig, *, clock: Clock | None = None
    ) -> None:
        self.config = config
        self.store = HandoffStore(engine)
        self.engine = engine
        self.clock: Clock = clock or SystemClock()
        self.deliver: Deliver | None = None
        self.desk: OfficerDesk | None = None
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def available(self) -> bool:
        """Officers can be reached: a forum is configured and its channel is running."""
        return (
            self.config.officer_chat_id is not None
            and self.deliver is not None
            and self.desk is not None
        )

    def _officers(self) -> str:
        return self.config.officer_locale

    async def _to_topic(
        self, handoff: Handoff, compose: Callable[[], Sequence[Reply]], key: str
    ) -> None:
        """Post into the handoff's topic, in the officers' language."""
        assert self.deliver is not None
        locale = self._officers()

        def composed() -> Sequence[Reply]:
            with use_locale(locale):
                return list(compose())

        await self.deliver(OFFICERS, str(handoff.id), composed, dedupe_key=key)

    async def _to_user(
        self,
        handoff: Handoff,
        compose: Callable[[], Sequence[Reply]],
        key: str,
        *,
        human: bool = False,
    ) -> None:
        assert self.deliver is not None
        await self.deliver(handoff.channel, handoff.user_id, compose, dedupe_key=key, human=human)

    # -- the user's side ------------------------------------------------------------------

    async def current(self, owner: tuple[str, str], now: datetime) -> tuple[Handoff | None, bool]:
        """The user's open handoff, and whether one just ended because officers were quiet."""
        handoff = await self.store.open_for(owner)
        if handoff is None:
            return None, False
        if now - handoff.quiet_since() < self.config.timeout:
            return handoff, False
        await self._time_out(handoff, now, tell_user=False)
        return None, True

    async def open(self, turn: Turn) -> tuple[Handoff, bool]:
        """Open the user's handoff (or find the open one); the briefing goes to the topic."""
        assert self.config.officer_chat_id is not None
        owner = (turn.message.channel, turn.message.user_id)
        references = await open_references(turn.backend, owner)
        locale = turn.state.locale or "km"
        handoff, created = await self.store.open(
            owner,
            locale=locale,
            title=topic_title(owner, references),
            officer_chat_id=self.config.officer_chat_id,
            now=turn.now,
        )
        if created:
            turns = await transcript.recent(self.engine, owner, self.config.transcript_turns)
            log.info("handoff %d opened for %s", handoff.id, redact_text(owner[1]))
            await self._to_topic(
                handoff,
                lambda: briefing(handoff, references, turns),
                f"handoff:{handoff.id}:open",
            )
        return handoff, created

    async def forward(self, handoff: Handoff, turn: Turn) -> None:
        """The user wrote while with an officer: into the topic it goes."""
        message = turn.message
        label = next((b.label for b in turn.state.offered if b.payload == message.payload), None)
        text = message.text.strip()
        if message.payload:
            text = f"[{label or message.payload}] {text}".strip()
        files = await _cleaned_files(turn)
        key = f"handoff:{handoff.id}:in:{message.message_id}" if message.message_id else None

        def compose() -> Sequence[Reply]:
            replies: list[Reply] = []
            if text:
                replies.append(TextReply("\U0001f464 " + text))
            for file in files:
                replies.append(
                    FileReply(file.filename, file.mime_type, file.data, _("\U0001f464 sent a file"))
                )
            return replies

        assert self.deliver is not None
        locale = self._officers()

        def composed() -> Sequence[Reply]:
            with use_locale(locale):
                return compose()

        await self.deliver(OFFICERS, str(handoff.id), composed, dedupe_key=key)

    async def leave(self, handoff: Handoff, now: datetime) -> bool:
        """The user chose to go back to the bot; False when it had closed already."""
        closed = await self.store.close(handoff.id, "user", now)
        if closed is None:
            return False
        await self._to_topic(
            closed,
            lambda: [TextReply(_("The user left the conversation and is back with the bot."))],
            f"handoff:{handoff.id}:closed",
        )
        await self._close_topic(closed)
        return True

    # -- the officers' side ---------------------------------------------------------------

    async def from_officer(self, topic_id: int, officer: Officer, key: str) -> None:
        """An officer wrote in a topic: relay it to the user, or say the handoff is closed."""
        chat_id = self.config.officer_chat_id
        if chat_id is None:
            return
        handoff = await self.store.by_topic(chat_id, topic_id)
        if handoff is None:
            log.info("a message in an officers' topic that is no handoff")
            return
        if not handoff.is_open:
            await self._to_topic(
                handoff,
                lambda: [
                    TextReply(
                        _(
                            "This conversation is closed: the user did not receive your "
                            "message. They can ask for an officer again."
                        )
                    )
                ],
                f"handoff:late:{key}",
            )
            return
        await self.store.officer_wrote(handoff.id, self.clock.now())

        def relayed() -> Sequence[Reply]:
            replies: list[Reply] = []
            if officer.text.strip():
                replies.append(
                    TextReply(
                        _("\U0001f4ac Officer of the Ministry: {text}").format(
                            text=officer.text.strip()
                        )
                    )
                )
            replies.extend(officer.files)
            return replies

        await self._to_user(handoff, relayed, f"handoff:reply:{key}", human=True)

    async def topic_closed(self, topic_id: int) -> None:
        """Officers closed the topic (``/close`` or Telegram's own button)."""
        chat_id = self.config.officer_chat_id
        if chat_id is None:
            return
        handoff = await self.store.by_topic(chat_id, topic_id)
        if handoff is None:
            return
        closed = await self.store.close(handoff.id, "officer", self.clock.now())
        if closed is None:
            return
        log.info("handoff %d closed by an officer", handoff.id)
        await self._to_user(closed, ended_by_officer, f"handoff:{handoff.id}:closed")

    async def close_topic_by_command(self, topic_id: int) -> None:
        """``/close`` in a topic: close the handoff, then the topic itself."""
        chat_id = self.config.officer_chat_id
        handoff = await self.store.by_topic(chat_id, topic_id) if chat_id is not None else None
        await self.topic_closed(topic_id)
        if handoff is not None:
            await self._close_topic(handoff)

    async def _close_topic(self, handoff: Handoff) -> None:
        if self.desk is None or handoff.topic_id is None:
            return
        try:
            await self.desk.close_topic(handoff.topic_id)
        except Exception:  # the topic may be closed or gone already; the handoff is closed
            log.info("the officers' topic of handoff %d could not be closed", handoff.id)

    # -- the timeout ----------------------------------------------------------------------

    async def _time_out(self, handoff: Handoff, now: datetime, *, tell_user: bool) -> None:
        closed = await self.store.close(handoff.id, "timeout", now)
        if closed is None:
            return
        hours = int(self.config.timeout.total_seconds() // 3600)
        log.info("handoff %d timed out", handoff.id)
        await self._to_topic(
            closed,
            lambda: [
                TextReply(
                    _(
                        "Closed after {hours} hours without an officer's message; the user is "
                        "back with the bot."
                    ).format(hours=hours)
                )
            ],
            f"handoff:{handoff.id}:closed",
        )
        if tell_user:
            await self._to_user(closed, ended_by_timeout, f"handoff:{handoff.id}:timeout")
        await self._close_topic(closed)

    async def expire_due(self) -> int:
        """Close every handoff officers left quiet for the timeout; how many."""
        now = self.clock.now()
        due = await self.store.quiet_before(now - self.config.timeout)
        for handoff in due:
            await self._time_out(handoff, now, tell_user=True)
        return len(due)

    def start(self) -> None:
        """Close timed-out handoffs in the background until :meth:`stop`."""
        if self._sweeper is None and self.available:
            self._sweeper = asyncio.create_task(self._sweep(), name="handoff-timeouts")

    async def stop(self) -> None:
        """Stop the background sweep."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    async def _sweep(self) -> None:
        while True:
            try:
                await self.expire_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("closing timed-out handoffs failed; trying again later")
            await asyncio.sleep(SWEEP_SECONDS)


async def _cleaned_files(turn: Turn) -> list[FileReply]:
    """The user's files through the intake (typed by content, EXIF and GPS stripped)."""
    from bot.intake import FileRefused

    files: list[FileReply] = []
    for attachment in turn.message.attachments:
        try:
            stored = await turn.intake.take(attachment)
        except FileRefused:
            log.info("a file sent to an officer was refused by the intake")
            continue
        data = await turn.intake.read(stored.sha256)
        files.append(FileReply(stored.filename, stored.mime_type, data))
    return files


# -- what is said ----------------------------------------------------------------------------


async def open_references(backend: RegistryBackend, owner: tuple[str, str]) -> list[str]:
    """The user's applications and complaints still being handled (empty when unreachable)."""
    try:
        applications = await backend.list_applications(owner)
        complaints = await backend.list_complaints(owner)
    except BackendError:
        log.info("registry unreachable while briefing an officer")
        return []
    return [
        *(c.complaint_id for c in complaints if c.status not in _CLOSED_COMPLAINTS),
        *(a.application_id for a in applications if a.status not in _CLOSED_APPLICATIONS),
    ]


def briefing(
    handoff: Handoff, references: Sequence[str], turns: Sequence[transcript.TranscriptTurn]
) -> list[Reply]:
    """The first message of a topic: who, in which language, about what, and what was said."""
    lines = [
        _("A user asks to talk to an officer ({channel}).").format(
            channel=channel_name(handoff.channel)
        ),
        _("Language: {language}").format(language=language_name(handoff.locale)),
        _("Open references: {references}").format(
            references=", ".join(references) if references else "\u2014"
        ),
    ]
    if turns:
        lines.append(_("Recent conversation:"))
        for turn in turns:
            lines.append(f"\U0001f464 {turn.user}")
            if turn.bot:
                lines.append(f"\U0001f916 {turn.bot}")
    lines.append(
        _(
            "Write in this topic to answer the user; they get your words in the chat. Send "
            "/close when you are done."
        )
    )
    return [TextReply("\n".join(lines))]


def end_button() -> Button:
    """Leave the officer and go back to the bot."""
    return Button(
        pgettext("button", "Back to the assistant"), END_PAYLOAD, pgettext("short", "Back to bot")
    )


def ended_by_officer() -> list[Reply]:
    """Told when the officer closed the conversation (in the user's language)."""
    return [
        TextReply(
            _(
                "The officer has ended the conversation. I am the assistant again: ask me "
                "anything, or type “menu”."
            ),
            (keyboards.menu_button(),),
        )
    ]


def ended_by_timeout() -> list[Reply]:
    """Told when no officer wrote for a day (in the user's language)."""
    return [
        TextReply(
            _(
                "No officer has answered for a while, so I am the assistant again. You can ask "
                "for an officer again at any time."
            ),
            (
                Button(pgettext("button", "Talk to an officer"), "i:human_agent"),
                keyboards.menu_button(),
            ),
        )
    ]


def install(services: dict[str, object], engine: AsyncEngine, clock: Clock) -> HandoffService:
    """Put the handoff service where the handlers find it (configured from the environment).

    Officers are reachable once a channel gives it ``deliver`` and the officers' ``desk``.
    """
    service = HandoffService(engine, HandoffConfig.from_env(), clock=clock)
    services[SERVICE] = service
    return service
