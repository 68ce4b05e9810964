"""The dashboard, background builds with their evaluation, and publishing or rolling back."""
from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _

from chatbot.index.store import read_current
from chatbot.admin import documents as docs, jobs, versions
from chatbot.admin.build_evaluation import stored_figures
from chatbot.admin.site import bp, confirmed, db, log, not_found, page, requires, settings, user
from chatbot.admin.forms import ActionForm
from chatbot.storage.database import state_database

DROP_WARNING = 0.02         # a metric this much below the live version's is flagged


def _model_name() -> str:
    return current_app.extensions["finder"].embedder().name


def compare(figures: dict | None, live: dict | None) -> list[dict]:
    """Rows of (language, metric, new, live, delta, worse) for the template."""
    rows = []
    for lang, metrics in sorted((figures or {}).items()):
        if lang.startswith("_") or not isinstance(metrics, dict) or "error" in metrics:
            continue
        for metric in ("hit@1", "hit@5", "mrr", "program@1"):
            new = metrics.get(metric)
            old = ((live or {}).get(lang) or {}).get(metric)
            delta = None if new is None or old is None else round(new - old, 4)
            rows.append({"lang": lang, "metric": metric, "new": new, "live": old, "delta": delta,
                         "worse": delta is not None and delta < -DROP_WARNING})
    return rows


@bp.get("/")
def dashboard():
    s = settings()
    return page("dashboard.html", live=read_current(s.index_dir), service=current_app.extensions["finder"].status(),
                job=jobs.reconcile(s) or next(iter(jobs.list_jobs(db(), 1)), None),
                uploads=docs.list_uploads(state_database(s)))


@bp.get("/builds")
def builds():
    s = settings()
    running = jobs.reconcile(s)
    live = read_current(s.index_dir)
    live_figures = stored_figures(db(), live)
    infos = versions.describe(s)
    rows = [{"info": info, "figures": stored_figures(db(), info.version),
             "rollback": versions.is_rollback(s, info.version)} for info in infos]
    return page("builds.html", running=running, jobs=jobs.list_jobs(db(), 10), rows=rows, live=live,
                live_figures=live_figures, action=ActionForm(), compare=compare, keep=s.keep_versions)


@bp.post("/builds")
@requires("editor")
def start_build():
    try:
        job = jobs.start_build(settings(), user().username)  # type: ignore[union-attr]
    except jobs.BuildNotStarted as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.builds"))
    log("build.start", str(job.id), job=job.id)
    return redirect(url_for("admin.job", job_id=job.id))


@bp.get("/builds/<int:job_id>")
def job(job_id: int):
    s = settings()
    jobs.reconcile(s)
    found = jobs.get_job(db(), job_id)
    if found is None:
        not_found(f"Build {job_id}")
    live = read_current(s.index_dir)
    figures = found.result.get("figures")
    live_figures = stored_figures(db(), live) if live else None
    rows = compare(figures, live_figures)
    return page("job.html", job=found, live=live, rows=rows, worse=any(r["worse"] for r in rows),
                action=ActionForm(), figures=figures, live_figures=live_figures,
                kept=found.version in {v.version for v in versions.describe(s)})


@bp.post("/versions/<version>/publish")
@requires("publisher")
def publish(version: str):
    s = settings()
    rollback = versions.is_rollback(s, version)
    action = "rollback" if rollback else "publish"
    if not confirmed():
        flash((_("Not rolled back: tick the box to confirm that citizens should get answers from %(version)s.",
                  version=version) if rollback else
               _("Not published: tick the box to confirm that citizens should get answers from %(version)s.",
                 version=version)), "error")
        return redirect(url_for("admin.builds")), 303
    try:
        previous = versions.publish(s, version, _model_name(), by=user().username)  # type: ignore[union-attr]
    except versions.PublishRefused as exc:
        log(f"{action}.refused", version, reason=str(exc))
        flash(str(exc), "error")
        return redirect(url_for("admin.builds")), 303
    log(action, version, previous=previous, documents=[
        {"id": d.get("id"), "edition": d.get("edition")} for v in versions.describe(s)
        if v.version == version for d in v.documents])
    switch = {"version": version, "seconds": f"{s.reload_seconds:g}"}
    flash(_("Rolled back to %(version)s. Every server process switches within %(seconds)s s; no restart needed.", **switch)
          if rollback else
          _("Published %(version)s. Every server process switches within %(seconds)s s; no restart needed.", **switch))
    return redirect(url_for("admin.builds"))
