"""The webhook bodies' JSON loader: strict JSON within limits, strings made storable."""

from __future__ import annotations

import json

import pytest

from bot.channels.safe_json import INT64_MAX, INT64_MIN, MAX_DEPTH, UnsafeJsonError, loads


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": -Infinity}',
        b'{"date": 1e400}',
        b'{"id": -1e999}',
        ("1" * 5000).encode(),
        str(INT64_MAX + 1).encode(),
        str(INT64_MIN - 1).encode(),
        nested(960).encode(),
        nested(100_000).encode(),
        ('{"a":' * 40 + "1" + "}" * 40).encode(),
        nested(MAX_DEPTH + 1).encode(),
        b"\xff\xfe{}",
        '{"a": "caf\u00e9"}'.encode("latin-1"),
    ],
)
def test_refused_bodies(body: bytes) -> None:
    with pytest.raises(UnsafeJsonError):
        loads(body)


def test_limits_themselves_are_accepted() -> None:
    assert loads(nested(MAX_DEPTH)) is not None
    assert loads(f"[{INT64_MAX}, {INT64_MIN}, 1.5e300, -0.0]") == [
        INT64_MAX,
        INT64_MIN,
        1.5e300,
        -0.0,
    ]


def test_lone_surrogates_and_nul_are_dropped_from_values_and_keys() -> None:
    body = b'{"text": "hi \\ud800there\\u0000", "k\\udfff": ["\\udc00x"], "ok": "\\ud83d\\ude00"}'
    value = loads(body)
    assert value == {"text": "hi there", "k": ["x"], "ok": "\U0001f600"}
    json.dumps(value).encode("utf-8")  # storable as UTF-8


def test_a_real_update_is_read_unchanged() -> None:
    update = {
        "update_id": 10,
        "message": {"message_id": 1, "date": 1700000000, "text": "សួស្តី hello", "chat": {}},
    }
    assert loads(json.dumps(update).encode()) == update
