"""Documents (upload → review → accept, metadata, retire) and the program catalog forms."""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from chatbot.documents.corpus import CorpusError, load_corpus
from chatbot.feedback.privacy import mask_pii
from chatbot.index.store import sha256_file
from chatbot.admin import audit, catalog_edit, documents as docs, review, versions
from chatbot.admin.site import bp, confirmed, db, log, not_found, page, requires, settings, user
from chatbot.admin.extraction import UploadRejected, extract_file
from chatbot.admin.forms import ActionForm, HelpLineForm, MetadataForm, ProgramForm, UploadForm
from chatbot.admin.program_form import form_data, next_steps_form_data, next_steps_record, prepare, record_from_form
from chatbot.storage.corpus import CorpusStore, ready_store


def _store() -> CorpusStore:
    """The corpus as staff edit it: the state database's, seeded once from the shipped corpus."""
    return ready_store(settings())


def _corpus() -> Path:
    """A directory holding the corpus at its current revision, to read (never to write)."""
    return _store().snapshot()


def _actor() -> str:
    return user().username  # type: ignore[union-attr]


def _active_documents():
    return {d.id: d for d in load_corpus(_corpus())}


def _catalog_problems(only_document: str | None = None) -> list[str]:
    return catalog_edit.catalog_problems(catalog_edit.read_records(_corpus()), _active_documents(), only_document)


def _staged(upload_id: str) -> tuple[docs.StagedUpload, str]:
    try:
        return docs.load_upload(_store().db, upload_id)
    except docs.DocumentError:
        not_found("This upload")
        raise


# -- documents -----------------------------------------------------------------------------------
@bp.get("/documents")
def documents():
    s = settings()
    entries = docs.read_entries(_corpus())
    return page("documents.html", entries=entries, uploads=docs.list_uploads(_store().db),
                action=ActionForm(), problems=_catalog_problems(), live_state=_live_state(s, entries))


def _live_state(s, entries: list[dict]) -> dict[str, str]:
    """Per document id: "live" (the published version answers from this very text), "older" (it
    answers from an earlier text of it) or absent (not in the published version): an accepted
    document is not what citizens get until a build that holds it is published."""
    live = next((v for v in versions.describe(s) if v.current and not v.problem), None)
    published = {d.get("id"): d.get("sha256") for d in (live.documents if live else [])}
    texts = {d.id: d.sha256 for d in load_corpus(_corpus(), include_retired=True)} if published else {}
    return {e["id"]: ("live" if texts.get(e["id"]) == published[e["id"]] else "older")
            for e in entries if e["id"] in published}


def _upload_form() -> UploadForm:
    form = UploadForm()
    entries = docs.read_entries(_corpus())
    form.target.choices = [("new", _("a new document"))] + [
        (e["id"], _("a new version of %(document)s (%(edition)s)", document=e["id"], edition=e.get("edition", "")))
        for e in entries]
    wanted = request.args.get("document")
    if request.method == "GET" and wanted and docs.find_entry(entries, wanted):
        entry = docs.find_entry(entries, wanted) or {}
        form.target.data = wanted
        for name in docs.META_FIELDS:
            getattr(form, name).data = str(entry.get(name, ""))
    return form


@bp.route("/documents/upload", methods=["GET", "POST"])
@requires("editor")
def upload():
    form = _upload_form()
    if not form.validate_on_submit():
        return page("upload.html", 400 if request.method == "POST" else 200, form=form)
    try:
        staged = _receive(form)
    except (UploadRejected, docs.DocumentError) as exc:
        log("document.upload_refused", form.target.data if form.target.data != "new" else form.document_id.data or "",
            filename=form.file.data.filename, reason=str(exc))
        return page("upload.html", 400, form=form, error=str(exc))
    log("document.upload", staged.document_id, upload=staged.upload_id, filename=staged.filename, kind=staged.kind,
        size=staged.size, sha256=staged.sha256, edition=staged.meta["edition"], new=staged.is_new)
    flash(_("Uploaded. Review the passages and changes below, then accept the document into the corpus."))
    return redirect(url_for("admin.review_upload", upload_id=staged.upload_id))


def _receive(form: UploadForm) -> docs.StagedUpload:
    """Extract and stage the upload; raises before anything is stored when it is refused."""
    s = settings()
    meta = docs.check_metadata({name: getattr(form, name).data for name in docs.META_FIELDS})
    corpus = _corpus()
    entries = docs.read_entries(corpus)
    if form.target.data == "new":
        document_id = docs.check_document_id(form.document_id.data or "")   # on the server, not only the form
        if docs.find_entry(entries, document_id):
            raise docs.DocumentError(f"A document {document_id!r} exists; choose “a new version of {document_id}”.")
        base = ""
    else:
        document_id = form.target.data
        entry = docs.find_entry(entries, document_id)
        if entry is None:
            raise docs.DocumentError(f"No document {document_id!r}.")
        base = docs.text_sha256((corpus / entry["path"]).read_text(encoding="utf-8"))
    incoming = Path(s.var_dir) / "admin" / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    upload_id = docs.new_upload_id()
    file = form.file.data
    filename = Path(file.filename or "upload").name
    with tempfile.NamedTemporaryFile(dir=incoming, delete=False) as handle:
        file.save(handle)
        received = Path(handle.name)
    try:
        extracted = extract_file(received, filename, s)
        sha = sha256_file(received)
        text_sha = docs.text_sha256(extracted.text)
        if text_sha == base:
            raise docs.DocumentError("The text is identical to the current version; to change only the title or "
                                     "edition, use “Edit details” on the documents page.")
        staged = docs.StagedUpload(upload_id=upload_id, document_id=document_id, is_new=not base, meta=meta,
                                   filename=filename, kind=extracted.kind, pages=extracted.pages,
                                   size=received.stat().st_size, sha256=sha, text_sha256=text_sha,
                                   base_text_sha256=base, uploaded_by=user().username)  # type: ignore[union-attr]
        docs.stage_upload(_store().db, upload_id, received, extracted.text, staged)
        return staged
    finally:
        received.unlink(missing_ok=True)


@bp.get("/uploads/<upload_id>")
def review_upload(upload_id: str):
    corpus = _corpus()
    staged, text = _staged(upload_id)
    new_doc = review.make_document(staged.document_id, text, staged.meta, Path("staged.txt"))
    passages = review.chunk(new_doc, corpus)
    previous = docs.documents_by_id(corpus).get(staged.document_id)
    diff = review.diff_passages(review.chunk(previous, corpus) if previous else [], passages)
    patches = docs.upload_patches(_store().db, upload_id)
    try:
        _, _, moved, broken = docs.catalog_after(corpus, patches, staged, text)
    except catalog_edit.EditConflict:
        moved, broken = [], ["A program edited for this upload changed in the catalog meanwhile; edit it again."]
    patched = sorted(patches)
    pii = review.find_pii(text)
    return page("review.html", staged=staged, passages=passages, diff=diff, previous=previous,
                pii=pii, pii_blocking=review.blocking_lines(pii), action=ActionForm(), moved=moved, broken=broken,
                patched=patched,
                broken_programs=sorted({p.split(" → ")[0] for p in broken}), line_count=len(new_doc.lines))


@bp.post("/uploads/<upload_id>/accept")
@requires("editor")
def accept_upload(upload_id: str):
    if not confirmed():
        flash(_("Not accepted: tick the box to confirm that you reviewed the text and the catalog check."), "error")
        return redirect(url_for("admin.review_upload", upload_id=upload_id))
    blocking, reason = _pii_override(upload_id)
    if blocking and not reason:
        flash(_("Not accepted: %(n)s line(s) hold personal data that identifies a person (ID, mobile, e-mail, "
                "account, card or passport number). Remove them and upload again, or tick the override and give "
                "a reason.", n=blocking), "error")
        return redirect(url_for("admin.review_upload", upload_id=upload_id))
    try:
        staged, previous, moved = docs.accept_upload(_store(), upload_id, _actor())
    except docs.CatalogBlocked as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.review_upload", upload_id=upload_id))
    except (docs.DocumentError, CorpusError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.documents"))
    log("document.accept", staged.document_id, upload=upload_id, edition=staged.meta["edition"],
        text_sha256=staged.text_sha256, previous_path=(previous or {}).get("path"),
        previous_edition=(previous or {}).get("edition"), filename=staged.filename, file_sha256=staged.sha256,
        catalog_clauses_moved=len(moved))
    if blocking:    # who (the log's actor), which document, how many lines, why; never the data itself
        log("document.pii_override", staged.document_id, upload=upload_id, lines=blocking, reason=reason)
    names = {"document": staged.document_id, "edition": staged.meta["edition"], "n": len(moved)}
    flash(_("%(document)s (%(edition)s) is in the corpus; %(n)s catalog clause(s) were re-anchored to their new lines. "
            "Start a build to make it answerable.", **names) if moved else
          _("%(document)s (%(edition)s) is in the corpus. Start a build to make it answerable.", **names))
    return redirect(url_for("admin.documents"))


def _pii_override(upload_id: str) -> tuple[int, str]:
    """Lines of the upload with an identifier (privacy.BLOCKING), and the clerk's reason when the
    override box was ticked ("" otherwise). The reason is masked too before it reaches the audit log."""
    _staged_upload, text = _staged(upload_id)
    blocking = review.blocking_lines(review.find_pii(text, limit=1_000_000))
    if not blocking or request.form.get("pii_override") != "yes":
        return blocking, ""
    return blocking, mask_pii((request.form.get("pii_reason") or "").strip())[:500]


@bp.post("/uploads/<upload_id>/discard")
@requires("editor")
def discard_upload(upload_id: str):
    staged, _ = _staged(upload_id)
    docs.discard_upload(_store().db, upload_id)
    log("document.discard", staged.document_id, upload=upload_id, filename=staged.filename)
    flash(_("The upload was discarded; the corpus is unchanged."))
    return redirect(url_for("admin.documents"))


@bp.route("/documents/<document_id>", methods=["GET", "POST"])
@requires("editor")
def document_edit(document_id: str):
    entry = docs.find_entry(docs.read_entries(_corpus()), document_id)
    if entry is None:
        not_found(f"Document {document_id}")
    form = MetadataForm(data={name: str(entry.get(name, "")) for name in docs.META_FIELDS})
    if form.validate_on_submit():
        try:
            changed = docs.update_metadata(_store(), document_id,
                                           {name: getattr(form, name).data for name in docs.META_FIELDS}, _actor())
        except docs.DocumentError as exc:
            return page("document_edit.html", 400, form=form, entry=entry, error=str(exc))
        log("document.metadata", document_id, changed=changed)
        flash(_("Details saved. They reach citations with the next build.") if changed else _("Nothing changed."))
        return redirect(url_for("admin.documents"))
    return page("document_edit.html", 400 if form.errors else 200, form=form, entry=entry)


@bp.post("/documents/<document_id>/active")
@requires("editor")
def document_active(document_id: str):
    active = request.form.get("active") == "1"
    try:
        docs.set_active(_store(), document_id, active, _actor())
    except docs.DocumentError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.documents"))
    log("document.activate" if active else "document.retire", document_id)
    flash(_("%(document)s is active from the next build on.", document=document_id) if active else
          _("%(document)s is retired from the next build on.", document=document_id))
    return redirect(url_for("admin.documents"))


# -- catalog -------------------------------------------------------------------------------------------
@bp.get("/catalog")
def catalog():
    records = catalog_edit.read_records(_corpus())
    return page("catalog.html", records=records, problems=_catalog_problems())


@bp.get("/catalog/find")
@requires("editor")
def find_clause():
    """Where a quote sits in the active documents, for the catalog editor: paste words, get the
    lines (the edit form also finds them itself when the lines are left empty)."""
    query = (request.args.get("q") or "").strip()[:300]
    found = []
    if query:
        for document in _active_documents().values():
            for first, last in catalog_edit.find_clause(query, document)[:20]:
                found.append({"document": document.id, "first": first, "last": last,
                              "text": " ".join(document.line_range(first, last).split())[:300]})
    return page("find_clause.html", query=query, found=found)


@bp.route("/catalog/help", methods=["GET", "POST"])
@requires("editor")
def help_line():
    """The city's general help line, shown to citizens where a program has no next steps."""
    if request.method == "GET":
        form = HelpLineForm(data={"steps": next_steps_form_data(catalog_edit.read_help(_corpus()) or {})})
        return page("help_line.html", form=form)
    form = HelpLineForm()
    if not form.validate():
        return page("help_line.html", 400, form=form)
    try:
        saved = catalog_edit.save_help(_store(), next_steps_record(form.steps.data), _actor())
    except catalog_edit.CatalogEditError as exc:
        return page("help_line.html", 400, form=form, problems=exc.problems)
    log("catalog.help", "help", fields=sorted(saved or {}))
    flash(_("General help line saved; it reaches citizens with the next publish.") if saved
          else _("General help line removed; it is gone for citizens after the next publish."))
    return redirect(url_for("admin.help_line"))


@bp.route("/catalog/new", methods=["GET", "POST"], defaults={"program_id": None})
@bp.route("/catalog/<program_id>", methods=["GET", "POST"])
@requires("editor")
def program_edit(program_id: str | None):
    """Edit a program against the live documents, or (``?upload=ID``) against an upload's text,
    in which case the edit waits beside the upload and goes live when it is accepted."""
    corpus = _corpus()
    current = catalog_edit.get_record(corpus, program_id) if program_id else {}
    if current is None:
        not_found(f"Program {program_id}")
    upload_id = request.args.get("upload")
    if upload_id and program_id is None:
        not_found("A new program for an upload")
    if upload_id:
        staged, text = _staged(upload_id)
        documents = docs.upload_documents(corpus, staged, text)
        shown = docs.upload_patches(_store().db, upload_id).get(program_id or "", {}).get("record", current)
        # clauses that only moved in the new text are shown at their new lines already
        shown = catalog_edit.reanchor([shown], {staged.document_id: documents[staged.document_id]})[0][0]
    else:
        staged, documents, shown = None, _active_documents(), current
    context = {"program_id": program_id, "staged": staged}
    if request.method == "GET":
        form = ProgramForm(data={**form_data(shown), "base_version": catalog_edit.record_version(current)}
                           if program_id else None)
        return page("program_edit.html", form=prepare(form, list(documents)), **context)
    form = ProgramForm()
    if not form.validate():
        return page("program_edit.html", 400, form=prepare(form, list(documents), 0), **context)
    record, base = record_from_form(form, shown), form.base_version.data or None
    try:
        if staged is not None:
            result = docs.stage_catalog_edit(_store(), upload_id, documents, record, base, program_id or "",
                                             _actor())
        else:
            result = catalog_edit.save_record(_store(), documents, record, base, program_id, _actor())
    except catalog_edit.EditConflict as conflict:
        log("catalog.conflict", program_id or "", base=base, current=conflict.current_version)
        return page("program_edit.html", 409, form=prepare(form, list(documents), 0), conflict=conflict,
                    current_yaml=catalog_edit.render_record(conflict.current or {}),
                    last_saves=_last_saves(program_id), **context)
    except catalog_edit.CatalogEditError as exc:
        return page("program_edit.html", 400, form=prepare(form, list(documents), 0), problems=exc.problems,
                    **context)
    if staged is not None:
        log("catalog.stage", result.program_id, upload=upload_id, fields=result.changed_fields, base=base)
        flash(_("%(program)s saved for this upload; it goes live when the upload is accepted.", program=result.program_id))
        return redirect(url_for("admin.review_upload", upload_id=upload_id))
    log("catalog.create" if program_id is None else "catalog.edit", result.program_id,
        fields=result.changed_fields, version=result.version, base=base)
    flash(_("%(program)s saved.", program=result.program_id))
    return redirect(url_for("admin.program_edit", program_id=result.program_id))


def _last_saves(program_id: str | None) -> list[audit.AuditEntry]:
    """Who saved this program last, for the conflict page."""
    saves = audit.entries(db(), action="catalog.", target=program_id or "", limit=20)
    return [e for e in saves if e.action in ("catalog.edit", "catalog.create")][:1]
