"""Broken copies of the knowledge base are refused with an error naming the file and field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import kb
from kb import KnowledgeBaseError, load_knowledge_base

KB_DIR = Path(kb.__file__).parent


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    for path in KB_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def edit(directory: Path, name: str, change: Callable[[Any], None]) -> None:
    """Load one YAML file of the copy, apply ``change`` to its data, and write it back."""
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_unchanged_copy_loads(kb_copy: Path) -> None:
    assert load_knowledge_base(kb_copy) == load_knowledge_base()


def test_round_trip_through_yaml_dump_still_loads(kb_copy: Path) -> None:
    for path in kb_copy.glob("*.yaml"):
        edit(kb_copy, path.name, lambda data: None)
    assert load_knowledge_base(kb_copy) == load_knowledge_base()


def test_missing_khmer(kb_copy: Path) -> None:
    edit(kb_copy, "criteria.yaml", lambda d: d["criteria"][3]["title"].pop("km"))
    with pytest.raises(KnowledgeBaseError, match=r"criteria\.yaml: criteria\[3\]\.title: .*km"):
        load_knowledge_base(kb_copy)


def test_empty_khmer(kb_copy: Path) -> None:
    edit(kb_copy, "trustmark.yaml", lambda d: d["what"].update(km="  "))
    with pytest.raises(
        KnowledgeBaseError, match=r"trustmark\.yaml: what\.km: expected a non-empty"
    ):
        load_knowledge_base(kb_copy)


def test_khmer_field_in_english(kb_copy: Path) -> None:
    edit(kb_copy, "documents.yaml", lambda d: d["documents"][0]["title"].update(km="Form"))
    with pytest.raises(KnowledgeBaseError, match=r"documents\[0\]\.title\.km: .*no Khmer script"):
        load_knowledge_base(kb_copy)


def test_khmer_in_english_field(kb_copy: Path) -> None:
    edit(kb_copy, "phases.yaml", lambda d: d["phases"][0]["fee"].update(en="ឥតគិតថ្លៃ"))
    with pytest.raises(KnowledgeBaseError, match=r"phases\[0\]\.fee\.en: .*Khmer script"):
        load_knowledge_base(kb_copy)


def test_zero_width_space(kb_copy: Path) -> None:
    edit(
        kb_copy,
        "obligations.yaml",
        lambda d: d["penalties"]["items"][0].update(km="ការ\u200bព្រមាន"),
    )
    with pytest.raises(KnowledgeBaseError, match=r"penalties\.items\[0\]\.km: .*zero-width"):
        load_knowledge_base(kb_copy)


def test_eight_criteria(kb_copy: Path) -> None:
    edit(kb_copy, "criteria.yaml", lambda d: d["criteria"].pop())
    with pytest.raises(KnowledgeBaseError, match=r"criteria\.yaml: criteria: .*exactly 9.*got 8"):
        load_knowledge_base(kb_copy)


def test_criteria_numbered_wrongly(kb_copy: Path) -> None:
    edit(kb_copy, "criteria.yaml", lambda d: d["criteria"][4].update(number=4))
    with pytest.raises(KnowledgeBaseError, match=r"criteria\.yaml: criteria: .*numbered"):
        load_knowledge_base(kb_copy)


def test_missing_fee_for_a_category(kb_copy: Path) -> None:
    edit(kb_copy, "fees.yaml", lambda d: d["fees"].pop("foreign_branch"))
    with pytest.raises(KnowledgeBaseError, match=r"fees\.yaml: fees: missing .*foreign_branch"):
        load_knowledge_base(kb_copy)


def test_fee_for_unknown_category(kb_copy: Path) -> None:
    edit(kb_copy, "fees.yaml", lambda d: d["fees"].update(cooperative=80))
    with pytest.raises(KnowledgeBaseError, match=r"fees\.yaml: fees: unknown .*cooperative"):
        load_knowledge_base(kb_copy)


def test_float_fee_is_refused(kb_copy: Path) -> None:
    edit(kb_copy, "fees.yaml", lambda d: d["fees"].update(individual=37.5))
    with pytest.raises(KnowledgeBaseError, match=r"fees\.yaml: fees\.individual: .*quoted decimal"):
        load_knowledge_base(kb_copy)


def test_quoted_decimal_fee_is_accepted(kb_copy: Path) -> None:
    edit(kb_copy, "fees.yaml", lambda d: d["fees"].update(individual="37.50"))
    fees = load_knowledge_base(kb_copy).fees
    assert str(fees.application_fee("individual")) == "37.50"
    assert str(fees.renewal_fee("individual")) == "28.125"  # exact, never rounded


def test_negative_fee_is_refused(kb_copy: Path) -> None:
    edit(kb_copy, "fees.yaml", lambda d: d["fees"].update(legal_person=-1))
    with pytest.raises(KnowledgeBaseError, match=r"fees\.legal_person: must be a positive"):
        load_knowledge_base(kb_copy)


def test_bad_waiver_range(kb_copy: Path) -> None:
    edit(kb_copy, "fees.yaml", lambda d: d["waiver"].update(months_min=12, months_max=6))
    with pytest.raises(KnowledgeBaseError, match=r"fees\.yaml: waiver: "):
        load_knowledge_base(kb_copy)


def test_short_name_too_long(kb_copy: Path) -> None:
    edit(
        kb_copy,
        "categories.yaml",
        lambda d: d["categories"][3]["short_name"].update(en="Branch of a foreign company"),
    )
    with pytest.raises(KnowledgeBaseError, match=r"categories\[3\]\.short_name\.en: 27 char"):
        load_knowledge_base(kb_copy)


def test_categories_out_of_order(kb_copy: Path) -> None:
    edit(kb_copy, "categories.yaml", lambda d: d["categories"].reverse())
    with pytest.raises(KnowledgeBaseError, match=r"categories\.yaml: categories: expected keys"):
        load_knowledge_base(kb_copy)


def test_missing_source(kb_copy: Path) -> None:
    edit(kb_copy, "documents.yaml", lambda d: d["documents"][2].pop("source"))
    with pytest.raises(
        KnowledgeBaseError, match=r"documents\.yaml: documents\[2\]: missing .*source"
    ):
        load_knowledge_base(kb_copy)


def test_source_without_section(kb_copy: Path) -> None:
    edit(kb_copy, "eligibility.yaml", lambda d: d["source"].update(section=""))
    with pytest.raises(KnowledgeBaseError, match=r"eligibility\.yaml: source\.section: "):
        load_knowledge_base(kb_copy)


def test_missing_version(kb_copy: Path) -> None:
    edit(kb_copy, "phases.yaml", lambda d: d.pop("version"))
    with pytest.raises(KnowledgeBaseError, match=r"phases\.yaml: missing field\(s\): version"):
        load_knowledge_base(kb_copy)


def test_unknown_field_is_a_typo(kb_copy: Path) -> None:
    edit(kb_copy, "criteria.yaml", lambda d: d["criteria"][0].update(evidense=[]))
    with pytest.raises(KnowledgeBaseError, match=r"criteria\[0\]: unknown field\(s\): evidense"):
        load_knowledge_base(kb_copy)


def test_documents_missing_a_letter(kb_copy: Path) -> None:
    edit(kb_copy, "documents.yaml", lambda d: d["documents"].pop(4))
    with pytest.raises(KnowledgeBaseError, match=r"documents\.yaml: documents: expected letters"):
        load_knowledge_base(kb_copy)


def test_missing_file(kb_copy: Path) -> None:
    (kb_copy / "obligations.yaml").unlink()
    with pytest.raises(KnowledgeBaseError, match=r"obligations\.yaml: file not found"):
        load_knowledge_base(kb_copy)


def test_invalid_yaml(kb_copy: Path) -> None:
    (kb_copy / "trustmark.yaml").write_text("version: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"trustmark\.yaml: invalid YAML"):
        load_knowledge_base(kb_copy)


def test_empty_evidence_list(kb_copy: Path) -> None:
    edit(kb_copy, "criteria.yaml", lambda d: d["criteria"][6].update(evidence=[]))
    with pytest.raises(KnowledgeBaseError, match=r"criteria\[6\]\.evidence: expected a non-empty"):
        load_knowledge_base(kb_copy)


def test_a_contact_detail_still_to_confirm_has_no_value(kb_copy: Path) -> None:
    def invent_a_phone(data: Any) -> None:
        phone = next(d for d in data["contacts"][0]["details"] if d["kind"] == "phone")
        phone["value"] = "+855 23 000 000"

    edit(kb_copy, "contacts.yaml", invent_a_phone)
    with pytest.raises(KnowledgeBaseError, match=r"contacts.yaml: contacts\[0\].details\[2\]"):
        load_knowledge_base(kb_copy)


def test_contact_details_have_known_kinds_and_statuses(kb_copy: Path) -> None:
    edit(kb_copy, "contacts.yaml", lambda d: d["contacts"][1]["details"][0].update(kind="fax"))
    with pytest.raises(KnowledgeBaseError, match="must be one of"):
        load_knowledge_base(kb_copy)


def test_renewal_needs_what_to_prepare(kb_copy: Path) -> None:
    edit(kb_copy, "renewal.yaml", lambda d: d.pop("prepare"))
    with pytest.raises(KnowledgeBaseError, match=r"renewal\.yaml: missing field"):
        load_knowledge_base(kb_copy)
