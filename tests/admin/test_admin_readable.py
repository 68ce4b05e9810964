"""What a city clerk reads in the staff area: times in KST, audit rows without None/True/[] or
full digests, "accepted, not yet live" until a publish holds a document, and a box to tick
before an action citizens will feel (accept, publish, roll back)."""
from __future__ import annotations

import pytest

from chatbot.admin import audit
from chatbot.admin.site import kst, readable
from chatbot.index.store import read_current
from tests.support.admin import NOTICE, csrf_token, flatten, post, signed_in, upload, upload_id


@pytest.mark.parametrize("stored, shown", [
    ("2026-11-29T12:04:05Z", "2026-11-29 21:04 KST"),
    ("2026-11-29T23:30:00+00:00", "2026-11-30 08:30 KST"),
    ("2026-11-29 15:00:00", "2026-11-30 00:00 KST"),           # SQLite's CURRENT_TIMESTAMP is UTC
    ("", ""), ("not a time", "not a time"),
])
def test_times_are_shown_in_kst(stored, shown):
    assert kst(stored) == shown


@pytest.mark.parametrize("value, shown", [
    (None, "—"), (True, "yes"), (False, "no"), ([], "—"), ("", "—"),
    ("104d302fafc5da4c8c2e6ec307b0c9091aec32ba315dbcee557143fd4d0e1439", "104d302fafc5"),
    (["a", "b"], "a, b"), ({"id": "x", "edition": "2024"}, "id x, edition 2024"), (3, "3"),
])
def test_audit_details_read_as_words(value, shown):
    assert readable(value) == shown


def test_the_audit_log_shows_kst_and_readable_details(admin_app, admin_env):
    audit.record(admin_env.db, "editor", "document.accept", "notice",
                 {"previous_path": None, "text_sha256": "f" * 64, "catalog_clauses_moved": 0, "fields": []})
    html = signed_in(admin_app, "chief").get("/admin/audit").get_data(as_text=True)
    assert "When (KST)" in html and " KST</td>" in html
    row = html[html.index("document.accept"):][:1200]
    assert "None" not in row and "[]" not in row and "f" * 64 not in row and "ffffffffffff" in row
    assert "previous path</b>: —" in row


def test_accepting_needs_the_confirmation_box_and_then_says_not_yet_live(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    uid = upload_id(upload(client, "notice.txt", "\n".join(NOTICE).encode()))
    review = f"/admin/uploads/{uid}"
    assert 'name="confirm" value="yes" required' in client.get(review).get_data(as_text=True)
    unticked = client.post(f"{review}/accept", data={"csrf_token": csrf_token(client, review)})
    assert unticked.status_code == 302 and unticked.headers["Location"].endswith(review)
    assert "tick the box to confirm" in client.get(review).get_data(as_text=True)
    assert not (admin_env.live / "documents" / "youth-suit-notice.txt").exists()
    assert post(client, f"{review}/accept", page=review).status_code == 302              # ticked
    documents = client.get("/admin/documents").get_data(as_text=True)
    notice = documents[documents.index('class="mono">youth-suit-notice'):][:1500]
    assert "accepted, not yet live" in notice and "not in the live version" in notice
    report = documents[documents.index('class="mono">seoul-economic-policy-office-2024'):][:1500]
    assert ">live</span>" in report


def test_publishing_needs_the_confirmation_box(admin_app, admin_env):
    publisher = signed_in(admin_app, "publisher")
    live = read_current(admin_env.index_dir)
    builds = publisher.get("/admin/builds").get_data(as_text=True)
    assert "Citizens get answers from this version" in builds or "No version built yet" in builds or live
    response = publisher.post(f"/admin/versions/{live}/publish",
                              data={"csrf_token": csrf_token(publisher, "/admin/builds")})
    assert response.status_code == 303
    assert "tick the box to confirm" in publisher.get("/admin/builds").get_data(as_text=True)
    assert not audit.entries(admin_env.db, action="publish") and not audit.entries(admin_env.db, action="rollback")


def test_required_fields_are_flagged_next_to_the_field_not_only_by_the_browser(admin_app, admin_env):
    """Forms carry novalidate: the server's message appears beside the field it is about."""
    client = signed_in(admin_app, "editor")
    url = "/admin/catalog/youth-academy"
    page = client.get(url).get_data(as_text=True)
    assert '<form method="post" novalidate class="program">' in page
    from chatbot.admin.catalog_edit import get_record, record_version
    from chatbot.admin.program_form import form_data
    record = get_record(admin_env.live, "youth-academy")
    data = {**flatten(form_data(record)), "base_version": record_version(record), "name_ko": ""}
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **data})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    field = html[html.index('for="name_ko"') - 200:][:600]
    assert "has-error" in field and 'class="err"' in field
