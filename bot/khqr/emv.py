"""EMVCo merchant-presented QR: tag-length-value fields and the CRC-16 of tag 63.

A payload is a run of fields ``TTLLvalue``: a two-digit tag, a two-digit length in characters,
then the value; templates (tags 26-51, 62, 64, 80-99) hold fields of the same form. The last
field is ``63 04 XXXX``, the CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF) of
the UTF-8 payload up to and including ``6304``, in upper-case hexadecimal.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass

CRC_TAG = "63"
CRC_LENGTH = 4


class TlvError(ValueError):
    """The text is not a run of EMV tag-length-value fields."""


@dataclass(frozen=True, slots=True)
class Field:
    """One tag-length-value field; ``value`` is the raw text (a template's fields unparsed)."""

    tag: str
    value: str


def parse_fields(text: str) -> tuple[Field, ...]:
    """Split ``text`` into its top-level fields; TlvError when it is not a clean run of them."""
    fields: list[Field] = []
    position = 0
    while position < len(text):
        header = text[position : position + 4]
        if len(header) < 4 or not header.isdigit() or not header.isascii():
            raise TlvError(f"no tag and length at character {position}")
        tag, length = header[:2], int(header[2:])
        value = text[position + 4 : position + 4 + length]
        if len(value) != length:
            raise TlvError(f"field {tag} is cut short")
        fields.append(Field(tag, value))
        position += 4 + length
    return tuple(fields)


def field_map(fields: tuple[Field, ...]) -> dict[str, str]:
    """Fields by tag (the first of a repeated tag wins)."""
    found: dict[str, str] = {}
    for item in fields:
        found.setdefault(item.tag, item.value)
    return found


def crc16(text: str) -> str:
    """CRC-16/CCITT-FALSE of the UTF-8 text, as four upper-case hex digits."""
    return f"{binascii.crc_hqx(text.encode('utf-8'), 0xFFFF):04X}"


def crc_matches(payload: str) -> bool:
    """Whether the payload ends with ``6304`` and the right CRC of everything before it."""
    if len(payload) < 8 or payload[-8:-4] != CRC_TAG + f"{CRC_LENGTH:02d}":
        return False
    return payload[-4:].upper() == crc16(payload[:-4])


def encode_field(tag: str, value: str) -> str:
    """``TTLLvalue``; ValueError for a value longer than 99 characters."""
    if len(tag) != 2 or not tag.isdigit():
        raise ValueError(f"not an EMV tag: {tag!r}")
    if len(value) > 99:
        raise ValueError(f"field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def with_crc(payload: str) -> str:
    """The payload (without tag 63) closed by its CRC field."""
    body = payload + CRC_TAG + f"{CRC_LENGTH:02d}"
    return body + crc16(body)
