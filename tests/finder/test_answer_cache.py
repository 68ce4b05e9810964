"""The answer cache: the same question on the same index version, language, top_k and day is
answered once by the pipeline and then from the cache; anything else an answer depends on is a
miss; the cache is bounded and its lookups are counted for /metrics."""
from __future__ import annotations

from datetime import date

from prometheus_client import REGISTRY

from chatbot.finder.cache import AnswerKey, LocalAnswerCache
from chatbot.index.builder import build_index
from chatbot.index.store import set_current
from tests.support.answers import answer_body
from tests.support.fake_embedder import QueryCounter
from tests.support.wait import wait_until

QUESTION = "면접 정장 1년에 몇 번 빌릴 수 있어요?"


def lookups(result: str) -> float:
    return REGISTRY.get_sample_value("chatbot_answer_cache_lookups_total", {"result": result}) or 0.0


def test_a_repeated_question_is_answered_from_the_cache(make_app, fake_index_dir):
    embedder = QueryCounter()
    client = make_app(fake_index_dir, embedder=embedder).test_client()
    hits, misses = lookups("hit"), lookups("miss")
    first = answer_body(client, question=QUESTION)
    assert embedder.questions == 1 and lookups("miss") == misses + 1
    # the same question as a browser may send it: other spacing, decomposed Hangul (NFD)
    import unicodedata
    for variant in (QUESTION, f"  {QUESTION.replace(' ', '   ')} ", unicodedata.normalize("NFD", QUESTION)):
        assert answer_body(client, question=variant) == first
    assert embedder.questions == 1, "a repeated question went through the pipeline again"
    assert lookups("hit") == hits + 3


def test_language_top_k_and_case_are_part_of_the_question(make_app, fake_index_dir):
    embedder = QueryCounter()
    client = make_app(fake_index_dir, embedder=embedder).test_client()
    english = "How many times a year can I borrow an interview suit?"
    answer_body(client, question=english)
    answer_body(client, question=english, lang="ko")
    answer_body(client, question=english, top_k=2)
    answer_body(client, question=english.upper())       # the analyser reads case: not the same question
    assert embedder.questions == 4
    assert len(answer_body(client, question=english, top_k=2)["citations"]) == 2
    assert embedder.questions == 4


def test_a_new_day_or_a_new_version_is_a_miss(make_app, admin_env, fake_embedder):
    """Schedules and age verdicts read "today", and a published version may answer differently."""
    embedder = QueryCounter()
    app = make_app(admin_env.index_dir, corpus_dir=admin_env.corpus_dir, var_dir=admin_env.var_dir, embedder=embedder,
                   today="2024-03-04")
    client = app.test_client()
    service = app.extensions["finder"]
    live = answer_body(client, question=QUESTION)["index_version"]
    service.snapshot().answerer.today = lambda: date(2024, 3, 5)           # midnight passes
    answer_body(client, question=QUESTION)
    assert embedder.questions == 2

    from tests.support.admin import change_corpus
    change_corpus(admin_env)
    new = build_index(service.settings, embedder=fake_embedder, publish=False).version
    set_current(admin_env.index_dir, new)
    wait_until(lambda: service.status()["index_version"] == new, 10, f"{new} was not swapped in")
    assert answer_body(client, question=QUESTION)["index_version"] == new != live
    assert embedder.questions == 3
    assert {key.version for key in service.cache._entries} == {new}      # the old version's answers dropped


def test_the_cache_is_bounded_least_recently_used_first():
    cache = LocalAnswerCache(2)
    keys = [AnswerKey.of("v1", f"질문 {n}", None, 5, date(2024, 3, 4)) for n in range(3)]
    cache.put(keys[0], "a0")
    cache.put(keys[1], "a1")
    assert cache.get(keys[0]) == "a0"                # now the most recently used
    cache.put(keys[2], "a2")
    assert cache.get(keys[1]) is None and cache.get(keys[0]) == "a0" and cache.get(keys[2]) == "a2"
    assert len(cache) == 2
    off = LocalAnswerCache(0)
    off.put(keys[0], "a0")
    assert off.get(keys[0]) is None and len(off) == 0


def test_keys_hold_a_digest_not_the_question():
    key = AnswerKey.of("v1", "저는 34살이고 연봉 3200만원입니다", "ko", 5, date(2024, 3, 4))
    assert "34" not in key.text() and "연봉" not in key.text()
    assert key.text().startswith("answer:v1:2024-03-04:ko:5:")


def test_personal_questions_are_never_kept(make_app, fake_index_dir):
    """Profile answers serve the request and are not kept: an answer built on facts the asker
    stated (its verdict repeats them) is not stored, and a question carrying contact details is
    not even looked up (a digest of a phone number is easily reversed)."""
    embedder = QueryCounter()
    app = make_app(fake_index_dir, embedder=embedder)
    client, cache = app.test_client(), app.extensions["finder"].cache
    misses = lookups("miss")
    stated = "저는 만 29세이고 월소득 200만원인데 면접 정장 빌릴 수 있나요?"
    for _ in range(2):
        answer_body(client, question=stated)
    assert embedder.questions == 2 and len(cache) == 0
    assert lookups("miss") == misses + 2
    with_phone = f"{QUESTION} 연락처는 010-1234-5678입니다"
    for _ in range(2):
        answer_body(client, question=with_phone)
    assert embedder.questions == 4 and len(cache) == 0
    assert lookups("miss") == misses + 2, "a question with a phone number was looked up"
    answer_body(client, question=QUESTION)
    assert len(cache) == 1                                   # an impersonal question still is
