"""The staff area in Korean (the default, for Seoul's clerks) or English: Flask-Babel with the
message catalog in chatbot/admin/translations (English msgids, Korean translations; compiled
.mo beside its .po, kept equal by tests/test_admin_i18n.py). A clerk's choice lives in the staff
session; CHATBOT_ADMIN_LANG sets the default. The public API and the widget do not use this."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel, get_locale

LANGUAGES = ("ko", "en")
TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    chosen = session.get("admin_lang") if has_request_context() and request.path.startswith("/admin") else None
    if chosen in LANGUAGES:
        return chosen
    default = current_app.config["SETTINGS"].admin_lang
    return default if default in LANGUAGES else "ko"


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals["get_locale"] = get_locale
