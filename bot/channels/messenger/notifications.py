"""Messages outside the 24-hour window: account updates only, never promotions.

Messenger lets a Page write first after 24 hours only with a message tag, and the only tag the
bot may use is ``ACCOUNT_UPDATE`` (a non-recurring change to the person's application or
certificate). Promotional content is not allowed under any tag, so a notification that looks
promotional is refused before it reaches Meta.
"""

from __future__ import annotations

import logging
import re
from typing import Final

from bot.channels.messenger.render import render_replies
from bot.channels.messenger.send_api import GraphClient
from bot.i18n import use_locale
from bot.messages import TextReply

log = logging.getLogger(__name__)

ALLOWED_TAGS: Final = frozenset({"ACCOUNT_UPDATE"})
# Words that mark an offer rather than an update, in English and Khmer.
_PROMOTIONAL: Final = re.compile(
    r"\b(discount|sale|promo(tion)?s?|coupon|voucher|offer|deal|% off|free gift|buy now|"
    r"limited time)\b|បញ្ចុះតម្លៃ|ប្រូម៉ូសិន|ការផ្តល់ជូនពិសេស|ឥតគិតថ្លៃ",
    re.IGNORECASE,
)


class NotificationRefused(ValueError):
    """The notification may not be sent outside the 24-hour window."""


def promotional_words(reply: TextReply) -> list[str]:
    """Words in the notification (text or button labels) that read as promotional."""
    texts = [reply.text, *(button.label for button in reply.buttons)]
    return [match.group(0) for text in texts for match in _PROMOTIONAL.finditer(text)]


async def send_account_update(
    client: GraphClient,
    psid: str,
    reply: TextReply,
    *,
    locale: str,
    tag: str = "ACCOUNT_UPDATE",
) -> None:
    """Tell a user about a change to their application or certificate, at any time.

    Sent with ``messaging_type`` ``MESSAGE_TAG`` and the ``ACCOUNT_UPDATE`` tag. Raises
    :class:`NotificationRefused` for any other tag or promotional content, and
    :class:`~bot.channels.messenger.send_api.GraphApiError` when Meta refuses it.
    """
    if tag not in ALLOWED_TAGS:
        raise NotificationRefused(f"message tag {tag!r} is not allowed; only ACCOUNT_UPDATE")
    if promotional_words(reply):
        raise NotificationRefused("promotional content may not be sent with a message tag")
    with use_locale(locale):
        messages = render_replies([reply])
    for outgoing in messages:
        await client.send_message(psid, outgoing, messaging_type="MESSAGE_TAG", tag=tag)
    log.info("account update sent")
