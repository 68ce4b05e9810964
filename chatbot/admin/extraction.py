"""Turning an uploaded file into document text, deciding its type by content, not by its name.

The cheap checks (allowed name, size, magic bytes) run here; everything that parses or inflates
untrusted bytes runs in :mod:`chatbot.admin.extract_worker`, a child process with time and memory
limits. The stored corpus is plain text, so every format ends as NFC-normalised lines."""
from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

from chatbot.config import PROJECT_ROOT, Settings
from chatbot.admin.extract_worker import Limits

EXTENSIONS = {".txt": "text", ".md": "text", ".pdf": "pdf", ".docx": "docx", ".hwpx": "hwpx"}
KIND_NAMES = {"text": "a text file", "pdf": "a PDF", "docx": "a Word document (.docx)",
              "hwpx": "a Hangul document (.hwpx)"}
_KNOWN_BINARIES = [
    (b"\xd0\xcf\x11\xe0", "an old binary Office/Hangul file (.doc/.hwp); save it as .docx, .hwpx or PDF"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"\x89PNG", "an image (PNG)"),
    (b"\xff\xd8\xff", "an image (JPEG)"),
    (b"GIF8", "an image (GIF)"),
    (b"Rar!", "a RAR archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
]
_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n")


class UploadRejected(ValueError):
    """The upload is refused; the message tells staff why and what to do instead."""


@dataclass(frozen=True)
class Extracted:
    kind: str           # text, pdf, docx, hwpx
    text: str
    pages: int | None


def limits_from(settings: Settings) -> Limits:
    return Limits(max_expanded=settings.upload_max_expanded, max_pages=settings.upload_max_pages,
                  memory_mb=settings.extract_memory_mb, cpu_seconds=max(1, int(settings.extract_timeout) + 1))


def sniff(head: bytes) -> str:
    """"pdf", "zip" or "text" from the first bytes; other binaries are refused by name."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    for magic, what in _KNOWN_BINARIES:
        if head.startswith(magic):
            raise UploadRejected(f"The file is {what}, not a document this site can read.")
    return "text"


def normalise_text(text: str) -> str:
    """NFC (HWPX and PDFs may carry decomposed Hangul), \\n line ends and no control characters.
    Nothing else: blank lines and spaces stay, so line numbers and passages of a re-uploaded text
    match the previous version wherever the content did not change."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).translate(_CONTROL)


def extract_file(path: Path, filename: str, settings: Settings) -> Extracted:
    """The text of an uploaded file, or :class:`UploadRejected` saying why not."""
    suffix = Path(filename).suffix.lower()
    if suffix not in EXTENSIONS:
        raise UploadRejected(f"Files ending in {suffix or '(nothing)'!s} are not accepted; "
                             f"upload {', '.join(EXTENSIONS)}.")
    size = path.stat().st_size
    if size == 0:
        raise UploadRejected("The file is empty.")
    if size > settings.upload_max_bytes:
        raise UploadRejected(f"The file is {size / (1 << 20):.1f} MB; the limit is "
                             f"{settings.upload_max_bytes / (1 << 20):.0f} MB.")
    with open(path, "rb") as handle:
        hint = sniff(handle.read(1024))
    expected = EXTENSIONS[suffix]
    if hint == "pdf" and expected != "pdf":
        raise _mismatch(suffix, KIND_NAMES["pdf"])
    if hint == "text" and expected != "text":
        raise _mismatch(suffix, "not a PDF, Word or Hangul document")
    result = _run_worker(path, hint, settings)       # a zip's exact kind is known only once opened
    if result["kind"] != expected:
        raise _mismatch(suffix, KIND_NAMES[result["kind"]])
    text = normalise_text(result["text"])
    if sum(ch.isalnum() for ch in text) < 20:
        raise UploadRejected("No text was found in the file. A scanned PDF needs OCR first, which this site "
                             "does not do.")
    return Extracted(kind=expected, text=text, pages=result.get("pages"))


def _mismatch(suffix: str, content: str) -> UploadRejected:
    return UploadRejected(f"The file is named {suffix} but its content is {content}; rename it or upload the "
                          "right file.")


def _run_worker(path: Path, hint: str, settings: Settings) -> dict:
    limits = limits_from(settings)
    command = [sys.executable, "-m", "chatbot.admin.extract_worker", str(path), hint, json.dumps(asdict(limits))]
    try:
        done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, timeout=settings.extract_timeout,
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT), "LANG": "C.UTF-8"})
    except subprocess.TimeoutExpired:
        raise UploadRejected(f"Reading the file took longer than {settings.extract_timeout:g} s; it may be "
                             "damaged or built to overload the server.") from None
    try:
        result = json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        reason = "ran out of memory or time" if done.returncode < 0 or b"MemoryError" in done.stderr else "failed"
        raise UploadRejected(f"Reading the file {reason}; it may be damaged or built to overload the "
                             "server.") from None
    if "error" in result:
        raise UploadRejected(result["error"])
    return result
