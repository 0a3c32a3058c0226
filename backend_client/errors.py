"""Typed exceptions raised by every registry backend, and their wire codes.

The HTTP server turns an exception into ``{"error": {"code", "message", "fields"}}`` with the
status below; the HTTP client turns it back into the same exception class, so callers catch the
same types whichever backend they use.
"""

from __future__ import annotations


class BackendError(Exception):
    """Base class of every error a registry backend raises on purpose."""

    code = "backend_error"
    http_status = 500

    def __init__(self, message: str, *, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class NotFound(BackendError):
    """No such record, or it belongs to someone else (the two are not told apart)."""

    code = "not_found"
    http_status = 404


class PermissionDenied(BackendError):
    """Missing or wrong credentials for the operation."""

    code = "permission_denied"
    http_status = 403


class ValidationError(BackendError):
    """The request is incomplete or malformed; ``fields`` names what to fix."""

    code = "validation_error"
    http_status = 422


class Conflict(BackendError):
    """The record is not in a state that allows the operation (e.g. approving a draft)."""

    code = "conflict"
    http_status = 409


class BackendUnavailable(BackendError):
    """The backend could not be reached or answered with a server error after retries."""

    code = "unavailable"
    http_status = 503


ERROR_CLASSES: dict[str, type[BackendError]] = {
    cls.code: cls
    for cls in (
        BackendError,
        NotFound,
        PermissionDenied,
        ValidationError,
        Conflict,
        BackendUnavailable,
    )
}
"""Wire code to exception class, shared by the HTTP server and client."""
