"""Server-rendered HTML: the Jinja2 templates of the public register and its static files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A static file's bytes, type and the versioned address pages link it under."""

    name: str
    body: bytes
    content_type: str
    href: str


STATIC_TYPES = {"register.css": "text/css", "mark.svg": "image/svg+xml"}


def load_static_files() -> dict[str, StaticFile]:
    """The stylesheet and the icon, each addressed by a hash of its content (cached long)."""
    files = {}
    for name, content_type in STATIC_TYPES.items():
        body = resources.files("bot.web").joinpath(f"static/{name}").read_bytes()
        version = hashlib.sha256(body).hexdigest()[:12]
        files[name] = StaticFile(name, body, content_type, f"/static/{name}?v={version}")
    return files


class PageRenderer:
    """Renders a page view model with its template (autoescaped, strict about missing names)."""

    def __init__(self) -> None:
        self._environment = Environment(
            loader=PackageLoader("bot.web", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )

    def render(self, template: str, page: object) -> str:
        """The HTML of ``page`` laid out by ``template``."""
        return self._environment.get_template(template).render(page=page)
