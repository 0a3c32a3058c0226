"""The CETS knowledge base: Khmer/English facts with versions and sources, and their loader."""

from kb.loader import KnowledgeBaseError, load_knowledge_base
from kb.model import (
    BusinessCategory,
    Contact,
    ContactDetail,
    Criterion,
    Eligibility,
    Exclusion,
    FeeSchedule,
    KnowledgeBase,
    LocalizedText,
    Phase,
    Renewal,
    RequiredDocument,
    Source,
    Trustmark,
)

__all__ = [
    "BusinessCategory",
    "Contact",
    "ContactDetail",
    "Criterion",
    "Eligibility",
    "Exclusion",
    "FeeSchedule",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "LocalizedText",
    "Phase",
    "Renewal",
    "RequiredDocument",
    "Source",
    "Trustmark",
    "load_knowledge_base",
]
