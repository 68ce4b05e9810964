"""Program ids and the bilingual glossary: the two small data files that name things.

``corpus/programs.yaml`` gives every program a stable id, its Korean and English names, the
report section that describes it and the aliases citizens use. ``corpus/glossary.yaml`` maps
English and colloquial Korean words onto the report's own vocabulary for lexical query expansion.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from chatbot.documents.corpus import read_yaml

PROGRAMS_FILE = "programs.yaml"
GLOSSARY_FILE = "glossary.yaml"


def _squash(text: str) -> str:
    """Compare names without spaces or middle dots: the report writes 매칭 전담 창구 and 매칭전담창구."""
    return re.sub(r"[\s·‧․ㆍ・]+", "", text).lower()


@dataclass(frozen=True)
class Program:
    id: str
    name_ko: str
    name_en: str
    section: str | None = None
    block: str | None = None
    aliases_ko: tuple[str, ...] = ()
    aliases_en: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_ko if lang == "ko" else self.name_en

    @property
    def surface_forms(self) -> tuple[str, ...]:
        return (self.name_ko, self.name_en, *self.aliases_ko, *self.aliases_en)


class ProgramRegistry:
    """Looks programs up by id, by report section and by the words of a question or passage."""

    def __init__(self, programs: Iterable[Program]):
        self._programs = {p.id: p for p in programs}
        forms = sorted(
            ((form.lower() if _is_latin(form) else _squash(form), p.id)
             for p in self._programs.values() for form in p.surface_forms if form),
            key=lambda pair: -len(pair[0]),
        )
        # (squashed Korean form or None, compiled whole-word pattern or None, program id)
        self._forms = [(None, re.compile(_latin_pattern(f)), pid) if _is_latin(f) else (f, None, pid)
                       for f, pid in forms]

    @classmethod
    def load(cls, corpus_dir: Path) -> "ProgramRegistry":
        data = read_yaml(Path(corpus_dir) / PROGRAMS_FILE) or {}
        programs = []
        for entry in data.get("programs", []):
            aliases = entry.get("aliases") or {}
            programs.append(Program(
                id=entry["id"],
                name_ko=entry["name"]["ko"],
                name_en=entry["name"]["en"],
                section=entry.get("section"),
                block=entry.get("block"),
                aliases_ko=tuple(aliases.get("ko") or ()),
                aliases_en=tuple(aliases.get("en") or ()),
            ))
        return cls(programs)

    def __iter__(self):
        return iter(self._programs.values())

    def __len__(self) -> int:
        return len(self._programs)

    def __contains__(self, program_id: str) -> bool:
        return program_id in self._programs

    def get(self, program_id: str) -> Program | None:
        return self._programs.get(program_id)

    def name(self, program_id: str, lang: str) -> str:
        program = self._programs.get(program_id)
        return program.name(lang) if program else program_id

    def for_section(self, heading_line: str) -> list[Program]:
        squashed = _squash(heading_line)
        return [p for p in self._programs.values() if p.section and _squash(p.section) in squashed]

    def match_block(self, candidates: Iterable[str], block_heading: str) -> str | None:
        if not block_heading:
            return None
        squashed = _squash(block_heading)
        for program_id in candidates:
            block = self._programs[program_id].block
            if block and _squash(block) in squashed:
                return program_id
        return None

    def mentions(self, text: str) -> dict[str, int]:
        """Program ids named in ``text``, counted. Korean forms match without spaces, longest first
        (so 청년취업사관학교 is not also read as 사관학교); Latin forms match whole words only."""
        squashed = _squash(text)
        lowered = text.lower()
        found: dict[str, int] = {}
        for form, pattern, program_id in self._forms:
            if pattern is not None:
                lowered, hits = pattern.subn(" ", lowered)
            else:
                hits = squashed.count(form)
                squashed = squashed.replace(form, "\0")
            if hits:
                found[program_id] = found.get(program_id, 0) + hits
        return found

    def best_mention(self, text: str, among: Iterable[str] | None = None) -> str | None:
        allowed = set(among) if among is not None else None
        counts = {k: v for k, v in self.mentions(text).items() if allowed is None or k in allowed}
        if not counts:
            return None
        return max(counts, key=lambda k: (counts[k], -list(counts).index(k)))


@dataclass(frozen=True)
class GlossaryEntry:
    ko: tuple[str, ...]
    triggers: tuple[str, ...]   # English and colloquial Korean words that stand for ``ko``

    @property
    def pattern(self) -> re.Pattern:
        """One compiled alternation: English terms on word edges, Korean ones anywhere."""
        parts = [_latin_pattern(t) if _is_latin(t) else re.escape(t) for t in self.triggers]
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


def _is_latin(term: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9 '\-&.+/()]+", term) is not None


def _latin_pattern(term: str) -> str:
    """The whole words; a name of several words also in the plural ("technical training institutes"),
    a single word not ("internships" is a kind of job, not the Seoul Youth Internship)."""
    plural = r"(?:s|es)?" if " " in term.strip() else ""
    return r"(?<![a-z0-9])" + re.escape(term.lower()) + plural + r"(?![a-z0-9])"

