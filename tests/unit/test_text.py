"""core.text: HTML clean-up, cleaning options, keras-like tokens, vocabulary."""

import math
import random
import time

import pytest

from core import text
from core.config import CleanSpec


# ---------------------------------------------------------------- strip_html

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("<script>alert(1)</script>hi", "hi"),
        ("<style>p {color: red}</style><p>Hello</p>", "Hello"),
        ("A <b>bold</b> move<br/>next line", "A bold move next line"),
        ("Fish &amp; chips &quot;today&quot; &#39;ok&#39;", "Fish & chips \"today\" 'ok'"),
        ("&lt;b&gt;escaped markup&lt;/b&gt; stays text", "escaped markup stays text"),
        ("x &lt;script&gt;evil()&lt;/script&gt; y", "x y"),
        ("before <!-- hidden --> after", "before after"),
        ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
        ("  lots   of\n\nspace\t", "lots of space"),
    ],
)
def test_strip_html(raw, expected):
    assert text.strip_html(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Eriksson doesn #39;t feel pressure", "Eriksson doesn't feel pressure"),
        ("they are  quot;disappointed quot; after talks", 'they are "disappointed" after talks'),
        ("the  #36;10 million prize", "the $10 million prize"),
        ("a second\\team of rocketeers", "a second team of rocketeers"),
        ("Dell Inc. &lt;DELL.O&gt; said", "Dell Inc. said"),
        ("Johnson  amp; Johnson and J amp;J", "Johnson & Johnson and J&J"),
    ],
)
def test_strip_html_fixes_ag_news_debris(raw, expected):
    assert text.strip_html(raw) == expected


@pytest.mark.parametrize("value", [None, float("nan"), 3, b"bytes"])
def test_strip_html_of_non_text_is_empty(value):
    assert text.strip_html(value) == ""


# ---------------------------------------------------------------- clean_text

def test_clean_text_defaults_strip_html_and_lowercase():
    assert text.clean_text("<b>GREAT</b> Movie!", CleanSpec()) == "great movie!"


def test_clean_text_can_keep_case_and_markup():
    spec = CleanSpec(lowercase=False, strip_html=False)
    assert text.clean_text("<b>GREAT</b>  Movie!", spec) == "<b>GREAT</b> Movie!"


def test_clean_text_removes_stopwords_in_any_case_but_keeps_negations():
    spec = CleanSpec(lowercase=False, remove_stopwords=True)
    cleaned = text.clean_text("This is NOT the best Movie of THE year, I think!", spec)
    assert cleaned == "NOT best Movie year, think!"


def test_stopwords_come_from_sklearn():
    assert {"the", "and", "of", "is"} <= text.STOPWORDS
    assert "not" not in text.STOPWORDS and "movie" not in text.STOPWORDS


def test_clean_text_keeps_first_words():
    spec = CleanSpec(max_words=3)
    assert text.clean_text("One two <i>three</i> four five", spec) == "one two three"


@pytest.mark.parametrize("value", [None, float("nan"), 42])
def test_clean_text_of_non_text_is_empty(value):
    assert text.clean_text(value, CleanSpec()) == ""


def test_clean_texts_cleans_each_item():
    assert text.clean_texts(["A<br>B", None, "  C "], CleanSpec()) == ["a b", "", "c"]


# ---------------------------------------------------------------- keras-like tokens

def test_standardize_strips_keras_punctuation():
    assert text.standardize("Don't STOP-me now... (e.g. #1)!") == "dont stopme now eg 1"


def test_standardize_without_lowercase_keeps_case():
    assert text.standardize("Hello, World!", lowercase=False) == "Hello World"


def test_standardize_lowercases_ascii_only_like_tf_strings_lower():
    assert text.standardize("ÉCOLE ÜBER ABC") == "École Über abc"


def test_tokenize_splits_on_whitespace_and_drops_empty_tokens():
    assert text.tokenize("  Hello,\tworld!\n\n foo-bar ... ") == ["hello", "world", "foobar"]


def test_a_text_of_only_spaces_or_punctuation_has_no_words_for_the_model():
    assert not text.has_words("") and not text.has_words("  !!! ??? -- ")
    assert text.has_words("ok!") and text.has_words("😡")  # an emoji is a token too
    # The same rule as tokenize, character class by character class (it skips building tokens).
    odd = ["", "\t\n", ".,;:", "\u00a0", "\u2003", "«»", "é", "a.", "\\`'\"", "_-_", "7", None, 5]
    assert [text.has_words(t) for t in odd] == [bool(text.tokenize(t)) for t in odd]


def test_tokenize_keeps_non_ascii_whitespace_inside_tokens():
    # tf.strings.split only splits on ASCII whitespace.
    assert text.tokenize("a\u00a0b c") == ["a\u00a0b", "c"]


# ---------------------------------------------------------------- vocabulary

def test_build_vocabulary_orders_by_count_then_alphabet():
    texts = ["b a c", "b a", "b d", "e"]
    assert text.build_vocabulary(texts, vocab_size=100) == ["b", "a", "c", "d", "e"]


def test_build_vocabulary_reserves_padding_and_oov():
    texts = ["b a c", "b a", "b d", "e"]
    assert text.build_vocabulary(texts, vocab_size=4) == ["b", "a"]
    assert text.build_vocabulary(texts, vocab_size=2) == []


def test_build_vocabulary_drops_rare_tokens():
    texts = ["b a c", "b a", "b d", "e"]
    assert text.build_vocabulary(texts, vocab_size=100, min_freq=2) == ["b", "a"]


def test_build_vocabulary_uses_keras_tokens():
    vocabulary = text.build_vocabulary(["The END.", "the end!", None, "  "], vocab_size=10)
    assert vocabulary == ["end", "the"]
    assert text.build_vocabulary(["The the"], 10, lowercase=False) == ["The", "the"]


def test_build_vocabulary_counts_across_batches():
    texts = ["common rare%d" % i for i in range(60_001)]
    vocabulary = text.build_vocabulary(texts, vocab_size=5)
    assert vocabulary[0] == "common"
    assert text.count_tokens(texts)["common"] == 60_001


def test_build_vocabulary_is_fast():
    rng = random.Random(0)
    words = [f"w{i}" for i in range(20_000)]
    texts = [" ".join(rng.choices(words, k=40)) for _ in range(30_000)]
    start = time.perf_counter()
    vocabulary = text.build_vocabulary(texts, vocab_size=5_000)
    assert time.perf_counter() - start < 2.5  # 1.2M tokens; the full 120k x 40 takes ~2 s
    assert len(vocabulary) == 4_998


# ---------------------------------------------------------------- OOV preview

def test_mark_oov_flags_unknown_tokens():
    marked = text.mark_oov("The zyxx movie, great!", {"the", "movie", "great"})
    assert marked == [("the", True), ("zyxx", False), ("movie", True), ("great", True)]


def test_mark_oov_accepts_a_list_and_max_tokens():
    assert text.mark_oov("a b c d", ["a", "c"], max_tokens=3) == [("a", True), ("b", False), ("c", True)]


def test_oov_rate_is_the_share_of_unknown_tokens():
    assert math.isclose(text.oov_rate(["a b", "c d"], ["a"]), 0.75)
    assert text.oov_rate([], ["a"]) == 0.0


WRITTEN_CASES = [
    "Apple shares fell in New York",
    "Line one\nLine two  with   spaces",
    "<b>Big</b> NEWS &amp; more<br />here",
    "Reuters - It #39;s a deal; they said quot;yes quot;",
    "Escaped twice: &amp;lt;b&amp;gt;Bold&amp;lt;/b&amp;gt; text",
    "Semicolons; but no markup; at all",
    "Back\\\\slashes and The Stop Words are kept",
    "Q&amp;A: Fish &amp; Chips &amp; AT&amp;T",  # one "&" left: nothing more to strip
    "&amp;amp; is escaped twice, &amp;#39; too",  # stripped again, they would change
    "Tom&amp;quot;s &amp;lt;i&amp;gt;; here #39;s",
    "Really escaped twice: &#38lt;b&#38gt;Bold&#38lt;/b&#38gt;",  # stripped again: "Bold"
    "",
    None,
]


@pytest.mark.parametrize("spec", [CleanSpec(), CleanSpec(strip_html=False),
                                  CleanSpec(lowercase=False, remove_stopwords=True, max_words=4)])
def test_the_written_text_cleans_to_the_cleaned_one_and_keeps_its_capitals(spec):
    for raw in WRITTEN_CASES:
        cleaned, written = text.cleaned_and_written(raw, spec)
        assert cleaned == text.clean_text(raw, spec)  # one pass, the same cleaning
        assert text.clean_text(written, spec) == cleaned  # the model answers both alike
        if raw and not text.holds_html(raw):
            assert written == raw  # nothing to strip: exactly as written
    cleaned, written = text.cleaned_and_written("<b>Big</b> NEWS &amp; more", CleanSpec())
    assert written == "Big NEWS & more" and cleaned == "big news & more"


@pytest.mark.parametrize("written, spec, max_tokens, part", [
    ("The <b>Quick</b> brown fox, isn't it? jumps", CleanSpec(), 5,
     "The <b>Quick</b> brown fox, isn't"),  # tags are no tokens; "isn't" is one
    ("one two three", CleanSpec(), 3, "one two three"),
    ("one two three", CleanSpec(), 200, "one two three"),
    ("a the of dog cat bird", CleanSpec(remove_stopwords=True), 2, "a the of dog cat"),
    ("one two three four five", CleanSpec(max_words=3), 200, "one two three"),  # the cleaning's cut
    ("!!! ...", CleanSpec(), 2, "!!! ..."),  # no words at all: left to the no-words note
    # QA23: a tag stripped before "!!" left " !!" at the end, cut off and called a word not read
    ("A friendly match !!", CleanSpec(), 200, "A friendly match !!"),
    ("one two three !! four", CleanSpec(), 3, "one two three"),
])
def test_the_part_read_holds_exactly_the_words_the_model_reads(written, spec, max_tokens, part):
    assert text.part_read(written, spec, max_tokens) == part


def test_items_are_listed_and_texts_previewed_on_one_line():
    assert [text.listed(items) for items in (["a"], ["a", "b"], ["a", "b", "c"])] == [
        "a", "a and b", "a, b and c"]
    assert text.one_line_preview("Late\n again,  and", 40) == "Late again, and"
    assert text.one_line_preview("abcdefghij", 6) == "abcde…"
