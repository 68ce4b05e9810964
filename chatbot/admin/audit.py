"""The audit log: who uploaded, edited, built, published or rolled back what, and when.

Rows are only ever inserted; ``detail`` holds what the action was about (file hashes, versions,
changed fields) as JSON so a citizen's screenshot can be traced back to a decision."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from chatbot.admin.db import connect, read


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


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
