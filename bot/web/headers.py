"""HTTP headers of every public register response: security, caching and robots policy."""

from __future__ import annotations

from typing import Final

from aiohttp import web

# No script may run, nothing is framed, forms post only here, styles only from our stylesheet.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Search addresses carry phone numbers: never pass them on to the pages a visitor opens.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
HSTS: Final = "max-age=31536000"
ROBOTS_TXT: Final = (
    "# The public register: certificate pages may be indexed, searches and webhooks not.\n"
    "User-agent: *\n"
    "Allow: /v/\n"
    "Disallow: /search\n"
    "Disallow: /telegram/\n"
    "Disallow: /messenger/\n"
    "Disallow: /healthz\n"
)


def secure(response: web.Response, *, https: bool) -> web.Response:
    """Add the security headers (HSTS too when the register is served over HTTPS)."""
    response.headers.update(SECURITY_HEADERS)
    if https:
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def html_page(
    html: str,
    *,
    status: int,
    lang: str,
    cache_control: str,
    noindex: bool,
    https: bool,
) -> web.Response:
    """An HTML response in ``lang`` with the register's headers."""
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = cache_control
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language"
    if noindex:
        response.headers["X-Robots-Tag"] = "noindex"
    return secure(response, https=https)
