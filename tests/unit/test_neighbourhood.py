"""core.neighbourhood: the copies' token ids, put together from chunks, equal the real pipeline's."""

import re

import numpy as np
import pytest

from core import explain, neighbourhood
from core import model as model_lib
from core import predictor as predictor_lib
from core import text as text_utils
from core.config import CleanSpec, ModelSpec

TEXTS = {
    "hyphens and apostrophes": "Self-destruction. Don't  go now!! a-a, well-known o'clock",
    "unicode spaces and line breaks": "tabs\there\nnew lines\r\n and\u00a0no-break\u2003em  spaces ",
    "final sigma": "ΟΔΟΣ ΑΣ.Β ΣΟΦΟΣ.ΚΑΙ σοφός",
    "stopwords and case": "The zebra and THE Zebra of a river, and an old mill in the hills",
    "emoji and dashes": "emoji 😀 party🎉time — dash—joined “quoted” café’s text",
    "digits and underscores": "pi is 3.14 and 1,000 or 2nd_place under_score __init__",
    "right to left": "مرحبا بالعالم hello עולם, שלום-עולם",
    "semicolons and number signs": "It rained; we left. Item #3 sold; 39; quote; #4x;5 lt ;gt",
    "fifty words": " ".join(f"word{i % 23}-x{i % 7}" if i % 5 == 0 else f"w{i % 31}"
                            for i in range(50)),
}
CLEANINGS = {
    "default": CleanSpec(),
    "case kept": CleanSpec(lowercase=False),
    "stopwords removed": CleanSpec(remove_stopwords=True),
    "first 6 words": CleanSpec(max_words=6),
    "no html stripping": CleanSpec(strip_html=False),
}


def _vectorizer(lowercase: bool, max_tokens: int = 30):
    spec = ModelSpec(max_tokens=max_tokens, vocab_size=200)
    # A vocabulary that knows only some of the words, so unknown tokens (id 1) appear too.
    vocabulary = model_lib.build_vocabulary(list(TEXTS.values())[::2], spec, lowercase)
    return model_lib.build_vectorizer(vocabulary, spec, lowercase)


def _both_ways(text: str, clean: CleanSpec, vectorizer, samples: int = 300,
               word_expression: str = explain.WORD_EXPRESSION):
    indexed = neighbourhood.Words(text, word_expression)
    keep = neighbourhood.draw(indexed, samples, np.random.RandomState(0))
    fast = neighbourhood.token_ids(list(indexed.as_list), neighbourhood.word_of_piece(indexed),
                                   keep, clean,
                                   lambda texts: predictor_lib.vectorize(vectorizer, texts))
    texts = text_utils.clean_texts(neighbourhood.copy_texts(indexed, keep), clean)
    return fast, predictor_lib.vectorize(vectorizer, texts)


@pytest.mark.parametrize("clean_name", CLEANINGS)
@pytest.mark.parametrize("text_name", TEXTS)
def test_copies_from_chunks_equal_copies_as_texts(text_name, clean_name):
    for lowercase in (True, False):
        fast, slow = _both_ways(TEXTS[text_name], CLEANINGS[clean_name], _vectorizer(lowercase))
        assert fast is not None
        np.testing.assert_array_equal(fast, slow)


def test_texts_longer_than_the_token_limit_are_cut_like_the_vectorizer_cuts_them():
    fast, slow = _both_ways(TEXTS["fifty words"], CleanSpec(), _vectorizer(True, max_tokens=8))
    np.testing.assert_array_equal(fast, slow)
    assert (np.count_nonzero(slow, axis=1) == 8).any()


@pytest.mark.parametrize("text", ["a <b>bold</b> move, a fair one", "fish &amp; chips today",
                                  "it #39;s a back\\slash", "say quot;hi quot; now"])
def test_html_marks_send_the_copies_back_to_being_built_as_texts(text):
    fast, _ = _both_ways(text, CleanSpec(), _vectorizer(True))
    assert fast is None
    fast, slow = _both_ways(text, CleanSpec(strip_html=False), _vectorizer(True))
    np.testing.assert_array_equal(fast, slow)


def test_a_chunk_of_too_many_words_is_not_enumerated():
    text = "a.b.c.d.e.f.g.h.i.j and more"  # one chunk of 10 words, split as lime splits
    fast, _ = _both_ways(text, CleanSpec(), _vectorizer(True), word_expression=r"\w+")
    assert fast is None


@pytest.mark.parametrize("text_name", TEXTS)
def test_each_word_explained_is_one_token_the_model_reads(text_name):
    """QA23: "e" and "mail" were weighed apart, and "t" of "t-shirt" most, as leaving it out
    turned the model's "tshirt" into "shirt". A word is now what the model reads as one token
    (a token without a letter or digit, such as an emoji alone, is no word to weigh)."""
    text = TEXTS[text_name]
    indexed = explain._indexed(text)
    words = [piece for place, piece in enumerate(indexed.as_list)
             if neighbourhood.word_of_piece(indexed)[place] >= 0]
    def read(texts):  # the tokens the model reads: cleaned, then split
        return [text_utils.tokenize(cleaned) for cleaned in text_utils.clean_texts(texts, CleanSpec())]

    assert all(len(tokens) == 1 for tokens in read(words))
    assert [tokens[0] for tokens in read(words)] == [
        token for token in read([text])[0] if re.search(r"[^\W_]", token)]


def test_the_predictor_scores_copies_from_chunks_as_it_scores_their_texts():
    import keras

    vectorizer = _vectorizer(True)
    spec = ModelSpec(units=(5,), embedding_dim=4, max_tokens=30, vocab_size=200, dropout=0.0)
    keras.utils.set_random_seed(0)
    net = model_lib.build_model(spec, "multiclass", 3, vectorizer.vocabulary_size())
    model = predictor_lib.Predictor(vectorizer, net, "multiclass", ("a", "b", "c"))
    text = TEXTS["hyphens and apostrophes"]
    indexed = explain._indexed(text)
    keep = neighbourhood.draw(indexed, 400, np.random.RandomState(1))
    scores = model.removal_scores(list(indexed.as_list), neighbourhood.word_of_piece(indexed),
                                  keep)
    np.testing.assert_allclose(scores, model.predict_fn(neighbourhood.copy_texts(indexed, keep)),
                               atol=2e-6)
    lime_fast = explain.explain_lime(model.predict_fn, text, 2, model.class_names,
                                     num_samples=400, removal_scores=model.removal_scores)
    lime_texts = explain.explain_lime(model.predict_fn, text, 2, model.class_names,
                                      num_samples=400)
    assert [(w.word, round(w.weight, 5)) for w in lime_fast.words] == \
        [(w.word, round(w.weight, 5)) for w in lime_texts.words]


@pytest.mark.parametrize("text", list(TEXTS.values()) + ["", "!!", "one", " lead and trail! "])
def test_words_split_a_text_as_limes_indexed_string_does(text):
    from lime.lime_text import IndexedString

    ours = neighbourhood.Words(text, r"\w+")
    theirs = IndexedString(text, split_expression=r"\W+", bow=True)
    assert ours.as_list == list(theirs.as_list)
    assert [list(p) for p in ours.positions] == [list(p) for p in theirs.positions]
    assert [ours.word(i) for i in range(ours.num_words())] == \
        [str(theirs.word(i)) for i in range(theirs.num_words())]
    if ours.num_words():
        assert ours.inverse_removing([0]) == theirs.inverse_removing([0])


def test_folded_case_makes_it_and_it_one_word():
    words = neighbourhood.Words("It is what it IS, isn't it?", explain.WORD_EXPRESSION,
                                fold_case=True)
    assert [words.word(i) for i in range(words.num_words())] == ["It", "is", "what", "isn't"]
    assert words.inverse_removing([0]) == " is what  IS, isn't ?"
    explanation = explain.explain_occlusion(
        lambda texts: np.array([[1.0 - 0.5 * ("it" in t.lower().split()), 0.5 * (
            "it" in t.lower().split())] for t in texts]), "It rains and it pours", 1, ("a", "b"),
        fold_case=True)
    assert [w.word for w in explanation.words].count("It") == 1
    assert "it" not in [w.word for w in explanation.words]
    weights = dict((piece, weight) for piece, weight in explanation.token_weights)
    assert weights["It"] == weights["it"] == 0.5  # both pieces share their word's weight
