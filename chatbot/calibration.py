"""Thresholds for "the report does not answer this", per embedding model.

Measured with ``python bench/calibrate.py`` on tests/data (answerable dev questions against
tests/data/eval_unanswerable.jsonl); a model not listed here answers everything it retrieves
for (threshold 0) until it is calibrated. CHATBOT_MIN_CONFIDENCE overrides."""
from __future__ import annotations

THRESHOLDS: dict[str, float] = {}


def threshold_for(model_name: str) -> float:
    return THRESHOLDS.get(model_name, 0.0)
