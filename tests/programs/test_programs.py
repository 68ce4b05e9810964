"""Program names and the glossary: the words the rest of the product routes by."""
from __future__ import annotations

import pytest

from chatbot.config import Settings
from chatbot.programs.glossary import Glossary
from chatbot.programs.names import ProgramNames

REQUIRED = """youth-academy interview-suit job-cafe job-matching-desk youth-intern strong-sme tech-school
companion-jobs new-deal-jobs campus-town startup-hub vision-fund invest-seoul testbed seoul-rnd creative-industry
beauty-fashion fintech-lab city-diplomacy oda ai-hub bio-hub magok g-valley urban-manufacturing robot-ai-museum
future-lab""".split()


@pytest.fixture(scope="module")
def registry():
    return ProgramNames.load(Settings().corpus_dir)


def test_required_ids_have_korean_and_english_names(registry):
    for program_id in REQUIRED:
        program = registry.get(program_id)
        assert program is not None, program_id
        assert program.name.ko and program.name.en and program.name.ko != program.name.en


@pytest.mark.parametrize("text, expected", [
    ("정장 빌리는 취업날개 몇 번?", "interview-suit"),
    ("청년취업사관학교 들을 수 있어?", "youth-academy"),
    ("How many times a year can I borrow an interview suit?", "interview-suit"),
    ("서울형 뉴딜일자리 시급", "new-deal-jobs"),
    ("동행일자리 재산 기준", "companion-jobs"),
    ("Is the Seoul tech institute only for young people?", "tech-school"),
    ("Can I take a course at the Seoul technical training institutes?", "tech-school"),   # a name in the plural
])
def test_mentions_find_the_named_program(registry, text, expected):
    assert registry.best_mention(text) == expected


def test_english_aliases_match_whole_words_only(registry):
    assert "oda" not in registry.mentions("What can I do today?")
    assert registry.mentions("Tell me about Seoul's ODA projects").get("oda")
    # a one-word alias is not read in the plural: "internships" are jobs, not the Youth Internship
    assert "youth-intern" not in registry.mentions("I'm doing interviews for internships")


def test_glossary_adds_report_words_for_english_and_colloquial_terms():
    glossary = Glossary.load(Settings().corpus_dir)
    assert "연체료" in glossary.expand("what is the late fee for the suit?")
    assert glossary.expand("몇 살까지 돼요?")
    assert glossary.expand("zzzz qqqq") == []
    # place names: an English question names the district or country the report writes in Korean
    assert "강남" in glossary.expand("Is there a campus in Gangnam?")
    assert "이탈리아" in glossary.expand("any deals with Italian fashion groups?")


def test_every_glossary_word_is_the_reports_own():
    """Expansion only ever adds words the report uses: a word it never uses cannot match."""
    settings = Settings()
    report = (settings.corpus_dir / "documents" / "seoul-economic-policy-office-2024.txt").read_text(encoding="utf-8")
    missing = [word for entry in Glossary.load(settings.corpus_dir).entries for word in entry.ko if word not in report]
    assert missing == []
