"""Next steps: what to do after a program card, an open verdict or an answer the report cannot
give, as the city's staff provide them (catalog ``next_steps`` per program, ``help`` for the
city's general help line) — validated, served labelled as the city's, never as the report."""
from __future__ import annotations

from datetime import date

import pytest
import yaml
from pydantic import ValidationError

from chatbot.programs.catalog import NextSteps
from chatbot.index.store import read_current
from tests.support.index import edit_version_catalog

SUIT_STEPS = {"how_to_apply": {"ko": "취업날개 누리집에서 예약", "en": "Book on the Chwieop Nalgae website"},
              "phone": "02-2133-5252", "web": "https://job.seoul.go.kr", "provided_by": "일자리정책과",
              "checked_on": "2026-11-01"}
HELP_LINE = {"office": {"ko": "서울시 다산콜센터", "en": "Seoul Dasan Call Center"}, "phone": "120",
             "provided_by": "시민소통과", "checked_on": "2026-10-15"}


# ── the model ─────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("edits, message", [
    ({"phone": "call us"}, "a phone number"),
    ({"web": "job.seoul.go.kr"}, "https://"),
    ({"web": "javascript:alert(1)"}, "https://"),
    ({"how_to_apply": None, "phone": None, "web": None}, "at least one of"),
    ({"provided_by": ""}, "provided_by"),
    ({"checked_on": "last week"}, "checked_on"),
    ({"source": "report"}, "source"),                      # no way to pass them off as the report's
])
def test_next_steps_are_checked(edits, message):
    with pytest.raises(ValidationError, match=message):
        NextSteps.model_validate({**SUIT_STEPS, **edits})


def test_next_steps_json_says_whose_they_are():
    steps = NextSteps.model_validate(SUIT_STEPS)
    ko, en = steps.to_json("ko"), steps.to_json("en", general=True)
    assert ko["source"] == "city" and ko["general"] is False and "업무보고 내용이 아닙니다" in ko["note"]
    assert ko["how_to_apply"] == "취업날개 누리집에서 예약" and en["how_to_apply"] == "Book on the Chwieop Nalgae website"
    assert en["general"] is True and "not from the work report" in en["note"]
    assert ko["checked_on"] == "2026-11-01" and ko["provided_by"] == "일자리정책과" and ko["office"] is None
    assert steps.checked_on == date(2026, 11, 1)


# ── served: /api/programs, /api/match, /api/ask ────────────────────────────────────────────────

def _with_steps(text: str, help_line: bool = True) -> str:
    data = yaml.safe_load(text)
    for program in data["programs"]:
        if program["id"] == "interview-suit":
            program["next_steps"] = SUIT_STEPS
    if help_line:
        data = {"help": HELP_LINE, **data}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def api(make_app, index_copy):
    edit_version_catalog(index_copy, read_current(index_copy), _with_steps)
    return make_app(index_copy, rate_limit="off", today="2024-03-15").test_client()


def test_programs_carry_their_own_steps_or_the_general_help_line(api):
    suit = api.get("/api/programs/interview-suit?lang=en").get_json()
    assert suit["next_steps"]["general"] is False and suit["next_steps"]["phone"] == "02-2133-5252"
    assert suit["next_steps"]["source"] == "city"
    cafe = api.get("/api/programs/job-cafe").get_json()["next_steps"]
    assert cafe["general"] is True and cafe["office"] == "서울시 다산콜센터" and cafe["phone"] == "120"
    listed = {p["id"]: p["next_steps"] for p in api.get("/api/programs").get_json()["programs"]}
    assert listed["interview-suit"]["web"] == "https://job.seoul.go.kr" and listed["job-cafe"]["general"] is True
    matched = {p["id"]: p for p in api.post("/api/match", json={"profile": {"age": 27, "employment_status": "unemployed"}}).get_json()["programs"]}
    assert matched["interview-suit"]["next_steps"]["how_to_apply"] == "취업날개 누리집에서 예약"


def test_an_open_verdict_and_an_unstated_detail_end_with_the_citys_steps_not_the_reports(api):
    partial = api.post("/api/ask", json={"question": "취업날개 전화번호 알려줘"}).get_json()
    assert partial["status"] == "partial" and partial["next_steps"]["phone"] == "02-2133-5252"
    assert "02-2133-5252" not in partial["answer"]                 # the answer quotes the report only
    assert all("02-2133-5252" not in c["text"] for c in partial["citations"])
    open_ = api.post("/api/ask", json={"question": "취업날개 면접정장 대여 저도 되나요? 서울 살아요"}).get_json()
    assert open_["eligibility"]["program"]["id"] == "interview-suit"
    assert open_["eligibility"]["verdict"] == "unknown"
    assert open_["eligibility"]["next_steps"]["how_to_apply"] == "취업날개 누리집에서 예약"
    no = api.post("/api/ask", json={"question": "저 45살인데 취업날개 면접정장 빌릴 수 있나요?"}).get_json()
    assert no["eligibility"]["verdict"] == "ineligible" and no["eligibility"]["next_steps"] is None


def test_without_staff_steps_nothing_is_invented(make_app, fake_index_dir):
    client = make_app(fake_index_dir, rate_limit="off").test_client()
    assert client.get("/api/programs/interview-suit").get_json()["next_steps"] is None
    assert "next_steps" not in client.post("/api/ask", json={"question": "취업날개 전화번호 알려줘"}).get_json()
