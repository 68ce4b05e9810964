"""Reading a JSON request body into a validated pydantic model, with the errors the API promises:
415 for a body that is not JSON, 413 for one over the limit, 400 naming the offending field."""
from __future__ import annotations

import json
from typing import TypeVar

from flask import current_app, request
from pydantic import BaseModel, ValidationError

from chatbot.finder.service import NotReady, Snapshot
from chatbot.web.errors import APIError

Model = TypeVar("Model", bound=BaseModel)


def _field_name(location: tuple) -> str:
    return ".".join(str(part) for part in location) if location else "body"


def validation_error(exc: ValidationError, prefix: str = "") -> APIError:
    first = exc.errors()[0]
    field = _field_name(tuple(first.get("loc", ())))
    field = f"{prefix}{field}" if prefix else field
    message = first.get("msg", "invalid value")
    if first.get("type") == "missing":
        message = "is required"
    elif first.get("type") == "extra_forbidden":
        message = "is not a known field"
    return APIError(400, "invalid_field", f"{field}: {message}", field=field)


def json_body(model: type[Model]) -> Model:
    if not request.is_json:
        raise APIError(415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json).")
    raw = request.get_data(cache=True)            # raises 413 past MAX_CONTENT_LENGTH
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise APIError(400, "invalid_json", f"The body is not valid JSON: {exc}") from exc
    except RecursionError as exc:        # "[[[[…]]]]" thousands deep: the parser's own stack runs out
        raise APIError(400, "invalid_json", "The body is nested too deeply.") from exc
    if not isinstance(data, dict):
        raise APIError(400, "invalid_json", "The body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from exc


def current_snapshot() -> Snapshot:
    """The index version this request will use from start to end; 503 while none is loaded."""
    try:
        return current_app.extensions["finder"].snapshot()
    except NotReady as exc:
        raise APIError(503, "index_not_ready", f"The finder is not ready: {exc}",
                       headers={"Retry-After": "5"}) from exc
