"""The CETS chatbot: a channel-neutral conversation core with Telegram, Messenger and terminal adapters."""
