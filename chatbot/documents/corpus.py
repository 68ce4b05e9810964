"""Corpus stage: the source documents the finder answers from.

The manifest (``corpus/documents.yaml``) lists each document with its metadata; the text files
sit beside it. Documents are data: nothing in the code knows what they say.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

MANIFEST_NAME = "documents.yaml"
_WHITESPACE = re.compile(r"\s+")


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path):
    """A YAML data file (documents, programs, glossary, catalog), with libyaml's C parser when the
    wheel has it: the 170 KB catalog parses in a tenth of the time, so a worker loads faster."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_YAML_LOADER)


def collapse_whitespace(text: str) -> str:
    """Join wrapped lines the way a reader sees them (the audit part wraps sentences)."""
    return _WHITESPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    publisher: str
    edition: str
    language: str
    path: Path
    text: str
    title_en: str = ""
    edition_label: str = ""
    active: bool = True
    lines: tuple[str, ...] = field(default=(), repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def line_range(self, start: int, end: int) -> str:
        """Source lines ``start``..``end`` (1-based, inclusive), joined by newlines."""
        if start < 1 or end < start or end > len(self.lines):
            raise ValueError(f"{self.id}: line range {start}-{end} outside 1-{len(self.lines)}")
        return "\n".join(self.lines[start - 1 : end])


class CorpusError(ValueError):
    """The corpus manifest or a document it names is missing or malformed."""


def load_document(entry: dict, corpus_dir: Path) -> Document:
    missing = [k for k in ("id", "path", "title", "publisher", "edition", "language") if not entry.get(k)]
    if missing:
        raise CorpusError(f"document {entry.get('id', '?')}: missing {', '.join(missing)}")
    path = corpus_dir / entry["path"]
    if not path.is_file():
        raise CorpusError(f"document {entry['id']}: file not found: {path}")
    text = path.read_text(encoding="utf-8")
    return Document(
        id=entry["id"],
        title=entry["title"],
        title_en=entry.get("title_en", ""),
        publisher=entry["publisher"],
        edition=str(entry["edition"]),
        edition_label=entry.get("edition_label", str(entry["edition"])),
        language=entry["language"],
        active=bool(entry.get("active", True)),
        path=path,
        text=text,
        lines=tuple(text.split("\n")),
    )


def load_corpus(corpus_dir: Path, include_retired: bool = False) -> list[Document]:
    """All documents of the manifest, active ones only unless asked."""
    manifest = Path(corpus_dir) / MANIFEST_NAME
    if not manifest.is_file():
        raise CorpusError(f"corpus manifest not found: {manifest}")
    data = read_yaml(manifest) or {}
    documents = [load_document(entry, Path(corpus_dir)) for entry in data.get("documents", [])]
    ids = [d.id for d in documents]
    if len(ids) != len(set(ids)):
        raise CorpusError("corpus manifest: duplicate document ids")
    return [d for d in documents if include_retired or d.active]
