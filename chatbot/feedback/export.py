"""The feedback export as one download, the same through both doors: GET /api/feedback/export
(scripts, a bearer token; chatbot/web/feedback.py) and /admin/feedback.csv (a publisher signed in;
chatbot/admin/views_auth.py). The rows and their CSV are :meth:`FeedbackStore.export_csv`."""
from __future__ import annotations

from flask import Flask, Response

from chatbot.feedback.store import FeedbackStore


def store_for(app: Flask) -> FeedbackStore:
    """The app's feedback store (CHATBOT_FEEDBACK_DB), made once per app."""
    store = app.extensions.get("feedback_store")
    if store is None:
        store = app.extensions["feedback_store"] = FeedbackStore(app.config["SETTINGS"].feedback_db)
    return store


def csv_download(store: FeedbackStore) -> Response:
    """All feedback as a CSV attachment, streamed and never cached."""
    return Response(store.export_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="feedback.csv"',
                             "Cache-Control": "no-store"})
