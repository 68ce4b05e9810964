"""Helpers for the tests of the staff area (tests/admin/) and of builds and publishing under
failure (tests/integration/): a private copy of the corpus, index and var/ per test, signing in,
posting forms, uploading documents, changing the corpus and waiting for a build. The fixtures
that use them are in tests/admin/conftest.py and tests/integration/conftest.py."""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from chatbot.admin import jobs
from chatbot.admin.accounts import create_user
from chatbot.admin.program_form import form_data
from chatbot.config import PROJECT_ROOT, Settings
from chatbot.storage.corpus import CorpusStore, read_tree, ready_store
from chatbot.storage import migrate
from chatbot.storage.database import Database, database, sqlite_url
from tests.support.wait import wait_until

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class AdminEnv:
    root: Path
    corpus_dir: Path
    index_dir: Path
    var_dir: Path

    @property
    def db_file(self) -> Path:
        return self.var_dir / "admin.sqlite3"

    @property
    def db(self) -> Database:
        """The staff database the app of :func:`make_admin_app` uses (the same object)."""
        return database(sqlite_url(self.db_file))

    @property
    def store(self) -> CorpusStore:
        """The corpus as the staff area keeps it: in the state database, seeded from ``corpus_dir``."""
        return ready_store(Settings().with_overrides({"corpus_dir": self.corpus_dir, "var_dir": self.var_dir,
                                                      "admin_db": self.db_file, "database_url": ""}))

    @property
    def live(self) -> Path:
        """A directory holding the staff area's corpus at its current revision (to read)."""
        return self.store.snapshot()

    def snapshot(self) -> dict[str, bytes]:
        """Every file of the staff area's corpus: to prove a refused action changed nothing."""
        return read_tree(self.live)


def make_admin_env(root: Path, index_dir: Path) -> AdminEnv:
    """Copies of the corpus and of ``index_dir`` under ``root``, and a staff database with an
    editor, a publisher and a chief (both roles), all with ``PASSWORD``."""
    corpus = root / "corpus"
    shutil.copytree(PROJECT_ROOT / "corpus", corpus)
    for path in corpus.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    index = root / "index"
    shutil.copytree(index_dir, index)
    var = root / "var"
    env = AdminEnv(root, corpus, index, var)
    migrate.upgrade(env.db)
    add_staff(env.db)
    return env


def add_staff(db: Database) -> None:
    """An editor, a publisher and a chief (both roles), all with ``PASSWORD``."""
    for name, roles in (("editor", {"editor"}), ("publisher", {"publisher"}), ("chief", {"editor", "publisher"})):
        create_user(db, name, PASSWORD, roles)


def make_admin_app(make_app, admin_env: AdminEnv, **overrides):
    # English, so the assertions read the msgids; tests/admin/test_admin_i18n.py checks the Korean default.
    # The test client speaks plain http, as local serving does: the cookie's Secure flag is turned off
    # explicitly (tests/admin/test_admin_access.py checks the Secure default)
    return make_app(admin_env.index_dir, corpus_dir=admin_env.corpus_dir, var_dir=admin_env.var_dir,
                    rate_limit="off", extract_timeout=10, admin_lang="en", cookie_secure="never", **overrides)


def csrf_token(client, url: str = "/admin/login") -> str:
    html = client.get(url).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def login(client, username: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/admin/login", data={"csrf_token": token, "username": username, "password": password})


def signed_in(app, username: str, password: str = PASSWORD):
    client = app.test_client()
    response = login(client, username, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


CONFIRMED = ("/accept", "/publish")        # actions behind an "I confirm" box (test_admin_confirm*)


def post(client, url: str, data: dict | None = None, page: str = "/admin/", **kwargs):
    """POST a form the way a browser would: with the CSRF token from a page of the staff area, and
    the confirmation box ticked for the actions that have one."""
    ticked = {"confirm": "yes"} if url.endswith(CONFIRMED) else {}
    return client.post(url, data={"csrf_token": csrf_token(client, page), **ticked, **(data or {})}, **kwargs)


# -- posting a program form as staff do --------------------------------------------------------------
def flatten(data: dict, prefix: str = "") -> dict:
    """Nested form data → the field names WTForms posts (eligibility-0-clause-text, …)."""
    out: dict = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}-"))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for i, item in enumerate(value):
                out.update(flatten(item, f"{name}-{i}-"))
        elif value is not None and value is not False:     # a browser posts no unticked box
            out[name] = value
    return out


# -- uploading a document as staff do ---------------------------------------------------------------
NOTICE = ["□ 청년 면접정장 무료대여 안내", "ㅇ 대상 : 서울 거주 18~39세 청년 구직자",
          "ㅇ 내용 : 면접정장 연 10회까지 무상 대여", "ㅇ 문의 : 일자리정책과 02-2133-1234, jobs@seoul.go.kr"]
META = {"title": "청년 면접정장 안내", "publisher": "서울특별시 일자리정책과", "edition": "2024-07", "language": "ko"}


def upload(client, filename: str, content: bytes, target: str = "new", document_id: str = "youth-suit-notice",
           **meta):
    data = {**META, **meta, "target": target, "document_id": document_id if target == "new" else "",
            "file": (io.BytesIO(content), filename)}
    return post(client, "/admin/documents/upload", data, page="/admin/documents/upload",
                content_type="multipart/form-data")


def upload_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return response.headers["Location"].rsplit("/", 1)[1]


# -- files to upload --------------------------------------------------------------------------------
def _zip_bytes(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_bytes(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    return _zip_bytes({
        "[Content_Types].xml": "<Types/>",
        "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/'
                             f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>',
    })


def hwpx_bytes(paragraphs: list[str]) -> bytes:
    body = "".join(f"<hp:p><hp:run><hp:t>{p}</hp:t></hp:run></hp:p>" for p in paragraphs)
    return _zip_bytes({
        "mimetype": "application/hwp+zip",
        "Contents/section0.xml": '<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
                                 f'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph">{body}</hs:sec>',
    })


def pdf_bytes(lines: list[str], pages: int = 1, declared_pages: int | None = None, extra_stream: bytes = b"") -> bytes:
    """A small valid PDF with Helvetica text (ASCII), built by hand with a correct xref table."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {declared_pages or pages} >>".encode())
    font_id = 3 + 2 * pages
    for i in range(pages):
        content = "BT /F1 12 Tf 72 720 Td " + " ".join(f"({line}) Tj 0 -16 Td" for line in lines) + " ET"
        stream = extra_stream or content.encode()
        filt = b" /Filter /FlateDecode" if extra_stream else b""
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode())
        objects.append(b"<< /Length " + str(len(stream)).encode() + filt + b" >>\nstream\n" + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# -- editing a program record as staff do -----------------------------------------------------------
PROGRAM = "youth-academy"
PROGRAM_URL = f"/admin/catalog/{PROGRAM}"


def save(client, record: dict, base: str | None, url: str = PROGRAM_URL, token: str | None = None, **extra):
    data = {**flatten(form_data(record)), "base_version": base or "", **extra}
    return client.post(url, data={"csrf_token": token or csrf_token(client, url), **data})


# -- changing the corpus and building ---------------------------------------------------------------
DOC = "documents/seoul-economic-policy-office-2024.txt"
NEW_LINE = "\n ㅇ 2024년 7월 신설: 청년 면접정장 대여 횟수 연 12회로 확대\n"


def change_corpus(admin_env: AdminEnv, line: str = NEW_LINE) -> None:
    """A line added to the report, as a staff edit of the corpus the next build reads."""
    with admin_env.store.edit("test") as edit:
        path = edit.dir / DOC
        path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")


def wait_for_build(settings, job_id: int, timeout: float = 240) -> jobs.Job:
    """The build job once it is over (succeeded or failed), reconciling as the staff pages do."""
    def finished():
        jobs.reconcile(settings)
        job = jobs.get_job(jobs.database(settings), job_id)
        return job if job and not job.active else None
    return wait_until(finished, timeout, f"build {job_id} did not finish", interval=0.2)
