"""Reading what GET /metrics exposes: samples by name and labels, from the route's own text."""
from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "scrape-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def samples(text: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def sum_of(found, name: str, **labels: str) -> float:
    """The sum of the samples named ``name`` whose labels include ``labels`` (0 when none)."""
    return sum(s.value for s in found if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def total(text: str, name: str, **labels: str) -> float:
    """:func:`sum_of` over an exposition text."""
    return sum_of(samples(text), name, **labels)


def scrape(client) -> str:
    """/metrics through a Flask test client of an app made with ``metrics_token=TOKEN``."""
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def increase(before: str, after: str, name: str, **labels: str) -> float:
    """How much :func:`total` grew between two scrapes."""
    return total(after, name, **labels) - total(before, name, **labels)
