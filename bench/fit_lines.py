"""Fit the line selector's weights (chatbot/finder/lines.py) and say how often the chosen line
holds the fact.

For each fitting question the lines of the five best passages are labelled by whether they hold
the question's fact string (whitespace ignored); the weights maximise the softmax likelihood of
the labelled lines (listwise, bench/listwise.py), with an L2 pull towards the selector's fallback
weights whose strength 5-fold cross-validation picks.

Fitting questions: the training questions (tests/data/train_*.jsonl), the dev half and the
answerable questions of the blind scope sets A–D. Only scored: the test half, the holdout and
the fresh blind holdout.

    python bench/fit_lines.py            # fit, print "chosen line holds the fact" per split
    python bench/fit_lines.py --write    # also write chatbot/finder/lines.json
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from chatbot.finder.lines import FEATURES, WEIGHTS_FILE, _fallback_weights  # noqa: E402
from chatbot.service import FinderService  # noqa: E402
from eval_retrieval import holds_fact  # noqa: E402
from listwise import finish, first_hit_ranks, run_fit  # noqa: E402

FIT_SPLITS = ("train", "dev", "blind")
SCORED_SPLITS = ("test", "holdout")     # the fresh blind holdout is scored once, by eval_answers.py


def labelled(service: FinderService, questions: list[dict]) -> list[dict]:
    snapshot = service.snapshot()
    selector = snapshot.answerer.selector
    rows = []
    for q in questions:
        question = snapshot.analyse(q["question"])
        result = snapshot.retriever.search(question, top_k=5)
        X, where = selector.features(question, [h.passage for h in result.hits], [h.score for h in result.hits],
                                     result.query_vector)
        rows.append({"lang": q["lang"], "X": X, "y": np.array([holds_fact(line.text, q["fact"]) for line, _, _ in where])})
    return rows


def chosen_holds_fact(rows: list[dict], w: np.ndarray) -> dict[str, tuple[int, float, float]]:
    """Per language: n, share whose best line holds the fact, share whose best two lines do."""
    out = {}
    for lang, ranks in first_hit_ranks(rows, w).items():
        n = len(ranks)
        out[lang] = (n, sum(r == 1 for r in ranks) / n, sum(r is not None and r <= 2 for r in ranks) / n)
    return out


def main() -> None:
    prior = _fallback_weights().astype(np.float64)
    run = run_fit(__doc__, WEIGHTS_FILE, labelled, FIT_SPLITS, SCORED_SPLITS, prior)
    for split, split_rows in run.rows.items():
        note = " (fitted on)" if split in FIT_SPLITS else ""
        for label, w in (("fallback", prior), ("fitted", run.weights)):
            figures = chosen_holds_fact(split_rows, w)
            print(f"{label:<9}{split + note:<20}" + "  ".join(
                f"{lang} n={n} best line {top1:.3f} best two {top2:.3f}" for lang, (n, top1, top2) in figures.items()))
    finish(run, "bench/fit_lines.py", WEIGHTS_FILE, FIT_SPLITS, FEATURES)


if __name__ == "__main__":
    main()
