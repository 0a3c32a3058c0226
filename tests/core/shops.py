"""Support for the shop-check tests: certified shops made in the test's own registry the way
officers certify them, cores on an HTTP registry (running or dead), and what a user reads."""

from __future__ import annotations

import itertools
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal

from backend_client import (
    CRITERIA,
    ApplicationDraft,
    BusinessCategory,
    Identifier,
    IdentifierKind,
    Owner,
)
from bot.core import ConversationCore
from bot.messages import CardReply, Reply, TextReply
from registry.embedded import EmbeddedBackend, EmbeddedOfficer, open_store
from tests.backend.support import screenshot

_phones = itertools.count(300)


@dataclass(frozen=True)
class Seller:
    """A shop to certify: its names, pages and payment accounts."""

    name: str
    name_km: str
    pages: tuple[str, ...]
    payments: tuple[str, ...] = ()


@asynccontextmanager
async def registry_of(database_url: str) -> AsyncIterator[tuple[EmbeddedBackend, EmbeddedOfficer]]:
    """The bot's and the officers' faces of the registry in ``database_url``."""
    store = await open_store(database_url)
    try:
        yield EmbeddedBackend(store), EmbeddedOfficer(store)
    finally:
        await store.close()


async def certify(database_url: str, sellers: Sequence[Seller]) -> dict[str, str]:
    """Apply, submit and approve each seller; their certificate ids by name."""
    issued: dict[str, str] = {}
    async with registry_of(database_url) as (bot, officer):
        for seller in sellers:
            owner = Owner("test", f"seller-{seller.name}")
            draft = ApplicationDraft(
                business_name=seller.name,
                business_name_km=seller.name_km,
                category=BusinessCategory.SOLE_PROPRIETORSHIP,
                address="#12, St. 271, Phnom Penh",
                phone=f"096 555 {next(_phones):04d}",
                email="owner@example.com",
                activity_type="online retail",
                identifiers=seller.pages,
                code_of_conduct_declared=True,
                answers={f"criterion_{n}": "https://shop.example/policy" for n in CRITERIA[1:]},
            )
            application = await bot.create_application(owner, draft, fee_quoted=Decimal("100"))
            await bot.attach_evidence(owner, application.application_id, screenshot(1))
            await bot.submit_application(owner, application.application_id)
            approved = await officer.approve_application(application.application_id, officer="dara")
            assert approved.certificate_id is not None
            if seller.payments:
                await officer.add_identifiers(
                    approved.certificate_id,
                    [Identifier(IdentifierKind.PAYMENT, p, p) for p in seller.payments],
                    officer="dara",
                )
            issued[seller.name] = approved.certificate_id
    return issued


def seen(replies: list[Reply]) -> str:
    """Everything the user reads in these replies."""
    parts: list[str] = []
    for reply in replies:
        if isinstance(reply, CardReply):
            parts += [reply.title, reply.subtitle]
        elif isinstance(reply, TextReply):
            parts.append(reply.text)
    return "\n".join(parts)


def without(replies: list[Reply], *data: str) -> list[Reply]:
    """The replies with the user's own words taken out (an echoed name is not a language mix)."""
    cleaned: list[Reply] = []
    for reply in replies:
        if isinstance(reply, TextReply):
            text = reply.text
            for item in data:
                text = text.replace(item, "")
            cleaned.append(TextReply(text, reply.buttons))
        else:
            cleaned.append(reply)
    return cleaned


def dead_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


CoreOn = Callable[[str], Awaitable[ConversationCore]]
"""Makes a core whose registry is the HTTP server at a URL (fixture ``core_on``)."""
