"""Reading NLU examples, synonyms, regexes and lookup tables in Rasa 3.x YAML format."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# [text](entity), [text](entity:value), [text]{"entity": ...}, [text]{"entity": ...}(...)
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\{[^}]*\}|\([^)]*\))+")


class TrainingDataError(ValueError):
    """A training data file is not valid Rasa NLU YAML."""


@dataclass(frozen=True, slots=True)
class Example:
    """One user message labelled with its intent; ``source`` is the file it came from."""

    text: str
    intent: str
    source: str = ""


@dataclass(slots=True)
class TrainingData:
    """Everything an NLU data directory holds."""

    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)

    def intents(self) -> list[str]:
        """Intent names that have at least one example, sorted."""
        return sorted({e.intent for e in self.examples})


def strip_annotations(text: str) -> str:
    """The plain message text of a Rasa example, without entity markup."""
    return _ANNOTATION.sub(lambda m: m.group("text"), text)


def _example_lines(block: Any, where: str) -> list[str]:
    """The items of an ``examples`` field (a ``- item`` block string or a list of dicts)."""
    if isinstance(block, str):
        lines: list[str] = []
        for raw in block.splitlines():
            line = raw.strip()
            if not line:
                continue
            if not line.startswith("- "):
                raise TrainingDataError(f"{where}: example line does not start with '- ': {raw!r}")
            lines.append(line[2:].strip())
        return lines
    if isinstance(block, list):
        return [str(item["text"]).strip() for item in block if isinstance(item, dict)]
    raise TrainingDataError(f"{where}: 'examples' must be a string block or a list")


def _data_files(path: Path) -> list[Path]:
    """The YAML files of a data path (a file or a directory, searched recursively)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise TrainingDataError(f"{path}: no such file or directory")
    return sorted(p for p in path.rglob("*") if p.suffix in {".yml", ".yaml"} and p.is_file())


def data_files(paths: Iterable[Path]) -> list[Path]:
    """All YAML data files under the given files or directories, in a stable order."""
    found: list[Path] = []
    for path in paths:
        found.extend(_data_files(path))
    return found


def load_training_data(*paths: Path) -> TrainingData:
    """Read Rasa NLU YAML from files or directories into one :class:`TrainingData`."""
    data = TrainingData()
    for file in data_files(paths):
        _load_file(file, data)
    return data


def _load_file(file: Path, data: TrainingData) -> None:
    """Add the contents of one YAML file to ``data``."""
    with file.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if document is None:
        return
    if not isinstance(document, dict):
        raise TrainingDataError(f"{file}: top level must be a mapping")
    items = document.get("nlu") or []
    if not isinstance(items, list):
        raise TrainingDataError(f"{file}: 'nlu' must be a list")
    for index, item in enumerate(items):
        where = f"{file}: nlu[{index}]"
        if not isinstance(item, dict):
            raise TrainingDataError(f"{where}: each entry must be a mapping")
        lines = _example_lines(item.get("examples", ""), where)
        if "intent" in item:
            intent = str(item["intent"])
            data.examples.extend(
                Example(strip_annotations(line), intent, file.name) for line in lines
            )
        elif "synonym" in item:
            data.synonyms.setdefault(str(item["synonym"]), []).extend(lines)
        elif "regex" in item:
            data.regexes.setdefault(str(item["regex"]), []).extend(lines)
        elif "lookup" in item:
            data.lookups.setdefault(str(item["lookup"]), []).extend(lines)
        else:
            raise TrainingDataError(f"{where}: expected intent, synonym, regex or lookup")
