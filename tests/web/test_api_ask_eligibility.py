"""Eligibility and schedule answers inside POST /api/ask.

Questions that name their program run on the fake-embedder ``client``: the program comes from the
name, the verdict from the catalog, so retrieval quality does not matter. Questions that leave the
program to retrieval run on the real model (``real_client``, marked slow)."""
from __future__ import annotations

import re

import pytest


_SENTENCE_END = re.compile(r"\((?:\d+행|line \d+)\)\.")


def first_sentence(answer: str) -> str:
    """Up to the first "(1234행)." / "(line 1234).", the end of a sentence that cites a clause."""
    match = _SENTENCE_END.search(answer)
    return answer[: match.end()] if match else answer.split(". ")[0]


@pytest.fixture
def api(make_app, fake_index_dir):
    return make_app(fake_index_dir, rate_limit="off", today="2024-03-15").test_client()


def ask(client, question: str, **extra) -> dict:
    response = client.post("/api/ask", json={"question": question, **extra})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


VERDICT_WORDS = {
    ("ko", "eligible"): "대상에 해당합니다",
    ("ko", "ineligible"): "대상이 아닙니다",
    ("ko", "unknown"): "정보가 더 필요합니다",
    ("en", "eligible"): " is eligible for ",
    ("en", "ineligible"): " not eligible for ",
    ("en", "unknown"): "depends on",
}

# (question, answer language, program, verdict, missing, words the first sentence must contain)
CASES = [
    ("취업날개 올해 벌써 10번 빌렸는데 한번 더 빌릴 수 있나요? 27살 취준생임", "ko", "interview-suit", "ineligible", [],
     ["이미 10회 이용·참여한 분은 「취업날개 면접정장 무료대여」 대상이 아닙니다: 보고서에 “연 10회까지 무상으로 이용가능” (2029행)."]),
    ("I've done Seoul Companion Jobs twice in the last two years. I'm 50, out of work, can I join again?", "en",
     "companion-jobs", "ineligible", [], ["who already used or joined it 2 times is not eligible", "(line 1592)"]),
    ("서울퓨처랩 예약해놓고 두 번 노쇼했는데 또 예약 돼요?", "ko", "future-lab", "ineligible", [],
     ["예약하고 2회 오지 않은 분은 「서울퓨처랩 (4차산업혁명체험센터)」 대상이 아닙니다: 보고서에 “2회 이상 노쇼 시 예약 제한”"]),
    ("I missed one booking at the Seoul Future Lab. Can I still reserve online?", "en", "future-lab", "eligible", [],
     ["Someone who missed 1 booking is eligible for Seoul Future Lab"]),
    ("마흔 살인데 취업날개 이용 가능한가요?", "ko", "interview-suit", "ineligible", [],
     ["만 40세는 「취업날개 면접정장 무료대여」 대상이 아닙니다: 보고서에 “「서울특별시 청년 기본 조례」에 따라 "
      "청년의 연령을 39세 이하까지 확대하여 적용하고 있음” (2045행)."]),
    ("Can a 25-year-old from Gyeonggi join the Seoul youth internship?", "en", "youth-intern", "ineligible", [],
     ["Someone who does not live in Seoul is not eligible for Seoul Youth Internship",
      "“참여대상 : 서울시 거주 청년(18~34세) 350명” (line 1358)"]),
    ("30대 후반 취준생인데 청년취업사관학교 들을 수 있어?", "ko", "youth-academy", "eligible", [],
     ["만 36~39세 실업자는 「청년취업사관학교」 대상에 해당합니다", "“대 상 : 취업 의지가 있는 20~30대 청년 구직자” (1292행)"]),
    ("30대 후반인데 청년인턴 신청할 수 있나요?", "ko", "youth-intern", "ineligible", [],
     ["만 36~39세는", "(1358행)"]),
    ("30대 중반인데 청년인턴 신청 가능한가요?", "ko", "youth-intern", "unknown", ["age", "resident_of_seoul"],
     ["정확한 나이, 서울 거주 여부 정보가 더 필요합니다", "(1358행)"]),
    ("I'm 39 and looking for a job, can I rent a free interview suit?", "en", "interview-suit", "eligible", [],
     ["Someone aged 39 who is unemployed is eligible for Free interview suit rental", "(line 2045)"]),
    ("I'm 40 years old. Can I use the free interview suit rental?", "en", "interview-suit", "ineligible", [],
     ["Someone aged 40 is not eligible", "(line 2045)"]),
    ("서울에 사는 34살인데 청년인턴 지원할 수 있어요?", "ko", "youth-intern", "eligible", [],
     ["서울에 사는 만 34세는", "대상에 해당합니다"]),
    ("서울 사는 35살인데 청년인턴 참여 가능한가요?", "ko", "youth-intern", "ineligible", [],
     ["만 35세는", "대상이 아닙니다"]),
    ("I'm 17, I live in Seoul. Can I study at the Seoul technical training institute?", "en", "tech-school",
     "eligible", [], ["Someone aged 17 who lives in Seoul is eligible", "“훈련대상 : 만 15세 이상 서울시민” (line 1508)"]),
    ("14살인데 기술교육원 다닐 수 있어요?", "ko", "tech-school", "ineligible", [],
     ["만 14세는 「서울시 기술교육원」 대상이 아닙니다", "(1508행)"]),
    ("33살 서울 사는 실업자인데 뉴딜일자리 신청할 수 있나요?", "ko", "new-deal-jobs", "eligible", [],
     ["서울에 사는 만 33세 실업자는 「서울형 뉴딜일자리 사업」 대상에 해당합니다", "(1627행)"]),
    ("I'm 30 and unemployed, can I join the new deal jobs?", "en", "new-deal-jobs", "unknown", ["resident_of_seoul"],
     ["depends on whether you live in Seoul", "(line 1627)"]),
    ("I work at a company and I'm 30; can I join Seoul New Deal Jobs?", "en", "new-deal-jobs", "ineligible", [],
     ["Someone who is employed is not eligible", "(line 1627)"]),
    ("중위소득 90%인데 동행일자리 참여할 수 있나요?", "ko", "companion-jobs", "ineligible", [],
     ["소득이 기준중위소득 90%인 분은", "“기준중위소득 80% 이하” (1591행)"]),
    ("직장인인데 핀테크랩 입주 가능한가요?", "ko", "fintech-lab", "ineligible", [],
     ["재직자는", "대상이 아닙니다"]),
    ("대학생인데 청년인턴 지원 가능해요?", "ko", "youth-intern", "unknown", ["age", "resident_of_seoul"],
     ["나이, 서울 거주 여부 정보가 더 필요합니다"]),
    ("청년인턴 신청 자격이 뭐예요?", "ko", "youth-intern", "unknown", ["age", "resident_of_seoul"],
     ["「서울형 청년인턴 직무·국제캠프」 대상인지 판단하려면"]),
    ("What are the eligibility requirements for the youth internship?", "en", "youth-intern", "unknown",
     ["age", "resident_of_seoul"], ["depends on your age and whether you live in Seoul"]),
    # one business, described once; how applicants are then selected does not hold the verdict open
    ("우리 회사는 성동구 소재 중소기업이고 이노비즈 인증 있어요. 서울형 강소기업 신청할 수 있나요?", "ko", "strong-sme",
     "eligible", [], ["서울에 있는 공공기관 인증 중소기업을 운영하는 분은 「청년과 함께하는 서울형 강소기업 육성 지원」 대상에 해당합니다: "
                      "보고서에 “모집대상 : 서울 소재 중소기업 중 공공기관 인증을 받은 기업” (1397행)."]),
    ("We're a Seoul SME with Inno-Biz certification. Can we apply to be a Seoul strong SME?", "en", "strong-sme",
     "eligible", [], ["Someone who runs an SME in Seoul, holding a public agency certification is eligible"]),
    # "Startup" in a facility's name is not the asker's business
    ("Can I join the Seoul Startup Hub? I'm 30", "en", "startup-hub", "unknown", ["business", "business.size"],
     ["depends on whether you run a business and the size of your business"]),
    ("대기업 계열사인데 마곡 R&D센터 입주 가능한가요?", "ko", "magok", "ineligible", [],
     ["대기업을 운영하는 분은", "R&D센터 대상이 아닙니다", "(1101행)"]),
    ("저희는 AI 스타트업이고 서울 강남에 있어요. 서울형 R&D 지원 받을 수 있나요?", "ko", "seoul-rnd", "eligible", [],
     ["서울에 있는 인공지능(AI) 업종 스타트업을 운영하는 분은", "(1810행)"]),
]


@pytest.mark.parametrize("question, lang, program, verdict, missing, words", CASES, ids=[c[0][:30] for c in CASES])
def test_eligibility_verdict_and_first_sentence(api, question, lang, program, verdict, missing, words):
    body = ask(api, question)
    assert body["answer_language"] == lang
    eligibility = body["eligibility"]
    assert eligibility["program"]["id"] == program
    assert eligibility["verdict"] == verdict
    assert eligibility["missing"] == missing
    first = first_sentence(body["answer"])
    assert VERDICT_WORDS[(lang, verdict)] in first
    for word in words:
        assert word in first, (word, first)
    # the quoted clause is the one of a criterion that decided the verdict
    deciding = {"eligible": "met", "ineligible": "unmet", "unknown": "unknown"}[verdict]
    assert any(c["clause"]["text"] in first for c in eligibility["criteria"] if c["status"] == deciding)


def test_eligibility_field_shape(api):
    eligibility = ask(api, "마흔 살인데 취업날개 이용 가능한가요?")["eligibility"]
    assert set(eligibility) >= {"program", "verdict", "criteria", "missing"}
    assert eligibility["program"] == {"id": "interview-suit", "name": "취업날개 면접정장 무료대여"}
    age = eligibility["criteria"][0]
    assert age == {"field": "age", "rule": "만 39세 이하", "status": "unmet", "part": None, "part_named": False,
                   "selection": False, "alternative": None, "clause": {
        "text": "「서울특별시 청년 기본 조례」에 따라 청년의 연령을 39세 이하까지 확대하여 적용하고 있음",
        "document": "seoul-economic-policy-office-2024", "lines": [2045, 2047]}}
    assert eligibility["criteria"][1]["status"] == "info"
    assert eligibility["understood"] == [{"field": "age", "phrase": "마흔 살", "value": [40, 40]}]


def test_rules_follow_the_answer_language(api):
    en = ask(api, "I'm 40 years old. Can I use the free interview suit rental?")["eligibility"]
    assert en["criteria"][0]["rule"] == "age 39 or under"
    assert en["program"]["name"] == "Free interview suit rental (Chwieop Nalgae)"


def test_age_range_decides_only_what_the_whole_range_decides(api):
    late = ask(api, "30대 후반 구직자인데 청년취업사관학교 들을 수 있어?")["eligibility"]  # 36–39 all within 20–39
    early = ask(api, "20대 초반인데 청년인턴 신청 가능해요?")["eligibility"]           # 20–23 within 18–34
    mid = ask(api, "30대 중반인데 청년인턴 신청 가능해요?")["eligibility"]             # 33–36 straddles 34
    assert late["verdict"] == "eligible"
    assert early["criteria"][0]["status"] == "met" and early["verdict"] == "unknown"   # residence not said
    assert mid["criteria"][0]["status"] == "unknown" and "age" in mid["missing"]


def test_never_eligible_on_missing_information(api):
    for question in ("청년인턴 신청 가능한가요? 저는 학생이에요", "Can I join the Seoul youth internship? I'm a student",
                     "뉴딜일자리 신청 자격이 어떻게 되나요?", "취업날개 대상이 누구예요?"):
        eligibility = ask(api, question)["eligibility"]
        assert eligibility["verdict"] != "eligible", question
        assert eligibility["missing"], question


def test_info_only_conditions_are_shown_not_decided(api):
    body = ask(api, "55살인데 중장년 1인 미디어 교육 들을 수 있나요?")
    eligibility = body["eligibility"]
    assert eligibility["program"]["id"] == "midlife-media-training"
    assert eligibility["verdict"] == "unknown" and eligibility["missing"] == []
    assert [c["status"] for c in eligibility["criteria"]] == ["info", "info"]
    assert "자동으로 판단하지 않습니다" in first_sentence(body["answer"])


def test_youth_without_an_age_range_is_read_with_the_youth_ranges_the_report_cites(api):
    """"청년구직자" states no ages: the report's own youth ranges (up to 39 under the Seoul youth
    ordinance) decide the age, and a stated job seeker meets the words."""
    young = ask(api, "27살 구직자인데 일자리카페 이용할 수 있나요?")["eligibility"]
    assert young["program"]["id"] == "job-cafe" and young["verdict"] == "eligible"
    older = ask(api, "I'm 58 and looking for work. Can I use the city's youth job cafés?")
    assert older["eligibility"]["program"]["id"] == "job-cafe" and older["eligibility"]["verdict"] == "ineligible"
    assert "39세" in older["answer"] and "(line 2043)" in older["answer"]


def test_an_unstated_detail_stays_partial_and_carries_the_verdict_asked_for_too(api):
    """The web address is what was asked: the report does not give it (partial); the verdict the
    person's facts decide comes with it rather than instead of it."""
    body = ask(api, "저 27살 취준생인데 취업날개 신청하려면 홈페이지 주소가 뭐예요?")
    assert body["status"] == "partial" and body["grounded"] is True
    assert body["eligibility"]["program"]["id"] == "interview-suit" and body["eligibility"]["verdict"] == "eligible"
    assert body["answer"].startswith("2024 업무보고에는 「취업날개 면접정장 무료대여」의 홈페이지 주소가 나와 있지 않습니다. "
                                     "만 27세 실업자는 「취업날개 면접정장 무료대여」 대상에 해당합니다")


def test_a_named_part_of_a_program_is_decided_by_its_own_conditions(api):
    """"엔젤펀드" is a part of the Vision 2030 Fund with its own target; "사전과정" (the Pre course) of
    the youth academy is for non-majors (a CS graduate is not one) and its "심화반" (the Post
    course) for its graduates, which a first-timer's question cannot settle unless it says so:
    open, never eligible. Creative Core100 is Invest Seoul's list for content and game companies: a
    biotech firm is not eligible."""
    old = ask(api, "창업한지 9년 된 회사인데 서울시 엔젤펀드 투자 받을 수 있나요?")
    assert old["eligibility"]["program"]["id"] == "vision-fund" and old["eligibility"]["verdict"] == "ineligible"
    assert first_sentence(old["answer"]).startswith("창업한 지 9년 된 사업체를 운영하는 분은 「서울 Vision 2030 펀드 조성 및 운용」 "
                                                    "엔젤펀드 대상이 아닙니다")
    assert {c["part"] for c in old["eligibility"]["criteria"]} == {None, "엔젤펀드"}
    pre = ask(api, "청년취업사관학교 사전과정 있다던데 저 컴공 졸업한 29살 백수에요 들을 수 있나요")
    assert pre["eligibility"]["verdict"] == "ineligible" and "(Pre 과정)" in pre["answer"]
    assert first_sentence(pre["answer"]).startswith("IT·컴퓨터를 전공한 분은 「청년취업사관학교」 사전과정 대상이 아닙니다")
    concert = ask(api, "I'm 45 and work at a company in G Valley. Can I go to the G Valley youth talk concert in September?")
    assert concert["eligibility"]["verdict"] == "ineligible"
    assert first_sentence(concert["answer"]).startswith("Someone aged 45 is not eligible for G Valley")
    assert "(talk concert):" in first_sentence(concert["answer"])
    post = ask(api, "청년취업사관학교 프로젝트 위주 심화반은 처음 듣는 사람도 바로 신청되나요? 29살 취준생이에요")
    assert post["eligibility"]["verdict"] == "unknown" and "(Post 과정)" in post["answer"]       # for its graduates
    core = ask(api, "We're a foreign-invested biotech company in Seoul. Can we be selected for Invest Seoul's "
                    "Creative Core100 list?")
    assert core["eligibility"]["program"]["id"] == "invest-seoul" and core["eligibility"]["verdict"] == "ineligible"
    general = ask(api, "30대 후반 취준생인데 청년취업사관학교 들을 수 있어?")
    assert general["eligibility"]["verdict"] == "eligible" and "Pre 과정" not in general["answer"]
    assert any(c["part"] and not c["part_named"] and c["status"] == "info" for c in general["eligibility"]["criteria"])


def test_a_met_condition_beside_worded_ones_is_named_as_a_label_and_the_rest_left_to_the_reader(api):
    body = ask(api, "I run a 2-year-old startup based in Seoul. Can we get investment from the Seoul Vision 2030 Fund?")
    eligibility = body["eligibility"]
    assert eligibility["program"]["id"] == "vision-fund" and eligibility["verdict"] == "unknown"
    assert [c["status"] for c in eligibility["criteria"] if not c["part"]] == ["met", "info"]
    assert first_sentence(body["answer"]).startswith(
        "You meet Seoul Vision 2030 Fund's stated condition (for businesses), but check the conditions the report "
        "states only in words: the report says “서울 소재 창업 3년 이내 기업")


@pytest.mark.parametrize("question", [
    "취업날개 연체료는 얼마인가요?",
    "청년인턴 신청은 어디서 하나요?",
    "How do I apply to the Seoul youth internship?",
    "청년취업사관학교에서 무엇을 배우나요?",
    "40살 직장인인데 취업날개 연체료가 얼마예요?",
])
def test_other_questions_get_no_eligibility_field(api, question):
    body = ask(api, question)
    assert "eligibility" not in body and "schedule" not in body


@pytest.mark.parametrize("question", ["30살인데 국민취업지원제도 신청 가능한가요?", "서울 사는 28살인데 청년수당 신청 가능해요?",
                                      "I'm 25 and live in Seoul, can I get a youth housing subsidy?"])
def test_schemes_outside_the_catalog_get_no_verdict(api, question):
    assert "eligibility" not in ask(api, question)


# ── schedules ──────────────────────────────────────────────────────────────────────────────────

def schedule_app(make_app, fake_index_dir, today: str):
    return make_app(fake_index_dir, rate_limit="off", today=today).test_client()


@pytest.mark.parametrize("today, status, words", [
    ("2024-06-01", "upcoming", ["보고서의 2024년 계획상 「청년취업사관학교」", "2024년 7월(“②강남 ’24.7”, 1324행)입니다."]),
    ("2024-07-10", "ongoing", ["2024년 7월(“②강남 ’24.7”, 1324행)이며, 오늘은 그 기간에 속합니다."]),
    ("2024-09-01", "past", ["2024년 7월(“②강남 ’24.7”, 1324행)이었으며, 이 날짜는 이미 지났습니다."]),
])
def test_campus_opening_against_today(make_app, fake_index_dir, today, status, words):
    body = ask(schedule_app(make_app, fake_index_dir, today), "청년취업사관학교 강남 캠퍼스 언제 열어요?")
    assert "eligibility" not in body
    [entry] = body["schedule"]
    assert entry["program"]["id"] == "youth-academy" and entry["when"] == "2024-07" and entry["status"] == status
    assert entry["clause"] == {"text": "②강남 ’24.7", "document": "seoul-economic-policy-office-2024",
                               "lines": [1324, 1324]}
    assert entry["start"] == "2024-07-01" and entry["end"] == "2024-07-31"
    for word in words:
        assert word in body["answer"]
    assert body["answer"].startswith("보고서의 2024년 계획상")
    if status != "past":
        assert "지났습니다" not in body["answer"]


@pytest.mark.parametrize("today, status, phrase", [
    ("2024-03-15", "upcoming", "is planned for May 2024"),
    ("2024-08-01", "past", "was planned for May 2024"),
])
def test_robot_museum_opening_in_english(make_app, fake_index_dir, today, status, phrase):
    body = ask(schedule_app(make_app, fake_index_dir, today), "when does the robot museum open?")
    [entry] = body["schedule"]
    assert entry["program"]["id"] == "robot-ai-museum" and entry["when"] == "2024-05" and entry["status"] == status
    assert body["answer"].startswith("Under the 2024 report's plan, “Trial operation and opening (planned)”")
    assert phrase in body["answer"] and "(“’24.5월 : 과학관 시범운영 및 개관(예정)”, line 2530)" in body["answer"]
    assert ("that date has already passed" in body["answer"]) == (status == "past")


def test_schedule_without_a_matching_entry_lists_the_programs_dates(api):
    body = ask(api, "청년인턴 일정 알려주세요")
    assert [e["when"] for e in body["schedule"]] == ["2024-03..2024-05", "2024-06..2024-12"]
    assert [e["status"] for e in body["schedule"]] == ["ongoing", "upcoming"]


def test_recruitment_question_picks_the_recruitment_entry(api):
    body = ask(api, "청년인턴 모집 기간이 언제예요?")
    [entry] = body["schedule"]
    assert entry["what"] == "참여기관·교육기관·참여자 모집 및 선정" and entry["status"] == "ongoing"


def test_later_year_plan(api):
    body = ask(api, "서울영화센터 언제 개관하나요?")
    [entry] = body["schedule"]
    assert entry["when"] == "2025-07" and entry["status"] == "upcoming"
    assert "2025년 7월" in body["answer"]


def test_eligibility_and_schedule_together(api):
    body = ask(api, "서울 사는 25살인데 청년인턴 신청할 수 있나요? 모집 기간은 언제예요?")
    assert body["eligibility"]["verdict"] == "eligible"
    assert body["schedule"][0]["what"] == "참여기관·교육기관·참여자 모집 및 선정"
    assert body["answer"].index("대상에 해당합니다") < body["answer"].index("보고서의 2024년 계획상")


# ── on the real model: the program comes from retrieval ───────────────────────────────────────

@pytest.mark.slow
@pytest.mark.parametrize("question, program, verdict", [
    ("면접 때 입을 양복을 무료로 빌려주는 서비스, 41살도 이용할 수 있나요?", "interview-suit", "ineligible"),
    ("서울시 공공일자리에 참여하고 싶은데 중위소득 90%면 가능한가요?", "companion-jobs", "ineligible"),
    ("Can a 16-year-old living in Seoul take courses at a city vocational training school?", "tech-school", "eligible"),
])
def test_real_model_eligibility_without_a_named_program(real_client, question, program, verdict):
    body = ask(real_client, question)
    assert body["eligibility"]["program"]["id"] == program
    assert body["eligibility"]["verdict"] == verdict


@pytest.mark.slow
def test_real_model_campus_question(real_client):
    body = ask(real_client, "강남 캠퍼스 언제 열어요?")
    assert body["schedule"][0]["program"]["id"] == "youth-academy" and body["schedule"][0]["when"] == "2024-07"
    assert "eligibility" not in body


@pytest.mark.slow
def test_verdict_benchmark_has_no_false_eligible(real_app):
    """bench/eval_verdicts.py on the real model: every decided case right, never a false "eligible"."""
    from bench import eval_verdicts

    figures = eval_verdicts.score(eval_verdicts.run(real_app.extensions["finder"], eval_verdicts.load_rows()))
    assert figures["n"] >= 30
    assert figures["false_eligible"] == 0
    assert figures["accuracy_decided"] == 1.0
    assert figures["outside_silent"] == figures["outside"] > 0


def test_a_cap_nobody_said_they_reached_is_shown_not_decided(api):
    """The Future Lab states no entry condition, only its no-show rule: open, with the rule shown."""
    body = ask(api, "서울퓨처랩 예약 가능한가요? 저 30살이에요")
    assert body["eligibility"]["program"]["id"] == "future-lab" and body["eligibility"]["verdict"] == "unknown"
    assert "이용에는 제한이 있습니다: 보고서에 “2회 이상 노쇼 시 예약 제한”" in body["answer"]


def test_how_applicants_are_selected_is_shown_after_the_verdict_not_as_a_condition(api):
    body = ask(api, "우리 회사는 성동구 소재 중소기업이고 이노비즈 인증 있어요. 서울형 강소기업 신청할 수 있나요?")
    criteria = body["eligibility"]["criteria"]
    assert [(c["status"], c["selection"]) for c in criteria][-1] == ("info", True)
    assert not any(c["selection"] for c in criteria[:-1])
    assert "신청한 곳 가운데 선정은 심사로 정해집니다: 보고서에 “선정기준 : 일자리 창출 성과, 기업 우수성, 일자리 질 등” (1398행)." \
        in body["answer"]


@pytest.mark.parametrize("question, verdict, words", [
    # a worded condition a stated industry meets (the R&D fields of 2024) or leaves to the reader
    ("저희는 AI 스타트업이고 서울 강남에 있어요. 서울형 R&D 지원 받을 수 있나요?", "eligible", "대상에 해당합니다"),
    ("마포구 소재 외식 프랜차이즈 중소기업인데 신메뉴 개발로 서울형 R&D 받을 수 있을까요?", "unknown",
     "보고서에 말로만 적힌 조건은 직접 확인하세요: 보고서에 “서울 소재 미래산업 분야 스타트업, 중소기업을 지원대상으로” (1810행)"),
    # the public R&D centre is still being built: its part's worded condition keeps the verdict open
    ("저희 스타트업인데 마곡 R&D센터 들어갈 수 있나요?", "unknown", "“공공형 1개소 건립 중 : 9천㎡ / ’26년 준공 예정” (1102행)"),
])
def test_worded_conditions_met_by_a_stated_value_or_left_open(api, question, verdict, words):
    body = ask(api, question)
    assert body["eligibility"]["verdict"] == verdict and words in body["answer"]


def test_gunpo_citizens_are_the_technical_institutes_exception_to_seoul_citizens(api):
    """"훈련대상 : 만 15세 이상 서울시민", or a Gunpo citizen in the Nambu–Gunpo courses (two
    alternatives): a Gunpo resident is not turned away; an Incheon resident is, with both clauses."""
    gunpo = ask(api, "군포시 사는 34살인데요 남부기술교육원 과정 들을 수 있나요? 서울시민만 되는건가요")
    assert gunpo["eligibility"]["program"]["id"] == "tech-school" and gunpo["eligibility"]["verdict"] == "eligible"
    assert "군포시민 10% 선발" in first_sentence(gunpo["answer"])
    incheon = ask(api, "인천 부평 사는 30대 남자인데요, 북부기술교육원 자동차 판금 도장과 지원 가능한가요?")
    assert incheon["eligibility"]["verdict"] == "ineligible"
    unsaid = ask(api, "35살인데 기술교육원 들을 수 있나요?")["eligibility"]
    assert unsaid["verdict"] == "unknown" and unsaid["missing"] == ["resident_of_seoul"]     # not Gunpo as well
