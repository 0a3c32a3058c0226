"""The Telegram channel: python-telegram-bot fed by our aiohttp webhook route or long polling."""
