"""Logging for the running bot: plain text or JSON lines, personal data and secrets redacted.

:class:`RedactingFilter` sits on the output handler, so every record is covered, whichever
module logged it: the message (with its arguments filled in), the traceback and the stack are
rendered and then cleaned of phone numbers, long numeric ids (Telegram user ids, Messenger
PSIDs), names in ``name=...``/``"first_name": ...`` form, bot tokens, bearer and access tokens
and secrets in query strings. Redaction keeps the last two characters (``***78``), as the
registry's own redaction does (:mod:`registry.redact`), so lines can still be told apart.

``CETS_LOG_FORMAT=json`` writes one JSON object per line (for a log collector);
``CETS_LOG_LEVEL`` sets the level (default INFO with ``-v``, else WARNING).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Final, TextIO

from pythonjsonlogger.json import JsonFormatter

from registry.redact import redact_text

_HANDLER_NAME: Final = "cets-redacting"
TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_SECRETS: Final = (
    # Telegram bot tokens (also inside Bot API URLs: /bot<token>/sendMessage).
    re.compile(r"(?<!\d)\d{5,12}:[A-Za-z0-9_-]{30,}"),
    # Meta Page and user access tokens.
    re.compile(r"\bEAA[A-Za-z0-9]{20,}"),
)
_BEARER: Final = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_QUERY_SECRET: Final = re.compile(
    r"(?i)\b((?:hub\.)?(?:access_token|verify_token|appsecret_proof|secret_token|secret|token|"
    r"password)=)[^&\s'\"]+"
)
_HEADER_SECRET: Final = re.compile(
    r"(?i)((?:x-telegram-bot-api-secret-token|x-hub-signature-256|authorization)['\"]?\s*[:=]\s*"
    r"['\"]?)[^'\"\s,}]+"
)
# Cambodian phone numbers (+855 / 855 / 0, then 8 or 9 digits, maybe spaced) and any other
# run of 8 or more digits: Telegram user ids and Messenger PSIDs are personal data too.
_PHONE: Final = re.compile(r"(?<![\w+])(?:\+?855|0)(?:[ -]?\d){8,9}(?!\d)")
_LONG_NUMBER: Final = re.compile(r"(?<![\w.])\+?\d{8,}(?!\d)")
_NAME_FIELD: Final = re.compile(
    r"(?i)(['\"]?\b(?:first_name|last_name|full_name|username|owner_name|contact_name|name)"
    r"['\"]?\s*[:=]\s*)(['\"])(.*?)\2"
)


def _keep_tail(match: re.Match[str]) -> str:
    return redact_text(re.sub(r"[ -]", "", match.group(0)))


def redact(text: str) -> str:
    """``text`` with personal data and secrets replaced by ``***`` (plus a short tail)."""
    for pattern in _SECRETS:
        text = pattern.sub("***", text)
    text = _BEARER.sub(r"\1***", text)
    text = _QUERY_SECRET.sub(r"\1***", text)
    text = _HEADER_SECRET.sub(r"\1***", text)
    text = _NAME_FIELD.sub(lambda m: f"{m.group(1)}{m.group(2)}***{m.group(2)}", text)
    text = _PHONE.sub(_keep_tail, text)
    return _LONG_NUMBER.sub(_keep_tail, text)


class RedactingFilter(logging.Filter):
    """Renders each record's message, traceback and stack, then redacts them in place."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keep the record; only its text changes."""
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # The formatter must use the redacted text, not format the exception again.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def json_formatter() -> logging.Formatter:
    """One JSON object per line: time, level, logger, message (and the traceback, if any)."""
    return JsonFormatter(
        "{asctime}{levelname}{name}{message}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    )


def configure_logging(*, verbose: bool = False, stream: TextIO | None = None) -> None:
    """Log to stderr (or ``stream``) through the redacting filter, as text or JSON lines."""
    level = os.environ.get("CETS_LOG_LEVEL", "").strip().upper() or (
        "INFO" if verbose else "WARNING"
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter())
    if os.environ.get("CETS_LOG_FORMAT", "").strip().lower() == "json":
        handler.setFormatter(json_formatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    # Replace only our own handler (a second call), never others (e.g. a test's capture).
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
