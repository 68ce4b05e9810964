"""Question analysis: read a question once into a typed :class:`Question`.

Every later stage (retrieval, reranking, line selection, the status decision, the eligibility and
schedule extras, the wording) reads this object instead of re-parsing the text: its language, the
programs it names, the kinds of fact it asks for (facets.py), its profile facts
(profile_extract.py), what it intends (a verdict, a date) and its content words with how many of
them the report's vocabulary knows.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping

from chatbot.finder.facets import question_details, question_facets
from chatbot.finder.language import answer_language, detect_language, letter_share
from chatbot.index.lexical import KoreanTokenizer, content_forms
from chatbot.programs.profile import Extraction, extract
from chatbot.programs.glossary import Glossary
from chatbot.programs.names import ProgramNames

# ── what a question asks about (reranker cues) ────────────────────────────────────────────────
_PAST = re.compile(r"작년|지난\s*해|’23|'23|2023|성과|실적|했어|했나|했는지|됐어|받았어|last year|in 2023|so far|did",
                   re.IGNORECASE)
_THIS_YEAR = re.compile(r"올해|금년|’24|'24|2024|계획|예정|할\s*거|this year|plan|will", re.IGNORECASE)
_AUDIT = re.compile(r"지적|감사|특혜|불공평|논란|철회|문제|왜|해명|시정|의원|낭비|비판|why|criticis|criticiz|audit|"
                    r"complain|problem", re.IGNORECASE)

# ── does it ask whether someone can join? ─────────────────────────────────────────────────────
# An eligibility word alone is enough; a join word needs a stated profile fact as well, so
# "청년인턴 신청은 어디서 하나요?" (how to apply) gets no verdict.
ELIGIBILITY_WORDS = re.compile(
    r"자격|요건|(?:신청|참여|지원|이용|참가)\s*조건|(?:나이|연령)\s*(?:제한|조건|기준|요건)"
    r"|대상(?:이|은|는|자)?\s*(?:누구|어떻게|어떤|되|될|돼|인가|인지|일까|에\s*해당|이에요|예요|입니까|인가요)"
    r"|누가\s*(?:신청|참여|지원|이용|받|들을|들어|할)|해당(?:되|돼|하나|할까|하는지|될까)"
    r"|\beligib|\bqualif|\bwho\s+(?:can|may|is\s+allowed\s+to)\s+(?:join|apply|use|take|get|participate|enrol)"
    r"|\brequirements?\b|\bcriteria\b|\bage\s+limit\b|\bwho\s+is\s+it\s+for\b"
    r"|\bopen\s+to\s+(?:me|us|someone|people|anyone|a|an)\b|\bam\s+i\s+(?:eligible|allowed|able)\b"
    r"|\btoo\s+(?:old|young)\b|\bonly\s+for\b|\bpeople\s+like\s+(?:me|us)\b"
    r"|\b(?:open|available)\s+(?:to|for)\s+(?:me|us|him|her|them|people|someone|anyone|foreigners|non-?residents?|\d+)"
    r"|\b(?:take|takes|accept|accepts|admit|admits)\s+(?:me|us|him|her|them|people|foreigners)\b"
    r"|\b(?:do|does)\s+(?:i|we|he|she|one|my\s+\w+)\s+(?:have|need)\s+to\s+(?:be|live|reside|have\s+(?:been|lived))\b"
    # "꼭 실업자여야 하나요", "서울 살아야 돼요?", "아무나 가도 되나요", "나이 넘은 거 아닌가요"
    r"|(?:여|이어|아|어)야\s*(?:하나|하나요|해요|해|하는|돼|되나|되요|됩니까)|아무나|넘은\s*거\s*아닌"
    r"|\bcover(?:s)?\s+(?:me|us|him|her|them|someone|people|anyone)\b|\b(?:do|does|would)\s+(?:i|we|he|she|it|my\s+\w+)\s+count\s+as\b"
    r"|\b(?:am\s+i|are\s+we|is\s+(?:he|she|my\s+\w+|our\s+\w+))\s+(?:in|part\s+of|among)\s+(?:the|its|their)\s+target\b"
    # "open to international students?", "companies like ours", "일반 시민도 대관 가능한가요?"
    r"|\bopen\s+to\s+(?:international|foreign|overseas|non-?korean|exchange|local|ordinary|regular)\b"
    r"|\b(?:companies|firms|businesses|startups|people|students|someone|anyone)\s+like\s+(?:me|us|ours|mine)\b"
    r"|(?:일반\s*시민|일반인|누구나|외국인|비회원|개인)도\s*(?:가능|되|돼|신청|이용|대관|참여|참가|받)",
    re.I,
)
JOIN_WORDS = re.compile(
    r"가능|신청|들을\s*수|들어갈\s*수|할\s*수|될\s*수|받을\s*수|빌릴\s*수|이용|참여|참가|지원해도|지원하면|지원할"
    r"|다닐\s*수|갈\s*수|배울\s*수|수\s*있(?:나요|나|어요|어|을까|는지|습니까|니|지)"
    r"|되나요|될까요|되나|될까|되요|돼요|되는지|괜찮|입학|등록|가입"
    r"|받아\s*주|받아줘|안\s*되|안\s*돼|못\s*하|못\s*해|못\s*받|넘었|넘어도|넘으면|해야\s*(?:하|해|돼|되)|되겠"
    r"|\b(?:can|could)\s+(?:i|we|a|an|someone|my|he|she|they|people|foreigners|students)\b|\bmay\s+i\b"
    r"|\bam\s+i\s+(?:able|allowed)\b|\bjoin\b|\bapply\b|\bsign\s+up\b|\benrol+\b|\bregister\b"
    r"|\bparticipate\b|\btake\s+part\b|\buse\b|\ballowed\b|\bget\s+(?:in|into|support|help)\b|\bis\s+(?:it|that|this)\s+(?:ok|okay|possible|allowed)\b|\bpossible\s+for\b"
    r"|싶(?:어요|어|은데|습니다|다)|\bwant\s+to\b|\bwould\s+like\s+to\b|\bi'd\s+like\s+to\b|\bis\s+there\s+a\s+way\b"
    r"|보낼\s*수|(?:가|해|들어|써|빌려|받아)도\s*(?:돼|되|괜찮)|\b(?:i|we|he|she)\s+(?:could|can)\s+(?:take|join|attend|use|apply|get|do)\b"
    r"|\blet\s+(?:me|us|him|her|them)\b|\b(?:would|will|could|can)\s+(?:we|i|they|he|she)\s+(?:get|qualify|receive)\b"
    r"|(?:^|\s)possible\s*\?",
    re.I,
)
# Someone describing themselves (or a relative, or their company): with a join word it is a case
# to decide even when no fact was read from it ("저 컴공 졸업했는데 들을 수 있나요?").
SELF_DESCRIPTION = re.compile(
    r"(?:^|\s)(?:저는|전|저|제가|저희|저희는|우리|우리는|내가|난|나는|저도|나도|저희도|우리도)(?:\s|$)|운영\s*(?:하고\s*있|중이|하는데|해요|합니다)|(?:우리|저희)\s*(?:회사|아들|딸|엄마|아빠|어머니|아버지|동생|형|누나|언니|오빠)"
    r"|\bi(?:'m|\s+am|\s+have(?!\s+to\b)|\s+run|\s+work|\s+live|\s+organi[sz]e|\s+own|\s+manage|\s+study)\b"
    r"|\bwe(?:'re|\s+are|\s+have|\s+run|\s+organi[sz]e|\s+make|\s+plan)\b"
    r"|(?:^|\s)(?:아들|딸|남편|아내|엄마|아빠|어머니|아버지|부모님|누나|언니|오빠|형|동생|조카|남친|여친|남자친구|여자친구)"
    r"(?:이|가|은|는|도|이는|이가)?(?:\s|\(|$)"
    r"|\bmy\s+(?:son|daughter|mother|mom|mum|father|dad|parents?|brother|sister|wife|husband|boyfriend|girlfriend|partner"
    r"|nephew|niece|friend|company|startup|firm|business|lab|team)\b"
    r"|\bour\s+(?:[\w-]+\s+){0,2}(?:company|startup|firm|business|lab|team|studio|agency|shop|factory|organi[sz]ation)\b"
    # a role said of oneself or one's company: "서울대 교수인데", "구청 주무관입니다", "강소기업인데요"
    r"|(?:교수|학생|대학생|대학원생|유학생|취준생|직장인|회사원|주부|프리랜서|자영업자|사장|대표|감독|작가|디자이너"
    r"|개발자|연구원|공무원|주무관|의원|운영진|기업|회사|스타트업|업체|벤처|개발사|스튜디오|연구실|연구팀|단계)(?:이)?(?:에요|예요|인데|입니다|이고|이며|이라)"
    r"|(?:연구실|연구팀|회사|기업)(?:만|은|는)?\s*(?:있어요|없어요|있고|없고)",
    re.I,
)

# Words for benefits the catalog may not hold (national schemes, allowances, loans, housing …):
# an unnamed question using one that the top program's own text lacks is probably about another
# scheme (extras.py, scope features).
OTHER_SCHEME = re.compile(
    r"[가-힣]*(?:제도|수당|지원금|급여|연금|대출|바우처|장려금|보조금|월세|전세|주거|주택|청약|보험)"
    r"|\b(?:subsid\w*|allowances?|loans?|pensions?|benefits?|vouchers?|housing|insurance|unemployment)\b"
    r"|\brent\b(?!\s+(?:a|an|the|one|out|it|them)\b)",          # the rent one pays, not "rent a suit"
    re.I,
)

# Words too general to tell what a question is about ("지원금 뭐 있어요?", "help").
GENERIC_WORDS = frozenset(
    "지원 지원금 혜택 사업 프로그램 정책 서울 서울시 시 뭐 무엇 알리 알려주 알 주 받 있 없 좀 어떤 제도 정보 "
    "도움 도와주 문의 궁금 질문 안녕 안녕하 요즘 관련 거 것 게 분 저 나 우리 제 내 여기 혹시 그냥 추천 "
    "회사 기업 가게 일 돈 "
    "help hello hi info information support program programs benefit benefits what can get anything something "
    "job jobs work business company startup education training course courses youth "
    "there any i me my we you is are do does the a an for of to in about please tell know need want "
    "question questions seoul city".split()
)

LATIN_WORD = re.compile(r"[a-z][a-z'\-]+")
_HANGUL_WORD = re.compile(r"[가-힣]+")
# Morpheme tags of the words that say what a question is about: nouns, roots, foreign words.
TOPIC_TAGS = ("NNG", "NNP", "SL", "SH", "XR")
# Nouns that ask rather than name a topic ("얼마", "날짜", "방법"): never counted as unknown topics.
QUESTION_NOUNS = frozenset(
    "얼마 날짜 시간 방법 정도 가능 경우 생각 질문 문의 정보 내용 관련 부분 이번 요즘 지금 오늘 내일 올해 작년 다음 "
    "혹시 진짜 정말 대충 어디 무엇 뭔가 누구 언제 이유 때문 정확 확인 사람 우리 제가 저희 자기 본인 한번 처음 마지막 "
    "가격 비용 기간 일정 조건 자격 대상 신청 지원 이용 참여".split()
)
# English words that carry no topic of their own (function words, question words, everyday verbs).
ENGLISH_STOP = frozenset(
    "the a an is are was were be been being am do does did doing have has had i me my mine we our us you your he "
    "she it its they them their this that these those what which who whom whose when where why how can could may "
    "might will would should shall must to of in on at for from by with about as into onto than then there here "
    "and or but if not no nor so any some all each every just only also very too much many more most less least "
    "get got gets getting go goes going went want wants need needs like please tell know yes ok okay hi hello "
    "thanks thank one two three first last next new old good best free im i'm it's don't dont can't cannot isn't "
    "there's what's how's anyone someone something anything everything people person time times year years month "
    "months week weeks day days today tomorrow yesterday now still already again ever really actually exactly "
    "maybe possible possibly able allowed way ways kind sort type lot lots thing things place places use used "
    "using make makes made find found see look looking give given take taken come came say said ask asked help "
    "info information question questions answer detail details list number much long soon often since until "
    "after before during while other another same different own sure right wrong available open opens opened "
    "start starts started end ends seoul city korea korean metropolitan government currently recently usually "
    "normally probably already".split()
)
@dataclass(frozen=True)
class Cues:
    """What the question's time and tone point at (reranker features)."""

    past: bool = False          # last year's results ("작년", "so far")
    this_year: bool = False     # this year's plan ("올해", "will")
    audit: bool = False         # a complaint or an audit finding ("왜", "특혜", "why")


# A question *describes* a program when its wording covers this much of the question, in this
# many words (chosen on the fitting sets' unnamed eligibility questions, docs/finder.md).
DESCRIBES_SHARE = 0.25
DESCRIBES_WORDS = 2


@dataclass(frozen=True)
class CatalogMatch:
    """A question's specific words that one program's catalog wording holds."""

    share: float = 0.0          # idf-weighted share of the question's specific words
    words: int = 0              # how many of them

    @property
    def describes(self) -> bool:
        return self.share >= DESCRIBES_SHARE and self.words >= DESCRIBES_WORDS


@dataclass(frozen=True)
class Question:
    """One question, analysed once."""

    text: str
    language: str                          # detected or requested: ko, en, ja, …
    answer_language: str                   # ko or en
    named: tuple[str, ...] = ()            # programs the question names (corpus/programs.yaml), in order
    facets: tuple[str, ...] = ()           # kinds of fact asked for (facets.FACETS)
    details: tuple[str, ...] = ()          # details asked for that the report rarely states (facets.DETAILS)
    cues: Cues = field(default_factory=Cues)
    tokens: tuple[str, ...] = ()           # Kiwi morphemes of the question alone
    query_tokens: tuple[str, ...] = ()     # the lexical query: question + glossary words + named programs' names
    expansion: tuple[str, ...] = ()        # report words the glossary and the named programs added
    content_words: tuple[str, ...] = ()    # the question's own topic words (nouns, roots, foreign words)
    unknown_words: tuple[str, ...] = ()    # topic words the report's vocabulary, the glossary and the names lack
    other_schemes: tuple[str, ...] = ()    # benefit words (OTHER_SCHEME) the question uses
    profile: Extraction | None = None      # facts the person stated about themselves
    asks_eligibility: bool = False         # "can I join …" with a stated fact, or an eligibility word
    asks_schedule: bool = False            # "when …": a date, not a duration
    readable: bool = True                  # mostly Hangul or Latin letters: the word features apply
    specificity: float = 0.0               # the rarest topic word's idf (unknown words count as rarest)
    catalog: Mapping[str, CatalogMatch] = field(default_factory=dict)   # program id → how much its wording covers

    @property
    def specific_words(self) -> tuple[str, ...]:
        """Content words that are not generic ("지원", "help"): what the question is about."""
        return specific(self.content_words)

    @property
    def english_words(self) -> tuple[str, ...]:
        """The specific words in Latin letters: what English wording (the catalog's) can match."""
        return tuple(w for w in self.specific_words if w.isascii())


def specific(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w for w in words if w not in GENERIC_WORDS)


def english_share(words: Iterable[str], known: frozenset[str] | set[str]) -> float:
    """The share of ``words`` that ``known`` holds in one of their forms ("cafes" finds "cafe")."""
    words = list(words)
    if not words:
        return 0.0
    return sum(any(form in known for form in english_forms(w)) for w in words) / len(words)


def normalise(text: str) -> str:
    """NFC, no lone surrogates (a browser can send them; Kiwi cannot read them), single spaces."""
    text = unicodedata.normalize("NFC", text.encode("utf-8", "replace").decode("utf-8"))
    return " ".join(text.split())


def is_eligibility_question(text: str, extraction: Extraction) -> bool:
    """An eligibility word, or a join word with a fact the person stated or a self-description."""
    if ELIGIBILITY_WORDS.search(text):
        return True
    return bool(JOIN_WORDS.search(text)) and (bool(extraction.understood) or bool(SELF_DESCRIPTION.search(text)))


class QuestionAnalyzer:
    """Knows the index version's vocabulary, programs and glossary; analyses questions against them."""

    def __init__(self, programs: ProgramNames, glossary: Glossary, tokenizer: KoreanTokenizer,
                 idf: dict[str, float], english_texts: Mapping[str, Iterable[str]] | None = None,
                 korean_texts: Mapping[str, Iterable[str]] | None = None):
        """``idf``: the report's morphemes and their idf; ``english_texts`` / ``korean_texts``:
        program id → text known to describe it (the catalog's names, summaries, benefits, dates
        and cited clauses), next to the programs' names and aliases and the glossary's triggers."""
        self.programs = programs
        self.glossary = glossary
        self.tokenizer = tokenizer
        self.idf = idf
        self.vocabulary = frozenset(idf)
        self._rarest = max(idf.values(), default=0.0)
        texts: dict[str, list[str]] = {p.id: [p.name.en, *p.aliases.en] for p in programs}
        for program_id, program_texts in (english_texts or {}).items():
            texts.setdefault(program_id, []).extend(program_texts)
        self.program_english = {program_id: frozenset(w for text in program_texts for w in LATIN_WORD.findall(text.lower()))
                                for program_id, program_texts in texts.items()}
        korean: dict[str, list[str]] = {p.id: [p.name.ko, *p.aliases.ko] for p in programs}
        for program_id, program_texts in (korean_texts or {}).items():
            korean.setdefault(program_id, []).extend(program_texts)
        self.program_korean = {program_id: frozenset(tokenizer.tokenize(" ".join(program_texts)))
                               for program_id, program_texts in korean.items()}
        triggers = [t.lower() for entry in glossary.entries for t in entry.triggers if t.isascii()]
        # an English word the glossary maps is as specific as the report's words it maps to ("young"
        # → 청년, everywhere in the report): what lets "What support is there for young people?" be
        # as vague as "청년 정책 알려줘". Other known English words count as specific.
        self._english_idf: dict[str, float] = {}
        for entry in glossary.entries:
            mapped = [idf[m] for ko in entry.ko for m in tokenizer.tokenize(ko) if m in idf]
            if not mapped:
                continue
            for trigger in entry.triggers:
                for word in LATIN_WORD.findall(trigger.lower()):
                    self._english_idf[word] = min(self._english_idf.get(word, math.inf), min(mapped))
        self._known_latin = frozenset().union(*self.program_english.values(),
                                              (w for t in triggers if " " not in t for w in LATIN_WORD.findall(t)))
        # a glossary phrase ("childcare leave") makes its words known only where the phrase is used:
        # "childcare" alone is a topic the report does not cover
        self._phrases = tuple(t for t in triggers if " " in t)
        # colloquial words the glossary maps onto the report's ("공짜" → 무료, "양복" → 정장)
        self._known_hangul = _morphemes(tokenizer, tuple(t for e in glossary.entries for t in e.triggers if not t.isascii()))

    def analyse(self, text: str, language: str | None = None) -> Question:
        text = normalise(text)
        language = (language or detect_language(text)).lower()
        named = tuple(self.programs.mentions(text))
        expansion = (*self.glossary.expand(text), *(self.programs.name(p, "ko") for p in named))
        morphemes = self.tokenizer.analyse(text)
        tokens = tuple(content_forms(morphemes))
        query_tokens = tuple(self.tokenizer.tokenize(" ".join([text, *expansion]))) if expansion else tokens
        readable = _readable(text)
        content = self._content_words(text, morphemes) if readable else ()
        lowered = text.lower()
        in_phrases = {w for phrase in self._phrases if phrase in lowered for w in LATIN_WORD.findall(phrase)}
        unknown = tuple(w for w in content if w not in in_phrases and not self._known(w))
        profile = extract(text)
        facets = tuple(question_facets(text))
        return Question(
            text=text, language=language, answer_language=answer_language(language), named=named,
            facets=facets, details=tuple(question_details(text)),
            cues=Cues(bool(_PAST.search(text)), bool(_THIS_YEAR.search(text)), bool(_AUDIT.search(text))),
            tokens=tokens, query_tokens=query_tokens, expansion=tuple(expansion), content_words=content,
            unknown_words=unknown,
            other_schemes=tuple(m.group(0).lower() for m in OTHER_SCHEME.finditer(text)),
            profile=profile, asks_eligibility=is_eligibility_question(text, profile),
            asks_schedule="when" in facets, readable=readable,
            specificity=max((self._rarest if w in unknown else self._idf_of(w) for w in specific(content)),
                            default=0.0),
            catalog=self._catalog_matches(specific(content)),
        )

    @staticmethod
    def _content_words(text: str, morphemes: list[tuple[str, str]]) -> tuple[str, ...]:
        """Topic words: Korean nouns and roots of two or more letters (Kiwi's tags) and English
        words (read from the text: Kiwi splits "major." oddly) that are not function or everyday
        words. Numbers are values, not topics; other scripts are left to the dense side."""
        words: list[str] = []
        for form, tag in morphemes:
            if tag.startswith(TOPIC_TAGS) and _HANGUL_WORD.fullmatch(form) and len(form) >= 2 \
                    and form not in QUESTION_NOUNS and form not in words:
                words.append(form)
        for word in LATIN_WORD.findall(text.lower()):
            word = word.strip("'-")
            if len(word) >= 2 and word not in ENGLISH_STOP and word not in words:
                words.append(word)
        return tuple(words)

    def english_coverage(self, question: Question, program_ids: Iterable[str]) -> float | None:
        """The share of the question's specific English words that these programs' English
        wording uses, or None when it has none. "a free Korean language class" shares only
        "class" with the interview-suit rental; "borrow an interview suit" shares all of it."""
        if not question.english_words:
            return None
        known = frozenset().union(*(self.program_english.get(p, frozenset()) for p in program_ids))
        return english_share(question.english_words, known)

    def _catalog_matches(self, words: tuple[str, ...]) -> dict[str, CatalogMatch]:
        """How much of what the question is about each program's own wording covers: its specific
        words (idf-weighted) that the program's Korean text or English wording holds. "무료로 코딩
        가르쳐주는 학교" is the youth academy's ("코딩"), even where retrieval ranks the interview-suit
        rental first ("무료", "취업"). A benefit word ("수당") never matches: the job café's text
        mentions 청년수당 participants, which does not make it what "청년수당 되나요?" asks about."""
        weights = {w: self._idf_of(w) for w in words}
        total = sum(weights.values())
        matchable = [w for w in words if not OTHER_SCHEME.fullmatch(w)]      # "수당" names a scheme, not this one
        matches = {}
        for program_id in self.program_korean.keys() | self.program_english.keys():
            korean = self.program_korean.get(program_id, frozenset())
            english = self.program_english.get(program_id, frozenset())
            found = [w for w in matchable
                     if w in korean or (w.isascii() and any(f in english for f in english_forms(w)))]
            matches[program_id] = CatalogMatch(sum(weights[w] for w in found) / total if total else 0.0, len(found))
        return matches

    def _idf_of(self, word: str) -> float:
        """How specific a known topic word is: a Korean word's idf, an English word's through the
        glossary (the report's words it maps to), else the rarest."""
        if not word.isascii():
            return self.idf.get(word, self._rarest)
        return min((self._english_idf[f] for f in english_forms(word) if f in self._english_idf), default=self._rarest)

    def _known(self, word: str) -> bool:
        if not word.isascii():
            return word in self.vocabulary or word in self._known_hangul
        return any(form in self.vocabulary or form in self._known_latin for form in english_forms(word))


@lru_cache(maxsize=8)
def _morphemes(tokenizer: KoreanTokenizer, phrases: tuple[str, ...]) -> frozenset[str]:
    """The morphemes of these phrases; read once per process for an unchanged glossary."""
    return frozenset(form for phrase in phrases for form in tokenizer.tokenize(phrase))


_READABLE = re.compile(r"[가-힣ㄱ-ㅎA-Za-z]")


def _readable(text: str) -> bool:
    """Mostly Hangul or Latin letters: Kiwi's tags and the English word lists can read it."""
    return letter_share(text, _READABLE) >= 0.5


def english_forms(word: str) -> tuple[str, ...]:
    """The word and its likely singular / stem ("cafes" → "cafe", "libraries" → "library")."""
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    for suffix in ("es", "s", "ed", "ing", "d"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)])
    return tuple(forms)
