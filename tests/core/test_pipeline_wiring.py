"""The house: one token variable (the old name still works, with a warning), no import cycle
between the server and the channels, and the terminal chat shows deliveries made while it
was closed."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

import pytest

from bot.channels.terminal import TerminalChat
from bot.i18n import _, use_locale
from bot.messages import Button, TextReply
from bot.runtime import start_runtime
from bot.settings import Settings
from nlu.embedded import EmbeddedNlu


def test_the_registry_token_has_one_name_and_the_old_one_is_deprecated(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("CETS_BACKEND_TOKEN", raising=False)
    monkeypatch.setenv("CETS_REGISTRY_BOT_TOKEN", "bot-token-1")
    assert Settings.from_env(env_file=None).backend_token == "bot-token-1"

    monkeypatch.delenv("CETS_REGISTRY_BOT_TOKEN")
    monkeypatch.setenv("CETS_BACKEND_TOKEN", "old-name-token")
    with caplog.at_level(logging.WARNING):
        assert Settings.from_env(env_file=None).backend_token == "old-name-token"
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "CETS_BACKEND_TOKEN is deprecated" in warning and "CETS_REGISTRY_BOT_TOKEN" in warning
    assert "old-name-token" not in caplog.text


@pytest.mark.parametrize("module", ["bot.channels.telegram.setup", "bot.channels.messenger.setup"])
def test_a_channel_does_not_import_the_server(module: str) -> None:
    check = f"import sys, {module}; sys.exit('bot.server' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", check], check=False).returncode == 0


async def test_the_terminal_chat_prints_deliveries_made_while_it_was_closed(
    settings: Settings, nlu_engine: EmbeddedNlu
) -> None:
    del nlu_engine  # trained; the runtime loads it
    runtime = await start_runtime(settings)
    try:
        await runtime.core.set_language("terminal", "sokha", "km")
        delivery_id = await runtime.deliveries.deliver(
            "terminal",
            "sokha",
            lambda: [TextReply(_("What would you like to know?"), (Button("Menu", "nav:menu"),))],
        )
        out = io.StringIO()
        chat = TerminalChat(
            runtime.core,
            user_id="sokha",
            stdin=io.StringIO(""),
            stdout=out,
            deliveries=runtime.deliveries,
        )
        await chat.run()
        with use_locale("km"):
            assert out.getvalue() == _("What would you like to know?") + "\n  1) Menu\n\n"
        delivery = await runtime.deliveries.get(delivery_id)
        assert delivery is not None and delivery.status == "sent"

        again = io.StringIO()
        await TerminalChat(
            runtime.core,
            user_id="sokha",
            stdin=io.StringIO(""),
            stdout=again,
            deliveries=runtime.deliveries,
        ).run()
        assert again.getvalue() == ""  # shown once
    finally:
        await runtime.close()
