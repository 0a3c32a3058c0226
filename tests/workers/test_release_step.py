"""Migrations are a release step on PostgreSQL; ``--workers`` needs PostgreSQL and a channel."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.database import SchemaNotCurrent, ensure_schema
from registry.database import create_engine, current_revision, head_revision
from tests.backend.conftest import postgres_url_or_skip
from tests.workers.harness import empty_database


@pytest.mark.postgres
async def test_a_worker_refuses_an_unmigrated_database_and_says_what_to_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = postgres_url_or_skip()
    url = await empty_database(server, f"{make_url(server).database}_release")
    monkeypatch.delenv("CETS_MIGRATE_ON_START", raising=False)
    with pytest.raises(SchemaNotCurrent, match="cets-bot db upgrade"):
        await ensure_schema(url)

    monkeypatch.setenv("CETS_MIGRATE_ON_START", "1")  # an explicit opt-in migrates
    await ensure_schema(url)
    engine = create_engine(url)
    try:
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


def test_workers_need_postgresql(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CETS_DATABASE_URL", "sqlite+aiosqlite:///var/never.sqlite3")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    assert main(["run", "--workers", "2"]) == 2
    assert "--workers needs PostgreSQL" in capsys.readouterr().err


def test_workers_need_a_channel(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CETS_DATABASE_URL", "postgresql+asyncpg://cets@127.0.0.1:1/none")
    for name in ("TELEGRAM_BOT_TOKEN", "MESSENGER_PAGE_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")  # no .env
    assert main(["run", "--workers", "2"]) == 2
    assert "needs a channel" in capsys.readouterr().err
