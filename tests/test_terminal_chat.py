"""The terminal chat, run as a real process with piped input, as a newcomer would."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from backend_client import open_backend
from bot.channels.terminal import FileCommand, TerminalChat, parse_file_command, pick_button
from bot.core import ConversationCore
from bot.database import open_engine, prepare_database
from bot.dialogue.store import ConversationStore
from bot.intake import FileLimits
from bot.messages import Button, InboundMessage, Reply
from bot.settings import Settings
from kb import KnowledgeBase
from nlu.embedded import EmbeddedNlu
from tests.intake.samples import jpeg_with_gps, pdf

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def chat_env(
    tmp_path: Path, compiled_catalogs: Path, nlu_engine: object, nlu_cache_dir: Path
) -> dict[str, str]:
    """Environment of a fresh install: its own data folder, the session's trained NLU artifact."""
    env = {
        **os.environ,
        "CETS_DATA_DIR": str(tmp_path / "data"),
        "CETS_LOCALES_DIR": str(compiled_catalogs),
        "CETS_CACHE_DIR": str(nlu_cache_dir),
    }
    env.pop("CETS_DATABASE_URL", None)
    return env


def run_chat(lines: list[str], env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Pipe ``lines`` into ``cets-bot chat`` and return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", *args],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=env["CETS_DATA_DIR"].rsplit("/", 1)[0],
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_piped_english_fee_question(chat_env: dict[str, str]) -> None:
    result = run_chat(
        ["hello", "how much is the fee for a sole proprietorship?"], chat_env, "--lang", "en"
    )
    assert result.returncode == 0, result.stderr
    assert "Hello" in result.stdout
    assert "$100" in result.stdout
    assert "2 years" in result.stdout


@pytest.mark.slow
def test_numbers_pick_buttons_and_the_conversation_is_kept(chat_env: dict[str, str]) -> None:
    first = run_chat(["សួស្តី", "4"], chat_env)  # 4 = the fees button of the main menu
    assert first.returncode == 0, first.stderr
    assert "1) " in first.stdout
    assert "50$" in first.stdout and "250$" in first.stdout
    # Later runs of the same user resume the same conversation: in Khmer, mid-flow.
    second = run_chat(["តើខ្ញុំមានសិទ្ធិទេ?", "2"], chat_env)  # 2 = sole proprietorship
    assert "ជំហានទី2/4" in second.stdout
    third = run_chat(["ថយក្រោយ"], chat_env)
    assert third.returncode == 0, third.stderr
    assert "ជំហានទី1/4" in third.stdout
    other = run_chat(["hello"], chat_env, "--user", "someone-else")
    assert "Hello" in other.stdout


@pytest.mark.parametrize(
    ("locale", "hello", "label", "asked"),
    [
        ("en", "hello", "1) Check a shop", "Facebook page link"),
        ("km", "សួស្តី", "1) ពិនិត្យហាង", "ហ្វេសប៊ុក"),
    ],
)
async def test_the_terminal_menu_offers_the_shop_check_first(
    core: ConversationCore, locale: str, hello: str, label: str, asked: str
) -> None:
    output = io.StringIO()
    await core.set_language("terminal", "shopper", locale)
    await TerminalChat(
        core, user_id="shopper", stdin=io.StringIO(f"{hello}\n1\n"), stdout=output
    ).run()
    greeting, _, after = output.getvalue().partition(label)
    assert greeting and after
    assert asked in after


def test_a_typed_label_or_number_picks_the_button() -> None:
    buttons = (
        Button("ថ្លៃសេវា", "fee:all"),
        Button("Am I eligible?", "i:ask_eligibility", "Eligibility"),
    )
    assert pick_button("1", buttons) == buttons[0]
    assert pick_button(" ថ្លៃសេវា ", buttons) == buttons[0]
    assert pick_button("am i eligible?", buttons) == buttons[1]
    assert pick_button("eligibility", buttons) == buttons[1]
    assert pick_button("3", buttons) is None
    assert pick_button("how much?", buttons) is None


async def test_a_failing_message_gets_an_apology_and_the_chat_goes_on(
    tmp_path: Path, nlu_engine: EmbeddedNlu, knowledge_base: KnowledgeBase
) -> None:
    # A database without tables: every message fails inside the core.
    registry_url = f"sqlite+aiosqlite:///{tmp_path / 'registry.sqlite3'}"
    await prepare_database(registry_url)
    backend = await open_backend(backend_url=None, database_url=registry_url, bot_token=None)
    engine = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    settings = Settings(data_dir=tmp_path, database_url=registry_url)
    core = ConversationCore(
        store=ConversationStore(engine),
        nlu=nlu_engine,
        kb=knowledge_base,
        settings=settings,
        backend=backend,
        clarify_threshold=0.7,
    )
    output = io.StringIO()
    try:
        await TerminalChat(
            core, user_id="u", stdin=io.StringIO("សួស្តី\nhello\n"), stdout=output
        ).run()
    finally:
        await backend.close()
        await engine.dispose()
    assert "សូមទោស មានបញ្ហាបច្ចេកទេស។" in output.getvalue()
    assert "Sorry, something went wrong. Please try again." in output.getvalue()


@dataclass
class RecordingCore:
    """The real core, with a record of every message the terminal chat handed it."""

    core: ConversationCore
    received: list[InboundMessage] = field(default_factory=list)

    async def handle(self, message: InboundMessage) -> list[Reply]:
        self.received.append(message)
        return await self.core.handle(message)

    async def reply_locale(self, channel: str, user_id: str, text: str = "") -> str:
        return await self.core.reply_locale(channel, user_id, text)


async def chat_lines(
    core: ConversationCore, locale: str, lines: list[str], limits: FileLimits | None = None
) -> tuple[str, list[InboundMessage]]:
    """What the terminal chat prints for ``lines`` typed by a user of ``locale``."""
    await core.set_language("terminal", "u", locale)
    recording = RecordingCore(core)
    output = io.StringIO()
    stdin = io.StringIO("".join(f"{line}\n" for line in lines))
    chat = TerminalChat(recording, user_id="u", stdin=stdin, stdout=output, limits=limits)  # type: ignore[arg-type]
    await chat.run()
    return output.getvalue(), recording.received


async def test_a_file_reaches_the_core_as_an_attachment(
    core: ConversationCore, tmp_path: Path
) -> None:
    photo = tmp_path / "receipt.jpg"
    photo.write_bytes(jpeg_with_gps())
    printed, received = await chat_lines(core, "en", [f"/file {photo}"])
    [message] = received
    [attachment] = message.attachments
    assert (message.channel, message.user_id, message.text) == ("terminal", "u", "")
    assert attachment.data == photo.read_bytes()
    assert (attachment.kind, attachment.filename, attachment.mime_type) == (
        "image",
        "receipt.jpg",
        "image/jpeg",
    )
    # No form takes files yet: the core says it does not need one and offers the menu.
    assert printed.startswith("Thank you. I do not need a file right now. Please choose a topic:")
    assert "1) " in printed


async def test_a_caption_after_the_path_is_the_messages_text(
    core: ConversationCore, tmp_path: Path
) -> None:
    folder = tmp_path / "my documents"
    folder.mkdir()
    document = folder / "business registration.pdf"
    document.write_bytes(pdf())
    printed, received = await chat_lines(
        core,
        "en",
        [
            f'/file "{document}" how much is the fee for a sole proprietorship?',
            f"/file {document}",  # a path with spaces, alone on the line
        ],
    )
    first, second = received
    assert first.text == "how much is the fee for a sole proprietorship?"
    assert first.attachments[0].data == document.read_bytes()
    assert (first.attachments[0].kind, first.attachments[0].mime_type) == (
        "file",
        "application/pdf",
    )
    assert "$100" in printed
    assert second.text == "" and second.attachments[0].filename == "business registration.pdf"


@pytest.mark.parametrize(
    ("locale", "missing", "folder", "usage"),
    [
        (
            "en",
            "There is no file at nowhere/receipt.jpg.",
            "{path} is a folder, not a file.",
            "Please add the path of a file, for example: /file receipt.jpg",
        ),
        (
            "km",
            "គ្មានឯកសារនៅ nowhere/receipt.jpg ទេ។",
            "{path} ជាថតឯកសារ មិនមែនជាឯកសារទេ។",
            "សូមបញ្ចូលទីតាំងឯកសារ ឧទាហរណ៍៖ /file receipt.jpg",
        ),
    ],
)
async def test_a_path_that_is_not_a_file_is_explained_locally(
    core: ConversationCore, tmp_path: Path, locale: str, missing: str, folder: str, usage: str
) -> None:
    printed, received = await chat_lines(
        core, locale, ["/file nowhere/receipt.jpg", f"/file {tmp_path}", "/file"]
    )
    assert received == []  # nothing reached the core
    assert printed == f"{missing}\n\n{folder.format(path=tmp_path)}\n\n{usage}\n\n"


async def test_an_unreadable_or_oversize_file_is_explained_locally(
    core: ConversationCore, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(jpeg_with_gps())
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b" " * 2048)
    lines = [f"/file {big}"]
    if os.geteuid() != 0:  # root reads everything
        secret.chmod(0)
        lines.append(f"/file {secret}")
    printed, received = await chat_lines(core, "en", lines, FileLimits(max_file_bytes=1024))
    assert received == []
    expected = [
        "Sorry, this file is too large for me to receive (the limit is 0.001 MB), so please send "
        "a smaller one, such as a screenshot or a PDF with fewer pages."
    ]
    if len(lines) == 2:
        expected.append(f"I could not read the file {secret}.")
    assert printed == "".join(f"{text}\n\n" for text in expected)


def test_the_file_command_is_read_from_the_line(tmp_path: Path) -> None:
    spaced = tmp_path / "scan 1.png"
    spaced.write_bytes(b"png")
    assert parse_file_command("hello") is None
    assert parse_file_command("/files a.jpg") is None
    assert parse_file_command("/file") == FileCommand("")
    assert parse_file_command("  /file a.jpg  ") == FileCommand("a.jpg")
    assert parse_file_command("/file a.jpg is this a receipt?") == FileCommand(
        "a.jpg", "is this a receipt?"
    )
    assert parse_file_command(f"/file {spaced}") == FileCommand(str(spaced))
    assert parse_file_command(f"/file '{spaced}' ថ្លៃសេវា") == FileCommand(str(spaced), "ថ្លៃសេវា")


@pytest.mark.slow
def test_piped_file_commands(chat_env: dict[str, str], tmp_path: Path) -> None:
    photo = tmp_path / "shop front.jpg"
    photo.write_bytes(jpeg_with_gps())
    result = run_chat([f"/file {photo}", "/file missing.pdf"], chat_env, "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "Thank you. I do not need a file right now." in result.stdout
    assert "There is no file at missing.pdf." in result.stdout
