"""Which language a question is in. langdetect is seeded so the same question always gets the
same answer, and a Hangul-ratio guard keeps short Korean questions ("취업날개 나이?") Korean."""
from __future__ import annotations

import re

from langdetect import DetectorFactory, LangDetectException, detect

DetectorFactory.seed = 0
ANSWER_LANGUAGES = ("ko", "en")
HANGUL_SHARE = 0.3
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_LETTER = re.compile(r"[^\W\d_]")


def detect_language(text: str) -> str:
    letters = _LETTER.findall(text)
    if not letters:
        return "ko"              # numbers and symbols only: the report's language
    if len(_HANGUL.findall(text)) / len(letters) >= HANGUL_SHARE:
        return "ko"
    try:
        return detect(text)
    except LangDetectException:
        return "en"


def answer_language(language: str) -> str:
    """Answers are written in Korean or English; every other language gets English."""
    base = language.split("-")[0].lower()
    return base if base in ANSWER_LANGUAGES else "en"
