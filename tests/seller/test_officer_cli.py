"""Officers can review: ``cets-bot registry applications show APP-…`` lists every answer and
evidence item; ``cets-bot registry evidence get ID -o FILE`` exports a file (embedded, and over
the reference server); ``request-info --item`` names what the bot reopens."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from backend_client import Owner
from backend_client.http_client import HttpRegistryBackend
from bot.applications.draft import requested_items
from registry.database import upgrade_database
from registry.embedded import EmbeddedBackend, open_store
from tests.backend.conftest import reference_server
from tests.backend.support import BOT_TOKEN, OFFICER_TOKEN, ServerProcess
from tests.backend.test_cli import run_cli
from tests.seller.registry_data import PHOTO, submitted

__all__ = ["reference_server"]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("CETS_BACKEND_URL", raising=False)
    url = f"sqlite+aiosqlite:///{tmp_path / 'cets.sqlite3'}"
    upgrade_database(url)
    return url


def _submitted(db: str, owner: Owner, tag: str) -> str:
    async def make() -> str:
        store = await open_store(db)
        try:
            return await submitted(EmbeddedBackend(store), owner, tag)
        finally:
            await store.close()

    return asyncio.run(make())


def test_an_application_is_shown_in_full_and_its_evidence_exported(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    application_id = _submitted(db, Owner("telegram", "8001"), "neem")
    code, out, err = run_cli(
        capsys, "registry", "applications", "show", application_id, "--database-url", db
    )
    assert code == 0, err
    for line in (
        f"{application_id}  submitted",
        "  name (Latin): Neem Shop",
        "  name (Khmer): ហាងសុខា",
        "  category: sole_proprietorship",
        "  address: #12, St. 271, Phnom Penh",
        "  phone: +85512345678",
        "  email: owner@example.com",
        "  activity: online_retail",
        "  code of conduct declared: yes",
        "  covers: facebook:neemshopdemo",
        "  covers: telegram:neemshop_demo",
        "  answer criterion_2: https://neem.example.com/2",
        "  answer criterion_9: https://neem.example.com/9",
    ):
        assert line in out, (line, out)
    (evidence,) = [line for line in out.splitlines() if line.startswith("  evidence #")]
    assert "criterion 1: storefront.png (image/png" in evidence
    evidence_id = evidence.split("#")[1].split()[0]

    target = tmp_path / "exported.png"
    code, out, err = run_cli(
        capsys, "registry", "evidence", "get", evidence_id, "-o", str(target), "--database-url", db
    )
    assert code == 0, err
    assert target.read_bytes() == PHOTO
    assert f"wrote {target} ({len(PHOTO)} bytes, image/png, criterion 1, storefront.png)" in out
    code, _, err = run_cli(
        capsys, "registry", "evidence", "get", "999999", "-o", str(target), "--database-url", db
    )
    assert code == 1 and "no evidence" in err
    # "applications" alone still lists.
    code, out, _ = run_cli(capsys, "registry", "applications", "--database-url", db)
    assert code == 0 and application_id in out


def test_request_info_items_are_what_the_bot_reopens(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    application_id = _submitted(db, Owner("telegram", "8002"), "sage")
    code, _, err = run_cli(
        capsys,
        "registry",
        "request-info",
        application_id,
        "--note",
        "The refund page is empty.",
        "--item",
        "c8",
        "--item",
        "b",
        "--item",
        "address",
        "--database-url",
        db,
        "--officer",
        "dara",
    )
    assert code == 0, err
    code, out, _ = run_cli(
        capsys, "registry", "applications", "show", application_id, "--database-url", db
    )
    note = "The refund page is empty.\nItems: criterion 8, document (b), address"
    assert f"decision note: {note}" in out
    assert requested_items(note) == ["c8", "db", "addr"]


def test_evidence_is_exported_over_the_reference_server(
    capsys: pytest.CaptureFixture[str],
    reference_server: ServerProcess,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    async def make() -> str:
        bot = HttpRegistryBackend(reference_server.url, BOT_TOKEN)
        try:
            return await submitted(bot, Owner("telegram", "8003"), "clove")
        finally:
            await bot.close()

    application_id = asyncio.run(make())
    monkeypatch.setenv("CETS_REGISTRY_OFFICER_TOKEN", OFFICER_TOKEN)
    url = ("--backend-url", reference_server.url)
    code, out, err = run_cli(capsys, "registry", "applications", "show", application_id, *url)
    assert code == 0, err
    evidence_id = next(
        line.split("#")[1].split()[0] for line in out.splitlines() if "evidence #" in line
    )
    target = tmp_path / "over-http.png"
    code, _, err = run_cli(
        capsys, "registry", "evidence", "get", evidence_id, "-o", str(target), *url
    )
    assert code == 0, err
    assert target.read_bytes() == PHOTO
