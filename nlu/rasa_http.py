"""Rasa server adapter: ``POST /model/parse`` through one shared HTTP session.

Rasa supplies the intent and its ranking. Entities always come from our own rules
(:mod:`nlu.entities`), so values are normalised the same way whichever engine runs and offsets
point into the text the user sent. When the server cannot be reached the adapter answers with
the fallback engine (the embedded one), logs a warning once, and tries Rasa again after
``retry_after`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from nlu.entities import EntityExtractor, default_extractor
from nlu.interface import Intent, IntentScore, NluEngine, ParseResult

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3.0
DEFAULT_RETRY_AFTER = 30.0
_VALID_INTENTS = frozenset(i.value for i in Intent)


class RasaUnavailableError(RuntimeError):
    """The Rasa server did not answer, or answered with something that is not a parse."""


def _intent_score(raw: Any) -> IntentScore:
    """One intent from Rasa's JSON; names outside our inventory count as out_of_scope."""
    if not isinstance(raw, dict) or not raw.get("name"):
        return IntentScore(Intent.OUT_OF_SCOPE.value, 0.0)
    name = str(raw["name"])
    if name not in _VALID_INTENTS:
        name = Intent.OUT_OF_SCOPE.value
    return IntentScore(name, float(raw.get("confidence") or 0.0))


def result_from_rasa(text: str, payload: Any, extractor: EntityExtractor) -> ParseResult:
    """Turn a ``/model/parse`` response into a :class:`ParseResult` for ``text``."""
    if not isinstance(payload, dict) or "intent" not in payload:
        raise RasaUnavailableError(f"unexpected Rasa response: {str(payload)[:200]}")
    intent = _intent_score(payload["intent"])
    ranking: list[IntentScore] = []
    seen: set[str] = set()
    for raw in payload.get("intent_ranking") or []:
        score = _intent_score(raw)
        if score.name not in seen:  # unknown names fold into one out_of_scope entry
            seen.add(score.name)
            ranking.append(score)
    return ParseResult(
        text=text,
        intent=intent,
        intent_ranking=tuple(ranking) or (intent,),
        entities=extractor.extract(text),
    )


class RasaHttpNlu:
    """:class:`~nlu.interface.NluEngine` backed by a Rasa server, with a local fallback."""

    def __init__(
        self,
        url: str,
        *,
        fallback_factory: Callable[[], Awaitable[NluEngine]] | None = None,
        session: aiohttp.ClientSession | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry_after: float = DEFAULT_RETRY_AFTER,
        extractor: EntityExtractor | None = None,
    ) -> None:
        """Talk to the Rasa server at ``url`` (e.g. ``http://127.0.0.1:5005``)."""
        self.url = url.rstrip("/")
        self._fallback_factory = fallback_factory
        self._fallback: NluEngine | None = None
        self._fallback_lock = asyncio.Lock()
        self._session = session
        self._owns_session = session is None
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry_after = retry_after
        self._down_since: float | None = None
        self._extractor = extractor or default_extractor()

    def _client(self) -> aiohttp.ClientSession:
        """The one HTTP session of this adapter (created on first use, inside the loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._owns_session = True
        return self._session

    async def status(self) -> dict[str, Any]:
        """Rasa's ``GET /status`` (raises :class:`RasaUnavailableError` when unreachable)."""
        try:
            async with self._client().get(f"{self.url}/status", timeout=self._timeout) as resp:
                resp.raise_for_status()
                data: dict[str, Any] = await resp.json()
                return data
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise RasaUnavailableError(f"Rasa at {self.url}: {error!r}") from error

    async def parse_remote(self, text: str) -> ParseResult:
        """Parse with the Rasa server only (no fallback)."""
        try:
            async with self._client().post(
                f"{self.url}/model/parse", json={"text": text}, timeout=self._timeout
            ) as resp:
                resp.raise_for_status()
                payload = await resp.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise RasaUnavailableError(f"Rasa at {self.url}: {error!r}") from error
        return result_from_rasa(text, payload, self._extractor)

    async def fallback_engine(self) -> NluEngine:
        """The fallback engine, created once on first need."""
        async with self._fallback_lock:
            if self._fallback is None:
                if self._fallback_factory is None:
                    raise RasaUnavailableError(f"Rasa at {self.url} is down and no fallback is set")
                self._fallback = await self._fallback_factory()
            return self._fallback

    def mark_down(self, error: Exception) -> None:
        """Remember that the server failed; warn once per outage."""
        if self._down_since is None:
            logger.warning(
                "Rasa NLU at %s unavailable (%s); using the embedded engine, retrying in %.0f s",
                self.url,
                error,
                self._retry_after,
            )
        self._down_since = time.monotonic()

    @property
    def is_down(self) -> bool:
        """True while the server failed less than ``retry_after`` seconds ago."""
        return (
            self._down_since is not None and time.monotonic() - self._down_since < self._retry_after
        )

    async def parse(self, text: str) -> ParseResult:
        """Understand one message with Rasa, or with the fallback while Rasa is down."""
        if not self.is_down:
            try:
                result = await self.parse_remote(text)
            except RasaUnavailableError as error:
                self.mark_down(error)
            else:
                if self._down_since is not None:
                    logger.info("Rasa NLU at %s is back", self.url)
                    self._down_since = None
                return result
        return await (await self.fallback_engine()).parse(text)

    async def close(self) -> None:
        """Close the HTTP session (if we created it) and the fallback engine."""
        if self._session is not None and self._owns_session and not self._session.closed:
            await self._session.close()
        if self._fallback is not None:
            await self._fallback.close()
