"""The one interface every messaging channel implements, and the server iterates.

A channel receives platform events (its webhook routes, or long polling) into the durable
inbox, turns each into the core's channel-neutral message, and sends replies. What it sends is
counted in platform messages, so a retry can continue after the last one that went out.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from aiohttp import web

from bot.messages import Reply

if TYPE_CHECKING:
    from bot.inbox import InboundEvent, TurnCommit
    from bot.runtime import BotRuntime
    from bot.settings import Settings


class Purpose(StrEnum):
    """Why a message is sent, which decides how a platform with send windows sends it."""

    REPLY = "reply"  # the answer to the user's own message (an inbox event)
    NOTICE = "notice"  # a message no turn asked for: a status change, a reminder, an apology
    HUMAN = "human"  # an officer's own reply to the user


class Sent(StrEnum):
    """How a message was (or was not yet) sent."""

    SENT = "sent"  # as a normal message
    UTILITY = "utility"  # Messenger: as a utility template message
    HUMAN_AGENT = "human_agent"  # Messenger: with the HUMAN_AGENT tag
    HELD = "held"  # not sent: to go out with the user's next message


class SendFailed(Exception):
    """Sending stopped after ``sent`` platform messages (of all, counting those skipped).

    ``retryable``: trying again later may work (network, 5xx, rate limit). ``reachable`` False:
    the user cannot be messaged at all (blocked the bot, deleted the chat); nothing will help.
    """

    def __init__(self, reason: str, *, sent: int, retryable: bool, reachable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sent = sent
        self.retryable = retryable
        self.reachable = reachable


SendProgress = Callable[[int], Awaitable[None]]
"""Awaited right before each platform message goes out, with how many will then be out in all
(counting those skipped). Raising stops the send: the exception propagates, nothing more is sent.
The inbox of several workers records each message as going out before it is sent."""


@dataclass(frozen=True, slots=True)
class SendResult:
    """What a send did: how, and how many platform messages are out in all."""

    how: Sent
    sent: int


class Channel(ABC):
    """A running messaging channel: receives events, processes them, sends messages."""

    name: ClassVar[str]
    # True when a message may have to wait for the user's next message (Messenger's window).
    holds_deliveries: ClassVar[bool] = False

    @abstractmethod
    async def start(self) -> None:
        """Connect to the platform and start processing (resuming unfinished events)."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop receiving and processing; unfinished events stay in the inbox."""

    @abstractmethod
    async def accept(self, body: Any) -> int:
        """Store the events of one platform delivery in the inbox; how many were new."""

    @abstractmethod
    async def handle_event(self, event: InboundEvent, commit: TurnCommit) -> Sequence[Reply] | None:
        """Process one stored event: the replies to send, or None when nothing is to be sent.

        A turn of the core gets ``commit`` as its commit hook, so the replies are stored with
        the dialogue state; replies returned without a turn are stored by the inbox.
        """

    @abstractmethod
    async def send(
        self,
        user_id: str,
        replies: Sequence[Reply],
        *,
        skip: int = 0,
        purpose: Purpose = Purpose.REPLY,
        progress: SendProgress | None = None,
    ) -> SendResult:
        """Send the replies' platform messages after the first ``skip``; raises SendFailed.

        ``progress`` is awaited before each platform message (see :data:`SendProgress`).
        """

    @abstractmethod
    async def wait_idle(self) -> None:
        """Wait until every accepted event has been processed (tests, shutdown)."""


class ChannelSetup(ABC):
    """How the server adds one configured channel: its routes now, the channel at start.

    Building the setup reads and checks the channel's configuration, so a mistake stops the
    server before it listens.
    """

    name: ClassVar[str]

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> ChannelSetup:
        """Read and check the channel's configuration (raises on a mistake)."""

    @abstractmethod
    def routes(self) -> Sequence[web.RouteDef]:
        """The HTTP routes the channel serves (webhooks)."""

    @abstractmethod
    def create(self, app: web.Application, runtime: BotRuntime) -> Channel:
        """The channel, built on the open runtime (not started yet)."""
