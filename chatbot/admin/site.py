"""The ``/admin`` blueprint and what its views share: sign-in and roles, the CSRF check, the audit
log, page rendering. It imports no view module: :mod:`chatbot.admin.area` imports the views (their
routes attach to :data:`bp`) and registers the blueprint with the app.

Access is denied by default: every admin endpoint needs a signed-in, active account unless it is
marked :func:`public`, and :func:`requires` adds a role. Every POST needs a CSRF token, checked
here once for all forms. Pages are server-rendered and work without JavaScript."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Callable
from urllib.parse import quote

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import HTTPException
from wtforms.validators import ValidationError

from chatbot.config import Settings
from chatbot.admin import audit, availability, sessions
from chatbot.admin.accounts import User
from chatbot.feedback.store import FeedbackUnavailable
from chatbot.storage.database import Database, state_database
from chatbot.storage.migrate import SchemaBehind

bp = Blueprint("admin", __name__, url_prefix="/admin")     # templates: the app's (config.TEMPLATES_DIR)/admin
FORM_BODY_LIMIT = 2 << 20          # admin forms (not uploads) may be this large


# -- settings and small helpers ------------------------------------------------------------------
def settings() -> Settings:
    return current_app.config["SETTINGS"]


def db() -> Database:
    """The state database: accounts, sessions, the audit log (SQLite file, or DATABASE_URL)."""
    return state_database(settings())


def session_max_age() -> float:
    """Seconds a staff session lasts from sign-in (CHATBOT_SESSION_MAX_HOURS)."""
    return settings().session_max_hours * 3600


def user() -> User | None:
    return g.get("admin_user")


def client_ip() -> str:
    return request.remote_addr or ""


def log(action: str, target: str = "", **detail) -> None:
    """Record an action of the signed-in user in the audit log."""
    who = user()
    audit.record(db(), who.username if who else "-", action, target, detail, client_ip())


def public(view: Callable) -> Callable:
    view._admin_public = True  # type: ignore[attr-defined]
    return view


def requires(role: str) -> Callable[[Callable], Callable]:
    def mark(view: Callable) -> Callable:
        view._admin_role = role  # type: ignore[attr-defined]
        return view
    return mark


def page(template: str, status: int = 200, **context):
    return render_template(f"admin/{template}", **context), status


KST = timezone(timedelta(hours=9), "KST")       # Korea keeps no daylight saving time
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_DIGEST = re.compile(r"^[0-9a-f]{40,64}$")


@bp.app_template_filter("kst")
def kst(value) -> str:
    """A stored UTC time as Seoul's clerks read it: "2026-11-29 21:04 KST"; anything else as is."""
    text = str(value or "")
    if not _TIMESTAMP.match(text):
        return text
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")


@bp.app_template_filter("readable")
def readable(value) -> str:
    """An audit detail as a person reads it: no None/True/[] or 64-character digests."""
    if value is None or value == [] or value == {} or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(readable(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {readable(v)}" for k, v in value.items())
    text = str(value)
    return text[:12] if _DIGEST.match(text) else kst(text)


def confirmed() -> bool:
    """The "I confirm" box of an action citizens will feel (accept, publish, roll back) was ticked."""
    return request.form.get("confirm") == "yes"


@bp.app_template_global()
def has_role(role: str) -> bool:
    who = user()
    return bool(who and who.has(role))


# -- every request ------------------------------------------------------------------------------------
def _load_user() -> User | None:
    """The account of this request's session, which must still exist on the server (chatbot/admin/sessions.py)."""
    token = session.get("sid")
    if not token:
        return None
    found = sessions.user_for(db(), token, session_max_age())
    if found is None:
        session.clear()         # signed out, password changed, disabled, or older than CHATBOT_SESSION_MAX_HOURS
    return found


@bp.before_request
def _guard():
    request.max_content_length = (settings().upload_max_bytes + (1 << 20) if request.endpoint == "admin.upload"
                                  else FORM_BODY_LIMIT)
    availability.require()                  # 503 (see _database_unavailable) while the database cannot be used
    view = current_app.view_functions.get(request.endpoint or "")
    g.admin_user = _load_user()
    if view is not None and not getattr(view, "_admin_public", False):
        if g.admin_user is None:
            target = request.full_path if request.method == "GET" else url_for("admin.dashboard")
            return redirect(url_for("admin.login") + "?next=" + quote(target.rstrip("?"), safe="/"))
        role = getattr(view, "_admin_role", None)
        if role and not g.admin_user.has(role):
            return page("error.html", 403, title=_("Not allowed"),
                        message=_("This needs the %(role)s role, which your account does not have.", role=role))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            validate_csrf(request.form.get("csrf_token"))   # one check for every form of the staff area
        except ValidationError as exc:
            raise CSRFError(str(exc)) from None
    return None


@bp.after_request
def _headers(response):
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; form-action 'self'; "
                                                   "frame-ancestors 'none'; base-uri 'none'")
    return response


@bp.context_processor
def _context():
    return {"admin_user": user()}


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError):
    return page("error.html", 400, title=_("Form refused"),
                message=_("The form was refused because its security token is missing, wrong or expired "
                          "(%(reason)s). Go back, reload the page and try again.", reason=error.description))


def _database_unavailable(error: Exception):
    return availability.unavailable(error, lambda message: page(
        "error.html", 503, title=_("Staff area unavailable"), message=message))


for _unusable in (SchemaBehind, FeedbackUnavailable, *availability.UNREACHABLE):
    bp.register_error_handler(_unusable, _database_unavailable)


@bp.errorhandler(413)
def _too_large(error):
    limit = settings().upload_max_bytes / (1 << 20)
    return page("error.html", 413, title=_("Upload too large"),
                message=_("The file is larger than the %(mb)s MB limit. Nothing was stored.", mb=round(limit)))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return page("error.html", error.code or 500, title=error.name, message=error.description)


def safe_next(target: str | None) -> str:
    """Only local /admin paths are followed after sign-in (no open redirect)."""
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("admin.dashboard")


def not_found(what: str):
    abort(404, description=f"{what} was not found.")
