"""Listwise fitting shared by the passage reranker (fit_ranker.py) and the line selector
(fit_lines.py): a softmax over each question's candidates, the likelihood of the labelled ones
maximised, with an L2 pull towards a prior whose strength 5-fold cross-validation picks.

Each row is one question: ``{"lang", "X": candidates × features, "y": bool per candidate}``.
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from scipy.optimize import minimize

from chatbot.finder.evaluation import rank_figures

LAMBDAS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
FOLDS = 5


def fit(rows: list[dict], strength: float, prior: np.ndarray) -> np.ndarray:
    usable = [(r["X"].astype(np.float64), r["y"]) for r in rows if r["y"].any()]

    def loss(w: np.ndarray):
        total, grad = 0.0, np.zeros_like(w)
        for X, y in usable:
            s = X @ w
            e = np.exp(s - s.max())
            z, hit = e.sum(), e[y].sum()
            total -= np.log(hit / z)
            grad -= (X[y] * e[y, None]).sum(0) / hit - (X * e[:, None]).sum(0) / z
        total += strength * np.sum((w - prior) ** 2)
        grad += 2 * strength * (w - prior)
        return total / len(usable), grad / len(usable)

    return minimize(loss, prior, jac=True, method="L-BFGS-B").x


def first_hit_ranks(rows: list[dict], w: np.ndarray) -> dict[str, list[int | None]]:
    ranks: dict[str, list[int | None]] = {}
    for r in rows:
        found = np.nonzero(r["y"][np.argsort(-(r["X"] @ w), kind="stable")])[0]
        ranks.setdefault(r["lang"], []).append(int(found[0]) + 1 if len(found) else None)
    return ranks


def figures(rows: list[dict], w: np.ndarray) -> dict:
    return {lang: rank_figures(values) for lang, values in sorted(first_hit_ranks(rows, w).items())}


def pooled_mrr(result: dict) -> float:
    return sum(r["mrr"] * r["n"] for r in result.values()) / max(sum(r["n"] for r in result.values()), 1)


def cross_validate(rows: list[dict], strength: float, prior: np.ndarray) -> float:
    folds = [rows[i::FOLDS] for i in range(FOLDS)]
    scores = []
    for k in range(FOLDS):
        train = [r for j, fold in enumerate(folds) if j != k for r in fold]
        scores.append(pooled_mrr(figures(folds[k], fit(train, strength, prior))))
    return float(np.mean(scores))


def choose_strength(rows: list[dict], prior: np.ndarray, report=print) -> float:
    cv = {strength: cross_validate(rows, strength, prior) for strength in LAMBDAS}
    for strength, score in cv.items():
        report(f"L2 strength {strength:<6} 5-fold MRR on {len(rows)} fitting questions {score:.4f}")
    return max(cv, key=cv.get), cv


def show(label: str, result: dict) -> None:
    print(f"{label:<30}" + "  ".join(f"{lang} hit@1 {r['hit@1']:.3f} hit@5 {r['hit@5']:.3f} MRR {r['mrr']:.3f}"
                                     for lang, r in result.items()))


def write_fitted(path: Path, by: str, on: list[str], snapshot, names, weights, **fields) -> None:
    """Write fitted weights with what they were fitted by and on (chatbot/finder/fitted.py reads them)."""
    path.write_text(json.dumps({
        "fitted": time.strftime("%Y-%m-%d"), "by": by, "on": on,
        "model": snapshot.index.model_name, "index_version": snapshot.version, **fields,
        "weights": {n: round(float(v), 4) for n, v in zip(names, weights)},
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")


@dataclass
class Fitted:
    args: argparse.Namespace
    snapshot: object
    rows: dict[str, list[dict]]         # split → labelled rows
    strength: float
    cv: dict[float, float]
    weights: np.ndarray


def run_fit(description: str, weights_file: Path, labelled: Callable, fit_splits: tuple[str, ...],
            scored_splits: tuple[str, ...], prior: np.ndarray) -> Fitted:
    """The shared command line of the fitting scripts: label the splits, pick the L2 strength by
    cross-validation on the fitting ones, fit."""
    from chatbot.config import Settings
    from chatbot.finder.service import FinderService
    from bench.eval_retrieval import load_questions, split_files

    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"write {weights_file.name}")
    args = parser.parse_args()
    service = FinderService(Settings().with_overrides({"threads": 2}))
    rows = {split: labelled(service, load_questions(split)) for split in (*fit_splits, *scored_splits)
            if all(p.is_file() for p in split_files(split))}
    fitting = [r for split in fit_splits for r in rows.get(split, [])]
    strength, cv = choose_strength(fitting, prior)
    return Fitted(args, service.snapshot(), rows, strength, cv, fit(fitting, strength, prior))


def finish(run: Fitted, by: str, weights_file: Path, fit_splits: tuple[str, ...], names, **extra) -> None:
    """Print the fitted weights and, with --write, write them (and ``extra`` fields) with what they
    were fitted on."""
    from bench.eval_retrieval import ROOT, split_files

    for name, value in zip(names, run.weights):
        print(f"  {name:<22}{value:+.3f}")
    if run.args.write:
        write_fitted(weights_file, by, [str(p.relative_to(ROOT)) for split in fit_splits for p in split_files(split)],
                     run.snapshot, names, run.weights, l2_strength=run.strength, cv_mrr=round(run.cv[run.strength], 4),
                     **extra)
