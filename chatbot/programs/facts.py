"""What the eligibility engine decides on: :class:`Facts` about a person, and the profile the API
accepts (:class:`Profile`), which becomes facts.

Facts, not profiles, are evaluated: a profile from the API gives exact values, but a question such
as "30대 후반인데…" only gives a range (chatbot/programs/profile/ reads one from a question).

Business criteria: ``present`` on ``business`` is met when business details were given. When none
were given but the stated employment status is one that does not run a business (unemployed,
employed, day laborer, student, retired), business criteria are unmet, so a job seeker is not
shown a dozen business programs as "unknown". Owners and the self-employed without details, and
profiles with no status, stay unknown with ``business`` missing. Adding ``business`` to a profile
always overrides the inference (:meth:`Facts.owns_business`).
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chatbot.programs.fields import BUSINESS_SIZES, CATEGORIES, EMPLOYMENT_STATUSES, INDUSTRIES, STATED_CONDITIONS

EmploymentStatus = Literal[EMPLOYMENT_STATUSES]  # type: ignore[valid-type]
BusinessSize = Literal[BUSINESS_SIZES]  # type: ignore[valid-type]
Industry = Literal[tuple(INDUSTRIES)]  # type: ignore[valid-type]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]

# Statuses that describe someone who does not run a business (see the module docstring).
NO_BUSINESS_STATUSES = frozenset({"unemployed", "employed", "day_laborer", "student", "retired"})


# ── input: the profile the API accepts ─────────────────────────────────────────────────────────

def whole_number(value: Any) -> Any:
    """A before-validator for the strict integer fields of request bodies: JSON has one number type,
    so 27.0 is the integer 27 (as JSON Schema, and so /openapi.json, says), while "27", true and
    27.5 are still refused."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class _Strict(BaseModel):
    # Strict so "30" for an age or 1 for a yes/no is refused, not silently coerced into a verdict.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Business(_Strict):
    """A citizen's business; every detail is optional so "I run a business" alone can be said."""

    size: BusinessSize | None = None
    years_since_founding: int | None = Field(default=None, ge=0, le=200)
    industry: Industry | None = None   # case and surrounding spaces do not matter ("FinTech")
    in_seoul: bool | None = None        # where the business is ("서울 소재"), apart from where its owner lives
    certified: bool | None = None       # a public agency's certification (공공기관 인증: 이노비즈, 메인비즈, 벤처 …)

    _whole = field_validator("years_since_founding", mode="before")(whole_number)

    @field_validator("industry", mode="before")
    @classmethod
    def _slug_case(cls, v: Any) -> Any:
        # a typo would otherwise read as "not in the listed industries" and turn a verdict to ineligible
        return v.strip().lower() if isinstance(v, str) else v


class Profile(_Strict):
    age: int | None = Field(default=None, ge=0, le=120)
    resident_of_seoul: bool | None = None
    employment_status: EmploymentStatus | None = None
    income_pct_of_median: float | None = Field(default=None, ge=0, le=1000)
    household_assets_krw: int | None = Field(default=None, ge=0)
    is_foreign_student: bool | None = None
    business: Business | None = None
    interests: list[Category] = Field(default_factory=list)

    _whole = field_validator("age", "household_assets_krw", mode="before")(whole_number)


def profile_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as ``[{"field": "profile.age", "message": ...}]`` for a 400 response."""
    out = []
    for err in exc.errors(include_url=False):
        path = "profile"
        for part in err["loc"]:
            path += f"[{part}]" if isinstance(part, int) else f".{part}"
        out.append({"field": path, "message": err["msg"].removeprefix("Value error, ")})
    return out


# ── facts: what the engine decides on ──────────────────────────────────────────────────────────

@dataclass(frozen=True)
class Facts:
    """What is known about the person. Numbers are closed ranges; ``None`` means not stated.

    A profile gives points (min == max); text can give ranges ("30대 후반" = 36–39,
    "중위소득 80% 이하" = 0–80).
    """

    age_min: int | None = None
    age_max: int | None = None
    resident_of_seoul: bool | None = None
    employment_status: str | None = None
    income_min: float | None = None
    income_max: float | None = None
    assets_min: int | None = None
    assets_max: int | None = None
    is_foreign_student: bool | None = None
    has_business: bool | None = None
    business_size: str | None = None
    business_years_since_founding: int | None = None
    business_industry: str | None = None
    business_in_seoul: bool | None = None    # "판교에 있는 중소기업"; profile.business.in_seoul
    business_certified: bool | None = None   # "이노비즈 인증 있어요"; profile.business.certified
    business_sales_min: int | None = None     # "작년 매출이 35억" (a range: "20억 이하"); no form field
    business_sales_max: int | None = None
    times_used: int | None = None           # stated in a question ("올해 벌써 10번 빌렸는데"); no form field
    no_shows: int | None = None             # bookings missed ("두 번 노쇼했는데"); no form field
    stated: tuple[tuple[str, bool], ...] = ()   # catalog.STATED_CONDITIONS a question settles; no form field
    interests: tuple[str, ...] = ()

    @classmethod
    def from_profile(cls, profile: Profile) -> Facts:
        b = profile.business
        return cls(
            age_min=profile.age, age_max=profile.age,
            resident_of_seoul=profile.resident_of_seoul,
            employment_status=profile.employment_status,
            income_min=profile.income_pct_of_median, income_max=profile.income_pct_of_median,
            assets_min=profile.household_assets_krw, assets_max=profile.household_assets_krw,
            is_foreign_student=profile.is_foreign_student,
            has_business=True if b is not None else None,
            business_size=b.size if b else None,
            business_years_since_founding=b.years_since_founding if b else None,
            business_industry=b.industry if b else None,
            business_in_seoul=b.in_seoul if b else None,
            business_certified=b.certified if b else None,
            interests=tuple(profile.interests),
        )

    def merge(self, fallback: Facts) -> Facts:
        """These facts, with gaps filled from ``fallback`` (e.g. a profile over facts from text)."""
        gaps = {f.name: getattr(fallback, f.name) for f in fields(self) if getattr(self, f.name) in (None, ())}
        return replace(self, **gaps)

    def span(self, field_name: str) -> tuple[Any, Any] | None:
        """The known value of a criterion field as ``(lo, hi)``; scalars give ``(v, v)``."""
        if field_name in STATED_CONDITIONS:
            value = dict(self.stated).get(field_name)
            if value is None and STATED_CONDITIONS[field_name].residence and self.resident_of_seoul is not None:
                value = False       # said where they live, and it was not here (it would be stated)
            return None if value is None else (value, value)
        lo_attr, hi_attr = _SPAN_ATTRS[field_name]
        lo, hi = getattr(self, lo_attr), getattr(self, hi_attr)
        if lo is None or hi is None:
            return None
        return lo, hi

    def owns_business(self) -> bool | None:
        """Given business details win; else inferred from the employment status (module docstring)."""
        if self.has_business is not None:
            return self.has_business
        if self.employment_status in NO_BUSINESS_STATUSES:
            return False
        return None


_SPAN_ATTRS = {
    "age": ("age_min", "age_max"),
    "resident_of_seoul": ("resident_of_seoul", "resident_of_seoul"),
    "employment_status": ("employment_status", "employment_status"),
    "income_pct_of_median": ("income_min", "income_max"),
    "household_assets_krw": ("assets_min", "assets_max"),
    "is_foreign_student": ("is_foreign_student", "is_foreign_student"),
    "business": ("has_business", "has_business"),
    "business.size": ("business_size", "business_size"),
    "business.years_since_founding": ("business_years_since_founding", "business_years_since_founding"),
    "business.industry": ("business_industry", "business_industry"),
    "business.in_seoul": ("business_in_seoul", "business_in_seoul"),
    "business.certified": ("business_certified", "business_certified"),
    "business.annual_sales_krw": ("business_sales_min", "business_sales_max"),
    "times_used": ("times_used", "times_used"),
    "no_shows": ("no_shows", "no_shows"),
}
# Caps on repeated use: not an entry condition, so unsaid they are shown, not asked for; only
# someone who says they reached the cap is excluded.
LIMIT_FIELDS = frozenset({"times_used", "no_shows"})
