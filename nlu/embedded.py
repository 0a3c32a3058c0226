"""The default NLU engine: in-process, no network, trained from ``nlu/data``.

The trained model is cached on disk under a key made of the data files, the lexicon and the
source of the modules that turn text into features, so editing any of them rebuilds the
artifact on the next start and nothing else does.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from pathlib import Path

from nlu.entities import DEFAULT_DATA_DIR, EntityExtractor
from nlu.features import DEFAULT_LEXICON, FEATURE_GROUPS, Lexicon, extract_features
from nlu.interface import Entity, Intent, IntentScore, ParseResult
from nlu.model import IntentModel, train_model
from nlu.normalise import normalise
from nlu.training_data import TrainingData, data_files, load_training_data

logger = logging.getLogger(__name__)

# Below this confidence the bot asks a clarifying question with the top two intents as
# buttons. Chosen from the held-out evaluation (docs/nlu.md): at 0.7 about 5% of messages are
# clarified; above it the top intent is right 98% of the time, below it only about half the
# time while the right intent is among the top two in about 80% of cases.
CLARIFY_THRESHOLD = 0.70

# How many intents ParseResult.intent_ranking lists (Rasa's default).
RANKING_LENGTH = 10

# Longer texts are parsed in a worker thread: the cost grows with length (about 1 ms per 100
# characters), and a long message must not stall every other user's turn on the event loop.
INLINE_PARSE_CHARS = 256

# Bump to force a rebuild when the artifact format changes.
ARTIFACT_VERSION = "1"

_CODE_FILES = (
    "training_data.py",
    "normalise.py",
    "phrases.py",
    "entities.py",
    "shop_query.py",
    "features.py",
    "model.py",
)
_VALID_INTENTS = frozenset(i.value for i in Intent)


def default_cache_dir() -> Path:
    """``$CETS_CACHE_DIR/nlu`` if set, else ``~/.cache/cets/nlu``."""
    root = os.environ.get("CETS_CACHE_DIR")
    return Path(root) / "nlu" if root else Path.home() / ".cache" / "cets" / "nlu"


def artifact_key(data_dir: Path, lexicon_path: Path) -> str:
    """Hash of the training data, the lexicon and the feature code (the cache key)."""
    digest = hashlib.sha256(ARTIFACT_VERSION.encode())
    here = Path(__file__).parent
    sources = [(f.relative_to(data_dir).as_posix(), f) for f in data_files([data_dir])]
    sources.append(("lexicon", lexicon_path))
    sources.extend((f"code/{name}", here / name) for name in _CODE_FILES)
    for name, path in sources:
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def clarification_choices(
    result: ParseResult, threshold: float = CLARIFY_THRESHOLD
) -> tuple[IntentScore, IntentScore] | None:
    """The top two intents to offer as buttons when the best one is below the threshold."""
    if result.intent.confidence >= threshold or len(result.intent_ranking) < 2:
        return None
    return result.intent_ranking[0], result.intent_ranking[1]


class EmbeddedNlu:
    """Character n-gram + lexicon intent classifier with rule-based entities."""

    def __init__(
        self,
        model: IntentModel,
        extractor: EntityExtractor,
        lexicon: Lexicon,
        groups: frozenset[str] = FEATURE_GROUPS,
    ) -> None:
        """Wrap a trained model; use :meth:`load` or :meth:`train` to get one."""
        unknown = set(model.classes) - _VALID_INTENTS
        if unknown:
            raise ValueError(f"model has intents outside the fixed inventory: {sorted(unknown)}")
        self.model = model
        self.extractor = extractor
        self.lexicon = lexicon
        self.groups = groups

    @classmethod
    def train(
        cls,
        data: TrainingData,
        lexicon: Lexicon | None = None,
        groups: frozenset[str] = FEATURE_GROUPS,
    ) -> EmbeddedNlu:
        """Train a fresh engine from training data in memory (no cache)."""
        lexicon = lexicon if lexicon is not None else Lexicon.load()
        extractor = EntityExtractor.from_synonyms(data.synonyms)
        features = [
            extract_features(extractor.masked(normalise(e.text)), lexicon, groups)
            for e in data.examples
        ]
        model = train_model(features, [e.intent for e in data.examples])
        return cls(model, extractor, lexicon, groups)

    @classmethod
    def load(
        cls,
        data_dir: Path | None = None,
        cache_dir: Path | None = None,
        lexicon_path: Path | None = None,
        *,
        force_train: bool = False,
    ) -> EmbeddedNlu:
        """Load the cached model for ``data_dir`` (default ``nlu/data``), training it if stale.

        The cache key covers the data files, the lexicon and the feature code, so any change
        to them retrains (about a second) and rewrites the cache; ``force_train`` always does.
        """
        started = time.perf_counter()
        data_dir = data_dir or DEFAULT_DATA_DIR
        cache_dir = cache_dir or default_cache_dir()
        lexicon_path = lexicon_path or DEFAULT_LEXICON
        key = artifact_key(data_dir, lexicon_path)
        artifact = cache_dir / f"intent-model-{key[:24]}.npz"
        data = load_training_data(data_dir)
        lexicon = Lexicon.load(lexicon_path)
        if artifact.exists() and not force_train:
            try:
                model, _ = IntentModel.load(artifact)
                engine = cls(model, EntityExtractor.from_synonyms(data.synonyms), lexicon)
                logger.info(
                    "loaded NLU model %s in %.0f ms",
                    artifact,
                    1000 * (time.perf_counter() - started),
                )
                return engine
            except (OSError, ValueError, KeyError) as error:
                logger.warning("NLU artifact %s unreadable (%s); retraining", artifact, error)
        engine = cls.train(data, lexicon)
        try:
            engine.model.save(artifact, {"key": key, "data_dir": str(data_dir)})
            for stale in cache_dir.glob("intent-model-*.npz"):
                if stale != artifact:
                    stale.unlink(missing_ok=True)
        except OSError as error:
            logger.warning("could not write NLU cache %s: %s", artifact, error)
        logger.info(
            "trained NLU model on %d examples in %.0f ms",
            len(data.examples),
            1000 * (time.perf_counter() - started),
        )
        return engine

    def classify(self, masked: str) -> tuple[IntentScore, ...]:
        """All intents, best first, for an already masked and normalised message."""
        features = extract_features(masked, self.lexicon, self.groups)
        probabilities = self.model.probabilities(features)
        order = probabilities.argsort()[::-1]
        return tuple(
            IntentScore(self.model.classes[i], round(float(probabilities[i]), 6)) for i in order
        )

    def parse_sync(self, text: str) -> ParseResult:
        """Understand one message (synchronous; a few hundred microseconds)."""
        norm = normalise(text)
        if not norm.text:
            empty = IntentScore(Intent.OUT_OF_SCOPE.value, 1.0)
            return ParseResult(text=text, intent=empty, intent_ranking=(empty,))
        spans = self.extractor.spans(norm)
        entities = tuple(
            Entity(s.entity, s.value, *norm.to_original(s.start, s.end), s.role) for s in spans
        )
        ranking = self.classify(self.extractor.masked(norm, spans))
        return ParseResult(
            text=text,
            intent=ranking[0],
            intent_ranking=ranking[:RANKING_LENGTH],
            entities=entities,
        )

    async def parse(self, text: str) -> ParseResult:
        """Understand one message: inline when short, in a worker thread when long."""
        if len(text) > INLINE_PARSE_CHARS:
            return await asyncio.to_thread(self.parse_sync, text)
        return self.parse_sync(text)

    async def close(self) -> None:
        """Nothing to release: the model is plain arrays."""
