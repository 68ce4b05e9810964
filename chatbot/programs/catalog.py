"""The programs: one record per program in ``corpus/programs.yaml``, one pydantic :class:`Program`
per record, loaded and checked here.

A record holds everything about its program: the stable id, the Korean and English names, the report
section (and block) that describes it and the aliases citizens use — what the chunker and question
analysis match (chatbot/programs/names.py) — and the facts: benefits, eligibility criteria, dates and
places. Every fact carries a clause that must be verbatim in a corpus document, so an answer can
always quote its source and a typo in the data is caught at load time rather than shown to a citizen.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from chatbot.documents.corpus import Document, collapse_whitespace, read_yaml
from chatbot.programs.criteria import Clause, Criterion, Localized, Source, StrictModel
from chatbot.programs.fields import AUDIENCES, CATEGORIES
from chatbot.programs.matching import form_key

PROGRAMS_FILE = "programs.yaml"     # in the corpus directory, beside documents.yaml
LEGACY_CATALOG_FILE = "catalog.yaml"    # the facts, in index versions built before they joined PROGRAMS_FILE
_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MONTH = r"\d{4}-(?:0[1-9]|1[0-2])"
_DAY = _MONTH + r"-(?:0[1-9]|[12]\d|3[01])"
_WHEN_POINT = re.compile(rf"^(?:{_DAY}|{_MONTH})$")
_WHEN_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")


class CatalogError(ValueError):
    """The programs file is malformed, cites text its documents do not contain or gives two
    programs one alias."""


def _when_start(point: str) -> date:
    parts = [int(p) for p in point.split("-")]
    return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)


class ScheduleEntry(StrictModel):
    """A dated step. ``when`` stays a string so a month or quarter is not faked into a day."""

    what: Localized
    when: str
    clause: Clause

    @field_validator("when")
    @classmethod
    def _when_form(cls, v: str) -> str:
        hint = "expected YYYY-MM-DD, YYYY-MM, YYYY-Q1..4 or <date|month>..<date|month>"
        if _WHEN_QUARTER.match(v):
            return v
        points = v.split("..")
        if len(points) > 2 or not all(_WHEN_POINT.match(p) for p in points):
            raise ValueError(f"bad when {v!r}; {hint}")
        try:
            starts = [_when_start(p) for p in points]
        except ValueError as exc:
            raise ValueError(f"bad when {v!r}: {exc}") from None
        if len(points) == 2 and starts[0] > starts[1]:
            raise ValueError(f"bad when {v!r}: range ends before it starts")
        return v


class Place(StrictModel):
    name: Localized
    clause: Clause


class Benefit(StrictModel):
    text: Localized
    clause: Clause


_PHONE = re.compile(r"^\+?[\d\s()\-]{2,24}$")
_WEB = re.compile(r"^https?://[^\s<>\"']+$")
CITY_NOTE = Localized(ko="서울시가 제공한 안내이며 업무보고 내용이 아닙니다.",
                      en="Provided by the City of Seoul, not from the work report.")


class NextSteps(StrictModel):
    """What to do next — how to apply, whom to call — as the city's staff give it. The report
    rarely says, so these come from staff, not from a document: shown labelled as the city's,
    never quoted or cited as the report, and dated so a citizen sees how fresh they are."""

    how_to_apply: Localized | None = None
    office: Localized | None = None
    phone: str | None = None
    web: str | None = None
    hours: Localized | None = None
    provided_by: str = Field(min_length=1)      # the office or clerk who gave it
    checked_on: date                            # when they last checked it

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v is not None and not _PHONE.match(v.strip()):
            raise ValueError("a phone number: digits, spaces, '-', '(', ')' and a leading '+' (e.g. 02-2133-5252, 120)")
        return v.strip() if v else v

    @field_validator("web")
    @classmethod
    def _web(cls, v: str | None) -> str | None:
        if v is not None and not _WEB.match(v.strip()):
            raise ValueError("a web address starting with https:// or http://")
        return v.strip() if v else v

    @model_validator(mode="after")
    def _says_something(self) -> NextSteps:
        if not any((self.how_to_apply, self.office, self.phone, self.web, self.hours)):
            raise ValueError("next steps need at least one of how_to_apply, office, phone, web, hours")
        return self

    def to_json(self, lang: str, general: bool = False) -> dict:
        """The steps in one language, marked as the city's (``general``: the city's general help
        line, shown because the program has none of its own)."""
        def local(value: Localized | None) -> str | None:
            return value.get(lang) if value else None
        return {"source": "city", "general": general, "note": CITY_NOTE.get(lang),
                "how_to_apply": local(self.how_to_apply), "office": local(self.office), "phone": self.phone,
                "web": self.web, "hours": local(self.hours), "provided_by": self.provided_by,
                "checked_on": self.checked_on.isoformat()}


class Aliases(StrictModel):
    """Other names of a program, as citizens and the report write them: matched like its names
    (Korean without spaces or middle dots, English on word edges). Specific names only, never
    generic words (청년, 서울, 지원 …), and none shared with another program."""

    ko: list[str] = []
    en: list[str] = []

    @field_validator("ko", "en")
    @classmethod
    def _not_empty(cls, v: list[str]) -> list[str]:
        if any(not alias.strip() for alias in v):
            raise ValueError("an alias cannot be empty")
        return v


class Program(StrictModel):
    id: str
    name: Localized
    # Where the report describes it, for the chunker: a substring of exactly one Part-Ⅳ numbered
    # program-section heading line (None: no section of its own), and in a section that holds
    # several programs, a substring of its own ①①-block heading inside that section.
    section: str | None = Field(default=None, min_length=1)
    block: str | None = Field(default=None, min_length=1)
    aliases: Aliases = Aliases()
    summary: Localized
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    audience: list[Literal[AUDIENCES]] = Field(min_length=1)  # type: ignore[valid-type]
    benefits: list[Benefit] = []
    eligibility: list[Criterion] = []
    schedule: list[ScheduleEntry] = []
    places: list[Place] = []
    sources: list[Source] = Field(min_length=1)
    next_steps: NextSteps | None = None         # staff-given, not from the report

    @field_validator("id")
    @classmethod
    def _kebab(cls, v: str) -> str:
        if not _KEBAB.match(v):
            raise ValueError(f"id {v!r} is not kebab-case")
        return v

    @field_validator("block")
    @classmethod
    def _block_in_section(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is not None and info.data.get("section") is None and "section" in info.data:
            raise ValueError("a block is part of a section: give the section too")
        return v

    @field_validator("eligibility")
    @classmethod
    def _alternatives_come_in_twos(cls, v: list[Criterion]) -> list[Criterion]:
        names = [c.alternative for c in v if c.alternative]
        lonely = sorted({n for n in names if names.count(n) < 2})
        if lonely:
            raise ValueError(f"alternative {lonely[0]!r} has one criterion; alternatives need two or more")
        return v

    def clauses(self) -> Iterator[tuple[str, Clause]]:
        """Every cited clause with its field path, for verification and for answers."""
        for name in ("benefits", "eligibility", "schedule", "places"):
            for i, item in enumerate(getattr(self, name)):
                yield f"{name}[{i}].clause", item.clause

    def name_forms(self) -> list[tuple[str, str]]:
        """(field path, form) of every name and alias a question or passage may name it by:
        the Korean and English names, then the Korean and English aliases."""
        return [("name.ko", self.name.ko), ("name.en", self.name.en),
                *((f"aliases.ko[{i}]", alias) for i, alias in enumerate(self.aliases.ko)),
                *((f"aliases.en[{i}]", alias) for i, alias in enumerate(self.aliases.en))]


def alias_clashes(program: Program, others: Iterable[Program]) -> list[str]:
    """Where ``program`` is named like another program ("aliases.ko[3]: '일자리카페' is already …"),
    compared as the name matcher reads names. No alias is shared by two programs: a question or
    passage that used it could not say which program it means."""
    owners: dict[str, str] = {}
    for other in others:
        if other.id != program.id:
            for _, form in other.name_forms():
                owners.setdefault(form_key(form), other.id)
    return [f"{path}: {form!r} is already a name or alias of program {owners[form_key(form)]!r} "
            f"(no alias is shared by two programs)"
            for path, form in program.name_forms() if form_key(form) in owners]


class Catalog(StrictModel):
    edition: str
    as_of: date
    programs: list[Program]
    help: NextSteps | None = None                # the city's general help line, for programs with no steps

    def next_steps(self, program_id: str, lang: str) -> dict | None:
        """A program's next steps as JSON, or the general help line (``"general": true``), or None."""
        program = self.get(program_id)
        if program is not None and program.next_steps is not None:
            return program.next_steps.to_json(lang)
        return self.help.to_json(lang, general=True) if self.help is not None else None

    @model_validator(mode="after")
    def _unique_ids_and_names(self) -> Catalog:
        seen: set[str] = set()
        for i, p in enumerate(self.programs):
            if p.id in seen:
                raise ValueError(f"duplicate program id {p.id!r}")
            seen.add(p.id)
            clashes = alias_clashes(p, self.programs[:i])
            if clashes:
                raise ValueError(f"program {p.id!r} → {clashes[0]}")
        return self

    def get(self, program_id: str, default: Program | None = None) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), default)

    def __iter__(self) -> Iterator[Program]:  # type: ignore[override]
        return iter(self.programs)

    def __len__(self) -> int:
        return len(self.programs)

    def __contains__(self, program_id: object) -> bool:
        return any(p.id == program_id for p in self.programs)

    def texts(self, lang: str) -> dict[str, tuple[str, ...]]:
        """Program id → the catalog's wording of it in ``lang``: name, summary, benefits, dates and
        places, and in Korean also the report's clauses they and the conditions cite (question
        analysis takes it as words the report covers, and where)."""
        def wording(p: Program) -> tuple[str, ...]:
            texts = [p.name.get(lang), p.summary.get(lang), *(b.text.get(lang) for b in p.benefits),
                     *(e.what.get(lang) for e in p.schedule), *(pl.name.get(lang) for pl in p.places)]
            if lang == "ko":
                texts += [c.clause.text for c in (*p.benefits, *p.eligibility)]
            return tuple(texts)
        return {p.id: wording(p) for p in self.programs}

    def english_clauses(self) -> list[tuple[Clause, str]]:
        """Every cited clause with the catalog's English for it (a benefit, a date, a place, a
        worded condition or the field a condition is on): the English wording of report lines."""
        out: list[tuple[Clause, str]] = []
        for p in self.programs:
            out += [(b.clause, b.text.en) for b in p.benefits]
            out += [(e.clause, e.what.en) for e in p.schedule]
            out += [(pl.clause, pl.name.en) for pl in p.places]
            out += [(c.clause, c.value if c.op == "text" else (c.field or "").replace("_", " ")) for c in p.eligibility]
        return out

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.programs]


def field_path(loc: tuple) -> str:
    """A validation error's location as a curator reads it: ("eligibility", 0, "value") →
    "eligibility[0].value"; "" for the record itself."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    err = errors[0]
    msg = err["msg"].removeprefix("Value error, ")
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{field_path(err['loc']) or '(record)'}: {msg}{more}"


def check_clause(clause: Clause | Source, documents: Mapping[str, Document]) -> tuple[str, str] | None:
    """``(sub-field, reason)`` when ``clause`` is not verbatim in its document, else None."""
    doc = documents.get(clause.document)
    if doc is None:
        return "document", f"unknown document {clause.document!r}"
    start, end = clause.lines
    if end > len(doc.lines):
        return "lines", f"lines {start}-{end} outside {doc.id} (1-{len(doc.lines)})"
    if isinstance(clause, Clause):
        if collapse_whitespace(clause.text) != clause.text:
            return "text", "stray whitespace (write it as the report reads, single spaces)"
        if clause.text not in collapse_whitespace(doc.line_range(start, end)):
            return "text", f"not found verbatim in {doc.id} lines {start}-{end}: {clause.text[:60]!r}"
    return None


def load_catalog(path: Path, documents: Mapping[str, Document] | None = None) -> Catalog:
    """Load and validate the programs file (``corpus_dir / PROGRAMS_FILE``); with ``documents``, also
    prove every clause is quoted right.

    Errors name the file, the program and the field path so a curator can fix the record directly.
    """
    path = Path(path)
    return _validated(_read(path), path.name, documents)


def load_programs(directory: Path, documents: Mapping[str, Document] | None = None) -> Catalog:
    """The programs of a corpus directory or of an index version's snapshot of one.

    A version built before a program was one record carries its names, section and aliases in
    ``programs.yaml`` and its facts in ``catalog.yaml``: they are read together as the records they
    are now, so such a version still loads, and can be rolled back to."""
    directory = Path(directory)
    if not (directory / LEGACY_CATALOG_FILE).is_file():
        return load_catalog(directory / PROGRAMS_FILE, documents)
    raw = _read(directory / LEGACY_CATALOG_FILE)
    naming = {r.get("id"): {k: r[k] for k in ("section", "block", "aliases") if k in r}
              for r in _read(directory / PROGRAMS_FILE)["programs"] if isinstance(r, dict)}
    records = [{**r, **naming.get(r.get("id"), {})} if isinstance(r, dict) else r for r in raw["programs"]]
    return _validated({**raw, "programs": records}, LEGACY_CATALOG_FILE, documents)


def _read(path: Path) -> dict:
    where = path.name
    try:
        raw = read_yaml(path)
    except FileNotFoundError:
        raise CatalogError(f"{where}: file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected a mapping with edition, as_of, programs")
    if not isinstance(raw.get("programs"), list):
        raise CatalogError(f"{where}: programs: expected a list of program records")
    return raw


def _validated(raw: dict, where: str, documents: Mapping[str, Document] | None) -> Catalog:
    records = raw["programs"]
    programs: list[Program] = []
    first_index: dict[str, int] = {}
    for i, record in enumerate(records):
        rid = record.get("id") if isinstance(record, dict) else None
        who = f"program {rid!r}" if isinstance(rid, str) else f"program #{i + 1}"
        try:
            program = Program.model_validate(record)
        except ValidationError as exc:
            raise CatalogError(f"{where}: {who} → {_first_error(exc)}") from None
        if program.id in first_index:
            raise CatalogError(
                f"{where}: {who} → id: duplicate id (first used by record #{first_index[program.id] + 1})"
            )
        first_index[program.id] = i
        clashes = alias_clashes(program, programs)
        if clashes:
            raise CatalogError(f"{where}: {who} → {clashes[0]}")
        if documents is not None:
            cited = list(program.clauses()) + [(f"sources[{j}]", s) for j, s in enumerate(program.sources)]
            for field_path, clause in cited:
                problem = check_clause(clause, documents)
                if problem:
                    raise CatalogError(f"{where}: {who} → {field_path}.{problem[0]}: {problem[1]}")
        programs.append(program)

    try:
        return Catalog.model_validate({**{k: v for k, v in raw.items() if k != "programs"}, "programs": programs})
    except ValidationError as exc:
        raise CatalogError(f"{where}: {_first_error(exc)}") from None
