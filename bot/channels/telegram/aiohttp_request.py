"""python-telegram-bot's requests over aiohttp instead of httpx.

Profiling the Telegram webhook under load (``docs/performance.md``) put httpx and httpcore at
about a fifth of the bot's CPU per message: their connection pool and cancellation shields
cost several milliseconds per Bot API call. aiohttp, which already serves our webhooks, does
the same request in a fraction of that. The behaviour PTB relies on is kept: the same body
encodings (form fields, multipart when files are sent), the default and per-call timeouts,
:class:`telegram.error.TimedOut` for a timeout and :class:`telegram.error.NetworkError` for a
connection that failed; PTB itself turns the status code and body into its errors.
"""

from __future__ import annotations

from typing import Final

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's HTTPXRequest defaults.
CONNECT_SECONDS: Final = 5.0
READ_SECONDS: Final = 5.0
WRITE_SECONDS: Final = 5.0
POOL_SECONDS: Final = 1.0
MEDIA_WRITE_SECONDS: Final = 20.0


def _seconds(value: object, default: float | None) -> float | None:
    """A per-call timeout, or the default when the caller passed PTB's DEFAULT_NONE."""
    if value is None or isinstance(value, int | float):
        return None if value is None else float(value)
    return default


class AiohttpRequest(BaseRequest):
    """A :class:`telegram.request.BaseRequest` on one :class:`aiohttp.ClientSession`."""

    __slots__ = ("_connections", "_read_seconds", "_session")

    def __init__(self, *, connection_pool_size: int = 256, read_timeout: float = READ_SECONDS):
        self._connections = connection_pool_size
        self._read_seconds = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The read timeout used when a call does not name one."""
        return self._read_seconds

    async def initialize(self) -> None:
        """Open the session (its connection pool) on the running loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; the status code and the body of the answer."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        body: aiohttp.FormData | dict[str, str] | None = fields or None
        if files:
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mime_type) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            body = form
        read = _seconds(read_timeout, self._read_seconds)
        write = _seconds(write_timeout, MEDIA_WRITE_SECONDS if files else WRITE_SECONDS)
        # aiohttp has no write timeout, so a call may take its write and read time in all. A
        # file download (GET) has only the per-read limit, like httpx: a large file takes longer
        # than one read (its caller bounds the whole download, see files.py).
        total = None if method == "GET" or read is None or write is None else read + write
        pool = _seconds(pool_timeout, POOL_SECONDS)
        connect = _seconds(connect_timeout, CONNECT_SECONDS)
        timeout = aiohttp.ClientTimeout(
            total=total,
            # aiohttp's connect covers waiting for a free connection and connecting.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as answer:
                return answer.status, await answer.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
