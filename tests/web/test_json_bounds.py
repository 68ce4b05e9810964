"""Bounded JSON parsing (issue 14, item 12): every JSON route answers a body nested past
MAX_JSON_DEPTH with the one 400 shape, code ``invalid_json``, whatever the depth and wherever the
nesting sits; never a 500, never a RecursionError. The depth is counted in one place
(chatbot/web/requests.py: json_body), so the routes below are every POST route of the API."""
from __future__ import annotations

import json

import pytest

from chatbot.web.requests import MAX_JSON_DEPTH, json_depth

JSON_ROUTES = ["/api/ask", "/api/feedback", "/api/match"]


def test_the_list_is_every_json_route(app):
    posts = sorted(rule.rule for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/api/") and "POST" in (rule.methods or ()))
    assert posts == JSON_ROUTES


def lists(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


def objects(depth: int, leaf: str = "1") -> str:
    return '{"a":' * depth + leaf + "}" * depth


BODIES = {
    "lists-65": lists(MAX_JSON_DEPTH + 1),
    "lists-100": lists(100),
    "lists-900": lists(900),                                   # parses with Python's own limit: still refused
    "lists-5000": lists(5000),
    "objects-65": objects(MAX_JSON_DEPTH + 1),
    "objects-900": objects(900),
    "in-a-field-100": '{"question": ' + lists(100, '"q"') + "}",
    "in-a-field-900": '{"profile": ' + objects(900) + ', "answer_id": "x", "rating": "up"}',
    "mixed-2000": ('[{"a":' * 1000) + "1" + ("}]" * 1000),
}


@pytest.mark.parametrize("route", JSON_ROUTES)
@pytest.mark.parametrize("name", BODIES)
def test_nesting_past_the_bound_is_a_400_on_every_route(client, route, name):
    response = client.post(route, data=BODIES[name], content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == "invalid_json"
    assert f"nested more than {MAX_JSON_DEPTH} levels" in error["message"]


@pytest.mark.parametrize("route", JSON_ROUTES)
@pytest.mark.parametrize("deep", [lists(100_000), objects(100_000), '{"question": ' + lists(10_000) + "}"])
def test_nesting_past_the_body_limit_is_a_413(client, route, deep):
    response = client.post(route, data=deep, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "body_too_large"


@pytest.mark.parametrize("route", JSON_ROUTES)
def test_nesting_within_the_bound_reaches_the_field_checks(client, route):
    """At the bound the body parses; the model then names the field (strings stay strings)."""
    body = '{"zz": ' + lists(MAX_JSON_DEPTH - 1, '"]]]}}}\\"[[[["') + "}"
    response = client.post(route, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_field"


def test_depth_counts_brackets_outside_strings_only():
    assert json_depth("1") == 0 and json_depth("[]") == 1 and json_depth(lists(7)) == 7
    assert json_depth(json.dumps({"a": "[[[{{{", "b": ["\\\"[", {"c": []}]})) == 4
    assert json_depth(json.dumps(["\\", [1]])) == 2
