"""Authenticating Meta's webhook calls: the subscription handshake and signed deliveries."""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

SIGNATURE_HEADER: Final = "X-Hub-Signature-256"
_PREFIX: Final = "sha256="


def expected_signature(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends for ``body``: sha256= + HMAC hex digest."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """True when ``header`` is the HMAC-SHA256 of the raw body with the app secret.

    Only the SHA-256 signature counts; the legacy SHA-1 ``X-Hub-Signature`` is not accepted.
    The comparison takes the same time whatever the value, so it leaks nothing.
    """
    if not header or not app_secret:
        return False
    expected = expected_signature(body, app_secret)
    return hmac.compare_digest(header.strip().lower().encode(), expected.encode())


def verify_token_matches(offered: str | None, verify_token: str) -> bool:
    """True when the handshake's ``hub.verify_token`` equals ours (constant-time)."""
    if offered is None or not verify_token:
        return False
    return hmac.compare_digest(offered.encode(), verify_token.encode())
