"""Answers already given, served again without the pipeline.

Many citizens ask the same few things, and an answer depends only on what the key holds: the
index version, the question text, the language asked for, ``top_k`` and the date the answerer
calls "today" (schedules and age verdicts read it). Everything else an answer reads is fixed per
worker (the settings) or per version (index, catalog, models).

The question is keyed as :func:`~chatbot.finder.question.normalise` leaves it (NFC, single
spaces, trimmed), neither case-folded nor stripped of punctuation: the pipeline reads both (the
tokenizer, the intent patterns), and on the 238 evaluation questions folding case changed the
answer (status, text or citations) of 56 of the 83 it changed, dropping the final "?" or "." 84 of
164. A folded key would serve those askers another question's answer. Keys carry a digest of the
text, not the text.

:class:`AnswerCache` is the small interface the finder uses; :class:`LocalAnswerCache` is the
bounded in-process LRU each gunicorn worker holds. A store shared between hosts implements the
same two methods; its keys already name the index version, so stale entries are never read.
Cached answers are the objects the pipeline returned and are never changed afterwards: the
answer_id is issued per request by the web layer, not cached.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Callable, Protocol

from chatbot.feedback.privacy import contains_pii
from chatbot.finder.question import normalise
from chatbot.observability.metrics import ANSWER_CACHE

if TYPE_CHECKING:
    from chatbot.finder.pipeline import Answer


@dataclass(frozen=True)
class AnswerKey:
    """What an answer depends on. ``question`` is the sha256 of the normalised text."""

    version: str
    question: str
    language: str | None
    top_k: int
    today: date

    @classmethod
    def of(cls, version: str, text: str, language: str | None, top_k: int, today: date) -> "AnswerKey":
        digest = hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()
        return cls(version, digest, language.lower() if language else None, top_k, today)

    def text(self) -> str:
        """One string naming the key, for a store whose keys are strings."""
        return f"answer:{self.version}:{self.today.isoformat()}:{self.language or '-'}:{self.top_k}:{self.question}"


class AnswerCache(Protocol):
    def get(self, key: AnswerKey) -> "Answer | None":
        """The answer stored under ``key``, or None."""

    def put(self, key: AnswerKey, answer: "Answer") -> None:
        """Store ``answer`` under ``key`` (the store decides what to evict)."""


class LocalAnswerCache:
    """At most ``size`` answers in this process, the least recently used evicted first. Thread-safe
    (gthread workers serve several requests at once). ``size`` 0 stores nothing."""

    def __init__(self, size: int):
        self.size = max(0, size)
        self._entries: OrderedDict[AnswerKey, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: AnswerKey) -> "Answer | None":
        with self._lock:
            answer = self._entries.get(key)
            if answer is not None:
                self._entries.move_to_end(key)
            return answer

    def put(self, key: AnswerKey, answer: "Answer") -> None:
        if not self.size:
            return
        with self._lock:
            self._entries[key] = answer
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def keep_only(self, version: str) -> None:
        """Drop the answers of every other index version (called when a new version is swapped
        in: nothing asks for the old ones again, and they would keep its passages in memory)."""
        with self._lock:
            for key in [k for k in self._entries if k.version != version]:
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)


def cached_answer(cache: AnswerCache | None, key: AnswerKey, text: str,
                  compute: Callable[[], "Answer"]) -> "Answer":
    """The cached answer for ``key``, else ``compute()``'s (stored for next time); every lookup
    counted as a hit or a miss in ``chatbot_answer_cache_lookups``. No cache: just ``compute()``.

    Personal questions are never cached: profile answers serve the request and are not kept. A
    question ``text`` with contact details or an identifying number is not even looked up (a digest
    of a phone number is easily reversed), and an answer built on facts the asker stated about
    themselves (age, income, …: its verdict repeats them) is not stored."""
    if cache is None or contains_pii(text):
        return compute()
    answer = cache.get(key)
    if answer is not None:
        ANSWER_CACHE.labels(result="hit").inc()
        return answer
    ANSWER_CACHE.labels(result="miss").inc()
    answer = compute()
    if not answer.states_personal_facts:
        cache.put(key, answer)
    return answer
