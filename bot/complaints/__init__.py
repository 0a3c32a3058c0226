"""Complaints in the chat: filing, limits and labels (the registry keeps the complaints)."""
