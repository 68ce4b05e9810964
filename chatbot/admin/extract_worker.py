"""Text extraction, run as ``python -m chatbot.admin.extract_worker FILE LIMITS_JSON`` in a child
process with an address-space and CPU limit, so a hostile or broken upload can at worst kill this
process, never a web worker.

Prints one JSON object: ``{"kind", "text", "pages"}`` or ``{"error"}``. Every expansion is
bounded *while* it happens (zip entries are read in chunks, PDF streams are inflated against a
budget), so a zip or PDF bomb is refused in well under a second instead of filling memory."""
from __future__ import annotations

import json
import re
import resource
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

MAX_ZIP_ENTRIES = 5000
MAX_RATIO = 200             # uncompressed/compressed of one zip entry beyond which it is a bomb
_CHUNK = 1 << 16
_SECTION = re.compile(r"^Contents/section(\d+)\.xml$")


class Refused(Exception):
    """The file cannot be taken; the message is shown to staff as it is."""


@dataclass(frozen=True)
class Limits:
    max_expanded: int
    max_pages: int
    memory_mb: int = 1024
    cpu_seconds: int = 30


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.0f} MB"


# -- plain text ----------------------------------------------------------------------------------
def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or the older Korean CP949; binary is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8-sig", "cp949"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
        if "\x00" in text or controls > max(3, len(text) // 1000):
            raise Refused("This is not a text file: it contains binary data.")
        return text
    raise Refused("The text is neither UTF-8 nor CP949 (EUC-KR); save it as UTF-8 and upload it again.")


# -- zip-XML formats (.docx, .hwpx) ------------------------------------------------------------
@dataclass(frozen=True)
class _Vocab:
    """The element names that carry paragraphs, text and tables in one zip-XML format."""

    paragraph: str
    text: str
    table: str
    row: str
    cell: str
    tab: str
    line_break: str


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HP = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"
DOCX = _Vocab(_W + "p", _W + "t", _W + "tbl", _W + "tr", _W + "tc", _W + "tab", _W + "br")
HWPX = _Vocab(_HP + "p", _HP + "t", _HP + "tbl", _HP + "tr", _HP + "tc", _HP + "tab", _HP + "lineBreak")


class _Budget:
    def __init__(self, limit: int):
        self.left = limit
        self.limit = limit

    def spend(self, n: int, what: str) -> None:
        self.left -= n
        if self.left < 0:
            raise Refused(f"The file expands to more than {_mb(self.limit)} ({what}); "
                          "it is refused as a possible zip or PDF bomb.")


def _open_zip(path: Path, budget: _Budget) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise Refused(f"The file is a damaged zip container: {exc}") from None
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise Refused(f"The file holds {len(infos)} parts (limit {MAX_ZIP_ENTRIES}); refused as a possible zip bomb.")
    declared = sum(i.file_size for i in infos)
    if declared > budget.limit:
        raise Refused(f"The file would expand to {_mb(declared)} (limit {_mb(budget.limit)}); "
                      "refused as a possible zip bomb.")
    for info in infos:
        if info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Refused(f"Part {info.filename} is compressed {info.file_size // max(info.compress_size, 1)}:1; "
                          "refused as a possible zip bomb.")
    return archive


def _read_member(archive: zipfile.ZipFile, name: str, budget: _Budget) -> bytes:
    """Read one member in chunks, trusting neither its declared size nor its ratio."""
    info = archive.getinfo(name)
    chunks, size = [], 0
    with archive.open(info) as handle:
        while chunk := handle.read(_CHUNK):
            size += len(chunk)
            budget.spend(len(chunk), name)
            if size > info.file_size:
                raise Refused(f"Part {name} is larger than its zip entry says; refused as a possible zip bomb.")
            chunks.append(chunk)
    return b"".join(chunks)


def _parse_xml(data: bytes, name: str):
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring
    from xml.etree.ElementTree import ParseError

    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise Refused(f"{name} declares XML entities or a DTD; refused as a possible XML bomb.") from None
    except ParseError as exc:
        raise Refused(f"{name} is not well-formed XML: {exc}") from None


def xml_lines(root, vocab: _Vocab) -> list[str]:
    """Paragraphs as lines, table rows as one line with cells separated by " | "."""
    lines: list[str] = []

    def paragraph(p) -> tuple[str, list]:
        parts: list[str] = []
        tables: list = []

        def walk(element) -> None:
            for child in element:
                tag = child.tag
                if tag == vocab.table:
                    tables.append(child)
                elif tag == vocab.text:
                    parts.append(child.text or "")
                    for sub in child:
                        parts.append("\t" if sub.tag == vocab.tab else "\n" if sub.tag == vocab.line_break else "")
                        parts.append(sub.tail or "")
                elif tag == vocab.tab:
                    parts.append("\t")
                elif tag == vocab.line_break:
                    parts.append("\n")
                else:
                    walk(child)

        walk(p)
        return "".join(parts), tables

    def table(t) -> None:
        for row in t.findall(vocab.row):
            cells = []
            for cell in row.findall(vocab.cell):
                cells.append(" ".join(paragraph(p)[0].strip() for p in cell.iter(vocab.paragraph)).strip())
            if any(cells):
                lines.append(" | ".join(cells))

    def block(element) -> None:
        for child in element:
            if child.tag == vocab.paragraph:
                text, tables = paragraph(child)
                lines.extend(text.split("\n"))
                for t in tables:
                    table(t)
            elif child.tag == vocab.table:
                table(child)
            else:
                block(child)

    block(root)
    return lines


def extract_zip(path: Path, limits: Limits) -> tuple[str, str]:
    """(kind, text) of a .docx or .hwpx; anything else in a zip is refused."""
    budget = _Budget(limits.max_expanded)
    with _open_zip(path, budget) as archive:
        names = set(archive.namelist())
        if "word/document.xml" in names:
            root = _parse_xml(_read_member(archive, "word/document.xml", budget), "word/document.xml")
            return "docx", "\n".join(xml_lines(root, DOCX))
        sections = sorted((int(m.group(1)), n) for n in names if (m := _SECTION.match(n)))
        if sections:
            if "mimetype" in names and _read_member(archive, "mimetype", budget).strip() != b"application/hwp+zip":
                raise Refused("The zip says it is not a Hangul document (mimetype is not application/hwp+zip).")
            lines: list[str] = []
            for _, name in sections:
                lines += xml_lines(_parse_xml(_read_member(archive, name, budget), name), HWPX)
            return "hwpx", "\n".join(lines)
    raise Refused("The zip file is neither a Word .docx nor a Hangul .hwpx document.")


# -- PDF ---------------------------------------------------------------------------------------
def _inflate_within(raw: bytes, budget: _Budget, what: str) -> None:
    """Inflate ``raw`` chunk by chunk, stopping as soon as the budget is spent."""
    inflater = zlib.decompressobj()
    data = raw
    try:
        while data:
            out = inflater.decompress(data, _CHUNK)
            budget.spend(len(out), what)
            data = inflater.unconsumed_tail
            if not out and not data:
                break
    except zlib.error:
        return                      # damaged stream: pypdf decides what it can read


def _content_streams(page) -> list:
    from pypdf.generic import ArrayObject

    contents = page.get("/Contents")
    if contents is None:
        return []
    contents = contents.get_object()
    items = list(contents) if isinstance(contents, ArrayObject) else [contents]
    return [item.get_object() for item in items]


def extract_pdf(path: Path, limits: Limits) -> tuple[str, str, int]:
    import pypdf
    from pypdf.errors import LimitReachedError, PdfReadError

    pypdf.overwrite_configuration(zlib_maximum_output_length=limits.max_expanded,
                                  maximum_declared_stream_length=limits.max_expanded,
                                  page_tree_maximum_entries=limits.max_pages + 1,
                                  page_tree_maximum_page_entries=limits.max_pages * 64)
    budget = _Budget(limits.max_expanded)
    try:
        reader = pypdf.PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused("The PDF is password-protected; upload an unprotected copy.")
        declared = reader.trailer["/Root"]["/Pages"].get("/Count", 0)
        if int(declared) > limits.max_pages:
            raise Refused(f"The PDF says it has {int(declared)} pages (limit {limits.max_pages}); refused.")
        pages = reader.pages
        count = len(pages)
        if count > limits.max_pages:
            raise Refused(f"The PDF has {count} pages (limit {limits.max_pages}); refused.")
        for number, page in enumerate(pages, start=1):
            for stream in _content_streams(page):
                filters = stream.get("/Filter")
                names = [str(f) for f in (filters if isinstance(filters, list) else [filters])]
                if names == ["/FlateDecode"]:
                    _inflate_within(stream._data, budget, f"page {number}")
        texts = []
        for page in pages:
            text = page.extract_text() or ""
            budget.spend(len(text.encode("utf-8")), "extracted text")
            texts.append(text)
    except LimitReachedError as exc:
        raise Refused(f"The PDF exceeds a safety limit ({exc}); refused as a possible PDF bomb.") from None
    except (PdfReadError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise Refused(f"The PDF cannot be read: {exc}") from None
    return "pdf", "\n\n".join(t.rstrip("\n") for t in texts), count


# -- entry point -------------------------------------------------------------------------------
def extract(path: Path, kind: str, limits: Limits) -> dict:
    if kind == "pdf":
        kind, text, pages = extract_pdf(path, limits)
        return {"kind": kind, "text": text, "pages": pages}
    if kind == "zip":
        kind, text = extract_zip(path, limits)
        return {"kind": kind, "text": text, "pages": None}
    data = path.read_bytes()
    return {"kind": "text", "text": decode_text(data), "pages": None}


def _limit_resources(limits: Limits) -> None:
    memory = limits.memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> int:
    path, kind, raw_limits = Path(argv[0]), argv[1], json.loads(argv[2])
    limits = Limits(**raw_limits)
    _limit_resources(limits)
    try:
        result = extract(path, kind, limits)
    except Refused as exc:
        result = {"error": str(exc)}
    except MemoryError:
        result = {"error": f"Reading the file needs more than {limits.memory_mb} MB of memory; refused."}
    except RecursionError:
        result = {"error": "The file is nested too deeply to read; refused."}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
