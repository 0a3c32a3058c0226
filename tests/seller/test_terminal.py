"""The seller's journey in the terminal chat, as a newcomer runs it: ``cets-bot chat`` as a real
process with piped lines, files sent with ``/file``, the process stopped and started again in
the middle (the draft is kept), and the registry's demo data (``make run``)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from backend_client import ApplicationStatus, open_officer_backend
from bot.i18n import _, pgettext, use_locale
from kb import KnowledgeBase
from tests.seller.journeys import (
    APPLY,
    CHECK_SHOP,
    CONTINUE,
    REFERENCE,
    WRITTEN,
    Applicant,
    Files,
)
from tests.test_terminal_chat import chat_env, run_chat

__all__ = ["chat_env"]


STATUS = {"en": "my application", "km": "ពាក្យស្នើសុំរបស់ខ្ញុំ"}


def _database_url(env: dict[str, str]) -> str:
    return f"sqlite+aiosqlite:///{env['CETS_DATA_DIR']}/cets.sqlite3"


def _labels(locale: str, kb: KnowledgeBase) -> dict[str, str]:
    with use_locale(locale):
        return {
            "done": pgettext("button", "Done"),
            "not yet": pgettext("button", "I don't have this yet"),
            "yes": pgettext("button", "Yes"),
            "continue": pgettext("button", "Continue"),
            "submit": pgettext("button", "I agree, submit"),
            "retail": pgettext("button", "Online retail"),
            "sole": kb.category("sole_proprietorship").name.get(locale),
            "change": _("Change {number}"),
        }


def _files(folder: Path, files: Files) -> dict[str, Path]:
    paths = {
        "photo": folder / "contact page.jpg",
        "screenshot": folder / "orders.png",
        "warranty": folder / "warranty.pdf",
        "registration": folder / "registration.pdf",
        "reviews": folder / "reviews.jpg",
    }
    paths["photo"].write_bytes(files.photo)
    paths["screenshot"].write_bytes(files.screenshot)
    paths["warranty"].write_bytes(files.licence)
    paths["registration"].write_bytes(files.licence)
    paths["reviews"].write_bytes(files.shop_photo)
    return paths


@pytest.mark.slow
@pytest.mark.parametrize("locale", ["km", "en"])
def test_a_complete_application_in_the_terminal_with_files_and_a_restart(
    chat_env: dict[str, str], tmp_path: Path, knowledge_base: KnowledgeBase, locale: str
) -> None:
    label = _labels(locale, knowledge_base)
    applicant = Applicant(tag=f"term{locale}")
    path = _files(tmp_path, Files())
    first = run_chat(
        [
            APPLY[locale],
            label["sole"],
            applicant.registration,
            "15/03/2024",
            applicant.name_km,
            applicant.name,
            applicant.address,
            applicant.phone,
            applicant.email,
            f"{applicant.facebook} {applicant.telegram}",
            applicant.wallet,
            label["done"],
            CHECK_SHOP[locale],
            "facebook.com/some.unknown.seller",
        ],
        chat_env,
    )
    assert first.returncode == 0, first.stderr
    assert applicant.wallet in first.stdout
    # The process ends (as if the computer restarted); a new one continues the draft.
    link = applicant.link
    second = run_chat(
        [
            CONTINUE[locale],
            label["retail"],
            f"/file {path['photo']}",
            link("contact"),
            label["done"],
            f"/file {path['screenshot']}",
            WRITTEN[locale],
            label["done"],
            label["yes"],
            f"/file {path['warranty']}",
            label["done"],
            link("payment"),
            label["done"],
            link("privacy"),
            label["done"],
            label["not yet"],
            link("disputes"),
            label["done"],
            link("returns"),
            label["done"],
            link("code-of-conduct"),
            label["done"],
            f"/file {path['registration']}",
            label["done"],
            *[label["not yet"]] * 4,
            label["change"].format(number=6),
            applicant.new_address,
            label["change"].format(number=17),
            f"/file {path['reviews']}",
            label["done"],
            label["continue"],
            label["submit"],
            STATUS[locale],
        ],
        chat_env,
    )
    assert second.returncode == 0, second.stderr
    found = REFERENCE.search(second.stdout)
    assert found is not None, second.stdout[-3000:]
    with use_locale(locale):
        assert _("Fee ({category}): {amount} {validity}.").split("(")[0] in second.stdout
        status = (
            _("{reference} ({kind}): {status}, {date}.")
            .split("{date}")[0]
            .format(
                reference=found.group(0),
                kind=_("application"),
                status=_("sent, waiting for review"),
            )
        )
    assert status in second.stdout

    async def stored() -> None:
        officer = await open_officer_backend(
            backend_url=None, database_url=_database_url(chat_env), officer_token=None
        )
        try:
            (application,) = await officer.list_applications()
        finally:
            await officer.close()
        assert application.application_id == found.group(0)
        assert application.status is ApplicationStatus.SUBMITTED
        assert application.owner == ("terminal", "local")
        assert application.address == applicant.new_address
        assert {(e.criterion, e.document) for e in application.evidence} == {
            (1, None),
            (2, None),
            (3, None),
            (6, None),
            (None, "b"),
        }
        assert application.answers["criterion_2"] == WRITTEN[locale]

    asyncio.run(stored())


@pytest.mark.slow
def test_a_newcomer_with_the_demo_data_applies_and_sees_the_status(
    chat_env: dict[str, str], knowledge_base: KnowledgeBase
) -> None:
    seeded = subprocess.run(
        [sys.executable, "-m", "bot.cli", "registry", "seed-demo"],
        capture_output=True,
        text=True,
        env=chat_env,
        cwd=chat_env["CETS_DATA_DIR"].rsplit("/", 1)[0],
        timeout=120,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    result = run_chat(
        [
            "apply",
            "Sole proprietorship",
            "EC-2024-000106",  # Kampot Pepper Online, registered but not certified
            "10/01/2024",
            "Keep it",
            "Keep it",
            "Kampot market, Kampot town",
            "012 345 606",
            "Skip",
            "Done",
            "menu",
            "my application",
        ],
        chat_env,
        "--lang",
        "en",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "I found your business in the register: ម្រេចកំពត អនឡាញ / Kampot Pepper Online" in out
    assert "The register has: Kampot Pepper Online." in out
    assert "facebook.com/kampotpepperdemo" in out
    assert "Application in this chat: 9 of 25 questions answered, not sent yet." in out
