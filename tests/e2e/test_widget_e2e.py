"""The widget in a real browser against the real server: keyboard-only chat in Korean and English,
citations, feedback landing masked in SQLite, the profile form, axe-core, small screens and zoom.

Screenshots of the open panel go to a temporary folder; with UPDATE_SCREENSHOTS=1 they replace
docs/screenshots/ (what the README links)."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3

import pytest

from chatbot.config import PROJECT_ROOT

pytestmark = pytest.mark.integration

KO_QUESTION = "정장 빌리는 거 1년에 몇 번? 연락은 010-1234-5678로 주세요"
EN_QUESTION = "How many times a year can I borrow an interview suit?"
SHOT_KO_QUESTION = "면접 정장은 1년에 몇 번 빌릴 수 있나요?"          # no personal data in the README's pictures
PII_COMMENT = "출처는 맞아요. 제 메일 hong.gildong@example.com, 주민번호 900101-1234567, 전화 010 9876 5432"
RAW_PII = ["010-1234-5678", "hong.gildong@example.com", "900101-1234567", "010 9876 5432"]
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"

DEEP_ACTIVE = """() => {
  const host = document.querySelector('seoul-finder-widget');
  const active = host.shadowRoot.activeElement;
  if (!active) return {inWidget: false, tag: document.activeElement.tagName};
  const panel = host.shadowRoot.querySelector('.panel');
  return {inWidget: true, inPanel: panel.contains(active), tag: active.tagName,
          cls: active.className || '', label: active.getAttribute('aria-label') || active.textContent.trim()};
}"""


def panel_open(page) -> bool:
    return page.locator(".panel").is_visible()


def tab_to_launcher(page) -> None:
    for _ in range(40):
        page.keyboard.press("Tab")
        if "launcher" in page.evaluate(DEEP_ACTIVE).get("cls", ""):
            return
    raise AssertionError("the launcher cannot be reached with Tab")


def ask(page, question: str):
    """Types the question with the keyboard, sends it with Enter, returns the new turn."""
    turns = page.locator("article.turn")
    before = turns.count()
    page.locator("form.ask textarea").focus()
    page.keyboard.insert_text(question)
    page.keyboard.press("Enter")
    turn = turns.nth(before)
    turn.locator(".bubble-a").wait_for()
    return turn


def feedback_rows(server) -> list[dict]:
    conn = sqlite3.connect(server.feedback_db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM feedback ORDER BY id")]
    finally:
        conn.close()


def test_keyboard_chat_citations_and_feedback(make_page, live_server):
    page, console = make_page("/demo")
    tab_to_launcher(page)
    page.keyboard.press("Enter")
    assert panel_open(page)
    assert page.locator(".launcher").get_attribute("aria-expanded") == "true"
    assert page.evaluate(DEEP_ACTIVE)["tag"] == "TEXTAREA"

    # Korean question: answer, citations with edition and line range, program cards
    turn = ask(page, KO_QUESTION)
    answer = turn.locator(".bubble-a")
    assert answer.get_attribute("lang") == "ko" and "업무보고" in answer.inner_text()
    cites = turn.locator("details.cite")
    assert cites.count() >= 1
    summary = cites.first.locator("summary").inner_text()
    assert "2024 업무보고" in summary and re.search(r"\d+(–\d+)?행", summary)
    assert not cites.first.locator(".passage").is_visible()
    cites.first.locator("summary").click()
    passage = cites.first.locator(".passage")
    assert passage.is_visible() and re.search("[가-힣]", passage.inner_text())
    assert turn.locator(".card[data-program]").count() >= 1
    page.wait_for_function("() => document.querySelector('seoul-finder-widget').shadowRoot"
                           ".querySelector('[role=status][aria-live]').textContent.startsWith('답변이 도착했습니다')")

    # feedback: rate, then a comment full of personal data
    turn.locator("button.thumb[data-rating=down]").click()
    turn.locator(".feedback .status", has_text="감사합니다").wait_for()
    turn.locator(".comment textarea").fill(PII_COMMENT)
    turn.locator(".comment button[type=submit]").click()
    turn.locator(".feedback .status", has_text="의견이 전달").wait_for()
    [row] = feedback_rows(live_server)
    assert row["rating"] == "down" and row["question"].startswith("정장 빌리는 거") and "[전화번호]" in row["question"]
    assert "[이메일]" in row["comment"] and "[주민등록번호]" in row["comment"]
    stored = " ".join(str(v) for v in row.values())
    assert not [item for item in RAW_PII if item in stored]

    # English question: the answer follows the question's language; the UI switches on request
    turn = ask(page, EN_QUESTION)
    assert turn.locator(".bubble-a").get_attribute("lang") == "en"
    assert "work report" in turn.locator(".bubble-a").inner_text()
    page.locator(".langs button[lang=en]").click()
    assert page.locator("[role=tab]").first.inner_text() == "Ask"
    assert turn.locator(".cites h3").inner_text().startswith("Sources (")
    assert page.locator(".launcher").inner_text() == "Program finder"

    # focus stays in the open dialog; Esc closes it and focus returns to the launcher
    for _ in range(60):
        page.keyboard.press("Tab")
        assert page.evaluate(DEEP_ACTIVE).get("inPanel"), page.evaluate(DEEP_ACTIVE)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(DEEP_ACTIVE).get("inPanel")
    page.keyboard.press("Escape")
    assert not panel_open(page)
    assert "launcher" in page.evaluate(DEEP_ACTIVE)["cls"]
    assert console.errors == []


def test_each_status_looks_different_and_a_refusal_cites_nothing(make_page):
    """not_in_report: a labelled, dashed bubble with no citations or program cards; clarify: a
    question back whose choices list a category's programs or open the profile form."""
    page, console = make_page("/demo")
    page.locator(".launcher").click()
    refusal = ask(page, "따릉이 정기권 가격이 얼마야?")
    bubble = refusal.locator(".bubble-a")
    assert bubble.get_attribute("data-status") == "not_in_report"
    assert "보고서에 없는 내용" in bubble.locator(".status-label").inner_text()
    assert refusal.locator("details.cite").count() == 0 and refusal.locator(".card[data-program]").count() == 0
    assert bubble.evaluate("el => getComputedStyle(el).borderTopStyle") == "dashed"

    vague = ask(page, "지원금 뭐 있어요?")
    assert vague.locator(".bubble-a").get_attribute("data-status") == "clarify"
    choices = vague.locator("button.choice")
    assert 3 <= choices.count() <= 5
    assert all(box["height"] >= 44 for box in (choices.nth(i).bounding_box() for i in range(choices.count())))
    choices.first.click()                                        # 일자리·취업: that category's programs
    vague.locator(".choice-results .card[data-program]").first.wait_for()
    choices.last.click()                                         # 나에게 맞는 사업 찾기: the profile tab
    page.locator("form.match").wait_for()
    assert page.locator("[role=tab]").nth(1).get_attribute("aria-selected") == "true"
    assert console.errors == []


def find_for_seoul_jobseeker(form, age: str = "29"):
    """The profile of a job seeker living in Seoul, sent."""
    form.locator("input[type=number]").fill(age)
    form.locator("label", has_text="예").click()
    form.locator("select").first.select_option("unemployed")
    form.locator("button[type=submit]").click()


def open_form(page):
    page.locator(".launcher").click()
    page.locator("[role=tab]").nth(1).click()
    form = page.locator("form.match")
    form.wait_for()
    return form


def test_profile_form_is_labelled_validated_and_never_stored(make_page):
    page, console = make_page("/demo")
    form = open_form(page)
    assert "저장되지 않습니다" in page.locator(".privacy").inner_text()
    for option in form.locator("select option").all():
        value = option.get_attribute("value")
        assert option.inner_text() and option.inner_text() != value
    form.locator("input[type=number]").fill("200")
    form.locator("button[type=submit]").click()
    assert form.locator("input[type=number]").get_attribute("aria-invalid") == "true"
    assert form.locator(".field-error").is_visible()
    form.locator("input[type=number]").fill("34")
    form.locator("label", has_text="예").click()
    form.locator("label", has_text="창업").click()
    stored = page.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie]")
    assert stored == [0, 0, ""]
    page.keyboard.press("Escape")                              # closing forgets what was typed
    page.locator(".launcher").click()
    assert form.locator("input[type=number]").input_value() == ""
    assert not form.locator("input[type=checkbox]:checked").count()
    assert console.errors == []


def test_profile_form_groups_programs_with_their_clauses(make_page):
    page, console = make_page("/demo")
    form = open_form(page)
    find_for_seoul_jobseeker(form)
    results = page.locator(".results")
    results.locator("[data-verdict=eligible]").wait_for()
    assert results.locator("[data-verdict=unknown]").count() == 1
    assert results.locator("[data-verdict=ineligible]").count() == 1
    card = results.locator(".card").first
    assert card.locator(".badge").count() == 1
    for criterion in card.locator(".criteria li").all():
        assert criterion.locator("blockquote.clause").count() == 1
    assert console.errors == []


def run_axe(page, axe_source: str) -> list[dict]:
    page.evaluate(axe_source)       # evaluated over DevTools, so the page's CSP need not allow it
    return page.evaluate("""async () => {
      const result = await axe.run(document.querySelector('seoul-finder-widget'),
        {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
      return result.violations.map(v => ({id: v.id, impact: v.impact,
                                          nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")


@pytest.mark.parametrize("lang, question", [("ko", KO_QUESTION), ("en", EN_QUESTION)])
def test_open_panel_has_no_serious_accessibility_violations(make_page, axe_source, lang, question):
    page, console = make_page(f"/demo?lang={lang}")
    page.locator(".launcher").click()
    turn = ask(page, question)
    turn.locator("details.cite summary").first.click()
    turn.locator("button.thumb[data-rating=up]").click()
    turn.locator(".comment").wait_for()
    assert console.errors == []          # checked before axe, whose probes trip the page's CSP
    chat = [v for v in run_axe(page, axe_source) if v["impact"] in ("serious", "critical")]
    page.locator("[role=tab]").nth(1).click()
    form = [v for v in run_axe(page, axe_source) if v["impact"] in ("serious", "critical")]
    assert chat == [] and form == []


@pytest.mark.parametrize("lang, width, height, question", [
    ("ko", 1280, 800, SHOT_KO_QUESTION), ("en", 1280, 800, EN_QUESTION),
    ("ko", 320, 640, SHOT_KO_QUESTION), ("en", 320, 640, EN_QUESTION),
])
def test_panel_fits_the_screen_and_screenshots(make_page, tmp_path, lang, width, height, question):
    page, console = make_page(f"/demo?lang={lang}&open=true", width=width, height=height)
    page.locator(".panel").wait_for()
    turn = ask(page, question)
    turn.locator("details.cite summary").first.click()
    turn.locator(".bubble-a").evaluate("el => el.scrollIntoView({block: 'start'})")
    box = page.locator(".panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["y"] >= 0 and box["y"] + box["height"] <= height
    assert page.locator(".head").bounding_box()["y"] - box["y"] <= 1    # scrolling moved the answer, not the panel
    overflow = page.evaluate("""() => {
      const root = document.querySelector('seoul-finder-widget').shadowRoot;
      const scroll = [...root.querySelectorAll('.scroll')].filter(s => s.offsetParent);
      return scroll.map(s => s.scrollWidth - s.clientWidth).concat(
        [document.documentElement.scrollWidth - window.innerWidth]);
    }""")
    assert max(overflow) <= 1, overflow
    shot = tmp_path / f"panel-{lang}-{'mobile-320' if width == 320 else 'desktop'}.png"
    page.screenshot(path=str(shot))
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, SCREENSHOTS / shot.name)
    assert console.errors == []


def test_usable_at_200_percent_zoom(make_page):
    """A 1280×720 screen at 200 % zoom is a 640×360 CSS viewport: the panel takes the whole of it
    and the question box and send button stay on screen."""
    page, console = make_page("/demo?open=true", width=640, height=360)
    page.locator(".panel").wait_for()
    box = page.locator(".panel").bounding_box()
    assert (box["width"], box["height"]) == (640, 360)
    for selector in ("form.ask textarea", "form.ask button[type=submit]", ".close"):
        element = page.locator(selector).first.bounding_box()
        assert element["y"] >= 0 and element["y"] + element["height"] <= 360, selector
    ask(page, KO_QUESTION)
    assert console.errors == []


def test_host_page_css_cannot_reach_the_widget(make_page):
    page, _ = make_page("/demo")
    hostile = page.evaluate("() => getComputedStyle(document.querySelector('main button')).fontSize")
    assert hostile == "22px"                                   # the demo's hostile rules do apply to the host
    launcher = page.locator(".launcher").evaluate(
        "el => { const s = getComputedStyle(el); return [s.fontSize, s.backgroundColor, s.letterSpacing]; }")
    assert launcher == ["16px", "rgb(29, 78, 216)", "normal"]


def test_full_page_widget_has_no_launcher(make_page):
    page, console = make_page("/?lang=en")
    assert page.locator(".launcher").count() == 0
    assert page.locator(".panel h1").inner_text() == "Seoul program finder"
    ask(page, EN_QUESTION)
    page.keyboard.press("Escape")                              # nothing to close on the full page
    assert panel_open(page)
    assert console.errors == []


CITY_STEPS = {"source": "city", "general": False, "note": "서울시가 제공한 안내이며 업무보고 내용이 아닙니다.",
              "how_to_apply": "취업날개 누리집에서 예약", "office": None, "phone": "02-2133-5252",
              "web": "https://job.seoul.go.kr", "hours": None, "provided_by": "일자리정책과", "checked_on": "2026-11-01"}


@pytest.mark.parametrize("width, height", [(1280, 800), (320, 640)])
def test_the_citys_next_steps_follow_an_unstated_detail_and_a_profile_result_labelled_as_the_citys(
        make_page, tmp_path, width, height):
    """Staff-given next steps (the served JSON, as a catalog with them would give it) show after a
    partial answer and on profile results: labelled as the city's and dated, not set as a quote."""
    page, console = make_page("/demo", width=width, height=height)

    def with_steps(route):
        response = route.fetch()
        body = response.json()
        if body.get("status") == "partial":
            body["next_steps"] = CITY_STEPS
        for program in body.get("programs", []) if route.request.url.endswith("/api/match") else []:
            program["next_steps"] = CITY_STEPS
        route.fulfill(response=response, json=body)

    page.route("**/api/ask", with_steps)
    page.route("**/api/match", with_steps)
    page.locator(".launcher").click()
    turn = ask(page, "취업날개 전화번호 알려줘")
    assert turn.locator(".bubble-a").get_attribute("data-status") == "partial"
    steps = turn.locator(".next-steps[data-source=city]")
    steps.wait_for()
    text = steps.inner_text()
    assert "다음 단계" in text and "업무보고 내용이 아닙니다" in text and "일자리정책과 제공 · 2026-11-01 확인" in text
    assert steps.locator("a[href^='tel:']").get_attribute("href") == "tel:0221335252"
    web = steps.locator("a[href^='https://']")
    assert web.get_attribute("rel") == "noopener noreferrer" and web.get_attribute("target") == "_blank"
    assert steps.evaluate("el => !el.closest('blockquote, .cites, .bubble-a')")       # not the report's words
    page.wait_for_timeout(300)                                    # the cards' facts arrive after the answer
    assert turn.locator(".next-steps").count() == 1               # once, not again on the program's card
    box = steps.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    steps.evaluate("el => el.scrollIntoView({block: 'center'})")
    shot = tmp_path / f"next-steps-ko-{'mobile-320' if width == 320 else 'desktop'}.png"
    page.screenshot(path=str(shot))
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copy(shot, SCREENSHOTS / shot.name)
    page.locator("[role=tab]").nth(1).click()                     # the panel is open: the profile tab
    form = page.locator("form.match")
    form.locator("input[type=number]").fill("29")
    form.locator("button[type=submit]").click()
    page.locator(".results [data-verdict] .card .next-steps").first.wait_for()
    assert page.locator(".results [data-verdict=ineligible] .next-steps").count() == 0
    assert console.errors == []


LABELS = (".status-label, h3, h4, .badge, .criteria li > strong, .criteria .sr-only, .cite .meta, .missing, "
          ".next-steps dt, .feedback .q, .suggestions h3")
# the visible words of an answer's labels, leaving out text the report or a name supplies (lang="ko" inside)
LABEL_TEXT = """(turn, selector) => [...turn.querySelectorAll(selector)].map(el => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('[lang=ko]').forEach(k => k.remove());
  return copy.textContent.trim();
}).filter(Boolean)"""


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("path, question, answer_lang", [
    ("/demo", "30대 후반인데 청년취업사관학교 들을 수 있어?", "ko"),
    ("/demo?lang=en", "I'm 28 and live in Seoul. Can I join the Seoul Youth Internship job camp?", "en"),
    ("/demo", "首尔青年实习怎么申请？需要什么材料？", "en"),            # a Korean widget, a Chinese question
])
def test_every_label_of_an_answer_is_in_the_answers_language(make_page, path, question, answer_lang, width):
    """One language per answer: its status, headings, verdict, criteria, citations' line numbers
    and feedback prompt are in the answer's language, also when the widget's is another; a
    question in a language we do not answer starts with one sentence in its own script."""
    page, console = make_page(path)
    page.locator(".launcher").click()
    turn = ask(page, question)
    page.wait_for_timeout(300)                                    # the cards' facts arrive after the answer
    labels = turn.evaluate(LABEL_TEXT, LABELS)
    assert labels, "no labels drawn"
    wrong = re.compile(r"[가-힣]") if answer_lang == "en" else re.compile(r"\b[a-z]{3,}\b")
    assert [label for label in labels if wrong.search(label)] == []
    if question.startswith("首尔"):
        assert turn.locator(".bubble-a p").last.inner_text().startswith("我们只用韩语或英语回答")
    page.locator(".langs button").nth(1 if path == "/demo" else 0).click()     # switching the widget …
    assert turn.evaluate(LABEL_TEXT, LABELS) == labels                         # … leaves the answer as it is
    assert console.errors == []


TAP_TARGETS = ".langs button, .close, .tabs button, button.thumb, details.group > summary, form.match button"


@pytest.mark.parametrize("width, height", [(1280, 800), (320, 640)])
def test_keyboard_and_touch_focus_esc_tap_targets_icons_and_scroll_lock(make_page, width, height):
    """After a profile search focus lands on the results heading (not <body>); Esc closes the
    panel from anywhere; every control is at least 44×44 px; icons are inline SVG beside a text
    label, no emoji; behind the full-screen panel of a phone the host page does not scroll."""
    page, console = make_page("/demo", width=width, height=height)
    page.locator(".launcher").click()
    turn = ask(page, "면접 정장은 1년에 몇 번 빌릴 수 있나요?")
    thumbs = turn.locator("button.thumb")
    assert thumbs.count() == 2
    for i in range(2):
        assert thumbs.nth(i).locator("svg").count() == 1 and thumbs.nth(i).inner_text().strip() in ("도움이 됨", "도움이 안 됨")
    assert not re.search("[\U0001F300-\U0001FAFF]", page.locator(".panel").inner_text())     # no emoji anywhere
    page.locator("[role=tab]").nth(1).click()
    form = page.locator("form.match")
    form.locator("input[type=number]").fill("29")
    form.locator("label", has_text="예").click()
    form.locator("button[type=submit]").click()
    page.locator(".results-head").wait_for()
    page.wait_for_function("() => document.querySelector('seoul-finder-widget').shadowRoot.activeElement"
                           " && document.querySelector('seoul-finder-widget').shadowRoot.activeElement.matches('.results-head')")
    head_box, panel_box = page.locator(".results-head").bounding_box(), page.locator(".panel").bounding_box()
    assert panel_box["y"] <= head_box["y"] <= panel_box["y"] + panel_box["height"]          # scrolled into view
    page.locator("details.group").first.locator("summary").click()                         # "확인이 필요한 사업 …개 보기"
    sizes = page.evaluate("""(selector) => [...document.querySelector('seoul-finder-widget').shadowRoot
        .querySelectorAll(selector)].filter(el => el.getClientRects().length)
        .map(el => { const r = el.getBoundingClientRect(); return [el.className || el.tagName, r.width, r.height]; })""",
                          TAP_TARGETS)
    assert sizes and [s for s in sizes if s[1] < 44 or s[2] < 44] == []
    locked = page.evaluate("() => document.documentElement.style.overflow")
    assert locked == ("hidden" if width <= 480 else "")
    page.evaluate("() => document.querySelector('seoul-finder-widget').shadowRoot.activeElement.blur()")
    assert page.evaluate(DEEP_ACTIVE)["inWidget"] is False                                  # focus left the panel …
    page.keyboard.press("Escape")                                                           # … and Esc still closes it
    assert not panel_open(page)
    assert page.evaluate("() => document.documentElement.style.overflow") == ""
    assert console.errors == []


@pytest.mark.parametrize("width, height", [(1280, 800), (320, 640)])
def test_results_can_be_kept_as_text_a_share_link_and_on_paper_without_being_stored(make_page, live_server, width, height):
    """Copy gives the results as text (eligible first, each with its name); the share link holds
    the profile in its fragment only, and opening it reopens the same results; printing hides the
    host page and the form, shows every group, and restores both afterwards."""
    page, console = make_page("/demo", width=width, height=height)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    requests_seen = []
    page.on("request", lambda r: requests_seen.append(r.url))
    form = open_form(page)
    find_for_seoul_jobseeker(form)
    actions = page.locator(".results-actions")
    actions.wait_for()
    head = page.locator(".results-head").inner_text()
    actions.locator("button").nth(0).click()                       # 결과 복사
    page.locator(".results-actions .status", has_text="복사했습니다").wait_for()
    text = page.evaluate("() => navigator.clipboard.readText()")
    assert text.startswith(head) and "신청할 수 있어요" in text and "#sf-profile=" in text
    assert text.index("신청할 수 있어요") < text.index("확인이 필요해요")
    actions.locator("button").nth(2).click()                       # 공유 링크 복사
    page.locator(".results-actions .status", has_text="공유 링크를 복사했습니다").wait_for()
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link.startswith(live_server.url + "/demo#sf-profile=") and "29" in link
    assert not any("sf-profile" in url or "unemployed" in url for url in requests_seen)   # never sent

    printed = page.evaluate("""() => new Promise(resolve => {
      const root = document.querySelector('seoul-finder-widget').shadowRoot;
      const others = [...document.body.children].filter(el => el.tagName !== 'SEOUL-FINDER-WIDGET');
      window.print = () => resolve({
        othersHidden: others.every(el => el.style.display === 'none'),
        allOpen: [...root.querySelectorAll('.results details')].every(d => d.open),
        printing: root.querySelector('.root').classList.contains('printing')});
      root.querySelectorAll('.results-actions button')[1].click();
    })""")
    assert printed == {"othersHidden": True, "allOpen": True, "printing": True}
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert page.evaluate("""() => [...document.body.children].every(el => el.style.display !== 'none')
      && ![...document.querySelector('seoul-finder-widget').shadowRoot.querySelectorAll('.results details')].some(d => d.open)""")

    reopened, console2 = make_page(link.replace(live_server.url, ""), width=width, height=height)
    reopened.locator(".results-head").wait_for()
    assert reopened.locator(".results-head").inner_text() == head
    assert reopened.locator("form.match input[type=number]").input_value() == "29"
    assert console.errors == [] and console2.errors == []


@pytest.mark.parametrize("width, height", [(1280, 800), (320, 640)])
def test_compact_evidence_one_source_under_the_answer_the_rest_behind_more(make_page, tmp_path, width, height):
    """One source under the answer — program › □ heading, "2024 업무보고 · 1291–1298행" —, the others
    behind "근거 더 보기"; opened, the quoted line is marked inside the passage, the full heading path
    is shown, and footnote marks ("DT3)", "UI/UX4)") are footnote numbers, not raw text."""
    page, console = make_page("/demo", width=width, height=height)
    page.locator(".launcher").click()
    turn = ask(page, "청년취업사관학교에서는 어떤 분야를 가르쳐요?")
    cites = turn.locator(".cites")
    primary = cites.locator(":scope > details.cite")
    assert primary.count() == 1
    more = cites.locator(":scope > details.more-sources")
    assert more.count() == 1 and not more.evaluate("d => d.open")
    assert re.fullmatch(r"근거 더 보기 \(\d+개\)", more.locator(":scope > summary").inner_text().strip())
    summary = primary.locator("summary").inner_text()
    assert "청년취업사관학교 › □ 사업개요" in summary and "Ⅳ." not in summary
    assert re.search(r"2024 업무보고 · 1291–1298행", summary)
    height_closed = turn.bounding_box()["height"]
    primary.locator("summary").click()
    assert "›" in primary.locator(".path").inner_text() and "Ⅳ" in primary.locator(".path").inner_text()
    mark = primary.locator(".passage mark")
    assert mark.count() == 1 and re.sub(r"\s", "", mark.inner_text()) == "대상:취업의지가있는20~30대청년구직자"
    passage = primary.locator(".passage").inner_text()
    assert primary.locator(".passage sup.fn").count() >= 2 and "DT3)" not in passage and "UI/UX4)" not in passage
    shot = tmp_path / f"evidence-ko-{'mobile-320' if width == 320 else 'desktop'}.png"
    primary.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(shot))
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copy(shot, SCREENSHOTS / shot.name)
    assert height_closed < 1000                                   # the closed evidence stays short
    assert console.errors == []


CHROME_TEXT = """(lang) => {
  const root = document.querySelector('seoul-finder-widget').shadowRoot;
  const panel = root.querySelector('.panel');
  const texts = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { if (node.textContent.trim()) texts.push(node.textContent.trim()); return; }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    if (node.matches('.langs button, article.turn, .results, [lang]:not([lang=' + lang + '])')) return;
    for (const child of node.childNodes) walk(child);
    for (const attr of ['aria-label', 'placeholder', 'title']) if (node.getAttribute(attr)) texts.push(node.getAttribute(attr));
  };
  walk(panel);
  root.querySelectorAll('option').forEach(o => texts.push(o.textContent.trim()));
  return texts;
}"""


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_no_string_of_the_widget_is_in_the_other_language(make_page, lang):
    """Every string of the widget's own text — header, tabs, the question box, the profile form and
    its options, buttons, footer, labels read by screen readers — is in the chosen language (the
    language switch names both languages; answers are checked by their own test)."""
    page, console = make_page(f"/demo?lang={lang}")
    page.locator(".launcher").click()
    chat_texts = page.evaluate(CHROME_TEXT, lang)
    page.locator("[role=tab]").nth(1).click()
    page.locator("form.match").wait_for()
    texts = chat_texts + page.evaluate(CHROME_TEXT, lang)
    assert len(texts) > 30
    wrong = re.compile(r"[가-힣]") if lang == "en" else re.compile(r"\b[a-z]{3,}\b")
    assert sorted({t for t in texts if wrong.search(t)}) == []
    assert console.errors == []
