"""Choosing the NLU engine: a Rasa server when a URL is configured, else the embedded one."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from nlu.embedded import EmbeddedNlu
from nlu.interface import NluEngine
from nlu.rasa_http import DEFAULT_TIMEOUT, RasaHttpNlu, RasaUnavailableError

logger = logging.getLogger(__name__)


async def load_embedded(data_dir: Path | None = None, cache_dir: Path | None = None) -> EmbeddedNlu:
    """Load (or train) the embedded engine in a worker thread, off the event loop."""
    return await asyncio.to_thread(EmbeddedNlu.load, data_dir, cache_dir)


async def open_nlu_engine(
    nlu_url: str | None,
    *,
    request_timeout: float = DEFAULT_TIMEOUT,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> NluEngine:
    """The engine the bot should use: Rasa at ``nlu_url`` (e.g. ``$CETS_NLU_URL``) or embedded.

    With a URL, the server is probed once; if it is down the embedded engine is loaded at once
    (with a warning) and answers until Rasa comes back. Close the engine with ``await
    engine.close()``.
    """
    if not nlu_url:
        return await load_embedded(data_dir, cache_dir)

    async def fallback() -> NluEngine:
        return await load_embedded(data_dir, cache_dir)

    engine = RasaHttpNlu(nlu_url, fallback_factory=fallback, timeout=request_timeout)
    try:
        status = await engine.status()
        logger.info("using Rasa NLU at %s (model %s)", nlu_url, status.get("model_file"))
    except RasaUnavailableError as error:
        engine.mark_down(error)
        await engine.fallback_engine()
    return engine
