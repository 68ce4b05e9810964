"""How often the asker already used the program, and the bookings they missed."""
from __future__ import annotations

import re

from chatbot.programs.profile.context import Finding, Span, alternation, en_bound, ko_bound, scan
from chatbot.programs.profile.numbers import EN_NUM, KO_TENS, KO_UNITS, en_number


_KO_COUNTS = {**KO_UNITS, "열": KO_TENS["열"]}     # "두 번", "열 번"
_KO_TIMES = re.compile(
    rf"(?P<n>\d{{1,2}}|{alternation(_KO_COUNTS)})\s*(?:번|회)\s*(?:이나|정도|쯤|다|째|씩)?\s*"
    r"(?:[가-힣]{1,4}(?:을|를)?\s+)?(?:빌렸|빌려\s*(?:봤|썼|갔)|대여했|이용했|참여했|참가했|해\s*봤|했)"
)
_EN_TIMES = re.compile(
    r"\b(?:done|used|rented|borrowed|joined|attended|taken\s+part\s+in|participated\s+in|did)\b[^.?!]{0,60}?"
    rf"\b(?:(?P<word>once|twice|thrice)|(?P<n>{EN_NUM})\s+times)\b",
    re.I,
)
_EN_COUNT_WORDS = {"one": 1, "a": 1, "an": 1, "once": 1, "twice": 2, "thrice": 3}


def _ko_count(m: re.Match) -> Span:
    """A past count (uses, no-shows) from a pattern's ``n`` or ``n2`` group: digits or a native word."""
    raw = m.group("n") or m.groupdict().get("n2")
    n = int(raw) if raw.isdigit() else _KO_COUNTS[raw]
    return n, n


def _en_count(m: re.Match) -> Span:
    """The same in English: a word ("twice", "one") from ``word``/``word2``, else a number."""
    groups = m.groupdict()
    word = groups.get("word") or groups.get("word2")
    n = _EN_COUNT_WORDS[word.lower()] if word else en_number(groups.get("n") or groups.get("n2"))
    return n, n


# Bookings missed: "두 번 노쇼했는데", "노쇼 2회", "예약하고 한 번 안 갔어요", "I missed one booking",
# "no-showed twice", "didn't show up two times".
_KO_NO_SHOWS = re.compile(
    rf"(?:(?P<n>\d{{1,2}}|{alternation(_KO_COUNTS)})\s*(?:번|회)\s*(?:이나|정도|쯤|다|씩)?\s*(?:노쇼|no-?show|안\s*갔|못\s*갔|불참)"
    rf"|노쇼\s*(?:를|가)?\s*(?P<n2>\d{{1,2}}|{alternation(_KO_COUNTS)})\s*(?:번|회))",
    re.I,
)
_EN_NO_SHOWS = re.compile(
    rf"\b(?:missed|skipped)\s+(?:(?P<word>one|a|an)|(?P<n>{EN_NUM}))\s+"
    r"(?:booking|reservation|appointment|session|visit)s?\b"
    rf"|\b(?:no-?show(?:ed)?|(?:didn't|did\s+not)\s+show\s+up)\s+(?:(?P<word2>once|twice)|(?P<n2>{EN_NUM})\s+times)\b",
    re.I,
)


def times_findings(text: str) -> list[Finding]:
    """"올해 벌써 10번 빌렸는데", "I've done it twice": a past count, never a rule's ("연 10회까지")."""
    return [*scan(text, _KO_TIMES, "times_used", _ko_count, ko_bound),
            *scan(text, _EN_TIMES, "times_used", _en_count, en_bound),
            *scan(text, _KO_NO_SHOWS, "no_shows", _ko_count, ko_bound),
            *scan(text, _EN_NO_SHOWS, "no_shows", _en_count, en_bound)]
