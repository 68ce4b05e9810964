"""Reading a JSON request body into a validated pydantic model, with the errors the API promises:
415 for a body that is not JSON, 413 for one over the limit, 400 naming the offending field.

Parsing is bounded: the nesting depth is counted in one pass over the text before ``json.loads``
sees it, so "[[[[…" is a 400 at :data:`MAX_JSON_DEPTH` whatever the stack depth of the request,
never a RecursionError and never a 500."""
from __future__ import annotations

import json
import re
from typing import TypeVar

from flask import current_app, request
from pydantic import BaseModel, ValidationError

from chatbot.finder.service import NotReady, Snapshot
from chatbot.web.errors import APIError

Model = TypeVar("Model", bound=BaseModel)

MAX_JSON_DEPTH = 64          # the deepest request body any route takes is 3 levels (profile.business.…)
_STRUCTURE = re.compile(r'[\[\]{}"]|\\.', re.DOTALL)    # brackets, quotes and escape pairs: all that depth needs


def json_depth(text: str) -> int:
    """How deeply ``text`` nests arrays and objects (brackets inside strings do not count): one
    linear pass, no recursion. Invalid text is left for ``json.loads`` to reject."""
    depth = deepest = 0
    in_string = False
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token == '"':
            in_string = not in_string
        elif in_string or len(token) == 2:         # inside a string, or an escape pair outside one
            continue
        elif token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def parse_json(raw: bytes):
    """The JSON value of a request body; APIError 400 ``invalid_json`` for anything else."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise APIError(400, "invalid_json", f"The body is not valid JSON: {exc}") from exc
    if json_depth(text) > MAX_JSON_DEPTH:
        raise APIError(400, "invalid_json", f"The body is nested more than {MAX_JSON_DEPTH} levels deep.")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise APIError(400, "invalid_json", f"The body is not valid JSON: {exc}") from exc
    except RecursionError as exc:        # only when the request itself already runs this deep in the stack
        raise APIError(400, "invalid_json", "The body is nested too deeply.") from exc


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
    data = parse_json(raw)
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
