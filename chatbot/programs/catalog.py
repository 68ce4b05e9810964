"""Catalog stage: the programs the finder can recommend, each fact tied to the report passage.

``corpus/catalog.yaml`` is hand-curated data. Every benefit, eligibility criterion, date and place
carries a clause that must be verbatim in a corpus document, so an answer can always quote its
source and a typo in the data is caught at load time rather than shown to a citizen.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator,
)

from chatbot.documents.corpus import Document, collapse_whitespace, read_yaml

CATALOG_FILE = "catalog.yaml"       # in the corpus directory, beside documents.yaml
CATEGORIES = (
    "jobs", "training", "startup", "business", "finance", "industry-cluster",
    "culture-industry", "international", "facility", "public-jobs",
)
AUDIENCES = (
    "citizen", "youth", "job-seeker", "student", "foreign-student", "senior", "vulnerable",
    "business", "startup", "researcher", "foreign-investor", "institution",
)
EMPLOYMENT_STATUSES = (
    "unemployed", "employed", "day_laborer", "student", "self_employed", "business_owner", "retired",
)
BUSINESS_SIZES = ("sme", "startup", "large")
# Industry slugs for the report's industry words; a closed list so a profile and the catalog
# cannot drift apart through spelling. Extend it when a new report names a new industry.
INDUSTRIES: dict[str, tuple[str, str]] = {
    "bio": ("바이오", "bio"),
    "medical": ("의료", "medical"),
    "fintech": ("핀테크", "fintech"),
    "garment-sewing": ("의류봉제", "garment sewing"),
    "metal-machinery": ("기계금속", "metal and machinery"),
    "jewelry": ("주얼리", "jewellery"),
    "printing": ("인쇄", "printing"),
    "handmade-shoes": ("수제화", "handmade shoes"),
    "ai": ("인공지능(AI)", "artificial intelligence (AI)"),
    "robot": ("로봇", "robotics"),
    "quantum": ("양자기술", "quantum technology"),
    # industries no program names, read from questions so an "in [...]" condition can exclude them
    "food": ("외식·식품", "food and restaurants"),
    "software": ("소프트웨어·IT", "software and IT"),
    "content": ("콘텐츠", "content (games, webtoons, video)"),
}

@dataclass(frozen=True)
class StatedCondition:
    """A yes/no fact about the applicant that only a question states (no profile form field):
    what a program's clause asks beyond the profile ("현장 설치 가능한 시제품", "수료생").
    Each pair is (Korean, English)."""

    label: tuple[str, str]         # the field's name in answers and the staff form
    rule_yes: tuple[str, str]      # the condition "== true" as a rule
    rule_no: tuple[str, str]       # the condition "== false" as a rule
    person_yes: tuple[str, str]    # someone who said yes, as a modifier ("who …")
    person_no: tuple[str, str]
    missing: tuple[str, str]       # what to ask for when a verdict needs it
    # a place of residence: someone who says where they live (in Seoul or elsewhere) without
    # naming it does not live there ("인천 살아요" is not Gunpo)
    residence: bool = False


# Extraction patterns live in chatbot/profile_extract.py (_STATED_PATTERNS), one entry per name here.
STATED_CONDITIONS: dict[str, StatedCondition] = {
    "prototype_ready": StatedCondition(
        label=("현장 설치 가능한 시제품", "a finished prototype"),
        rule_yes=("기술개발 완료, 현장 설치 가능한 시제품", "development finished, a prototype that can be installed on site"),
        rule_no=("시제품 없음", "no finished prototype"),
        person_yes=("기술개발을 마쳐 현장 설치 가능한 시제품이 있는", "whose prototype is finished and can be installed"),
        person_no=("아직 현장 설치 가능한 시제품이 없는", "who has no finished, installable prototype yet"),
        missing=("시제품 완성(현장 설치 가능) 여부", "whether your prototype is finished and can be installed on site"),
    ),
    "it_major": StatedCondition(
        label=("IT·컴퓨터 전공", "an IT or computer-science major"),
        rule_yes=("IT·컴퓨터 전공자", "IT or computer-science majors"),
        rule_no=("비전공자(코딩 실력이 부족한)", "non-majors (whose coding is not yet good enough)"),
        person_yes=("IT·컴퓨터를 전공한", "who majored in IT or computer science"),
        person_no=("IT·컴퓨터 비전공자인", "who did not major in IT or computer science"),
        missing=("IT·컴퓨터 전공 여부", "whether you majored in IT or computer science"),
    ),
    "gunpo_resident": StatedCondition(
        label=("군포시 거주", "lives in Gunpo"),
        rule_yes=("군포시민", "Gunpo citizens"),
        rule_no=("군포시민이 아닌 사람", "people who do not live in Gunpo"),
        person_yes=("군포시에 사는", "who lives in Gunpo"),
        person_no=("군포시에 살지 않는", "who does not live in Gunpo"),
        missing=("군포시 거주 여부", "whether you live in Gunpo"),
        residence=True,
    ),
    "course_completed": StatedCondition(
        label=("과정 수료", "finished the course"),
        rule_yes=("과정 수료생", "graduates of the course"),
        rule_no=("과정을 수료하지 않은 사람", "people who have not finished the course"),
        person_yes=("과정을 수료한", "who finished the course"),
        person_no=("과정을 수료하지 않은", "who has not finished the course"),
        missing=("과정 수료 여부", "whether you finished the course"),
    ),
}

# Profile field -> kind. The kind decides which ops and values make sense, so a criterion the
# future eligibility engine could not evaluate is rejected here instead of silently ignored.
FIELDS: dict[str, str] = {
    "age": "int",
    "resident_of_seoul": "bool",
    "employment_status": "enum",
    "income_pct_of_median": "number",
    "household_assets_krw": "int",
    "is_foreign_student": "bool",
    "business": "object",
    "business.size": "enum",
    "business.years_since_founding": "int",
    "business.industry": "enum",
    "business.in_seoul": "bool",          # where the business is, not where its owner lives
    "business.certified": "bool",         # holds a public agency's certification (공공기관 인증: 이노비즈, 벤처 …)
    "business.annual_sales_krw": "int",   # last year's sales, from a question ("작년 매출이 35억"); no form field
    # how often the person already used or joined the program in the period its clause names: a
    # cap ("연 10회까지") excludes only someone who says they reached it (eligibility.LIMIT_FIELDS)
    "times_used": "int",
    "no_shows": "int",
    **{name: "bool" for name in STATED_CONDITIONS},
}
ENUM_VALUES = {
    "employment_status": EMPLOYMENT_STATUSES,
    "business.size": BUSINESS_SIZES,
    "business.industry": tuple(INDUSTRIES),
}
OPS_BY_KIND = {
    "int": {"<=", ">=", "between", "==", "in", "present", "text"},
    "number": {"<=", ">=", "between", "==", "present", "text"},
    "bool": {"==", "present", "text"},
    "enum": {"==", "in", "present", "text"},
    "object": {"present", "text"},
}

Op = Literal["<=", ">=", "between", "==", "in", "present", "text"]
_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MONTH = r"\d{4}-(?:0[1-9]|1[0-2])"
_DAY = _MONTH + r"-(?:0[1-9]|[12]\d|3[01])"
_WHEN_POINT = re.compile(rf"^(?:{_DAY}|{_MONTH})$")
_WHEN_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")


class CatalogError(ValueError):
    """The catalog file is malformed or cites text its documents do not contain."""


class _Model(BaseModel):
    # Unknown keys are typos in hand-written data; refuse them rather than drop them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(_Model):
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        """Korean for Korean, English for every other language (as answers are worded)."""
        return self.ko if lang == "ko" else self.en


class Source(_Model):
    document: str = Field(min_length=1)
    lines: tuple[int, int]

    @field_validator("lines")
    @classmethod
    def _ordered(cls, v: tuple[int, int]) -> tuple[int, int]:
        if v[0] < 1 or v[1] < v[0]:
            raise ValueError(f"need 1 <= start <= end, got {list(v)}")
        return v


class Clause(Source):
    """The report passage that states a fact; quoted to the citizen as the evidence."""

    text: str = Field(min_length=1)


def _krw_ko(v: int) -> str:
    eok, man = divmod(int(v) // 10_000, 10_000)
    parts = ([f"{eok:,}억"] if eok else []) + ([f"{man:,}만"] if man else [])
    return (" ".join(parts) or "0") + "원"


_ENUM_LABELS = {
    "unemployed": ("실업자", "unemployed"), "employed": ("재직자", "employed"),
    "day_laborer": ("일용근로자", "day laborer"), "student": ("학생", "student"),
    "self_employed": ("자영업자", "self-employed"), "business_owner": ("사업주", "business owner"),
    "retired": ("은퇴자", "retired"),
    "sme": ("중소기업", "SME"), "startup": ("스타트업", "startup"), "large": ("대기업", "large company"),
    **INDUSTRIES,
}
_FIELD_LABELS = {
    "age": ("나이", "age"), "resident_of_seoul": ("서울 거주", "Seoul residence"),
    "employment_status": ("취업 상태", "employment status"),
    "income_pct_of_median": ("기준중위소득 대비 소득", "income as % of median"),
    "household_assets_krw": ("가구 재산", "household assets"),
    "is_foreign_student": ("외국인 유학생", "foreign student"),
    "business": ("사업체", "business"), "business.size": ("기업 규모", "business size"),
    "business.years_since_founding": ("창업 경과연수", "years since founding"),
    "business.industry": ("업종", "industry"),
    "business.in_seoul": ("사업체 소재지", "where the business is located"),
    "business.certified": ("공공기관 인증", "public agency certification"),
    "business.annual_sales_krw": ("연 매출", "annual sales"),
    "times_used": ("이미 이용·참여한 횟수", "times already used or joined"),
    "no_shows": ("예약하고 오지 않은(노쇼) 횟수", "bookings missed (no-shows)"),
    **{name: c.label for name, c in STATED_CONDITIONS.items()},
}


class Criterion(_Model):
    """One eligibility condition on a citizen's (or business's) profile.

    ``op: text`` marks a condition the report states only in words: it is shown, never decided,
    and may omit ``field`` when no profile field fits. ``met_by`` lists the values of an enum
    field that certainly satisfy those words (a stated ``unemployed`` is a "구직자"); any other
    value leaves the condition undecided.
    """

    field: str | None = None
    op: Op
    value: Any = Field(default=None, validate_default=True)
    clause: Clause
    # op "text" only: stated values that certainly satisfy the worded condition, of ``field``
    # ("unemployed") or of another field ("is_foreign_student=true"); see met_by_fact
    met_by: list[str] | None = None
    # the words that name the part of the program this condition is for ("엔젤펀드", "angel fund",
    # "사전과정"): it decides only for a question that names the part, and is shown otherwise
    part: list[str] | None = None
    # op "text" only: how applicants who meet the conditions are chosen ("선정기준 : 일자리 창출
    # 성과…", "서면·대면 2단계 심사"): shown, never an entry condition, so it holds no verdict open
    selection: bool = False
    # criteria sharing this name are alternatives: the condition holds when any of them does
    # (the angel fund's "창업 3년 이내 기업 또는 … 연간 매출액이 20억원 이하인 …")
    alternative: str | None = None

    @field_validator("alternative")
    @classmethod
    def _alternative_is_decidable(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None:
            return v
        if not v.strip():
            raise ValueError("alternative needs a name shared by the criteria that are alternatives")
        if info.data.get("op") == "text":
            raise ValueError("alternative belongs to a decidable criterion, not to words (op 'text')")
        return v.strip()

    @field_validator("field")
    @classmethod
    def _known_field(cls, v: str | None) -> str | None:
        if v is not None and v not in FIELDS:
            raise ValueError(f"unknown field {v!r}; expected one of {sorted(FIELDS)}")
        return v

    @field_validator("op")
    @classmethod
    def _op_fits_field(cls, op: str, info: ValidationInfo) -> str:
        if "field" not in info.data:
            return op  # the field already failed; its error says why
        field = info.data["field"]
        if field is None and op != "text":
            raise ValueError(f"op {op!r} needs a field (only 'text' criteria may omit it)")
        if field is not None and op not in OPS_BY_KIND[FIELDS[field]]:
            raise ValueError(f"op {op!r} does not apply to field {field!r} ({FIELDS[field]})")
        return op

    @field_validator("value")
    @classmethod
    def _value_fits_op(cls, v: Any, info: ValidationInfo) -> Any:
        if "field" not in info.data or "op" not in info.data:
            return v  # field/op already failed; their errors say why
        field, op = info.data["field"], info.data["op"]
        kind = FIELDS[field] if field else "text"
        if op == "present":
            if v is not None:
                raise ValueError("op 'present' takes no value")
            return v
        if op == "text":
            if not isinstance(v, str) or not v.strip():
                raise ValueError("op 'text' needs a non-empty description string")
            return v
        if op == "between":
            if not (isinstance(v, (list, tuple)) and len(v) == 2):
                raise ValueError("op 'between' needs [lo, hi]")
            lo, hi = (_scalar(field, kind, x) for x in v)
            if lo > hi:
                raise ValueError(f"op 'between' needs lo <= hi, got [{lo}, {hi}]")
            return [lo, hi]
        if op == "in":
            if not isinstance(v, (list, tuple)) or not v:
                raise ValueError("op 'in' needs a non-empty list")
            return [_scalar(field, kind, x) for x in v]
        return _scalar(field, kind, v)

    @field_validator("met_by")
    @classmethod
    def _met_by_fits(cls, v: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if v is None:
            return v
        if info.data.get("op") != "text":
            raise ValueError("met_by belongs to an op 'text' criterion")
        if not v:
            raise ValueError("met_by needs at least one value")
        for entry in v:
            met_by_fact(info.data.get("field"), entry)
        return v

    @field_validator("selection")
    @classmethod
    def _selection_is_words(cls, v: bool, info: ValidationInfo) -> bool:
        if v and info.data.get("op") != "text":
            raise ValueError("selection belongs to an op 'text' criterion (how applicants are chosen)")
        return v

    def met_by_facts(self) -> list[tuple[str, Any]]:
        """``met_by`` as (field, value) pairs: a plain value is one of this criterion's own
        field; ``field=value`` one of another field ("is_foreign_student=true")."""
        return [met_by_fact(self.field, entry) for entry in self.met_by or ()]

    @field_validator("part")
    @classmethod
    def _part_words(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and (not v or any(not w.strip() for w in v)):
            raise ValueError("part needs the words that name the program's part, none empty")
        return [w.strip() for w in v] if v is not None else v

    def part_name(self, lang: str = "en") -> str | None:
        """The part's name to show: its first word, or in English its first Latin-letter word."""
        if not self.part:
            return None
        return next((w for w in self.part if w.isascii()), self.part[0]) if lang != "ko" else self.part[0]

    def names_part(self, text: str) -> bool:
        """Does ``text`` (a question) name the part this condition is for?"""
        lowered = "".join(text.lower().split())
        return any("".join(w.lower().split()) in lowered for w in self.part or ())

    def describe(self, lang: str = "en") -> str:
        """Human wording for answers and for staff reviewing the data; a part's condition names
        the part first ("(엔젤펀드) 창업 7년 이내")."""
        rule = self._describe(lang)
        return f"({self.part_name(lang)}) {rule}" if self.part else rule

    def _describe(self, lang: str) -> str:
        ko = lang == "ko"
        f, op, v = self.field, self.op, self.value
        if op == "text":
            return self.clause.text if ko else v
        if f == "business" and op == "present":
            return "사업체(기업) 대상" if ko else "for businesses"
        if op == "present":
            label = _FIELD_LABELS[f][0 if ko else 1]
            return f"{label} 정보 필요" if ko else f"{label} must be given"
        if f == "age":
            if op == "<=":
                return f"만 {v}세 이하" if ko else f"age {v} or under"
            if op == ">=":
                return f"만 {v}세 이상" if ko else f"age {v} or over"
            if op == "between":
                return f"만 {v[0]}~{v[1]}세" if ko else f"age {v[0]} to {v[1]}"
        if f in STATED_CONDITIONS and op == "==":
            condition = STATED_CONDITIONS[f]
            return (condition.rule_yes if v else condition.rule_no)[0 if ko else 1]
        if f in ("resident_of_seoul", "is_foreign_student", "business.in_seoul", "business.certified") and op == "==":
            words = {
                ("business.certified", True): ("공공기관 인증을 받은 기업", "company certified by a public agency"),
                ("business.certified", False): ("공공기관 인증이 없는 기업", "company without a public agency certification"),
                ("business.in_seoul", True): ("서울 소재 사업체", "business located in Seoul"),
                ("business.in_seoul", False): ("서울 밖 사업체", "business located outside Seoul"),
                ("resident_of_seoul", True): ("서울시 거주", "lives in Seoul"),
                ("resident_of_seoul", False): ("서울시 비거주", "does not live in Seoul"),
                ("is_foreign_student", True): ("외국인 유학생", "foreign student"),
                ("is_foreign_student", False): ("외국인 유학생 아님", "not a foreign student"),
            }[(f, v)]
            return words[0 if ko else 1]
        if f == "income_pct_of_median" and op in ("<=", ">="):
            if ko:
                return f"기준중위소득 {_fmt(v)}% {'이하' if op == '<=' else '이상'}"
            side = "at or below" if op == "<=" else "at or above"
            return f"household income {side} {_fmt(v)}% of the median income (기준중위소득)"
        if f == "household_assets_krw" and op in ("<=", ">="):
            if ko:
                return f"가구 합산 재산 {_krw_ko(v)} {'이하' if op == '<=' else '이상'}"
            return f"household assets of ₩{v:,} {'or less' if op == '<=' else 'or more'}"
        if f == "times_used" and op == "<=":          # a cap: "at most v + 1 times" in the clause's period
            return f"이용·참여 최대 {v + 1}회" if ko else f"at most {v + 1} uses or participations"
        if f == "no_shows" and op == "<=":            # bookings close after v + 1 missed ones
            return f"노쇼 {v + 1}회 이상이면 예약 제한" if ko else f"bookings restricted after {v + 1} no-shows"
        if f == "business.annual_sales_krw" and op in ("<=", ">="):
            if ko:
                return f"연 매출 {_krw_ko(v)} {'이하' if op == '<=' else '이상'}"
            return f"annual sales of ₩{v:,} {'or less' if op == '<=' else 'or more'}"
        if f == "business.years_since_founding" and op in ("<=", ">="):
            if ko:
                return f"창업 {v}년 {'이내' if op == '<=' else '이상'}"
            return f"founded {v} years ago {'or less' if op == '<=' else 'or more'}"
        label = _FIELD_LABELS[f][0 if ko else 1]
        if op == "in":
            items = [_label(x, ko) for x in v]
            if ko:
                return f"{label}: {', '.join(items)}"
            return f"{label}: " + (items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}")
        if op == "between":
            return f"{label}: {_fmt(v[0])}~{_fmt(v[1])}" if ko else f"{label}: {_fmt(v[0])} to {_fmt(v[1])}"
        if op == "==":
            return f"{label}: {_label(v, ko)}"
        if ko:
            return f"{label} {_label(v, ko)} {'이하' if op == '<=' else '이상'}"
        return f"{label} {'at most' if op == '<=' else 'at least'} {_label(v, ko)}"


def _fmt(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,}"


def _label(v: Any, ko: bool) -> str:
    if isinstance(v, str) and v in _ENUM_LABELS:
        return _ENUM_LABELS[v][0 if ko else 1]
    return _fmt(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def met_by_fact(own_field: str | None, entry: str) -> tuple[str, Any]:
    """One ``met_by`` entry as (field, value), checked: "unemployed" on an employment_status
    criterion, or "is_foreign_student=true" / "employment_status=student" on any criterion."""
    field, sep, raw = str(entry).partition("=")
    field, raw = (field.strip(), raw.strip()) if sep else (own_field, str(entry).strip())
    if field not in FIELDS or FIELDS[field] not in ("enum", "bool"):
        raise ValueError(f"met_by {entry!r}: name a yes/no or listed-values field as field=value "
                         f"(one of {sorted(f for f, k in FIELDS.items() if k in ('enum', 'bool'))})")
    if FIELDS[field] == "bool":
        if raw.lower() not in ("true", "false"):
            raise ValueError(f"met_by {entry!r}: {field} is true or false")
        return field, raw.lower() == "true"
    if raw not in ENUM_VALUES[field]:
        raise ValueError(f"met_by {entry!r}: {raw!r} is not one of {list(ENUM_VALUES[field])}")
    return field, raw


def _scalar(field: str, kind: str, x: Any) -> Any:
    """Check one comparison value against the field's kind (bools are not numbers here)."""
    if kind in ("int", "number"):
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise ValueError(f"field {field!r} needs a number, got {x!r}")
        if kind == "int" and not float(x).is_integer():
            raise ValueError(f"field {field!r} needs a whole number, got {x!r}")
        return int(x) if kind == "int" else x
    if kind == "bool":
        if not isinstance(x, bool):
            raise ValueError(f"field {field!r} needs true/false, got {x!r}")
        return x
    if x not in ENUM_VALUES[field]:  # enum
        raise ValueError(f"field {field!r} needs one of {list(ENUM_VALUES[field])}, got {x!r}")
    return x


def _when_start(point: str) -> date:
    parts = [int(p) for p in point.split("-")]
    return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)


class ScheduleEntry(_Model):
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


class Place(_Model):
    name: Localized
    clause: Clause


class Benefit(_Model):
    text: Localized
    clause: Clause


_PHONE = re.compile(r"^\+?[\d\s()\-]{2,24}$")
_WEB = re.compile(r"^https?://[^\s<>\"']+$")
CITY_NOTE = Localized(ko="서울시가 제공한 안내이며 업무보고 내용이 아닙니다.",
                      en="Provided by the City of Seoul, not from the work report.")


class NextSteps(_Model):
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


class Program(_Model):
    id: str
    name: Localized
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


class Catalog(_Model):
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
    def _unique_ids(self) -> Catalog:
        seen: set[str] = set()
        for p in self.programs:
            if p.id in seen:
                raise ValueError(f"duplicate program id {p.id!r}")
            seen.add(p.id)
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


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(record)"


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    err = errors[0]
    msg = err["msg"].removeprefix("Value error, ")
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{_loc(err['loc'])}: {msg}{more}"


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
    """Load and validate the catalog; with ``documents``, also prove every clause is quoted right.

    Errors name the file, the program and the field path so a curator can fix the record directly.
    """
    path = Path(path)
    where = path.name
    try:
        raw = read_yaml(path)
    except FileNotFoundError:
        raise CatalogError(f"{where}: file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected a mapping with edition, as_of, programs")
    records = raw.get("programs")
    if not isinstance(records, list):
        raise CatalogError(f"{where}: programs: expected a list of program records")

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
