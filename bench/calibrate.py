"""Calibrate "the report does not answer this" for the configured model.

Two signals, one per retrieval mode (HybridRetriever.search): the reranker's share for the best
passage ("reranked") and, with the reranker off, how far the best fused score stands out
("first_stage"). Korean and other questions are calibrated apart. The threshold is the 5th
percentile of the answerable test questions (the reranker is fitted on dev and the training
questions, whose confidences are in-sample and too high), so about 1 in 20 answerable questions
is (wrongly) refused; the output says how that holds on the other splits and how many
unanswerable ones it catches.

    python -m bench.calibrate          # prints the thresholds to paste into chatbot/finder/calibration.py
"""
from __future__ import annotations

import json

import numpy as np

from chatbot.finder.calibration import language_group
from chatbot.config import Settings
from chatbot.finder.service import FinderService
from bench.eval_retrieval import DATA, load_questions


PERCENTILE = 5
CALIBRATION_SPLIT = "test"


def confidences(service, rows) -> dict[str, list[float]]:
    snapshot = service.snapshot()
    out: dict[str, list[float]] = {}
    for row in rows:
        result = snapshot.retriever.search(snapshot.analyse(row["question"]))
        out.setdefault(language_group(row["lang"]), []).append(result.confidence)
    return out


def calibrate(service: FinderService, unanswerable: list[dict]) -> dict[str, float]:
    negatives = confidences(service, unanswerable)
    thresholds = {}
    for split in (CALIBRATION_SPLIT, "dev", "holdout"):
        positives = confidences(service, load_questions(split))
        for group, values in sorted(positives.items()):
            if split == CALIBRATION_SPLIT:
                thresholds[group] = round(float(np.percentile(values, PERCENTILE)), 4)
            t = thresholds[group]
            refused = sum(v < t for v in values) / len(values)
            caught = sum(v < t for v in negatives.get(group, [])) / max(len(negatives.get(group, [])), 1)
            print(f"  {split:<8}{group:<6} threshold {t:.4f}: answerable refused {refused:.1%}, "
                  f"unanswerable refused {caught:.1%} (n={len(negatives.get(group, []))})")
    return thresholds


def main() -> None:
    unanswerable = [json.loads(line) for line in open(DATA / "eval_unanswerable.jsonl", encoding="utf-8")]
    table, model = {}, None
    for rerank in (True, False):
        service = FinderService(Settings().with_overrides({"rerank": rerank, "min_confidence": 0}))
        retriever = service.snapshot().retriever
        model = service.snapshot().index.model_name
        print(retriever.confidence_signal)
        table[retriever.confidence_signal] = calibrate(service, unanswerable)
    print(f'\nTHRESHOLDS["{model}"] = {json.dumps(table)}')


if __name__ == "__main__":
    main()
