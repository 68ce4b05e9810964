"""Is the question about something the report covers? A fitted classifier over several signals.

One signal was not enough: the reranker's share for the best passage caught about two thirds of
everyday city questions (rent, transport cards, vaccination) and answered the rest with an
unrelated program. The classifier combines what each signal sees:

- how sure retrieval is: the reranker's share, how far the best fused score stands out, the best
  cosine similarity;
- how much of the question the best passage and the best line hold (idf-weighted);
- the question's own content words that the report's vocabulary (and the glossary) lacks:
  "따릉이", "월세", "vaccination" — the strongest sign of a topic the report does not cover;
- a benefit word (수당, 월세, loan …) that the best passage does not use;
- whether the question names a program;
- for English words, the share the top programs' English wording (the catalog's names, summaries,
  benefits) uses: the English counterpart of the passage coverage, which English questions cannot
  have against the Korean report (blind sets: 0.67 on answerable questions, 0.12 on off-topic ones).

- the nearest labelled questions: the fitting questions' embeddings (answerable or not, shipped as
  ``scope_bank.npz``) nearest to this one. Citizens ask about the same everyday topics in many
  wordings and languages; a question close to known off-topic ones ("首尔的公共游泳池怎么预约" near
  "구민체육센터 수영장 예약") is likely off-topic too, which no word count sees for scripts the
  analysis cannot read.

``python -m bench.fit_scope --write`` fits a logistic regression on blind answerable and unanswerable
questions, picks the L2 strength by cross-validation and the threshold per language group on the
out-of-fold probabilities, and writes ``chatbot/finder/answer/scope.json`` and the bank. It fits two
models: one with the neighbour features, used when the bank was embedded by the index's model, and
one without them for any other model. A holdout written by someone else is only scored.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chatbot.finder.calibration import language_group
from chatbot.finder.fitted import read_fitted
from chatbot.index.lexical import QueryWeights
from chatbot.finder.retrieve import RetrievalResult
from chatbot.finder.answer.lines import LineChoice
from chatbot.finder.answer.nearest import nearest, unit
from chatbot.finder.question import Question

WEIGHTS_FILE = Path(__file__).with_name("scope.json")
BANK_FILE = Path(__file__).with_name("scope_bank.npz")

FEATURES = (
    "share", "log_share", "peak", "dense_max", "passage_coverage", "topic_coverage", "line_coverage",
    "unknown_share_ko", "unknown_share_other", "unknown_count", "known_topic", "no_specific_words",
    "other_scheme_absent", "named", "korean", "expanded_other", "english_topic", "english_coverage",
)
# the nearest labelled questions: their similarity-weighted answerable share, how much nearer the
# nearest answerable one is than the nearest off-topic one, and how near that off-topic one is
NEIGHBOUR_FEATURES = ("neighbour_share", "neighbour_gap", "neighbour_off_topic")
NEIGHBOURS = 5
SHARPNESS = 20.0            # softmax temperature over cosine similarities for the share
COVERAGE_PROGRAMS = 3       # English coverage: the question's English words in the top programs' English wording
# A threshold per group: Korean, English (read word by word through the glossary) and the other
# languages (Chinese, Japanese, …: only the dense side understands them, so their answerable
# questions score lower; one threshold for English and them let English off-topic questions through).
SCOPE_GROUPS = ("ko", "en", "other")


def scope_group(language: str) -> str:
    group = language_group(language)
    return "en" if group == "other" and language.lower().startswith("en") else group


@dataclass(frozen=True)
class ScopeSignals:
    """The features of one question, in FEATURES order (kept for logs and the fitting script)."""

    values: tuple[float, ...]

    def as_array(self) -> np.ndarray:
        return np.array(self.values, dtype=np.float64)


def signals(question: Question, result: RetrievalResult, top_line: LineChoice | None,
            idf: dict[str, float], passage_tokens: list[frozenset[str]],
            english_coverage: float | None = None) -> ScopeSignals:
    """What the classifier sees. ``passage_tokens`` are the best passages' morphemes (with their
    heading paths), as indexed, best first; ``english_coverage``: QuestionAnalyzer.english_coverage
    for the top COVERAGE_PROGRAMS programs (None: the question has no specific English word)."""
    wanted = QueryWeights(question.query_tokens, idf)
    passage_coverage = wanted.share(passage_tokens[0]) if passage_tokens else 0.0
    near = frozenset().union(*passage_tokens[:3]) if passage_tokens else frozenset()
    topics = question.content_words
    topic_coverage = sum(1 for w in topics if w in near) / max(len(topics), 1)
    known_topic = min(sum(idf.get(w, 0.0) for w in question.specific_words if w not in question.unknown_words) / 10, 1)
    line_coverage = wanted.share(top_line.line.tokens) if top_line else 0.0
    content = max(len(question.content_words), 1)
    unknown_share = len(question.unknown_words) / content
    korean = 1.0 if language_group(question.language) == "ko" else 0.0
    top_text = (result.hits[0].passage.text + " " + " ".join(result.hits[0].passage.section)).lower() \
        if result.hits else ""
    absent = any(word not in top_text for word in question.other_schemes)
    return ScopeSignals((
        result.confidence, math.log(max(result.confidence, 1e-6)) / 10, result.peak / 10, result.dense_max,
        passage_coverage, topic_coverage, line_coverage, unknown_share * korean, unknown_share * (1 - korean),
        min(len(question.unknown_words), 3) / 3, known_topic, float(not question.specific_words), float(absent),
        float(bool(question.named)), korean, (1 - korean) * min(len(question.expansion), 5) / 5,
        float(english_coverage is not None), english_coverage or 0.0,
    ))


def neighbour_features(similarities: np.ndarray, answerable: np.ndarray) -> tuple[float, float, float]:
    """NEIGHBOUR_FEATURES from a question's cosine similarities to the labelled questions (shared
    with bench/fit_scope.py, which leaves out the question's own author's set)."""
    top, weights = nearest(similarities, NEIGHBOURS, SHARPNESS)
    share = float((weights * answerable[top]).sum() / weights.sum())
    nearest_answerable = float(similarities[answerable].max(initial=-1.0))
    nearest_off_topic = float(similarities[~answerable].max(initial=-1.0))
    return share, 10 * (nearest_answerable - nearest_off_topic), 5 * nearest_off_topic


@dataclass(frozen=True)
class NeighbourBank:
    """The fitting questions' embeddings (unit length) and whether the report answers each."""

    vectors: np.ndarray
    answerable: np.ndarray
    model: str

    def features(self, query_vector: np.ndarray) -> tuple[float, float, float]:
        return neighbour_features(self.vectors @ unit(query_vector), self.answerable)


def load_bank(path: Path = BANK_FILE) -> NeighbourBank | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            vectors = data["vectors"].astype(np.float32)
            answerable = data["answerable"].astype(bool)
            model = str(data["model"])
    except (OSError, KeyError, ValueError):
        return None
    if vectors.ndim != 2 or len(vectors) != len(answerable) or answerable.all() or not answerable.any():
        return None
    return NeighbourBank(unit(vectors), answerable, model)


class Logistic:
    """One fitted logistic regression over named features, with a threshold per language group."""

    def __init__(self, weights: dict[str, float], bias: float, thresholds: dict[str, float],
                 features: tuple[str, ...] = FEATURES):
        self.features = features
        self.weights = np.array([weights[name] for name in features], dtype=np.float64)
        self.bias = bias
        self.thresholds = thresholds

    def probability(self, values: tuple[float, ...]) -> float:
        z = float(np.asarray(values, dtype=np.float64) @ self.weights + self.bias)
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def threshold(self, language: str) -> float:
        group = scope_group(language)
        return self.thresholds.get(group, self.thresholds.get("other", 0.5))


class ScopeModel:
    """The probability that the report answers the question, and the threshold it must reach: with
    the nearest labelled questions when the bank was embedded by the index's model, else without."""

    def __init__(self, weights: dict[str, float], bias: float, thresholds: dict[str, float],
                 neighbours: Logistic | None = None, bank: NeighbourBank | None = None):
        self.base = Logistic(weights, bias, thresholds)
        self.neighbours = neighbours if bank is not None else None
        self.bank = bank if neighbours is not None else None

    def decide(self, s: ScopeSignals, query_vector: np.ndarray | None, language: str) -> tuple[float, float]:
        """(probability, threshold) for one question."""
        if self.neighbours is not None and query_vector is not None:
            values = (*s.values, *self.bank.features(query_vector))
            return self.neighbours.probability(values), self.neighbours.threshold(language)
        return self.base.probability(s.values), self.base.threshold(language)



def load_model(path: Path = WEIGHTS_FILE, bank_path: Path = BANK_FILE, model: str | None = None) -> ScopeModel | None:
    """The fitted model, or None (then only the reranker-share threshold decides). ``model``: the
    index's embedding model; the neighbour model is used only when the bank was embedded by it."""
    data = read_fitted(path, FEATURES)
    if data is None:
        return None
    thresholds = {k: float(v) for k, v in (data.get("thresholds") or {}).items()}
    neighbours, bank = None, None
    extra = data.get("neighbours") or {}
    names = FEATURES + NEIGHBOUR_FEATURES
    if model is not None and set(names) <= set(extra.get("weights") or {}):
        bank = load_bank(bank_path)
        if bank is not None and bank.model == model:
            neighbours = Logistic({n: float(extra["weights"][n]) for n in names}, float(extra.get("bias", 0.0)),
                                  {k: float(v) for k, v in (extra.get("thresholds") or {}).items()}, names)
    return ScopeModel(data["weights"], float(data.get("bias", 0.0)), thresholds, neighbours, bank)
