"""Changing ``corpus/programs.yaml`` from the staff area, one program record at a time.

Only the changed records' lines are replaced, so the curators' comments elsewhere survive (comments
inside a rewritten record move to just above it). A save carries the version (content hash) of the
record the editor started from; if someone saved in between, the save is refused as a conflict
instead of silently overwriting their work. Every clause must be verbatim in an active document,
checked with the same :func:`chatbot.programs.catalog.check_clause` that ``load_catalog`` uses, and no
alias may name another program too (:func:`chatbot.programs.catalog.alias_clashes`).

The servers refuse to load an index whose documents the catalog does not quote, so a new text and
the catalog must change together: clauses that merely moved are re-anchored, and edits made
against an upload's text are staged beside it until the upload is accepted."""
from __future__ import annotations

import bisect
import copy
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import yaml
from pydantic import ValidationError

from chatbot.programs.catalog import PROGRAMS_FILE, NextSteps, Program, alias_clashes, check_clause, field_path
from chatbot.programs.criteria import Clause
from chatbot.documents.corpus import Document, collapse_whitespace
from chatbot.admin.files import atomic_write, compose_yaml, load_yaml
from chatbot.storage.corpus import CorpusStore


class CatalogEditError(ValueError):
    """The record cannot be saved; ``problems`` lists every reason, field by field."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class EditConflict(Exception):
    """Someone saved the record after this editor opened it."""

    def __init__(self, current: dict | None, current_version: str | None):
        super().__init__("the record changed since it was opened")
        self.current = current
        self.current_version = current_version


def record_version(record: dict | None) -> str:
    if record is None:
        return "absent"
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def catalog_path(corpus_dir: Path) -> Path:
    return Path(corpus_dir) / PROGRAMS_FILE


def read_records(corpus_dir: Path) -> list[dict]:
    return records_of(catalog_path(corpus_dir).read_text(encoding="utf-8"))


def records_of(text: str) -> list[dict]:
    return list((load_yaml(text) or {}).get("programs") or [])


def get_record(corpus_dir: Path, program_id: str) -> dict | None:
    return next((r for r in read_records(corpus_dir) if r.get("id") == program_id), None)


# -- validation ---------------------------------------------------------------------------------
def validate_record(record: dict, documents: Mapping[str, Document]) -> Program:
    """The record as a :class:`Program`, or CatalogEditError with every schema and quote problem."""
    try:
        program = Program.model_validate(record)
    except ValidationError as exc:
        raise CatalogEditError([f"{field_path(e['loc']) or 'record'}: {e['msg'].removeprefix('Value error, ')}"
                                for e in exc.errors(include_url=False)]) from None
    problems = []
    cited = list(program.clauses()) + [(f"sources[{i}]", s) for i, s in enumerate(program.sources)]
    for where, clause in cited:
        problem = check_clause(clause, documents)
        if problem:
            message = f"{where}.{problem[0]}: {problem[1]}"
            document = documents.get(clause.document)
            if isinstance(clause, Clause) and document and problem[0] == "text" and clause.lines[1] <= len(document.lines):
                excerpt = " ".join(document.line_range(*clause.lines).split())[:160]
                message += f" — those lines read: “{excerpt}”"
            problems.append(message)
    if problems:
        raise CatalogEditError(problems)
    return program


# -- splicing the file ----------------------------------------------------------------------------
def _record_spans(text: str) -> list[tuple[str, int, int]]:
    """(id, first line, end line) of each record, 0-based, end exclusive, from the YAML node marks."""
    root = compose_yaml(text)
    programs = next(v for k, v in root.value if k.value == "programs")
    spans = []
    for item in programs.value:
        pid = next((v.value for k, v in item.value if k.value == "id"), "")
        spans.append((pid, item.start_mark.line, item.end_mark.line))
    return spans


def render_record(record: dict) -> str:
    """One list item, indented like the rest of the file; flow style for small leaves."""
    dumped = yaml.safe_dump([record], allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=None)
    return "".join("  " + line if line.strip() else line for line in dumped.splitlines(keepends=True))


def splice(text: str, program_id: str | None, record: dict) -> str:
    """The file with ``program_id``'s record replaced by ``record`` (appended when None)."""
    lines = text.split("\n")
    rendered = render_record(record).rstrip("\n").split("\n")
    if program_id is None:
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines + rendered) + "\n"
    span = next(((start, end) for pid, start, end in _record_spans(text) if pid == program_id), None)
    if span is None:
        raise CatalogEditError([f"program {program_id!r} is not in the catalog"])
    start, end = span
    # trailing blank lines and banner comments (indent <= 2) belong to what follows the record
    while end > start + 1 and (not lines[end - 1].strip() or re.match(r"^ {0,2}#", lines[end - 1])):
        end -= 1
    inner_comments = [line.strip() for line in lines[start + 1 : end] if line.strip().startswith("#")]
    notes = [f"  {c}" for c in inner_comments]
    return "\n".join(lines[:start] + notes + rendered + lines[end:])


# -- the general help line (programs.yaml's top-level "help") ---------------------------------------
def read_help(corpus_dir: Path) -> dict | None:
    return (load_yaml(catalog_path(corpus_dir).read_text(encoding="utf-8")) or {}).get("help")


def _validated_help(help_line: dict) -> dict:
    try:
        steps = NextSteps.model_validate(help_line)
    except ValidationError as exc:
        raise CatalogEditError([f"{field_path(('help', *e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
                                for e in exc.errors(include_url=False)]) from None
    return _ordered(steps.model_dump(mode="json", exclude_defaults=True))


def splice_help(text: str, help_line: dict | None) -> str:
    """The file with its top-level ``help:`` block replaced (inserted before ``programs:``, or
    removed when ``help_line`` is None); comments and records are left as they are."""
    lines = text.split("\n")
    root = compose_yaml(text)
    keys = {k.value: (k.start_mark.line, v.end_mark.line) for k, v in root.value}
    rendered = [] if help_line is None else yaml.safe_dump(
        {"help": help_line}, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=None).rstrip("\n").split("\n")
    if "help" in keys:
        start, end = keys["help"]
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        return "\n".join(lines[:start] + rendered + lines[end:])
    at = keys["programs"][0]
    return "\n".join(lines[:at] + rendered + lines[at:])


def save_help(store: CorpusStore, help_line: dict | None, actor: str) -> dict | None:
    """Validate and write the general help line (None removes it); returns what was written."""
    clean = _validated_help(help_line) if help_line is not None else None
    with store.edit(actor) as edit:
        path = catalog_path(edit.dir)
        text = path.read_text(encoding="utf-8")
        before = load_yaml(text) or {}
        new_text = splice_help(text, clean)
        after = load_yaml(new_text) or {}
        if after.get("help") != clean or after.get("programs") != before.get("programs"):
            raise CatalogEditError(["internal: the catalog file could not be updated safely; nothing was saved"])
        atomic_write(path, new_text)
    return clean


# -- saving ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SaveResult:
    program_id: str
    version: str
    changed_fields: list[str]


def find_clause(text: str, document: Document) -> list[tuple[int, int]]:
    """Every line span of ``document`` that quotes ``text`` (as the catalog check reads quotes:
    whitespace collapsed, lines joined by a space), shortest spans, in document order."""
    wanted = collapse_whitespace(text)
    if not wanted:
        return []
    joined, starts, numbers = "", [], []
    for number, line in enumerate(document.lines, start=1):
        piece = collapse_whitespace(line)
        if not piece:
            continue
        if joined:
            joined += " "
        starts.append(len(joined))
        numbers.append(number)
        joined += piece
    spans, at = [], joined.find(wanted)
    while at >= 0:
        first = numbers[bisect.bisect_right(starts, at) - 1]
        last = numbers[bisect.bisect_right(starts, at + len(wanted) - 1) - 1]
        spans.append((first, last))
        at = joined.find(wanted, at + 1)
    return list(dict.fromkeys(spans))


def locate_clauses(record: dict, documents: Mapping[str, Document]) -> list[str]:
    """Fill in the lines of every clause given as text alone (staff paste the words; the lines
    are found for them). Returns the problems: text found in several places, or nowhere."""
    problems = []
    for section in ("benefits", "eligibility", "schedule", "places"):
        for i, item in enumerate(record.get(section) or []):
            clause = item.get("clause") or {}
            if not clause.get("text") or (clause.get("lines") or [None])[0] is not None:
                continue
            document = documents.get(clause.get("document", ""))
            if document is None:
                continue                      # the schema check names the unknown document
            spans = find_clause(clause["text"], document)
            where = f"{section}[{i}].clause.lines"
            if len(spans) == 1:
                clause["lines"] = list(spans[0])
            elif spans:
                problems.append(f"{where}: the quote is in {document.id} at lines "
                                f"{', '.join(f'{a}–{b}' if a != b else str(a) for a, b in spans[:6])}; give the lines of the one meant")
            else:
                problems.append(f"{where}: the quote is not in {document.id}; copy it from the document as written")
    return problems


def _prepare(record: dict, documents: Mapping[str, Document], records: list[dict], base_version: str | None,
             original_id: str | None) -> tuple[dict, dict | None]:
    """The validated, normalised record and the one it replaces; EditConflict when the record
    changed since ``base_version``, CatalogEditError for schema, quote or id problems. Clauses
    given as text alone get their lines found (:func:`locate_clauses`)."""
    record = copy.deepcopy(record)
    located = locate_clauses(record, documents)
    if located:
        raise CatalogEditError(located)
    program = validate_record(record, documents)
    clean = _ordered(program.model_dump(mode="json", exclude_defaults=True))
    current = next((r for r in records if r.get("id") == original_id), None) if original_id else None
    if original_id is not None and record_version(current) != base_version:
        raise EditConflict(current, record_version(current) if current else None)
    if program.id != original_id and any(r.get("id") == program.id for r in records):
        raise CatalogEditError([f"id: another program already has the id {program.id!r}"])
    clashes = alias_clashes(program, _valid_programs(r for r in records if r.get("id") != original_id))
    if clashes:
        raise CatalogEditError(clashes)
    return clean, current


def _valid_programs(records) -> list[Program]:
    """The records that validate, as programs (one broken record does not hide the others)."""
    programs = []
    for record in records:
        try:
            programs.append(Program.model_validate(record))
        except ValidationError:
            pass
    return programs


def _changed(old: dict | None, new: dict) -> list[str]:
    return sorted(k for k in set(new) | set(old or {}) if (old or {}).get(k) != new.get(k))


def write_records(corpus_dir: Path, before: list[dict], after: list[dict]) -> None:
    """Rewrite programs.yaml from ``before`` to ``after`` (same ids and order, plus any appended),
    touching only the records that differ; the caller holds the corpus lock."""
    path = catalog_path(corpus_dir)
    text = path.read_text(encoding="utf-8")
    old = {r.get("id"): r for r in before}
    for record in after:
        if record.get("id") not in old:
            text = splice(text, None, record)
        elif old[record["id"]] != record:
            text = splice(text, record["id"], record)
    if records_of(text) != after:               # the splices must give exactly the records meant
        raise CatalogEditError(["internal: the catalog file could not be updated safely; nothing was saved"])
    atomic_write(path, text)


def save_record(store: CorpusStore, documents: Mapping[str, Document], record: dict,
                base_version: str | None, original_id: str | None, actor: str) -> SaveResult:
    """Validate and write one record. ``original_id`` None creates a program; ``base_version`` is
    the :func:`record_version` the editor started from, checked inside the locked transaction that
    writes (two hosts saving one program at once: one saves, the other gets EditConflict)."""
    with store.edit(actor) as edit:
        corpus_dir = edit.dir
        records = read_records(corpus_dir)
        clean, current = _prepare(record, documents, records, base_version, original_id)
        after = [clean if r.get("id") == original_id else r for r in records]
        if original_id is None:
            after.append(clean)
        write_records(corpus_dir, records, after)
    return SaveResult(clean["id"], record_version(clean), _changed(current, clean))


# -- edits staged with an upload ------------------------------------------------------------------
def apply_patches(records: list[dict], patches: dict[str, dict]) -> list[dict]:
    """The records with staged edits applied; EditConflict if one changed in the catalog since."""
    out = []
    for record in records:
        patch = patches.get(record.get("id", ""))
        if patch and record_version(record) != patch["base"]:
            raise EditConflict(record, record_version(record))
        out.append(patch["record"] if patch else record)
    return out


def stage_record(corpus_dir: Path, documents: Mapping[str, Document], record: dict, base_version: str | None,
                 program_id: str) -> tuple[SaveResult, dict]:
    """Like :func:`save_record` for an existing program, but validated against an upload's text
    and returned to be kept beside the upload until it is accepted (the live catalog must keep
    matching the live text); the caller holds the corpus lock (documents.stage_catalog_edit)."""
    records = read_records(corpus_dir)
    clean, current = _prepare(record, documents, records, base_version, program_id)
    if clean["id"] != program_id:
        raise CatalogEditError(["id: a program's id cannot change together with a document upload"])
    return SaveResult(program_id, record_version(clean), _changed(current, clean)), clean


_KEY_ORDER = ("id", "name", "section", "block", "aliases", "summary", "category", "audience", "benefits",
              "eligibility", "schedule", "places", "sources")
_ITEM_ORDER = ("field", "op", "value", "text", "what", "when", "name", "clause", "document", "lines")


def _ordered(value):
    """Keys in the order curators write them (pydantic's dump follows the model's field order,
    which already matches; this keeps clause-level keys stable too)."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (_KEY_ORDER + _ITEM_ORDER).index(k) if k in _KEY_ORDER + _ITEM_ORDER else 99)
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


# -- the whole catalog against a set of documents --------------------------------------------------
def _cited(program: Program):
    yield from program.clauses()
    yield from ((f"sources[{i}]", source) for i, source in enumerate(program.sources))


def catalog_problems(records: list[dict], documents: Mapping[str, Document], only_document: str | None = None
                     ) -> list[str]:
    """Every clause not verbatim in ``documents``, as "program → field: reason" (all of them, where
    ``load_catalog`` stops at the first); with ``only_document``, only clauses citing it."""
    problems = []
    for record in records:
        try:
            program = Program.model_validate(record)
        except ValidationError as exc:
            problems.append(f"{record.get('id', '?')}: invalid record ({exc.error_count()} errors)")
            continue
        for where, clause in _cited(program):
            if only_document and clause.document != only_document:
                continue
            problem = check_clause(clause, documents)
            if problem:
                problems.append(f"{program.id} → {where}.{problem[0]}: {problem[1]}")
    return problems


class _Windows:
    """Whitespace-collapsed windows of ``span`` lines of one document, built once per span."""

    def __init__(self, document: Document):
        self.document = document
        self._by_span: dict[int, list[str]] = {}

    def find(self, text: str, span: int, near: int) -> int | None:
        """The 1-based start of the window of ``span`` lines containing ``text`` nearest ``near``."""
        if span not in self._by_span:
            lines = self.document.lines
            self._by_span[span] = [collapse_whitespace("\n".join(lines[i : i + span]))
                                   for i in range(max(len(lines) - span + 1, 0))]
        starts = [i + 1 for i, window in enumerate(self._by_span[span]) if text in window]
        return min(starts, key=lambda start: abs(start - near)) if starts else None


def reanchor(records: list[dict], documents: Mapping[str, Document]) -> tuple[list[dict], list[str]]:
    """Move clauses whose text now sits on other lines (a paragraph inserted above them) to where
    the text is, nearest the old place. Returns the records and what moved; clauses whose text is
    gone stay as they are (``catalog_problems`` reports them)."""
    windows = {doc_id: _Windows(doc) for doc_id, doc in documents.items()}
    moved: list[str] = []
    out = []
    for record in records:
        try:
            program = Program.model_validate(record)
        except ValidationError:
            out.append(record)
            continue
        changed = False
        new = copy.deepcopy(record)
        for where, clause in program.clauses():
            if not isinstance(clause, Clause) or clause.document not in windows or not check_clause(clause, documents):
                continue
            start, end = clause.lines
            found = windows[clause.document].find(clause.text, end - start + 1, start)
            if found is None:
                continue
            target = _at(new, where)
            target["lines"] = [found, found + end - start]
            moved.append(f"{program.id} → {where}: lines {start}-{end} → {found}-{found + end - start}")
            changed = True
        out.append(new if changed else record)
    return out, moved


def _at(record: dict, where: str) -> dict:
    """The clause dict at a path like "eligibility[2].clause"."""
    node: object = record
    for name, index in re.findall(r"(\w+)(?:\[(\d+)\])?", where):
        node = node[name]                       # type: ignore[index]
        if index:
            node = node[int(index)]             # type: ignore[index]
    return node                                 # type: ignore[return-value]
