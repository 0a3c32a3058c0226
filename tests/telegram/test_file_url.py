"""A file is fetched only from the Bot API's file URL: never a path on this machine's disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.telegram.application import TelegramBot
from bot.channels.telegram.files import FileUrlRefusedError, IncomingFile, check_file_url, download
from tests.telegram.fake_bot_api import FakeBotApi


def test_only_paths_under_the_file_url_pass(ptb_bot: TelegramBot) -> None:
    bot = ptb_bot
    check_file_url(bot, f"{bot.base_file_url}/documents/file_7.pdf")
    for path in (
        "/etc/passwd",
        "documents/file_7.pdf",
        f"{bot.base_file_url}/../../etc/passwd",
        f"{bot.base_file_url}x/documents/file_7.pdf",
        "https://evil.example/file.pdf",
        None,
    ):
        with pytest.raises(FileUrlRefusedError):
            check_file_url(bot, path)


async def test_a_getfile_answer_naming_a_local_file_is_not_read(
    ptb_bot: TelegramBot, fake_api: FakeBotApi, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not for users")
    # python-telegram-bot would read this path from disk, as for a local Bot API server.
    fake_api.add_file("doc-1", b"irrelevant", str(secret))
    incoming = IncomingFile("doc-1", "file", "secret.txt", "text/plain", None)
    with pytest.raises(FileUrlRefusedError):
        await download(ptb_bot, incoming, 1024 * 1024)
    # An ordinary file is still downloaded from the file URL.
    fake_api.add_file("doc-2", b"%PDF-1.7 ok", "documents/file_2.pdf")
    attachment = await download(
        ptb_bot, IncomingFile("doc-2", "file", "f.pdf", "application/pdf", None), 1024
    )
    assert attachment.data == b"%PDF-1.7 ok"
    assert fake_api.file_downloads == ["documents/file_2.pdf"]
