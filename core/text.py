"""Pure-Python text utilities: HTML clean-up, cleaning options, tokens, vocabulary.

``standardize``/``tokenize`` reproduce what ``keras.layers.TextVectorization``
does with ``standardize="lower_and_strip_punctuation"`` and
``split="whitespace"``, so previews and vocabularies built here match what the
model sees without importing TensorFlow.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

try:  # pyarrow ships with pandas/streamlit; the pure-Python path is the fallback
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:  # pragma: no cover
    pa = pc = None

from core.config import CleanSpec

UNKNOWN_MARK = " (unknown)"  # beside a word the model does not know (bars, sentence)

# Negations stay: dropping "not" would turn "not good" into "good".
NEGATIONS = frozenset({"no", "not", "nor", "never", "cannot", "none", "nothing", "nobody"})
STOPWORDS: frozenset[str] = frozenset(ENGLISH_STOP_WORDS) - NEGATIONS

# Exactly keras' DEFAULT_STRIP_REGEX; the ",-\." range covers ',', '-' and '.'.
KERAS_PUNCTUATION = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'"

# tf.strings.lower (encoding="") lowercases ASCII letters only, and
# tf.strings.split splits on ASCII whitespace only; mimic both exactly.
_ASCII_LOWER = {ord(c): ord(c) + 32 for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_STRIP_TABLE = {ord(c): None for c in KERAS_PUNCTUATION}
_LOWER_AND_STRIP_TABLE = {**_STRIP_TABLE, **_ASCII_LOWER}
_ASCII_TOKEN = re.compile(r"[^ \t\n\r\f\v]+")
_TOKEN_CHAR = re.compile("[^ \t\n\r\f\v" + re.escape(KERAS_PUNCTUATION) + "]")

# AG-News style debris: "&#39;" was stored as " #39;" and "&quot;" as " quot;".
_NUMERIC_DEBRIS = re.compile(r"\s?(?<!&)#(\d{1,6});")
_NAMED_DEBRIS = re.compile(r"\s?(?<![&\w])(quot|amp|lt|gt|apos|nbsp);")
_SCRIPT_OR_STYLE = re.compile(
    r"<(script|style)\b[^>]*>.*?(</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL
)
_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_BACKSLASHES = re.compile(r"\\+")
_WORD = re.compile(r"\w+(?:'\w+)*")
_MARKUP_LEFT = re.compile(r"[<\\]|&[#\w]")  # a tag, a backslash, an entity's start


def _is_text(value) -> bool:
    return isinstance(value, str)


def collapse_whitespace(text: str) -> str:
    return " ".join(text.split())


def shortened(text: str, chars: int) -> str:
    """``text``, cut with "…" to at most ``chars`` characters."""
    return text if len(text) <= chars else text[:chars - 1] + "…"


def one_line_preview(text: str, chars: int) -> str:
    """The text on one line, cut with "…" to at most ``chars`` characters (pickers, lists)."""
    return shortened(collapse_whitespace(text), chars)


def listed(items) -> str:
    """"a", "a and b", "a, b and c": items named in a sentence."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _fix_entity_debris(text: str) -> str:
    text = _NUMERIC_DEBRIS.sub(lambda m: f"&#{m.group(1)};", text)
    return _NAMED_DEBRIS.sub(lambda m: f"&{m.group(1)};", text)


def holds_html(text: str) -> bool:
    """Could strip_html do more than collapse whitespace, on ``text`` or on it with words removed?

    Only "<" (tags), "&" (entities), "\\" and entity debris change anything. Removing
    whole words (runs of \\w and inner apostrophes) cannot add those marks, nor make
    debris: the separator characters on both sides of a word stay.
    """
    return _holds_marks(text) or _holds_debris(text)


def _holds_marks(text: str) -> bool:
    # Spelled out: `in` tests cost a fifth of any() over a generator, and this runs per text.
    return "<" in text or "&" in text or "\\" in text


def _holds_debris(text: str) -> bool:
    # Debris ends in ";": without one, skip the two searches (most of preparing 120k texts).
    return ";" in text and (_NUMERIC_DEBRIS.search(text) is not None
                            or _NAMED_DEBRIS.search(text) is not None)


def _strips_again(stripped: str) -> bool:
    """Could strip_html change a text it has already stripped? Only if tags, backslashes,
    entities or debris are left: an "&" before a space or a mark (from "&amp;") is none."""
    return _MARKUP_LEFT.search(stripped) is not None or _holds_debris(stripped)


def strip_html(text) -> str:
    """Plain text from HTML-ish input: entities decoded, tags and scripts removed."""
    if not _is_text(text):
        return ""
    if not (_holds_marks(text) or ";" in text):
        return collapse_whitespace(text)
    text = _fix_entity_debris(text)
    # Unescape before removing tags: escaped markup ("&lt;b&gt;") is markup too.
    text = html.unescape(text)
    text = _SCRIPT_OR_STYLE.sub(" ", text)
    text = _COMMENT.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _BACKSLASHES.sub(" ", text)
    return collapse_whitespace(text)


def remove_stopwords(text: str) -> str:
    """Drop English stopwords (any case); punctuation and other words stay."""
    without = _WORD.sub(
        lambda m: "" if m.group(0).lower() in STOPWORDS else m.group(0), text
    )
    return collapse_whitespace(without)


def keep_first_words(text: str, max_words: int | None) -> str:
    if not max_words:
        return text
    return " ".join(text.split()[:max_words])


def clean_text(text, spec: CleanSpec) -> str:
    """Apply the cleaning options of ``spec`` to one text; non-text gives ""."""
    if not _is_text(text):
        return ""
    return _after_markup(strip_html(text) if spec.strip_html else collapse_whitespace(text), spec)


def _after_markup(text: str, spec: CleanSpec) -> str:
    """The cleaning steps after the markup is gone: case, stopwords, the first words."""
    if spec.lowercase:
        text = text.lower()
    if spec.remove_stopwords:
        text = remove_stopwords(text)
    return keep_first_words(text, spec.max_words)


def clean_texts(texts: Iterable, spec: CleanSpec) -> list[str]:
    return [clean_text(text, spec) for text in texts]


def without_stripped_html(text: str, spec: CleanSpec) -> str:
    """``text`` less the HTML tags and entities that cleaning by ``spec`` strips.

    Case, stopwords and line breaks stay where there is no HTML, so readers find their
    own words; the pieces of "<br />" or "&#39;" are no words the model sees.
    """
    if spec.strip_html and holds_html(text):
        return strip_html(text)
    return text


def part_read(text: str, spec: CleanSpec, max_tokens: int | None) -> str:
    """The beginning of ``text`` that holds every token a model reads from it: one that
    cleans by ``spec`` and reads the first ``max_tokens`` tokens. ``text`` when it reads all.

    Explanations weigh these words only. Had LIME removed words from the whole text, words
    past the limit would move into it in its copies and win weights (browser QA: the top
    words of a 296-word text were words 74–155 for a model reading 60).
    """
    def tokens_in(part: str) -> int:
        return len(tokenize(clean_text(part, spec), spec.lowercase))

    ends = [match.end() for match in _ASCII_TOKEN.finditer(text)]
    read = tokens_in(text)  # after the cleaning's own first-words cut
    read = min(read, max_tokens) if max_tokens else read
    if not read:
        return text
    # A part's tokens begin the whole text's tokens, so their count grows with the part.
    last = bisect.bisect_left(range(len(ends)), read, key=lambda k: tokens_in(text[:ends[k]]))
    if last >= len(ends) - 1 or not tokens_in(text[ends[last]:]):
        return text  # QA23: a closing "!!" was cut off and counted as a word not read
    return text[:ends[last]]


def cleaned_and_written(text, spec: CleanSpec) -> tuple[str, str]:
    """``text`` cleaned by ``spec``, and as people should read it (without_stripped_html).

    The text to read cleans to exactly the cleaned text, so the model answers both
    alike. Markup escaped twice ("&amp;lt;b&amp;gt;") would lose more on a second
    stripping, so such a text is shown as written. One pass: preparing 120k texts must
    not clean each twice.
    """
    if not _is_text(text):
        return "", ""
    if not spec.strip_html:
        return _after_markup(collapse_whitespace(text), spec), text
    stripped = strip_html(text)
    written = stripped if holds_html(text) else text
    if written is stripped and _strips_again(stripped) and strip_html(stripped) != stripped:
        written = text
    return _after_markup(stripped, spec), written


def standardize(text, lowercase: bool = True) -> str:
    """Keras ``lower_and_strip_punctuation`` (or ``strip_punctuation``)."""
    if not _is_text(text):
        return ""
    return text.translate(_LOWER_AND_STRIP_TABLE if lowercase else _STRIP_TABLE)


def tokenize(text, lowercase: bool = True) -> list[str]:
    """The tokens TextVectorization produces (before vocabulary lookup)."""
    return _ASCII_TOKEN.findall(standardize(text, lowercase))


def has_words(text) -> bool:
    """Whether the model gets any word from ``text`` (already cleaned the run's way).

    The one rule for "no text": empty, or only spaces or punctuation, gives no token.
    """
    # tokenize's rule without building the tokens: any character that is neither ASCII
    # whitespace nor stripped punctuation starts one (1M rows: 0.3 s, not 1.5 s).
    return _is_text(text) and _TOKEN_CHAR.search(text) is not None


def _batches(texts: Iterable, size: int):
    batch: list[str] = []
    for item in texts:
        if _is_text(item):
            batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _count_batch(batch: list[str], lowercase: bool) -> dict[str, int]:
    table = _LOWER_AND_STRIP_TABLE if lowercase else _STRIP_TABLE
    if pc is None:
        return Counter(tokenize("\n".join(batch), lowercase))
    # Arrow splits and counts in C++: about 3x faster than Counter on 5M tokens.
    array = pa.array([item.translate(table) for item in batch], pa.large_string())
    counts = pc.value_counts(pc.list_flatten(pc.ascii_split_whitespace(array)))
    return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()))


def count_tokens(texts: Iterable, lowercase: bool = True) -> Counter:
    """How often each token occurs in ``texts`` (tokens as ``tokenize`` makes them)."""
    counts: Counter = Counter()
    for batch in _batches(texts, 50_000):
        counts.update(_count_batch(batch, lowercase))
    counts.pop("", None)  # arrow keeps empty strings around leading/trailing spaces
    return counts


def build_vocabulary(
    texts: Iterable, vocab_size: int, min_freq: int = 1, lowercase: bool = True
) -> list[str]:
    """Most frequent tokens first (ties alphabetical), without padding and OOV.

    ``vocab_size`` counts keras' two reserved entries (index 0 padding, index 1
    OOV), so at most ``vocab_size - 2`` tokens are returned.
    """
    return vocabulary_of(count_tokens(texts, lowercase), vocab_size, min_freq)


def vocabulary_of(counts: Counter, vocab_size: int, min_freq: int = 1) -> list[str]:
    """build_vocabulary from token counts already made (count_tokens)."""
    frequent = [(token, n) for token, n in counts.items() if n >= min_freq]
    frequent.sort(key=lambda item: (-item[1], item[0]))
    return [token for token, _ in frequent[:max(0, int(vocab_size) - 2)]]


def mark_oov(
    text,
    vocabulary: set[str] | list[str],
    lowercase: bool = True,
    max_tokens: int | None = None,
) -> list[tuple[str, bool]]:
    """Each token of ``text`` (the first ``max_tokens``) with True if it is known."""
    known = vocabulary if isinstance(vocabulary, (set, frozenset)) else set(vocabulary)
    tokens = tokenize(text, lowercase)
    if max_tokens is not None:
        tokens = tokens[:max_tokens]
    return [(token, token in known) for token in tokens]


def oov_rate(texts: Iterable, vocabulary: set[str] | list[str], lowercase: bool = True) -> float:
    """Share of tokens that are not in ``vocabulary`` (0.0 when there are none)."""
    known = vocabulary if isinstance(vocabulary, (set, frozenset)) else set(vocabulary)
    counts = count_tokens(texts, lowercase)
    total = sum(counts.values())
    if total == 0:
        return 0.0
    unknown = sum(n for token, n in counts.items() if token not in known)
    return unknown / total


def isolate_direction(text: str) -> str:
    """Right-to-left text wrapped in Unicode isolates (FSI … PDI); other text as it is.

    Without them the browser's bidi algorithm runs neighbouring Arabic or Hebrew words
    of a list together, so “a”, “b” and “c” read in swapped order.
    """
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
        return f"\u2068{text}\u2069"
    return text
