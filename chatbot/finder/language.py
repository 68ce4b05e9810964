"""Which language a question is in. langdetect is seeded so the same question always gets the
same answer, and a Hangul-ratio guard keeps short Korean questions ("취업날개 나이?") Korean.
Short Latin-script questions ("interview suit", "help") count as English unless langdetect is
sure of another language: on a few words it guesses (Afrikaans, Dutch)."""
from __future__ import annotations

import re

from langdetect import DetectorFactory, LangDetectException, detect_langs

DetectorFactory.seed = 0
ANSWER_LANGUAGES = ("ko", "en")
HANGUL_SHARE = 0.3
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_MONGOLIAN_LETTERS = re.compile(r"[өүӨҮ]")     # Cyrillic letters Mongolian has and Russian has not
SHORT_WORDS = 4            # this many words or fewer in Latin letters: English unless clearly not
SURE = 0.95                # langdetect's probability that counts as "clearly"


def letter_share(text: str, script: re.Pattern) -> float:
    """The share of the text's letters that ``script`` matches (0 without letters)."""
    letters = _LETTER.findall(text)
    return sum(bool(script.match(c)) for c in letters) / len(letters) if letters else 0.0


def detect_language(text: str) -> str:
    if not _LETTER.search(text):
        return "ko"              # numbers and symbols only: the report's language
    if letter_share(text, _HANGUL) >= HANGUL_SHARE:
        return "ko"
    if letter_share(text, _CYRILLIC) >= 0.5 and _MONGOLIAN_LETTERS.search(text):
        return "mn"              # langdetect has no Mongolian and calls it Russian or Bulgarian
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return "en"
    latin = letter_share(text, _LATIN) == 1.0
    if latin and best.lang != "en" and (len(text.split()) <= SHORT_WORDS or best.prob < SURE):
        return "en"
    return best.lang


def answer_language(language: str) -> str:
    """Answers are written in Korean or English; every other language gets English."""
    base = language.split("-")[0].lower()
    return base if base in ANSWER_LANGUAGES else "en"
