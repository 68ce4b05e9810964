"""Eligibility verdicts inside /api/ask.

Sets (``--set``): ``written`` = tests/data/eval_verdicts.jsonl (48 questions written with the code:
development figures); ``dev`` = tests/data/eligibility_dev.jsonl (70, written blind, fitted and
read from); ``holdout`` = tests/data/eligibility_holdout.jsonl (70, written blind by another
helper, only ever scored, its misses never read); ``fresh2`` = tests/data/eligibility_fresh2.jsonl
(66, written blind by a third helper after the holdout's figures had been seen, only scored);
``fresh3`` = tests/data/eligibility_fresh3.jsonl (66, written blind by a fourth helper, scored
only at the end of the next round, on its final code); ``fresh4`` =
tests/data/eligibility_fresh4.jsonl (66, a fifth helper, written in that round and scored at the
end of the next one); ``fresh5`` = tests/data/eligibility_fresh5.jsonl (66, a sixth helper, written
in the round that scored fresh4, first scored at the end of the one after); ``train2`` =
tests/data/eligibility_train2.jsonl (120, a second blind training set, read); ``fresh6`` =
tests/data/eligibility_fresh6.jsonl (66, written in the round that scored fresh5, first scored at
the start of the next, on that round's code); ``train3`` = tests/data/eligibility_train3.jsonl (90,
a third blind training set, written and read that round); ``fresh7`` =
tests/data/eligibility_fresh7.jsonl (66, written that round by another blind helper, scored only
at its end); ``fresh8`` = tests/data/eligibility_fresh8.jsonl (66, written at the end of that
round, kept unscored for the next). A default run reads only the written set.

Each row is a citizen-style question with the program it is about and the verdict the report
decides from what the question says (eligible / ineligible) or cannot decide (unknown); rows with
verdict ``none`` ask about a scheme the catalog does not hold and must get no verdict at all. The
question goes through the whole answer pipeline (analysis, retrieval, the eligibility extra);
the ``eligibility`` field of the answer is compared with the row.

Printed figures:

- a verdict at all: rows about a catalog program that got an ``eligibility`` field (target 90%),
  and of those, for the right program;
- verdict accuracy on decided cases: right program and right verdict, over the rows whose
  expected verdict is eligible or ineligible (target 100%);
- false "eligible": answers that say eligible when the row does not (or about another program)
  (target 0, on every row);
- unknown kept unknown, off-catalog questions left without a verdict, program accuracy (rows
  about a catalog program) and catalog rows that got no verdict at all.

    python -m bench.eval_verdicts                   # the written set, index/current
    python -m bench.eval_verdicts --set dev --misses
    python -m bench.eval_verdicts --set holdout     # score only: never read its misses
    python -m bench.eval_verdicts --index-dir var/test-index
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from chatbot.config import Settings
from chatbot.finder.service import FinderService

ROOT = Path(__file__).resolve().parent.parent

SETS = {"written": "eval_verdicts.jsonl", "dev": "eligibility_dev.jsonl", "train": "eligibility_train.jsonl", "holdout": "eligibility_holdout.jsonl",
        "fresh2": "eligibility_fresh2.jsonl", "fresh3": "eligibility_fresh3.jsonl", "fresh4": "eligibility_fresh4.jsonl",
        "fresh5": "eligibility_fresh5.jsonl", "train2": "eligibility_train2.jsonl",
        "fresh6": "eligibility_fresh6.jsonl", "train3": "eligibility_train3.jsonl",
        "fresh7": "eligibility_fresh7.jsonl", "fresh8": "eligibility_fresh8.jsonl"}
DATA = ROOT / "tests" / "data" / SETS["written"]
READABLE_SETS = ("written", "dev", "train", "train2", "train3")      # fitted on or read; the rest are held out


def load_rows(path: Path = DATA) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def run(service: FinderService, rows: list[dict]) -> list[dict]:
    answerer = service.snapshot().answerer
    out = []
    for row in rows:
        answer = answerer.answer(row["question"])
        got = answer.eligibility
        out.append({**row, "got_program": got.program.id if got else None,
                    "got_verdict": got.verdict.verdict if got else None, "status": answer.status,
                    "first": answer.text[:200]})
    return out


def score(results: list[dict]) -> dict:
    decided = [r for r in results if r["verdict"] in ("eligible", "ineligible")]
    unknown = [r for r in results if r["verdict"] == "unknown"]
    outside = [r for r in results if r["verdict"] == "none"]
    catalog = [r for r in results if r["verdict"] != "none"]

    def right(r: dict) -> bool:
        return r["got_program"] == r["program_id"] and r["got_verdict"] == r["verdict"]

    false_eligible = [r for r in results if r["got_verdict"] == "eligible"
                      and (r["verdict"] != "eligible" or r["got_program"] != r["program_id"])]
    return {
        "n": len(results),
        "decided": len(decided),
        "decided_correct": sum(right(r) for r in decided),
        "accuracy_decided": sum(right(r) for r in decided) / max(len(decided), 1),
        "unknown": len(unknown),
        "unknown_kept": sum(right(r) for r in unknown),
        "false_eligible": len(false_eligible),
        "outside": len(outside),
        "outside_silent": sum(r["got_verdict"] is None for r in outside),
        "catalog": len(catalog),
        "program_correct": sum(r["got_program"] == r["program_id"] for r in catalog),
        "no_verdict": sum(r["got_verdict"] is None for r in catalog),
        "verdict_given": sum(r["got_verdict"] is not None for r in catalog) / max(len(catalog), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", type=Path, help="index directory (default: CHATBOT_INDEX_DIR or ./index)")
    parser.add_argument("--misses", action="store_true", help="list the rows that went wrong")
    parser.add_argument("--set", choices=list(SETS), default="written", help="which question set")
    args = parser.parse_args(argv)
    settings = Settings().with_overrides({"index_dir": args.index_dir} if args.index_dir else {})
    service = FinderService(settings)
    started = time.monotonic()
    service.snapshot()
    results = run(service, load_rows(ROOT / "tests" / "data" / SETS[args.set]))
    by_lang: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_lang[r["lang"]].append(r)
    print(f"index {service.snapshot().version}  model {service.snapshot().index.model_name}  "
          f"({time.monotonic() - started:.1f}s)")
    for name, rows in [*sorted(by_lang.items()), ("all", results)]:
        s = score(rows)
        print(f"{name:>4}: n={s['n']:3d}  verdict given {s['verdict_given']:.1%}  "
              f"verdict accuracy on decided {s['decided_correct']}/{s['decided']} "
              f"= {s['accuracy_decided']:.1%}  false eligible {s['false_eligible']}  "
              f"unknown kept {s['unknown_kept']}/{s['unknown']}  off-catalog silent "
              f"{s['outside_silent']}/{s['outside']}  program {s['program_correct']}/{s['catalog']}  "
              f"no verdict {s['no_verdict']}")
    if args.misses and args.set not in READABLE_SETS:
        print(f"(misses of the held-out set {args.set!r} are not listed: only {', '.join(READABLE_SETS)})")
    elif args.misses:
        for r in results:
            expected = (None, None) if r["verdict"] == "none" else (r["program_id"], r["verdict"])
            if (r["got_program"], r["got_verdict"]) != expected:
                print(f"  MISS {r['id']} [{r['lang']}] {r['question']}\n"
                      f"       expected {r['program_id']}/{r['verdict']}, got {r['got_program']}/{r['got_verdict']}"
                      f" ({r['note']})")
    overall = score(results)
    return 0 if overall["false_eligible"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
