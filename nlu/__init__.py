"""Khmer and English natural-language understanding for the CETS bot."""

from nlu.interface import Entity, Intent, IntentScore, NluEngine, ParseResult

__all__ = ["Entity", "Intent", "IntentScore", "NluEngine", "ParseResult"]
