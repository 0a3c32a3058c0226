"""Sending an application to the registry: create (or update), attach each file, submit.

Every registry call carries an idempotency key derived from the flow's key, so a retried submit
(a double tap, a turn run again, the outbox retrying after the registry was down) creates one
application, attaches each file once and submits once. The same steps serve a first
application, one reopened at an officer's request (update, then submit the *same* application)
and a renewal (start_renewal, update what changed, submit).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from backend_client import (
    ApplicationDraft,
    ApplicationStatus,
    EvidenceItem,
    OwnerKey,
    RegistryBackend,
)
from backend_client.wire import decode, encode
from bot.applications.draft import EvidenceFile
from bot.backend_outbox import OperationContext
from bot.dialogue.state import JsonValue

if TYPE_CHECKING:
    from bot.turn import Turn

log = logging.getLogger(__name__)

SUBMIT_OPERATION: Final = "application.submit"
"""The backend outbox's operation kind for a submission."""

NEW: Final = "new"
REOPENED: Final = "reopened"
RENEWAL: Final = "renewal"

ReadFile = Callable[[str], Awaitable[bytes]]
_IN_REVIEW: Final = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)


@dataclass(frozen=True, slots=True)
class Submission:
    """Everything a submission needs, JSON-serialisable for the backend outbox."""

    kind: str
    draft: ApplicationDraft
    files: tuple[EvidenceFile, ...]
    fee: Decimal
    currency: str = "USD"
    application_id: str | None = None
    certificate_id: str | None = None

    def to_json(self) -> dict[str, JsonValue]:
        """The submission as an outbox payload."""
        return {
            "kind": self.kind,
            "draft": encode(self.draft),
            "files": [f.to_json() for f in self.files],
            "fee": str(self.fee),
            "currency": self.currency,
            "application_id": self.application_id,
            "certificate_id": self.certificate_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Submission:
        """A submission read back from :meth:`to_json`."""
        return cls(
            kind=str(data["kind"]),
            draft=decode(ApplicationDraft, data["draft"]),
            files=tuple(EvidenceFile.from_json(f) for f in data.get("files") or []),
            fee=Decimal(str(data["fee"])),
            currency=str(data.get("currency") or "USD"),
            application_id=data.get("application_id") or None,
            certificate_id=data.get("certificate_id") or None,
        )


def _file_key(key: str, application_id: str, file: EvidenceFile) -> str:
    digest = hashlib.sha256(f"{application_id}|{file.target}|{file.sha256}".encode()).hexdigest()
    return f"{key}:ev:{digest[:24]}"


async def perform(
    backend: RegistryBackend,
    read_file: ReadFile,
    owner: OwnerKey,
    submission: Submission,
    key: str,
) -> dict[str, JsonValue]:
    """Run a submission against the registry; ``{"reference", "status"}`` of the application.

    Raises the backend's errors: ValidationError (what is wrong or missing) is permanent,
    BackendUnavailable means "try again later" (the outbox does).
    """
    application_id = submission.application_id
    if submission.kind == RENEWAL and application_id is None:
        assert submission.certificate_id is not None
        renewal = await backend.start_renewal(
            owner,
            submission.certificate_id,
            fee_quoted=submission.fee,
            idempotency_key=f"{key}:renew",
        )
        application_id = renewal.application_id
    if application_id is None:
        created = await backend.create_application(
            owner,
            submission.draft,
            fee_quoted=submission.fee,
            currency=submission.currency,
            idempotency_key=f"{key}:create",
        )
        application_id = created.application_id
    else:
        current = await backend.get_application(owner, application_id)
        if current.status not in _IN_REVIEW:
            # Not yet submitted (or a retry after the update got through but not the submit).
            await backend.update_application(owner, application_id, submission.draft)
    application = await backend.get_application(owner, application_id)
    held = {(e.sha256, e.criterion, e.document) for e in application.evidence}
    for file in submission.files:
        if (file.sha256, file.criterion, file.document) in held:
            continue
        data = await read_file(file.sha256)
        await backend.attach_evidence(
            owner,
            application_id,
            EvidenceItem(
                filename=file.filename,
                mime_type=file.mime_type,
                data=data,
                criterion=file.criterion,
                document=file.document,
            ),
            idempotency_key=_file_key(key, application_id, file),
        )
    submitted = await backend.submit_application(
        owner, application_id, fee_quoted=submission.fee, idempotency_key=f"{key}:submit"
    )
    log.info("application %s submitted (%s)", submitted.application_id, submission.kind)
    return {"reference": submitted.application_id, "status": submitted.status.value}


async def send_submission(
    turn: Turn, submission: Submission, key: str
) -> dict[str, JsonValue] | None:
    """Submit now, or hand the submission to the backend outbox when the registry is down.

    The result of :func:`perform` when the registry answered; None when the outbox queued it
    (it delivers the reference once sent). Without an outbox (a bare core in tests or the
    terminal) the registry is called directly and BackendUnavailable propagates.
    """
    owner = (turn.message.channel, turn.message.user_id)
    outbox = turn.services.get("backend_outbox")
    if outbox is not None:
        result: dict[str, JsonValue] | None = await outbox.perform_or_queue(
            SUBMIT_OPERATION, owner, submission.to_json(), idempotency_key=key
        )
        return result

    async def read(sha256: str) -> bytes:
        return await turn.intake.read(sha256)  # the intake is opened only when a file is sent

    return await perform(turn.backend, read, owner, submission, key)


async def perform_operation(op: OperationContext) -> dict[str, Any]:
    """The backend outbox's way in: :func:`perform` with the operation's context."""
    submission = Submission.from_json(op.payload)
    return await perform(op.backend, op.intake.read, op.owner, submission, op.key)
