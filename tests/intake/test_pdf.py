"""PDF documents: recognised from their content and kept byte for byte."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.intake import FileIntake
from bot.messages import Attachment
from tests.intake.conftest import stored_rows
from tests.intake.samples import pdf


async def test_a_pdf_is_accepted_and_kept_as_sent(intake: FileIntake, engine: AsyncEngine) -> None:
    document = pdf(pages=3)
    stored = await intake.take(
        Attachment(kind="file", filename="registration", mime_type="", data=document)
    )
    assert (stored.kind, stored.mime_type, stored.filename) == (
        "pdf",
        "application/pdf",
        "registration.pdf",
    )
    assert await intake.read(stored.sha256) == document
    assert stored.size == len(document)
    again = await intake.take(
        Attachment(kind="file", filename="reg.pdf", mime_type="application/pdf", data=document)
    )
    assert again.sha256 == stored.sha256 and await stored_rows(engine) == 1


async def test_a_pdf_with_only_an_owner_password_opens_and_is_accepted(
    intake: FileIntake,
) -> None:
    document = pdf(password="")  # encrypted, but any reader opens it without asking
    stored = await intake.take(
        Attachment(
            kind="file", filename="statement.pdf", mime_type="application/pdf", data=document
        )
    )
    assert stored.kind == "pdf"


async def test_a_pdf_sent_as_a_photo_is_typed_pdf(intake: FileIntake) -> None:
    stored = await intake.take(
        Attachment(kind="image", filename="photo.jpg", mime_type="image/jpeg", data=pdf())
    )
    assert (stored.kind, stored.filename) == ("pdf", "photo.pdf")
