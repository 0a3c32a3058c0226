"""The fake Telegram Bot API and Graph API of the load benchmark, timing every reply.

They are the test suite's fakes (``tests/telegram/fake_bot_api.py``,
``tests/messenger/fake_graph_api.py``: real HTTP on loopback, the Graph API checking every
message against Meta's limits), extended to note when each reply arrived and for whom.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from benchmarks.load_mix import without_markers
from tests.messenger.fake_graph_api import FakeGraphApi
from tests.telegram.fake_bot_api import FakeBotApi

Json = dict[str, Any]


@dataclass
class Arrivals:
    """Replies by recipient, in arrival order: (monotonic time, signature of the reply)."""

    replies: defaultdict[str, list[tuple[float, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    api_calls: int = 0
    total: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def note(self, recipient: str, signature: str) -> None:
        """A reply arrived now (a user's invisible marker, echoed back, left out)."""
        self.replies[recipient].append((time.monotonic(), without_markers(signature)))
        self.total += 1
        self.changed.set()

    def count(self, recipient: str) -> int:
        """Replies that ``recipient`` got so far."""
        return len(self.replies.get(recipient, ()))


@dataclass
class TimedBotApi(FakeBotApi):
    """The fake Bot API, noting each sendMessage/sendDocument with its arrival time."""

    arrivals: Arrivals = field(default_factory=Arrivals)

    async def _api(self, request: web.Request) -> web.Response:
        self.arrivals.api_calls += 1
        return await super()._api(request)

    async def _sendMessage(self, params: Json) -> Json:
        markup = params.get("reply_markup")
        signature = f"{params.get('text', '')}|{json.dumps(markup, sort_keys=True)}"
        self.arrivals.note(str(params.get("chat_id")), signature)
        return await super()._sendMessage(params)

    async def _sendDocument(self, params: Json) -> Json:
        self.arrivals.note(str(params.get("chat_id")), f"document|{params.get('caption', '')}")
        return await super()._sendDocument(params)

    def forget_calls(self) -> None:
        """Drop the recorded calls (they are only counted during a run)."""
        self.calls.clear()


class TimedGraphApi(FakeGraphApi):
    """The fake Graph API, noting each accepted Send API message with its arrival time."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals = Arrivals()

    async def _messages(self, request: web.Request) -> web.Response:
        self.arrivals.api_calls += 1
        response = await super()._messages(request)
        call = self.calls[-1]  # no await since our call was recorded: it is the last one
        if call.rejected is None and call.message is not None and call.psid:
            signature = json.dumps(call.message, sort_keys=True, ensure_ascii=False)
            self.arrivals.note(call.psid, signature)
        return response

    def forget_calls(self) -> None:
        """Drop the recorded calls (they are only counted during a run)."""
        self.calls.clear()

    def rejected_count(self) -> int:
        """Messages Meta would have refused."""
        return len(self.rejected())
