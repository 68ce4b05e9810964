"""How a program's names, its aliases and the glossary's words are compared with a text.

Korean forms are compared without spaces or middle dots (the report writes 매칭 전담 창구 and
매칭전담창구); Latin-letter forms lower-cased and on word edges. The program records compare their
names and aliases by the same key to refuse one that two programs share; the name matcher
(names.py) and the glossary (glossary.py) find them in a text this way.
"""
from __future__ import annotations

import re


def squash(text: str) -> str:
    """The text without spaces or middle dots, lower-cased."""
    return re.sub(r"[\s·‧․ㆍ・]+", "", text).lower()


def is_latin(term: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9 '\-&.+/()]+", term) is not None


def form_key(form: str) -> str:
    """What two spellings of one name have in common: a Latin form lower-cased, a Korean one
    squashed. Two forms with the same key name the same thing."""
    return form.lower() if is_latin(form) else squash(form)


def latin_pattern(term: str) -> str:
    """The whole words; a name of several words also in the plural ("technical training institutes"),
    a single word not ("internships" is a kind of job, not the Seoul Youth Internship)."""
    plural = r"(?:s|es)?" if " " in term.strip() else ""
    return r"(?<![a-z0-9])" + re.escape(term.lower()) + plural + r"(?![a-z0-9])"
