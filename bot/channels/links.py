"""Link arguments and the core payloads they open, the same on every channel.

A badge's QR code, a shared link or a campaign points at ``t.me/<bot>?start=<argument>`` or
``m.me/<page>?ref=<argument>``. Both platforms allow only letters, digits, ``_`` and ``-`` there,
so a certificate id travels as ``cert_<id>``.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

_CERTIFICATE: Final = re.compile(r"cert_(cets-\d{4}-\d{6})", re.IGNORECASE)
NAMED_LINKS: Final = MappingProxyType(
    {"apply": "i:apply", "check": "i:check_shop", "complain": "i:complain"}
)


def payload_for_link(argument: str | None) -> str | None:
    """The core payload a link argument stands for (``cert_CETS-...``, ``apply``), else None."""
    if not argument:
        return None
    argument = argument.strip()
    certificate = _CERTIFICATE.fullmatch(argument)
    if certificate is not None:
        return f"cert:{certificate.group(1).upper()}"
    return NAMED_LINKS.get(argument.lower())
