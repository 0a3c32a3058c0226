"""One engine factory for the bot's tables and the registry's: every SQLite connection the bot
uses (async and its synchronous units of work) runs in WAL mode with a busy timeout, so a
writer waits for the lock instead of failing with "database is locked". The one exception is
the units of work run on the event loop, which must never wait: they give up at once and run
again in a thread with the busy timeout (tests/core/test_transactions.py)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.database import Transactions, open_engine, prepare_database
from bot.settings import Settings
from registry.database import create_engine


def _pragmas(session: Session) -> tuple[str, int]:
    mode = session.execute(text("PRAGMA journal_mode")).scalar_one()
    timeout = session.execute(text("PRAGMA busy_timeout")).scalar_one()
    return str(mode), int(timeout)


async def test_the_bots_and_the_registrys_connections_use_wal_and_a_busy_timeout(
    settings: Settings,
) -> None:
    await prepare_database(settings.database_url)
    bot_engine = open_engine(settings.database_url)
    registry_engine = create_engine(settings.database_url)
    try:
        for engine in (bot_engine, registry_engine):
            async with engine.connect() as connection:
                mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
                timeout = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
            assert (str(mode).lower(), timeout) == ("wal", 30000)
        units = Transactions(bot_engine)  # the inbox, deliveries and dialogue store use these
        try:
            mode, timeout = await units.write(_pragmas)
            assert (mode.lower(), timeout) == ("wal", 0)  # on the event loop: never waits
            mode, timeout = await units.read(_pragmas)
            assert (mode.lower(), timeout) == ("wal", 0)
        finally:
            await units.close()
    finally:
        await bot_engine.dispose()
        await registry_engine.dispose()
