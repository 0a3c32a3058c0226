"""m.me links with a ``ref``: what a badge's QR code or a shared link asks the bot to open.

``m.me/<page>?ref=cert_CETS-2025-000001`` opens that certificate's verification (core payload
``cert:CETS-2025-000001``); ``ref=apply`` starts an application (``i:apply``).
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote

_CERTIFICATE_REF: Final = re.compile(r"cert_([A-Za-z0-9][A-Za-z0-9-]{0,47})", re.IGNORECASE)
_NAMED_REFS: Final = {"apply": "i:apply"}


def payload_for_ref(ref: str | None) -> str | None:
    """The core button payload a referral's ``ref`` stands for, or None when it is not ours."""
    if not ref:
        return None
    ref = ref.strip()
    match = _CERTIFICATE_REF.fullmatch(ref)
    if match:
        return f"cert:{match.group(1).upper()}"
    return _NAMED_REFS.get(ref.lower())


def certificate_link(page: str, certificate_id: str) -> str:
    """The m.me link that opens a certificate's verification in Messenger (for QR codes)."""
    return f"https://m.me/{quote(page)}?ref={quote('cert_' + certificate_id)}"
