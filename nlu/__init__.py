"""Khmer and English natural-language understanding for the CETS bot."""

from nlu.interface import Entity, Intent, IntentScore, NluEngine, ParseResult

__all__ = [
    "CLARIFY_THRESHOLD",
    "Entity",
    "Intent",
    "IntentScore",
    "NluEngine",
    "ParseResult",
    "clarification_choices",
    "extract_entities",
    "open_nlu_engine",
]


def __getattr__(name: str) -> object:
    """Lazy exports, so importing the interface does not load the engine modules."""
    if name in {"CLARIFY_THRESHOLD", "clarification_choices"}:
        from nlu import embedded

        return getattr(embedded, name)
    if name == "extract_entities":
        from nlu.entities import extract_entities

        return extract_entities
    if name == "open_nlu_engine":
        from nlu.factory import open_nlu_engine

        return open_nlu_engine
    raise AttributeError(f"module 'nlu' has no attribute {name!r}")
