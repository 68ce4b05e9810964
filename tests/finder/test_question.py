"""Question analysis (chatbot/finder/question.py): read once, typed, what every later stage uses."""
from __future__ import annotations

import pytest

from chatbot.finder.facets import question_details, question_facets
from chatbot.finder.question import is_eligibility_question, normalise
from chatbot.programs.profile import extract


def asks_eligibility(text: str) -> bool:
    return is_eligibility_question(text, extract(text))


# ── does it ask whether someone can join? ─────────────────────────────────────────────────────

@pytest.mark.parametrize("question", [
    "마흔 살인데 취업날개 이용 가능한가요?",            # join word + fact
    "30대 후반인데 청년취업사관학교 들을 수 있어?",
    "41살도 되나요?",
    "I'm 25, can I join the internship?",
    "청년인턴 신청 자격이 뭐예요?",                     # eligibility word alone
    "청년인턴 나이 제한 있나요?",
    "취업날개 대상이 누구예요?",
    "Who can apply for the youth internship?",
    "Am I eligible for the new deal jobs?",
    "What are the requirements for the tech school?",
    "Is the tech school open to me?",
    "I work full-time at a company. Can I join the Seoul New Deal jobs?",
    "I'm a 26-year-old job seeker. Can I learn software development for free?",
    "I'm unemployed, can I get into the coding academy?",
    "I'm 41. Am I too old for the free interview suit rental?",        # how citizens ask, beyond "can I"
    "My daughter is 17, could she take a course at the technical institute?",
    "Do I have to live in Seoul to get a New Deal job?",
    "I'm 24 and unemployed. Is the suit rental available to me?",
    "I'm 35 and job hunting. Would the youth academy take me?",
    "Is the startup hub only for Seoul companies?",
    "42살인데 취업날개 정장 나이 넘었나요?",
    "저 서른여섯 구직자인데 몇 살까지 받아줘요?",
    "경기도 사는 45세 실직자예요 뉴딜일자리 못하나요?",
    "스물다섯 대학생인데 청년인턴 하려면 졸업해야 해요?",
    "서울형 뉴딜일자리 하려면 꼭 실업자여야 하나요? 지금 무직이에요",      # "must I be …"
    "G밸리 청년 토크콘서트 아무나 가도 되나요?",
    "다음주 면접인데 저 36살인데 청년 나이 넘은 거 아닌가요?",
    "I'm 22 and a senior at uni. Does the free interview suit rental cover someone like me?",
    "Do we count as an early-stage company for the angel fund?",
    "취업날개 누나도 빌릴 수 있어요?",                                     # a relative is the subject
    "국제기구 인턴 프로그램 저도 가능해요?",
    "부산에서 영화제 운영하고 있는데 서울시 영화제 보조금 지원할 수 있나요?",
    "I'm 33 and job hunting. Is there a beginner Python class I could take?",
    "서울대 교수인데 캠퍼스타운 창업 지원 받을 수 있나요?",                      # a role said of oneself
    "서울형 강소기업인데요 대체인력 인건비 지원받을 수 있나요?",                  # … or of one's company
    "서울형 R&D 신청하려는데 저희는 경기도 성남 소재 바이오 벤처예요. 가능할까요?",
    "Chinese international student here, living in Seoul. Is that possible for foreigners?",
    "I'm a Vietnamese student at Yonsei. Is the internship open to international students?",
    "We're a Japanese robotics company with an office in Seoul. Could the city let us trial our robot on site?",
    "Is there a city-backed fund that invests in bio companies like us?",
    "I organise a small documentary festival held every year in Seoul. Can we apply for the festival subsidy?",
    "Our animation studio wants to rent space in the new creative-industry building. Possible?",
    "결혼식을 서울파트너스하우스에서 하고 싶어요. 일반 시민도 대관 가능한가요?",
    "서울형 R&D 과제를 대학 연구실 단독으로 신청할 수 있나요? 기업은 없고 교수 연구팀만 있어요",
    "부산에서 열리는 단편영화제 운영진입니다. 서울개최 영화제 지원 사업 신청할 수 있나요?",
])
def test_eligibility_questions(question):
    assert asks_eligibility(question)


@pytest.mark.parametrize("question", [
    "취업날개 연체료는 얼마인가요?",                     # neither
    "청년인턴 신청은 어디서 하나요?",                   # join word, no fact: a how-to question
    "How do I apply to the Seoul youth internship?",
    "Can I use the robot museum on Mondays?",
    "40살 직장인인데 취업날개 연체료가 얼마예요?",      # facts, no join word
    "청년취업사관학교에서 무엇을 배우나요?",
    "강남 캠퍼스 언제 열어요?",
    "Is the museum open on Monday?",
    "When is the academy open for applications?",
    "What does the job café offer to people who visit?",
    "누나가 다음주에 면접 본대요",                                          # a relative, no join word
    "Does the report cover housing?",
    "교수 연구실 지원 내용이 뭐예요?",                                          # a role named, not said of oneself
    "Is that the largest program?",
    "Is the robot museum open to the public on Mondays?",
    "Possible?",
    "What documents do I have to submit when I apply for the Seoul youth internship?",   # "I have to" is no self-description
])
def test_not_eligibility_questions(question):
    assert not asks_eligibility(question)


# ── dates, durations and details ───────────────────────────────────────────────────────────────

@pytest.mark.parametrize("question", ["강남 캠퍼스 언제 열어요?", "when does the robot museum open?",
                                      "청년인턴 모집 기간이 어떻게 돼요?", "What date is the SeSAC festival?",
                                      "모집기간 알려줘"])
def test_date_questions(question):
    assert "when" in question_facets(question)


@pytest.mark.parametrize("question", ["청년인턴 직무캠프는 교육이랑 인턴 기간이 얼마나 돼?", "인턴 몇 달 해요?",
                                      "How long is the course?", "교육 기간이 어떻게 되나요"])
def test_duration_questions_are_not_date_questions(question):
    facets = question_facets(question)
    assert "duration" in facets and "when" not in facets and "money" not in facets


@pytest.mark.parametrize("question", ["강남 캠퍼스 어디 있어요?", "What does the robot museum show?",
                                      "취업날개 연체료는 얼마인가요?"])
def test_not_date_questions(question):
    assert "when" not in question_facets(question)


@pytest.mark.parametrize("question, details", [
    ("취업날개 전화번호 알려줘", ["contact"]),
    ("청년취업사관학교 홈페이지 주소 뭐예요?", ["web"]),
    ("What's the hourly pay on a Seoul New Deal job?", []),        # "hourly" is not a URL
    ("동남아 온라인 판매 지원 몇 개사", []),                     # online sales is a topic, not a website
    ("기술교육원 하반기 모집 정확히 며칠부터예요?", ["exact_date"]),
    ("What's the exact application deadline for Campus Town?", ["exact_date"]),
    ("과학관 입장료 얼마예요?", ["fee"]),
    ("청년월세 지원 받으려면 어떻게 신청해요?", ["apply"]),
    # sixth round: words from the blind fitting sets' unstated details
    ("작업환경개선 지원 신청하려면 구청 어느 과에 연락해야 돼요?", ["contact"]),
    ("서울시립과학관 월요일에 문 열어요?", ["hours"]),
    ("과학관 휴관일이 언제예요?", ["hours"]),
    ("취업날개 정장 빌리러 갈 때 뭐 챙겨가야 돼요?", ["documents"]),
    ("캠퍼스타운 창업공간 들어가면 임대료는 한 달에 얼마 내요?", ["fee"]),
    ("Can I rent a desk at the Seoul AI Hub by the day? how much is it?", ["fee"]),
    ("취업날개 정장 예약은 어떻게 해요? 앱으로 하는 건가요?", ["apply"]),
    # seventh round: the same details asked in other languages, and phrasings the fitting sets missed
    ("首尔东部技术教育院的具体地址在哪里？", ["address"]),
    ("外国人留学生向けの就職相談窓口の電話番号を教えてください。", ["contact"]),
    ("ソウル型青年インターンの申し込みサイトはどこですか？", ["web"]),
    ("ソウルフューチャーラボの開館時間を教えてください", ["hours"]),
    ("青年就业士官学校需要准备什么材料？", ["documents"]),
    ("Seoul Film Center in Chungmuro - which subway exit is nearest?", ["address"]),
    ("Where can I see the list of Seoul New Deal job openings online?", ["web"]),
    ("동행일자리 신청은 어디 가서 해요?", ["apply"]),
    # … and their answerable neighbours, which must stay plain questions of fact
    ("로봇 과학관 언제 문 열어요?", []),                                   # an opening date
    ("파트너스하우스 중소기업 비즈니스 지원은 어느 부서가 맡아요", []),         # a department the report names
    ("새활용플라자 운영 두군데로 쪼개진거 하나로 합친다던데 지금 어느 과랑 협의중이야?", []),
])
def test_details_the_report_rarely_states(question, details):
    assert question_details(question) == details


# ── the analysed question ──────────────────────────────────────────────────────────────────────

def test_analysis_reads_the_question_once_into_typed_fields(analyzer):
    q = analyzer.analyse("서울 사는 34살인데 청년인턴 지원할 수 있어요?")
    assert q.language == "ko" and q.answer_language == "ko"
    assert q.named == ("youth-intern",)
    assert q.asks_eligibility and not q.asks_schedule
    assert {f.field for f in q.profile.understood} == {"age", "resident_of_seoul"}
    assert "인턴" in q.query_tokens and q.readable


def test_words_the_report_does_not_know_are_unknown(analyzer):
    bike = analyzer.analyse("따릉이 정기권 가격이 얼마야?")
    assert "따릉이" in bike.unknown_words
    suit = analyzer.analyse("면접 볼 때 입을 양복 공짜로 빌릴 수 있는 데 있어?")
    assert suit.unknown_words == ()                  # colloquial words the glossary maps are known
    english = analyzer.analyse("How much is the late fee for the interview suit?")
    assert "suit" in english.content_words and "suit" not in english.unknown_words


def test_english_words_are_read_from_the_text_and_lose_their_plural(analyzer):
    q = analyzer.analyse("How many youth job cafes does Seoul run now?")
    assert "cafes" in q.content_words and "cafes" not in q.unknown_words
    assert "how" not in q.content_words and "seoul" not in q.content_words


def test_other_scripts_are_not_read_word_by_word(analyzer):
    q = analyzer.analyse("首尔创业中心能帮助初创企业进入美国市场吗？")
    assert not q.readable and q.content_words == () and q.answer_language == "en"


def test_normalise_drops_lone_surrogates_and_extra_spaces():
    assert normalise("  취업날개 \ud800 연체료\n\n얼마? ") == "취업날개 ? 연체료 얼마?"
    assert normalise("ﾃｽﾄ") == "ﾃｽﾄ"            # NFC, not NFKC: the question stays as typed


def test_a_glossary_phrase_makes_its_words_known_only_where_the_phrase_is_used(analyzer):
    """"childcare leave" is a report topic (육아휴직); "childcare" for a toddler is not."""
    alone = analyzer.analyse("Is there any childcare support for foreign parents living in Seoul?")
    assert "childcare" in alone.unknown_words
    phrase = analyzer.analyse("Can a company get help when an employee takes childcare leave?")
    assert "childcare" not in phrase.unknown_words and "leave" not in phrase.unknown_words


@pytest.mark.parametrize("question, schemes", [
    ("Can I rent a suit for free from the city?", ()),
    ("Does the city help with monthly rent?", ("rent",)),
    ("Is there rent support for young people?", ("rent",)),
    ("청년월세 지원 받으려면?", ("청년월세",)),
])
def test_benefit_words_of_other_schemes_but_not_the_verb_rent(analyzer, question, schemes):
    assert analyzer.analyse(question).other_schemes == schemes


def test_everyday_adverbs_are_not_topics(analyzer):
    question = analyzer.analyse("I'm currently looking for work. Can I rent a suit?")
    assert "currently" not in question.content_words and question.unknown_words == ()
