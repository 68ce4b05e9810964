"""The audit log: who uploaded, edited, built, published or rolled back what, and when.

Rows are inserted and never deleted; ``detail`` holds what the action was about (file hashes,
versions, changed fields) as JSON so a citizen's screenshot can be traced back to a decision. The
one row that changes is a burst's (:func:`record_burst`): attempts refused over and over, such as
a throttled sign-in, count up in one row instead of filling the log."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from chatbot.admin.db import connect, read


BURST_GAP = 15 * 60          # seconds of quiet after which the same refusal starts a new row


def utc_now(moment: datetime | None = None) -> str:
    return (moment or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: dict
    ip: str


def record(db_path: Path, actor: str, action: str, target: str = "", detail: dict | None = None,
           ip: str = "") -> None:
    with connect(db_path) as conn:
        conn.execute("INSERT INTO audit (at, actor, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)",
                     (utc_now(), actor, action, target, json.dumps(detail or {}, ensure_ascii=False), ip))


def record_burst(db_path: Path, action: str, target: str, ip: str, gap: float = BURST_GAP) -> None:
    """One row per burst of the same refusal (action, target, address): the first inserts
    ``{attempts: 1, since, last}``, each later one within ``gap`` seconds of the last adds one to
    ``attempts``. In one write transaction, so workers counting at once do not split the row."""
    moment = datetime.now(timezone.utc)
    now, quiet_since = utc_now(moment), utc_now(moment - timedelta(seconds=gap))
    with connect(db_path) as conn:
        row = conn.execute("SELECT id, detail FROM audit WHERE action = ? AND target = ? AND ip = ? "
                           "ORDER BY id DESC LIMIT 1", (action, target, ip)).fetchone()
        detail = json.loads(row["detail"]) if row else {}
        if row and str(detail.get("last", "")) >= quiet_since:
            detail.update(attempts=int(detail.get("attempts", 1)) + 1, last=now)
            conn.execute("UPDATE audit SET detail = ? WHERE id = ?", (json.dumps(detail), row["id"]))
        else:
            conn.execute("INSERT INTO audit (at, actor, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)",
                         (now, target, action, target, json.dumps({"attempts": 1, "since": now, "last": now}), ip))


def entries(db_path: Path, action: str = "", target: str = "", limit: int = 200, before: int | None = None
            ) -> list[AuditEntry]:
    """Newest first; ``action`` matches a prefix ("catalog." finds every catalog action)."""
    query = "SELECT * FROM audit WHERE action LIKE ? AND (? = '' OR target = ?)"
    params: list = [action.replace("%", "") + "%", target, target]
    if before is not None:
        query += " AND id < ?"
        params.append(before)
    query += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    with read(db_path) as conn:
        rows = conn.execute(query, params).fetchall()
    return [AuditEntry(r["id"], r["at"], r["actor"], r["action"], r["target"], json.loads(r["detail"]), r["ip"])
            for r in rows]
