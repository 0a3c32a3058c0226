"""The CETS knowledge base: Khmer/English facts with versions and sources, and their loader."""

from kb.loader import KnowledgeBaseError, load_knowledge_base
from kb.model import (
    BusinessCategory,
    Criterion,
    Eligibility,
    Exclusion,
    FeeSchedule,
    KnowledgeBase,
    LocalizedText,
    Phase,
    RequiredDocument,
    Source,
    Trustmark,
)

__all__ = [
    "BusinessCategory",
    "Criterion",
    "Eligibility",
    "Exclusion",
    "FeeSchedule",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "LocalizedText",
    "Phase",
    "RequiredDocument",
    "Source",
    "Trustmark",
    "load_knowledge_base",
]
