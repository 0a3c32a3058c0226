"""The Page's Messenger profile: Get Started button, greeting and persistent menu, km and en.

Messenger shows the ``km_KH`` entries to people whose Facebook is in Khmer and the
``default`` entries (English) to everyone else. Labels are the bot's own translated button
labels, so the menu says what the buttons in the chat say.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from bot.channels.graphemes import fit, text_length
from bot.channels.messenger.send_api import GraphClient
from bot.i18n import N_, NP_, _, pgettext, use_locale

log = logging.getLogger(__name__)

GET_STARTED_PAYLOAD: Final = "i:greet"
GREETING_LIMIT: Final = 160
MENU_TITLE_LIMIT: Final = 30
MENU_ITEM_LIMIT: Final = 20
# (Messenger locale, our locale): the default entry is English, Khmer-language Facebook gets km.
PROFILE_LOCALES: Final = (("default", "en"), ("km_KH", "km"))

# The persistent menu: existing button labels (context "button") and the payloads they send.
MENU_ITEMS: Final = (
    (NP_("button", "Main menu"), "nav:menu"),
    (NP_("button", "Check a shop"), "i:check_shop"),
    (NP_("button", "What is the trustmark?"), "i:about_trustmark"),
    (NP_("button", "Am I eligible?"), "i:ask_eligibility"),
    (NP_("button", "Fees"), "fee:all"),
    (NP_("button", "Documents"), "i:ask_documents"),
    (NP_("button", "The 9 criteria"), "i:ask_criteria"),
    (NP_("button", "Language"), "i:change_language"),
    (NP_("button", "Help"), "i:help"),
)
GREETING: Final = N_(
    "Ministry of Commerce assistant for the e-commerce trustmark (CETS): check a shop, who "
    "can apply, fees, documents and the 9 criteria."
)


def _greeting(locale: str) -> str:
    with use_locale(locale):
        text = _(GREETING)
    if locale != "en" and text == GREETING:
        log.warning("the %s greeting is not translated yet; the English one is used", locale)
    if text_length(text) > GREETING_LIMIT:
        log.warning("the %s greeting is longer than %d characters; cut", locale, GREETING_LIMIT)
    return fit(text, GREETING_LIMIT)


def _menu(locale: str) -> list[dict[str, str]]:
    with use_locale(locale):
        return [
            {
                "type": "postback",
                "title": fit(pgettext("button", label), MENU_TITLE_LIMIT),
                "payload": payload,
            }
            for label, payload in MENU_ITEMS[:MENU_ITEM_LIMIT]
        ]


def messenger_profile() -> dict[str, Any]:
    """The body of ``POST /me/messenger_profile`` for the CETS Page."""
    return {
        "get_started": {"payload": GET_STARTED_PAYLOAD},
        "greeting": [
            {"locale": fb_locale, "text": _greeting(locale)}
            for fb_locale, locale in PROFILE_LOCALES
        ],
        "persistent_menu": [
            {
                "locale": fb_locale,
                "composer_input_disabled": False,
                "call_to_actions": _menu(locale),
            }
            for fb_locale, locale in PROFILE_LOCALES
        ],
    }


async def set_up_page(client: GraphClient) -> dict[str, Any]:
    """Send the profile to Meta; returns what was sent."""
    profile = messenger_profile()
    await client.set_messenger_profile(profile)
    return profile
