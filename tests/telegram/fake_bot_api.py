"""A fake Telegram Bot API on loopback that records every call, for starting the bot for real.

It speaks the Bot API's HTTP form: ``POST /bot<token>/<method>`` with form or multipart
parameters (python-telegram-bot sends nested objects as JSON strings), answering
``{"ok": true, "result": ...}``, and ``GET /file/bot<token>/<file_path>`` for downloads.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_TOKEN = "123456789:TEST-fake-token_for-the-cets-bot"
BOT_USER = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "CETS",
    "username": "cets_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}

Json = dict[str, Any]


@dataclass
class ApiCall:
    """One recorded Bot API request: the method, its decoded parameters and what it got."""

    method: str
    params: Json
    result: Any = None
    rejected: bool = False

    def keyboard(self) -> list[list[Json]]:
        """The inline keyboard rows sent with this call (empty without one)."""
        markup = self.params.get("reply_markup") or {}
        rows: list[list[Json]] = markup.get("inline_keyboard", [])
        return rows

    def buttons(self) -> list[Json]:
        """Every inline keyboard button sent with this call, row by row."""
        return [button for row in self.keyboard() for button in row]


@dataclass
class FakeFile:
    """A file the fake serves through getFile and the file URL."""

    file_id: str
    data: bytes
    file_path: str
    too_big: bool = False


def _decode(value: str) -> Any:
    """Parameters arrive as strings; nested objects and lists as JSON."""
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


@dataclass
class FakeBotApi:
    """The fake server's state: recorded calls, queued updates, files, planned failures."""

    token: str = BOT_TOKEN
    calls: list[ApiCall] = field(default_factory=list)
    files: dict[str, FakeFile] = field(default_factory=dict)
    file_downloads: list[str] = field(default_factory=list)
    topics: dict[int, str] = field(default_factory=dict)
    _updates: list[Json] = field(default_factory=list)
    _confirmed: int = 0
    _last_queued: int = 0
    _failures: dict[str, int] = field(default_factory=dict)
    _outages: dict[str, int] = field(default_factory=dict)
    _later_outages: dict[str, list[int]] = field(default_factory=dict)
    _delays: dict[str, float] = field(default_factory=dict)
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    _changed: asyncio.Condition | None = None
    _closing: asyncio.Event | None = None
    _runner: web.AppRunner | None = None
    base_url: str = ""
    base_file_url: str = ""

    # --- running -------------------------------------------------------------------------

    async def start(self) -> None:
        """Serve on a free port of 127.0.0.1."""
        self._changed = asyncio.Condition()
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}/bot"
        self.base_file_url = f"http://{host}:{port}/file/bot"

    async def stop(self) -> None:
        """Release long polls and stop serving."""
        assert self._closing is not None and self._runner is not None
        self._closing.set()
        await self._notify()
        await self._runner.cleanup()

    # --- what tests feed in --------------------------------------------------------------

    async def queue_updates(self, *updates: Json) -> None:
        """Make updates available to getUpdates (in this order)."""
        self._updates.extend(updates)
        self._last_queued = max([self._last_queued, *(u["update_id"] for u in updates)])
        await self._notify()

    def add_file(self, file_id: str, data: bytes, file_path: str, *, too_big: bool = False) -> None:
        """Serve a file: getFile answers with its path, the file URL with its bytes."""
        self.files[file_id] = FakeFile(file_id, data, file_path, too_big)

    def forget_confirmations(self) -> None:
        """Act as if no getUpdates offset was confirmed (the bot stopped before confirming)."""
        self._confirmed = 0
        self._last_queued = 0

    def break_next(self, method: str, *, status: int = 502) -> None:
        """Answer the next call of ``method`` with a server error (Telegram having trouble)."""
        self._outages[method] = status

    def break_call(self, method: str, *, after: int, status: int = 500) -> None:
        """Let ``after`` calls of ``method`` through, then answer the next with ``status``."""
        self._later_outages[method] = [after, status]

    def delay(self, method: str, seconds: float) -> None:
        """Answer every call of ``method`` only after ``seconds`` (a slow Bot API)."""
        self._delays[method] = seconds

    def fail_next(self, method: str, *, retry_after: int = 1) -> None:
        """Answer the next call of ``method`` with 429 Too Many Requests."""
        self._failures[method] = retry_after

    # --- what tests read -----------------------------------------------------------------

    def of(self, method: str) -> list[ApiCall]:
        """The recorded calls of one method that were answered, in order."""
        return [call for call in self.calls if call.method == method and not call.rejected]

    def sent_to(self, chat_id: int) -> list[ApiCall]:
        """Answered sendMessage and sendDocument calls to one chat, in order."""
        return [
            call
            for call in self.calls
            if call.method in {"sendMessage", "sendDocument"}
            and not call.rejected
            and str(call.params.get("chat_id")) == str(chat_id)
        ]

    def texts_to(self, chat_id: int) -> list[str]:
        """The texts of the messages sent to one chat, in order."""
        return [call.params.get("text", "") for call in self.sent_to(chat_id)]

    def topic_calls(self, chat_id: int, thread_id: int) -> list[ApiCall]:
        """Answered sendMessage and sendDocument calls into one forum topic, in order."""
        return [
            call
            for call in self.sent_to(chat_id)
            if str(call.params.get("message_thread_id")) == str(thread_id)
        ]

    def topic_texts(self, chat_id: int, thread_id: int) -> list[str]:
        """The texts (or captions) posted into one forum topic, in order."""
        return [
            str(call.params.get("text") or call.params.get("caption") or "")
            for call in self.topic_calls(chat_id, thread_id)
        ]

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        """Wait until ``condition()`` holds after some call (the caller bounds the time)."""
        assert self._changed is not None
        async with self._changed:
            await self._changed.wait_for(condition)

    async def wait_confirmed(self) -> None:
        """Wait until the bot has asked getUpdates past every queued update (it stored them)."""
        await self.wait_until(lambda: self._confirmed > self._last_queued)

    # --- the server ----------------------------------------------------------------------

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        form = await request.post()
        params: Json = {}
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = _decode(value)
            elif isinstance(value, bytes | bytearray):
                params[key] = bytes(value)
            else:  # an uploaded file (multipart)
                params[key] = value.file.read()
        call = ApiCall(method, params)
        if method != "getUpdates":
            self.calls.append(call)
        if method in self._delays:
            await self._notify()  # a held call is seen at once (e.g. "a reply is on its way")
            await asyncio.sleep(self._delays[method])
        status = self._outages.pop(method, None)
        later = self._later_outages.get(method)
        if status is None and later is not None:
            if later[0] == 0:
                status = later[1]
                del self._later_outages[method]
            else:
                later[0] -= 1
        if status is not None:
            call.rejected = True
            await self._notify()
            description = {500: "Internal Server Error"}.get(status, "Bad Gateway")
            return web.json_response(
                {"ok": False, "error_code": status, "description": description}, status=status
            )
        retry_after = self._failures.pop(method, None)
        if retry_after is not None:
            call.rejected = True
            await self._notify()
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                },
                status=429,
            )
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            result: Any = True
        else:
            result = await handler(params)
        call.result = result
        await self._notify()
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for item in self.files.values():
            if item.file_path == path:
                self.file_downloads.append(path)
                return web.Response(body=item.data)
        return web.Response(status=404)

    # --- Bot API methods (others answer true) --------------------------------------------

    async def _getMe(self, params: Json) -> Json:
        return BOT_USER

    async def _getUpdates(self, params: Json) -> Any:
        assert self._changed is not None and self._closing is not None
        offset = int(params.get("offset") or 0)
        self._confirmed = max(self._confirmed, offset)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self.calls.append(ApiCall("getUpdates", params))
        await self._notify()
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not self._updates and not self._closing.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    break
        return list(self._updates)

    async def _getFile(self, params: Json) -> Any:
        item = self.files.get(str(params.get("file_id")))
        if item is None:
            return self._bad_request("Bad Request: invalid file_id")
        if item.too_big:
            return self._bad_request("Bad Request: file is too big")
        return {
            "file_id": item.file_id,
            "file_unique_id": f"unique-{item.file_id}",
            "file_size": len(item.data),
            "file_path": item.file_path,
        }

    async def _sendMessage(self, params: Json) -> Json:
        return self._message(params, **self._text_content(params))

    async def _sendDocument(self, params: Json) -> Json:
        return self._message(
            params,
            document={"file_id": "sent-document", "file_unique_id": "sent-document-u"},
        )

    async def _createForumTopic(self, params: Json) -> Json:
        thread_id = next(self._message_ids)
        self.topics[thread_id] = str(params.get("name", ""))
        return {
            "message_thread_id": thread_id,
            "name": self.topics[thread_id],
            "icon_color": 7322096,
        }

    async def _editMessageText(self, params: Json) -> Json:
        message = self._message(params, **self._text_content(params))
        message["message_id"] = int(params.get("message_id", 0))
        return message

    @staticmethod
    def _text_content(params: Json) -> Json:
        """The message as Telegram returns it: HTML markup parsed away, keyboard kept."""
        text = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML":
            text = html.unescape(re.sub(r"<[^>]+>", "", text))
        content: Json = {"text": text}
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            # Telegram returns only an inline keyboard with the message (a reply keyboard, such
            # as "share my phone number", belongs to the chat, not the message).
            content["reply_markup"] = markup
        return content

    def _message(self, params: Json, **content: Any) -> Json:
        chat_id = int(params.get("chat_id", 0))
        message: Json = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            **content,
        }
        if chat_id < 0:  # a group: the officers' forum supergroup
            message["chat"] = {
                "id": chat_id,
                "type": "supergroup",
                "title": "Officers",
                "is_forum": True,
            }
        if params.get("message_thread_id"):
            message["message_thread_id"] = int(params["message_thread_id"])
            message["is_topic_message"] = True
        return message

    @staticmethod
    def _bad_request(description: str) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 400, "description": description}, status=400
        )
