"""The bilingual glossary: ``corpus/glossary.yaml`` maps English and colloquial Korean words onto
the report's own vocabulary for lexical query expansion."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from chatbot.documents.corpus import read_yaml
from chatbot.programs.matching import is_latin, latin_pattern

GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True)
class GlossaryEntry:
    ko: tuple[str, ...]
    triggers: tuple[str, ...]   # English and colloquial Korean words that stand for ``ko``

    @property
    def pattern(self) -> re.Pattern:
        """One compiled alternation: English terms on word edges, Korean ones anywhere."""
        parts = [latin_pattern(t) if is_latin(t) else re.escape(t) for t in self.triggers]
        return re.compile("|".join(parts) or r"(?!)")


class Glossary:
    """Adds the report's words to a question that uses other words for the same thing."""

    def __init__(self, entries: Iterable[GlossaryEntry]):
        self.entries = list(entries)
        self._patterns = [entry.pattern for entry in self.entries]

    @classmethod
    def load(cls, corpus_dir: Path) -> "Glossary":
        path = Path(corpus_dir) / GLOSSARY_FILE
        if not path.is_file():
            return cls([])
        data = read_yaml(path) or {}
        entries = []
        for term in data.get("terms", []):
            triggers = [*(term.get("en") or ()), *(term.get("colloquial") or ())]
            entries.append(GlossaryEntry(ko=tuple(term.get("ko") or ()), triggers=tuple(t.lower() for t in triggers)))
        return cls(entries)

    def expand(self, question: str) -> list[str]:
        """Report words for every glossary term the question uses (English matched on word edges)."""
        lowered = question.lower()
        added: list[str] = []
        for entry, pattern in zip(self.entries, self._patterns):
            if pattern.search(lowered):
                added.extend(w for w in entry.ko if w not in added)
        return added
