"""Handlers, one module per capability. ``bot.routing`` wires them together in one place."""
