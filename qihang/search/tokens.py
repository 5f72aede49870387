"""Chinese tokenisation for the job index: jieba with a dictionary of music terms and synonyms.

Documents are indexed like jieba's search-mode segmentation, at every length (every dictionary
word inside a longer one as well: 大提琴演奏员 → 大提琴, 提琴, 演奏员 …; 钢琴调律师 → 钢琴调律 …), queries with its precise mode, and
both sides read synonyms as their canonical word (老师 → 教师, 钢琴老师 → 钢琴教师), so a query
word matches a posting whenever the posting contains it as a word. HMM guessing of unknown
words is off on both sides: the same characters are cut the same way wherever they stand, and
characters jieba does not know stay single tokens (still searchable, ranked by frequency).

The dictionary and the synonym groups are data (qihang/search/data/), not literals here.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache
from pathlib import Path

import jieba

DATA_DIR = Path(__file__).resolve().parent / "data"
TERMS_FILE = DATA_DIR / "music_terms.txt"
SYNONYMS_FILE = DATA_DIR / "synonyms.txt"

# Words that carry no meaning in a posting or a query.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 等 在 是 有 为 对 把 被 将 从 于 之 其 并 也 都 我 你 他 她 它".split()
)
# A token is a run of CJK characters, letters or digits; everything else separates tokens.
_TOKEN = re.compile(r"[\w]+", re.UNICODE)
_SEPARATOR = re.compile(r"[^\w]+", re.UNICODE)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


@cache
def synonyms() -> dict[str, str]:
    """alias → canonical word, from synonyms.txt (the canonical maps to itself)."""
    mapping: dict[str, str] = {}
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        canonical, *aliases = line.split()
        mapping[canonical] = canonical
        for alias in aliases:
            mapping[alias] = canonical
    return mapping


def tokenizer() -> jieba.Tokenizer:
    """jieba's dictionary with the music terms and every synonym as words (loaded once)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                made = jieba.Tokenizer()
                made.initialize()
                made.load_userdict(str(TERMS_FILE))
                for word in synonyms():
                    if made.FREQ.get(word, 0) == 0:
                        made.add_word(word, freq=5000)
                _tokenizer = made
    return _tokenizer


def _normal(token: str) -> str | None:
    token = token.strip().lower()
    if not token or not _TOKEN.fullmatch(token) or token in STOPWORDS:
        return None
    return synonyms().get(token, token)


def _pieces(text: str) -> list[str]:
    """The text's runs between punctuation and spaces (jieba would keep them as tokens)."""
    return [p for p in _SEPARATOR.split(text or "") if p]


def sub_words(word: str) -> list[str]:
    """jieba's search mode for one word, at every length: the dictionary words inside it,
    shortest first, then the word itself (大提琴演奏员 → 提琴, 演奏, 大提琴, 演奏员, 大提琴演奏员).
    jieba's own `cut_for_search` stops at three characters, so 钢琴调律师 would not give 钢琴调律
    and a query for it would miss."""
    freq = tokenizer().FREQ
    found = [
        word[start : start + size]
        for size in range(2, len(word))
        for start in range(len(word) - size + 1)
        if freq.get(word[start : start + size], 0) > 0
    ]
    return [*found, word]


def document_tokens(text: str) -> list[str]:
    """Tokens a posting's text is indexed by: every word of jieba's precise cut and the
    dictionary words inside it (`sub_words`), synonyms read as canonical."""
    cut = tokenizer().cut
    found: list[str] = []
    for piece in _pieces(text):
        for word in cut(piece, HMM=False):
            for sub in sub_words(word):
                token = _normal(sub)
                if token is not None:
                    found.append(token)
    return found


def query_terms(text: str) -> list[str]:
    """The words of a query, each of which a matching posting must contain (no repeats)."""
    cut = tokenizer().cut
    terms: list[str] = []
    for piece in _pieces(text):
        for word in cut(piece, HMM=False):
            token = _normal(word)
            if token is not None and token not in terms:
                terms.append(token)
    return terms


def tokens_text(*texts: str) -> str:
    """The space-separated tokens stored in the index for these texts."""
    return " ".join(token for text in texts for token in document_tokens(text))
