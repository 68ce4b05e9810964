"""The naive baseline the structure-aware index is measured against: fixed windows of 8 source
lines, dense retrieval only, same model and same evaluation set.

    python -m bench.baseline_windows [--split all|dev|test] [--window 8]
"""
from __future__ import annotations

import argparse

import numpy as np

from chatbot.config import Settings
from chatbot.documents.corpus import collapse_whitespace, load_corpus
from chatbot.index.embedding import create_embedder
from bench.eval_retrieval import load_questions
from chatbot.finder.evaluation import holds_fact, rank_figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="all", choices=["all", "dev", "test"])
    parser.add_argument("--window", type=int, default=8)
    args = parser.parse_args()
    settings = Settings()
    embedder = create_embedder(settings.embed_backend, settings.embed_model, threads=2)
    document = load_corpus(settings.corpus_dir)[0]
    windows = ["\n".join(document.lines[i : i + args.window]) for i in range(0, len(document.lines), args.window)]
    windows = [w for w in windows if w.strip()]
    vectors = embedder.embed_batch([collapse_whitespace(w) for w in windows])
    for lang in ("ko", "en"):
        questions = [q for q in load_questions(args.split) if q["lang"] == lang]
        ranks = []
        for q in questions:
            scores = vectors @ embedder.embed_batch([q["question"]], kind="query")[0]
            order = np.argsort(-scores)[:5]
            ranks.append(next((r for r, i in enumerate(order, 1) if holds_fact(windows[i], q["fact"])), None))
        figures = rank_figures(ranks)
        print(f"{lang}: n {figures['n']}  hit@1 {figures['hit@1']:.3f}  hit@5 {figures['hit@5']:.3f}  "
              f"({len(windows)} windows of {args.window} lines)")


if __name__ == "__main__":
    main()
