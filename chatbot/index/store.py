"""Index stage: versioned, checksummed artefacts on disk.

Layout::

    index/
      current                 # one line: the version the server loads (replaced atomically)
      .lock                   # flock held while ``current`` moves, a version is pruned or swapped in
      <version>/              # written under a temporary name, renamed into place when complete
        manifest.json         # version, model, dimension, counts, build time, sha256 of every file
        passages.jsonl        # passages with their morphemes: with the heading path, and alone
        vectors.npy           # float32, one L2-normalised row per passage
        line_vectors.npy      # float32, one row per quotable line: the line selector's dense feature
        line_offsets.npy      # where each passage's rows start in line_vectors.npy
        dense.faiss           # FAISS index over vectors.npy
        data/                 # the corpus this version was built from: documents.yaml and the
                              # document texts, programs.yaml, glossary.yaml, so a
                              # version (and a rollback to it) serves exactly what was reviewed
      cache/<model>.npz       # vectors by text hash: unchanged passages and lines are not re-embedded

A version is the hash of the corpus, the program data, the chunker settings and the model, so the
same inputs always give the same directory, and a server can trust a version only after every
file's checksum matches its manifest.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from chatbot.documents.corpus import Document
from chatbot.index.embedding import Embedder
from chatbot.index.lexical import BM25Index, KoreanTokenizer
from chatbot.storage.artifacts import sha256_of as sha256_file
from chatbot.storage.locks import file_lock
from chatbot.index.passages import Passage, line_embedding_texts, text_hash

MANIFEST = "manifest.json"
DATA_DIR = "data"
PASSAGES = "passages.jsonl"
VECTORS = "vectors.npy"
LINE_VECTORS = "line_vectors.npy"     # one row per quotable line (passages.line_embedding_texts), passages in order
LINE_OFFSETS = "line_offsets.npy"     # passage i's lines are rows offsets[i]:offsets[i + 1]
DENSE = "dense.faiss"
POINTER = "current"
LOCK = ".lock"               # publish, roll back, prune and a forced rebuild's swap take it (index_lock)
CACHE_DIR = "cache"
FORMAT_VERSION = 2           # 2: the corpus snapshot under data/
FLAT_LIMIT = 100_000        # exact search below this many passages; HNSW above (see README)
_VERSION_NAME = re.compile(r"^[0-9a-f]{12}$")


class IndexUnavailable(RuntimeError):
    """The index version cannot be served (missing, corrupt, built with another model): the
    server reports it instead of crashing."""


class IndexMissing(IndexUnavailable):
    pass


class IndexCorrupt(IndexUnavailable):
    pass


def compute_version(documents: Sequence[Document], extra_inputs: dict, model_name: str) -> str:
    """Same corpus + data files + chunker settings + model → same version name."""
    payload = {
        "format": FORMAT_VERSION,
        "documents": sorted((d.id, d.sha256, d.edition) for d in documents),
        "inputs": extra_inputs,
        "model": model_name,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()[:12]


def dense_index_kind(count: int, requested: str = "auto") -> str:
    if requested != "auto":
        return requested
    return "flat" if count < FLAT_LIMIT else "hnsw"


def build_faiss(vectors: np.ndarray, kind: str):
    import faiss

    dimension = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dimension)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 128
    else:
        raise ValueError(f"unknown dense index kind {kind!r} (flat, hnsw, auto)")
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


# -- the embedding cache ------------------------------------------------------------------------
def _cache_path(index_dir: Path, model_name: str) -> Path:
    slug = hashlib.sha256(model_name.encode("utf-8")).hexdigest()[:16]
    return index_dir / CACHE_DIR / f"{slug}.npz"


def _load_cache(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            return dict(zip(data["hashes"].tolist(), data["vectors"]))
    except (OSError, ValueError, KeyError):
        return {}          # a damaged cache only costs re-embedding


def _save_cache(path: Path, cache: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    hashes = np.array(list(cache), dtype="<U64")
    vectors = np.stack(list(cache.values())) if cache else np.zeros((0, 0), np.float32)
    tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
    np.savez(tmp, hashes=hashes, vectors=vectors)
    os.replace(tmp, path)


def embed_with_cache(texts: Sequence[str], embedder: Embedder, index_dir: Path, batch_size: int = 32,
                     progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, int]:
    """A vector for every text (passages or their lines), embedding only the texts whose sha256
    the cache lacks for this model. Returns the vectors and how many texts were actually embedded."""
    path = _cache_path(index_dir, embedder.name)
    cache = _load_cache(path)
    hashes = [text_hash(t) for t in texts]
    by_hash = dict(zip(hashes, texts))
    todo = [h for h in dict.fromkeys(hashes) if h not in cache]
    done = 0
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        vectors = embedder.embed_batch([by_hash[h] for h in batch], kind="passage")
        cache.update(zip(batch, vectors))
        done += len(batch)
        if progress:
            progress(done, len(todo))
    if todo:
        _save_cache(path, {h: cache[h] for h in cache})
    matrix = np.stack([cache[h] for h in hashes]) if hashes else np.zeros((0, embedder.dimension), np.float32)
    return matrix.astype(np.float32), len(todo)


def line_texts(passages: Sequence[Passage]) -> tuple[list[str], np.ndarray]:
    """What is embedded of the quotable lines of every passage in order, and where each passage's
    lines start (``offsets[i]:offsets[i + 1]``): the rows of line_vectors.npy."""
    texts: list[str] = []
    offsets = [0]
    for passage in passages:
        texts.extend(line_embedding_texts(passage))
        offsets.append(len(texts))
    return texts, np.array(offsets, dtype=np.int64)


# -- writing a version ----------------------------------------------------------------------
@dataclass
class BuildReport:
    version: str
    path: Path
    passages: int
    embedded: int                  # passages embedded (the rest came from the cache)
    seconds: float
    reused: bool = False
    lines_embedded: int = 0


def write_version(index_dir: Path, version: str, passages: Sequence[Passage], tokens: Sequence[list[str]],
                  text_tokens: Sequence[list[str]], vectors: np.ndarray, manifest_extra: dict,
                  dense_kind: str = "auto", data_files: dict[str, bytes] | None = None,
                  lines: tuple[np.ndarray, np.ndarray] | None = None) -> Path:
    """Write every file under a temporary directory, checksum them, then rename into place:
    a reader (or a crash) never sees a half-written version. ``data_files`` (relative path →
    bytes) go under data/ and are checksummed like the rest; ``lines`` are the line vectors and
    their per-passage offsets (optional: a version without them quotes by words alone)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    final = index_dir / version
    tmp = Path(tempfile.mkdtemp(prefix=f".build-{version}-", dir=index_dir))
    try:
        with open(tmp / PASSAGES, "w", encoding="utf-8") as handle:
            for passage, context, alone in zip(passages, tokens, text_tokens):
                record = {**passage.to_dict(), "tokens": context, "text_tokens": alone}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        np.save(tmp / VECTORS, vectors)
        if lines is not None:
            np.save(tmp / LINE_VECTORS, lines[0])
            np.save(tmp / LINE_OFFSETS, lines[1])
        kind = dense_index_kind(len(passages), dense_kind)
        import faiss

        faiss.write_index(build_faiss(vectors, kind), str(tmp / DENSE))
        for name, content in (data_files or {}).items():
            target = tmp / DATA_DIR / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        names = [PASSAGES, VECTORS, DENSE, *((LINE_VECTORS, LINE_OFFSETS) if lines is not None else ()),
                 *(f"{DATA_DIR}/{name}" for name in sorted(data_files or {}))]
        files = {name: sha256_file(tmp / name) for name in names}
        manifest = {
            "format": FORMAT_VERSION,
            "version": version,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "passage_count": len(passages),
            "dimension": int(vectors.shape[1]) if vectors.ndim == 2 else 0,
            "dense_index": kind,
            "files": files,
            **manifest_extra,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        for name in (*files, MANIFEST):
            _fsync(tmp / name)
        with index_lock(index_dir):
            _move_into_place(tmp, final)
        _fsync_dir(index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        _fsync(path)
    except OSError:
        pass


def index_lock(index_dir: Path):
    """The one lock of the index directory (an ``flock`` on index/.lock, shared by every worker,
    build and CLI): moving ``current`` and deleting or replacing a version happen under it, so a
    prune never deletes a version another process has just published."""
    return file_lock(Path(index_dir) / LOCK)


def _move_into_place(tmp: Path, final: Path) -> None:
    """Rename the finished ``tmp`` to ``final``. A version that already exists (``build-index
    --force``; it may be the live one) is exchanged with the new directory in one atomic
    ``renameat2(RENAME_EXCHANGE)`` and only then deleted, so ``final`` never goes missing."""
    if not final.exists():
        os.rename(tmp, final)
        return
    if not _exchange(tmp, final):            # no renameat2 here: the old copy moves aside first
        aside = Path(tempfile.mkdtemp(prefix=f".build-{final.name}-old-", dir=final.parent))
        os.rename(final, aside / final.name)
        os.rename(tmp, final)
        tmp = aside
    shutil.rmtree(tmp, ignore_errors=True)     # the old version's files, now under the temporary name


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def set_current(index_dir: Path, version: str) -> None:
    """Point the server at ``version`` with one atomic rename, under :func:`index_lock`."""
    with index_lock(index_dir):
        verify_version(index_dir / version)
        tmp = index_dir / f".{POINTER}.{os.getpid()}.tmp"
        tmp.write_text(version + "\n", encoding="utf-8")
        _fsync(tmp)
        os.replace(tmp, index_dir / POINTER)
        _fsync_dir(index_dir)


def read_current(index_dir: Path) -> str | None:
    try:
        value = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return value if _VERSION_NAME.match(value) else None


def list_versions(index_dir: Path) -> list[str]:
    if not index_dir.is_dir():
        return []
    found = [p for p in index_dir.iterdir() if p.is_dir() and _VERSION_NAME.match(p.name) and (p / MANIFEST).is_file()]
    return [p.name for p in sorted(found, key=lambda p: (p / MANIFEST).stat().st_mtime)]


def prune_versions(index_dir: Path, keep: int, protect: Iterable[str] = ()) -> list[str]:
    """Delete the oldest versions beyond ``keep``; never the current one, read under
    :func:`index_lock` (a publish by another process waits for the prune or the prune for it), nor
    those in ``protect`` (the version a build just published or wrote). Leftover temporary build
    directories (from a killed build) go too."""
    with index_lock(index_dir):
        spared = {read_current(index_dir), *protect}
        for leftover in index_dir.glob(".build-*"):
            if time.time() - leftover.stat().st_mtime > 3600:
                shutil.rmtree(leftover, ignore_errors=True)
        versions = [v for v in list_versions(index_dir) if v not in spared]
        doomed = versions[: max(0, len(versions) - max(keep - 1, 0))]
        for version in doomed:
            shutil.rmtree(index_dir / version, ignore_errors=True)
    return doomed


# -- reading a version ----------------------------------------------------------------------
def verify_version(path: Path) -> dict:
    """The manifest, after checking every file it lists against its sha256."""
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise IndexCorrupt(f"{path.name}: manifest.json missing")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexCorrupt(f"{path.name}: manifest.json unreadable: {exc}") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexCorrupt(f"{path.name}: index format {manifest.get('format')} is not {FORMAT_VERSION}; rebuild")
    for name, expected in (manifest.get("files") or {}).items():
        file_path = path / name
        if not file_path.is_file():
            raise IndexCorrupt(f"{path.name}: {name} missing")
        actual = sha256_file(file_path)
        if actual != expected:
            raise IndexCorrupt(f"{path.name}: {name} checksum mismatch (truncated or altered)")
    if not {PASSAGES, VECTORS, DENSE} <= set(manifest.get("files") or {}):
        raise IndexCorrupt(f"{path.name}: manifest does not list the index files")
    return manifest


@dataclass
class LoadedIndex:
    """An immutable, verified index version held in memory; requests keep a reference to the
    one they started with, so a publish never changes an answer half-way."""

    version: str
    path: Path
    manifest: dict
    passages: list[Passage]
    tokens: list[list[str]]          # morphemes of the passage with its heading path (Passage.index_text)
    vectors: np.ndarray
    dense: object
    bm25: BM25Index
    text_tokens: list[list[str]]     # morphemes of the passage alone (Passage.text)
    text_bm25: BM25Index
    line_vectors: np.ndarray | None = None     # see LINE_VECTORS; None for a version built without them
    line_offsets: np.ndarray | None = None
    by_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.by_id = {p.id: i for i, p in enumerate(self.passages)}

    def passage_line_vectors(self, passage_id: str) -> np.ndarray | None:
        """The vectors of a passage's quotable lines, in order (None without line vectors)."""
        i = self.by_id.get(passage_id)
        if self.line_vectors is None or self.line_offsets is None or i is None:
            return None
        return self.line_vectors[self.line_offsets[i]:self.line_offsets[i + 1]]

    @property
    def model_name(self) -> str:
        return self.manifest["model"]["name"]

    @property
    def data_dir(self) -> Path:
        """The corpus snapshot this version was built from (a corpus directory of its own)."""
        return self.path / DATA_DIR


def load_version(index_dir: Path, version: str) -> LoadedIndex:
    import faiss

    path = index_dir / version
    if not path.is_dir():
        raise IndexMissing(f"index version {version} not found in {index_dir}")
    manifest = verify_version(path)
    passages, tokens, text_tokens = [], [], []
    try:
        with open(path / PASSAGES, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                tokens.append(record.pop("tokens"))
                text_tokens.append(record.pop("text_tokens", None))
                passages.append(Passage.from_dict(record))
        vectors = np.load(path / VECTORS, allow_pickle=False)
        dense = faiss.read_index(str(path / DENSE))
        line_vectors = line_offsets = None
        if LINE_VECTORS in manifest["files"]:
            line_vectors = np.load(path / LINE_VECTORS, allow_pickle=False)
            line_offsets = np.load(path / LINE_OFFSETS, allow_pickle=False)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorrupt(f"{version}: cannot read index files: {exc}") from exc
    if len(passages) != manifest.get("passage_count") or vectors.shape[0] != len(passages) or dense.ntotal != len(passages):
        raise IndexCorrupt(f"{version}: passage, vector and FAISS counts disagree")
    if line_offsets is not None and (len(line_offsets) != len(passages) + 1 or line_offsets[-1] != len(line_vectors)):
        raise IndexCorrupt(f"{version}: line vectors and their offsets disagree")
    if any(t is None for t in text_tokens):       # built before they were stored: derive them
        text_tokens = tokenize_texts(passages)
    return LoadedIndex(version=version, path=path, manifest=manifest, passages=passages, tokens=tokens,
                       vectors=vectors, dense=dense, bm25=BM25Index(tokens),
                       text_tokens=text_tokens, text_bm25=BM25Index(text_tokens),
                       line_vectors=line_vectors, line_offsets=line_offsets)


def load_current(index_dir: Path) -> LoadedIndex:
    version = read_current(index_dir)
    if version is None:
        raise IndexMissing(f"no index published in {index_dir} (run: python -m chatbot build-index)")
    return load_version(index_dir, version)


def tokenize_passages(passages: Iterable[Passage], tokenizer: KoreanTokenizer | None = None) -> list[list[str]]:
    """Morphemes of each passage with its heading path: what BM25 finds a program's passages by."""
    tokenizer = tokenizer or KoreanTokenizer()
    return [tokenizer.tokenize(p.index_text) for p in passages]


def tokenize_texts(passages: Iterable[Passage], tokenizer: KoreanTokenizer | None = None) -> list[list[str]]:
    """Morphemes of each passage alone: within one program every passage shares the heading
    words, so only these tell neighbours apart (a reranker feature, rerank.py)."""
    tokenizer = tokenizer or KoreanTokenizer()
    return [tokenizer.tokenize(p.text) for p in passages]
