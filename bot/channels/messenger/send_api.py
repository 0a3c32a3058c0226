"""The Graph API client: Send API messages, typing indicators, the Page profile, user locale.

One ``aiohttp.ClientSession`` is shared by the whole channel. The Page token travels in the
``Authorization`` header of Graph calls only (never in a URL, never to the CDN, never in a
log). Rate limits and temporary failures are retried with exponential backoff; what the log
says is the endpoint, the HTTP status and Meta's error code, never a token or message text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import aiohttp

from bot.channels.messenger.config import MessengerConfig
from bot.channels.messenger.outgoing import OutgoingMessage

log = logging.getLogger(__name__)

# Graph error codes worth retrying: unknown/temporary (1, 2), app, user and page rate limits
# (4, 17, 32, 613), Messenger's temporary send failure (1200).
RETRYABLE_CODES: Final = frozenset({1, 2, 4, 17, 32, 613, 1200})
MAX_BACKOFF_SECONDS: Final = 60.0

MessagingType = Literal["RESPONSE", "UPDATE", "MESSAGE_TAG"]
# Message tags Meta retired on 27 April 2026 (a send with one fails with error 100): never sent.
RETIRED_TAGS: Final = frozenset(
    {"ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE"}
)
HUMAN_AGENT_TAG: Final = "HUMAN_AGENT"
# "This message is sent outside of allowed window" (code 10, this subcode).
OUTSIDE_WINDOW_SUBCODE: Final = 2018278
# The person cannot be messaged: unavailable (551, 1545041), no such user (subcode 2018001).
UNREACHABLE_CODES: Final = frozenset({551, 1545041})
UNREACHABLE_SUBCODES: Final = frozenset({2018001, 2018108})


@dataclass(eq=False)
class GraphApiError(Exception):
    """A Graph API call failed for good (or kept failing after every retry)."""

    endpoint: str
    status: int
    code: int | None = None
    subcode: int | None = None
    error_type: str | None = None
    trace_id: str | None = None
    retryable: bool = False

    @property
    def unreachable(self) -> bool:
        """True when the person cannot be messaged at all (whatever is sent)."""
        return self.code in UNREACHABLE_CODES or self.subcode in UNREACHABLE_SUBCODES

    @property
    def outside_window(self) -> bool:
        """True when Meta refused a message because the 24-hour window is closed."""
        return self.subcode == OUTSIDE_WINDOW_SUBCODE

    def __str__(self) -> str:
        return (
            f"Graph API {self.endpoint} failed: HTTP {self.status}, code {self.code}, "
            f"subcode {self.subcode}, type {self.error_type}, fbtrace_id {self.trace_id}"
        )


def _error_from(endpoint: str, status: int, body: object) -> GraphApiError:
    error = body.get("error") if isinstance(body, Mapping) else None
    details: Mapping[str, Any] = error if isinstance(error, Mapping) else {}
    code = details.get("code")
    subcode = details.get("error_subcode")
    code = code if isinstance(code, int) else None
    retryable = status == 429 or status >= 500 or code in RETRYABLE_CODES
    return GraphApiError(
        endpoint=endpoint,
        status=status,
        code=code,
        subcode=subcode if isinstance(subcode, int) else None,
        error_type=str(details["type"]) if "type" in details else None,
        trace_id=str(details["fbtrace_id"]) if "fbtrace_id" in details else None,
        retryable=retryable,
    )


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After", "")
    try:
        return min(float(value), MAX_BACKOFF_SECONDS) if value else None
    except ValueError:
        return None


def _attachment_type(mime_type: str) -> str:
    for kind in ("image", "audio", "video"):
        if mime_type.startswith(f"{kind}/"):
            return kind
    return "file"


RequestBody = Callable[[], dict[str, Any]]


class GraphClient:
    """Calls the Graph API for one Page with retries; the session belongs to the caller."""

    def __init__(self, session: aiohttp.ClientSession, config: MessengerConfig) -> None:
        self._session = session
        self._config = config
        self._base = config.graph_api_url.rstrip("/")

    @property
    def session(self) -> aiohttp.ClientSession:
        """The shared HTTP session (also used to download attachments, without the token)."""
        return self._session

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._config.page_access_token}"}

    async def _call(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        json_body: dict[str, Any] | None = None,
        form: Callable[[], aiohttp.FormData] | None = None,
        params: dict[str, str] | None = None,
        attempts: int | None = None,
    ) -> dict[str, Any]:
        """One Graph API call, retried while the failure is temporary."""
        total = attempts or self._config.send_attempts
        url = f"{self._base}/{path.lstrip('/')}"
        for attempt in range(1, total + 1):
            wait: float | None = None
            try:
                async with self._session.request(
                    method,
                    url,
                    json=json_body,
                    data=form() if form is not None else None,
                    params=params,
                    headers=self._headers(),
                ) as response:
                    try:
                        body: object = await response.json(content_type=None)
                    except (ValueError, aiohttp.ContentTypeError):
                        body = None
                    if response.status < 400 and not (
                        isinstance(body, Mapping) and "error" in body
                    ):
                        return dict(body) if isinstance(body, Mapping) else {}
                    error = _error_from(endpoint, response.status, body)
                    wait = _retry_after(response.headers)
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = GraphApiError(endpoint=endpoint, status=0, retryable=True)
                log.warning("Graph API %s: %s", endpoint, type(exc).__name__)
            if not error.retryable:
                log.error("%s", error)
                raise error
            if attempt == total:
                log.error("%s; gave up after %d attempts", error, total)
                raise error
            delay = (
                wait
                if wait is not None
                else min(self._config.retry_base_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
            )
            log.warning(
                "Graph API %s: HTTP %s code %s, retry %d of %d in %.2fs",
                endpoint,
                error.status,
                error.code,
                attempt,
                total - 1,
                delay,
            )
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def send_message(
        self,
        psid: str,
        outgoing: OutgoingMessage,
        *,
        messaging_type: MessagingType = "RESPONSE",
        tag: str | None = None,
    ) -> None:
        """Send one message to a user; raises :class:`GraphApiError` when it cannot."""
        if tag in RETIRED_TAGS:
            raise ValueError(f"the {tag} message tag is retired")
        envelope: dict[str, Any] = {
            "recipient": {"id": psid},
            "messaging_type": messaging_type,
        }
        if tag is not None:
            envelope["tag"] = tag
        upload = outgoing.upload
        if upload is None:
            body = {**envelope, "message": outgoing.message}
            await self._call("POST", "me/messages", "messages", json_body=body)
            return

        def form() -> aiohttp.FormData:
            data = aiohttp.FormData()
            for key, value in envelope.items():
                data.add_field(key, value if isinstance(value, str) else json.dumps(value))
            message = {
                "attachment": {
                    "type": _attachment_type(upload.mime_type),
                    "payload": {"is_reusable": False},
                }
            }
            data.add_field("message", json.dumps(message))
            data.add_field(
                "filedata", upload.data, filename=upload.filename, content_type=upload.mime_type
            )
            return data

        await self._call("POST", "me/messages", "messages (upload)", form=form)

    async def send_utility(
        self, psid: str, *, template: str, language: str, text: str, parameter: str | None
    ) -> None:
        """A utility message: the Page-owned ``template`` with ``text`` in its placeholder."""
        value: dict[str, str] = {"type": "text", "text": text}
        if parameter:
            value["parameter_name"] = parameter
        body = {
            "recipient": {"id": psid},
            "messaging_type": "UTILITY",
            "message": {
                "template": {
                    "name": template,
                    "language": {"code": language},
                    "components": [{"type": "body", "parameters": [value]}],
                }
            },
        }
        await self._call("POST", "me/messages", "messages (utility)", json_body=body)

    async def send_typing(self, psid: str) -> None:
        """Show the typing indicator; best effort, a failure is only logged."""
        # A failure is already logged; the reply itself matters more than the indicator.
        with contextlib.suppress(GraphApiError):
            await self._call(
                "POST",
                "me/messages",
                "sender_action",
                json_body={"recipient": {"id": psid}, "sender_action": "typing_on"},
                attempts=1,
            )

    async def user_locale(self, psid: str) -> str | None:
        """The user's Facebook locale (e.g. ``km_KH``); needs an advanced permission."""
        try:
            profile = await self._call(
                "GET", psid, "user_profile", params={"fields": "locale"}, attempts=2
            )
        except GraphApiError:
            return None
        locale = profile.get("locale")
        return locale if isinstance(locale, str) else None

    async def set_messenger_profile(self, profile: dict[str, Any]) -> None:
        """Set the Page's Messenger profile (Get Started, greeting, persistent menu)."""
        await self._call("POST", "me/messenger_profile", "messenger_profile", json_body=profile)
