"""The answer cache shared through Redis (REDIS_URL): an answer computed by one app (worker or
host) is served by another without the pipeline, in the very response the pipeline's would give;
entries carry the service's key prefix and a TTL; what is read back is JSON, never a pickle."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import redis

from chatbot.web.ask import AskRequest
from tests.support.answers import answer_body
from tests.support.fake_embedder import QueryCounter

# the API's own examples: answered, a verdict, a date, partial, not_in_report, clarify
QUESTIONS = AskRequest.model_config["json_schema_extra"]["examples"]
TTL = 120


@pytest.fixture
def host(make_app, fake_index_dir, tmp_path, redis_url, redis_prefix):
    """A new app (as on another host) on the test's Redis; its embedder counts what it computes."""
    def _make():
        embedder = QueryCounter()
        app = make_app(fake_index_dir, embedder=embedder, redis_url=redis_url, redis_prefix=redis_prefix,
                       answer_cache_ttl=TTL, feedback_db=tmp_path / "feedback.sqlite3", answer_secret="s")
        return app.test_client(), embedder
    return _make


def test_an_answer_from_redis_gives_the_response_the_pipeline_gave(host):
    first, first_embedder = host()
    computed = [answer_body(first, **body) for body in QUESTIONS]
    assert first_embedder.questions == len(QUESTIONS)
    second, second_embedder = host()
    for body, expected in zip(QUESTIONS, computed):
        response = second.post("/api/ask", json=body)
        assert {k: v for k, v in response.json.items() if k not in ("answer_id", "took_ms")} == expected
        # the answer_id signed from the stored answer is a valid one (citations, language, grounded)
        rated = second.post("/api/feedback", json={"answer_id": response.json["answer_id"], "rating": "up",
                                                   "question": body["question"]})
        assert rated.status_code == 200, rated.json
    # all but the one whose asker stated their age ("30대 후반"): personal answers are never kept
    assert second_embedder.questions == 1, "the second host computed answers the first had shared"


def test_entries_carry_the_prefix_and_expire(host, redis_url, redis_prefix):
    client, _ = host()
    answer_body(client, **QUESTIONS[0])
    store = redis.Redis.from_url(redis_url)
    keys = list(store.scan_iter(match=f"{redis_prefix}:answers:answer:*"))
    assert len(keys) == 1
    assert 0 < store.ttl(keys[0]) <= TTL


def test_a_pickle_planted_in_redis_is_a_miss_not_code(host, redis_url, redis_prefix, tmp_path):
    client, _ = host()
    expected = answer_body(client, **QUESTIONS[0])
    store = redis.Redis.from_url(redis_url)
    [key] = store.scan_iter(match=f"{redis_prefix}:answers:*")
    marker = tmp_path / "pwned"
    store.set(key, pickle.dumps(_Planted(marker)))
    other, embedder = host()
    assert answer_body(other, **QUESTIONS[0]) == expected
    assert embedder.questions == 1, "the planted value should have been a miss"
    assert not marker.exists(), "the planted pickle was loaded"


class _Planted:
    """Unpickling this creates ``marker``: what a planted pickle would do, harmlessly."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))
