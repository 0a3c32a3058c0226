"""JSON form of the backend models, shared by the HTTP server and the HTTP client.

Decimals travel as strings ("100.00"), dates and times as ISO 8601, bytes as base64, enums as
their values, the owner as ``{"channel", "user_id"}``. Decoding ignores unknown keys, so a newer
server can add fields without breaking an older bot; missing optional fields take defaults.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from typing import Any, TypeVar, cast

from backend_client.models import ShopVerdict

T = TypeVar("T")


class WireError(ValueError):
    """A JSON document does not have the shape of the expected model."""


def encode(value: Any) -> Any:
    """A JSON-ready form of a model, a tuple of models, or a plain value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: encode(v) for k, v in value._asdict().items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        encoded = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, ShopVerdict):
            encoded["verdict"] = value.verdict.value  # derived, for clients in other languages
        return encoded
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    raise TypeError(f"cannot encode {type(value).__name__}")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(kind: type[T], data: Any) -> T:
    """Build a ``kind`` (a model dataclass, enum or plain type) from its JSON form."""
    return cast(T, _decode(kind, data, kind.__name__))


def _decode(kind: Any, data: Any, where: str) -> Any:
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        if data is None:
            if type(None) in typing.get_args(kind):
                return None
            raise WireError(f"{where}: null not allowed")
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return _decode(inner, data, where)
    if data is None:
        raise WireError(f"{where}: null not allowed")
    if origin is tuple:
        args = typing.get_args(kind)
        if not isinstance(data, list):
            raise WireError(f"{where}: expected a list")
        return tuple(_decode(args[0], item, f"{where}[{i}]") for i, item in enumerate(data))
    if origin in (Mapping, dict, typing.get_origin(Mapping[str, str])):
        key_type, value_type = typing.get_args(kind)
        if not isinstance(data, dict):
            raise WireError(f"{where}: expected an object")
        return {
            _decode(key_type, k, where): _decode(value_type, v, f"{where}.{k}")
            for k, v in data.items()
        }
    if isinstance(kind, type):
        return _decode_type(kind, data, where)
    raise TypeError(f"cannot decode {kind!r}")


def _decode_type(kind: type, data: Any, where: str) -> Any:
    if dataclasses.is_dataclass(kind) or (issubclass(kind, tuple) and hasattr(kind, "_fields")):
        if not isinstance(data, dict):
            raise WireError(f"{where}: expected an object")
        hints = _hints(kind)
        names = (
            [f.name for f in dataclasses.fields(kind)]
            if dataclasses.is_dataclass(kind)
            else list(kind._fields)
        )
        values = {
            name: _decode(hints[name], data[name], f"{where}.{name}")
            for name in names
            if name in data
        }
        try:
            return kind(**values)
        except TypeError as exc:
            raise WireError(f"{where}: {exc}") from exc
    try:
        if issubclass(kind, Enum):
            return kind(data)
        if kind is Decimal:
            if not isinstance(data, str | int):
                raise WireError(f"{where}: expected a decimal string")
            return Decimal(str(data))
        if kind is datetime:
            return datetime.fromisoformat(_string(data, where))
        if kind is date:
            return date.fromisoformat(_string(data, where))
        if kind is bytes:
            return base64.b64decode(_string(data, where), validate=True)
    except (ValueError, InvalidOperation, binascii.Error) as exc:
        raise WireError(f"{where}: {exc}") from exc
    if kind is float and isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    if kind is int and isinstance(data, bool):
        raise WireError(f"{where}: expected int")
    if not isinstance(data, kind):
        raise WireError(f"{where}: expected {kind.__name__}")
    return data


def _string(data: Any, where: str) -> str:
    if not isinstance(data, str):
        raise WireError(f"{where}: expected a string")
    return data
