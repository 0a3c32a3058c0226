"""Alembic: one history for the registry's and the bot's tables, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from backend_client import BackendUnavailable, BusinessRecord
from bot.tables import bot_metadata as conversation_metadata
from registry.database import (
    alembic_config,
    create_engine,
    default_database_url,
    upgrade_database,
)
from registry.embedded import EmbeddedOfficer, open_store
from registry.models import registry_metadata


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, [registry_metadata, conversation_metadata]))


async def _assert_schema_matches_models(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    assert {
        "businesses",
        "applications",
        "certificates",
        "complaints",
        "conversations",
        "stored_files",
    } <= tables
    assert differences == []


async def test_sqlite_migrates_to_exactly_the_models(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'dir' / 'cets.sqlite3'}"
    upgrade_database(url)  # from inside a running loop: runs in a helper thread
    upgrade_database(url)  # and again: nothing to do
    await _assert_schema_matches_models(url)


@pytest.mark.postgres
async def test_postgres_migrates_to_exactly_the_models(postgres_url: str) -> None:
    await _assert_schema_matches_models(postgres_url)


async def test_an_unmigrated_database_is_refused_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailable, match="registry migrate"):
        await open_store(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")


def test_default_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CETS_DATABASE_URL", raising=False)
    monkeypatch.setenv("CETS_DATA_DIR", "/srv/cets")
    assert default_database_url() == "sqlite+aiosqlite:////srv/cets/cets.sqlite3"
    monkeypatch.delenv("CETS_DATA_DIR")
    assert default_database_url() == "sqlite+aiosqlite:///var/cets.sqlite3"
    monkeypatch.setenv("CETS_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    assert default_database_url() == "postgresql+asyncpg://u@h/db"


async def test_the_name_index_is_rebuilt_across_migrations(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cets.sqlite3'}"
    upgrade_database(url)
    store = await open_store(url)
    try:
        await EmbeddedOfficer(store).import_businesses(
            [BusinessRecord("EC-1", "Bopha Silk", "បុប្ផា សូត្រ")], officer="dara"
        )
    finally:
        await store.close()
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0002")
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    store = await open_store(url)
    try:
        (match,) = await EmbeddedOfficer(store).find_shops("បុប្ផា")
    finally:
        await store.close()
    assert match.shop.registration_no == "EC-1"


@pytest.mark.postgres
async def test_a_database_restart_costs_no_failed_request(postgres_url: str) -> None:
    store = await open_store(postgres_url)
    killer = create_engine(postgres_url)
    try:
        officer = EmbeddedOfficer(store)
        await officer.find_shops("warm up the pool")
        async with killer.connect() as connection:
            killed = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        assert killed >= 1
        assert await officer.find_shops(f"nobody-{killed}.example.org") == ()
        await officer.import_businesses([BusinessRecord("EC-RESTART", "Restart Shop")], officer="x")
    finally:
        await killer.dispose()
        await store.close()


async def test_stored_websites_become_their_domain(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cets.sqlite3'}"
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0003")
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO businesses (id, name, basic_phase_eligible, source, created_at,"
                    " updated_at) VALUES (1, 'Web Shop', 0, 'import', '2025-01-01', '2025-01-01')"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO business_identifiers (business_id, kind, value, display) VALUES"
                    " (1, 'website', 'webshop.com.kh/home', 'https://www.webshop.com.kh/home'),"
                    " (1, 'website', 'webshop.com.kh', 'webshop.com.kh'),"
                    " (1, 'website', 'shopee.com.kh/web/item', 'shopee.com.kh/web/item'),"
                    " (1, 'facebook', 'share', 'https://www.facebook.com/share/1AbC/'),"
                    " (1, 'facebook', 'webshop', 'facebook.com/webshop')"
                )
            )
    finally:
        await engine.dispose()
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    store = await open_store(url)
    try:
        officer = EmbeddedOfficer(store)
        (match,) = await officer.find_shops("https://m.webshop.com.kh/cart?x=1")
        assert sorted((i.kind.value, i.value) for i in match.shop.identifiers) == [
            ("facebook", "webshop"),
            ("website", "shopee.com.kh/web"),
            ("website", "webshop.com.kh"),
        ]
    finally:
        await store.close()
