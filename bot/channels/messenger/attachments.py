"""Downloading the files users send, promptly: Meta's attachment URLs expire.

Files are fetched from the CDN URL in the webhook event with the shared session but without
the Page token, read in chunks and stopped as soon as they pass the size limit.

The URL comes from a webhook body, so it is checked before anything is fetched
(:class:`AttachmentPolicy`): https only, on Meta's CDN hosts only, and the host's addresses
resolved and refused when any is loopback, private, link-local or otherwise not public; the
request then goes to the checked address (so a second DNS answer cannot point elsewhere).
Redirects are followed by hand, each hop checked the same way, and the whole download has a
time limit.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import mimetypes
import posixpath
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import unquote, urljoin, urlsplit

import aiohttp
from aiohttp import web
from yarl import URL

from bot.channels.messenger.events import AttachmentRef
from bot.messages import Attachment

log = logging.getLogger(__name__)

_CHUNK: Final = 64 * 1024
_UNSAFE_NAME: Final = re.compile(r"[^\w.\-]+")
_DEFAULT_MIME: Final = {
    "image": "image/jpeg",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "file": "application/octet-stream",
}


# Meta serves what people send in Messenger from these CDN domains (and their subdomains).
META_CDN_DOMAINS: Final = ("fbcdn.net", "fbsbx.com")
DEFAULT_TIMEOUT_SECONDS: Final = 30.0
MAX_REDIRECTS: Final = 3
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Host name and port to the addresses it resolves to (the default asks the system resolver).
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class AttachmentError(Exception):
    """A file the user sent could not be received."""


class AttachmentTooLarge(AttachmentError):
    """The file is larger than the channel accepts."""


class AttachmentUnavailable(AttachmentError):
    """The file could not be downloaded (expired URL, network failure)."""


class AttachmentRefused(AttachmentUnavailable):
    """The URL is not one the bot fetches (not https, not Meta's CDN, not a public address)."""


def _public(address: str) -> bool:
    ip: IpAddress = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True, slots=True)
class AttachmentPolicy:
    """Where attachment files may be fetched from, and how long a download may take.

    ``test_origins`` lets a test's fake CDN on loopback through (exact origins such as
    ``http://127.0.0.1:8123``). It is a constructor argument only: no setting or environment
    variable fills it, so a deployment cannot turn it on by accident.
    """

    domains: tuple[str, ...] = META_CDN_DOMAINS
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    test_origins: frozenset[str] = frozenset()
    resolver: Resolver = field(default=system_resolver, compare=False)

    def _allowed_host(self, host: str) -> bool:
        return any(host == domain or host.endswith("." + domain) for domain in self.domains)

    async def target(self, url: str) -> tuple[URL, str | None]:
        """The URL to request (pinned to a checked address) and the TLS server name.

        Raises :class:`AttachmentRefused` when the URL is not allowed.
        """
        try:
            parsed = URL(url)
            if parsed.absolute and parsed.origin() in {URL(o) for o in self.test_origins}:
                return parsed, None
        except ValueError as exc:
            raise AttachmentRefused("not a URL") from exc
        host = (parsed.host or "").lower().rstrip(".")
        if parsed.scheme != "https":
            raise AttachmentRefused("not an https URL")
        if parsed.user is not None or parsed.password is not None:
            raise AttachmentRefused("credentials in the URL")
        if parsed.explicit_port not in {None, 443}:
            raise AttachmentRefused("not the https port")
        if not self._allowed_host(host):
            raise AttachmentRefused("not a Meta CDN host")
        try:
            addresses = list(await self.resolver(host, 443))
        except (OSError, UnicodeError) as exc:
            raise AttachmentUnavailable(f"host not found ({type(exc).__name__})") from exc
        try:
            if not addresses or not all(_public(address) for address in addresses):
                raise AttachmentRefused("the host resolves to a non-public address")
        except ValueError as exc:
            raise AttachmentRefused(
                "the host resolves to something that is not an address"
            ) from exc
        return parsed.with_host(addresses[0]), host


ATTACHMENT_POLICY_KEY: web.AppKey[AttachmentPolicy] = web.AppKey(
    "messenger_attachment_policy", AttachmentPolicy
)


def _filename(ref: AttachmentRef, mime_type: str) -> str:
    name = posixpath.basename(unquote(urlsplit(ref.url).path))
    name = _UNSAFE_NAME.sub("_", name).strip("._")[:120]
    if not name:
        name = ref.kind
    if "." not in name:
        name += mimetypes.guess_extension(mime_type) or ""
    return name


async def _fetch(
    session: aiohttp.ClientSession, url: str, policy: AttachmentPolicy, max_bytes: int
) -> tuple[bytes, str, str]:
    """The body, content type and final URL, following redirects only to allowed URLs."""
    for _hop in range(MAX_REDIRECTS + 1):
        target, server_name = await policy.target(url)
        headers = {"Host": server_name} if server_name is not None else None
        async with session.get(
            target,
            allow_redirects=False,
            headers=headers,
            server_hostname=server_name,
        ) as response:
            if response.status in _REDIRECTS and "Location" in response.headers:
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status != 200:
                raise AttachmentUnavailable(f"HTTP {response.status}")
            if response.content_length is not None and response.content_length > max_bytes:
                raise AttachmentTooLarge(f"{response.content_length} bytes")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.content.iter_chunked(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise AttachmentTooLarge(f"more than {max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks), response.content_type or "", url
    raise AttachmentUnavailable("too many redirects")


async def download_attachment(
    session: aiohttp.ClientSession,
    ref: AttachmentRef,
    *,
    max_bytes: int,
    policy: AttachmentPolicy | None = None,
) -> Attachment:
    """The file behind ``ref`` with its bytes; raises an :class:`AttachmentError` subclass.

    Only URLs the ``policy`` allows are fetched (by default: https on Meta's CDN, public
    addresses), within its time limit.
    """
    policy = policy or AttachmentPolicy()
    try:
        async with asyncio.timeout(policy.timeout_seconds):
            data, mime_type, final_url = await _fetch(session, ref.url, policy, max_bytes)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise AttachmentUnavailable(type(exc).__name__) from exc
    except ValueError as exc:  # a URL yarl cannot read
        raise AttachmentRefused("not a URL") from exc
    if not mime_type or mime_type == "application/octet-stream":
        guessed = mimetypes.guess_type(urlsplit(final_url).path)[0]
        mime_type = guessed or _DEFAULT_MIME[ref.kind]
    log.debug("downloaded a %s attachment of %d bytes", ref.kind, len(data))
    return Attachment(
        kind=ref.kind,
        filename=_filename(ref, mime_type),
        mime_type=mime_type,
        data=data,
        source_url=None,
    )
