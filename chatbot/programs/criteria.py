"""The report's evidence and the conditions it sets: text in two languages, the clause a fact
quotes, and the eligibility criteria on a citizen's (or business's) profile with their wording."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from chatbot.programs.fields import (ENUM_LABELS, ENUM_VALUES, FIELD_LABELS, FIELDS, OPS_BY_KIND,
                                     STATED_CONDITIONS, Op)


class StrictModel(BaseModel):
    # Unknown keys are typos in hand-written data; refuse them rather than drop them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(StrictModel):
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        """Korean for Korean, English for every other language (as answers are worded)."""
        return self.ko if lang == "ko" else self.en


class Source(StrictModel):
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


def krw_ko(v: int) -> str:
    """An amount of won in Korean units: 3500000000 → "35억원", 150000000 → "1억 5,000만원"."""
    eok, man = divmod(int(v) // 10_000, 10_000)
    parts = ([f"{eok:,}억"] if eok else []) + ([f"{man:,}만"] if man else [])
    return (" ".join(parts) or "0") + "원"


class Criterion(StrictModel):
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
            label = FIELD_LABELS[f][0 if ko else 1]
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
                return f"가구 합산 재산 {krw_ko(v)} {'이하' if op == '<=' else '이상'}"
            return f"household assets of ₩{v:,} {'or less' if op == '<=' else 'or more'}"
        if f == "times_used" and op == "<=":          # a cap: "at most v + 1 times" in the clause's period
            return f"이용·참여 최대 {v + 1}회" if ko else f"at most {v + 1} uses or participations"
        if f == "no_shows" and op == "<=":            # bookings close after v + 1 missed ones
            return f"노쇼 {v + 1}회 이상이면 예약 제한" if ko else f"bookings restricted after {v + 1} no-shows"
        if f == "business.annual_sales_krw" and op in ("<=", ">="):
            if ko:
                return f"연 매출 {krw_ko(v)} {'이하' if op == '<=' else '이상'}"
            return f"annual sales of ₩{v:,} {'or less' if op == '<=' else 'or more'}"
        if f == "business.years_since_founding" and op in ("<=", ">="):
            if ko:
                return f"창업 {v}년 {'이내' if op == '<=' else '이상'}"
            return f"founded {v} years ago {'or less' if op == '<=' else 'or more'}"
        label = FIELD_LABELS[f][0 if ko else 1]
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
    if isinstance(v, str) and v in ENUM_LABELS:
        return ENUM_LABELS[v][0 if ko else 1]
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
