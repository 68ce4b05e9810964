"""One JSON object a log line on stderr, through structlog.

The app's structlog calls and every stdlib ``logging`` call alike (``log.info("index version %s
loaded", v)`` becomes ``"event": "index version … loaded"``) come out as ``{"timestamp", "level",
"logger", "event", "request_id", …}``. The request id lives in a contextvar
(``structlog.contextvars``): bound when a request starts, cleared when it ends, so a line logged
while a request runs carries its id and a line logged outside any request has ``null``.

Nothing a citizen typed is ever a field: callers pass counts, statuses and ids, never text."""
from __future__ import annotations

import logging
import re
import sys
import uuid

import structlog

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# the fields a stdlib record may carry as ``extra=`` into its JSON line (gunicorn's access line);
# anything else a library passes as extra stays out
EXTRA_FIELDS = ("request_id", "remote", "method", "path", "status", "bytes", "duration_ms")
_HANDLER_MARK = "_chatbot_json"


def request_id_from(sent: str | None) -> str:
    """The client's ``X-Request-ID`` when it is a sane token (≤ 64 of ``[A-Za-z0-9._-]``), so a
    proxy's id joins its logs to ours; anything else (log injection, huge values) is replaced."""
    if sent and _SANE_REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def start_request(request_id: str) -> None:
    """Forget whatever an earlier request in this thread bound, then bind this one's id."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)


def bind(**fields) -> None:
    """Fields for every later line of this request (the per-request line included)."""
    structlog.contextvars.bind_contextvars(**fields)


def end_request() -> None:
    structlog.contextvars.clear_contextvars()


def current_request_id() -> str | None:
    return structlog.contextvars.get_contextvars().get("request_id")


def get_logger(name: str):
    return structlog.stdlib.get_logger(name)


def _request_id_field(_logger, _method, event: dict) -> dict:
    event.setdefault("request_id", None)
    return event


def _shared_processors() -> list:
    return [structlog.contextvars.merge_contextvars, _request_id_field, structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name, structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp")]


def json_formatter() -> logging.Formatter:
    """The formatter that turns any stdlib record (structlog's own included) into one JSON line."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_shared_processors(), structlog.stdlib.ExtraAdder(allow=EXTRA_FIELDS)],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, structlog.processors.JSONRenderer()],
    )


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(level: int = logging.INFO) -> None:
    """Route the root logger and structlog to one JSON handler on stderr. Idempotent: the app
    factory calls it every time it builds an app."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False) or type(handler) is logging.StreamHandler:
            root.removeHandler(handler)      # ours from an earlier call, or a basicConfig() one
    handler = _StderrHandler()
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(json_formatter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)            # a library's warning is a JSON line too, not raw stderr
    structlog.configure(
        processors=[*_shared_processors(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
