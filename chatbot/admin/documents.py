"""The corpus manifest as staff change it: staged uploads, accepting them, metadata, retiring.

The corpus is the state database's (chatbot/storage/corpus.py), never the shipped directory: reads
take a snapshot directory of its current revision, changes run inside ``CorpusStore.edit`` (one
locked transaction on a working copy). An accepted text gets a new name
(``documents/<id>--<sha8>.txt``) and the manifest points at it in the same revision; the previous
text is kept for diffs and for tracing what was once live. Staged uploads (the file, its text,
catalog edits made against it) wait in the ``uploads`` table, so any host can review them."""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import Connection, delete, insert, select, update

from chatbot.documents.corpus import MANIFEST_NAME, CorpusError, Document, load_corpus
from chatbot.admin.review import make_document
from chatbot.admin.audit import utc_now
from chatbot.admin import catalog_edit
from chatbot.admin.files import atomic_write, load_yaml
from chatbot.storage.corpus import CorpusStore
from chatbot.storage.database import Database
from chatbot.storage.tables import uploads

DOCUMENT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")     # whole string (fullmatch): no "/", "..", case or space
MAX_DOCUMENT_ID = 80
LANGUAGES = ("ko", "en")
META_FIELDS = ("title", "title_en", "publisher", "edition", "edition_label", "language")
_UPLOAD_ID = re.compile(r"^[0-9a-f]{16}$")


class DocumentError(ValueError):
    """A manifest change that cannot be made; the message says why."""


class CatalogBlocked(DocumentError):
    """Accepting would leave catalog clauses that quote text the document no longer has."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} catalog clause(s) quote text this version no longer has; fix them "
                         "for this upload first (links below), then accept.")
        self.problems = problems


def check_document_id(value: object) -> str:
    """A document id as the server accepts it, whatever the form let through: it names a corpus file
    (documents/<id>--<hash>.txt), so only lower-case letters, digits and single hyphens, at most 80."""
    if not isinstance(value, str) or not value:
        raise DocumentError("Give the new document an id (e.g. seoul-youth-notice-2024-07).")
    if len(value) > MAX_DOCUMENT_ID or not DOCUMENT_ID.fullmatch(value):
        raise DocumentError(f"A document id is at most {MAX_DOCUMENT_ID} lower-case letters, digits and single "
                            "hyphens (e.g. seoul-youth-notice-2024-07).")
    return value


# -- the manifest --------------------------------------------------------------------------------
def manifest_path(corpus_dir: Path) -> Path:
    return Path(corpus_dir) / MANIFEST_NAME


def read_entries(corpus_dir: Path) -> list[dict]:
    data = load_yaml(manifest_path(corpus_dir).read_text(encoding="utf-8")) or {}
    return list(data.get("documents") or [])


def write_entries(corpus_dir: Path, entries: list[dict]) -> None:
    """Rewrite the manifest atomically, keeping its leading comment block, after proving the
    result loads (so a bad entry never reaches the file)."""
    path = manifest_path(corpus_dir)
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    header = []
    for line in old.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    body = yaml.safe_dump({"documents": entries}, allow_unicode=True, sort_keys=False, width=1000)
    text = "\n".join(header + [body])
    probe = path.with_name(f".{MANIFEST_NAME}.check")
    try:
        probe.write_text(text, encoding="utf-8")
        _check_manifest(Path(corpus_dir), probe)
    finally:
        probe.unlink(missing_ok=True)
    atomic_write(path, text)


def _check_manifest(corpus_dir: Path, probe: Path) -> None:
    data = load_yaml(probe.read_text(encoding="utf-8")) or {}
    from chatbot.documents.corpus import load_document

    ids = []
    for entry in data.get("documents", []):
        try:
            load_document(entry, corpus_dir)
        except CorpusError as exc:
            raise DocumentError(str(exc)) from None
        ids.append(entry["id"])
    if len(ids) != len(set(ids)):
        raise DocumentError("two documents would share an id")


def find_entry(entries: list[dict], document_id: str) -> dict | None:
    return next((e for e in entries if e.get("id") == document_id), None)


def documents_by_id(corpus_dir: Path, include_retired: bool = True) -> dict[str, Document]:
    return {d.id: d for d in load_corpus(corpus_dir, include_retired=include_retired)}


def check_metadata(meta: dict) -> dict:
    """Trimmed metadata, or DocumentError naming the first bad field."""
    clean = {k: str(meta.get(k) or "").strip() for k in META_FIELDS}
    for name in ("title", "publisher", "edition", "language"):
        if not clean[name]:
            raise DocumentError(f"{name}: required")
    if clean["language"] not in LANGUAGES:
        raise DocumentError(f"language: one of {', '.join(LANGUAGES)}")
    if not clean["edition_label"]:
        clean["edition_label"] = clean["edition"]
    return clean


def update_metadata(store: CorpusStore, document_id: str, meta: dict, actor: str) -> dict:
    """Change a document's metadata; returns the fields that changed as {name: [old, new]}."""
    clean = check_metadata(meta)
    with store.edit(actor) as edit:
        corpus_dir = edit.dir
        entries = read_entries(corpus_dir)
        entry = find_entry(entries, document_id)
        if entry is None:
            raise DocumentError(f"no document {document_id!r}")
        changed = {k: [entry.get(k, ""), v] for k, v in clean.items() if str(entry.get(k, "")) != v}
        entry.update({k: v for k, v in clean.items() if v or k in entry})
        write_entries(corpus_dir, entries)
    return changed


def set_active(store: CorpusStore, document_id: str, active: bool, actor: str) -> None:
    with store.edit(actor) as edit:
        corpus_dir = edit.dir
        entries = read_entries(corpus_dir)
        entry = find_entry(entries, document_id)
        if entry is None:
            raise DocumentError(f"no document {document_id!r}")
        if not active and sum(1 for e in entries if e.get("active", True)) <= 1 and entry.get("active", True):
            raise DocumentError("The last active document cannot be retired; the finder would have nothing to cite.")
        if not active:
            remaining = {k: v for k, v in documents_by_id(corpus_dir, include_retired=False).items() if k != document_id}
            citing = catalog_edit.catalog_problems(catalog_edit.read_records(corpus_dir), remaining, document_id)
            if citing:
                programs = sorted({c.split(" → ")[0] for c in citing})
                raise DocumentError(f"{len(citing)} catalog clause(s) quote this document ({', '.join(programs)}); "
                                    "point them at another document first.")
        entry["active"] = active
        write_entries(corpus_dir, entries)


# -- staged uploads ------------------------------------------------------------------------------
@dataclass
class StagedUpload:
    """An extracted upload waiting for review; nothing in the corpus changes until it is accepted."""

    upload_id: str
    document_id: str
    is_new: bool
    meta: dict
    filename: str
    kind: str
    pages: int | None
    size: int
    sha256: str                 # of the uploaded file
    text_sha256: str
    base_text_sha256: str       # the corpus text it replaces, when it was uploaded ("" = new)
    uploaded_by: str
    uploaded_at: str = field(default_factory=utc_now)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)


def _checked_id(upload_id: str) -> str:
    if not _UPLOAD_ID.match(upload_id):
        raise DocumentError("no such upload")
    return upload_id


def new_upload_id() -> str:
    return secrets.token_hex(8)


def stage_upload(db: Database, upload_id: str, original: Path, text: str, staged: StagedUpload) -> None:
    """Keep the received file and its text for review (one row: all of it or none)."""
    check_document_id(staged.document_id)
    with db.write() as conn:
        conn.execute(insert(uploads).values(
            id=_checked_id(upload_id), created_at=staged.uploaded_at, meta=staged.to_json(), text=text,
            original_name="original" + Path(staged.filename).suffix.lower(), original=Path(original).read_bytes()))


def _upload_row(conn: Connection, upload_id: str):
    row = conn.execute(select(uploads.c.meta, uploads.c.text, uploads.c.patches)
                       .where(uploads.c.id == _checked_id(upload_id))).first()
    if row is None:
        raise DocumentError("This upload no longer exists (accepted or discarded already).")
    return row


def _patches(row) -> dict[str, dict]:
    return json.loads(row.patches or "{}")


def load_upload(db: Database, upload_id: str) -> tuple[StagedUpload, str]:
    with db.read() as conn:
        row = _upload_row(conn, upload_id)
    return StagedUpload(**json.loads(row.meta)), row.text


def list_uploads(db: Database) -> list[StagedUpload]:
    with db.read() as conn:
        found = [StagedUpload(**json.loads(meta)) for meta in conn.execute(select(uploads.c.meta)).scalars()]
    return sorted(found, key=lambda u: u.uploaded_at, reverse=True)


def discard_upload(db: Database, upload_id: str) -> None:
    with db.write() as conn:
        conn.execute(delete(uploads).where(uploads.c.id == _checked_id(upload_id)))


def upload_patches(db: Database, upload_id: str) -> dict[str, dict]:
    """Catalog records edited against this upload's text, written with it on accept:
    {program id: {"base": version it was edited from, "record": record}}."""
    with db.read() as conn:
        return _patches(_upload_row(conn, upload_id))


def stage_catalog_edit(store: CorpusStore, upload_id: str, documents: dict[str, Document], record: dict,
                       base_version: str | None, program_id: str, actor: str) -> catalog_edit.SaveResult:
    """Keep a program edited against an upload's text beside the upload (checked against the live
    catalog under the corpus lock) until the upload is accepted."""
    with store.edit(actor) as edit:
        patches = _patches(_upload_row(edit.conn, upload_id))
        result, clean = catalog_edit.stage_record(edit.dir, documents, record, base_version, program_id)
        patches[program_id] = {"base": base_version, "record": clean}
        edit.conn.execute(update(uploads).where(uploads.c.id == upload_id)
                          .values(patches=json.dumps(patches, ensure_ascii=False)))
    return result


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def upload_documents(corpus_dir: Path, staged: StagedUpload, text: str) -> dict[str, Document]:
    """The active documents as they will be once this upload is accepted."""
    documents = documents_by_id(corpus_dir, include_retired=False)
    documents[staged.document_id] = make_document(staged.document_id, text, staged.meta, Path("staged.txt"))
    return documents


def catalog_after(corpus_dir: Path, patches: dict[str, dict], staged: StagedUpload, text: str
                  ) -> tuple[list[dict], list[dict], list[str], list[str]]:
    """(current records, records after accepting, clauses moved, clauses still broken) for an upload:
    its catalog patches applied, then clauses whose text moved re-anchored."""
    current = catalog_edit.read_records(corpus_dir)
    patched = catalog_edit.apply_patches(current, patches)
    documents = upload_documents(corpus_dir, staged, text)
    after, moved = catalog_edit.reanchor(patched, {staged.document_id: documents[staged.document_id]})
    broken = catalog_edit.catalog_problems(after, documents, only_document=staged.document_id)
    return current, after, moved, broken


def accept_upload(store: CorpusStore, upload_id: str, actor: str) -> tuple[StagedUpload, dict | None, list[str]]:
    """Put a reviewed upload into the corpus with the catalog kept true to it: clauses that moved are
    re-anchored, clauses edited for this upload are written, and if any clause citing the document
    would still quote missing text, nothing is written (CatalogBlocked). Returns the upload, the
    manifest entry it replaced and the clauses moved. The upload leaves the staging table in the
    same transaction."""
    with store.edit(actor) as edit:
        corpus_dir = edit.dir
        row = _upload_row(edit.conn, upload_id)
        staged, text = StagedUpload(**json.loads(row.meta)), row.text
        check_document_id(staged.document_id)          # it becomes a path in the corpus below
        entries = read_entries(corpus_dir)
        previous = find_entry(entries, staged.document_id)
        if staged.is_new and previous is not None:
            raise DocumentError(f"A document with id {staged.document_id!r} was added meanwhile; upload again "
                                "as a new version of it.")
        if not staged.is_new:
            if previous is None:
                raise DocumentError(f"Document {staged.document_id!r} no longer exists.")
            current_text = (corpus_dir / previous["path"]).read_text(encoding="utf-8")
            if text_sha256(current_text) != staged.base_text_sha256:
                raise DocumentError("The document was changed by someone else after this upload was made; "
                                    "upload the file again to review it against the current text.")
        try:
            before, after, moved, broken = catalog_after(corpus_dir, _patches(row), staged, text)
        except catalog_edit.EditConflict:
            raise DocumentError("A program edited for this upload was changed in the catalog meanwhile; open it "
                                "again from this page.") from None
        if broken:
            raise CatalogBlocked(broken)
        relative = f"documents/{staged.document_id}--{staged.text_sha256[:8]}.txt"
        atomic_write(corpus_dir / relative, text)
        if after != before:
            catalog_edit.write_records(corpus_dir, before, after)
        entry = dict(previous or {"id": staged.document_id})
        entry.update({k: v for k, v in staged.meta.items() if v or k in entry})
        entry["path"] = relative
        entry["active"] = True
        entry = {"id": entry.pop("id"), "path": entry.pop("path"), **entry}
        if previous is None:
            entries.append(entry)
        else:
            entries[entries.index(previous)] = entry
        write_entries(corpus_dir, entries)
        edit.conn.execute(delete(uploads).where(uploads.c.id == upload_id))
    return staged, previous, moved
