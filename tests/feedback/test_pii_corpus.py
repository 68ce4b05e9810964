"""A seeded corpus of personal data, the way citizens type it, goes through /api/ask and
/api/feedback (question and comment): none of the values survives into the feedback database
(every byte of its directory, WAL included) or into any log record at DEBUG."""
from __future__ import annotations

import logging
import random
import re

import pytest

SEED = 20241114
PER_KIND = 20           # 12 kinds → 240 values

ROADS = ["세종대로", "테헤란로", "올림픽로", "을지로", "한강대로", "도산대로", "강남대로", "동일로", "디지털로", "양재대로"]
DONGS = ["역삼동", "신당동", "망원동", "상계동", "대치동", "연남동", "불광동", "화곡동"]
STREETS = ["Main", "Oak", "Maple", "Cedar", "Park", "Hill", "Lake", "River"]
STREET_TYPES = ["Street", "Avenue", "Road", "Boulevard", "Lane", "Drive"]
NAMES = ["hong.gildong", "kim_minji", "lee.seoyeon88", "park-jihoon", "choi.yuna", "jung2000", "kang.dh"]
DOMAINS = ["gmail.com", "naver.com", "daum.net", "hanmail.net", "example.org", "kakao.com"]


def _birth(rng: random.Random) -> str:
    return f"{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def _sep(rng: random.Random, choices=("-", " ", "")) -> str:
    return rng.choice(choices)


GENERATORS = {
    "resident_number": lambda r: f"{_birth(r)}{_sep(r)}{r.randint(1, 4)}{_digits(r, 6)}",
    "foreigner_number": lambda r: f"{_birth(r)}{_sep(r)}{r.randint(5, 8)}{_digits(r, 6)}",
    "mobile": lambda r: r.choice([
        lambda: f"010{(s := _sep(r, ('-', ' ', '.', '')))}{r.randint(2000, 9999)}{s}{_digits(r, 4)}",
        lambda: f"(010) {r.randint(2000, 9999)}-{_digits(r, 4)}",
        lambda: f"+82 10-{r.randint(2000, 9999)}-{_digits(r, 4)}"])(),
    "landline": lambda r: r.choice([
        lambda: f"02-{r.randint(200, 9999)}-{_digits(r, 4)}",
        lambda: f"(02) {r.randint(200, 999)}-{_digits(r, 4)}",
        lambda: f"02){r.randint(200, 999)}-{_digits(r, 4)}",
        lambda: f"031-{r.randint(200, 999)}-{_digits(r, 4)}"])(),
    "email": lambda r: f"{r.choice(NAMES)}{r.randint(1, 999)}@{r.choice(DOMAINS)}",
    "account": lambda r: r.choice([
        lambda: f"{r.randint(100, 999)}-{_digits(r, 2)}-{_digits(r, 6)}",
        lambda: f"{r.randint(100, 999)}-{_digits(r, 6)}-{_digits(r, 2)}-{_digits(r, 3)}",
        lambda: f"{r.randint(1, 9)}{_digits(r, 11)}"])(),
    "card": lambda r: r.choice([
        lambda: _sep(r).join([str(r.randint(1000, 9999)), _digits(r, 4), _digits(r, 4), _digits(r, 4)]),
        lambda: _sep(r, ("-", " ")).join([f"37{_digits(r, 2)}", _digits(r, 6), _digits(r, 5)])])(),
    "passport": lambda r: r.choice([
        lambda: f"{r.choice('MS')}{_digits(r, 8)}",
        lambda: f"M{_digits(r, 3)}{r.choice('ABCDEFGHJK')}{_digits(r, 4)}"])(),
    "road_address": lambda r: r.choice([
        lambda: f"{r.choice(ROADS)} {r.randint(1, 999)}",
        lambda: f"{r.choice(ROADS)} {r.randint(1, 99)}길 {r.randint(1, 99)}"])(),
    "jibun_address": lambda r: f"{r.choice(DONGS)} {r.randint(1, 999)}-{r.randint(1, 99)}",
    "apartment_unit": lambda r: f"{r.randint(101, 120)}동 {r.randint(1, 25)}{r.randint(1, 9):02d}호",
    "english_address": lambda r: f"{r.randint(10, 9999)} {r.choice(STREETS)} {r.choice(STREET_TYPES)}",
}

KO = ["청년 면접정장 대여 신청하려고요. 제 연락처는 {v} 입니다", "{v} 로 연락 부탁드려요, 지원금 얼마인가요?",
      "저는 {v} 에 사는데 신청 자격이 되나요?", "신청서에 {v} 적었는데 맞나요", "혹시 {v} 이 번호로 문자 주실 수 있나요"]
EN = ["Can I apply for the suit rental? My details: {v}", "Please contact me at {v} about the job program",
      "I live at {v}, am I eligible for youth support?", "My number is {v}, how much is the allowance?"]


def seeded_values() -> list[tuple[str, str]]:
    rng = random.Random(SEED)
    values: dict[str, str] = {}
    for kind, make in GENERATORS.items():
        made = 0
        while made < PER_KIND:
            value = make(rng)
            if value not in values:
                values[value] = kind
                made += 1
    return list(values.items())


def sentence(rng: random.Random, value: str) -> str:
    return rng.choice(KO if rng.random() < 0.6 else EN).format(v=value)


def test_the_corpus_covers_every_kind_and_is_seeded():
    values = seeded_values()
    assert len(values) >= 200 and values == seeded_values()
    assert {kind for _, kind in values} == set(GENERATORS)


@pytest.fixture
def fb_app(make_app, fake_index_dir, tmp_path):
    return make_app(fake_index_dir, feedback_db=tmp_path / "state" / "feedback.sqlite3", rate_limit="off")


@pytest.fixture
def every_logger_at_debug(caplog):
    """Every logger, including quiet libraries (SQLAlchemy's statements too), at DEBUG for this test
    only: later tests must not inherit a flood of debug records."""
    caplog.set_level(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    yield
    for logger, level in zip(loggers, levels):
        logger.setLevel(level)


def test_no_seeded_value_survives_into_storage_or_logs(fb_app, tmp_path, caplog, every_logger_at_debug):
    client = fb_app.test_client()
    values = seeded_values()
    rng = random.Random(SEED)
    for i in range(0, len(values), 2):
        pair = values[i:i + 2]
        question = sentence(rng, pair[0][0])
        comment = sentence(rng, pair[-1][0])
        response = client.post("/api/ask", json={"question": question})
        assert response.status_code == 200, response.json
        response = client.post("/api/feedback", json={"answer_id": response.json["answer_id"],
                                                      "rating": rng.choice(["up", "down"]),
                                                      "question": question, "comment": comment})
        assert response.status_code == 200, (question, response.json)
    raw = b"".join(p.read_bytes() for p in (tmp_path / "state").rglob("*") if p.is_file())
    logged = caplog.text + "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "[" in raw.decode("utf-8", "replace") and caplog.records        # something was stored and logged
    survived = []
    for value, kind in values:
        forms = {value}
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 8:
            forms.add(digits)
        for form in forms:
            if form.encode("utf-8") in raw or form in logged:
                survived.append((kind, value))
    assert survived == [], f"{len(survived)} of {len(values)} seeded values survived: {survived[:10]}"
