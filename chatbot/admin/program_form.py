"""Between the program form and a program record: rows in, a record dict out (and back).

Blank rows are ignored and rows ticked "remove" are dropped, so the form works without
JavaScript: it always shows a couple of empty rows to add to. The report section and block the
chunker reads are not on the form: a save keeps them as the record has them."""
from __future__ import annotations

import json
from typing import Any

import yaml

from chatbot.documents.corpus import collapse_whitespace
from chatbot.admin.forms import ProgramForm

BLANK_ROWS = 2
SECTIONS = ("benefits", "eligibility", "schedule", "places", "sources")
KEPT = ("section", "block")     # record keys the form does not show: a save keeps them as stored


def _lines(start: int | None, end: int | None) -> list:
    return [start, end if end is not None else start]


def _clause(row) -> dict:
    return {"text": collapse_whitespace(row["text"] or ""), "document": row["document"] or "",
            "lines": _lines(row["start"], row["end"])}


def parse_value(op: str, raw: str) -> Any:
    """The criterion value as typed: YAML scalars and lists ("[20, 39]", "20, 39", "true")."""
    raw = (raw or "").strip()
    if op == "present":
        return None
    if op == "text":
        return raw
    if not raw:
        return None
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    if op in ("between", "in") and not isinstance(value, list):
        value = [yaml.safe_load(part.strip()) for part in raw.strip("[]").split(",") if part.strip()]
    return value


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


_PRESET = ("remove", "op", "field", "document", "selection")   # selects and boxes alone do not make a row


def _blank(row: dict) -> bool:
    def empty(value) -> bool:
        if isinstance(value, dict):
            return all(empty(v) for k, v in value.items() if k not in _PRESET)
        return value in (None, "", [])
    return empty(row)


def record_from_form(form: ProgramForm, stored: dict | None = None) -> dict:
    """The record the form describes; ``stored`` is the record it was opened from, whose
    :data:`KEPT` keys (not on the form) are carried over."""
    data = form.data
    record: dict = {
        "id": (data["id"] or "").strip(),
        "name": {"ko": data["name_ko"].strip(), "en": data["name_en"].strip()},
        **{key: stored[key] for key in KEPT if (stored or {}).get(key) is not None},
    }
    aliases = {lang: alias_list(data[f"aliases_{lang}"]) for lang in ("ko", "en")}
    if any(aliases.values()):
        record["aliases"] = aliases
    record |= {
        "summary": {"ko": data["summary_ko"].strip(), "en": data["summary_en"].strip()},
        "category": data["category"],
        "audience": list(data["audience"] or []),
    }
    rows = {name: [r for r in data[name] if not r.get("remove") and not _blank(r)] for name in SECTIONS}
    record["benefits"] = [{"text": {"ko": r["text_ko"].strip(), "en": r["text_en"].strip()}, "clause": _clause(r["clause"])}
                          for r in rows["benefits"]]
    record["eligibility"] = []
    for r in rows["eligibility"]:
        criterion = {"field": r["field"] or None, "op": r["op"], "value": parse_value(r["op"], r["value"]),
                     "clause": _clause(r["clause"]), "met_by": _words(r.get("met_by")), "part": _words(r.get("part")),
                     "selection": True if r.get("selection") else None,
                     "alternative": (r.get("alternative") or "").strip() or None}
        record["eligibility"].append({k: v for k, v in criterion.items() if v is not None or k == "field"})
    record["schedule"] = [{"what": {"ko": r["what_ko"].strip(), "en": r["what_en"].strip()}, "when": r["when"].strip(),
                           "clause": _clause(r["clause"])} for r in rows["schedule"]]
    record["places"] = [{"name": {"ko": r["name_ko"].strip(), "en": r["name_en"].strip()}, "clause": _clause(r["clause"])}
                        for r in rows["places"]]
    record["sources"] = [{"document": r["document"], "lines": _lines(r["start"], r["end"])} for r in rows["sources"]]
    steps = next_steps_record(data.get("next_steps") or {})
    if steps:
        record["next_steps"] = steps
    return record


_PAIRS = ("how_to_apply", "office", "hours")


def next_steps_record(form: dict) -> dict | None:
    """The staff's next steps as a record (None when every box is empty); a language left empty
    takes the other's words so a half-filled pair is not a schema error the staff cannot see."""
    raw = {k: (v or "").strip() for k, v in form.items() if isinstance(v, str) or v is None}
    if not any(raw.values()):
        return None
    steps: dict = {}
    for name in _PAIRS:
        ko, en = raw.get(f"{name}_ko", ""), raw.get(f"{name}_en", "")
        if ko or en:
            steps[name] = {"ko": ko or en, "en": en or ko}
    for name in ("phone", "web", "provided_by", "checked_on"):
        if raw.get(name):
            steps[name] = raw[name]
    return steps


def alias_list(raw: str | None) -> list[str]:
    """Aliases as typed: one per line or separated by commas, blanks and repeats dropped."""
    return list(dict.fromkeys(w for line in (raw or "").splitlines() for w in _words(line) or ()))


def _words(raw: str | None) -> list[str] | None:
    """"unemployed, day_laborer" → ["unemployed", "day_laborer"]; blank → None (omitted)."""
    words = [w.strip() for w in (raw or "").replace("[", "").replace("]", "").split(",") if w.strip()]
    return words or None


def _clause_data(clause: dict) -> dict:
    lines = clause.get("lines") or [None, None]
    return {"text": clause.get("text", ""), "document": clause.get("document", ""), "start": lines[0], "end": lines[1]}


def form_data(record: dict) -> dict:
    """The record as nested form data for ``ProgramForm(data=…)``."""
    return {
        "id": record.get("id", ""),
        "name_ko": record.get("name", {}).get("ko", ""), "name_en": record.get("name", {}).get("en", ""),
        **{f"aliases_{lang}": "\n".join((record.get("aliases") or {}).get(lang) or []) for lang in ("ko", "en")},
        "summary_ko": record.get("summary", {}).get("ko", ""), "summary_en": record.get("summary", {}).get("en", ""),
        "category": record.get("category"), "audience": record.get("audience", []),
        "benefits": [{"text_ko": b["text"]["ko"], "text_en": b["text"]["en"], "clause": _clause_data(b["clause"])}
                     for b in record.get("benefits", [])],
        "eligibility": [{"field": c.get("field") or "", "op": c["op"], "value": format_value(c.get("value")),
                         "met_by": ", ".join(c.get("met_by") or []), "part": ", ".join(c.get("part") or []),
                         "selection": bool(c.get("selection")), "alternative": c.get("alternative") or "",
                         "clause": _clause_data(c["clause"])}
                        for c in record.get("eligibility", [])],
        "schedule": [{"what_ko": s["what"]["ko"], "what_en": s["what"]["en"], "when": s["when"],
                      "clause": _clause_data(s["clause"])} for s in record.get("schedule", [])],
        "places": [{"name_ko": p["name"]["ko"], "name_en": p["name"]["en"], "clause": _clause_data(p["clause"])}
                   for p in record.get("places", [])],
        "sources": [{"document": s["document"], "start": s["lines"][0], "end": s["lines"][1]}
                    for s in record.get("sources", [])],
        "next_steps": next_steps_form_data(record.get("next_steps") or {}),
    }


def next_steps_form_data(steps: dict) -> dict:
    data = {f"{name}_{lang}": (steps.get(name) or {}).get(lang, "") for name in _PAIRS for lang in ("ko", "en")}
    data.update({name: str(steps.get(name) or "") for name in ("phone", "web", "provided_by", "checked_on")})
    return data


def prepare(form: ProgramForm, document_ids: list[str], blank_rows: int = BLANK_ROWS) -> ProgramForm:
    """Add empty rows to fill in and offer the active documents in every document choice."""
    choices = [(d, d) for d in document_ids]
    for name in SECTIONS:
        field_list = getattr(form, name)
        for _ in range(blank_rows):
            field_list.append_entry()
        for row in field_list:
            target = row.form.document if name == "sources" else row.form.clause.form.document
            target.choices = choices
    return form
