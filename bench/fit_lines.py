"""Fit the line selector's weights (chatbot/finder/lines.py) and say how often the chosen line
holds the fact.

For each fitting question the lines of the five best passages are labelled by whether they hold
the question's fact string (whitespace ignored); the weights maximise the softmax likelihood of
the labelled lines (listwise, bench/listwise.py), with an L2 pull towards the selector's fallback
weights whose strength 5-fold cross-validation picks.

Fitting questions: the training questions (tests/data/train_*.jsonl), the dev half and the
answerable questions of the blind scope sets A–D. Only scored: the test half, the holdout and
the fresh blind holdout.

A second set of weights adds the nearest labelled questions' vote (lines.NEIGHBOUR_FEATURES): the
bank is the fitting questions (their embeddings and the lines that state their facts); for the
fit, each question's neighbours come only from other authors' questions (each blind set is one
author, the evaluation set's parts another), as a citizen's question has no sibling in the bank.

    python -m bench.fit_lines            # fit, print "chosen line holds the fact" per split
    python -m bench.fit_lines --write    # also write chatbot/finder/answer/lines.json and lines_bank.npz
"""
from __future__ import annotations


import numpy as np

from chatbot.finder.answer.lines import (BANK_FILE, FEATURES, NEIGHBOUR_FEATURES, NEIGHBOURS, WEIGHTS_FILE,
                                  fallback_weights, neighbour_line_features, save_bank)
from chatbot.finder.service import FinderService
from bench.eval_retrieval import author
from chatbot.finder.evaluation import holds_fact
from bench.listwise import choose_strength, finish, first_hit_ranks, fit, run_fit


FIT_SPLITS = ("train", "dev", "blind")
SCORED_SPLITS = ("test", "holdout")     # the fresh blind holdout is scored once, by eval_answers.py


def labelled(service: FinderService, questions: list[dict]) -> list[dict]:
    """Per question: the candidate lines' features and labels, and for the neighbour features its
    unit vector, the candidates' ids, every quotable line stating its fact and its author."""
    snapshot = service.snapshot()
    selector = snapshot.answerer.selector
    every_line = [((p.document_id, line.number), line.text) for p in snapshot.index.passages for line in selector.lines(p)]
    rows = []
    for q in questions:
        question = snapshot.analyse(q["question"])
        result = snapshot.retriever.search(question, top_k=5)
        X, where = selector.features(question, [h.passage for h in result.hits], [h.score for h in result.hits],
                                     result.query_vector)
        rows.append({"lang": q["lang"], "X": X, "y": np.array([holds_fact(line.text, q["fact"]) for line, _, _ in where]),
                     "ids": [(p.document_id, line.number) for line, p, _ in where],
                     "vector": result.query_vector / np.linalg.norm(result.query_vector),
                     "gold": frozenset(key for key, text in every_line if holds_fact(text, q["fact"])),
                     "author": author(q)})
    return rows


def with_neighbours(rows: list[dict], bank: list[dict], own_author_out: bool) -> list[dict]:
    """The rows with NEIGHBOUR_FEATURES appended, from the bank's questions (by other authors only
    when ``own_author_out``: for the fitting questions themselves)."""
    vectors = np.array([b["vector"] for b in bank])
    authors = np.array([b["author"] for b in bank])
    out = []
    for r in rows:
        keep = authors != r["author"] if own_author_out else np.ones(len(bank), dtype=bool)
        gold = [b["gold"] for b, k in zip(bank, keep) if k]
        extra = neighbour_line_features(vectors[keep] @ r["vector"], gold, r["ids"])
        out.append({**r, "X": np.hstack([r["X"], extra])})
    return out


def chosen_holds_fact(rows: list[dict], w: np.ndarray) -> dict[str, tuple[int, float, float]]:
    """Per language: n, share whose best line holds the fact, share whose best two lines do."""
    out = {}
    for lang, ranks in first_hit_ranks(rows, w).items():
        n = len(ranks)
        out[lang] = (n, sum(r == 1 for r in ranks) / n, sum(r is not None and r <= 2 for r in ranks) / n)
    return out


def main() -> None:
    prior = fallback_weights().astype(np.float64)
    run = run_fit(__doc__, WEIGHTS_FILE, labelled, FIT_SPLITS, SCORED_SPLITS, prior)
    for split, split_rows in run.rows.items():
        note = " (fitted on)" if split in FIT_SPLITS else ""
        for label, w in (("fallback", prior), ("fitted", run.weights)):
            figures = chosen_holds_fact(split_rows, w)
            print(f"{label:<9}{split + note:<20}" + "  ".join(
                f"{lang} n={n} best line {top1:.3f} best two {top2:.3f}" for lang, (n, top1, top2) in figures.items()))
    bank = [r for split in FIT_SPLITS for r in run.rows.get(split, [])]
    near_prior = np.append(prior, np.zeros(len(NEIGHBOUR_FEATURES)))
    fitting = with_neighbours(bank, bank, own_author_out=True)
    strength, cv = choose_strength(fitting, near_prior, report=lambda line: print("with neighbours: " + line))
    near = fit(fitting, strength, near_prior)
    for split, split_rows in run.rows.items():
        figures = chosen_holds_fact(with_neighbours(split_rows, bank, own_author_out=split in FIT_SPLITS), near)
        print(f"{'neighbours':<11}{split + (' (fitted on)' if split in FIT_SPLITS else ''):<20}" + "  ".join(
            f"{lang} n={n} best line {top1:.3f} best two {top2:.3f}" for lang, (n, top1, top2) in figures.items()))
    for name, value in zip(FEATURES + NEIGHBOUR_FEATURES, near):
        print(f"  with neighbours {name:<22}{value:+.3f}")
    if run.args.write:
        save_bank(BANK_FILE, np.array([r["vector"] for r in bank]), [r["gold"] for r in bank], run.snapshot.index.model_name)
        print(f"wrote {BANK_FILE} ({len(bank)} questions)")
    finish(run, "bench/fit_lines.py", WEIGHTS_FILE, FIT_SPLITS, FEATURES,
           neighbours={"bank": BANK_FILE.name, "questions": len(bank), "k": NEIGHBOURS, "l2_strength": strength,
                       "cv_mrr": round(cv[strength], 4),
                       "weights": {n: round(float(v), 4) for n, v in zip(FEATURES + NEIGHBOUR_FEATURES, near)}})


if __name__ == "__main__":
    main()
