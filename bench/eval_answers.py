"""What a citizen reads: does the answer state the fact, and is its status right?

Runs every question through the whole answer pipeline (chatbot/finder/pipeline.py) and prints,
per split and language:

- answerable questions: **answer states fact** (the ``answer`` text contains the question's fact
  string, whitespace ignored), the share answered (status ``answered``) and refused (any other
  status);
- questions the report does not answer (tests/data/scope_*.jsonl kinds ``off_topic`` and
  ``unstated_fact``, and tests/data/eval_unanswerable.jsonl): the share that got
  ``not_in_report``, and for unstated details of a described program, ``partial`` or
  ``not_in_report``;
- vague questions: the share asked back (``clarify``);
- answers with more than three sentences before the citations, or quoting one line twice;
- for answerable questions, the answers' mean length and the share that quote two lines (the
  metric rewards quoting more, so both are printed next to it).

Splits: dev, test and holdout of the evaluation set; ``blind`` = the blind scope sets A–D (C
written in the round that scored fresh5 and D in the one that scored fresh6, each scored once
before it was fitted on; fitted on by bench/fit_scope.py and bench/fit_lines.py); ``fresh`` = the blind scope holdout
(tests/data/scope_holdout.jsonl), written by a helper who never saw the code, only ever scored,
its misses never read; ``fresh2`` = a second blind holdout (tests/data/scope_fresh2.jsonl, 200
questions), written by another such helper after the first one's figures had been seen several
times, scored once per round and never read; ``fresh3`` = a third one (tests/data/scope_fresh3.jsonl),
written at the end of the round that first scored fresh2, kept unscored until the next round scored
it once, on its final code; ``fresh4`` = a fourth one (tests/data/scope_fresh4.jsonl), written by a
fifth blind helper in the round that scored fresh3 and scored in the next round, on its final code;
``fresh5`` (tests/data/scope_fresh5.jsonl), written by a sixth in the round that scored fresh4 and
scored in the next round, on its final code; ``fresh6`` (tests/data/scope_fresh6.jsonl), written by
a seventh in the round that scored fresh5 and first scored in the next; ``fresh7``
(tests/data/scope_fresh7.jsonl), written in the round that scored fresh6 and first scored at the
start of the next (on that round's code: before any of its changes); ``fresh8``
(tests/data/scope_fresh8.jsonl, 200, written that round), kept unscored for the round after.

    python -m bench.eval_answers                    # every split but the unscored fresh8
    python -m bench.eval_answers --split fresh2     # one split
    python -m bench.eval_answers --misses --split dev
"""
from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter, defaultdict

from chatbot.config import Settings
from chatbot.finder.service import FinderService
from bench.eval_retrieval import BLIND_FILES, DATA, HOLDOUTS, UNSCORED, misses_for
from chatbot.finder.evaluation import holds_fact


SPLITS = {
    "dev": ["eval_dev.jsonl"],
    "test": ["eval_test.jsonl"],
    "holdout": ["eval_holdout.jsonl"],
    "blind": [*BLIND_FILES, "eval_unanswerable.jsonl"],
    **{split: [name] for split, name in HOLDOUTS.items()},
}
_SENTENCE = re.compile(r"(?<=[.?!])\s+(?=[^\s”])")


def rows(split: str) -> list[dict]:
    out = []
    for name in SPLITS[split]:
        path = DATA / name
        if path.is_file():
            for row in map(json.loads, filter(str.strip, path.open(encoding="utf-8"))):
                kind = row.get("kind") or ("answerable" if row.get("fact") else "off_topic")
                out.append({**row, "kind": kind})
    return out


def group(lang: str) -> str:
    return lang if lang in ("ko", "en") else "other"


def sentences(text: str) -> int:
    """Sentences before the citations: the text split after ". ", "? ", "! " outside quotes."""
    outside = re.sub(r"\([^()]*\)", "()", re.sub(r"“[^”]*”", "“”", text))   # quotes and (notes) aside
    return len([s for s in _SENTENCE.split(outside) if s.strip()])


def evaluate(service: FinderService, split: str, misses: bool = False) -> dict:
    answerer = service.snapshot().answerer
    tally: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in rows(split):
        answer = answerer.answer(row["question"])
        key = (row["kind"], group(row["lang"]))
        t = tally[key]
        t["n"] += 1
        t[answer.status] += 1
        t["long"] += sentences(answer.text) > 3
        t["repeated_quote"] += len({q.text for q in answer.quotes}) < len(answer.quotes)
        ok = True
        if row["kind"] == "answerable":
            ok = holds_fact(answer.text, row["fact"])
            t["states_fact"] += ok
            t["chars"] += len(answer.text)
            t["two_quotes"] += len(answer.quotes) >= 2
        elif row["kind"] == "off_topic":
            ok = answer.status == "not_in_report"
        elif row["kind"] == "unstated_fact":
            ok = answer.status in ("partial", "not_in_report")
        elif row["kind"] == "vague":
            ok = answer.status == "clarify"
        if misses and not ok:
            print(f"  MISS {row['id']} [{row['kind']}/{row['lang']}] {row['question']}\n"
                  f"       {answer.status}: {answer.text[:160]}" + (f"\n       fact: {row['fact']}" if row.get("fact") else ""))
    return tally


def report(split: str, tally: dict) -> None:
    for (kind, lang), t in sorted(tally.items()):
        n = t["n"]
        share = lambda k: t[k] / n  # noqa: E731
        if kind == "answerable":
            main = (f"states fact {share('states_fact'):.3f}  answered {share('answered'):.3f}  "
                    f"refused {1 - share('answered'):.3f}  length {t['chars'] / n:.0f} chars  two quotes {share('two_quotes'):.2f}")
        elif kind == "off_topic":
            main = f"not_in_report {share('not_in_report'):.3f}  (partial {share('partial'):.3f})"
        elif kind == "unstated_fact":
            main = f"partial or not_in_report {share('partial') + share('not_in_report'):.3f}  (partial {share('partial'):.3f})"
        else:
            main = f"clarify {share('clarify'):.3f}"
        extra = f"  >3 sentences {t['long']}  repeated quote {t['repeated_quote']}" if t["long"] or t["repeated_quote"] else ""
        print(f"{split:<8}{kind:<14}{lang:<6}n={n:<4}{main}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=list(SPLITS), action="append")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    service = FinderService(Settings())
    snapshot = service.snapshot()
    print(f"index {snapshot.version}  model {snapshot.index.model_name}")
    for split in args.split or [s for s in SPLITS if s not in UNSCORED]:
        started = time.monotonic()
        tally = evaluate(service, split, misses_for(split, args.misses))
        report(split, tally)
        print(f"        ({sum(t['n'] for t in tally.values())} questions in {time.monotonic() - started:.1f}s)")


if __name__ == "__main__":
    main()
