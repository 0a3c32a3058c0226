"""The journeys' driver over the Telegram webhook: real update payloads to the bot's server,
answers read from what it sent to the fake Bot API."""

from __future__ import annotations

import itertools

from bot.messages import AttachmentKind
from tests.telegram.conftest import RunningBot, StartBot, TelegramUser, new_user
from tests.telegram.fake_bot_api import ApiCall, FakeBotApi

_files = itertools.count(1)


class TelegramDriver:
    """A Telegram user of a bot started for real (webhook mode)."""

    def __init__(
        self, start_bot: StartBot, fake_api: FakeBotApi, language_code: str | None
    ) -> None:
        self._start_bot = start_bot
        self._fake = fake_api
        self._language_code = language_code
        self.bot: RunningBot | None = None
        self.user: TelegramUser | None = None
        self.last: list[ApiCall] = []

    async def start(self) -> TelegramDriver:
        """Start the bot and make up a new user."""
        self.bot = await self._start_bot()
        self.user = new_user(self.bot, self._language_code)
        return self

    def _user(self) -> TelegramUser:
        assert self.user is not None, "call start() first"
        return self.user

    async def say(self, text: str) -> None:
        """Type a message."""
        user = self._user()
        self.last = await user.say(user.text(text))

    async def press(self, payload: str) -> None:
        """Tap the button with this callback data under the bot's last answer."""
        user = self._user()
        for call in reversed(self.last):
            if any(b.get("callback_data") == payload for b in call.buttons()):
                self.last = await user.say(user.callback(payload, call))
                return
        raise LookupError(f"{payload!r} is not offered; offered: {self.payloads()}")

    async def press_anywhere(self, payload: str) -> None:
        """Tap a button under any message the bot sent (e.g. a notification's)."""
        user = self._user()
        for call in reversed(user.messages()):
            if any(b.get("callback_data") == payload for b in call.buttons()):
                self.last = await user.say(user.callback(payload, call))
                return
        raise LookupError(f"{payload!r} was never offered")

    async def send_file(
        self, data: bytes, filename: str, mime_type: str, kind: AttachmentKind
    ) -> None:
        """Send a photo (Telegram's compressed kind) or a document, served by the fake."""
        user = self._user()
        number = next(_files)
        file_id = f"seller-file-{number}"
        if kind == "image":
            body = user.payload("message_photo")
            body["message"]["photo"] = [
                {
                    "file_id": file_id,
                    "file_unique_id": f"unique{number}",
                    "file_size": len(data),
                    "width": 640,
                    "height": 480,
                }
            ]
            self._fake.add_file(file_id, data, f"photos/{number}.jpg")
        else:
            body = user.payload("message_document")
            body["message"]["document"] = {
                "file_name": filename,
                "mime_type": mime_type,
                "file_id": file_id,
                "file_unique_id": f"unique{number}",
                "file_size": len(data),
            }
            self._fake.add_file(file_id, data, f"documents/{number}-{filename}")
        body["message"]["message_id"] = body["update_id"]
        self.last = await user.say(body)

    async def share_phone(self, phone: str) -> None:
        """Tap "share my phone number": Telegram sends the user's own contact card."""
        user = self._user()
        body = user.payload("message_text")
        message = body["message"]
        message.pop("text", None)
        message["message_id"] = body["update_id"]
        message["contact"] = {"phone_number": phone, "first_name": "Test", "user_id": user.user_id}
        self.last = await user.say(body)

    async def restart(self) -> None:
        """Stop the bot's server and start a new one on the same database."""
        assert self.bot is not None
        await self.bot.stop()
        self.bot = await self._start_bot()
        self._user().bot = self.bot

    def text(self) -> str:
        """The text of the bot's last answer, as the user reads it."""
        return "\n".join(
            str((call.result or {}).get("text", "")) if isinstance(call.result, dict) else ""
            for call in self.last
        )

    def payloads(self) -> list[str]:
        """The callback data of the buttons under the bot's last answer."""
        return [
            str(b["callback_data"]) for c in self.last for b in c.buttons() if "callback_data" in b
        ]
