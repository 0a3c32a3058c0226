"""One aiohttp session per client, with timeouts, retries and typed errors.

A request is retried after a connection failure, a timeout or a 502/503/504/429 answer only if
it is safe to repeat: reads, PATCH, and POSTs that carry an ``Idempotency-Key`` (the server then
returns the first result instead of creating a second record). The key stays the same across
the attempts of one call.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from backend_client.errors import ERROR_CLASSES, BackendError, BackendUnavailable
from backend_client.routes import IDEMPOTENCY_HEADER

logger = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many attempts, and the exponential backoff between them (with jitter)."""

    attempts: int = 4
    first_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        base: float = min(self.max_delay, self.first_delay * 2 ** (attempt - 1))
        return base * (0.5 + random.random() / 2)


class HttpTransport:
    """JSON requests to one registry server with one bearer token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: aiohttp.ClientTimeout | None = None,
        retry: RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        self._base = URL(base_url.rstrip("/"))
        self._headers = {"Authorization": f"Bearer {token}", **(extra_headers or {})}
        self._timeout = timeout or aiohttp.ClientTimeout(total=30, connect=5, sock_read=20)
        self._retry = retry or RetryPolicy()
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, headers=self._headers, raise_for_status=False
            )
        return self._session

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        idempotency_key: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request (retried when safe) and return the decoded JSON answer."""
        safe = method in ("GET", "HEAD", "PATCH", "PUT") or idempotency_key is not None
        request_headers = dict(headers or {})
        if idempotency_key is not None:
            request_headers[IDEMPOTENCY_HEADER] = idempotency_key
        url = self._base.with_path(self._base.path.rstrip("/") + path, encoded=True)
        attempts = self._retry.attempts if safe else 1
        last_problem = "no attempt made"
        for attempt in range(1, attempts + 1):
            try:
                async with self._client().request(
                    method, url, params=params, json=body, headers=request_headers
                ) as response:
                    if response.status in RETRY_STATUSES and attempt < attempts:
                        last_problem = f"HTTP {response.status}"
                    else:
                        return await _answer(response)
            except (TimeoutError, aiohttp.ClientConnectionError) as exc:
                last_problem = type(exc).__name__
                if attempt == attempts:
                    break
            logger.warning(
                "registry %s %s failed (%s); attempt %d of %d",
                method,
                _route(path),
                last_problem,
                attempt,
                attempts,
            )
            await asyncio.sleep(self._retry.delay(attempt))
        raise BackendUnavailable(f"registry server unreachable: {last_problem}")

    async def close(self) -> None:
        """Close the session."""
        if self._session is not None:
            await self._session.close()
            self._session = None


def _route(path: str) -> str:
    """The first segments of a path, without user ids or record numbers, for logs."""
    return "/".join(path.split("/")[:3])


async def _answer(response: aiohttp.ClientResponse) -> Any:
    """Decoded JSON of a 2xx answer; the matching typed error otherwise."""
    text = await response.text()
    try:
        data = json.loads(text) if text else None
    except json.JSONDecodeError:
        data = None
    if 200 <= response.status < 300:
        if data is None and text:
            raise BackendError(f"registry answered {response.status} with a non-JSON body")
        return data
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        if response.status >= 500:
            raise BackendUnavailable(f"registry answered HTTP {response.status}")
        raise BackendError(f"registry answered HTTP {response.status}")
    cls = ERROR_CLASSES.get(str(error.get("code")), BackendError)
    fields = error.get("fields") or ()
    raise cls(str(error.get("message", "")), fields=tuple(str(f) for f in fields))
