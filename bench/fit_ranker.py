"""Fit the reranker's weights (chatbot/finder/rerank.py) on the training questions and the dev half.

For each fitting question the first stage's candidates are labelled by whether they contain the
question's fact string; the weights maximise the softmax likelihood of the labelled passages
(listwise), with an L2 pull towards the first stage's own hand-set fusion. The pull's strength is
chosen by 5-fold cross-validation on the fitting questions (mean reciprocal rank over all of them,
so each question counts once, whatever its language). The test half and the holdout are only
scored, never fitted.

Fitting questions: tests/data/train_*.jsonl (written for this, never scored as evaluation) and
the dev half. With the dev half alone (119 questions) cross-validation chose strong
regularisation and the reranker stayed close to the fusion; with 419 it chooses a weak one.

    python -m bench.fit_ranker            # fit, print figures per split, do not write
    python -m bench.fit_ranker --write    # also write chatbot/finder/ranker.json
"""
from __future__ import annotations


import numpy as np

from chatbot.finder.facets import FACETS
from chatbot.finder.rerank import FEATURES, WEIGHTS_FILE, LinearReranker, PassageFeatures
from chatbot.finder.retrieve import RetrievalSettings
from chatbot.finder.service import FinderService
from chatbot.finder.evaluation import holds_fact
from bench.listwise import figures, finish, run_fit, show


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
    snapshot = service.snapshot()
    retriever = snapshot.retriever
    scorer = LinearReranker(dict.fromkeys(FEATURES, 0.0), PassageFeatures(retriever.index.passages,
                                                                          retriever.index.tokens), retriever.idf)
    rows = []
    for q in questions:
        question = snapshot.analyse(q["question"])
        candidates = retriever.candidates(retriever.first_stage(question))
        labels = np.array([holds_fact(retriever.index.passages[i].text, q["fact"]) for i in candidates.ids])
        rows.append({"lang": q["lang"], "X": scorer.features(question, candidates), "y": labels})
    return rows


def main() -> None:
    run = run_fit(__doc__, WEIGHTS_FILE, labelled, FIT_SPLITS, SCORED_SPLITS, prior())
    for split, split_rows in run.rows.items():
        note = " (fitted on)" if split in FIT_SPLITS else ""
        show(f"first stage, {split}{note}:", figures(split_rows, prior()))
        show(f"reranked, {split}{note}:", figures(split_rows, run.weights))
    finish(run, "bench/fit_ranker.py", WEIGHTS_FILE, FIT_SPLITS, FEATURES)


if __name__ == "__main__":
    main()
