"""Talking to an officer: a conversation handed to the officers' Telegram forum and back."""
