"""The real knowledge base loads and holds exactly the facts in DOMAIN.md, in both languages."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path

import pytest

import kb
from kb import (
    Criterion,
    KnowledgeBase,
    LocalizedText,
    RequiredDocument,
    Source,
    load_knowledge_base,
)

KHMER = re.compile("[\u1780-\u17ff\u19e0-\u19ff]")
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
WORKSHOP = "CETS validation workshop, Phnom Penh, 16-17 Oct 2024"
# The source documents sit in shared/ beside the repository (as on developer machines and in CI).
REFERENCE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "reference"
    / "cets-validation-workshop-2024.md"
)
LATIN_WORD = re.compile("[A-Za-z]+")
KHMER_DIGIT = re.compile("[\u17e0-\u17e9]")
# Latin words a Khmer reply may contain (a subset of tests/language_check.py's allowance).
LATIN_ALLOWED_IN_KHMER = frozenset({"CETS", "USD", "KHR", "URL", "SSL", "ASEAN"})


@pytest.fixture(scope="module")
def knowledge_base() -> KnowledgeBase:
    return load_knowledge_base()


def walk(value: object, path: str) -> Iterator[tuple[str, object]]:
    """Yield every nested value of a record with a readable path."""
    yield path, value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from walk(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from walk(item, f"{path}[{i}]")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from walk(item, f"{path}[{key!r}]")


def texts(knowledge_base: KnowledgeBase) -> list[tuple[str, LocalizedText]]:
    return [(p, v) for p, v in walk(knowledge_base, "kb") if isinstance(v, LocalizedText)]


def test_loads_from_the_package_directory_without_caching(knowledge_base: KnowledgeBase) -> None:
    again = load_knowledge_base(Path(kb.__file__).parent)
    assert again == knowledge_base
    assert again is not knowledge_base
    assert knowledge_base.version


def test_fees_are_the_proposed_workshop_schedule(knowledge_base: KnowledgeBase) -> None:
    fees = knowledge_base.fees
    assert fees.status == "proposed"
    assert "proposed" in fees.label.en.lower()
    assert "not yet final" in fees.label.en
    assert fees.version
    assert fees.currency == "USD"
    assert dict(fees.fees) == {
        "individual": Decimal(50),
        "sole_proprietorship": Decimal(100),
        "legal_person": Decimal(200),
        "foreign_branch": Decimal(250),
    }
    assert fees.validity_years == 2
    assert fees.renewal_percent == Decimal(75)
    assert (fees.waiver_months_min, fees.waiver_months_max) == (6, 12)
    assert fees.waiver_active is False
    assert fees.khr_per_usd > 0
    assert fees.source.section.startswith("Possible Fee Structure Table")
    assert any("size" in note.en for note in fees.notes)


@pytest.mark.parametrize(
    ("category", "application", "renewal"),
    [
        ("individual", "50", "37.50"),
        ("sole_proprietorship", "100", "75.00"),
        ("legal_person", "200", "150.00"),
        ("foreign_branch", "250", "187.50"),
    ],
)
def test_application_and_renewal_fees(
    knowledge_base: KnowledgeBase, category: str, application: str, renewal: str
) -> None:
    fees = knowledge_base.fees
    assert fees.application_fee(category) == Decimal(application)
    assert fees.renewal_fee(category) == Decimal(renewal)
    assert str(fees.renewal_fee(category)) == renewal
    assert isinstance(fees.renewal_fee(category), Decimal)


def test_unknown_category_is_a_key_error(knowledge_base: KnowledgeBase) -> None:
    with pytest.raises(KeyError):
        knowledge_base.fees.application_fee("cooperative")
    with pytest.raises(KeyError):
        knowledge_base.fees.renewal_fee("cooperative")
    with pytest.raises(KeyError):
        knowledge_base.category("cooperative")


def test_fee_table_cannot_be_changed_at_runtime(knowledge_base: KnowledgeBase) -> None:
    with pytest.raises(TypeError):
        knowledge_base.fees.fees["individual"] = Decimal(0)  # type: ignore[index]


def test_categories(knowledge_base: KnowledgeBase) -> None:
    keys = ("individual", "sole_proprietorship", "legal_person", "foreign_branch")
    assert tuple(c.key for c in knowledge_base.categories) == keys
    assert knowledge_base.eligibility.eligible_categories == keys
    assert knowledge_base.category("legal_person").name.km == "នីតិបុគ្គល"
    assert knowledge_base.category("individual").name.km == "រូបវន្តបុគ្គល"
    assert knowledge_base.category("sole_proprietorship").name.km == "សហគ្រាសឯកបុគ្គល"
    assert knowledge_base.category("foreign_branch").name.km == "សាខាក្រុមហ៊ុនបរទេស"


def test_nine_criteria_and_only_warranties_are_conditional(knowledge_base: KnowledgeBase) -> None:
    criteria = knowledge_base.criteria
    assert [c.number for c in criteria] == list(range(1, 10))
    assert [c.number for c in criteria if not c.applicable_always] == [3]
    assert "warrant" in criteria[2].title.en.lower()
    assert "Code of Conduct" in criteria[8].title.en
    assert all(c.evidence for c in criteria)


def test_documents_a_to_g(knowledge_base: KnowledgeBase) -> None:
    assert [d.letter for d in knowledge_base.documents] == list("abcdefg")
    assert "registration" in knowledge_base.documents[1].title.en.lower()


def test_three_phases(knowledge_base: KnowledgeBase) -> None:
    phases = knowledge_base.phases
    assert [p.number for p in phases] == [1, 2, 3]
    assert [p.name.en for p in phases] == ["Basic", "Intermediate", "Full"]
    assert phases[0].fee.en == "No additional fee"
    assert "discussion" in knowledge_base.phases_note.en


def test_trustmark_and_eligibility_facts(knowledge_base: KnowledgeBase) -> None:
    trustmark = knowledge_base.trustmark
    assert "2 years" in trustmark.validity.en
    assert "voluntary" in trustmark.voluntary.en.lower()
    assert "Ministry of Commerce" in trustmark.issuer.en
    assert "ក្រសួងពាណិជ្ជកម្ម" in trustmark.issuer.km
    assert len(trustmark.process) == 5
    assert any("Prakas 290" in law.en for law in trustmark.legal_basis)
    assert "searchable" in trustmark.consumer_services.en
    eligibility = knowledge_base.eligibility
    assert [e.key for e in eligibility.exclusions] == ["insurance"]
    assert "គ្រឹះស្ថានធានារ៉ាប់រង" in eligibility.exclusions[0].text.km
    assert "Sub-Decree 134" in eligibility.licence_advice.en


def test_obligations_and_penalties(knowledge_base: KnowledgeBase) -> None:
    assert any("packaging" in o.en for o in knowledge_base.obligations)
    penalties = [p.en.lower() for p in knowledge_base.penalties]
    assert len(penalties) == 5
    for word in ("warning", "suspension", "revocation", "financial", "blacklist"):
        assert any(word in p for p in penalties), word


def test_every_text_is_khmer_and_english(knowledge_base: KnowledgeBase) -> None:
    found = texts(knowledge_base)
    assert len(found) > 100
    for path, text in found:
        assert KHMER.search(text.km), f"{path}.km has no Khmer script"
        assert not KHMER.search(text.en), f"{path}.en contains Khmer script"
        for language, value in (("km", text.km), ("en", text.en)):
            assert value == value.strip() and value, f"{path}.{language}"
            assert not INVISIBLE.search(value), f"{path}.{language} has a zero-width character"
            assert "  " not in value, f"{path}.{language} has a double space"


def test_khmer_texts_stay_khmer(knowledge_base: KnowledgeBase) -> None:
    for path, text in texts(knowledge_base):
        latin = set(LATIN_WORD.findall(text.km)) - LATIN_ALLOWED_IN_KHMER
        assert not latin, f"{path}.km has Latin words {sorted(latin)}"
        # The bot formats amounts and years with Western digits ("2 ឆ្នាំ", "100$"); match it.
        assert not KHMER_DIGIT.search(text.km), f"{path}.km uses Khmer digits"


def test_the_trustmark_has_one_khmer_name(knowledge_base: KnowledgeBase) -> None:
    for path, text in texts(knowledge_base):
        if "trustmark" in text.en.lower():
            assert "ស្លាកសញ្ញាទុកចិត្ត" in text.km, path


def test_short_labels_fit_messenger_quick_replies(knowledge_base: KnowledgeBase) -> None:
    labels = [c.short_name for c in knowledge_base.categories]
    labels += [c.short_title for c in knowledge_base.criteria]
    for label in labels:
        assert 0 < len(label.km) <= 20, label.km
        assert 0 < len(label.en) <= 20, label.en


def test_titles_are_short(knowledge_base: KnowledgeBase) -> None:
    titled: list[Criterion | RequiredDocument] = [
        *knowledge_base.criteria,
        *knowledge_base.documents,
    ]
    for item in titled:
        assert len(item.title.km) <= 60 and len(item.title.en) <= 60, item.title


def test_every_fact_has_a_workshop_source(knowledge_base: KnowledgeBase) -> None:
    sources = [(p, v) for p, v in walk(knowledge_base, "kb") if isinstance(v, Source)]
    assert len(sources) >= 1 + 1 + 1 + 4 + 1 + 9 + 7 + 3 + 2
    for path, source in sources:
        assert source.document == WORKSHOP, path


def test_every_source_names_a_slide_of_the_reference(knowledge_base: KnowledgeBase) -> None:
    if not REFERENCE.exists():
        pytest.skip(f"the reference document is not beside the repository ({REFERENCE})")
    reference = REFERENCE.read_text(encoding="utf-8")
    sources = [(p, v) for p, v in walk(knowledge_base, "kb") if isinstance(v, Source)]
    for path, source in sources:
        for section in source.section.split("; "):
            assert section in reference, f"{path}: slide {section!r} not in the reference"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "en"), ("en-US", "en"), ("EN_gb", "en"), ("km", "km"), ("", "km"), ("fr", "km")],
)
def test_localized_text_defaults_to_khmer(locale: str, expected: str) -> None:
    text = LocalizedText(km="ខ្មែរ", en="English")
    assert text.get(locale) == {"km": "ខ្មែរ", "en": "English"}[expected]


def test_records_are_immutable(knowledge_base: KnowledgeBase) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        knowledge_base.criteria[0].number = 10  # type: ignore[misc]


def test_contacts_show_only_sourced_details(knowledge_base: KnowledgeBase) -> None:
    ministry = knowledge_base.contact("ministry")
    assert ministry.name.en == "Ministry of Commerce"
    shown = {d.kind: d.value for d in ministry.details if d.confirmed}
    assert shown["website"] == "moc.gov.kh"
    unconfirmed = {d.kind for d in ministry.details if not d.confirmed}
    assert {"phone", "email", "address"} <= unconfirmed
    assert all(d.value is None for d in ministry.details if not d.confirmed)
    assert knowledge_base.contact("consumer_protection").role.en.startswith("Handles")


def test_renewal_facts(knowledge_base: KnowledgeBase) -> None:
    renewal = knowledge_base.renewal
    assert "2 years" in renewal.validity.en
    assert "short" in renewal.how.en
    assert len(renewal.prepare) >= 3
