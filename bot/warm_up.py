"""Load at start what would otherwise be loaded in a user's first turn.

The language style model is trained, the entity extractor and the eligibility form's answer
matchers are built, and the catalogs and number formats of each locale are read on first use:
about two seconds in all, which would stall the event loop (every user, and ``/healthz``)
during the first messages after a start.
"""

from __future__ import annotations

from decimal import Decimal

from bot.answers.eligibility_options import parse_activity, parse_category
from bot.i18n import SUPPORTED_LOCALES, _, format_riel, format_usd, use_locale
from bot.language import analyse


def warm_up() -> None:
    """Build the cached models and formats now (synchronous; run it in a thread)."""
    analyse("hello tlai ponman សួស្តី")
    parse_category("sole proprietor")
    parse_activity("goods")
    for locale in SUPPORTED_LOCALES:
        with use_locale(locale):
            format_usd(Decimal("1.5"))
            format_riel(Decimal(4000))
            _("Sorry, something went wrong. Please try again.")
