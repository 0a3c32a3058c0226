"""The Facebook Messenger channel, straight on the Messenger Platform's HTTP interfaces.

``setup.setup_messenger`` adds the webhook to the bot's aiohttp server; ``page_setup`` sets the
Page's Get Started button, greeting and persistent menu (``cets-bot messenger setup``).
See docs/messenger.md.
"""
