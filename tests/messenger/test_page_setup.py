"""``cets-bot messenger setup``: Get Started, greeting and persistent menu in Khmer and English."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bot.channels.messenger.page_setup import GREETING
from bot.channels.messenger_cli import register
from bot.i18n import _, use_locale
from bot.language import contains_khmer
from tests.messenger.fake_graph_api import PAGE_TOKEN, FakeGraphApi, running_in_thread


def run_command(*argv: str) -> int:
    """Parse ``messenger ...`` as the cets-bot parser will, and run the command."""
    parser = argparse.ArgumentParser(prog="cets-bot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["messenger", *argv])
    result: int = args.func(args)
    return result


@pytest.fixture
def page_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # no .env from the working copy
    monkeypatch.setenv("MESSENGER_PAGE_ACCESS_TOKEN", PAGE_TOKEN)
    monkeypatch.setenv("MESSENGER_RETRY_BASE_SECONDS", "0.01")
    monkeypatch.delenv("MESSENGER_APP_SECRET", raising=False)  # not needed to set up the Page
    return monkeypatch


def test_setup_sends_the_profile_in_khmer_and_english(page_env: pytest.MonkeyPatch) -> None:
    with running_in_thread(FakeGraphApi()) as graph:
        page_env.setenv("MESSENGER_GRAPH_API_URL", graph.url)
        assert run_command("setup") == 0
    [call] = graph.profile_calls()
    assert call.rejected is None
    assert call.authorization == f"Bearer {PAGE_TOKEN}"
    profile = call.body
    assert profile["get_started"] == {"payload": "i:greet"}  # greeting and menu (issue 10)
    greetings = {g["locale"]: g["text"] for g in profile["greeting"]}
    assert set(greetings) == {"default", "km_KH"}
    assert "CETS" in greetings["default"] and not contains_khmer(greetings["default"])
    with use_locale("km"):
        assert greetings["km_KH"] == _(GREETING)  # the Khmer catalog's text
    menus = {m["locale"]: m["call_to_actions"] for m in profile["persistent_menu"]}
    assert set(menus) == {"default", "km_KH"}
    for locale, items in menus.items():
        assert [i["type"] for i in items] == ["postback"] * len(items)
        assert [i["payload"] for i in items] == [
            "nav:menu",
            "i:check_shop",
            "i:about_trustmark",
            "i:ask_eligibility",
            "fee:all",
            "i:ask_documents",
            "i:ask_criteria",
            "i:change_language",
            "i:help",
        ]
        titles = [i["title"] for i in items]
        assert all(len(t) <= 30 for t in titles)
        if locale == "km_KH":
            assert all(contains_khmer(t) for t in titles), titles
            assert "ពិនិត្យហាង" in titles
        else:
            assert not any(contains_khmer(t) for t in titles), titles
            assert "Fees" in titles
            assert "Check a shop" in titles
    assert "check a shop" in greetings["default"]
    assert "ពិនិត្យហាង" in greetings["km_KH"]


def test_a_rate_limit_during_setup_is_retried(page_env: pytest.MonkeyPatch) -> None:
    with running_in_thread(FakeGraphApi()) as graph:
        page_env.setenv("MESSENGER_GRAPH_API_URL", graph.url)
        graph.fail_next(status=400, code=613, path="me/messenger_profile")
        assert run_command("setup") == 0
    assert [c.rejected for c in graph.profile_calls()] == ["queued failure", None]


def test_a_refused_token_is_reported_with_a_failing_exit_code(
    page_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_in_thread(FakeGraphApi(page_token="another-token")) as graph:
        page_env.setenv("MESSENGER_GRAPH_API_URL", graph.url)
        assert run_command("setup") == 1
    error = capsys.readouterr().err
    assert "code 190" in error
    assert PAGE_TOKEN not in error


def test_setup_without_a_token_says_which_variable_is_missing(
    page_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page_env.delenv("MESSENGER_PAGE_ACCESS_TOKEN")
    assert run_command("setup") == 2
    assert "MESSENGER_PAGE_ACCESS_TOKEN" in capsys.readouterr().err


def test_dry_run_prints_the_profile_without_calling_meta(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_command("setup", "--dry-run") == 0
    profile = json.loads(capsys.readouterr().out)
    assert profile["get_started"]["payload"] == "i:greet"
