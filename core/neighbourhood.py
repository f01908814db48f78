"""LIME's neighbourhood of one text: which words each copy removes, and its copies
as texts or as token ids put together from the text's chunks.

LIME removes words from one text thousands of times. Building each copy, cleaning it
and vectorizing it took a third of an explanation once the model calls got fast
(bench/micro.py). But cleaning and the vectorizer work chunk by chunk (a chunk is
what lies between two runs of whitespace), and removing words never touches the
whitespace. So a copy's tokens are its chunks' tokens, in order. A chunk holds at most
one of Explain's words (core.explain: a word is what the model reads as one token), a
text with HTML marks aside (built as texts, below); with
another word expression, such as lime's \\w+, it may hold a few ("self", "destruction").
Each way of keeping a chunk's words is cleaned and vectorized once, by the real cleaning
and the model's own vectorizer.

Each step is chunk by chunk except two, handled here or refused:
- HTML stripping: tags and entities can span chunks, so a text that holds any of
  their marks ("<", "&", "\\", entity debris such as " #39;") gets None, and the
  copies are built as texts. Without them, stripping only collapses whitespace.
- The "first N words" cut counts the cleaned chunks, so it is applied across them.
A chunk that gives more than one token, or too many words to enumerate, gets None too.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from typing import Callable

import numpy as np

from core import text as text_utils
from core.config import CleanSpec

_HAS_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
MAX_WORDS_PER_CHUNK = 8  # each chunk's 2^words variants are cleaned and vectorized


class Words:
    """A text as LIME sees it (lime_text.IndexedString with bow=True): its pieces in order
    (words and the separators between them) and its distinct words, each with its pieces.

    A word is a match of ``word_expression`` (its group "word", where it has one: the rest
    of a match, such as an HTML tag, is skipped) that holds a letter or digit; everything
    between words is a separator. ``fold_case`` makes "It" and "it" one word, for a model
    that lowercases what it reads: it cannot tell them apart, so a reader should not see
    two weights. A word is shown as it first appears.
    """

    def __init__(self, text: str, word_expression: str, fold_case: bool = False):
        self.as_list: list[str] = []
        self.positions: list[list[int]] = []
        self._shown: list[str] = []
        index: dict[str, int] = {}
        end = 0
        pattern = re.compile(word_expression)
        group = "word" if "word" in pattern.groupindex else 0
        for match in pattern.finditer(text):
            if not _HAS_LETTER_OR_DIGIT.search(match.group(group) or ""):
                continue  # stays in the separator around it
            if match.start(group) > end:
                self.as_list.append(text[end:match.start(group)])
            piece, end = match.group(group), match.end(group)
            key = piece.lower() if fold_case else piece
            if key not in index:
                index[key] = len(self.positions)
                self.positions.append([])
                self._shown.append(piece)
            self.positions[index[key]].append(len(self.as_list))
            self.as_list.append(piece)
        if end < len(text):
            self.as_list.append(text[end:])

    def num_words(self) -> int:
        return len(self.positions)

    def word(self, index: int) -> str:
        return self._shown[index]

    def inverse_removing(self, words) -> str:
        """The text without these words (every piece of each)."""
        gone = {place for word in words for place in self.positions[word]}
        return "".join(piece for place, piece in enumerate(self.as_list) if place not in gone)


def draw(indexed, num_samples: int, rng: np.random.RandomState) -> np.ndarray:
    """LIME's text neighbourhood as a copies × words 0/1 matrix, drawn with whole-array numpy.

    The recipe is lime_text's own: row 0 is the text itself; every other row removes
    a uniformly drawn number (1..d) of distinct words, with all their occurrences.
    """
    n_words = indexed.num_words()
    removed = rng.randint(1, n_words + 1, num_samples - 1)
    noise = rng.random_sample((num_samples - 1, n_words))
    cutoff = np.sort(noise, axis=1)[np.arange(num_samples - 1), removed - 1]
    return np.vstack([np.ones((1, n_words), bool), noise > cutoff[:, None]])


def word_of_piece(indexed) -> np.ndarray:
    """Each of the text's pieces' word index; -1 for the separators between words."""
    words = np.full(len(indexed.as_list), -1)
    for word, positions in enumerate(indexed.positions):
        words[positions] = word
    return words


def copy_texts(indexed, keep: np.ndarray) -> list[str]:
    """The copies as texts. lime builds each with a Python loop of its own."""
    # Separators (-1) read the last column, which keeps them in every copy.
    keep_pieces = np.hstack([keep, np.ones((len(keep), 1), bool)])[:, word_of_piece(indexed)]
    pieces = indexed.as_list
    return ["".join(itertools.compress(pieces, row)) for row in keep_pieces.tolist()]


def _chunks(pieces: list[str], piece_words: np.ndarray) -> list[list]:
    """The text's chunks, each a list of parts: (word index, its text) or fixed text (str).

    Whitespace only ever sits in the separators (no word expression used here matches it),
    and it is what str.split() calls whitespace that the cleaning collapses.
    """
    chunks, current = [], []
    for piece, word in zip(pieces, piece_words):
        if word >= 0:
            current.append((int(word), piece))
            continue
        for char in piece:
            if not char.isspace():
                current.append(char)
            elif current:
                chunks.append(current)
                current = []
    if current:
        chunks.append(current)
    return chunks


def _words_in(chunk: list) -> list[int]:
    return list(dict.fromkeys(part[0] for part in chunk if isinstance(part, tuple)))


def _variants(chunk: list) -> tuple[list[int], list[str]]:
    """The chunk's distinct words, and its text for each subset of them kept (bit k: word k)."""
    words = _words_in(chunk)
    texts = []
    for kept in range(2 ** len(words)):
        on = {word for bit, word in enumerate(words) if kept >> bit & 1}
        texts.append("".join(part if isinstance(part, str) else part[1]
                             for part in chunk if isinstance(part, str) or part[0] in on))
    return words, texts


def token_ids(pieces: list[str], piece_words: np.ndarray, keep: np.ndarray,
              clean: CleanSpec, vectorize: Callable[[list[str]], np.ndarray]) -> np.ndarray | None:
    """Token ids (copies × max tokens) of the text with words removed as ``keep`` says.

    ``pieces`` are LIME's pieces of the text, ``piece_words`` each piece's word index
    (-1 for separators), ``keep`` the copies × words 0/1 matrix, ``vectorize`` the
    model's vectorizer on cleaned texts. None where the copies' tokens cannot be put
    together exactly (see the module docstring).
    """
    if clean.strip_html and text_utils.holds_html("".join(pieces)):
        return None
    chunks = _chunks(pieces, piece_words)
    if any(len(_words_in(chunk)) > MAX_WORDS_PER_CHUNK for chunk in chunks):
        return None
    per_chunk = [_variants(chunk) for chunk in chunks]
    by_chunk = dataclasses.replace(clean, max_words=None)  # the cut is across chunks
    cleaned = [text_utils.clean_text(variant, by_chunk)
               for _, texts in per_chunk for variant in texts]
    if any(any(char.isspace() for char in variant) for variant in cleaned):
        return None
    variant_ids = vectorize(cleaned)
    if (np.count_nonzero(variant_ids, axis=1) > 1).any():
        return None
    variant_token = variant_ids[:, 0]  # 0: the variant gives no token
    variant_is_word = np.array([bool(variant) for variant in cleaned])
    copies = len(keep)
    tokens = np.zeros((copies, len(chunks)), dtype="int32")
    is_word = np.zeros((copies, len(chunks)), dtype=bool)
    first = 0
    for column, (words, texts) in enumerate(per_chunk):
        variant = np.zeros(copies, dtype="int64")
        for bit, word in enumerate(words):
            variant |= keep[:, word].astype("int64") << bit
        tokens[:, column] = variant_token[first + variant]
        is_word[:, column] = variant_is_word[first + variant]
        first += len(texts)
    if clean.max_words:
        tokens[np.cumsum(is_word, axis=1) > clean.max_words] = 0
    return _left_aligned(tokens, variant_ids.shape[1])


def _left_aligned(tokens: np.ndarray, width: int) -> np.ndarray:
    """Each row's nonzero tokens moved to the front, then cut or padded to ``width``."""
    order = np.argsort(tokens == 0, axis=1, kind="stable")
    packed = np.take_along_axis(tokens, order, axis=1)[:, :width]
    if packed.shape[1] < width:
        packed = np.pad(packed, ((0, 0), (0, width - packed.shape[1])))
    return packed
