"""The profile a program's conditions are about: its fields, their kinds and values, and how
they are named to citizens and staff (Korean, English).

A closed vocabulary, so a program record, a profile form and what a question states cannot drift
apart through spelling."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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


# The words that state them are read from questions in chatbot/programs/profile/stated.py, one entry per name here.
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

# (Korean, English) names of the listed values and of the fields, for answers and the staff form
ENUM_LABELS = {
    "unemployed": ("실업자", "unemployed"), "employed": ("재직자", "employed"),
    "day_laborer": ("일용근로자", "day laborer"), "student": ("학생", "student"),
    "self_employed": ("자영업자", "self-employed"), "business_owner": ("사업주", "business owner"),
    "retired": ("은퇴자", "retired"),
    "sme": ("중소기업", "SME"), "startup": ("스타트업", "startup"), "large": ("대기업", "large company"),
    **INDUSTRIES,
}
FIELD_LABELS = {
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
