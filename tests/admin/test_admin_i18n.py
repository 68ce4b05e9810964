"""The staff area in Korean by default and English on request: every string of its templates and
views is in the message catalog, translated with the same placeholders, and the compiled catalog
it serves is the one its .po says."""
from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from chatbot.admin.i18n import TRANSLATIONS
from chatbot.config import PROJECT_ROOT
from tests.support.admin import PASSWORD, csrf_token, login

PO = TRANSLATIONS / "ko" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
AS_IS = {"publish, rollback, document., catalog.",   # audit action names: typed as they are stored
         "hit@1 ko / en"}                            # a metric's name


def catalog(path, reader):
    with open(path, "rb") as handle:
        return {m.id: m.string for m in reader(handle) if m.id}


def test_every_message_is_translated_with_its_placeholders():
    messages = catalog(PO, read_po)
    assert len(messages) > 300
    for msgid, text in messages.items():
        assert text, msgid
        if " " in msgid and re.search("[a-z]{3,}", msgid) and msgid not in AS_IS:   # a sentence, not a token
            assert text != msgid, msgid
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(msgid)), msgid


def test_the_compiled_catalog_is_the_po():
    """Compile with: pybabel compile -d chatbot/admin/translations (docs/staff.md)."""
    assert catalog(MO, read_mo) == catalog(PO, read_po)


def test_every_string_of_the_staff_area_is_in_the_catalog():
    method_map = [("chatbot/admin/**.py", "python"), ("templates/admin/**.html", "jinja2")]
    keywords = {"_": None, "_l": None, "gettext": None}
    found = {message for _file, _line, message, _comments, _context in
             extract_from_dir(PROJECT_ROOT, method_map, keywords=keywords)
             if isinstance(message, str)}
    missing = sorted(found - set(catalog(PO, read_po)))
    assert missing == [], f"run pybabel extract/update (docs/staff.md): {missing[:10]}"


@pytest.fixture
def korean_app(make_app, admin_env):
    return make_app(admin_env.index_dir, corpus_dir=admin_env.corpus_dir, var_dir=admin_env.var_dir,
                    rate_limit="off")           # CHATBOT_ADMIN_LANG unset: Korean


def test_the_staff_area_is_korean_until_a_clerk_switches_it(korean_app):
    client = korean_app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    assert '<html lang="ko">' in page and "Staff sign-in" not in page
    assert login(client, "editor", PASSWORD).status_code == 302
    home = client.get("/admin/").get_data(as_text=True)
    nav = home[home.index("<nav>"):home.index("</nav>")]
    assert not re.search(r">[^<]*[A-Za-z]{3,}[^<]*<", nav), nav          # every menu item in Korean
    catalog_page = client.get("/admin/catalog").get_data(as_text=True)
    assert "Program catalog" not in catalog_page and "사업 목록" in catalog_page
    response = client.post("/admin/language", data={"csrf_token": csrf_token(client, "/admin/"), "lang": "en",
                                                    "next": "/admin/catalog"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/catalog")
    english = client.get("/admin/catalog").get_data(as_text=True)
    assert '<html lang="en">' in english and "Program catalog" in english
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert '<html lang="en">' in client.get("/admin/login").get_data(as_text=True)   # kept across sign-out
