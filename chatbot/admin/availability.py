"""Whether this host can use the staff database, and the 503 the staff area answers when not.

The staff area needs the state database (accounts, sessions, audit log); the citizens' API does
not, so a database that is down or behind the code stops only the staff pages: they answer 503
(an HTML page, or the API's JSON error shape to a client asking for JSON) saying why, never a
500, and every write is one transaction, so nothing is left half-written. The app starts
whatever the shared database's state (``DATABASE_URL``); the staff area checks again on its next
request until the database is reachable and at this code's revision. An outage is logged once
when it starts and once when it ends, and counted in
``chatbot_store_errors_total{store="database",use="staff_area"}``."""
from __future__ import annotations

import contextlib
import logging
from typing import Callable

from flask import Flask, current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import exc, text

from chatbot.config import Settings
from chatbot.observability import logs
from chatbot.observability.outages import StoreOutage
from chatbot.storage import migrate
from chatbot.storage.database import state_database

log = logging.getLogger(__name__)
# What a database that cannot be reached (down, refused, cut mid-query, pool exhausted) raises.
UNREACHABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)
RETRY_AFTER = 10            # seconds a client is told to wait
UPGRADE_COMMAND = "python -m chatbot db upgrade"


class StaffDatabase:
    """One per app: ready once the schema check passed; then, while an outage is on, each staff
    request first asks the database whether it answers again."""

    def __init__(self, settings: Settings, when_ready: Callable[[], None]):
        self.settings = settings
        self.when_ready = when_ready          # what else needs the database once (the shared secret key)
        self.ready = False
        self.outage = StoreOutage("database", "staff_area")

    def check(self) -> None:
        """Raise :class:`~chatbot.storage.migrate.SchemaBehind` or an :data:`UNREACHABLE` error
        unless the staff area can use the database now."""
        if not self.ready:
            migrate.ensure_ready(self.settings)     # embedded: migrates the SQLite files; shared: checks
            self.when_ready()
            self.ready = True
        elif self.outage.down:
            with state_database(self.settings).read() as conn:
                conn.execute(text("SELECT 1"))
        if self.outage.down:
            self.outage.succeeded()

    def start(self) -> None:
        """At app start. The embedded files must migrate (an error stops the app, as before); a
        shared database that is down or behind only keeps the staff area closed for now."""
        try:
            self.check()
        except migrate.SchemaBehind as error:
            log.error("staff area closed until the database is upgraded: %s", error)
        except UNREACHABLE as error:
            if not self.settings.database_url:
                raise
            self.outage.failed(error)


def init_app(app: Flask, when_ready: Callable[[], None]) -> StaffDatabase:
    state = app.extensions["staff_database"] = StaffDatabase(app.config["SETTINGS"], when_ready)
    state.start()
    return state


def require() -> None:
    """First thing of every staff request (the blueprint's guard)."""
    current_app.extensions["staff_database"].check()


def try_to_open(app: Flask) -> None:
    """Before a staff request's session is opened while the app has no secret key yet: load it if
    the database answers now. A failure is left for :func:`require`, which meets it again."""
    with contextlib.suppress(migrate.SchemaBehind, *UNREACHABLE):
        app.extensions["staff_database"].check()


def unavailable(error: Exception, render_page):
    """The 503 for ``error`` (SchemaBehind or UNREACHABLE): ``render_page(message)`` gives the
    HTML; a client that asks for JSON gets ``{"error": {"code", "message", "request_id"}}``."""
    if isinstance(error, migrate.SchemaBehind):
        code = "staff_database_behind"
        message = _("The staff database is older than this version of the service: an operator must run "
                    "%(command)s. Citizens' answers are not affected.", command=UPGRADE_COMMAND)
    else:
        current_app.extensions["staff_database"].outage.failed(error)
        code = "staff_database_unreachable"
        message = _("The staff database is unreachable, so the staff area cannot be used right now. Try again "
                    "in a minute, then check whether your last change was saved. Citizens' answers are not "
                    "affected.")
    headers = {"Retry-After": str(RETRY_AFTER)}
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        response = jsonify({"error": {"code": code, "message": message, "request_id": logs.current_request_id()}})
        response.status_code = 503
        response.headers.update(headers)
        return response
    body, _status = render_page(message)
    return body, 503, headers
