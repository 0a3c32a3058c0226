"""A fake Graph API on loopback: records every call and checks it as strictly as Meta does.

It serves ``/<version>/me/messages`` (Send API, JSON or multipart upload),
``/<version>/me/messenger_profile``, ``/<version>/<PSID>?fields=locale`` (user profile) and
``/cdn/<name>`` (attachment downloads, which can be made to expire). A call that breaks a
platform limit (13 quick replies, 20-character titles, 2000-character texts, template limits)
is answered with Meta's error 100 and recorded as rejected. Errors and rate limits can be
queued for the next calls.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

VERSION = "v26.0"
PAGE_TOKEN = "test-page-token-not-real-EAAB"
# Retired on 27 April 2026: Meta answers error 100 to a send with one of these tags.
RETIRED_TAGS = frozenset({"ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"})
ALLOWED_TAGS = frozenset({"HUMAN_AGENT", "CUSTOMER_FEEDBACK"})


def utf16_length(text: str) -> int:
    """Characters as Messenger counts them."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class GraphCall:
    """One request the bot made to the fake."""

    method: str
    path: str
    authorization: str | None
    body: dict[str, Any]
    query: dict[str, str] = field(default_factory=dict)
    upload: tuple[str, str, bytes] | None = None
    rejected: str | None = None

    @property
    def psid(self) -> str | None:
        """The recipient of a Send API call."""
        recipient = self.body.get("recipient")
        return recipient.get("id") if isinstance(recipient, dict) else None

    @property
    def message(self) -> dict[str, Any] | None:
        """The ``message`` object of a Send API call."""
        message = self.body.get("message")
        return message if isinstance(message, dict) else None


@dataclass
class QueuedFailure:
    """A failure to return for the next matching call."""

    path: str
    status: int
    code: int | None
    retry_after: str | None


class ContractViolation(ValueError):
    """The bot sent something Meta would refuse."""


def _check_title(title: object, limit: int, what: str) -> None:
    if not isinstance(title, str) or not title.strip():
        raise ContractViolation(f"{what} title is required")
    if utf16_length(title) > limit:
        raise ContractViolation(f"{what} title {title!r} is longer than {limit} characters")


def _check_buttons(buttons: object, limit: int) -> None:
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= limit:
        raise ContractViolation(f"templates take 1 to {limit} buttons")
    for button in buttons:
        if button.get("type") != "postback" or not button.get("payload"):
            raise ContractViolation("only postback buttons with a payload are expected")
        if len(button["payload"]) > 1000:
            raise ContractViolation("button payload longer than 1000 characters")
        _check_title(button.get("title"), 20, "button")


def check_utility(message: dict[str, Any]) -> None:
    """Raise :class:`ContractViolation` for a utility message Meta would refuse."""
    template = message.get("template")
    if not isinstance(template, dict) or set(message) != {"template"}:
        raise ContractViolation("a utility message is message.template only")
    if not isinstance(template.get("name"), str) or not template["name"]:
        raise ContractViolation("template.name is required")
    language = template.get("language")
    if not isinstance(language, dict) or not isinstance(language.get("code"), str):
        raise ContractViolation("template.language.code is required")
    components = template.get("components")
    if not isinstance(components, list):
        raise ContractViolation("template.components is a list")
    for component in components:
        for parameter in component.get("parameters", []):
            if parameter.get("type") == "text" and not str(parameter.get("text", "")).strip():
                raise ContractViolation("a text parameter needs text")


def check_message(message: dict[str, Any]) -> None:
    """Raise :class:`ContractViolation` for a Send API message Meta would refuse."""
    if "text" in message:
        text = message["text"]
        if not isinstance(text, str) or not text.strip():
            raise ContractViolation("text must not be empty")
        if utf16_length(text) > 2000:
            raise ContractViolation("text longer than 2000 characters")
    elif "attachment" not in message:
        raise ContractViolation("a message needs text or an attachment")
    quick_replies = message.get("quick_replies")
    if quick_replies is not None:
        if not isinstance(quick_replies, list) or not 1 <= len(quick_replies) <= 13:
            raise ContractViolation("1 to 13 quick replies")
        for quick_reply in quick_replies:
            _check_title(quick_reply.get("title"), 20, "quick reply")
            payload = quick_reply.get("payload")
            if not isinstance(payload, str) or not payload or len(payload) > 1000:
                raise ContractViolation("quick reply payload must be 1-1000 characters")
    attachment = message.get("attachment")
    if attachment is None or attachment.get("type") != "template":
        return
    payload = attachment["payload"]
    if payload["template_type"] == "button":
        text = payload.get("text")
        if not isinstance(text, str) or not text.strip() or utf16_length(text) > 640:
            raise ContractViolation("button template text must be 1-640 characters")
        _check_buttons(payload.get("buttons"), 3)
    elif payload["template_type"] == "generic":
        elements = payload.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
            raise ContractViolation("generic template takes 1-10 elements")
        for element in elements:
            _check_title(element.get("title"), 80, "element")
            subtitle = element.get("subtitle", "")
            if utf16_length(subtitle) > 80:
                raise ContractViolation("element subtitle longer than 80 characters")
            if "buttons" in element:
                _check_buttons(element["buttons"], 3)
    else:
        raise ContractViolation(f"unexpected template {payload['template_type']}")


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "fbtrace_id": "FakeTrace",
            }
        },
        status=status,
    )


class FakeGraphApi:
    """The fake Graph API server and what it recorded."""

    def __init__(self, page_token: str = PAGE_TOKEN) -> None:
        self.page_token = page_token
        self.calls: list[GraphCall] = []
        self.downloads: list[str] = []
        self.profile_locales: dict[str, str] = {}
        self._files: dict[str, tuple[bytes, str]] = {}
        self._expired: set[str] = set()
        self._failures: list[QueuedFailure] = []
        self._closed_windows: set[str] = set()
        self._runner: web.AppRunner | None = None
        self.origin = ""

    # -- server ----------------------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(f"/{VERSION}/me/messages", self._messages)
        app.router.add_post(f"/{VERSION}/me/messenger_profile", self._messenger_profile)
        app.router.add_get(f"/{VERSION}/{{psid}}", self._user_profile)
        app.router.add_get("/cdn/{name}", self._download)
        return app

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._runner = web.AppRunner(self._app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.origin = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        """What MESSENGER_GRAPH_API_URL should be."""
        return f"{self.origin}/{VERSION}"

    # -- test controls -----------------------------------------------------------------------

    def add_file(self, name: str, data: bytes, content_type: str) -> str:
        """Serve a file as the CDN would; returns its URL."""
        self._files[name] = (data, content_type)
        return f"{self.origin}/cdn/{name}"

    def close_window(self, psid: str) -> None:
        """Refuse RESPONSE and UPDATE messages to ``psid``: their 24 hours are over."""
        self._closed_windows.add(psid)

    def expire(self, name: str) -> None:
        """Make a served file's URL expire (403 from then on)."""
        self._expired.add(name)

    def fail_next(
        self,
        *,
        status: int,
        code: int | None = None,
        path: str = "me/messages",
        times: int = 1,
        retry_after: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls to ``path`` with this error."""
        for _ in range(times):
            self._failures.append(QueuedFailure(path, status, code, retry_after))

    # -- queries ---------------------------------------------------------------------------

    def send_calls(self, psid: str | None = None) -> list[GraphCall]:
        """Accepted Send API calls, to one user or to all."""
        return [
            call
            for call in self.calls
            if call.path == "me/messages"
            and call.rejected is None
            and (psid is None or call.psid == psid)
        ]

    def messages(self, psid: str | None = None) -> list[dict[str, Any]]:
        """The message objects the users received, in order (uploads included)."""
        return [call.message for call in self.send_calls(psid) if call.message is not None]

    def sender_actions(self, psid: str | None = None) -> list[str]:
        """Typing indicators and other sender actions sent."""
        return [
            str(call.body["sender_action"])
            for call in self.send_calls(psid)
            if "sender_action" in call.body
        ]

    def rejected(self) -> list[GraphCall]:
        """Calls Meta would have refused."""
        return [call for call in self.calls if call.rejected is not None]

    def profile_calls(self) -> list[GraphCall]:
        """Calls to the Messenger Profile API."""
        return [call for call in self.calls if call.path == "me/messenger_profile"]

    def user_profile_calls(self) -> list[GraphCall]:
        """User profile lookups (the locale)."""
        return [call for call in self.calls if call.path.startswith("user/")]

    # -- handlers --------------------------------------------------------------------------

    def _take_failure(self, path: str) -> web.Response | None:
        for index, failure in enumerate(self._failures):
            if failure.path == path:
                del self._failures[index]
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else None
                body: dict[str, Any] = {
                    "error": {
                        "message": "Calls to this api have exceeded the rate limit.",
                        "type": "OAuthException",
                        "code": failure.code if failure.code is not None else 1,
                        "fbtrace_id": "FakeTrace",
                    }
                }
                return web.json_response(body, status=failure.status, headers=headers)
        return None

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.page_token}"

    async def _messages(self, request: web.Request) -> web.Response:
        upload: tuple[str, str, bytes] | None = None
        if request.content_type.startswith("multipart/"):
            body: dict[str, Any] = {}
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                    continue
                if part.name == "filedata":
                    data = await part.read()
                    upload = (
                        part.filename or "",
                        part.headers.get("Content-Type", ""),
                        bytes(data),
                    )
                else:
                    text = await part.text()
                    try:
                        body[part.name] = json.loads(text)
                    except ValueError:
                        body[part.name] = text
        else:
            body = await request.json()
        call = GraphCall(
            "POST", "me/messages", request.headers.get("Authorization"), body, upload=upload
        )
        self.calls.append(call)
        failure = self._take_failure("me/messages")
        if failure is not None:
            call.rejected = "queued failure"
            return failure
        if not self._authorised(request):
            call.rejected = "bad token"
            return _error(401, 190, "Invalid OAuth access token.")
        try:
            if not call.psid:
                raise ContractViolation("recipient.id is required")
            if "sender_action" in body:
                if "message" in body:
                    raise ContractViolation("sender_action and message are exclusive")
                return web.json_response({"recipient_id": call.psid})
            messaging_type = body.get("messaging_type")
            if messaging_type not in {"RESPONSE", "UPDATE", "MESSAGE_TAG", "UTILITY"}:
                raise ContractViolation("messaging_type is required")
            if (messaging_type == "MESSAGE_TAG") != ("tag" in body):
                raise ContractViolation("a tag goes with messaging_type MESSAGE_TAG only")
            if body.get("tag") in RETIRED_TAGS:
                raise ContractViolation(f"the {body['tag']} tag is no longer supported")
            if "tag" in body and body["tag"] not in ALLOWED_TAGS:
                raise ContractViolation(f"unknown tag {body['tag']}")
            if messaging_type in {"RESPONSE", "UPDATE"} and call.psid in self._closed_windows:
                call.rejected = "outside the window"
                return web.json_response(
                    {
                        "error": {
                            "message": "(#10) This message is sent outside of allowed window.",
                            "type": "OAuthException",
                            "code": 10,
                            "error_subcode": 2018278,
                            "fbtrace_id": "FakeTrace",
                        }
                    },
                    status=400,
                )
            message = call.message
            if message is None:
                raise ContractViolation("message is required")
            if messaging_type == "UTILITY":
                check_utility(message)
            elif upload is not None:
                if message.get("attachment", {}).get("payload", {}).get("is_reusable") is None:
                    raise ContractViolation("an upload declares is_reusable")
            else:
                check_message(message)
        except ContractViolation as exc:
            call.rejected = str(exc)
            return _error(400, 100, f"(#100) {exc}")
        return web.json_response(
            {"recipient_id": call.psid, "message_id": f"m_fake_{len(self.calls)}"}
        )

    async def _messenger_profile(self, request: web.Request) -> web.Response:
        body = await request.json()
        call = GraphCall("POST", "me/messenger_profile", request.headers.get("Authorization"), body)
        self.calls.append(call)
        failure = self._take_failure("me/messenger_profile")
        if failure is not None:
            call.rejected = "queued failure"
            return failure
        if not self._authorised(request):
            call.rejected = "bad token"
            return _error(401, 190, "Invalid OAuth access token.")
        try:
            for greeting in body.get("greeting", []):
                if utf16_length(greeting["text"]) > 160:
                    raise ContractViolation("greeting longer than 160 characters")
            for menu in body.get("persistent_menu", []):
                actions = menu["call_to_actions"]
                if not 1 <= len(actions) <= 20:
                    raise ContractViolation("1-20 persistent menu items")
                for action in actions:
                    _check_title(action.get("title"), 30, "menu item")
        except ContractViolation as exc:
            call.rejected = str(exc)
            return _error(400, 100, f"(#100) {exc}")
        return web.json_response({"result": "success"})

    async def _user_profile(self, request: web.Request) -> web.Response:
        psid = request.match_info["psid"]
        call = GraphCall(
            "GET",
            f"user/{psid}",
            request.headers.get("Authorization"),
            {},
            query=dict(request.query),
        )
        self.calls.append(call)
        if not self._authorised(request):
            call.rejected = "bad token"
            return _error(401, 190, "Invalid OAuth access token.")
        locale = self.profile_locales.get(psid)
        if locale is None:
            call.rejected = "no permission"
            return _error(400, 10, "(#10) Requires advanced access")
        return web.json_response({"id": psid, "locale": locale})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.downloads.append(name)
        if "Authorization" in request.headers:
            raise AssertionError("the Page token must never be sent to the CDN")
        if name in self._expired or name not in self._files:
            return web.Response(status=403, text="URL signature expired")
        data, content_type = self._files[name]
        return web.Response(body=data, content_type=content_type)


@contextmanager
def running_in_thread(graph: FakeGraphApi) -> Iterator[FakeGraphApi]:
    """Run the fake on its own event loop in a thread (for code that calls asyncio.run)."""
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(graph.start())
        started.set()
        loop.run_forever()
        loop.run_until_complete(graph.close())
        loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait(timeout=30)
    try:
        yield graph
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
