"""Signing in and out, one's own password, staff accounts (publishers) and the audit log."""
from __future__ import annotations

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _

from chatbot.admin import accounts, audit
from chatbot.admin.site import bp, client_ip, db_path, log, page, public, requires, safe_next, user
from chatbot.admin.forms import LoginForm, NewUserForm, PasswordForm, ResetPasswordForm, UserUpdateForm
from chatbot.admin.i18n import LANGUAGES
from chatbot.feedback.export import csv_download, store_for


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    if form.validate_on_submit():
        name, ip = form.username.data.strip().lower(), client_ip()
        wait = accounts.throttle_wait(db_path(), name, ip)
        if wait:
            audit.record(db_path(), name, "login.throttled", name, {}, ip)
            return page("login.html", 429, form=form,
                        error=_("Too many failed sign-ins. Try again in %(n)s minute(s).", n=max(1, wait // 60)))
        found = accounts.authenticate(db_path(), name, form.password.data)
        if found is None:
            accounts.record_failure(db_path(), name, ip)
            audit.record(db_path(), name, "login.failed", name, {}, ip)
            return page("login.html", 401, form=form, error=_("Wrong username or password."))
        accounts.clear_failures(db_path(), name)
        keep_language(session.clear)
        session.permanent = True
        session["uid"], session["stamp"] = found.id, found.session_stamp
        audit.record(db_path(), found.username, "login", found.username, {}, ip)
        return redirect(safe_next(request.args.get("next")))
    return page("login.html", 400 if request.method == "POST" else 200, form=form)


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
    log("logout")
    keep_language(session.clear)
    flash(_("You are signed out."))
    return redirect(url_for("admin.login"))


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = PasswordForm()
    who = user()
    assert who is not None
    if form.validate_on_submit():
        if accounts.authenticate(db_path(), who.username, form.current.data) is None:
            form.current.errors.append("This is not your current password.")
        else:
            try:
                accounts.set_password(db_path(), who.id, form.password.data)
            except accounts.AccountError as exc:
                form.password.errors.append(str(exc))
            else:
                log("account.password", who.username)
                session["stamp"] = accounts.get_user(db_path(), user_id=who.id).session_stamp  # type: ignore[union-attr]
                flash(_("Your password was changed; other sessions are signed out."))
                return redirect(url_for("admin.account"))
    return page("account.html", 400 if form.errors else 200, form=form)


@bp.route("/users", methods=["GET", "POST"])
@requires("publisher")
def users():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            created = accounts.create_user(db_path(), form.username.data, form.password.data, set(form.roles.data))
        except accounts.AccountError as exc:
            form.username.errors.append(str(exc))
        else:
            log("user.create", created.username, roles=sorted(created.roles))
            flash(_("Account %(user)s created. Give them the password in person.", user=created.username))
            return redirect(url_for("admin.users"))
    return page("users.html", 400 if form.errors else 200, form=form, users=accounts.list_users(db_path()),
                update_form=UserUpdateForm, reset_form=ResetPasswordForm())


@bp.post("/users/<int:user_id>")
@requires("publisher")
def user_update(user_id: int):
    form = UserUpdateForm()
    target = accounts.get_user(db_path(), user_id=user_id)
    if target is None:
        return page("error.html", 404, title=_("Not found"), message=_("No such account."))
    try:
        accounts.update_user(db_path(), user_id, set(form.roles.data or []), bool(form.active.data))
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
    target = accounts.get_user(db_path(), user_id=user_id)
    if target is None:
        return page("error.html", 404, title=_("Not found"), message=_("No such account."))
    try:
        if not form.validate():
            raise accounts.AccountError(" ".join(e for errors in form.errors.values() for e in errors))
        accounts.set_password(db_path(), user_id, form.password.data)
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
    rows = audit.entries(db_path(), action=action, target=target, limit=100, before=before)
    return page("audit.html", entries=rows, action=action, target=target,
                older=rows[-1].id if len(rows) == 100 else None)


@bp.get("/feedback.csv")
@requires("publisher")
def feedback_export():
    """Citizens' ratings and comments (personal data already masked when stored), as CSV."""
    log("feedback.export")
    return csv_download(store_for(current_app))
