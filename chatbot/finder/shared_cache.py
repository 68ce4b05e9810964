"""The answer cache shared by every worker and host through Redis (``REDIS_URL``).

Each worker keeps its own small LRU (:class:`~chatbot.finder.cache.LocalAnswerCache`) in front;
a miss there asks Redis, and a computed answer goes to both. Redis holds each answer for
``CHATBOT_ANSWER_CACHE_TTL`` seconds: keys name the index version and the day, so the TTL is both
the bound on what we store and how entries of an old version go away.

An answer travels as JSON of exactly what /api/ask reads from it (:class:`StoredAnswer`), never
pickled: whoever can write to the Redis can change a cached answer, but never run code here; a
value that does not parse is a miss. Redis failing never fails a request: the answer is computed
(counted in ``chatbot_store_errors_total{use="answer_cache"}``), and after a failure Redis is
skipped for a few seconds (chatbot/observability/outages.py), so a dead one costs no timeouts.
"""
from __future__ import annotations

import copy
import json
import logging
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from chatbot.config import Settings
from chatbot.finder.cache import AnswerCache, AnswerKey, LocalAnswerCache
from chatbot.observability.outages import StoreOutage

if TYPE_CHECKING:
    from chatbot.finder.pipeline import Answer

log = logging.getLogger(__name__)
SOCKET_TIMEOUT = 0.3          # seconds: a Redis that does not answer by then counts as down
FORMAT = 1                    # bumped when StoredAnswer changes: older entries read as misses


def redis_options() -> dict[str, Any]:
    """Options of every Redis client here (also the rate limiter's): short timeouts and no retries,
    so an unreachable Redis costs one request at most ``SOCKET_TIMEOUT`` before the breaker opens."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry
    return {"socket_connect_timeout": SOCKET_TIMEOUT, "socket_timeout": SOCKET_TIMEOUT,
            "retry": Retry(NoBackoff(), 0)}


def redis_client(url: str):
    import redis
    return redis.Redis.from_url(url, **redis_options())


@dataclass(frozen=True)
class StoredAnswer:
    """What the web layer reads from an :class:`~chatbot.finder.pipeline.Answer`, as plain data:
    /api/ask's body (``to_json``), the labels it counts and logs, and what answer_id signs."""

    body: dict
    language: str
    answer_language: str
    status: str
    reason: str
    grounded: bool
    citation_ids: list[str]

    @classmethod
    def of(cls, answer: "Answer | StoredAnswer") -> "StoredAnswer":
        return cls(answer.to_json(), answer.language, answer.answer_language, answer.status, answer.reason,
                   answer.grounded, list(answer.citation_ids))

    def to_json(self) -> dict:
        return copy.deepcopy(self.body)

    def dumps(self) -> str:
        return json.dumps({"format": FORMAT, **asdict(self)}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def loads(cls, raw: bytes | str) -> "StoredAnswer | None":
        """The answer ``raw`` holds, or None for anything else (another format, not JSON, a pickle)."""
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
                return None
            answer = cls(**data)
        except (ValueError, TypeError):
            return None
        fields_ok = (isinstance(answer.body, dict) and isinstance(answer.citation_ids, list)
                     and all(isinstance(v, str) for v in (answer.language, answer.answer_language,
                                                          answer.status, answer.reason)))
        return answer if fields_ok else None


class RedisAnswerCache:
    def __init__(self, client, prefix: str, ttl: int, local: LocalAnswerCache | None = None):
        self.client = client
        self.prefix = prefix
        self.ttl = max(1, ttl)
        self.local = local
        self.outage = StoreOutage("redis", "answer_cache")

    def name(self, key: AnswerKey) -> str:
        return f"{self.prefix}:{key.text()}"

    def get(self, key: AnswerKey) -> "Answer | StoredAnswer | None":
        answer = self.local.get(key) if self.local is not None else None
        if answer is not None:
            return answer
        if not self.outage.usable():
            self.outage.skipped()
            return None
        try:
            raw = self.client.get(self.name(key))
        except Exception as error:       # redis-py's errors and anything a half-dead socket raises
            self.outage.failed(error)
            return None
        self.outage.succeeded()
        answer = StoredAnswer.loads(raw) if raw is not None else None
        if raw is not None and answer is None:
            log.warning("answer cache: an entry that is not a stored answer was ignored")
        if answer is not None and self.local is not None:
            self.local.put(key, answer)
        return answer

    def put(self, key: AnswerKey, answer: "Answer | StoredAnswer") -> None:
        if self.local is not None:
            self.local.put(key, answer)
        if not self.outage.usable():
            return self.outage.skipped()
        try:
            self.client.set(self.name(key), StoredAnswer.of(answer).dumps(), ex=self.ttl)
        except Exception as error:
            self.outage.failed(error)
        else:
            self.outage.succeeded()

    def keep_only(self, version: str) -> None:
        """Only the local LRU is pruned: Redis keys of older versions expire by themselves."""
        if self.local is not None:
            self.local.keep_only(version)


def answer_cache_for(settings: Settings) -> AnswerCache | None:
    """Per worker without REDIS_URL, shared with a local LRU in front with it; None when
    CHATBOT_ANSWER_CACHE_SIZE is 0."""
    if settings.answer_cache_size <= 0:
        return None
    local = LocalAnswerCache(settings.answer_cache_size)
    if not settings.redis_url:
        return local
    return RedisAnswerCache(redis_client(settings.redis_url), f"{settings.redis_prefix}:answers",
                            settings.answer_cache_ttl, local)
