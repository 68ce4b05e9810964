"""Everything the finder says, in Korean and English, apart from what decides it.

The decisions (status.py, extras.py, lines.py) produce typed results; the functions here turn them
into sentences. Every sentence is a template filled with catalog fields (names, readable rules,
clauses with their line numbers, dates), the report's own lines and the facts the question stated;
nothing else is said. The eligibility verdict's sentences are in eligibility_wording.py.
"""
from __future__ import annotations

import re
from datetime import date

from chatbot.programs.catalog import Program, ScheduleEntry
from chatbot.programs.schedule import when_span

# ── Korean helpers ─────────────────────────────────────────────────────────────────────────────

_DIGIT_BATCHIM = set("013678")


def has_batchim(word: str) -> bool:
    """Does the word end in a final consonant (받침), which picks the particle (은/는, 이/가)? A
    digit is read aloud: 0, 1, 3, 6, 7 and 8 end in one."""
    last = word.rstrip()[-1:]
    if "가" <= last <= "힣":
        return (ord(last) - 0xAC00) % 28 != 0
    return last in _DIGIT_BATCHIM


# ── schedule ───────────────────────────────────────────────────────────────────────────────────

_MONTHS = ("January February March April May June July August September October November December").split()


def _when_text(when: str, lang: str) -> str:
    start, end = when_span(when)
    ko = lang == "ko"
    quarter = re.match(r"^(\d{4})-Q([1-4])$", when)
    if quarter:
        return f"{quarter[1]}년 {quarter[2]}분기" if ko else f"Q{quarter[2]} {quarter[1]}"
    first, _, last = when.partition("..")
    last = last or first

    def point(p: str, d: date, with_year: bool = True) -> str:
        day = len(p.split("-")) == 3
        if ko:
            return (f"{d.year}년 " if with_year else "") + f"{d.month}월" + (f" {d.day}일" if day else "")
        return (f"{d.day} " if day else "") + _MONTHS[d.month - 1] + (f" {d.year}" if with_year else "")

    if first == last:
        return point(first, start)
    same_year = start.year == end.year
    if ko:
        return f"{point(first, start)}~{point(last, end, with_year=not same_year)}"
    return f"{point(first, start, with_year=not same_year)} to {point(last, end)}"



_SCHEDULE_SENTENCES = {
    "ko": {"past": "{head}이었으며, 이 날짜는 이미 지났습니다.", "ongoing": "{head}이며, 오늘은 그 기간에 속합니다.",
           "upcoming": "{head}입니다."},
    "en": {"past": "{head} was planned for {when} ({source}); that date has already passed.",
           "ongoing": "{head} is planned for {when} ({source}), which includes today.",
           "upcoming": "{head} is planned for {when} ({source})."},
}


def schedule_sentence(program: Program, entry: ScheduleEntry, status: str, edition: str, lang: str) -> str:
    """The report's planned date, compared with today: a past date is said to have passed."""
    name = program.name.ko if lang == "ko" else program.name.en
    line = entry.clause.lines[0]
    source = f"“{entry.clause.text}”, {line}행" if lang == "ko" else f"“{entry.clause.text}”, line {line}"
    when = _when_text(entry.when, lang)
    if lang == "ko":
        head = f"보고서의 {edition}년 계획상 「{name}」 ‘{entry.what.ko}’ 시기는 {when}({source})"
    else:
        head = f"Under the {edition} report's plan, “{entry.what.en}” ({name})"
    template = _SCHEDULE_SENTENCES["ko" if lang == "ko" else "en"]
    return template.get(status, template["upcoming"]).format(head=head, when=when, source=source)


# ── the answer's own sentences ─────────────────────────────────────────────────────────────────

OTHER_LANGUAGE_NOTE = "I can answer in English or Korean; this answer is in English."
# The same in the asker's own language and script, for the languages Seoul's residents most often
# write in besides Korean and English: fixed sentences, checked by a second translator (issue 12).
OTHER_LANGUAGE_NOTES = {
    "zh": "我们只用韩语或英语回答；以下是英文回答。",
    "ja": "韓国語または英語でのみ回答しております。以下は英語での回答です。",
    "vi": "Chúng tôi chỉ trả lời bằng tiếng Hàn hoặc tiếng Anh. Câu trả lời dưới đây được viết bằng tiếng Anh.",
    "ru": "Мы отвечаем только на корейском или английском языке; ниже — ответ на английском.",
    "mn": "Бид зөвхөн солонгос эсвэл англи хэлээр хариулдаг. Доорх хариулт англи хэлээр байна.",
    "th": "เราตอบเป็นภาษาเกาหลีหรือภาษาอังกฤษเท่านั้น คำตอบด้านล่างเป็นภาษาอังกฤษ",
}


def other_language_note(language: str) -> str:
    """What precedes an English answer to a question in another language: one sentence in that
    language where we have one, else in English; nothing for Korean and English."""
    base = language.split("-")[0].lower()
    if base in ("ko", "en"):
        return ""
    return OTHER_LANGUAGE_NOTES.get(base, OTHER_LANGUAGE_NOTE)


def line_ref(line: int, lang: str) -> str:
    return f"{line}행" if lang == "ko" else f"line {line}"


def quote_sentence(name: str, quote: str, line: int, lang: str, first: bool = True) -> str:
    """The report's line, quoted with its line number: "「X」에 대해 2024 업무보고는 “…”라고 적고 있습니다 (12행)."."""
    if lang == "ko":
        subject = ("2024 업무보고는" if first else "또") if not name else (
            f"「{name}」에 대해 2024 업무보고는" if first else f"「{name}」에 대해서는 또")
        return f"{subject} “{quote}”라고 적고 있습니다 ({line_ref(line, lang)})."
    subject = (f"On {name}, the 2024 work report (in Korean) says" if name else
               "The 2024 work report (in Korean) says") if first else (f"On {name}, it also says" if name else
                                                                       "It also says")
    return f"{subject}: “{quote}” ({line_ref(line, lang)})."


_DETAIL_KO = {"contact": "전화번호나 연락처", "web": "홈페이지 주소", "address": "주소", "hours": "운영 시간",
              "documents": "필요한 서류", "fee": "이용 요금", "exact_date": "정확한 날짜", "apply": "신청 방법",
              "parking": "주차 안내", "result": "결과 발표 시기"}
_DETAIL_EN = {"contact": "a phone number or contact", "web": "a web address", "address": "an address",
              "hours": "opening hours", "documents": "the documents needed", "fee": "a fee or price",
              "exact_date": "an exact date", "apply": "how to apply", "parking": "parking information",
              "result": "when results are announced"}


def partial_sentence(name: str, details: tuple[str, ...], lang: str) -> str:
    """The report describes the program but not what was asked."""
    if lang == "ko":
        asked = "·".join(_DETAIL_KO[d] for d in details if d in _DETAIL_KO)
        if asked:
            return f"2024 업무보고에는 「{name}」의 {_subject_particle(asked)} 나와 있지 않습니다."
        return f"2024 업무보고에는 「{name}」에 대해 이 질문의 답이 나와 있지 않습니다."
    asked = " or ".join(_DETAIL_EN[d] for d in details if d in _DETAIL_EN)
    return (f"The 2024 work report does not give {asked} for {name}." if asked else
            f"The 2024 work report describes {name} but does not answer this question.")


def overview_sentence(quote: str, line: int, lang: str) -> str:
    if lang == "ko":
        return f"보고서가 이 사업에 대해 적은 내용은 “{quote}”입니다 ({line_ref(line, lang)})."
    return f"What the report says about the program: “{quote}” ({line_ref(line, lang)})."


def not_in_report_sentence(lang: str) -> str:
    if lang == "ko":
        return "서울시 경제정책실 2024 업무보고에는 이 질문에 대한 내용이 없습니다."
    return "The Seoul Economic Policy Office's 2024 work report does not cover this question."


def clarify_sentence(lang: str) -> str:
    if lang == "ko":
        return "어떤 분야의 사업을 찾으시나요? 아래에서 고르거나, 내 조건을 입력해 맞는 사업을 찾아보세요."
    return "Which kind of program are you looking for? Pick one below, or fill in your situation to find programs that fit."


# (label ko, label en, what the widget does with it)
CLARIFY_CHOICES = (
    ("일자리·취업", "Jobs and employment", {"category": "jobs"}),
    ("교육·훈련", "Training and courses", {"category": "training"}),
    ("창업·기업 지원", "Start-ups and businesses", {"audience": "business"}),
    ("시설 이용", "Facilities to visit or use", {"category": "facility"}),
    ("나에게 맞는 사업 찾기", "Find programs for me", {"action": "profile"}),
)


def clarify_choices(lang: str) -> list[dict]:
    return [{"label": ko if lang == "ko" else en, **target} for ko, en, target in CLARIFY_CHOICES]


def _subject_particle(words: str) -> str:
    return words + ("이" if has_batchim(words) else "가")
