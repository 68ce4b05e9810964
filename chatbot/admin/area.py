"""The staff area wired into the app, as flaskr's factory does it: the view modules are imported
here (their routes attach to :data:`chatbot.admin.site.bp`), then the blueprint is registered,
with the secret key, the session cookie, CSRF and the staff area's languages.

:mod:`chatbot.admin.site` holds the blueprint and the helpers the views share and imports no view,
so no module of the staff area imports one that imports it back."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf

from chatbot.admin import availability, views_auth, views_builds, views_content  # noqa: F401  (routes attach to bp)
from chatbot.admin.i18n import init_i18n
from chatbot.admin.site import bp
from chatbot.config import Settings, limit_enabled
from chatbot.storage.shared_secrets import generated_secret

SESSION_HOURS = 8       # idle: the cookie lapses this long after the last request (the absolute end is server-side)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, Secure unless CHATBOT_COOKIE_SECURE says ``never`` (plain http on
    localhost) or ``auto`` (Secure when the request came over HTTPS; behind a proxy,
    CHATBOT_PROXY_HOPS lets ``web.security`` trust its X-Forwarded-Proto)."""

    def __init__(self, mode: str):
        self.mode = mode

    def open_session(self, app: Flask, request):
        if not app.secret_key and request.path.startswith("/admin"):
            availability.try_to_open(app)       # the key waits in the shared database (see init_app)
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        if self.mode == "auto":
            return bool(has_request_context() and request.is_secure)
        return self.mode != "never"         # anything else, "always" included: the safe choice


def secret_key(config: Settings) -> str:
    """CHATBOT_SECRET_KEY, else one generated once and shared by every worker: with DATABASE_URL in
    the shared database (every host), else in var/secret_key (mode 0600); never a hard-coded default."""
    if config.secret_key:
        return config.secret_key
    return generated_secret(config, "secret_key", Path(config.var_dir) / "secret_key",
                            lambda: secrets.token_urlsafe(48))


def init_app(app: Flask) -> None:
    """The staff area under /admin, on the app's settings."""
    config: Settings = app.config["SETTINGS"]
    # migrates the embedded SQLite files; with DATABASE_URL the key may wait until the database answers
    availability.init_app(app, when_ready=lambda: _load_secret_key(app, config))
    app.config.update(
        SESSION_COOKIE_NAME="finder_admin", SESSION_COOKIE_PATH="/admin", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", PERMANENT_SESSION_LIFETIME=SESSION_HOURS * 3600,
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
    )
    app.session_interface = _SessionInterface(config.cookie_secure)
    app.jinja_env.globals["csrf_token"] = generate_csrf      # also inside imported macros
    init_i18n(app)
    app.register_blueprint(bp)
    _limit_sign_in(app, config)


def _load_secret_key(app: Flask, config: Settings) -> None:
    """Before the staff area's first request (it may be generated into the shared database): until
    then there are no staff sessions, and the citizens' API needs none."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(config)


def _limit_sign_in(app: Flask, config: Settings) -> None:
    """CHATBOT_LOGIN_RATE_LIMIT per client on POST /admin/login, on the app's limiter (its storage,
    so with Redis the budget holds across workers). Only attempts that do not sign in count: a
    whole office behind one address can still sign in each morning."""
    limiter = app.extensions.get("chatbot_limiter")
    if limiter is None or not limit_enabled(config.login_rate_limit):
        return
    # the wrapped view checks the limit when called (after the blueprint's guard and CSRF check)
    app.view_functions["admin.login"] = limiter.limit(
        config.login_rate_limit, methods=["POST"],
        deduct_when=lambda response: response.status_code != 302)(app.view_functions["admin.login"])
