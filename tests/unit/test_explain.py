import json
import re
import time

import numpy as np
import pytest

from core.errors import StudioError
from core.explain import (
    Explanation, Stability, WordWeight, escape_markdown, explain_lime, explain_occlusion,
    highlight_html, highlight_legend, stability, summary_sentence,
)

CLASSES = ("other", "animals")
FILLER = ("the quick brown fox jumps over lazy dog while river flows past old mill "
          "and children play near green hills under bright summer sky").split()


def zebra_model(texts):
    """Fake binary model: p(animals) = 0.9 if the word "zebra" is present, else 0.1."""
    p = np.array([0.9 if re.search(r"\bzebra\b", t) else 0.1 for t in texts])
    return np.stack([1 - p, p], axis=1)


def fifty_word_text():
    words = [FILLER[i % len(FILLER)] for i in range(49)]
    words.insert(17, "zebra")
    return " ".join(words) + "."


def test_lime_puts_planted_word_first():
    text = fifty_word_text()
    started = time.perf_counter()
    explanation = explain_lime(zebra_model, text, 1, CLASSES, num_samples=1000, seed=0)
    print(f"\nLIME, 1000 samples, 50 words: {time.perf_counter() - started:.3f} s")
    top = explanation.words[0]
    assert top.word == "zebra" and top.weight > 0
    assert all(abs(w.weight) < top.weight for w in explanation.words[1:])
    assert explanation.score == pytest.approx(0.9)
    assert (explanation.method, explanation.class_name, explanation.seed) == ("lime", "animals", 0)


def test_lime_is_deterministic_for_a_seed():
    text = "a zebra ran past the old mill and the river"
    first = explain_lime(zebra_model, text, 1, CLASSES, num_samples=300, seed=7)
    second = explain_lime(zebra_model, text, 1, CLASSES, num_samples=300, seed=7)
    assert first.words == second.words


def test_occlusion_is_exact_with_one_call():
    calls = []

    def counting_model(texts):
        calls.append(len(texts))
        return zebra_model(texts)

    text = "zebra and zebra again, with the horse"
    explanation = explain_occlusion(counting_model, text, 1, CLASSES)
    assert calls == [7]  # 6 distinct words + the full text
    assert explanation.words[0] == WordWeight("zebra", pytest.approx(0.8))
    assert all(w.weight == 0 for w in explanation.words[1:])
    assert explanation.num_samples == 7 and explanation.seed is None


def test_token_weights_rebuild_the_text():
    text = "  Zebra!\n\nsaw a <b>zebra</b>, didn't it?  "
    explanation = explain_occlusion(zebra_model, text, 1, CLASSES)
    assert "".join(token for token, _ in explanation.token_weights) == text
    weights = dict(explanation.token_weights)
    assert weights["zebra"] > 0 and weights["!\n\n"] == 0
    separators = [w for token, w in explanation.token_weights if re.fullmatch(r"\W+", token)]
    assert separators and all(w == 0 for w in separators)


def test_text_without_words_is_a_user_error():
    for text in ["", "   ", "?!, ..."]:
        with pytest.raises(StudioError, match="Type some words"):
            explain_lime(zebra_model, text, 1, CLASSES, num_samples=50)
        with pytest.raises(StudioError):
            explain_occlusion(zebra_model, text, 1, CLASSES)


def test_regression_with_one_column():
    def length_model(texts):
        return np.array([[float(len(t.split()))] for t in texts])

    explanation = explain_occlusion(length_model, "good good bad", 0, ("rating",))
    assert explanation.words[0] == WordWeight("good", 2.0)


def test_stability_agrees_on_planted_word_and_round_trips():
    result = stability(zebra_model, fifty_word_text(), 1, CLASSES, num_samples=300)
    assert result.stable and result.agreement == 1.0
    assert result.top_words == (("zebra",),) * 3
    assert result.label().startswith("Stable")
    assert Stability.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_explanation_json_round_trip():
    explanation = explain_occlusion(zebra_model, "a zebra here", 1, CLASSES)
    assert Explanation.from_dict(json.loads(json.dumps(explanation.to_dict()))) == explanation


def test_summary_sentence_words():
    explanation = Explanation(
        text="", method="lime", class_index=1, class_name="Sports", score=0.8,
        words=(WordWeight("goal", 0.5), WordWeight("market", -0.4), WordWeight("league", 0.3),
               WordWeight("coach", 0.2), WordWeight("noise", 0.001)),
        token_weights=(), num_samples=10, seed=0, seconds=0.0,
    )
    assert summary_sentence(explanation) == (
        "The words that pushed this toward *Sports* most were “goal”, “league” and “coach”; "
        "“market” pushed against it.")


def test_summary_sentence_without_positive_words():
    explanation = explain_occlusion(zebra_model, "zebra and the lion", 0, CLASSES)
    assert summary_sentence(explanation) == (
        "No word pushed this toward *other*; “zebra” pushed against it most.")


def test_summary_sentence_escapes_markdown():
    explanation = Explanation(
        text="", method="lime", class_index=0, class_name="<b>*bold*</b>", score=0.5,
        words=(WordWeight("__init__", 1.0),), token_weights=(), num_samples=1, seed=0,
        seconds=0.0,
    )
    sentence = summary_sentence(explanation)
    assert "\\<b\\>\\*bold\\*\\<" in sentence and "“\\_\\_init\\_\\_”" in sentence
    assert "<b>" not in sentence
    assert escape_markdown("[x](javascript:alert(1))") == "\\[x\\]\\(javascript\\:alert\\(1\\)\\)"


def test_highlight_html_escapes_user_text():
    text = "<script>alert(1)</script> zebra <img src=x onerror=alert(1)>"
    explanation = explain_occlusion(zebra_model, text, 1, CLASSES)
    out = highlight_html(explanation.token_weights)
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "rgba(22, 163, 74" in out  # zebra is green


def test_highlight_html_escapes_weighted_tokens_and_keeps_lines():
    out = highlight_html([('"><script>', 1.0), ("\n\n", 0.0), ("bad", -0.5)])
    assert "&quot;&gt;&lt;script&gt;" in out and "<script" not in out
    assert "\n" not in out and "<br><br>" in out
    assert "rgba(220, 38, 38" in out
    assert "&lt;i&gt;" in highlight_legend("<i>")
