"""Finding programs by name: the chunker tags passages with the program they describe, question
analysis finds the programs a question names.

:class:`ProgramNames` is an index over the programs of ``corpus/programs.yaml`` (loaded by
:mod:`chatbot.programs.catalog`), not a second model of them: their ids, names, report
sections and blocks, and aliases come from the same :class:`~chatbot.programs.catalog.Program`
records the answers cite.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from chatbot.programs.catalog import Program, load_programs
from chatbot.programs.matching import form_key, is_latin, latin_pattern, squash


class ProgramNames:
    """Looks programs up by id, by report section and by the words of a question or passage."""

    def __init__(self, programs: Iterable[Program]):
        self._programs = {p.id: p for p in programs}
        forms = sorted(
            ((form_key(form), p.id) for p in self._programs.values() for _, form in p.name_forms() if form),
            key=lambda pair: -len(pair[0]),
        )
        # (squashed Korean form or None, compiled whole-word pattern or None, program id)
        self._forms = [(None, re.compile(latin_pattern(f)), pid) if is_latin(f) else (f, None, pid)
                       for f, pid in forms]

    @classmethod
    def load(cls, corpus_dir: Path) -> "ProgramNames":
        """The programs of ``corpus_dir`` (schema-checked, quotes not proven)."""
        return cls(load_programs(corpus_dir))

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
        return program.name.get(lang) if program else program_id

    def for_section(self, heading_line: str) -> list[Program]:
        squashed = squash(heading_line)
        return [p for p in self._programs.values() if p.section and squash(p.section) in squashed]

    def match_block(self, candidates: Iterable[str], block_heading: str) -> str | None:
        if not block_heading:
            return None
        squashed = squash(block_heading)
        for program_id in candidates:
            block = self._programs[program_id].block
            if block and squash(block) in squashed:
                return program_id
        return None

    def mentions(self, text: str) -> dict[str, int]:
        """Program ids named in ``text``, counted. Korean forms match without spaces, longest first
        (so 청년취업사관학교 is not also read as 사관학교); Latin forms match whole words only."""
        squashed = squash(text)
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
