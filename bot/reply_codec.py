"""Replies (and the other message dataclasses) to JSON and back, for storing them durably.

Generic over the dataclasses of :mod:`bot.messages`: each value is encoded from its fields'
type hints, so a new reply kind or a new field needs nothing here. Bytes become base64, tuples
lists, nested dataclasses objects tagged with their class name. A field missing from stored JSON
(written before the field existed) takes its default; an unknown stored field is ignored.
"""

from __future__ import annotations

import base64
import dataclasses
import types
from collections.abc import Sequence
from functools import cache
from typing import Any, Final, Literal, Union, get_args, get_origin, get_type_hints

from bot import messages
from bot.messages import Reply

Json = Any
_KIND: Final = "$type"  # not a valid field name, so it never clashes with one


class ReplyDecodeError(ValueError):
    """Stored JSON that does not describe a known message dataclass."""


@cache
def _classes() -> dict[str, type[Any]]:
    """Every dataclass defined in bot.messages, by class name."""
    found: dict[str, type[Any]] = {}
    for name, value in vars(messages).items():
        if (
            isinstance(value, type)
            and dataclasses.is_dataclass(value)
            and value.__module__ == messages.__name__
        ):
            found[name] = value
    return found


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls, vars(messages))
    return _HINTS[cls]


def encode_value(value: object) -> Json:
    """Any message dataclass (or a value inside one) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        encoded: dict[str, Json] = {_KIND: type(value).__name__}
        for item in dataclasses.fields(value):
            encoded[item.name] = encode_value(getattr(value, item.name))
        return encoded
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, tuple | list):
        return [encode_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode_value(item) for key, item in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} in a reply")


def _decode_as(hint: Any, data: Json) -> Any:
    origin = get_origin(hint)
    if hint is Any:
        return data
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        if data is None and type(None) in options:
            return None
        errors: list[Exception] = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _decode_as(option, data)
            except (ReplyDecodeError, TypeError, ValueError) as exc:
                errors.append(exc)
        raise ReplyDecodeError(f"no type of {hint} fits {data!r}: {errors}")
    if origin is Literal:
        if data not in get_args(hint):
            raise ReplyDecodeError(f"{data!r} is not one of {get_args(hint)}")
        return data
    if origin is tuple:
        if not isinstance(data, list):
            raise ReplyDecodeError(f"expected a list, got {data!r}")
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode_as(args[0], item) for item in data)
        return tuple(_decode_as(arg, item) for arg, item in zip(args, data, strict=True))
    if origin is list:
        if not isinstance(data, list):
            raise ReplyDecodeError(f"expected a list, got {data!r}")
        (arg,) = get_args(hint) or (Any,)
        return [_decode_as(arg, item) for item in data]
    if origin is dict:
        if not isinstance(data, dict):
            raise ReplyDecodeError(f"expected an object, got {data!r}")
        _key, arg = get_args(hint) or (str, Any)
        return {str(key): _decode_as(arg, item) for key, item in data.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decode_dataclass(data, hint)
    if hint is bytes:
        if not isinstance(data, str):
            raise ReplyDecodeError("bytes are stored as base64 text")
        return base64.b64decode(data.encode("ascii"), validate=True)
    if hint in (str, int, float, bool):
        if not isinstance(data, hint) or (hint is int and isinstance(data, bool)):
            raise ReplyDecodeError(f"expected {hint.__name__}, got {data!r}")
        return data
    raise TypeError(f"cannot decode a field of type {hint!r}")


def _decode_dataclass(data: Json, expected: type[Any] | None = None) -> Any:
    if not isinstance(data, dict) or not isinstance(data.get(_KIND), str):
        raise ReplyDecodeError(f"not a stored message object: {data!r}")
    cls = _classes().get(data[_KIND])
    if cls is None:
        raise ReplyDecodeError(f"unknown message kind {data[_KIND]!r}")
    if expected is not None and not issubclass(cls, expected):
        raise ReplyDecodeError(f"{cls.__name__} is not a {expected.__name__}")
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for item in dataclasses.fields(cls):
        if item.name in data:
            values[item.name] = _decode_as(hints[item.name], data[item.name])
    try:
        return cls(**values)
    except TypeError as exc:  # a required field missing
        raise ReplyDecodeError(f"incomplete {cls.__name__}: {exc}") from exc


def decode_value(data: Json) -> Any:
    """A message dataclass back from :func:`encode_value`'s output."""
    return _decode_dataclass(data)


def _is_reply(value: object) -> bool:
    return isinstance(value, get_args(Reply))


def encode_replies(replies: Sequence[Reply]) -> list[Json]:
    """A turn's replies as a JSON list."""
    return [encode_value(reply) for reply in replies]


def decode_replies(data: Json) -> list[Reply]:
    """Stored replies back as reply objects; :class:`ReplyDecodeError` when they are not."""
    if not isinstance(data, list):
        raise ReplyDecodeError("stored replies are a list")
    replies: list[Reply] = []
    for item in data:
        value = decode_value(item)
        if not _is_reply(value):
            raise ReplyDecodeError(f"{type(value).__name__} is not a reply")
        replies.append(value)
    return replies
