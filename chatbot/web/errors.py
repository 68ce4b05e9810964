"""One JSON error shape everywhere: ``{"error": {"code", "message", "field"?, "request_id"}}``.

Every failure a client can cause maps to a 4xx with a code it can branch on; anything else is
logged (with the request id, which the body repeats for the citizen to quote) and answered as a
JSON 500 rather than an HTML page."""
from __future__ import annotations

import hmac
import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from chatbot.web.observe import request_id

log = logging.getLogger(__name__)


class APIError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, field: str | None = None, headers: dict | None = None):
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    body["request_id"] = request_id()
    response = jsonify({"error": body})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


_HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    413: ("body_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as JSON (Content-Type: application/json)."),
    429: ("rate_limited", "Too many requests; wait a moment and try again."),
}


def init_app(app: Flask) -> None:
    @app.errorhandler(APIError)
    def _api_error(error: APIError):
        return error_response(error.status, error.code, error.message, error.field, error.headers)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code, message = _HTTP_CODES.get(error.code or 500, ("http_error", error.description or "HTTP error"))
        if error.code == 413:
            message = f"The request body is larger than {app.config['MAX_CONTENT_LENGTH']} bytes."
        headers = {}
        if error.code == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        if error.code == 429:
            retry = getattr(error, "retry_after", None) or _retry_after(error)
            headers["Retry-After"] = str(retry)
        return error_response(error.code or 500, code, message, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal_error", "Something went wrong on our side; please try again.")


def require_bearer(token: str, realm: str) -> None:
    """For routes meant for scripts (metrics, feedback export): 404 while no token is configured
    (the route does not exist), 401 unless ``Authorization: Bearer <token>`` matches it. A header,
    not a query string, so the token never lands in an access log; compared in constant time."""
    if not token:
        raise APIError(404, "not_found", "There is nothing at this address.")
    sent = request.headers.get("Authorization", "")
    if not (sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].encode(), token.encode())):
        raise APIError(401, "unauthorized", f"Send the {realm} token as 'Authorization: Bearer <token>'.",
                       headers={"WWW-Authenticate": f'Bearer realm="{realm}"'})


def _retry_after(error: HTTPException) -> int:
    response = error.get_response()
    try:
        return int(response.headers.get("Retry-After", 60))
    except (TypeError, ValueError):
        return 60
