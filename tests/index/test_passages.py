"""The chunker against the real report: exact line ranges, every program found, no straddling."""
from __future__ import annotations

import re

import pytest

from chatbot.config import Settings
from chatbot.documents.corpus import load_corpus
from chatbot.index.passages import MAX_CHARS, PATH_SEPARATOR, ReportChunker, line_embedding_texts, quotable_lines
from chatbot.programs.names import ProgramNames

CORPUS = Settings().corpus_dir
SECTION_HEADING = re.compile(r"^\s*(\d{1,2})\s+(?![\d.,%~)])\S")


@pytest.fixture(scope="module")
def report():
    return load_corpus(CORPUS)[0]


@pytest.fixture(scope="module")
def programs():
    return ProgramNames.load(CORPUS)


@pytest.fixture(scope="module")
def passages(report, programs):
    return ReportChunker(programs).chunk(report)


def test_every_passage_is_exactly_its_source_lines(report, passages):
    for p in passages:
        assert p.text == "\n".join(report.lines[p.start_line - 1 : p.end_line]), p.id
        assert p.text.strip(), f"empty passage at {p.start_line}"
        assert report.lines[p.start_line - 1].strip() and report.lines[p.end_line - 1].strip()


def test_passages_are_in_order_and_never_overlap(passages):
    for before, after in zip(passages, passages[1:]):
        assert before.end_line < after.start_line


def test_passages_are_citable_size(passages):
    for p in passages:
        assert len(p.text) <= MAX_CHARS, (p.start_line, len(p.text))
        assert sum(1 for line in p.text.split("\n") if line.strip()) <= 12, p.start_line


def test_ids_are_unique_and_stable(report, programs, passages):
    assert len({p.id for p in passages}) == len(passages)
    again = ReportChunker(programs).chunk(report)
    assert [p.id for p in again] == [p.id for p in passages]


def _part_four_sections(report) -> list[tuple[int, str]]:
    """Numbered program headings of Part Ⅳ, read independently of the chunker."""
    start = next(i for i, line in enumerate(report.lines, 1) if line.strip().startswith("Ⅳ."))
    end = next(i for i, line in enumerate(report.lines, 1) if "행정사무감사 처리결과" in line)
    found, expected = [], 1
    for number in range(start, end):
        line = report.lines[number - 1]
        match = SECTION_HEADING.match(line)
        if re.match(r"^\s*\d\.\s+\S", line):      # a sub-part ("2. 기업의 혁신성장…") restarts numbering
            expected = 1
        if match and int(match.group(1)) == expected:
            found.append((number, " ".join(line.split())))
            expected += 1
    return found


def test_every_program_section_is_found(report, passages, programs):
    sections = _part_four_sections(report)
    assert len(sections) == 22
    seen_paths = {p.section[2] for p in passages if p.section[0].startswith("Ⅳ") and len(p.section) > 2}
    for _, heading in sections:
        assert heading in seen_paths, heading
    for program in programs:
        if program.section:
            assert any(p.program_id == program.id for p in passages), f"no passage for {program.id}"


def _audit_item_lines(report) -> list[int]:
    """Audit item headings ("9. 취업날개 …", "16~17. …"): numbers that continue the sequence;
    dates such as "9.8. 서울디자인 정책" do not."""
    start = next(i for i, line in enumerate(report.lines, 1) if "행정사무감사 처리결과" in line)
    items, expected = [], None           # the part's table of contents ("1. 처리결과 총괄") is no item
    for number in range(start, len(report.lines) + 1):
        line = report.lines[number - 1]
        if re.match(r"^\s*\d\s{2,}\S", line):        # chapter heading "2  시정·처리 요구사항"
            expected = 1
            continue
        match = re.match(r"^\s*(\d{1,2})(?:~(\d{1,2}))?\.\s*\S", line)
        if match and expected is not None and int(match.group(1)) == expected:
            items.append(number)
            expected = int(match.group(2) or match.group(1)) + 1
    return items


def test_no_passage_straddles_two_programs(report, passages):
    boundaries = [n for n, _ in _part_four_sections(report)]
    audit_items = _audit_item_lines(report)
    for p in passages:
        inside = [b for b in boundaries if p.start_line < b <= p.end_line]
        assert not inside, f"passage {p.start_line}-{p.end_line} crosses section at {inside}"
        section_programs = {q.program_id for q in passages if q.section[:3] == p.section[:3]} - {None}
        assert p.program_id is None or p.program_id in section_programs
    # audit: an item heading only ever opens a passage
    starts = {p.start_line for p in passages}
    for item_line in audit_items:
        for p in passages:
            if p.start_line < item_line <= p.end_line:
                assert item_line not in starts
                pytest.fail(f"passage {p.start_line}-{p.end_line} runs over audit item at {item_line}")


def test_audit_items_are_separate_passages_with_their_program(passages):
    audit = [p for p in passages if p.section[0].startswith("2023년 행정사무감사")]
    items = {p.section[2] for p in audit if len(p.section) > 2}
    assert len(items) >= 70          # 57 requests + 11 suggestions + 16 others, some numbered in ranges
    late_fee = [p for p in audit if "연체료 상한선 설정" in p.text.replace("\n\n", "\n").replace("\n", "")]
    assert late_fee and all(p.program_id == "interview-suit" for p in late_fee)
    assert all("9. 취업날개 서비스 연체료부과 관련" in p.section for p in late_fee)


def test_multi_program_section_is_split_by_block(passages):
    by_line = {p.start_line: p for p in passages}
    suit = [p for p in passages if "(1일 최대 1만원)" in p.text]
    assert suit and suit[0].program_id == "interview-suit"
    foreign_desk = [p for p in passages if "외국인 유학생 대상 취업상담 전담창구" in p.text]
    assert foreign_desk[0].program_id == "job-matching-desk"
    new_deal = [p for p in passages if "시간당 11,436원" in p.text]
    assert new_deal[0].program_id == "new-deal-jobs"
    assert by_line  # the table is non-empty


def test_index_text_carries_heading_context(passages):
    overview = next(p for p in passages if "만 15세 이상 서울시민" in p.text)
    assert overview.section[-1] == "□ 사업개요"
    assert "기술교육원" in overview.index_text.split("\n")[0]
    assert overview.section_path.count(PATH_SEPARATOR) >= 3
    assert overview.embedding_text in overview.index_text


def test_lines_are_embedded_after_what_they_are_about(passages):
    """A bare line ("대상 : …") says nothing of its program: the embedder sees the program's name
    first, or the nearest heading outside any program; the quote itself stays the bare line."""
    in_program = next(p for p in passages if p.program_name and len(quotable_lines(p)) > 2)
    texts = line_embedding_texts(in_program)
    assert [t.removeprefix(f"{in_program.program_name}: ") for t in texts] == [t for t, _ in quotable_lines(in_program)]
    outside = next(p for p in passages if not p.program_id and quotable_lines(p))
    heading = next(s for s in reversed(outside.section) if s)
    assert all(t.startswith(f"{' '.join(heading.split())}: ") for t in line_embedding_texts(outside))
