"""What staff check before accepting an upload: the passages the chunker makes, how they differ
from the previous version of the same document, and personal data in the text."""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


from chatbot.documents.corpus import Document
from chatbot.index.passages import Passage, ReportChunker
from chatbot.feedback.privacy import BLOCKING, mask_pii, pii_kinds
from chatbot.programs.names import ProgramNames


def make_document(document_id: str, text: str, meta: dict, path: Path) -> Document:
    return Document(id=document_id, title=meta.get("title", ""), publisher=meta.get("publisher", ""),
                    edition=str(meta.get("edition", "")), language=meta.get("language", "ko"), path=path,
                    text=text, title_en=meta.get("title_en", ""), edition_label=meta.get("edition_label", ""),
                    lines=tuple(text.split("\n")))


def chunk(document: Document, corpus_dir: Path) -> list[Passage]:
    return ReportChunker(ProgramNames.load(corpus_dir)).chunk(document)


# -- passage diff --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    old: Passage
    new: Passage

    @property
    def text_diff(self) -> list[tuple[str, str]]:
        """(" " | "-" | "+", line) pairs for the changed lines."""
        out = []
        for line in difflib.ndiff(self.old.text.split("\n"), self.new.text.split("\n")):
            if line[:1] in (" ", "-", "+"):
                out.append((line[:1], line[2:]))
        return out


@dataclass
class PassageDiff:
    added: list[Passage] = field(default_factory=list)
    removed: list[Passage] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_passages(old: list[Passage], new: list[Passage]) -> PassageDiff:
    """Passages with the same id (same heading path and text) are unchanged; of the rest, those
    under the same heading path are paired in order as changed, the others added or removed."""
    old_ids, new_ids = {p.id for p in old}, {p.id for p in new}
    result = PassageDiff(unchanged=len(old_ids & new_ids))
    left: dict[tuple, list[Passage]] = defaultdict(list)
    for p in old:
        if p.id not in new_ids:
            left[p.section].append(p)
    for p in new:
        if p.id in old_ids:
            continue
        same_heading = left.get(p.section)
        if same_heading:
            result.changed.append(Change(same_heading.pop(0), p))
        else:
            result.added.append(p)
    result.removed = [p for group in left.values() for p in group]
    result.removed.sort(key=lambda p: p.start_line)
    return result


# -- personal data -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PiiFinding:
    line: int
    kinds: tuple[str, ...]          # the labels shown, e.g. "전화번호"
    masked: str
    blocking: bool = False          # an identifier (privacy.BLOCKING), not an office phone or address


def find_pii(text: str, limit: int = 200) -> list[PiiFinding]:
    """Lines that look like they carry personal data (privacy.py's patterns), shown masked (the page
    itself must not spread them); ``blocking`` marks the lines that stop acceptance without override."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        masked = mask_pii(line)
        if masked != line:
            labels = tuple(dict.fromkeys(re.findall(r"\[([^\[\]]+)\]", masked)))
            blocking = bool(BLOCKING.intersection(pii_kinds(line)))
            found.append(PiiFinding(number, labels, masked.strip()[:200], blocking))
            if len(found) >= limit:
                break
    return found


def blocking_lines(findings: list[PiiFinding]) -> int:
    return sum(1 for f in findings if f.blocking)
