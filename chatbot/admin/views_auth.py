"""Signing in and out, one's own password, staff accounts (publishers) and the audit log."""
from __future__ import annotations

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded

from chatbot.admin import accounts, audit, sessions
from chatbot.admin.site import (bp, client_ip, db, log, page, public, requires, safe_next, session_max_age,
                                user)
from chatbot.admin.forms import LoginForm, NewUserForm, PasswordForm, ResetPasswordForm, UserUpdateForm
from chatbot.admin.i18n import LANGUAGES
from chatbot.feedback.export import csv_download, store_for


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Growing delays per name and client (accounts.THROTTLES) are checked before the password;
    CHATBOT_LOGIN_RATE_LIMIT (area.py, on the app's limiter) caps failed attempts per client."""
    form = LoginForm()
    if form.validate_on_submit():
        ip = client_ip()
        name = _login_name(form.username.data)
        wait = accounts.throttle_wait(db(), name, ip)
        if wait:
            return _refuse_sign_in(name, wait)
        found = accounts.authenticate(db(), name, form.password.data)
        token = sessions.start(db(), found, session_max_age()) if found else None
        if token is None:           # wrong, or the password changed or the account was disabled meanwhile
            accounts.record_failure(db(), name, ip)
            target, detail = accounts.audit_target(name)
            audit.record(db(), target, "login.failed", target, detail, ip)
            return page("login.html", 401, form=form, error=_("Wrong username or password."))
        accounts.clear_failures(db(), name, ip)
        keep_language(session.clear)
        session.permanent = True
        session["sid"] = token
        audit.record(db(), found.username, "login", found.username, {}, ip)
        return redirect(safe_next(request.args.get("next")))
    return page("login.html", 400 if request.method == "POST" else 200, form=form)


def _login_name(typed: str) -> str:
    return accounts.login_name(db(), typed, current_app.secret_key.encode("utf-8"))


def _refuse_sign_in(name: str, wait: int):
    """The sign-in page with 429 and Retry-After; the burst of refusals is one audit row."""
    target, _detail = accounts.audit_target(name)
    audit.record_burst(db(), "login.throttled", target, client_ip())
    body, status = page("login.html", 429, form=LoginForm(),
                        error=_("Too many failed sign-ins. Try again in %(n)s second(s).", n=wait))
    return body, status, {"Retry-After": str(wait)}


@bp.errorhandler(RateLimitExceeded)
def _rate_limited(error: RateLimitExceeded):
    """CHATBOT_LOGIN_RATE_LIMIT was exceeded: the staff sign-in page, not the API's JSON."""
    retry = error.response.headers.get("Retry-After", "60") if error.response is not None else "60"
    return _refuse_sign_in(_login_name(request.form.get("username", "")), int(retry))


@bp.post("/language")
@public
def language():
    """Korean or English for this staff session (the form in every page's header)."""
    if request.form.get("lang") in LANGUAGES:
        session["admin_lang"] = request.form["lang"]
    return redirect(safe_next(request.form.get("next")))


def keep_language(clear) -> None:
    """``clear`` the session (sign-in, sign-out) but keep the clerk's language."""
    chosen = session.get("admin_lang")
    clear()
    if chosen:
        session["admin_lang"] = chosen


@bp.post("/logout")
def logout():
    """Ends the session on the server too: a copy of the cookie is worthless afterwards."""
    log("logout")
    sessions.end(db(), session["sid"])
    keep_language(session.clear)
    flash(_("You are signed out."))
    return redirect(url_for("admin.login"))


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = PasswordForm()
    who = user()
    assert who is not None
    if form.validate_on_submit():
        if accounts.authenticate(db(), who.username, form.current.data) is None:
            form.current.errors.append("This is not your current password.")
        else:
            try:
                changed = accounts.set_password(db(), who.id, form.password.data)
            except accounts.AccountError as exc:
                form.password.errors.append(str(exc))
            else:
                log("account.password", who.username)
                token = sessions.start(db(), changed, session_max_age())   # all others ended
                if token is None:          # changed again, or disabled, in between: sign in anew
                    keep_language(session.clear)
                    return redirect(url_for("admin.login"))
                session["sid"] = token
                flash(_("Your password was changed; other sessions are signed out."))
                return redirect(url_for("admin.account"))
    return page("account.html", 400 if form.errors else 200, form=form)


@bp.route("/users", methods=["GET", "POST"])
@requires("publisher")
def users():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            created = accounts.create_user(db(), form.username.data, form.password.data, set(form.roles.data))
        except accounts.AccountError as exc:
            form.username.errors.append(str(exc))
        else:
            log("user.create", created.username, roles=sorted(created.roles))
            flash(_("Account %(user)s created. Give them the password in person.", user=created.username))
            return redirect(url_for("admin.users"))
    return page("users.html", 400 if form.errors else 200, form=form, users=accounts.list_users(db()),
                update_form=UserUpdateForm, reset_form=ResetPasswordForm())


@bp.post("/users/<int:user_id>")
@requires("publisher")
def user_update(user_id: int):
    form = UserUpdateForm()
    target = accounts.get_user(db(), user_id=user_id)
    if target is None:
        return page("error.html", 404, title=_("Not found"), message=_("No such account."))
    try:
        accounts.update_user(db(), user_id, set(form.roles.data or []), bool(form.active.data))
    except accounts.AccountError as exc:
        flash(str(exc), "error")
    else:
        log("user.update", target.username, roles=sorted(form.roles.data or []), active=bool(form.active.data))
        flash(_("Account %(user)s updated.", user=target.username))
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
@requires("publisher")
def user_password(user_id: int):
    form = ResetPasswordForm()
    target = accounts.get_user(db(), user_id=user_id)
    if target is None:
        return page("error.html", 404, title=_("Not found"), message=_("No such account."))
    try:
        if not form.validate():
            raise accounts.AccountError(" ".join(e for errors in form.errors.values() for e in errors))
        accounts.set_password(db(), user_id, form.password.data)
    except accounts.AccountError as exc:
        flash(f"{target.username}: {exc}", "error")
    else:
        log("user.password_reset", target.username)
        flash(_("New password set for %(user)s; their open sessions are signed out.", user=target.username))
    return redirect(url_for("admin.users"))


@bp.get("/audit")
@requires("publisher")
def audit_log():
    action = request.args.get("action", "")
    target = request.args.get("target", "")
    before = request.args.get("before", type=int)
    rows = audit.entries(db(), action=action, target=target, limit=100, before=before)
    return page("audit.html", entries=rows, action=action, target=target,
                older=rows[-1].id if len(rows) == 100 else None)


@bp.get("/feedback.csv")
@requires("publisher")
def feedback_export():
    """Citizens' ratings and comments (personal data already masked when stored), as CSV."""
    log("feedback.export")
    return csv_download(store_for(current_app))
