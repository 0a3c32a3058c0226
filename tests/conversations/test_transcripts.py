"""Whole conversations, written as data (``transcripts/*.yml``), driven through the real core.

Each transcript is a list of turns: what the user types (``say``) or presses (``press`` with a
button payload, ``tap`` with a button label), then what every reply of that turn must show:
``locale`` (all replies in that one language), ``contains`` and ``omits`` (texts, button labels
and cards included). The core is the real one: SQLite, the embedded NLU, the knowledge base,
the catalogs, and for ``seed: demo`` the registry's documented demo shops.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.channels.collecting import CollectingChannel
from bot.channels.text_render import reply_as_text
from bot.core import ConversationCore
from bot.database import open_engine
from bot.messages import Reply
from bot.settings import Settings
from registry.demo import seed_demo
from tests.language_check import language_problems

TRANSCRIPTS = Path(__file__).parent / "transcripts"
# Links, domains, handles and quoted names are written as they are in every language.
_ADDRESS = re.compile(
    r"(?:https?://)?[\w.-]+\.[a-z]{2,}(?:/\S*)?|@\w+|t\.me/\S+|“[^”]*”", re.IGNORECASE
)
_WORD = re.compile(r"[A-Za-z]+|[\u1780-\u17FF\u19E0-\u19FF]+")


def assert_one_language(replies: list[Reply], locale: str) -> None:
    """Every reply in ``locale`` only, links and handles aside."""
    for reply in replies:
        text = reply_as_text(reply)
        allowed = {w for m in _ADDRESS.finditer(text) for w in _WORD.findall(m.group())}
        problems = [w for w in language_problems(reply, locale) if w not in allowed]
        assert not problems, f"{locale} reply mixes languages {problems}: {text}"


@dataclass(frozen=True, slots=True)
class Turn:
    """One user action and what the bot's replies to it must show."""

    say: str | None = None
    press: str | None = None
    tap: str | None = None
    locale: str | None = None
    contains: tuple[str, ...] = ()
    omits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Transcript:
    """A named conversation from one file."""

    name: str
    file: str
    turns: tuple[Turn, ...]
    language_code: str | None = None
    seed: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


def _turn(raw: dict[str, Any]) -> Turn:
    unknown = set(raw) - {"say", "press", "tap", "locale", "contains", "omits"}
    assert not unknown, f"unknown turn keys {unknown}"
    actions = [k for k in ("say", "press", "tap") if k in raw]
    assert len(actions) == 1, f"a turn needs exactly one of say/press/tap: {raw}"
    return Turn(
        say=raw.get("say"),
        press=raw.get("press"),
        tap=raw.get("tap"),
        locale=raw.get("locale"),
        contains=tuple(raw.get("contains", ())),
        omits=tuple(raw.get("omits", ())),
    )


def load_transcripts() -> list[Transcript]:
    """Every conversation of every transcript file."""
    found: list[Transcript] = []
    for path in sorted(TRANSCRIPTS.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in document["conversations"]:
            found.append(
                Transcript(
                    name=str(raw["name"]),
                    file=path.name,
                    turns=tuple(_turn(t) for t in raw["turns"]),
                    language_code=raw.get("language_code"),
                    seed=raw.get("seed"),
                )
            )
    return found


ALL = load_transcripts()


def test_every_writing_style_has_transcripts() -> None:
    files = {t.file for t in ALL}
    assert {"khmer.yml", "english.yml", "romanized.yml", "mixed.yml"} <= files
    assert len(ALL) >= 20


async def _seed(settings: Settings) -> None:
    engine = open_engine(settings.database_url)
    async with async_sessionmaker(engine).begin() as session:
        await seed_demo(session)
    await engine.dispose()


@pytest.mark.parametrize("transcript", ALL, ids=[f"{t.file}:{t.name}" for t in ALL])
async def test_transcript(
    transcript: Transcript, core: ConversationCore, settings: Settings
) -> None:
    if transcript.seed == "demo":
        await _seed(settings)
    chat = CollectingChannel(core, user_id="transcript", language_code=transcript.language_code)
    for number, turn in enumerate(transcript.turns, start=1):
        if turn.say is not None:
            replies = await chat.say(turn.say)
            action = f"say {turn.say!r}"
        elif turn.press is not None:
            replies = await chat.press_payload(turn.press)
            action = f"press {turn.press!r}"
        else:
            assert turn.tap is not None
            replies = await chat.press(turn.tap)
            action = f"tap {turn.tap!r}"
        shown = "\n".join(reply_as_text(r) for r in replies)
        where = f"turn {number} ({action}) of {transcript.name!r}; the bot said:\n{shown}"
        assert replies, f"no reply at {where}"
        if turn.locale is not None:
            assert_one_language(replies, turn.locale)
        for text in turn.contains:
            assert text in shown, f"missing {text!r} at {where}"
        for text in turn.omits:
            assert text not in shown, f"unexpected {text!r} at {where}"
