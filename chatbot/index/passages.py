"""Passages stage: a structure-aware chunker for the city's work reports.

The report is a tree: parts (Ⅰ–Ⅳ), sub-parts of Part Ⅳ ("1. 고부가가치산업 …"), numbered program
sections ("1 청년취업사관학교 조성·운영"), □ headings, ①① blocks and ㅇ/◦/- bullets; then the 2023
audit follow-ups, whose numbered items are each one request with its □ 추진상황/추진내용/향후계획.
A passage is one bullet group under that tree: small enough to cite, never straddling a heading,
and carrying its heading path so its embedded text still says which program it is about.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator

from chatbot.documents.corpus import Document, collapse_whitespace
from chatbot.programs.names import ProgramNames

CHUNKER_VERSION = "structure-v1"
MAX_LINES = 12         # non-blank lines in one passage before it is split at sub-bullets
MAX_CHARS = 1000       # a citation must be readable in a few seconds
PACK_LINES = 12        # neighbouring small bullets under one heading are packed up to this size,
PACK_CHARS = 1000      # so a one-line "ㅇ 대상 : …" keeps the lines that say what it is about
PATH_SEPARATOR = " › "

_PART = re.compile(r"^\s*(Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|Ⅵ|Ⅶ|Ⅷ)\.\s*(\S.*)$")
_AUDIT_PART = re.compile(r"^\s*(\d{4})년\s*행정사무감사\s*처리결과")
_SUBPART = re.compile(r"^\s*(\d)\.\s+(\S.*)$")
_SECTION = re.compile(r"^\s*(\d{1,2})\s+(?![\d.,%~)])(\S.*)$")
_AUDIT_ITEM = re.compile(r"^\s*(\d{1,2})(?:\s*~\s*(\d{1,2}))?\.\s*(\S.*)$")
_BOX = re.compile(r"^\s*□\s*(.*)$")
_BLOCK = re.compile(r"^\s*([①-⑳])\1\s*(.*)$")
_TOP_BULLET = re.compile(r"^\s*(ㅇ|◦|○|∘|•|∙)")
_SUB_BULLET = re.compile(r"^\s*(-|–|※|\*)\s")


def _tidy(heading: str) -> str:
    """Heading text for display: single spaces, no doubled block digit."""
    heading = re.sub(r"^([①-⑳])\1", r"\1", heading.strip())
    return collapse_whitespace(heading)


@dataclass(frozen=True)
class Passage:
    """One citable unit: verbatim source lines plus where they sit in the report."""

    id: str
    document_id: str
    text: str                       # the source lines start..end, exactly
    start_line: int                 # 1-based, inclusive
    end_line: int
    section: tuple[str, ...]        # heading path: part › sub-part › program › □ heading › block
    program_id: str | None = None
    context: str = ""               # extra words for indexing only (e.g. the parent bullet)
    program_name: str = field(default="", compare=False)

    @property
    def section_path(self) -> str:
        return PATH_SEPARATOR.join(self.section)

    @property
    def index_text(self) -> str:
        """What the lexical index sees: the nearest headings (program section or audit item
        onwards), the program name and the parent bullet before the text, so a "사업개요" bullet
        is found by the program's name (contextual retrieval)."""
        head = [PATH_SEPARATOR.join(self.section[2:] or self.section)]
        if self.program_name:
            head.append(self.program_name)
        if self.context:
            head.append(self.context)
        return "\n".join(head + [collapse_whitespace(self.text)])

    @property
    def embedding_text(self) -> str:
        """What the embedder sees: the passage alone. Measured on the dev set, prefixing the
        heading path made the dense vectors of one block alike and cost hit@1 (English 0.30 →
        0.50 without it); the lexical side keeps the context."""
        return collapse_whitespace(self.text)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "document_id": self.document_id,
            "text": self.text,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "section": list(self.section),
            "program_id": self.program_id,
            "context": self.context,
            "program_name": self.program_name,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Passage":
        return cls(**{**data, "section": tuple(data["section"])})


def passage_id(document_id: str, section: Iterable[str], text: str) -> str:
    """Content hash: stable while the passage and its place in the tree are unchanged."""
    key = "\n".join([document_id, PATH_SEPARATOR.join(section), text])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass
class _Group:
    """Lines being collected into one passage, with the headings in force where it began."""

    section: tuple[str, ...]
    program_id: str | None
    candidates: tuple[str, ...] = ()                 # programs sharing the section
    lines: list[int] = field(default_factory=list)   # 1-based numbers of non-blank lines

    def add(self, number: int) -> None:
        self.lines.append(number)


@dataclass
class _State:
    part: str = ""
    subpart: str = ""
    section: str = ""
    section_programs: tuple[str, ...] = ()
    box: str = ""
    block: str = ""
    block_encloses_boxes: bool = False   # 4-6 puts ①① above its □ headings; 4-4 puts them below
    in_audit: bool = False
    audit_chapter: str = ""
    audit_item: str = ""
    audit_item_program: str | None = None
    expected_section: int = 1
    expected_item: int = 1

    def path(self) -> tuple[str, ...]:
        if self.in_audit:
            parts = [self.part, self.audit_chapter, self.audit_item, self.box]
        else:
            inner = [self.block, self.box] if self.block_encloses_boxes else [self.box, self.block]
            parts = [self.part, self.subpart, self.section, *inner]
        return tuple(p for p in parts if p)


class ReportChunker:
    """Turns one report into passages; knows the layout, not the content."""

    def __init__(self, programs: ProgramNames, max_lines: int = MAX_LINES, max_chars: int = MAX_CHARS,
                 pack_lines: int = PACK_LINES, pack_chars: int = PACK_CHARS):
        self.programs = programs
        self.max_lines = max_lines
        self.max_chars = max_chars
        self.pack_lines = pack_lines
        self.pack_chars = pack_chars

    @property
    def settings(self) -> dict:
        return {"chunker": CHUNKER_VERSION, "max_lines": self.max_lines, "max_chars": self.max_chars,
                "pack_lines": self.pack_lines, "pack_chars": self.pack_chars}

    def chunk(self, document: Document) -> list[Passage]:
        return self._pack(document, list(self._passages(document)))

    def _pack(self, document: Document, passages: list[Passage]) -> list[Passage]:
        """Merge neighbours that share heading path and program while the result stays small."""
        packed: list[Passage] = []
        for passage in passages:
            previous = packed[-1] if packed else None
            if previous is not None and self._can_pack(document, previous, passage):
                text = document.line_range(previous.start_line, passage.end_line)
                packed[-1] = replace(previous, id=passage_id(document.id, previous.section, text), text=text,
                                     end_line=passage.end_line)
            else:
                packed.append(passage)
        return packed

    def _can_pack(self, document: Document, first: Passage, second: Passage) -> bool:
        if (first.section, first.program_id) != (second.section, second.program_id) or first.context or second.context:
            return False
        span = document.lines[first.start_line - 1 : second.end_line]
        lines = [line for line in span if line.strip()]
        return len(lines) <= self.pack_lines and sum(len(line) for line in lines) <= self.pack_chars

    # -- walking the tree -------------------------------------------------------------------
    def _passages(self, document: Document) -> Iterator[Passage]:
        lines = document.lines
        subpart_titles = self._subpart_titles(lines)
        state = _State()
        group: _Group | None = None
        blank_run = 0

        def flush() -> Iterator[Passage]:
            nonlocal group
            if group and group.lines:
                yield from self._emit(document, group)
            group = None

        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line:
                blank_run += 1
                # two blank lines end a paragraph, except in the double-spaced audit part
                if blank_run >= 2 and not state.in_audit:
                    yield from flush()
                continue
            blank_run = 0
            heading = self._heading(line, state, subpart_titles, lines, number)
            if heading is not None:
                yield from flush()
                if heading:            # a heading line that also carries content
                    group = self._start_group(state)
                    group.add(number)
                continue
            if group is None or _TOP_BULLET.match(line):
                yield from flush()
                group = self._start_group(state)
            group.add(number)
        yield from flush()

    @staticmethod
    def _subpart_titles(lines: tuple[str, ...]) -> dict[str, str]:
        """Part Ⅳ lists its sub-parts once on single lines ("1.  고부가가치산업 육성 및 …"); later
        cover pages wrap the same titles over several lines, so titles come from the first list."""
        titles: dict[str, str] = {}
        in_part_four = False
        for raw in lines:
            part = _PART.match(raw)
            if part:
                in_part_four = part.group(1) == "Ⅳ"
                continue
            if _AUDIT_PART.match(raw):
                break
            sub = _SUBPART.match(raw)
            if in_part_four and sub and sub.group(1) not in titles:
                titles[sub.group(1)] = f"{sub.group(1)}. {collapse_whitespace(sub.group(2))}"
        return titles

    def _start_group(self, state: _State) -> _Group:
        candidates = () if state.in_audit else state.section_programs
        return _Group(section=state.path(), program_id=self._program_for(state), candidates=candidates)

    def _heading(self, line: str, state: _State, subpart_titles: dict[str, str],
                 lines: tuple[str, ...], number: int) -> bool | None:
        """Update the state when ``line`` is a heading. Returns None for body lines, False for a
        pure heading, True for a heading line that also carries content ("□ 추진상황 : 추진완료")."""
        if _AUDIT_PART.match(line):
            state.in_audit = True
            state.part = _tidy(line)
            state.audit_chapter = state.audit_item = state.box = ""
            state.expected_section = 1
            return False
        part = _PART.match(line)
        if part and not state.in_audit:
            state.part = _tidy(line)
            state.subpart = state.section = state.box = state.block = ""
            state.section_programs = ()
            return False
        if state.in_audit:
            return self._audit_heading(line, state, lines, number)
        if not state.part.startswith("Ⅳ"):
            return _box_heading(line, state)
        sub = _SUBPART.match(line)
        if sub and sub.group(1) in subpart_titles:
            state.subpart = subpart_titles[sub.group(1)]
            state.section = state.box = state.block = ""
            state.section_programs = ()
            state.expected_section = 1
            return False
        section = _SECTION.match(line)
        if section and state.subpart and int(section.group(1)) == state.expected_section:
            state.expected_section += 1
            state.section = _tidy(line)
            state.section_programs = tuple(p.id for p in self.programs.for_section(line))
            state.box = state.block = ""
            state.block_encloses_boxes = False
            return False
        block = _BLOCK.match(line)
        if block and state.section:
            state.block = _tidy(line)
            state.block_encloses_boxes = _next_line_is_box(lines, number)
            if state.block_encloses_boxes:
                state.box = ""
            return False
        return _box_heading(line, state)

    def _audit_heading(self, line: str, state: _State, lines: tuple[str, ...], number: int) -> bool | None:
        chapter = _SECTION.match(line)
        if chapter and int(chapter.group(1)) == state.expected_section:
            state.expected_section += 1
            state.audit_chapter = _tidy(line)
            state.audit_item = state.box = ""
            state.audit_item_program = None
            state.expected_item = 1
            return False
        item = _AUDIT_ITEM.match(line)
        if item and state.audit_chapter and int(item.group(1)) == state.expected_item:
            state.expected_item = int(item.group(2) or item.group(1)) + 1
            state.audit_item = _tidy(line)
            state.audit_item_program = self.programs.best_mention(_request_text(lines, number))
            state.box = ""
            return True
        status_line = _box_heading(line, state)
        # "□ 추진상황 : 추진완료" closes the request it follows: keep it in that passage
        return None if status_line else status_line

    # -- emitting passages ------------------------------------------------------------------
    def _emit(self, document: Document, group: _Group) -> Iterator[Passage]:
        for piece, context in self._split(document, group):
            start, end = piece[0], piece[-1]
            text = document.line_range(start, end)
            section = group.section
            program_id = group.program_id or self._program_for_text(group, text)
            yield Passage(
                id=passage_id(document.id, section, text),
                document_id=document.id,
                text=text,
                start_line=start,
                end_line=end,
                section=section,
                program_id=program_id,
                context=context,
                program_name=self.programs.name(program_id, "ko") if program_id else "",
            )

    def _split(self, document: Document, group: _Group) -> Iterator[tuple[list[int], str]]:
        """Keep a group whole when it is small; otherwise cut it at sub-bullets (or every
        ``max_lines`` lines), giving each piece its parent line as indexing context."""
        numbers = group.lines
        size = sum(len(document.lines[n - 1]) for n in numbers)
        if len(numbers) <= self.max_lines and size <= self.max_chars:
            yield numbers, ""
            return
        parent_line = document.lines[numbers[0] - 1].strip()
        parent = collapse_whitespace(parent_line) if _TOP_BULLET.match(parent_line) else ""
        pieces: list[list[int]] = []
        current: list[int] = []
        current_size = 0
        for n in numbers:
            line = document.lines[n - 1]
            starts_bullet = bool(_SUB_BULLET.match(line) or _TOP_BULLET.match(line))
            too_big = len(current) >= self.max_lines or current_size + len(line) > self.max_chars
            if current and (too_big or (starts_bullet and len(current) >= 2)):
                pieces.append(current)
                current, current_size = [], 0
            current.append(n)
            current_size += len(line)
        if current:
            pieces.append(current)
        for index, piece in enumerate(pieces):
            yield piece, (parent if index and parent else "")

    def _program_for(self, state: _State) -> str | None:
        """The program a group belongs to, from the headings in force: the audit item's program,
        the section's only program, or the program whose ①① block this is."""
        if state.in_audit:
            return state.audit_item_program
        candidates = state.section_programs
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        return self.programs.match_block(candidates, state.block)

    def _program_for_text(self, group: _Group, text: str) -> str | None:
        """In a section shared by several programs, outside their blocks: the one program the
        passage names, if it names exactly one."""
        candidates = group.candidates
        if len(candidates) < 2:
            return None
        named = self.programs.mentions(text)
        named = [c for c in candidates if c in named]
        return named[0] if len(named) == 1 else None


def _request_text(lines: tuple[str, ...], number: int, limit: int = 40) -> str:
    """An audit item's request: its lines up to the first □ heading."""
    collected = []
    for raw in lines[number - 1 : number - 1 + limit]:
        if _BOX.match(raw) and collected:
            break
        collected.append(raw)
    return "\n".join(collected)


def _next_line_is_box(lines: tuple[str, ...], number: int) -> bool:
    following = next((line for line in lines[number:] if line.strip()), "")
    return bool(_BOX.match(following))


def _box_heading(line: str, state: _State) -> bool | None:
    box = _BOX.match(line)
    if not box:
        return None
    title, _, rest = box.group(1).partition(":")
    state.box = "□ " + collapse_whitespace(title)
    if not state.block_encloses_boxes:
        state.block = ""
    return bool(rest.strip())


def chunk_documents(documents: Iterable[Document], programs: ProgramNames) -> list[Passage]:
    chunker = ReportChunker(programs)
    return [p for d in documents for p in chunker.chunk(d)]


def text_hash(text: str) -> str:
    """The embedding cache's key for a passage's embedding text or a line (index_store)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- lines: what an answer quotes ---------------------------------------------------------------
_BULLET = re.compile(r"^\s*(ㅇ|◦|○|∘|•|∙|-|–|※|\*|□|[①-⑳]+)\s*")
_ITEM = re.compile(r"^\s*(\d{1,2}(~\d{1,2})?\.|\(|<|［|\[)")


def logical_lines(passage: Passage) -> list[tuple[str, int]]:
    """The passage as bullet-level sentences with their first line number: a wrapped
    continuation (the audit part breaks sentences across lines) joins the line it continues."""
    lines: list[tuple[str, int]] = []
    for offset, raw in enumerate(passage.text.split("\n")):
        stripped = raw.strip()
        if not stripped:
            continue
        if lines and not _BULLET.match(stripped) and not _ITEM.match(stripped):
            lines[-1] = (lines[-1][0] + " " + stripped, lines[-1][1])
        else:
            lines.append((stripped, passage.start_line + offset))
    return [(collapse_whitespace(_BULLET.sub("", text)), number) for text, number in lines]


def quotable_lines(passage: Passage) -> list[tuple[str, int]]:
    """The lines an answer may quote (the index embeds each, in this order: line_embedding_texts)."""
    return [(text, number) for text, number in logical_lines(passage) if len(text) >= 2]


def line_embedding_texts(passage: Passage) -> list[str]:
    """What the embedder sees of each quotable line: the line after its program's name (or, outside
    a program, its nearest heading). A bare line ("대상 : 만 19~39세") says nothing of what it is
    about; with the name the line selector's dense feature finds the right line more often (5-fold
    cross-validation on the fitting questions: best line 0.596 → 0.618, best two 0.755 → 0.787),
    where a whole heading path did less well and the passage vectors themselves do better bare."""
    context = passage.program_name or next((s for s in reversed(passage.section) if s), "")
    prefix = f"{collapse_whitespace(context)}: " if context else ""
    return [prefix + text for text, _ in quotable_lines(passage)]
