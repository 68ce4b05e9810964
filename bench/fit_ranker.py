"""Fit the reranker's weights (chatbot/rerank.py) on the training questions and the dev half.

For each fitting question the first stage's candidates are labelled by whether they contain the
question's fact string; the weights maximise the softmax likelihood of the labelled passages
(listwise), with an L2 pull towards the first stage's own hand-set fusion. The pull's strength is
chosen by 5-fold cross-validation on the fitting questions (mean reciprocal rank over all of them,
so each question counts once, whatever its language). The test half and the holdout are only
scored, never fitted.

Fitting questions: tests/data/train_*.jsonl (written for this, never scored as evaluation) and
the dev half. With the dev half alone (119 questions) cross-validation chose strong
regularisation and the reranker stayed close to the fusion; with 419 it chooses a weak one.

    python bench/fit_ranker.py            # fit, print figures per split, do not write
    python bench/fit_ranker.py --write    # also write chatbot/ranker.json
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from chatbot.config import Settings  # noqa: E402
from chatbot.facets import FACETS  # noqa: E402
from chatbot.rerank import FEATURES, WEIGHTS_FILE, LinearReranker, PassageFeatures  # noqa: E402
from chatbot.retrieval import RetrievalSettings  # noqa: E402
from chatbot.service import FinderService  # noqa: E402
from eval_retrieval import holds_fact, load_questions, rank_figures, split_files  # noqa: E402

LAMBDAS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
FOLDS = 5
FIT_SPLITS = ("train", "dev")
SCORED_SPLITS = ("test", "holdout")


def prior() -> np.ndarray:
    """The first stage's fusion in feature space, scaled to softmax range."""
    first = RetrievalSettings()
    weights = dict.fromkeys(FEATURES, 0.0)
    weights.update(dense=first.dense_weight, lexical=first.lexical_weight, section=first.section_weight)
    weights.update({f"facet_{name}": first.facet_weight for name in FACETS})
    weights.update(kind_audit_finding=-first.finding_penalty)
    return 5.0 * np.array([weights[name] for name in FEATURES])


def labelled(service: FinderService, questions: list[dict]) -> list[dict]:
    retriever = service.snapshot().retriever
    scorer = LinearReranker(dict.fromkeys(FEATURES, 0.0), PassageFeatures(retriever.index.passages,
                                                                          retriever.index.tokens), retriever.idf)
    rows = []
    for q in questions:
        stage = retriever.first_stage(q["question"])
        candidates = retriever.candidates(stage)
        labels = np.array([holds_fact(retriever.index.passages[i].text, q["fact"]) for i in candidates.ids])
        rows.append({"lang": q["lang"], "X": scorer.features(q["question"], stage.query_tokens, candidates),
                     "y": labels})
    return rows


def fit(rows: list[dict], strength: float) -> np.ndarray:
    usable = [(r["X"], r["y"]) for r in rows if r["y"].any()]
    start = prior()

    def loss(w: np.ndarray):
        total, grad = 0.0, np.zeros_like(w)
        for X, y in usable:
            s = X @ w
            e = np.exp(s - s.max())
            z, hit = e.sum(), e[y].sum()
            total -= np.log(hit / z)
            grad -= (X[y] * e[y, None]).sum(0) / hit - (X * e[:, None]).sum(0) / z
        total += strength * np.sum((w - start) ** 2)
        grad += 2 * strength * (w - start)
        return total / len(usable), grad / len(usable)

    return minimize(loss, start, jac=True, method="L-BFGS-B").x


def figures(rows: list[dict], w: np.ndarray) -> dict:
    ranks: dict[str, list[int | None]] = {}
    for r in rows:
        found = np.nonzero(r["y"][np.argsort(-(r["X"] @ w), kind="stable")])[0]
        ranks.setdefault(r["lang"], []).append(int(found[0]) + 1 if len(found) else None)
    return {lang: rank_figures(values) for lang, values in sorted(ranks.items())}


def pooled_mrr(result: dict) -> float:
    return sum(r["mrr"] * r["n"] for r in result.values()) / max(sum(r["n"] for r in result.values()), 1)


def cross_validate(rows: list[dict], strength: float) -> float:
    folds = [rows[i::FOLDS] for i in range(FOLDS)]
    scores = []
    for k in range(FOLDS):
        train = [r for j, fold in enumerate(folds) if j != k for r in fold]
        scores.append(pooled_mrr(figures(folds[k], fit(train, strength))))
    return float(np.mean(scores))


def show(label: str, result: dict) -> None:
    print(f"{label:<26}" + "  ".join(f"{lang} hit@1 {r['hit@1']:.3f} hit@5 {r['hit@5']:.3f} MRR {r['mrr']:.3f}"
                                     for lang, r in result.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"write {WEIGHTS_FILE.name}")
    args = parser.parse_args()
    service = FinderService(Settings().with_overrides({"threads": 2}))
    snapshot = service.snapshot()
    rows = {split: labelled(service, load_questions(split)) for split in (*FIT_SPLITS, *SCORED_SPLITS)}
    fitting = [r for split in FIT_SPLITS for r in rows[split]]
    cv = {strength: cross_validate(fitting, strength) for strength in LAMBDAS}
    for strength, score in cv.items():
        print(f"L2 strength {strength:<6} 5-fold MRR on {len(fitting)} fitting questions {score:.4f}")
    best = max(cv, key=cv.get)
    weights = fit(fitting, best)
    for split, split_rows in rows.items():
        note = " (fitted on)" if split in FIT_SPLITS else ""
        show(f"first stage, {split}{note}:", figures(split_rows, prior()))
        show(f"reranked, {split}{note}:", figures(split_rows, weights))
    for name, value in zip(FEATURES, weights):
        print(f"  {name:<20}{value:+.3f}")
    if args.write:
        WEIGHTS_FILE.write_text(json.dumps({
            "fitted": time.strftime("%Y-%m-%d"), "by": "bench/fit_ranker.py",
            "on": [str(path.relative_to(ROOT)) for split in FIT_SPLITS for path in split_files(split)],
            "model": snapshot.index.model_name, "index_version": snapshot.version, "l2_strength": best,
            "cv_mrr": round(cv[best], 4), "weights": {n: round(float(v), 4) for n, v in zip(FEATURES, weights)},
        }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
