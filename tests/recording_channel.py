"""A users' channel at the deliveries' edge that keeps what each user was sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from bot.channels.base import Channel, Purpose, SendResult, Sent
from bot.inbox import InboundEvent, TurnCommit
from bot.messages import Reply, TextReply


class ChatUsers(Channel):
    """The users' channel at the edge: keeps what each user was sent (like the collecting
    channel does for turns)."""

    name: ClassVar[str] = "test"

    def __init__(self) -> None:
        self.sent: dict[str, list[Reply]] = {}

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Nothing to release."""

    async def accept(self, body: Any) -> int:
        del body
        return 0

    async def handle_event(self, event: InboundEvent, commit: TurnCommit) -> None:
        del event, commit

    async def send(
        self,
        user_id: str,
        replies: Sequence[Reply],
        *,
        skip: int = 0,
        purpose: Purpose = Purpose.REPLY,
    ) -> SendResult:
        self.sent.setdefault(user_id, []).extend(replies[skip:])
        return SendResult(Sent.SENT, len(replies))

    async def wait_idle(self) -> None:
        """Nothing runs here."""

    def texts(self, user_id: str) -> list[str]:
        return [r.text for r in self.sent.get(user_id, []) if isinstance(r, TextReply)]
