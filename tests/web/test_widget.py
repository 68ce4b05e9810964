"""The widget's assets and pages through the Flask test client: caching, the server facts put into
widget.js, the pages' options, and the rules that keep untrusted text out of HTML parsing."""
from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml

from chatbot.programs.fields import CATEGORIES, EMPLOYMENT_STATUSES, FIELDS
from chatbot.config import PROJECT_ROOT
from chatbot.web import widget as widget_module
from chatbot.web.ask import MAX_QUESTION_CHARS
from chatbot.web.feedback import MAX_COMMENT_CHARS

STATIC = PROJECT_ROOT / "chatbot" / "static"
TEMPLATES = PROJECT_ROOT / "templates"
WIDGET_SOURCE = (STATIC / "widget.js").read_text(encoding="utf-8")


def server_facts(script: str) -> dict:
    match = re.search(r"var SERVER = (\{.*?\});", script)
    assert match, "the server facts were not put into widget.js"
    return json.loads(match.group(1))


def test_widget_js_is_served_with_etag_and_short_cache(client):
    response = client.get("/widget.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    etag = response.headers["ETag"]
    assert client.get("/widget.js", headers={"If-None-Match": etag}).status_code == 304


def test_server_facts_are_the_api_limits_and_choices(client):
    facts = server_facts(client.get("/widget.js").get_data(as_text=True))
    assert facts["limits"] == {"question": MAX_QUESTION_CHARS, "comment": MAX_COMMENT_CHARS}
    assert facts["employment"] == list(EMPLOYMENT_STATUSES) and facts["interests"] == list(CATEGORIES)
    assert client.get("/widget.js").headers["ETag"].strip('"') == facts["version"]


def test_versioned_stylesheet_is_immutable_and_a_stale_one_still_served(client):
    facts = server_facts(client.get("/widget.js").get_data(as_text=True))
    current = client.get(facts["css"])
    assert current.status_code == 200 and current.mimetype == "text/css"
    assert "immutable" in current.headers["Cache-Control"]
    stale = client.get("/widget/000000000000/widget.css")
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    assert stale.data == current.data


def test_version_changes_when_an_asset_changes(client, tmp_path, monkeypatch):
    copy = tmp_path / "static"
    shutil.copytree(STATIC, copy)
    monkeypatch.setattr(widget_module, "STATIC_DIR", copy)
    before = client.get("/widget.js").headers["ETag"]
    with (copy / "widget.css").open("a") as handle:
        handle.write("\n/* changed */\n")
    after = client.get("/widget.js")
    assert after.headers["ETag"] != before
    assert server_facts(after.get_data(as_text=True))["css"].startswith("/widget/" + after.headers["ETag"].strip('"'))


def test_every_choice_has_a_korean_and_english_label():
    for value in (*EMPLOYMENT_STATUSES, *CATEGORIES):
        labels = re.findall(rf'(?<![\w-])"?{re.escape(value)}"?\s*:\s*"[^"]+"', WIDGET_SOURCE)
        assert len(labels) >= 2, f"{value} needs a ko and an en label in widget.js"


def test_income_bands_include_every_catalog_threshold():
    """The form sends a band's upper edge; that is only right if each threshold is an edge."""
    catalog = yaml.safe_load((PROJECT_ROOT / "corpus" / "programs.yaml").read_text(encoding="utf-8"))
    thresholds = set()
    for program in catalog["programs"]:
        for criterion in program.get("eligibility", []):
            if criterion.get("field") == "income_pct_of_median" and criterion["op"] in ("<=", ">=", "between"):
                value = criterion["value"]
                thresholds.update(value if isinstance(value, list) else [value])
    assert thresholds and thresholds <= set(widget_module.INCOME_BAND_EDGES)


def test_untrusted_text_is_never_parsed_as_html():
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "setAttribute(\"style\"", "javascript:"):
        assert sink not in WIDGET_SOURCE, sink


def test_nothing_is_fetched_from_other_hosts_or_stored():
    allowed = {"http://www.w3.org/2000/svg", "https://HOST/widget.js"}
    for path in [STATIC / "widget.js", STATIC / "widget.css", STATIC / "page.css", *TEMPLATES.glob("*.html")]:
        urls = set(re.findall(r"https?://[^\s\"'<>)]+", path.read_text(encoding="utf-8")))
        assert urls <= allowed, (path.name, urls - allowed)
    for store in ("localStorage", "sessionStorage", "document.cookie", "indexedDB"):
        assert store not in WIDGET_SOURCE


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_need_no_inline_script_or_style(template):
    """Our pages' CSP allows only 'self'; inline code would be blocked (and is a risk)."""
    html = (TEMPLATES / template).read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and " style=" not in html and not re.search(r"\son[a-z]+=", html)


def test_full_page_widget(client):
    response = client.get("/?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="en">' in html
    assert 'data-mode="page"' in html and 'data-lang="en"' in html and 'src="/widget.js"' in html


def test_demo_page_shows_the_embed_snippet(client):
    html = client.get("/demo?position=left&accent=%23b3261e").get_data(as_text=True)
    assert "&lt;script src=&#34;http://localhost/widget.js&#34; data-lang=&#34;ko&#34;" in html
    assert 'data-position="left"' in html and 'data-accent="#b3261e"' in html


@pytest.mark.parametrize("query", ['lang="><script>alert(1)</script>', "accent=red;background:url(x)",
                                   "position=center", "open=1"])
def test_invalid_page_options_are_dropped(client, query):
    html = client.get(f"/demo?{query}").get_data(as_text=True)
    [tag] = re.findall(r'<script src="/widget.js"[^>]*>', html)
    attributes = dict(re.findall(r'data-(\w+)="([^"]*)"', tag))
    assert attributes == {"lang": "ko"} and "alert(1)" not in html


def test_every_criterion_field_has_a_label_in_both_languages():
    """A verdict lists its criteria by field; a field the widget cannot name shows its raw key."""
    blocks = re.findall(r"fields: \{(.*?)\}", WIDGET_SOURCE, re.S)
    assert len(blocks) == 2, "expected one fields dictionary per language"
    for block in blocks:
        named = set(re.findall(r'(?:"([\w.]+)"|(\w+)):\s*"', block))
        keys = {quoted or bare for quoted, bare in named}
        assert set(FIELDS) <= keys, sorted(set(FIELDS) - keys)
