"""Typed, immutable knowledge-base records about the Cambodia E-commerce Trustmark Scheme.

Every user-visible text carries Khmer and English side by side, and every fact carries the
slide it comes from. Records are built only by :func:`kb.loader.load_knowledge_base`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A text in Khmer and English; Khmer is the default language."""

    km: str
    en: str

    def get(self, locale: str) -> str:
        """Return the English text for an ``en...`` locale, otherwise the Khmer text."""
        return self.en if locale.lower().startswith("en") else self.km


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact comes from: the document and its slide or section title."""

    document: str
    section: str


@dataclass(frozen=True, slots=True)
class BusinessCategory:
    """A kind of business that may apply (individual, sole proprietorship, ...)."""

    key: str
    name: LocalizedText
    short_name: LocalizedText
    description: LocalizedText
    source: Source


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """The application and renewal fees, as proposed; editable data, not final policy."""

    status: str
    label: LocalizedText
    version: str
    source: Source
    currency: str
    fees: Mapping[str, Decimal]
    validity_years: int
    renewal_percent: Decimal
    waiver_months_min: int
    waiver_months_max: int
    waiver_active: bool
    khr_per_usd: Decimal
    exchange_rate_note: LocalizedText
    notes: tuple[LocalizedText, ...]

    def application_fee(self, category: str) -> Decimal:
        """Return the application fee for one validity period; KeyError if unknown."""
        try:
            return self.fees[category]
        except KeyError:
            raise KeyError(f"no fee for business category {category!r}") from None

    def renewal_fee(self, category: str) -> Decimal:
        """Return the renewal fee: the application fee times ``renewal_percent`` / 100."""
        amount = self.application_fee(category) * self.renewal_percent / Decimal(100)
        # Show whole cents (37.50, not 37.5) but never round a value that has finer digits.
        cents = amount.quantize(_CENT)
        return cents if cents == amount else amount


@dataclass(frozen=True, slots=True)
class Criterion:
    """One of the 9 CETS criteria, with the evidence that satisfies it."""

    number: int
    title: LocalizedText
    short_title: LocalizedText
    description: LocalizedText
    evidence: tuple[LocalizedText, ...]
    applicable_always: bool
    source: Source


@dataclass(frozen=True, slots=True)
class RequiredDocument:
    """A document the applicant submits, lettered a to g as on the slide."""

    letter: str
    title: LocalizedText
    description: LocalizedText
    source: Source


@dataclass(frozen=True, slots=True)
class Phase:
    """One of the phases under discussion (basic, intermediate, full)."""

    number: int
    name: LocalizedText
    who: LocalizedText
    fee: LocalizedText
    source: Source


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A kind of business the scheme does not cover."""

    key: str
    text: LocalizedText
    source: Source


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Who may apply, with the legal definitions behind it."""

    summary: LocalizedText
    eligible_categories: tuple[str, ...]
    service_provider: LocalizedText
    intermediary: LocalizedText
    exclusions: tuple[Exclusion, ...]
    cross_border: LocalizedText
    licence_advice: LocalizedText
    source: Source


@dataclass(frozen=True, slots=True)
class Trustmark:
    """What the trustmark is, who issues it, its legal basis, validity and process."""

    what: LocalizedText
    issuer: LocalizedText
    voluntary: LocalizedText
    legal_basis: tuple[LocalizedText, ...]
    validity: LocalizedText
    process: tuple[LocalizedText, ...]
    consumer_services: LocalizedText
    source: Source


CONTACT_KINDS = ("website", "cets_portal", "phone", "email", "address", "complaint_channel")
CONTACT_STATUSES = ("sourced", "proposed", "to_confirm")


@dataclass(frozen=True, slots=True)
class ContactDetail:
    """One way to reach an office; ``value`` is None while it is still to be confirmed."""

    kind: str  # one of CONTACT_KINDS
    value: str | None
    status: str  # one of CONTACT_STATUSES

    @property
    def confirmed(self) -> bool:
        """True when a source gives it (as a fact or as the announced plan)."""
        return self.status != "to_confirm"


@dataclass(frozen=True, slots=True)
class Contact:
    """An office users may contact: the Ministry, the consumer-protection directorate."""

    key: str
    name: LocalizedText
    role: LocalizedText
    details: tuple[ContactDetail, ...]
    source: Source


@dataclass(frozen=True, slots=True)
class Renewal:
    """How and when a certificate is renewed, and what to prepare (the fee is in fees)."""

    validity: LocalizedText
    how: LocalizedText
    prepare: tuple[LocalizedText, ...]
    source: Source


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """Everything the bot knows about CETS, loaded and validated from the YAML files."""

    version: str
    trustmark: Trustmark
    eligibility: Eligibility
    categories: tuple[BusinessCategory, ...]
    fees: FeeSchedule
    criteria: tuple[Criterion, ...]
    documents: tuple[RequiredDocument, ...]
    phases: tuple[Phase, ...]
    obligations: tuple[LocalizedText, ...]
    penalties: tuple[LocalizedText, ...]
    phases_note: LocalizedText
    obligations_source: Source
    penalties_source: Source
    contacts: tuple[Contact, ...]
    renewal: Renewal

    def category(self, key: str) -> BusinessCategory:
        """Return the business category with this key; KeyError if unknown."""
        for category in self.categories:
            if category.key == key:
                return category
        raise KeyError(f"unknown business category {key!r}")

    def contact(self, key: str) -> Contact:
        """Return the contact with this key; KeyError if unknown."""
        for contact in self.contacts:
            if contact.key == key:
                return contact
        raise KeyError(f"unknown contact {key!r}")
