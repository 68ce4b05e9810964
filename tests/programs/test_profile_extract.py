"""Facts read from questions: what a citizen says about themselves, never the rule they quote.

Each positive case states the complete Facts expected, so a phrase that is read twice, or a fact
that leaks from a neighbouring word, fails as loudly as one that is missed.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from chatbot.programs.catalog import load_catalog
from chatbot.programs.eligibility import Facts, evaluate
from chatbot.programs.profile import extract, extract_facts

CATALOG = Path(__file__).resolve().parents[2] / "corpus" / "programs.yaml"
SEOUL, NOT_SEOUL = {"resident_of_seoul": True}, {"resident_of_seoul": False}


def age(lo: int, hi: int | None = None) -> dict[str, int]:
    return {"age_min": lo, "age_max": lo if hi is None else hi}


def income(lo: float, hi: float | None = None) -> dict[str, float]:
    return {"income_min": lo, "income_max": lo if hi is None else hi}


def assets(lo: int, hi: int | None = None) -> dict[str, int]:
    return {"assets_min": lo, "assets_max": lo if hi is None else hi}


def status(s: str) -> dict[str, str]:
    return {"employment_status": s}


POSITIVE: list[tuple[str, dict[str, Any]]] = [
    # ages in Korean: digits, native number words, decades
    ("마흔 살인데 받을 수 있는 지원이 있나요?", age(40)),
    ("만 40세 구직자입니다", {**age(40), **status("unemployed")}),
    ("40세입니다", age(40)),
    ("40살이고 실직 상태예요", {**age(40), **status("unemployed")}),
    ("스물일곱이고 취준생이에요", {**age(27), **status("unemployed")}),
    ("서른다섯이에요. 서울시민입니다", {**age(35), **SEOUL}),
    ("저 서른여섯 구직자인데요", {**age(36), **status("unemployed")}),      # a native number before a person
    ("스물다섯 대학생인데 되나요", {**age(25), **status("student")}),
    ("27살이고 경기도 거주", {**age(27), **NOT_SEOUL}),
    ("마흔둘인데 일용직으로 일하고 있어요", {**age(42), **status("day_laborer")}),
    ("스무 살 대학생이에요", {**age(20), **status("student")}),
    ("서른두 살 서울 거주 구직자입니다", {**age(32), **SEOUL, **status("unemployed")}),
    ("예순다섯 살 은퇴했어요", {**age(65), **status("retired")}),
    ("나이는 40이에요", age(40)),
    ("고등학생 아들(만 17살)이 해보고 싶대요", {**age(17), **status("student")}),   # an age in brackets after the person
    ("My dad (63) lives in Seoul", age(63)),
    ("My mum is 45 and has an interview next week", age(45)),              # the person asked for
    ("25살인데 청년인턴 할 수 있나요?", age(25)),
    ("40살이면 신청할 수 있나요?", age(40)),  # a conditional describes the asker's case
    ("30대 후반 백수입니다", {**age(36, 39), **status("unemployed")}),
    ("30대 초반 직장인", {**age(30, 33), **status("employed")}),
    ("30대 중반인데요", age(33, 36)),
    ("20대 대학생인데 뭐 있나요", {**age(20, 29), **status("student")}),
    ("30대 후반인데 38살이에요", age(38)),  # overlapping statements intersect
    # ages in English
    ("I'm 40 and unemployed", {**age(40), **status("unemployed")}),
    ("I am forty, living in Seoul", {**age(40), **SEOUL}),
    ("I'm a 25-year-old job seeker from Gyeonggi", {**age(25), **NOT_SEOUL, **status("unemployed")}),
    ("Is there anything for a 25-year-old?", age(25)),
    ("My mother is 40 years old", age(40)),
    ("I'm twenty-five and I live in Seoul", {**age(25), **SEOUL}),
    ("I'm in my thirties", age(30, 39)),
    ("late twenties student here", {**age(26, 29), **status("student")}),
    ("I'm in my early 30s, a Seoul resident", {**age(30, 33), **SEOUL}),
    ("I just turned 18", age(18)),
    # residence
    ("서울 살아요", SEOUL),
    ("서울시에 거주하고 있습니다", SEOUL),
    ("서울로 이사 왔어요", SEOUL),
    ("인천 살아요", NOT_SEOUL),
    ("I live in Bupyeong, Incheon", NOT_SEOUL),                           # a district, then the city
    ("I'm 56, live in Songpa-gu, and worked at a bank", {**age(56), **SEOUL}),
    ("인천 부평 사는 30대 남자인데요", {**NOT_SEOUL, **age(30, 39)}),      # a district of the city between
    ("서울에 안 살아요", NOT_SEOUL),
    ("서울에 살았는데 지금은 경기도 거주", NOT_SEOUL),  # past residence does not count
    ("I don't live in Seoul", NOT_SEOUL),
    ("I live in Seoul", SEOUL),
    # employment
    ("구직 중입니다", status("unemployed")),
    ("백수예요", status("unemployed")),
    ("대학원생인데 휴학 중", status("student")),
    ("재학 중인 학생이에요", status("student")),
    ("자영업 하고 있어요", status("self_employed")),
    ("카페 사장인데 직원 뽑으려고요", status("business_owner")),
    ("은퇴 후 구직 중입니다", status("unemployed")),  # the more specific status wins
    ("I'm retired", status("retired")),
    ("I'm a day laborer", status("day_laborer")),
    ("I'm self-employed", status("self_employed")),
    ("I'm a job seeker", status("unemployed")),
    ("My son is 23, he's job hunting and lives in Gwanak-gu", {**age(23), **status("unemployed"), **SEOUL}),
    ("My brother is 29", age(29)),
    ("I'm a student", status("student")),
    # income and assets
    ("중위소득 50%이고 재산 1억", {**income(50), **assets(100_000_000)}),
    ("기준중위소득 80% 이하 가구예요", income(0, 80)),
    ("우리 집은 기준 중위소득의 120% 정도", income(120)),
    ("재산 5억 원 정도", assets(500_000_000)),
    ("재산이 4억 9천 9백만원이에요", assets(499_000_000)),
    ("재산 3억5천만원 이하", assets(0, 350_000_000)),
    ("가족 재산 다 합쳐도 1억이 안 돼요", assets(0, 100_000_000)),          # "안 돼요": short of it
    ("가족 재산 합쳐서 1억쯤이고 소득은 없어요", assets(100_000_000)),
    ("가족 재산 다 합치면 6억 정도 돼요", assets(600_000_000)),
    ("재산은 전세보증금 포함해서 1억 5천 정도예요", assets(150_000_000)),     # what the sum includes, between
    ("my household income is 70% of median, assets of 300 million won", {**income(70), **assets(300_000_000)}),
    ("median income 70%", income(70)),
    ("my income is below 60% of the median", income(0, 60)),
    ("household assets under 400 million won", assets(0, 400_000_000)),
    ("assets of ₩300,000,000 or less", assets(0, 300_000_000)),
    # foreign students
    ("유학생인데 창업하고 싶어요", {"is_foreign_student": True}),
    ("유학생이 아니에요", {"is_foreign_student": False}),
    ("I'm an international student", {"is_foreign_student": True}),
    ("I'm a foreign student in Seoul, 24 years old", {"is_foreign_student": True, **age(24)}),
    # a full-width question (NFKC)
    ("３５살이고 서울 거주", {**age(35), **SEOUL}),
    # how often the asker already used the program (a cap excludes only those who reached it)
    ("올해 벌써 10번 빌렸는데 또 돼요?", {"times_used": 10}),
    ("두 번 참여했는데 또 신청돼요?", {"times_used": 2}),
    ("올해 벌써 10번 정장 빌렸어요", {"times_used": 10}),                  # what was borrowed between
    ("I've done Seoul Companion Jobs twice in the last two years", {"times_used": 2}),
    ("I borrowed a suit 3 times this year", {"times_used": 3}),
    # bookings the asker missed (the Future Lab closes bookings after two)
    ("서울퓨처랩 예약해놓고 두번 노쇼했는데 또 예약 돼요?", {"no_shows": 2}),
    ("예약하고 한 번 안 갔어요 다시 예약 되나요", {"no_shows": 1}),
    ("I missed one booking there a while ago", {"no_shows": 1}),
    ("I no-showed twice, can I book again?", {"no_shows": 2}),
    # where the asker's business is (apart from where they live)
    ("판교에 있는 로봇 중소기업인데요", {"business_in_seoul": False, "business_size": "sme", "has_business": True}),
    ("성수동에 있는 직원 8명 핀테크 스타트업인데", {"business_in_seoul": True, "business_size": "startup", "has_business": True,
                                            "business_industry": "fintech"}),
    # the industry of the asker's business (an "in [...]" condition can then exclude a bakery)
    ("마포에서 작은 빵공장 하는데", {"business_industry": "food", "has_business": True}),
    ("봉제공장 하는데요", {"business_industry": "garment-sewing", "has_business": True}),
    ("게임 개발사인데 지원 받을 수 있을까요?", {"business_industry": "content", "has_business": True}),
    ("구로구에 있는 AI 벤처기업(직원 15명)입니다", {"business_industry": "ai", "business_size": "startup",
                                             "business_in_seoul": True, "has_business": True}),
    ("We're a foreign-invested biotech company", {"business_industry": "bio", "has_business": True}),
    # a public agency's certification, held or not; a rule about one is not the asker's
    ("이노비즈 인증 있어요", {"business_certified": True, "has_business": True}),
    ("공공기관 인증 같은 건 받은 게 하나도 없어요", {"business_certified": False, "has_business": True}),
    ("We're a small venture-certified firm", {"business_certified": True, "has_business": True, "business_size": "sme"}),
    # the company someone works at is their employer, not a business they run
    ("I'm working full-time at a small company in Seoul", status("employed")),
    ("가산동 소프트웨어 회사 다니는 27살인데", {**age(27), **status("employed")}),
    ("My brother (26) is living with our parents in Goyang", {**age(26), **NOT_SEOUL}),
    ("인쇄소 운영하는데 지원 돼요?", {"business_industry": "printing", "has_business": True}),
    ("I run a small café in Mapo", {"business_industry": "food", "has_business": True}),
    ("We're a small printing company", {"business_industry": "printing", "has_business": True}),
    ("I run a 2-year-old startup based in Seoul", {"business_in_seoul": True, "business_size": "startup",
                                                   "has_business": True, "business_years_since_founding": 2}),
    ("We're a startup in Gangnam", {"business_in_seoul": True, "business_size": "startup", "has_business": True}),
    ("Our small company is in Seongnam, Gyeonggi", {"business_in_seoul": False, "business_size": "sme", "has_business": True}),
    ("We're a Seoul SME with Inno-Biz certification", {"business_in_seoul": True, "business_size": "sme",
                                                       "business_certified": True, "has_business": True}),
    ("our Gangnam-based fintech startup", {"business_in_seoul": True, "business_size": "startup", "has_business": True}),
    ("저희는 AI 스타트업이고 서울 강남에 있어요", {"business_industry": "ai", "business_size": "startup",
                                        "business_in_seoul": True, "has_business": True}),
    ("저희는 경기도 성남 소재 바이오 벤처예요", {"business_in_seoul": False, "business_industry": "bio", "has_business": True}),
    ("We're a 20-person AI computer-vision startup", {"business_industry": "ai", "business_size": "startup",
                                                      "has_business": True}),
    ("로봇 스타트업 운영하는데요", {"business_industry": "robot", "business_size": "startup", "has_business": True}),
    ("공공기관 인증(가족친화인증)도 받았고요", {"business_certified": True, "has_business": True}),   # a name in brackets
    # a business's sales (the angel fund's "연간 매출액이 20억원 이하")
    ("서울 소재 창업 5년차고 작년 매출 35억입니다", {"business_years_since_founding": 4, "has_business": True,
                                         "business_sales_min": 3_500_000_000, "business_sales_max": 3_500_000_000}),
    ("작년 매출이 0원이에요", {"business_sales_min": 0, "business_sales_max": 0, "has_business": True}),
    ("last year's revenue was about 1.2 billion won", {"business_sales_min": 1_200_000_000,
                                                        "business_sales_max": 1_200_000_000, "has_business": True}),
    # yes/no conditions only a question states (catalog.STATED_CONDITIONS)
    ("아직 아이디어 단계라 시제품은 없는데요", {"stated": (("prototype_ready", False),)}),
    ("We only have an idea, nothing built yet", {"stated": (("prototype_ready", False),)}),
    ("기술개발은 끝나서 바로 설치 가능해요", {"stated": (("prototype_ready", True),)}),
    ("Our care-robot prototype is finished and ready to install", {"stated": (("prototype_ready", True),)}),
    ("저 컴공 졸업한 29살 백수에요", {**age(29), **status("unemployed"), "stated": (("it_major", True),)}),
    ("비전공자라 코딩 1도 몰라요", {"stated": (("it_major", False),)}),
    ("I'm a computer science graduate", {"stated": (("it_major", True),)}),
    ("수료는 안 했는데 들을 수 있을까요?", {"stated": (("course_completed", False),)}),
    ("군포시 사는 34살인데요", {**age(34), **NOT_SEOUL, "stated": (("gunpo_resident", True),)}),
    ("I live in Gunpo, Gyeonggi-do", {**NOT_SEOUL, "stated": (("gunpo_resident", True),)}),
    ("I finished a SeSAC web dev course last month", {"stated": (("course_completed", True),)}),
]


@pytest.mark.parametrize("question, expected", POSITIVE, ids=[q for q, _ in POSITIVE])
def test_facts_stated_by_the_asker(question, expected):
    assert extract_facts(question) == Facts(**expected), [f.phrase for f in extract(question).understood]


# Questions that quote a rule, name a group or a program, or say nothing about the asker.
NEGATIVE = [
    "공공기관 인증을 받은 기업만 되나요?",
    "Is certification required?",
    "18~34세면 신청 가능한가요?",
    "만 18세~34세 청년이 대상인가요?",
    "1년에 10회 이상 참여할 수 있나요?",
    "만 39세 이하만 되나요?",
    "20~30대 청년 대상인가요?",
    "20·30대가 대상인가요?",
    "연령 제한이 39세인가요?",
    "청년 나이가 몇 살까지예요?",
    "만 18세 이상 실업 상태인 서울시민만 되나요?",
    "창업 3년 이내 기업도 되나요?",
    "2024년 7월에 열리나요?",
    "서울 거주자만 신청 가능한가요?",
    "서울에 살아야 하나요?",
    "기준중위소득 80% 이하인가요?",
    "가족합산재산 기준이 4억 9900만원 이하인가요?",
    "취준생 대상 프로그램 있나요?",
    "외국인 유학생 인턴십이 있나요?",
    "사장님이 월급을 안 줘요",
    "대표적인 프로그램이 뭐예요?",
    "네 살아요",
    "Is the age limit 34?",
    "Can people aged 18 to 34 apply?",
    "Is it for 18-34 year olds?",
    "Is it open to people under 40 years old?",
    "39 years old or younger only?",
    "Is it only for unemployed Seoul residents?",
    "Are retired people eligible?",
    "Is the income limit 80% of median?",
    "people in their late twenties",
    "How many times a year can I apply? 10 times?",
    "정장 몇 번 빌릴 수 있어요?",
    "연 10회까지 되나요?",
    "서울 소재 기업만 되나요?",
    "My son's 5 years into his apprenticeship",
    "핀테크랩 입주 가능한가요?",                    # a program's name is not the asker's industry
    "I'm a game developer",                       # a job, not a business
    "Is it only for biotech companies?",
    "서른 명 모집하나요?",                          # a native number before a counter, not a person
    "2회 이상 노쇼 시 예약 제한이에요?",                # the rule, not the asker's count
    "I missed a lot of classes",
    "Can I join the Seoul Startup Hub?",             # a size word in a facility's name
    "스타트업 허브 입주 가능한가요?",
    "Is there an SME fund?",
    "Is our Seoul startup hub membership still valid?",  # a place before a facility's name
    "비전공자 대상인가요?",                              # a stated condition quoted as the rule
    "매출 20억 이하 기업만 되나요?",
    "Is a finished prototype required?",
]


@pytest.mark.parametrize("question", NEGATIVE)
def test_rules_and_groups_are_not_read_as_the_asker(question):
    assert extract_facts(question) == Facts(), [f.phrase for f in extract(question).understood]


@pytest.mark.parametrize("question, expected", [
    ("저는 40살, 아들은 20살이에요", {}),  # two people: age stays unknown
    ("만 34세 청년인데 18~34세 맞죠?", age(34)),  # the person's age, not the quoted range
    ("40살 실업자인데 서울 거주자만 되나요?", {**age(40), **status("unemployed")}),
    ("I'm 34. Is the upper limit 34?", age(34)),
])
def test_mixed_statements_and_rules(question, expected):
    assert extract_facts(question) == Facts(**expected)


def test_understood_phrases_name_field_and_text():
    found = extract("마흔 살인데 서울 살아요").understood
    assert [(f.field, f.phrase, f.value) for f in found] == [
        ("age", "마흔 살", (40, 40)), ("resident_of_seoul", "서울 살", True),
    ]


# ── into the engine ───────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("question, program_id, expected", [
    ("30대 후반 구직자인데 면접정장 빌릴 수 있나요?", "interview-suit", "eligible"),
    ("30대 중반 서울 사는데 청년인턴 되나요?", "youth-intern", "unknown"),
    ("스물일곱 살이고 서울 살아요", "youth-intern", "eligible"),
    ("서른다섯이고 서울 거주", "youth-intern", "ineligible"),
    ("만 40세 서울시민, 구직 중입니다", "new-deal-jobs", "eligible"),
    ("I'm 40, unemployed, I live in Incheon", "new-deal-jobs", "ineligible"),
    ("18~34세면 청년인턴 되나요?", "youth-intern", "unknown"),
    ("27살 취준생인데 올해 벌써 10번 빌렸어요. 또 빌릴 수 있나요?", "interview-suit", "ineligible"),
    ("27살 취준생인데 올해 3번 빌렸어요. 또 빌릴 수 있나요?", "interview-suit", "eligible"),
    ("27살 취준생인데 정장 빌릴 수 있나요?", "interview-suit", "eligible"),      # a cap unsaid is shown, not asked
    ("판교에 있는 로봇 중소기업인데 R&D 자금 신청 가능해요?", "seoul-rnd", "ineligible"),
    ("We're a 20-person AI startup in Gangnam. Can we apply?", "seoul-rnd", "eligible"),
    ("성수동에 있는 중소기업인데 신청 돼요?", "strong-sme", "unknown"),      # its public certification unsaid
    ("성수동에 있는 중소기업이고 이노비즈 인증 있어요. 신청 돼요?", "strong-sme", "eligible"),   # the engine's verdict
    ("강남에 있는 중소기업인데 공공기관 인증 같은 건 받은 게 하나도 없어요", "strong-sme", "ineligible"),
])
def test_extracted_facts_drive_verdicts(question, program_id, expected):
    program = load_catalog(CATALOG).get(program_id)
    assert evaluate(program, extract_facts(question), "ko", date(2024, 3, 15)).verdict == expected


@pytest.mark.parametrize("question, expected", [
    ("청년취업사관학교 Pre 과정 듣고 싶어요. 컴퓨터공학 전공했어요", "ineligible"),
    ("28살 취준생인데 비전공자예요. Pre 과정 들을 수 있나요?", "eligible"),
    ("30살 구직 중인데 수료는 안 했어요. Post 과정만 들을 수 있나요?", "ineligible"),
    ("29살 구직 중이고 지난달 수료했어요. Post 과정 들을 수 있나요?", "eligible"),
    ("28살 취준생이에요. Post 과정 들을 수 있나요?", "unknown"),          # whether they finished is unsaid
])
def test_a_part_decides_on_a_condition_only_a_question_states(question, expected):
    program = load_catalog(CATALOG).get("youth-academy")
    assert evaluate(program, extract_facts(question), "ko", date(2024, 3, 15), question).verdict == expected
