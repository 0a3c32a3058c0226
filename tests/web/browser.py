"""A real headless browser for the tests: Debian's Chromium driven by Playwright.

Playwright's own browser builds are never downloaded: the tests launch the system's Chromium
(``CETS_CHROMIUM``, else ``chromium`` on the PATH). The browser runs on an event loop in a
thread of its own, so sync and async tests alike can open pages without sharing their loop.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")
VIEWPORT = {"width": 360, "height": 640}
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "var" / "test-artifacts" / "web"


def chromium_or_skip() -> str:
    """The Chromium executable; without it (or Playwright): fail under CI=true, skip elsewhere."""
    executable = os.environ.get("CETS_CHROMIUM") or shutil.which("chromium")
    problem = None
    if not executable:
        problem = "Chromium is not installed: run `bash scripts/install-web-deps.sh`"
    else:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed: run `make install` (dev extras)"
    if problem is None and executable is not None:
        return executable
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(str(problem))
    pytest.skip(str(problem))


@dataclass(frozen=True)
class PageSnapshot:
    """What a visitor's browser got and showed for one address."""

    url: str
    status: int
    lang: str
    text: str
    html: str
    bytes_loaded: int
    resources: int
    scripts: int
    console_errors: tuple[str, ...]
    failed_resources: tuple[str, ...]
    scroll_width: int
    verdict_box: dict[str, float] | None
    verdict_class: str
    visible: dict[str, bool]
    screenshot: Path


class HeadlessChromium:
    """One Chromium for the test session; :meth:`open` visits a page at a phone's viewport."""

    def __init__(self, executable: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._playwright: Any = None
        self._browser: Any = None
        self._run(self._start(executable))

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout=120)

    async def _start(self, executable: str) -> None:
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )

    def open(
        self, url: str, *, accept_language: str, artifact: str, texts: tuple[str, ...] = ()
    ) -> PageSnapshot:
        """Load ``url`` as a phone whose language is ``accept_language``; screenshot it into
        var/test-artifacts/web/<artifact>.png; report which of ``texts`` are visible."""
        return self._run(self._open(url, accept_language, artifact, texts))

    async def _open(
        self, url: str, accept_language: str, artifact: str, texts: tuple[str, ...]
    ) -> PageSnapshot:
        context = await self._browser.new_context(
            viewport=VIEWPORT,
            device_scale_factor=1,
            is_mobile=True,
            has_touch=True,
            locale=accept_language.split(",")[0],
            extra_http_headers={"Accept-Language": accept_language},
        )
        try:
            page = await context.new_page()
            responses: list[Any] = []
            errors: list[str] = []
            page.on("response", lambda r: responses.append(r))
            page.on(
                "console",
                lambda m: errors.append(m.text) if m.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda e: errors.append(str(e)))
            response = await page.goto(url, wait_until="load")
            assert response is not None
            loaded = 0
            failed = []
            for item in responses:
                loaded += len(await item.body())
                if item.status >= 400 and item.url != url:
                    failed.append(f"{item.status} {item.url}")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / f"{artifact}.png"
            await page.screenshot(path=str(shot), full_page=True)
            verdict = page.locator("#verdict").first
            box: dict[str, float] | None = None
            verdict_class = ""
            if await page.locator("#verdict").count() > 0:
                box = await verdict.bounding_box()
                verdict_class = await verdict.get_attribute("class") or ""
            visible = {}
            for text in texts:
                visible[text] = await page.get_by_text(text, exact=False).first.is_visible()
            return PageSnapshot(
                url=url,
                status=response.status,
                lang=await page.evaluate("document.documentElement.lang"),
                text=await page.inner_text("body"),
                html=await page.content(),
                bytes_loaded=loaded,
                resources=len(responses),
                scripts=await page.evaluate("document.scripts.length"),
                # A resource that failed is reported below with its address; the console
                # only says "Failed to load resource", also for the page's own 404.
                console_errors=tuple(e for e in errors if not e.startswith("Failed to load")),
                failed_resources=tuple(failed),
                scroll_width=await page.evaluate("document.documentElement.scrollWidth"),
                verdict_box=box,
                verdict_class=verdict_class,
                visible=visible,
                screenshot=shot,
            )
        finally:
            await context.close()

    def close(self) -> None:
        """Close the browser and stop its thread."""

        async def stop() -> None:
            await self._browser.close()
            await self._playwright.stop()

        try:
            self._run(stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()
