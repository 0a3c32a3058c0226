"""The public register's routes: ``/v/<certificate-id>``, ``/search``, static files, robots."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

from aiohttp import web

from backend_client import (
    BackendError,
    BackendUnavailable,
    NotFound,
    PublicCertificate,
    RegistryBackend,
    ValidationError,
)
from bot.i18n import _, use_locale
from bot.web import pages
from bot.web.config import RegisterConfig
from bot.web.headers import ROBOTS_TXT, html_page, secure
from bot.web.language import page_locale
from bot.web.rate_limit import SearchRateLimiter
from bot.web.rendering import PageRenderer, StaticFile, load_static_files

log = logging.getLogger(__name__)

CERTIFICATE_PATH: Final = "/v/{certificate_id}"
SEARCH_PATH: Final = "/search"
STATIC_PATH: Final = "/static/{name}"
ROBOTS_PATH: Final = "/robots.txt"
MAX_RESULTS: Final = 5
MAX_QUERY_LENGTH: Final = 500
_CERTIFICATE_ID: Final = re.compile(r"CETS-\d{4}-\d{6}")
_SHOWN_NUMBER_LENGTH: Final = 40


@dataclass(frozen=True, slots=True)
class PublicRegister:
    """What the routes need: the bot's registry backend and the register's settings."""

    backend: RegistryBackend
    config: RegisterConfig
    limiter: SearchRateLimiter
    renderer: PageRenderer
    static: dict[str, StaticFile]

    @classmethod
    def create(cls, backend: RegistryBackend, config: RegisterConfig) -> PublicRegister:
        """A register over ``backend`` with a fresh rate limiter."""
        return cls(
            backend=backend,
            config=config,
            limiter=SearchRateLimiter(config.searches_per_minute, config.search_burst),
            renderer=PageRenderer(),
            static=load_static_files(),
        )

    def address(
        self, request: web.Request, path: str, query: tuple[tuple[str, str], ...] = ()
    ) -> pages.PageAddress:
        """Where a page is, with the addresses of its stylesheet and icon."""
        return pages.PageAddress(
            self.base_url(request),
            path,
            query,
            stylesheet=self.static["register.css"].href,
            icon=self.static["mark.svg"].href,
        )

    def base_url(self, request: web.Request) -> str:
        """The site's address: the configured public one, else the one the request came to."""
        return self.config.links.public_base_url or f"{request.scheme}://{request.host}"

    @property
    def https(self) -> bool:
        """Whether the register is served over HTTPS (then browsers are told to keep to it)."""
        base = self.config.links.public_base_url
        return bool(base and base.startswith("https://"))

    def client(self, request: web.Request) -> str:
        """Whom the search limit counts: the proxy's view of the client when it is trusted."""
        if self.config.trust_forwarded_for:
            forwarded = request.headers.get("X-Forwarded-For", "")
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            if hops:
                return hops[-1]
        return request.remote or "-"

    def page(
        self,
        template: str,
        page: pages.CertificatePage
        | pages.UnknownCertificatePage
        | pages.SearchPage
        | pages.MessagePage,
        *,
        status: int,
        cache_control: str,
    ) -> web.Response:
        """Render ``page`` into a response with the register's headers."""
        return html_page(
            self.renderer.render(template, page),
            status=status,
            lang=page.meta.lang,
            cache_control=cache_control,
            noindex=page.meta.noindex,
            https=self.https,
        )

    def unavailable(self, address: pages.PageAddress, query: str = "") -> web.Response:
        """503: the registry cannot be read right now."""
        page = pages.message_page(
            address,
            _("The register cannot be reached right now"),
            _("Please try again in a few minutes."),
            query=query,
        )
        response = self.page("message.html", page, status=503, cache_control="no-store")
        response.headers["Retry-After"] = "60"
        return response


REGISTER_KEY: Final = web.AppKey("public_register", PublicRegister)


async def certificate_page(request: web.Request) -> web.Response:
    """``GET /v/<certificate-id>``: the live record, or the fake-badge warning (404)."""
    register = request.app[REGISTER_KEY]
    number = request.match_info["certificate_id"].strip().upper()
    address = register.address(request, f"/v/{quote(number, safe='')}")
    cache = f"public, max-age={register.config.page_max_age}"
    with use_locale(page_locale(request.query, request.headers)):
        view: PublicCertificate | None = None
        if _CERTIFICATE_ID.fullmatch(number):
            try:
                view = await register.backend.get_public_certificate(number)
            except NotFound:
                view = None
            except BackendUnavailable:
                log.warning("registry unavailable for a certificate page")
                return register.unavailable(address)
            except BackendError:
                log.exception("certificate page failed")
                return register.unavailable(address)
        if view is None:
            unknown = pages.unknown_certificate_page(
                number[:_SHOWN_NUMBER_LENGTH], address, register.config.links
            )
            return register.page(
                "unknown_certificate.html", unknown, status=404, cache_control=cache
            )
        page = pages.certificate_page(view, address, register.config.links)
        return register.page("certificate.html", page, status=200, cache_control=cache)


async def search_page(request: web.Request) -> web.Response:
    """``GET /search?q=``: the bot's own search, with verdicts only for conclusive matches."""
    register = request.app[REGISTER_KEY]
    query = request.query.get("q", "").strip()
    links = register.config.links
    address = register.address(request, SEARCH_PATH, (("q", query),) if query else ())
    with use_locale(page_locale(request.query, request.headers)):
        if not query:
            start = pages.search_start_page(address, links)
            cache = f"public, max-age={register.config.page_max_age}"
            return register.page("search.html", start, status=200, cache_control=cache)
        wait = register.limiter.acquire(register.client(request))
        if wait > 0:
            limited = pages.message_page(
                address,
                _("Too many searches"),
                _("Please wait a minute, then search again."),
                query=query,
            )
            response = register.page("message.html", limited, status=429, cache_control="no-store")
            response.headers["Retry-After"] = str(math.ceil(wait))
            return response
        if len(query) > MAX_QUERY_LENGTH:
            too_long = pages.message_page(
                address,
                _("This search is too long"),
                _("Please type a page link, phone number, name or certificate number."),
            )
            return register.page("message.html", too_long, status=400, cache_control="no-store")
        try:
            matches = await register.backend.find_shops(query, limit=MAX_RESULTS)
        except ValidationError:
            matches = ()
        except BackendUnavailable:
            log.warning("registry unavailable for a search")
            return register.unavailable(address, query)
        except BackendError:
            log.exception("search failed")
            return register.unavailable(address, query)
        # The address may carry a phone number: no cache keeps it.
        page = pages.search_page(query, matches, address, links)
        return register.page("search.html", page, status=200, cache_control="no-store")


async def static_file(request: web.Request) -> web.Response:
    """``GET /static/<name>``: the stylesheet or the icon (addressed by content hash, so cached
    for a day)."""
    register = request.app[REGISTER_KEY]
    found = register.static.get(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound()
    response = web.Response(body=found.body, content_type=found.content_type)
    if found.content_type.startswith("text/"):
        response.charset = "utf-8"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return secure(response, https=register.https)


async def robots(request: web.Request) -> web.Response:
    """``GET /robots.txt``: certificate pages may be indexed; searches and webhooks not."""
    response = web.Response(text=ROBOTS_TXT, content_type="text/plain", charset="utf-8")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return secure(response, https=request.app[REGISTER_KEY].https)


def add_routes(router: web.UrlDispatcher) -> None:
    """The register's routes."""
    router.add_get(CERTIFICATE_PATH, certificate_page)
    router.add_get(SEARCH_PATH, search_page)
    router.add_get(STATIC_PATH, static_file)
    router.add_get(ROBOTS_PATH, robots)
