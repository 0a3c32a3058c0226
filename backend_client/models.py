"""Typed, immutable results and inputs of the registry operations.

These dataclasses are what the bot sees of registry state, whichever backend serves it (the
embedded store or the HTTP client). Inputs the bot builds (drafts, evidence) live here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple


class Owner(NamedTuple):
    """Who a record belongs to: a user on one channel, e.g. ``Owner("telegram", "12345")``."""

    channel: str
    user_id: str


class IdentifierKind(StrEnum):
    """Kinds of identifier under which a shop shows itself online or takes payment."""

    FACEBOOK = "facebook"  # page or profile user name, e.g. facebook.com/sokhafashion
    FACEBOOK_ID = "facebook_id"  # numeric page or profile id
    TELEGRAM = "telegram"  # handle, e.g. t.me/sokhafashion
    WEBSITE = "website"  # host plus path, without scheme, www., query or trailing slash
    PHONE = "phone"  # E.164, e.g. +85512345678
    PAYMENT = "payment"  # payment account, e.g. a Bakong account id sokha@aclb


class BusinessCategory(StrEnum):
    """Legal form of the applicant, which sets the proposed fee."""

    INDIVIDUAL = "individual"
    SOLE_PROPRIETORSHIP = "sole_proprietorship"
    LEGAL_PERSON = "legal_person"
    FOREIGN_BRANCH = "foreign_branch"


class ApplicationKind(StrEnum):
    """A first application or the short renewal form of an existing certificate."""

    NEW = "new"
    RENEWAL = "renewal"


class ApplicationStatus(StrEnum):
    """Where an application stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    MORE_INFO_REQUESTED = "more_info_requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class CertificateStatus(StrEnum):
    """Effective status of a trustmark certificate on the day it is read."""

    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


class ComplaintStatus(StrEnum):
    """Where a consumer complaint stands."""

    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    FORWARDED_TO_BUSINESS = "forwarded_to_business"
    RESOLVED = "resolved"
    REJECTED = "rejected"


class ComplaintCategory(StrEnum):
    """What went wrong, as the consumer describes it."""

    NON_DELIVERY = "non_delivery"
    NOT_AS_DESCRIBED = "not_as_described"
    DEFECTIVE = "defective"
    REFUND_REFUSED = "refund_refused"
    FRAUD = "fraud"
    MISUSE_OF_MARK = "misuse_of_mark"
    PERSONAL_DATA = "personal_data"  # the shop misused the consumer's personal data
    OTHER = "other"


class PaymentMethod(StrEnum):
    """How the consumer paid."""

    CASH_ON_DELIVERY = "cash_on_delivery"
    BANK_TRANSFER = "bank_transfer"
    BAKONG_KHQR = "bakong_khqr"
    CARD = "card"
    E_WALLET = "e_wallet"
    OTHER = "other"


class SubjectType(StrEnum):
    """Kind of record a status change is about."""

    APPLICATION = "application"
    COMPLAINT = "complaint"
    CERTIFICATE = "certificate"


class MatchKind(StrEnum):
    """How a shop lookup found a business."""

    IDENTIFIER = "identifier"
    CERTIFICATE_ID = "certificate_id"
    REGISTRATION_NO = "registration_no"
    NAME = "name"


class Verdict(StrEnum):
    """One-word answer to "can I trust this shop?", derived from the facts of a verdict."""

    CERTIFIED = "certified"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"
    BLACKLISTED = "blacklisted"
    REGISTERED_NOT_CERTIFIED = "registered_not_certified"
    UNKNOWN = "unknown"


CRITERIA: tuple[int, ...] = tuple(range(1, 10))
"""The nine CETS criteria, each needing evidence or a written answer."""

DOCUMENTS: tuple[str, ...] = ("a", "b", "c", "d", "e", "f", "g")
"""Letters of the documents listed on the application form."""


@dataclass(frozen=True, slots=True)
class Identifier:
    """One normalised identifier of a shop, with the text it was declared as."""

    kind: IdentifierKind
    value: str
    display: str = ""


@dataclass(frozen=True, slots=True)
class Certificate:
    """A trustmark certificate as it stands today."""

    certificate_id: str
    registration_no: str | None
    business_name: str
    status: CertificateStatus
    issued_on: date
    valid_from: date
    valid_until: date
    suspended_until: date | None = None
    revoked_on: date | None = None
    status_reason: str | None = None
    renewal_count: int = 0
    covered_identifiers: tuple[Identifier, ...] = ()


@dataclass(frozen=True, slots=True)
class ShopVerdict:
    """The facts the bot needs to tell a consumer whether a shop is certified."""

    business_id: int
    registration_no: str | None
    name: str
    name_km: str | None
    category: BusinessCategory | None
    identifiers: tuple[Identifier, ...]
    certificate: Certificate | None
    open_complaints: int
    verified_complaints: int
    blacklisted: bool
    blacklist_reason: str | None = None
    warnings: int = 0
    basic_phase_eligible: bool = False

    @property
    def verdict(self) -> Verdict:
        """Summarise the facts, the blacklist winning over any certificate."""
        if self.blacklisted:
            return Verdict.BLACKLISTED
        if self.certificate is not None:
            return {
                CertificateStatus.VALID: Verdict.CERTIFIED,
                CertificateStatus.SUSPENDED: Verdict.SUSPENDED,
                CertificateStatus.REVOKED: Verdict.REVOKED,
                CertificateStatus.EXPIRED: Verdict.EXPIRED,
            }[self.certificate.status]
        if self.registration_no:
            return Verdict.REGISTERED_NOT_CERTIFIED
        return Verdict.UNKNOWN

    @property
    def covered_identifiers(self) -> tuple[Identifier, ...]:
        """Identifiers the certificate is bound to (empty without a certificate)."""
        return self.certificate.covered_identifiers if self.certificate else ()


@dataclass(frozen=True, slots=True)
class ShopMatch:
    """One result of a shop lookup: the verdict and how the query matched it."""

    shop: ShopVerdict
    matched_by: MatchKind
    score: float = 1.0
    matched_identifier: Identifier | None = None

    @property
    def identifier_covered(self) -> bool | None:
        """Whether the identifier the user gave is one the certificate covers (None: by name)."""
        if self.matched_identifier is None:
            return None
        key = (self.matched_identifier.kind, self.matched_identifier.value)
        return any((i.kind, i.value) == key for i in self.shop.covered_identifiers)


@dataclass(frozen=True, slots=True)
class PublicCertificate:
    """A certificate as the public register shows it, to anyone: no owner or complainant data.

    ``certificate`` is the one asked for (not necessarily the business's newest); the counts and
    the blacklist flag are the business's as of today.
    """

    certificate: Certificate
    name: str
    name_km: str | None
    verified_complaints: int
    blacklisted: bool


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """A file given as evidence: for an application, per criterion (1-9) or document (a-g)."""

    filename: str
    mime_type: str
    data: bytes
    criterion: int | None = None
    document: str | None = None


@dataclass(frozen=True, slots=True)
class StoredEvidence:
    """What the registry keeps about an evidence file (the bytes come from get_evidence)."""

    evidence_id: int
    filename: str
    mime_type: str
    size: int
    sha256: str
    criterion: int | None
    document: str | None
    added_at: datetime


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One status change of an application, complaint or certificate, for its owner."""

    change_id: int
    subject_type: SubjectType
    subject_id: str
    owner: Owner | None
    old_status: str | None
    new_status: str
    note: str | None
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class StatusChangePage:
    """Status changes after a cursor; pass ``cursor`` back to get the next ones."""

    changes: tuple[StatusChange, ...]
    cursor: int


@dataclass(frozen=True, slots=True)
class ApplicationDraft:
    """Fields of an application form; ``None`` leaves a field as it is on update."""

    business_name: str | None = None
    business_name_km: str | None = None
    category: BusinessCategory | None = None
    registration_no: str | None = None
    registered_on: date | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    activity_type: str | None = None
    identifiers: tuple[str, ...] | None = None
    code_of_conduct_declared: bool | None = None
    answers: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Application:
    """A trustmark application (or renewal) as its owner may see it."""

    application_id: str
    kind: ApplicationKind
    status: ApplicationStatus
    owner: Owner
    business_name: str | None
    business_name_km: str | None
    category: BusinessCategory | None
    registration_no: str | None
    registered_on: date | None
    address: str | None
    phone: str | None
    email: str | None
    activity_type: str | None
    identifiers: tuple[Identifier, ...]
    code_of_conduct_declared: bool
    answers: Mapping[str, str]
    fee_quoted: Decimal | None
    currency: str
    evidence: tuple[StoredEvidence, ...]
    history: tuple[StatusChange, ...]
    certificate_id: str | None
    renewal_of: str | None
    decision_note: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ComplaintDraft:
    """What a consumer tells the bot when filing a complaint.

    ``anonymous`` means the seller may not learn who complained; ``complainant_name`` is the
    name the complainant agreed to show the seller (never kept for an anonymous complaint).
    ``contact_allowed``: an officer may contact the complainant about it (in the chat).
    ``payment_provider`` names the bank or wallet (e.g. "ABA", "Wing"); ``links`` are pages
    given as evidence (the seller's post, a chat link).
    """

    shop_reference: str
    category: ComplaintCategory
    description: str
    amount: Decimal | None = None
    currency: str = "USD"
    payment_method: PaymentMethod | None = None
    anonymous: bool = False
    evidence: tuple[EvidenceItem, ...] = field(default=())
    incident_date: date | None = None
    payment_provider: str | None = None
    links: tuple[str, ...] = ()
    contact_allowed: bool = False
    complainant_name: str | None = None


@dataclass(frozen=True, slots=True)
class Complaint:
    """A consumer complaint as its complainant may see it."""

    complaint_id: str
    owner: Owner
    shop_reference: str
    shop_identifier: Identifier | None
    registration_no: str | None
    shop_name: str | None
    category: ComplaintCategory
    description: str
    amount: Decimal | None
    currency: str
    payment_method: PaymentMethod | None
    anonymous: bool
    status: ComplaintStatus
    evidence: tuple[StoredEvidence, ...]
    history: tuple[StatusChange, ...]
    created_at: datetime
    updated_at: datetime
    incident_date: date | None = None
    payment_provider: str | None = None
    links: tuple[str, ...] = ()
    contact_allowed: bool = False
    complainant_name: str | None = None
    shop_name_km: str | None = None


@dataclass(frozen=True, slots=True)
class BusinessRecord:
    """An already registered e-commerce business, as imported from the ministry's register."""

    registration_no: str
    name: str
    name_km: str | None = None
    category: BusinessCategory | None = None
    registered_on: date | None = None
    identifiers: tuple[Identifier, ...] = ()  # re-normalised on import from display or value
    address: str | None = None


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Outcome of an import: how many businesses were created, updated or refused, and why."""

    created: int
    updated: int
    errors: tuple[str, ...] = ()
