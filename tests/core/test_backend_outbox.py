"""A complaint submitted while the registry is down is kept, filed once when it is back, and
its reference delivered to the user."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from backend_client import ComplaintCategory, ComplaintDraft, Owner
from backend_client.http_client import HttpRegistryBackend
from backend_client.transport import RetryPolicy
from bot.backend_outbox import OPERATIONS, BackendOutbox, Operation, OperationContext
from bot.clock import ManualClock
from bot.database import open_engine, prepare_database
from bot.messages import Reply, TextReply
from tests.backend.support import BOT_TOKEN, start_reference_server


async def _file(op: OperationContext) -> dict[str, Any]:
    complaint = await op.backend.file_complaint(
        op.owner,
        ComplaintDraft(
            shop_reference=str(op.payload["shop"]),
            category=ComplaintCategory(op.payload["category"]),
            description=str(op.payload["what"]),
        ),
        idempotency_key=op.key,
    )
    return {"reference": complaint.complaint_id}


def _notify(result: dict[str, Any], payload: dict[str, Any]) -> Sequence[Reply]:
    return [TextReply(f"Your complaint was filed: {result['reference']}")]


OPERATIONS.register(Operation(kind="test.complaint", perform=_file, notify=_notify))


class RecordingDeliveries:
    """Stands where the deliveries are: keeps what would be sent, once per dedupe key."""

    def __init__(self) -> None:
        self.sent: dict[str, tuple[str, str, list[Reply]]] = {}

    async def __call__(
        self,
        channel: str,
        user_id: str,
        compose: Callable[[], Sequence[Reply]],
        *,
        dedupe_key: str | None = None,
    ) -> None:
        key = dedupe_key or str(len(self.sent))
        self.sent.setdefault(key, (channel, user_id, list(compose())))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_complaint_filed_during_an_outage_is_kept_and_delivered(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cets.sqlite3'}"
    await prepare_database(url)
    engine = open_engine(url)
    port = _free_port()
    backend = HttpRegistryBackend(
        f"http://127.0.0.1:{port}",
        BOT_TOKEN,
        retry=RetryPolicy(attempts=2, first_delay=0.05, max_delay=0.1),
    )
    deliveries = RecordingDeliveries()
    clock = ManualClock()
    outbox = BackendOutbox(engine, backend, intake=None, deliver=deliveries, clock=clock)  # type: ignore[arg-type]
    owner = Owner("telegram", "5550001")
    payload = {"shop": "facebook.com/scam.shop.kh", "category": "non_delivery", "what": "Paid $20"}
    server = None
    try:
        assert (
            await outbox.perform_or_queue(
                "test.complaint", owner, payload, idempotency_key="flow-1"
            )
            is None
        )
        assert await outbox.depth() == 1
        # The same submission again (a double tap, a re-run turn): still one operation.
        assert (
            await outbox.perform_or_queue(
                "test.complaint", owner, payload, idempotency_key="flow-1"
            )
            is None
        )
        assert await outbox.depth() == 1
        assert await outbox.run_due() == 0  # not due yet: it backs off
        server = await asyncio.to_thread(start_reference_server, url, port)
        clock.advance(timedelta(minutes=1))
        assert await outbox.run_due() == 1
        assert await outbox.depth() == 0
        complaints = await backend.list_complaints(owner)
        assert len(complaints) == 1
        ((channel, user_id, replies),) = deliveries.sent.values()
        assert (channel, user_id) == ("telegram", "5550001")
        assert complaints[0].complaint_id in replies[0].text  # type: ignore[union-attr]
        # Once filed, the same key answers with the first result and files nothing more.
        again = await outbox.perform_or_queue(
            "test.complaint", owner, payload, idempotency_key="flow-1"
        )
        assert again == {"reference": complaints[0].complaint_id}
        assert len(await backend.list_complaints(owner)) == 1
        assert await outbox.run_due() == 0
        assert len(deliveries.sent) == 1
    finally:
        await backend.close()
        if server is not None:
            server.stop()
        await engine.dispose()
