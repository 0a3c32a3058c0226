"""Reading a webhook body as JSON that every later step can handle safely.

The standard parser accepts what the rest of the bot cannot: ``NaN``/``Infinity`` and numbers
like ``1e400`` (infinite floats that overflow dates), integers of thousands of digits, nesting
deep enough to exhaust the recursion limit, and strings with lone surrogates (``"\\ud800"``)
that no database or UTF-8 encoder accepts. :func:`loads` refuses the first four with
:class:`UnsafeJsonError` and drops lone surrogates and NUL characters from every string, so a
body that passes is plain JSON data of bounded depth with finite floats, 64-bit integers and
valid Unicode. :func:`load_body` does the same off the event loop for large bodies, and
:func:`read_body` reads a request body up to a size limit.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from typing import Any, Final

from aiohttp import web

# Deeper than any Telegram update or Messenger delivery (they nest about 6 levels).
MAX_DEPTH: Final = 32
# Bodies larger than this are parsed in a worker thread, so a big body never stalls the loop.
OFFLOAD_BYTES: Final = 64 * 1024
# The largest body a webhook reads (aiohttp's default limit, made explicit): a Telegram update
# is a few kilobytes; a Messenger delivery batching many events stays well below this.
MAX_BODY_BYTES: Final = 1024 * 1024
_READ_CHUNK: Final = 64 * 1024
INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
# A 64-bit integer has at most 19 digits (20 with a sign); longer literals are refused unread.
_MAX_INT_LITERAL: Final = 20
# Lone surrogates (valid pairs were already combined by the parser) and NUL.
_UNSAFE_CHARS: Final = re.compile("[\ud800-\udfff\x00]")


class UnsafeJsonError(ValueError):
    """The body is not JSON, or is JSON the bot refuses (too deep, out-of-range numbers)."""


def _refuse_constant(name: str) -> Any:
    raise UnsafeJsonError(f"{name} is not a JSON number")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise UnsafeJsonError("number out of range")
    return value


def _bounded_int(literal: str) -> int:
    if len(literal) > _MAX_INT_LITERAL:
        raise UnsafeJsonError("integer out of range")
    value = int(literal)
    if not INT64_MIN <= value <= INT64_MAX:
        raise UnsafeJsonError("integer out of range")
    return value


def clean_string(value: str) -> str:
    """``value`` without lone surrogates and NUL characters."""
    if _UNSAFE_CHARS.search(value) is None:
        return value
    return _UNSAFE_CHARS.sub("", value)


def _clean(value: Any, depth: int, max_depth: int) -> Any:
    """A copy with clean strings; raises when containers nest deeper than ``max_depth``."""
    if isinstance(value, str):
        return clean_string(value)
    if isinstance(value, dict | list):
        if depth >= max_depth:
            raise UnsafeJsonError(f"nested deeper than {max_depth} levels")
        if isinstance(value, list):
            return [_clean(item, depth + 1, max_depth) for item in value]
        return {
            clean_string(key): _clean(item, depth + 1, max_depth) for key, item in value.items()
        }
    return value


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse a body (UTF-8) into JSON data the bot can store and read without surprises.

    Raises :class:`UnsafeJsonError` for anything that is not strict JSON within the limits.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise UnsafeJsonError("body is not UTF-8") from exc
    try:
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except RecursionError as exc:
        raise UnsafeJsonError("nested too deeply") from exc
    except UnsafeJsonError:
        raise
    except ValueError as exc:  # json.JSONDecodeError and int() refusals
        raise UnsafeJsonError(f"not JSON: {exc}") from exc
    return _clean(value, 0, max_depth)


async def load_body(raw: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """:func:`loads`, in a worker thread when the body is large."""
    if len(raw) > OFFLOAD_BYTES:
        return await asyncio.to_thread(loads, raw, max_depth=max_depth)
    return loads(raw, max_depth=max_depth)


async def read_body(request: web.Request, limit: int) -> bytes | None:
    """The request body, or None when it is larger than ``limit`` bytes (nothing more is read)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(_READ_CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
