"""Every request, whatever answers it (API, pages, static files, the staff area, errors): its
``X-Request-ID``, its metrics and its one log line.

The id is bound first of all hooks (before the rate limiter's, so a 429 has one too) and sent back
on every response; error bodies carry the same id (errors.py). The log line holds the method, the
route template, the status and the time; never a path's or a body's text."""
from __future__ import annotations

import time

from flask import Flask, Response, g, request

from chatbot.observability import logs, metrics

METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
request_log = logs.get_logger("chatbot.request")


def request_id() -> str:
    """This request's id, bound now if no hook has yet (an error raised before ours ran)."""
    return logs.current_request_id() or _bind_request_id()


def _bind_request_id() -> str:
    """The id from the request's ``X-Request-ID`` (or a new one), bound for every log line."""
    bound = logs.request_id_from(request.headers.get(logs.REQUEST_ID_HEADER))
    logs.start_request(bound)
    return bound


def route_template() -> str:
    """The URL rule that matched (``/api/programs/<program_id>``), never the raw path."""
    return request.url_rule.rule if request.url_rule is not None else metrics.UNMATCHED_ROUTE


def init_app(app: Flask) -> None:
    """Call before any other hook is registered: Flask runs before_request hooks in order."""

    @app.before_request
    def _start() -> None:
        _bind_request_id()
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers[logs.REQUEST_ID_HEADER] = request_id()
        seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
        method = request.method if request.method in METHODS else "other"     # any token is a method to HTTP
        route = route_template()
        metrics.count_request(route, method, response.status_code, seconds)
        request_log.info("request", method=method, route=route, status=response.status_code,
                         duration_ms=round(seconds * 1000, 1))
        return response

    @app.teardown_request
    def _end(_error) -> None:
        logs.end_request()


def answered(language: str, status: str, reason: str | None, version: str, chars: int) -> None:
    """An /api/ask answer (cached or not): counted, and its facts added to the request's log line
    (the length of the question, never its text)."""
    metrics.count_answer(status, language)
    logs.bind(lang=language, answer_status=status, reason=reason, version=version, chars=chars)
