"""The feedback export as one download, the same through both doors: GET /api/feedback/export
(scripts, a bearer token; chatbot/web/feedback.py) and /admin/feedback.csv (a publisher signed in;
chatbot/admin/views_auth.py). The rows and their CSV are :meth:`FeedbackStore.export_csv`."""
from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, Response

from chatbot.feedback.store import FeedbackStore


def store_for(app: Flask) -> FeedbackStore:
    """The app's feedback store (the shared database, or CHATBOT_FEEDBACK_DB), made once per app,
    on first use: the embedded SQLite files are migrated then, not when the app starts, so an app
    that is only asked questions writes nothing. Raises
    :class:`~chatbot.feedback.store.FeedbackUnavailable` (and is tried again next time) while the
    database cannot be reached."""
    store = app.extensions.get("feedback_store")
    if store is None:
        store = app.extensions["feedback_store"] = FeedbackStore.open(app.config["SETTINGS"])
    return store


def csv_download(store: FeedbackStore) -> Response:
    """All feedback as a CSV attachment, streamed and never cached. The first rows are read before
    the response starts, so a database that cannot be reached raises here (an error answer), not
    half-way through a download that already said 200."""
    chunks = store.export_csv()
    return Response(_resumed(next(chunks), chunks), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="feedback.csv"',
                             "Cache-Control": "no-store"})


def _resumed(first: str, rest: Iterator[str]) -> Iterator[str]:
    """``first`` then ``rest``; closing it closes ``rest`` (and its database connection) too."""
    yield first
    yield from rest
