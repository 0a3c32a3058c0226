"""Driving the real bot over HTTP with replayed, signed Messenger deliveries."""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channels.messenger.channel import MESSENGER_KEY, MessengerChannel
from bot.dialogue.models import InboundEventRecord
from bot.runtime import BotRuntime
from bot.server import RUNTIME_KEY
from tests.messenger.fake_graph_api import FakeGraphApi
from tests.messenger.seen import choices

Json = dict[str, Any]
PAYLOADS = Path(__file__).resolve().parent / "payloads"
APP_SECRET = "test-app-secret-0123456789abcdef"
VERIFY_TOKEN = "test-verify-token-cets"
PAGE_ID = "104296827616214"
_mids = itertools.count(1)


def load_payload(name: str, cdn: str = "") -> Json:
    """A replayed delivery from ``payloads/<name>.json`` (``__CDN__`` set to the fake's CDN)."""
    text = (PAYLOADS / f"{name}.json").read_text(encoding="utf-8")
    loaded: Json = json.loads(text.replace("__CDN__", cdn))
    return loaded


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    """The X-Hub-Signature-256 header Meta would send."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def first_event(delivery: Json) -> Json:
    """The first messaging event of a delivery."""
    event: Json = delivery["entry"][0]["messaging"][0]
    return event


def single_event_delivery(template: str, psid: str, **changes: Any) -> Json:
    """A one-event delivery made from a replayed payload, for user ``psid``, with a new mid."""
    delivery = load_payload(template)
    event = first_event(delivery)
    event["sender"]["id"] = psid
    if "message" in event:
        event["message"]["mid"] = f"m_test-{next(_mids)}"
        event["message"].update(changes)
    if "postback" in event:
        event["postback"]["mid"] = f"m_test-{next(_mids)}"
        event["postback"].update(changes)
    return delivery


@dataclass
class MessengerBot:
    """The real bot app on loopback, its fake Graph API, and a way to talk to it."""

    app: web.Application
    base_url: str
    graph: FakeGraphApi
    session: aiohttp.ClientSession
    runner: web.AppRunner
    stopped: bool = False

    async def stop(self) -> None:
        """Stop the bot as a shutdown would (unfinished events stay in the inbox)."""
        if not self.stopped:
            self.stopped = True
            await self.runner.cleanup()

    @property
    def channel(self) -> MessengerChannel:
        """The running Messenger channel."""
        return self.app[MESSENGER_KEY]

    @property
    def runtime(self) -> BotRuntime:
        """The bot's runtime (database, core)."""
        return self.app[RUNTIME_KEY]

    async def post(self, body: bytes, headers: dict[str, str]) -> aiohttp.ClientResponse:
        """POST raw bytes to the webhook."""
        async with self.session.post(
            f"{self.base_url}/messenger/webhook", data=body, headers=headers
        ) as response:
            await response.read()
            return response

    async def deliver(self, delivery: Json | bytes, *, signed: bool = True) -> int:
        """POST a delivery as Meta does (signed unless told otherwise); the HTTP status."""
        body = delivery if isinstance(delivery, bytes) else json.dumps(delivery).encode()
        headers = {"Content-Type": "application/json"}
        if signed:
            headers["X-Hub-Signature-256"] = sign(body)
        response = await self.post(body, headers)
        return response.status

    async def settle(self) -> None:
        """Wait until every accepted event has been answered."""
        await self.channel.worker.wait_idle()

    async def exchange(self, delivery: Json, psid: str) -> list[Json]:
        """Deliver, wait for the answers, and return the messages ``psid`` got for it."""
        before = len(self.graph.messages(psid))
        status = await self.deliver(delivery)
        assert status == 200
        await self.settle()
        refused = [c.rejected for c in self.graph.rejected() if c.path == "me/messages"]
        assert not refused, refused
        return self.graph.messages(psid)[before:]

    async def say(self, psid: str, text: str) -> list[Json]:
        """The user types ``text``."""
        return await self.exchange(single_event_delivery("text_message", psid, text=text), psid)

    async def tap(self, psid: str, title: str, payload: str) -> list[Json]:
        """The user taps a quick reply (Messenger sends its title as text, with the payload)."""
        delivery = single_event_delivery(
            "quick_reply", psid, text=title, quick_reply={"payload": payload}
        )
        return await self.exchange(delivery, psid)

    async def postback(self, psid: str, payload: str, title: str = "") -> list[Json]:
        """The user taps a template button or a persistent menu item."""
        delivery = single_event_delivery("postback", psid, payload=payload, title=title)
        return await self.exchange(delivery, psid)

    async def press(self, psid: str, messages: list[Json], title: str) -> list[Json]:
        """Tap the choice titled ``title`` among ``messages`` the way Messenger sends it."""
        for message in messages:
            for quick_reply in message.get("quick_replies", []):
                if quick_reply["title"] == title:
                    return await self.tap(psid, title, quick_reply["payload"])
        for found_title, payload in choices(messages):
            if found_title == title:
                return await self.postback(psid, payload, title)
        raise LookupError(f"no choice {title!r} among {choices(messages)}")

    async def choose(self, psid: str, messages: list[Json], payload: str) -> list[Json]:
        """Tap the choice that sends ``payload`` (a quick reply or a template button)."""
        for message in messages:
            for quick_reply in message.get("quick_replies", []):
                if quick_reply["payload"] == payload:
                    return await self.tap(psid, quick_reply["title"], payload)
        for title, found in choices(messages):
            if found == payload:
                return await self.postback(psid, payload, title)
        raise LookupError(f"no choice sends {payload!r} among {choices(messages)}")

    async def stored_events(self) -> list[InboundEventRecord]:
        """The Messenger events in the durable inbox."""
        sessions = async_sessionmaker(self.runtime.engine, expire_on_commit=False)
        async with sessions() as session:
            rows = await session.scalars(
                select(InboundEventRecord)
                .where(InboundEventRecord.channel == "messenger")
                .order_by(InboundEventRecord.id)
            )
            return list(rows)


def copy_delivery(delivery: Json) -> Json:
    """A deep copy (deliveries are edited in place by tests)."""
    return copy.deepcopy(delivery)
