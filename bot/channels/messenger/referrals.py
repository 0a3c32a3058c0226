"""m.me links with a ``ref``: what a badge's QR code or a shared link asks the bot to open.

``m.me/<page>?ref=cert_CETS-2025-000001`` opens that certificate's verification (core payload
``cert:CETS-2025-000001``); ``ref=apply`` starts an application (``i:apply``). What a ``ref``
means is shared with Telegram's deep links: :func:`bot.channels.links.payload_for_link`.
"""

from __future__ import annotations

from urllib.parse import quote


def certificate_link(page: str, certificate_id: str) -> str:
    """The m.me link that opens a certificate's verification in Messenger (for QR codes)."""
    return f"https://m.me/{quote(page)}?ref={quote('cert_' + certificate_id)}"
