"""What staff see beside a built version before publishing it: its evaluation figures (stored per
version, so each is scored once) and a few questions asked of its new text."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

from sqlalchemy import select

from chatbot.config import Settings
from chatbot.admin.audit import utc_now
from chatbot.storage.database import Database, state_database
from chatbot.storage.statements import upsert
from chatbot.storage.tables import evaluations

_SERVICES: dict[tuple[str, int], object] = {}


def stored_figures(db: Database, version: str | None) -> dict | None:
    if not version:
        return None
    with db.read() as conn:
        figures = conn.execute(select(evaluations.c.figures).where(evaluations.c.version == version)).scalar()
    return json.loads(figures) if figures is not None else None


def _service(settings: Settings, version: str, embedder):
    """One loaded finder per version for the whole build process: the evaluation and the sample
    questions ask the same two versions, and loading one takes seconds."""
    from chatbot.finder.service import FinderService

    key = (version, id(embedder))
    if key not in _SERVICES:
        _SERVICES[key] = FinderService(settings, embedder=embedder, version=version)
    return _SERVICES[key]


def evaluate_version(settings: Settings, version: str, embedder=None) -> dict:
    """hit@1, hit@5, MRR and program@1 per language of the project's evaluation set, on ``version``
    (loaded and verified beside whatever is live), stored so each version is evaluated once."""
    db = state_database(settings)
    cached = stored_figures(db, version)
    if cached is not None:
        return cached
    from chatbot.finder.evaluation import EVALUATION_FILES, figures, read_questions, score

    paths = [Path(settings.eval_dir) / name for name in EVALUATION_FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        return {"error": f"evaluation set missing: {', '.join(missing)} (CHATBOT_EVAL_DIR)"}
    questions = read_questions(paths)

    started = time.monotonic()
    report = figures(score(_service(settings, version, embedder), questions))
    rounded = {lang: {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items() if k != "confidences"}
               for lang, row in report.items()}
    rounded["_seconds"] = round(time.monotonic() - started, 1)
    store_figures(db, version, rounded)
    return rounded


def store_figures(db: Database, version: str, figures: dict) -> None:
    """The version's figures, replacing any stored before (two builds of one version may race)."""
    with db.write() as conn:
        statement = upsert(conn, evaluations).values(version=version, at=utc_now(), figures=json.dumps(figures))
        conn.execute(statement.on_conflict_do_update(index_elements=[evaluations.c.version], set_={
            "at": statement.excluded.at, "figures": statement.excluded.figures}))


_BULLET = re.compile(r"^[\s□○◦ㅇ\-–·•*※▸▶①-⑳]+")


def sample_questions(settings: Settings, version: str, live: str | None, embedder=None, limit: int = 5) -> list[dict]:
    """Does the new text answer? Up to ``limit`` lines found in the new version and not in the live
    one, each asked as a citizen's question of the new version: its status, and whether the answer
    cites the passage holding that line (staff see this with the build result)."""
    from chatbot.documents.corpus import collapse_whitespace

    new = _service(settings, version, embedder).snapshot().answerer
    old_ids: set[str] = set()
    old_lines: set[str] = set()
    if live:
        old = _service(settings, live, embedder).snapshot().answerer
        old_ids = {p.id for p in old.retriever.index.passages}
        old_lines = {collapse_whitespace(line) for p in old.retriever.index.passages for line in p.text.splitlines()}
    samples: list[dict] = []
    for passage in new.retriever.index.passages:
        if passage.id in old_ids:
            continue
        fresh = [_BULLET.sub("", line).strip() for line in passage.text.splitlines()
                 if collapse_whitespace(line) not in old_lines]
        question = next((line[:80] for line in fresh if len(line) >= 8), None)
        if question is None:
            continue
        answer = new.answer(question)
        cited = any(c.passage.id == passage.id for c in answer.citations)
        samples.append({"question": question, "status": answer.status, "cites": cited,
                        "document": passage.document_id, "lines": [passage.start_line, passage.end_line]})
        if len(samples) >= limit:
            break
    return samples
