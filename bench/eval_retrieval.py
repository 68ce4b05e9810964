"""Retrieval quality on the project's own evaluation set (tests/data/eval_*.jsonl).

A question is a hit at k when one of the first k cited passages contains its fact string
(whitespace ignored). Prints hit@1, hit@5, MRR per language, top-1 program accuracy and the
"not in the report" calibration against tests/data/eval_unanswerable.jsonl.

With --judged, a passage that blind judges found to answer the question also counts
(tests/data/eval_judgements.jsonl: the top 3 of two system versions and every passage holding the
fact, judged without knowing which was which). The report often states a fact twice in other
words; the fact string sees only one of them. A top passage nobody judged counts as a miss, and
the run says how many there were.

    python -m bench.eval_retrieval                 # dev + test, the configured model
    python -m bench.eval_retrieval --split test    # the held-out half only
    python -m bench.eval_retrieval --split holdout # questions written after the last tuning round
    python -m bench.eval_retrieval --misses        # list what failed
    python -m bench.eval_retrieval --judged        # also count passages judged to answer
"""
from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from chatbot.config import Settings
from chatbot.finder.evaluation import EVALUATION_FILES, figures, read_questions, score
from chatbot.finder.service import FinderService

ROOT = Path(__file__).resolve().parent.parent

DATA = ROOT / "tests" / "data"
# The blind scope holdouts, only ever scored (their answerable questions here, every kind in
# bench/eval_answers.py); fresh8 is kept unscored for the next round.
HOLDOUTS = {"fresh": "scope_holdout.jsonl", "fresh2": "scope_fresh2.jsonl", "fresh3": "scope_fresh3.jsonl",
            "fresh4": "scope_fresh4.jsonl", "fresh5": "scope_fresh5.jsonl", "fresh6": "scope_fresh6.jsonl",
            "fresh7": "scope_fresh7.jsonl", "fresh8": "scope_fresh8.jsonl"}
UNSCORED = ("fresh8",)      # scored only when asked for by name, never by a default run
# The blind scope sets fitted on (the line selector, the scope classifier): their answerable
# questions here, every kind in bench/eval_answers.py, their off-topic ones in bench/fit_scope.py.
BLIND_FILES = ("scope_a.jsonl", "scope_b.jsonl", "scope_c.jsonl", "scope_d.jsonl")
# Splits whose misses may be read (fitted on, or the test half, read before); the others are
# held out: --misses lists nothing for them, so nobody reads one by accident.
READABLE_SPLITS = ("dev", "test", "all", "train", "blind")


def misses_for(split: str, wanted: bool) -> bool:
    """Whether to list a split's misses: only when asked and the split is readable."""
    if wanted and split not in READABLE_SPLITS:
        print(f"(misses of the held-out split {split!r} are not listed: only {', '.join(READABLE_SPLITS)})")
    return wanted and split in READABLE_SPLITS


def author(row: dict) -> str:
    """Who wrote a question: the evaluation set's parts (dev, test, train_*) share their authors;
    each blind set is its own author, its answerable and off-topic rows alike. The neighbour
    features are fitted with each question's neighbours from other authors only."""
    source = (row.get("split") or row["source"]).removesuffix(".jsonl")
    return "evaluation set" if source in ("dev", "test", "train_a", "train_b") else source


def split_files(split: str) -> list[Path]:
    """dev, test, holdout: the evaluation set's parts; all: dev + test; train: the reranker's
    extra training questions (tests/data/train_*.jsonl), never scored as evaluation; blind: the
    answerable questions of the blind scope sets A–D (tests/data/scope_a|b|c|d.jsonl, fitted on);
    fresh … fresh7: those of the blind scope holdouts (HOLDOUTS, only ever scored)."""
    if split == "all":
        return [DATA / name for name in EVALUATION_FILES]
    if split == "train":
        return sorted(DATA.glob("train_*.jsonl"))
    if split == "blind":
        return [p for p in (DATA / name for name in BLIND_FILES) if p.is_file()]
    if split in HOLDOUTS:
        return [DATA / HOLDOUTS[split]]
    return [DATA / f"eval_{split}.jsonl"]


def load_questions(split: str) -> list[dict]:
    """The answerable questions of a split (those with a fact string)."""
    return read_questions(split_files(split))


def load_judgements() -> dict[str, dict[str, str]]:
    """Question id → {passage id: verdict ("answers", "partly" or "no")} from the blind judges."""
    verdicts: dict[str, dict[str, str]] = defaultdict(dict)
    with open(DATA / "eval_judgements.jsonl", encoding="utf-8") as handle:
        for row in map(json.loads, filter(str.strip, handle)):
            verdicts[row["question"]][row["passage"]] = row["verdict"]
    return verdicts


def evaluate(service: FinderService, questions: list[dict], k: int = 5, misses: bool = False,
             judged: dict[str, dict[str, str]] | None = None) -> dict:
    scored = score(service, questions, k, judged)
    for s in scored:
        if misses and (s.rank is None or s.rank > 1):
            q = s.question
            print(f"  MISS@{s.rank or '-'} {q['id']} [{q['category']}] {q['question']} | fact={q['fact']} "
                  f"line={q.get('line')} | top: {s.top.start_line}-{s.top.end_line} {s.top.program_id}")
    return figures(scored)


def calibration(service: FinderService, answerable: dict) -> dict:
    snapshot = service.snapshot()
    with open(DATA / "eval_unanswerable.jsonl", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    out = {}
    for lang in sorted({r["lang"] for r in rows}):
        negatives = sorted(snapshot.retriever.search(snapshot.analyse(r["question"])).confidence
                           for r in rows if r["lang"] == lang)
        positives = answerable.get(lang, {}).get("confidences", [])
        out[lang] = {"unanswerable": negatives, "answerable_p10": positives[len(positives) // 10] if positives else None}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="all", choices=["all", "dev", "test", "holdout", "blind", *HOLDOUTS])
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--judged", action="store_true", help="also count passages judged to answer")
    args = parser.parse_args()
    service = FinderService(Settings())
    questions = load_questions(args.split)
    started = time.monotonic()
    report = evaluate(service, questions, misses=misses_for(args.split, args.misses),
                      judged=load_judgements() if args.judged else None)
    seconds = time.monotonic() - started
    calib = calibration(service, report)
    if args.json:
        print(json.dumps({"split": args.split, "index_version": service.snapshot().version, "report":
                          {k: {m: v for m, v in r.items() if m != "confidences"} for k, r in report.items()}}))
        return
    print(f"index {service.snapshot().version}  model {service.snapshot().index.model_name}  split {args.split}"
          + ("  hit: fact string or judged to answer" if args.judged else "  hit: fact string"))
    print(f"{'lang':<5}{'n':>5}{'hit@1':>8}{'hit@5':>8}{'MRR':>8}{'prog@1':>8}")
    for lang, r in report.items():
        print(f"{lang:<5}{r['n']:>5}{r['hit@1']:>8.3f}{r['hit@5']:>8.3f}{r['mrr']:>8.3f}{r['program@1']:>8.3f}")
    if args.judged:
        print("top passages nobody judged (counted as misses): "
              + ", ".join(f"{lang} {r['unjudged@1']}" for lang, r in report.items()))
    print(f"{len(questions)} questions in {seconds:.1f}s ({1000 * seconds / len(questions):.1f} ms each, in-process)")
    for lang, c in calib.items():
        print(f"calibration {lang}: answerable p10 confidence {c['answerable_p10']:.3f}; "
              f"unanswerable {', '.join(f'{v:.3f}' for v in c['unanswerable'])}")


if __name__ == "__main__":
    main()
