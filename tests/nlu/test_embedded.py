"""The embedded engine: what it understands, its confidence, its cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nlu.embedded import CLARIFY_THRESHOLD, EmbeddedNlu, clarification_choices
from nlu.interface import Intent, IntentScore, ParseResult

DATA_DIR = Path(__file__).resolve().parents[2] / "nlu" / "data"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("tlai ponman", Intent.ASK_FEE),
        ("តម្លៃប៉ុន្មានបង", Intent.ASK_FEE),
        ("how much is the fee for a company", Intent.ASK_FEE),
        ("chong dak peak", Intent.APPLY),
        ("ខ្ញុំចង់ដាក់ពាក្យ", Intent.APPLY),
        ("ot ban torng eyvan", Intent.COMPLAIN),
        ("បង់លុយហើយ តែមិនទាន់បានទំនិញ", Intent.COMPLAIN),
        ("APP-2024-000123", Intent.APPLICATION_STATUS),
        ("CMP-2024-000045 ម៉េចហើយ", Intent.COMPLAINT_STATUS),
        ("is facebook.com/cheapphones legit", Intent.CHECK_SHOP),
        ("renew CETS-2023-000187", Intent.RENEW),
        ("សួស្តីបង", Intent.GREET),
        ("orkun chreun", Intent.THANKS),
        ("talk to a human please", Intent.HUMAN_AGENT),
        ("ប្តូរទៅភាសាអង់គ្លេស", Intent.CHANGE_LANGUAGE),
        ("បាទ", Intent.AFFIRM),
        ("ទេ អរគុណ", Intent.DENY),
        ("what's the weather today", Intent.OUT_OF_SCOPE),
    ],
)
def test_understands_each_writing_style(engine: EmbeddedNlu, text: str, intent: Intent) -> None:
    assert engine.parse_sync(text).intent.name == intent.value


async def test_async_parse_returns_entities_with_the_intent(engine: EmbeddedNlu) -> None:
    result = await engine.parse("is 012 345 678 a real shop?")
    assert result.intent.name == Intent.CHECK_SHOP.value
    assert result.entity_values("phone") == ["+85512345678"]
    assert result.text == "is 012 345 678 a real shop?"


def test_ranking_is_best_first_and_confidences_are_probabilities(engine: EmbeddedNlu) -> None:
    result = engine.parse_sync("ខ្ញុំចង់ដឹងពីលក្ខខណ្ឌ")
    confidences = [s.confidence for s in result.intent_ranking]
    assert result.intent == result.intent_ranking[0]
    assert confidences == sorted(confidences, reverse=True)
    assert len(result.intent_ranking) == 10
    assert 0.0 < sum(confidences) <= 1.0 + 1e-6
    assert {s.name for s in result.intent_ranking} <= {i.value for i in Intent}


def test_a_clear_message_is_above_the_clarify_threshold(engine: EmbeddedNlu) -> None:
    assert engine.parse_sync("what documents do i need").intent.confidence >= CLARIFY_THRESHOLD


def test_gibberish_is_out_of_scope(engine: EmbeddedNlu) -> None:
    assert engine.parse_sync("qzx vvv 77").intent.name == Intent.OUT_OF_SCOPE.value


def test_empty_message_is_out_of_scope(engine: EmbeddedNlu) -> None:
    result = engine.parse_sync("  \u200b ")
    assert result.intent.name == Intent.OUT_OF_SCOPE.value
    assert result.entities == ()


def test_cached_artifact_is_reused_and_gives_the_same_answers(
    engine: EmbeddedNlu, nlu_cache_dir: Path
) -> None:
    (artifact,) = nlu_cache_dir.glob("intent-model-*.npz")
    before = artifact.stat().st_mtime_ns
    reloaded = EmbeddedNlu.load(cache_dir=nlu_cache_dir)
    assert artifact.stat().st_mtime_ns == before
    for text in ["tlai ponman", "ខ្ញុំចង់ប្តឹង", "renew my certificate"]:
        assert reloaded.parse_sync(text) == engine.parse_sync(text)


def test_changed_data_rebuilds_the_artifact(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    cache_dir = tmp_path / "cache"
    EmbeddedNlu.load(data_dir, cache_dir)
    (first,) = cache_dir.glob("intent-model-*.npz")

    english = data_dir / "nlu_english.yml"
    english.write_text(
        english.read_text(encoding="utf-8").replace(
            "    - what's the weather today\n",
            "    - what's the weather today\n    - who will win the election\n",
        ),
        encoding="utf-8",
    )
    EmbeddedNlu.load(data_dir, cache_dir)
    (second,) = cache_dir.glob("intent-model-*.npz")
    assert second != first


def test_unreadable_artifact_is_rebuilt(tmp_path: Path) -> None:
    EmbeddedNlu.load(cache_dir=tmp_path)
    (artifact,) = tmp_path.glob("intent-model-*.npz")
    artifact.write_bytes(b"not a model")
    engine = EmbeddedNlu.load(cache_dir=tmp_path)
    assert engine.parse_sync("tlai ponman").intent.name == Intent.ASK_FEE.value
    assert artifact.read_bytes()[:2] == b"PK"


def test_cache_dir_defaults_to_cets_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CETS_CACHE_DIR", str(tmp_path))
    EmbeddedNlu.load()
    assert list((tmp_path / "nlu").glob("intent-model-*.npz"))


def test_clarification_offers_the_top_two_only_when_unsure(engine: EmbeddedNlu) -> None:
    sure = engine.parse_sync("what documents do i need")
    assert clarification_choices(sure) is None
    unsure = ParseResult(
        text="?",
        intent=IntentScore("apply", 0.41),
        intent_ranking=(IntentScore("apply", 0.41), IntentScore("ask_eligibility", 0.38)),
    )
    assert clarification_choices(unsure) == unsure.intent_ranking
