"""The staff area in Chromium, in Korean as Seoul's clerks see it: sign-in, overview, documents, a
program's form, builds and the audit log at 1280 px and 320 px, no horizontal scrolling, the
language switch; with UPDATE_SCREENSHOTS=1 the pictures replace docs/screenshots/admin-*-ko.png."""
from __future__ import annotations

import os
import shutil

import pytest

from chatbot.admin.accounts import create_user
from chatbot.config import PROJECT_ROOT
from chatbot.storage import migrate
from chatbot.storage.database import database, sqlite_url
from tests.support.live import running_server

pytestmark = pytest.mark.integration
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
PASSWORD = "a long staff password 42"
PAGES = [("login", "/admin/login"), ("dashboard", "/admin/"), ("documents", "/admin/documents"),
         ("catalog-edit", "/admin/catalog/youth-academy"), ("builds", "/admin/builds"), ("audit", "/admin/audit")]


@pytest.fixture(scope="module")
def staff_server(real_index_dir, tmp_path_factory):
    state = tmp_path_factory.mktemp("staff-state")
    corpus = state / "corpus"
    shutil.copytree(PROJECT_ROOT / "corpus", corpus)
    db = database(sqlite_url(state / "admin.sqlite3"))
    migrate.upgrade(db)
    create_user(db, "kim.clerk", PASSWORD, {"editor", "publisher"})
    env = {"CHATBOT_INDEX_DIR": str(real_index_dir), "CHATBOT_CORPUS_DIR": str(corpus),
           "CHATBOT_VAR_DIR": str(state), "CHATBOT_ADMIN_DB": str(state / "admin.sqlite3"),
           "CHATBOT_FEEDBACK_DB": str(state / "feedback.sqlite3"), "CHATBOT_RATE_LIMIT": "off",
           "CHATBOT_COOKIE_SECURE": "never"}
    with running_server(env, state / "server.log") as (url, _process):
        yield url


def sign_in(page, url: str) -> None:
    page.goto(url + "/admin/login")
    page.fill("input[name=username]", "kim.clerk")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(url + "/admin/")


@pytest.mark.parametrize("width, height", [(1280, 900), (320, 720)])
def test_the_staff_area_in_korean(browser, staff_server, tmp_path, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ko-KR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, staff_server)
    for name, path in PAGES:
        if name == "login":
            continue
        page.goto(staff_server + path)
        assert page.locator("html").get_attribute("lang") == "ko", name
        nav = page.locator("header.top nav").inner_text()
        assert "문서" in nav and "Documents" not in nav
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (name, overflow)
        shot = tmp_path / f"admin-{name}-ko{'-320' if width == 320 else ''}.png"
        page.screenshot(path=str(shot), full_page=width > 480)
        if os.environ.get("UPDATE_SCREENSHOTS"):
            shutil.copy(shot, SCREENSHOTS / shot.name)
    page.locator("header.top .langs button[value=en]").click()                  # one click to English
    assert page.locator("html").get_attribute("lang") == "en" and "Audit log" in page.locator("h1").inner_text()
    page.locator("header.top .langs button[value=ko]").click()
    assert errors == []
    context.close()


def upload_notice(page, url: str, folder, document_id: str, lines: str) -> None:
    """Upload a short notice under ``document_id`` through the form; the page ends on its review."""
    notice = folder / f"{document_id}.txt"
    notice.write_text(lines, encoding="utf-8")
    page.goto(url + "/admin/documents/upload")
    page.set_input_files("input[type=file]", str(notice))
    page.fill("input[name=document_id]", document_id)
    page.fill("input[name=title]", lines.splitlines()[0].lstrip("□ "))
    page.fill("input[name=publisher]", "서울특별시 일자리정책과")
    page.fill("input[name=edition]", "2024-07")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/admin/uploads/*")


def accept_ticked(page, url: str) -> None:
    accept = page.locator("form.confirm").first
    accept.locator("input[name=confirm]").check()
    accept.locator("button").click()
    page.wait_for_url(url + "/admin/documents")


def test_accepting_in_the_browser_needs_the_box_and_then_shows_not_yet_live(browser, staff_server, tmp_path):
    """Upload a notice, try to accept without ticking (the browser and the server refuse), tick and
    accept: the document is "반영됨, 아직 서비스 전" until a publish holds it; times read KST."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    sign_in(page, staff_server)
    upload_notice(page, staff_server, tmp_path, "youth-suit-notice",
                  "□ 청년 면접정장 안내\nㅇ 대상 : 서울 거주 청년 구직자\nㅇ 내용 : 면접정장 무상 대여\n")
    accept = page.locator("form.confirm").first
    accept.locator("button").click()                              # unticked: the browser keeps the form
    assert "/admin/uploads/" in page.url and accept.locator("input[name=confirm]").evaluate("el => !el.validity.valid")
    accept_ticked(page, staff_server)
    row = page.locator("tr", has_text="youth-suit-notice")
    assert "반영됨, 아직 서비스 전" in row.inner_text()
    page.goto(staff_server + "/admin/audit")
    assert "KST" in page.locator("table.audit").inner_text() and "document.accept" in page.locator("table.audit").inner_text()
    context.close()


def test_a_build_asks_the_new_text_and_publishing_needs_the_box(browser, staff_server, tmp_path):
    """A notice of its own accepted, then a build in the browser, its result asking the new text's
    lines ("새 본문으로 답변할 수 있습니까?"), and a publish that only a ticked box lets through.
    Runs alone or after the test above (which may leave its notice accepted and not yet live)."""
    context = browser.new_context(viewport={"width": 320, "height": 720}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(240_000)                     # a build embeds the new passages
    sign_in(page, staff_server)
    upload_notice(page, staff_server, tmp_path, "youth-photo-notice",
                  "□ 청년 면접사진 촬영 안내\nㅇ 대상 : 서울 거주 청년 구직자\nㅇ 내용 : 면접용 증명사진 무료 촬영\n")
    accept_ticked(page, staff_server)
    page.goto(staff_server + "/admin/builds")
    page.locator("button", has_text="빌드 시작").click()
    page.wait_for_url("**/admin/builds/*")
    page.locator("h2", has_text="새 본문으로 답변할 수 있습니까?").wait_for()
    samples = page.locator("table.samples").inner_text()
    assert "youth-photo-notice" in samples and "청년 구직자" in samples and "\t예 " in samples   # answered from it
    publish = page.locator("form.confirm").first
    publish.locator("button").click()                     # unticked: nothing is sent
    assert publish.locator("input[name=confirm]").evaluate("el => !el.validity.valid")
    publish.locator("input[name=confirm]").check()
    publish.locator("button").click()
    page.wait_for_url("**/admin/builds")
    assert page.locator(".flash.ok").first.inner_text().strip()
    page.goto(staff_server + "/admin/documents")
    assert "서비스 중" in page.locator("tr", has_text="youth-photo-notice").inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
    context.close()
