"""Updates from the officers' forum supergroup, as Telegram sends them to the bot (an admin)."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.telegram.conftest import next_update_id

Json = dict[str, Any]
OFFICERS_CHAT = -1001987654321
OFFICER = {"id": 555000111, "is_bot": False, "first_name": "Dara", "language_code": "km"}
_message_ids = itertools.count(90_000)


def _chat() -> Json:
    return {"id": OFFICERS_CHAT, "type": "supergroup", "title": "CETS officers", "is_forum": True}


def officer_says(thread_id: int, text: str, officer: Json = OFFICER) -> Json:
    """An officer's message in a topic (a command carries its bot_command entity)."""
    message: Json = {
        "message_id": next(_message_ids),
        "from": officer,
        "chat": _chat(),
        "date": int(time.time()),
        "message_thread_id": thread_id,
        "is_topic_message": True,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": next_update_id(), "message": message}


def topic_closed(thread_id: int, officer: Json = OFFICER) -> Json:
    """The service message Telegram posts when someone closes a topic."""
    return {
        "update_id": next_update_id(),
        "message": {
            "message_id": next(_message_ids),
            "from": officer,
            "chat": _chat(),
            "date": int(time.time()),
            "message_thread_id": thread_id,
            "is_topic_message": True,
            "forum_topic_closed": {},
        },
    }


def in_general_topic(text: str, officer: Json = OFFICER) -> Json:
    """An officer's message outside any topic (the group's general chat)."""
    return {
        "update_id": next_update_id(),
        "message": {
            "message_id": next(_message_ids),
            "from": officer,
            "chat": _chat(),
            "date": int(time.time()),
            "text": text,
        },
    }
