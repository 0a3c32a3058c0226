"""Filing a complaint with the registry: the payload the wizard builds, the outbox operation
that files it (now, or once the registry is back) and what the user is told afterwards."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

from backend_client import ComplaintCategory, ComplaintDraft, EvidenceItem, PaymentMethod
from bot import keyboards
from bot.backend_outbox import OPERATIONS, Operation, OperationContext
from bot.i18n import _, pgettext
from bot.messages import Button, Reply, TextReply

log = logging.getLogger(__name__)

KIND: Final = "complaint.file"
"""The backend outbox's name for filing a complaint."""


def draft_from_payload(payload: dict[str, Any], files: Sequence[EvidenceItem]) -> ComplaintDraft:
    """The registry's complaint draft from the wizard's JSON payload and the evidence bytes."""
    amount = payload.get("amount")
    happened = payload.get("incident_date")
    method = payload.get("payment_method")
    anonymous = bool(payload.get("anonymous", True))
    return ComplaintDraft(
        shop_reference=str(payload["shop"]),
        category=ComplaintCategory(payload["category"]),
        description=str(payload["description"]),
        amount=Decimal(str(amount)) if amount is not None else None,
        currency=str(payload.get("currency") or "USD"),
        payment_method=PaymentMethod(method) if method else None,
        payment_provider=payload.get("payment_provider") or None,
        anonymous=anonymous,
        complainant_name=None if anonymous else (payload.get("complainant_name") or None),
        contact_allowed=bool(payload.get("contact_allowed", False)),
        incident_date=date.fromisoformat(happened) if happened else None,
        links=tuple(str(link) for link in payload.get("links") or ()),
        evidence=tuple(files),
    )


async def file_complaint(op: OperationContext) -> dict[str, Any]:
    """Read the evidence from the file intake and file the complaint, with the flow's key."""
    files = []
    for item in op.payload.get("evidence") or ():
        data = await op.intake.read(str(item["sha256"]))
        files.append(
            EvidenceItem(
                filename=str(item.get("filename") or "evidence"),
                mime_type=str(item["mime_type"]),
                data=data,
            )
        )
    complaint = await op.backend.file_complaint(
        op.owner, draft_from_payload(op.payload, files), idempotency_key=op.key
    )
    log.info("complaint filed (%d files)", len(files))
    return {"reference": complaint.complaint_id}


def next_steps() -> str:
    """What happens after a complaint is received."""
    return _(
        "What happens next: an officer of the Ministry of Commerce reviews it and may forward "
        "it to the shop. You will get a message here each time its status changes. The "
        "Ministry never asks you for money or passwords in this chat."
    )


def after_filing_buttons() -> tuple[Button, ...]:
    """Where a user can go once their complaint is in."""
    return (
        Button(pgettext("button", "My complaints"), "i:complaint_status"),
        keyboards.menu_button(),
    )


def received_replies(reference: str) -> list[Reply]:
    """The complaint is with the registry: its reference and what happens next."""
    return [
        TextReply(
            "\n".join(
                (
                    _("Your complaint has been received. Its reference is {reference}.").format(
                        reference=reference
                    ),
                    next_steps(),
                )
            ),
            after_filing_buttons(),
        )
    ]


def _notify(result: dict[str, Any], payload: dict[str, Any]) -> Sequence[Reply]:
    """Told once a complaint kept during an outage has reached the registry."""
    del payload
    reference = str(result.get("reference", ""))
    return [
        TextReply(
            "\n".join(
                (
                    _(
                        "The complaint you sent while our registry was unavailable has now been "
                        "received. Its reference is {reference}."
                    ).format(reference=reference),
                    next_steps(),
                )
            ),
            after_filing_buttons(),
        )
    ]


def _notify_failure(message: str, payload: dict[str, Any]) -> Sequence[Reply]:
    """Told when the registry refused, for good, a complaint kept during an outage."""
    del message, payload
    return [
        TextReply(
            _(
                "Sorry, the registry could not accept the complaint you sent while it was "
                "unavailable. Please make it again, or talk to an officer."
            ),
            (
                Button(pgettext("button", "Complain"), "i:complain"),
                Button(pgettext("button", "Talk to an officer"), "i:human_agent"),
            ),
        )
    ]


FILE_COMPLAINT = OPERATIONS.register(
    Operation(kind=KIND, perform=file_complaint, notify=_notify, notify_failure=_notify_failure)
)
