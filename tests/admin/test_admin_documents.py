"""Uploading documents: each format's text, review (passages, diff, personal data), accepting
into the corpus, metadata and retiring; every bad upload is refused with a clear message, fast,
and changes nothing."""
from __future__ import annotations

import io
import json
import time
import zipfile
import zlib

import pytest
import yaml

from chatbot.admin import audit, documents as docs
from chatbot.admin.catalog_edit import get_record, record_version
from chatbot.programs.catalog import load_catalog
from chatbot.documents.corpus import load_corpus
from tests.support.admin import (META, NOTICE, docx_bytes, hwpx_bytes, pdf_bytes, post, save, signed_in, upload,
                                 upload_id)

DOC_ID = "seoul-economic-policy-office-2024"


def assert_refused(response, message: str):
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 413), response.status_code
    assert message in html, html[-1500:]


# -- good uploads -----------------------------------------------------------------------------------
def test_text_upload_is_reviewed_then_accepted(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    before = admin_env.snapshot()
    uid = upload_id(upload(client, "notice.txt", "\n".join(NOTICE + ["ㅇ 담당 : 홍길동 900101-1234567"]).encode()))
    assert admin_env.snapshot() == before                      # staged only: the corpus is unchanged
    review = client.get(f"/admin/uploads/{uid}").get_data(as_text=True)
    assert "□ 청년 면접정장 무료대여 안내" in review           # the heading path of its passages
    assert "[전화번호]" in review and "[이메일]" in review and "[주민등록번호]" in review
    assert "ㅇ 담당 : 홍길동 [주민등록번호]" in review           # the warning itself shows it masked
    assert 'name="pii_override"' in review                    # a 주민등록번호 blocks: the override box is offered
    response = post(client, f"/admin/uploads/{uid}/accept", {"pii_override": "yes", "pii_reason": "공개된 담당자 정보"},
                    page=f"/admin/uploads/{uid}")
    assert response.status_code == 302
    documents = {d.id: d for d in load_corpus(admin_env.live)}
    assert documents["youth-suit-notice"].edition == "2024-07"
    assert "무상 대여" in documents["youth-suit-notice"].text
    assert documents[DOC_ID].text                              # the report is still there
    actions = [e.action for e in audit.entries(admin_env.db)]
    assert "document.upload" in actions and "document.accept" in actions and "document.pii_override" in actions
    assert docs.list_uploads(admin_env.db) == []


def _audit_text(admin_env) -> str:
    return json.dumps([(e.actor, e.action, e.target, e.detail) for e in audit.entries(admin_env.db)], ensure_ascii=False)


@pytest.mark.parametrize("identifier", ["900101-1234567", "010-9876-5432", "hong.gildong@gmail.com",
                                        "M12345678", "1234 5678 9012 3456", "110-234-567890"])
def test_an_identifier_blocks_acceptance_until_an_audited_override(admin_app, admin_env, identifier):
    client = signed_in(admin_app, "editor")
    before = admin_env.snapshot()
    uid = upload_id(upload(client, "notice.txt", "\n".join(NOTICE + [f"ㅇ 신청자 : 홍길동 {identifier}"]).encode()))
    page = f"/admin/uploads/{uid}"
    for refused in ({}, {"pii_override": "yes"}, {"pii_override": "yes", "pii_reason": "  "},
                    {"pii_reason": "공개 정보"}):
        response = post(client, f"/admin/uploads/{uid}/accept", refused, page=page)
        assert response.status_code == 302 and response.headers["Location"].endswith(page)
        assert admin_env.snapshot() == before, refused          # nothing accepted
        assert "hold personal data that identifies a person" in client.get(page).get_data(as_text=True)
    assert "document.pii_override" not in _audit_text(admin_env)
    response = post(client, f"/admin/uploads/{uid}/accept",
                    {"pii_override": "yes", "pii_reason": f"보도자료에 공개된 번호 {identifier}"}, page=page)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/documents")
    assert "youth-suit-notice" in {d.id for d in load_corpus(admin_env.live)}
    [row] = audit.entries(admin_env.db, action="document.pii_override")
    assert row.actor == "editor" and row.target == "youth-suit-notice"
    assert row.detail["lines"] == 1 and row.detail["upload"] == uid and row.detail["reason"].startswith("보도자료에")
    assert identifier not in _audit_text(admin_env)            # who, what, how many, why: never the data itself


def test_office_phones_e_mail_and_addresses_only_warn(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    lines = NOTICE + ["ㅇ 장소 : 중구 세종대로 110 서울시청 101동 1203호", "ㅇ 전화 : (02) 123-4567"]
    uid = upload_id(upload(client, "notice.txt", "\n".join(lines).encode()))
    review = client.get(f"/admin/uploads/{uid}").get_data(as_text=True)
    assert "[주소]" in review and 'name="pii_override"' not in review
    response = post(client, f"/admin/uploads/{uid}/accept", page=f"/admin/uploads/{uid}")
    assert response.headers["Location"].endswith("/admin/documents")
    assert "document.pii_override" not in _audit_text(admin_env)


def test_the_shipped_report_holds_no_identifier():
    from chatbot.admin.review import find_pii
    from chatbot.config import PROJECT_ROOT
    for path in (PROJECT_ROOT / "corpus" / "documents").glob("*.txt"):
        assert not [f for f in find_pii(path.read_text(encoding="utf-8")) if f.blocking], path.name


@pytest.mark.parametrize("filename, content, kind", [
    ("notice.docx", docx_bytes(NOTICE), "docx"),
    ("notice.hwpx", hwpx_bytes(NOTICE), "hwpx"),
    ("notice.md", "\n".join(NOTICE).encode("utf-8"), "text"),
    ("notice-cp949.txt", "\n".join(NOTICE).encode("cp949"), "text"),
])
def test_each_format_gives_its_text(admin_app, admin_env, filename, content, kind):
    client = signed_in(admin_app, "editor")
    uid = upload_id(upload(client, filename, content))
    staged, text = docs.load_upload(admin_env.db, uid)
    assert staged.kind == kind
    assert text.split("\n")[:4] == NOTICE


def test_pdf_text_is_extracted(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    lines = ["Seoul Youth Job Notice 2024", "Eligibility: residents aged 19 to 39", "Apply by 2024-08-31"]
    uid = upload_id(upload(client, "notice.pdf", pdf_bytes(lines, pages=2), language="en"))
    staged, text = docs.load_upload(admin_env.db, uid)
    assert staged.kind == "pdf" and staged.pages == 2
    assert "Eligibility: residents aged 19 to 39" in text


def _verifies(admin_env) -> None:
    documents = {d.id: d for d in load_corpus(admin_env.live)}
    load_catalog(admin_env.live / "programs.yaml", documents)          # raises on any bad clause


def test_corrected_schedule_needs_its_catalog_clauses_fixed_with_the_upload(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    current = (admin_env.live / "documents" / f"{DOC_ID}.txt").read_text(encoding="utf-8")
    corrected = current.replace("①강북 ’24.6", "①강북 ’24.9")     # a corrected schedule
    uid = upload_id(upload(client, "report-corrected.txt", corrected.encode(), target=DOC_ID, edition="2024-rev1"))
    review = f"/admin/uploads/{uid}"
    html = client.get(review).get_data(as_text=True)
    assert "1 changed" in html and "+0 added" in html and "−0 removed" in html and "①강북 ’24.9" in html
    assert "6 clause(s) quote text this version no longer has" in html
    assert f"/admin/catalog/youth-academy?upload={uid}" in html

    before = admin_env.snapshot()
    response = post(client, f"{review}/accept", page=review)              # refused: the catalog would lie
    assert response.headers["Location"].endswith(review)
    assert "fix them for this upload first" in client.get(review).get_data(as_text=True)
    assert admin_env.snapshot() == before

    edit = f"/admin/catalog/youth-academy?upload={uid}"
    record = json.loads(json.dumps(get_record(admin_env.live, "youth-academy"), ensure_ascii=False)
                        .replace("’24.6", "’24.9"))
    record["schedule"][0]["when"] = "2024-09"
    response = save(client, record, record_version(get_record(admin_env.live, "youth-academy")), url=edit)
    assert response.status_code == 302 and response.headers["Location"].endswith(review)
    assert admin_env.snapshot() == before                                 # kept with the upload, not live yet
    assert "Every catalog clause will match after accepting" in client.get(review).get_data(as_text=True)

    assert post(client, f"{review}/accept", page=review).headers["Location"].endswith("/admin/documents")
    entry = docs.find_entry(docs.read_entries(admin_env.live), DOC_ID)
    assert entry["edition"] == "2024-rev1" and entry["path"].startswith(f"documents/{DOC_ID}--")
    assert (admin_env.live / "documents" / f"{DOC_ID}.txt").read_text(encoding="utf-8") == current  # kept
    assert get_record(admin_env.live, "youth-academy")["schedule"][0]["when"] == "2024-09"
    _verifies(admin_env)
    assert (admin_env.live / "documents.yaml").read_text(encoding="utf-8").startswith("# Source documents")
    assert [e.action for e in audit.entries(admin_env.db)][:2] == ["document.accept", "catalog.stage"]


def test_inserted_paragraph_re_anchors_the_catalog_on_accept(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    lines = (admin_env.live / "documents" / f"{DOC_ID}.txt").read_text(encoding="utf-8").split("\n")
    lines[10:10] = [" ㅇ 2024. 7. 정정 : 아래 일정 중 일부가 변경되었습니다", ""]     # every later line moves by 2
    uid = upload_id(upload(client, "report.txt", "\n".join(lines).encode(), target=DOC_ID, edition="2024-rev1"))
    assert "will be re-anchored automatically" in client.get(f"/admin/uploads/{uid}").get_data(as_text=True)
    post(client, f"/admin/uploads/{uid}/accept")
    assert get_record(admin_env.live, "youth-academy")["eligibility"][0]["clause"]["lines"] == [1294, 1294]
    _verifies(admin_env)
    assert audit.entries(admin_env.db, action="document.accept")[0].detail["catalog_clauses_moved"] > 300


def test_stale_upload_is_refused_when_the_document_changed_meanwhile(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    path = admin_env.live / "documents" / f"{DOC_ID}.txt"
    text = path.read_text(encoding="utf-8")
    first = upload_id(upload(client, "a.txt", (text + "\nㅇ 추가 A 안내 문구입니다\n").encode(), target=DOC_ID))
    second = upload_id(upload(client, "b.txt", (text + "\nㅇ 추가 B 안내 문구입니다\n").encode(), target=DOC_ID))
    assert post(client, f"/admin/uploads/{first}/accept").status_code == 302
    before = admin_env.snapshot()
    response = post(client, f"/admin/uploads/{second}/accept")
    assert "changed by someone else" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert admin_env.snapshot() == before


# -- bad uploads --------------------------------------------------------------------------------------
def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<a>" + b"A" * (150 << 20) + b"</a>")
    return buffer.getvalue()


def _xml_bomb() -> bytes:
    entities = "".join(f'<!ENTITY e{i} "&e{i - 1};&e{i - 1};&e{i - 1};&e{i - 1};">' for i in range(1, 12))
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY e0 "lol">{entities}]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
           '<w:t>&e11;</w:t></w:r></w:p></w:body></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


def _many_ratio_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(6000):
            archive.writestr(f"Contents/x{i}.xml", "")
    return buffer.getvalue()


BAD_UPLOADS = [
    ("program.exe", b"MZ\x90\x00" + b"\x00" * 100, "are not accepted"),
    ("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "an image (PNG)"),
    ("report.pdf", docx_bytes(NOTICE), "named .pdf but its content is a Word document"),
    ("report.docx", b"%PDF-1.4\n" + b"x" * 100, "named .docx but its content is a PDF"),
    ("old.hwpx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old binary Office/Hangul file"),
    ("empty.txt", b"", "The file is empty"),
    ("binary.txt", b"abc\x00\x01\x02" * 100, "not a text file"),
    ("latin.txt", "café".encode("latin-1") * 50 + b"\xff\xfe\xfd", "neither UTF-8 nor CP949"),
    ("blank.txt", b"\n\n  -- \n", "No text was found"),
    ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n%%EOF", "The PDF cannot be read"),
    ("notes.pdf", "그냥 텍스트 파일입니다".encode() * 10, "named .pdf but its content is not a PDF"),
    ("image-only.pdf", pdf_bytes([]), "No text was found"),
    ("bomb.docx", _zip_bomb(), "refused as a possible zip bomb"),
    ("entities.docx", _xml_bomb(), "refused as a possible XML bomb"),
    ("parts.hwpx", _many_ratio_zip(), "parts (limit"),
    ("pages.pdf", pdf_bytes(["x"], pages=1, declared_pages=100_000), "pages (limit 1000)"),
    ("stream.pdf", pdf_bytes(["x"], extra_stream=zlib.compress(b"0 0 m " * (20 << 20), 9)), "possible zip or PDF bomb"),
    ("other.zip.docx", b"PK\x03\x04" + b"\x00" * 50, "damaged zip"),
]


@pytest.mark.parametrize("filename, content, message", BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_bad_uploads_are_refused_clearly_quickly_and_change_nothing(admin_app, admin_env, filename, content, message):
    client = signed_in(admin_app, "editor")
    before = admin_env.snapshot()
    started = time.monotonic()
    response = upload(client, filename, content)
    elapsed = time.monotonic() - started
    assert_refused(response, message)
    assert elapsed < 2.0, f"{filename} took {elapsed:.2f}s to refuse"
    assert admin_env.snapshot() == before
    assert docs.list_uploads(admin_env.db) == []
    assert list((admin_env.var_dir / "admin" / "incoming").glob("*")) == []
    assert audit.entries(admin_env.db, action="document.upload_refused")[0].detail["filename"] == filename


def test_too_large_upload_is_refused(make_app, admin_env):
    app = make_app(admin_env.index_dir, corpus_dir=admin_env.corpus_dir, var_dir=admin_env.var_dir,
                   rate_limit="off", upload_max_bytes=2000, admin_lang="en")
    client = signed_in(app, "editor")
    before = admin_env.snapshot()
    assert_refused(upload(client, "big.txt", ("가나다라 " * 600).encode()), "limit is")       # over the file limit
    assert_refused(upload(client, "huge.txt", b"a" * (2 << 20)), "larger than the 0 MB limit")  # over the body limit
    assert admin_env.snapshot() == before


def test_upload_mistakes_in_the_form(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    before = admin_env.snapshot()
    assert_refused(upload(client, "n.txt", "\n".join(NOTICE).encode(), document_id=DOC_ID), "exists")
    assert_refused(upload(client, "n.txt", "\n".join(NOTICE).encode(), document_id=""), "Give the new document an id")
    assert_refused(upload(client, "n.txt", "\n".join(NOTICE).encode(), language="fr"), "Not a valid choice")
    current = (admin_env.live / "documents" / f"{DOC_ID}.txt").read_bytes()
    assert_refused(upload(client, "same.txt", current, target=DOC_ID), "identical to the current version")
    assert admin_env.snapshot() == before


# -- metadata and retiring ------------------------------------------------------------------------------
def test_metadata_edit_and_retire(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    uid = upload_id(upload(client, "notice.txt", "\n".join(NOTICE).encode()))
    post(client, f"/admin/uploads/{uid}/accept")
    url = "/admin/documents/youth-suit-notice"
    response = post(client, url, {**META, "edition": "2024-08", "edition_label": "8월 개정"}, page=url)
    assert response.status_code == 302
    entry = docs.find_entry(docs.read_entries(admin_env.live), "youth-suit-notice")
    assert entry["edition"] == "2024-08" and entry["edition_label"] == "8월 개정"
    assert post(client, url, {**META, "title": ""}, page=url).status_code == 400
    post(client, "/admin/documents/youth-suit-notice/active", {"active": "0"})
    assert "youth-suit-notice" not in {d.id for d in load_corpus(admin_env.live)}
    assert "youth-suit-notice" in {d.id for d in load_corpus(admin_env.live, include_retired=True)}
    post(client, "/admin/documents/youth-suit-notice/active", {"active": "1"})
    assert "youth-suit-notice" in {d.id for d in load_corpus(admin_env.live)}
    assert [e.action for e in audit.entries(admin_env.db, action="document.")][:3] == [
        "document.activate", "document.retire", "document.metadata"]


def test_a_document_the_catalog_quotes_cannot_be_retired(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    uid = upload_id(upload(client, "notice.txt", "\n".join(NOTICE).encode()))
    post(client, f"/admin/uploads/{uid}/accept")                 # now two active documents
    before = admin_env.snapshot()
    response = post(client, f"/admin/documents/{DOC_ID}/active", {"active": "0"})
    assert "catalog clause(s) quote this document" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert admin_env.snapshot() == before


def test_the_last_active_document_cannot_be_retired(admin_app, admin_env):
    client = signed_in(admin_app, "editor")
    before = admin_env.snapshot()
    response = post(client, f"/admin/documents/{DOC_ID}/active", {"active": "0"})
    assert "last active document" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert admin_env.snapshot() == before
    assert yaml.safe_load((admin_env.live / "documents.yaml").read_text())["documents"][0]["active"] is True
