"""Explicit, typed, persisted dialogue state."""
