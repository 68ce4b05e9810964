"""The Flask application factory: settings, the finder service, the JSON error shape and one
blueprint per concern."""
from __future__ import annotations

from flask import Flask

from chatbot.config import TEMPLATES_DIR, Settings
from chatbot.finder.service import FinderService
from chatbot.observability import logs


def create_app(config: dict | None = None) -> Flask:
    """``config`` overrides settings by name (``index_dir``, ``embed_backend``, …); a prebuilt
    ``embedder`` may be passed for tests. Index loading is lazy: the first request (or the health
    check) loads it, after gunicorn has forked the worker."""
    config = dict(config or {})
    embedder = config.pop("embedder", None)
    settings = Settings().with_overrides(config)
    app = Flask(__name__, template_folder=str(TEMPLATES_DIR))
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_AS_ASCII=False,
        SETTINGS=settings,
        **{k.upper(): v for k, v in config.items() if k.upper() == k or k.startswith("flask_")},
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["finder"] = FinderService(settings, embedder=embedder)
    logs.configure()                      # one JSON object a line on stderr, with the request id

    from chatbot.web import errors, health, ask, feedback, metrics, observe, programs, security, widget

    observe.init_app(app)                 # first: every later hook, the rate limiter's too, sees the request id
    errors.init_app(app)
    security.init_app(app, settings)
    app.register_blueprint(health.bp)
    app.register_blueprint(ask.bp)
    app.register_blueprint(programs.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(widget.bp)
    app.register_blueprint(metrics.bp)    # GET /metrics, behind CHATBOT_METRICS_TOKEN
    from chatbot.web import openapi
    app.register_blueprint(openapi.bp)          # GET /openapi.json, from the routes' pydantic models

    from chatbot.admin import area

    area.init_app(app)                    # the staff area under /admin
    return app
