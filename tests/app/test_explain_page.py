"""The Explain page with real trained models: LIME, occlusion, stability and safe rendering."""

import html
import json
import re

import pytest

from core import data as data_lib
from core.explain import NO_WORDS_MESSAGE
from core.charts import plain
from tests.app.conftest import (STILL_TRAINING, copy_run, decoded, open_page, page_text,
                                scrolls_to, shown_text)
from ui import explain_view, state, widgets

HOSTILE = "Great kettle <script>alert(1)</script> but <img src=x onerror=alert(1)> it leaks"


def highlighted(at) -> list[str]:
    """The bodies of the highlighted-text blocks (the only HTML the page renders)."""
    return [m.value for m in at.markdown if m.value.startswith('<div dir="auto" style="white-space')]


def explain(at):
    at.button(key=state.W_EXPLAIN_GO).click().run()
    assert not at.exception, at.exception
    return at


def test_without_runs_it_points_to_training(no_runs):
    at = open_page("explain")
    assert "No trained model yet" in page_text(at)
    assert not at.button


def test_explaining_a_test_text_shows_words_sentence_and_stability(run_store, trained_run):
    at = open_page("explain", {state.W_EXPLAIN_RUN: trained_run})
    dataset = data_lib.load_dataset(run_store.path(trained_run))
    written = dataset.test.written[0]
    assert at.text[0].value == written and written != written.lower()  # as the user wrote it
    true_class = dataset.class_names[int(dataset.test.y[0])]
    # Numbered classes name their column in the picker too, as in the answer (QA8).
    assert at.selectbox(key=state.W_EXPLAIN_TEST_INDEX).value.startswith(
        f"#1 · rating {true_class} · ")
    assert f"True rating: {true_class}" in page_text(at)
    assert len(at.get("plotly_chart")) == 1  # the class probabilities, before explaining
    explain(at)
    blocks = highlighted(at)
    assert len(blocks) == 2 and all("<span style=" in b for b in blocks)  # LIME and occlusion
    for body in blocks:  # the words keep their capitals
        visible = re.sub(r'^<div[^>]*>|<span style="[^"]*" title="[^"]*">|</span>|</div>$', "",
                         body)
        assert html.unescape(visible) == written
    words = set(re.findall(r"[\w']+", written))
    lime = {w.word for w in at.session_state[state.EXPLAIN_RESULT].lime.words}
    assert lime <= words and any(word != word.lower() for word in lime)
    shown_classes = {f"rating {name}" for name in dataset.class_names}
    assert _bars_words(at) - shown_classes <= words  # the probabilities' bars too
    text = page_text(at)
    assert "pushed this toward" in text or "No single word" in text
    assert "**LIME** · 1,000 tries" in text and "each word once" in text
    badges = [m.value for m in at.markdown if "badge[" in m.value]
    assert badges and ("Stable" in badges[0] or "Unstable" in badges[0])
    assert len(at.get("plotly_chart")) == 3  # probabilities + two word-weight charts
    # Each chart's numbers in words for a screen reader (QA19: only "Download plot as a PNG").
    alts = [chart.proto.alt for chart in at.get("plotly_chart")]
    strongest = at.session_state[state.EXPLAIN_RESULT].lime.words[0].word
    assert alts[0].startswith("How sure the model is. rating ") and "%" in alts[0]
    assert f"{strongest}: " in alts[1] and " points" in alts[1]
    assert scrolls_to(at, state.EXPLAIN_VIEW) == 1  # the click brings the words into sight
    at.run()
    assert scrolls_to(at, state.EXPLAIN_VIEW) == 0 and highlighted(at)  # a redraw stays put


def _bars_words(at) -> set[str]:
    return {y for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]
            if trace.get("orientation") == "h" for y in trace.get("y", [])}


def test_typed_html_is_explained_as_the_model_reads_it_without_tags(trained_binary_run):
    at = open_page("explain", {state.W_EXPLAIN_RUN: trained_binary_run,
                               state.W_EXPLAIN_SOURCE: explain_view.SOURCE_OWN,
                               state.W_EXPLAIN_TEXT: HOSTILE + " &lt;b&gt;"})
    explain(at)
    assert any("without its HTML tags" in c.value for c in at.caption)
    blocks = highlighted(at)
    assert len(blocks) == 2
    for body in blocks:
        visible = re.sub(r'<span style="[^"]*" title="[^"]*">|</span>', "", body)
        assert "kettle" in visible and "leaks" in visible
        assert "script" not in visible and "img" not in visible and "lt;" not in visible
    # The pieces of tags and entities are no words the model sees, so no bar names them.
    assert {"kettle", "leaks"} <= _bars_words(at)
    assert not _bars_words(at) & {"script", "alert", "img", "src", "onerror", "lt", "gt", "b"}
    for element in at.markdown:  # nothing renders the raw text either
        assert "<script" not in element.value and "<img" not in element.value


def test_typed_html_is_shown_escaped_where_the_model_keeps_html(run_store, trained_binary_run):
    run_id = copy_run(run_store, trained_binary_run, "keeps HTML")
    spec_file = run_store.path(run_id) / "spec.json"
    spec = json.loads(spec_file.read_text())
    spec["data"]["clean"]["strip_html"] = False
    spec_file.write_text(json.dumps(spec))
    at = open_page("explain", {state.W_EXPLAIN_RUN: run_id,
                               state.W_EXPLAIN_SOURCE: explain_view.SOURCE_OWN,
                               state.W_EXPLAIN_TEXT: HOSTILE})
    explain(at)
    assert not any("without its HTML tags" in c.value for c in at.caption)
    blocks = highlighted(at)
    assert len(blocks) == 2
    for body in blocks:
        assert "<script" not in body and "<img" not in body
        # The only tags are the page's own highlight spans; inside them the text is escaped.
        assert set(re.findall(r"</?(\w+)", body)) <= {"div", "span", "br"}
        visible = re.sub(r'<span style="[^"]*" title="[^"]*">|</span>', "", body)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in visible
        assert "&lt;img src=x onerror=alert(1)&gt;" in visible
    for element in at.markdown:  # nothing else renders the raw text either
        assert "<script" not in element.value and "<img" not in element.value


def test_a_text_of_only_html_says_the_model_sees_no_words(trained_binary_run):
    at = open_page("explain", {state.W_EXPLAIN_RUN: trained_binary_run,
                               state.W_EXPLAIN_SOURCE: explain_view.SOURCE_OWN,
                               state.W_EXPLAIN_TEXT: "<b></b> <script>alert(1)</script>"})
    assert [shown_text(i.value) for i in at.info] == [widgets.NO_WORDS_BUT_HTML]
    assert not at.error and not at.get("plotly_chart")  # no answer for a text it cannot read
    assert not [b for b in at.button if b.key == state.W_EXPLAIN_GO]
    assert not any("Explained as the model reads" in c.value for c in at.caption)


def test_a_text_of_only_emoji_is_refused_before_any_answer(trained_binary_run):
    """QA: "The model says no (54% sure)" and an Explain button, then "This text has no
    words to explain" after the click."""
    at = open_page("explain", {state.W_EXPLAIN_RUN: trained_binary_run,
                               state.W_EXPLAIN_SOURCE: explain_view.SOURCE_OWN,
                               state.W_EXPLAIN_TEXT: "🙂🙂 😀"})
    assert [i.value for i in at.info] == [NO_WORDS_MESSAGE]
    assert not at.error and not at.get("plotly_chart") and not at.warning
    assert not [b for b in at.button if b.key == state.W_EXPLAIN_GO]
    assert not any("The model says" in m.value for m in at.markdown)
    assert not [box for box in at.expander if "Explaining" in box.label] and not highlighted(at)
    at.text_area(key=state.W_EXPLAIN_TEXT).set_value("😡😡😡 !!! ???").run()  # the same
    assert [i.value for i in at.info] == [NO_WORDS_MESSAGE]


def test_a_text_of_only_punctuation_gets_one_plain_note_and_no_answer(trained_binary_run):
    at = open_page("explain", {state.W_EXPLAIN_RUN: trained_binary_run,
                               state.W_EXPLAIN_SOURCE: explain_view.SOURCE_OWN,
                               state.W_EXPLAIN_TEXT: "!!! ???"})
    assert [shown_text(i.value) for i in at.info] == [widgets.NO_WORDS_FOR_MODEL]
    assert not at.error and not at.get("plotly_chart")  # as on Predict: no answer
    assert not [b for b in at.button if b.key == state.W_EXPLAIN_GO]


def test_words_the_model_cannot_know_or_read_are_said_plainly(run_store, trained_binary_run):
    """Exploratory QA: an Arabic text (no word known) got strong colours and "Stable"; a long
    text was highlighted past the words the model reads; a long paste vanished silently."""
    from core.text import tokenize

    unknown = "مرحبا بالعالم الأسواق ارتفعت اليوم"
    at = open_page("explain", {state.W_EXPLAIN_RUN: trained_binary_run,
                               state.W_EXPLAIN_SOURCE: explain_view.SOURCE_OWN,
                               state.W_EXPLAIN_TEXT: unknown})
    assert at.warning[0].value == widgets.NO_KNOWN_WORDS + widgets.NO_KNOWN_WORDS_WEIGHTS
    explain(at)  # no sentence of words that "pushed" the answer, and no "Stable" badge (QA)
    assert explain_view.NO_WORD_MATTERED in [m.value for m in at.markdown]
    assert "pushed this toward" not in page_text(at)
    # Shaded no stronger than their few points: at -0.5 points every word was solid red (QA).
    shades = [float(a) for block in highlighted(at)
              for a in re.findall(r"rgba\(\d+, \d+, \d+, ([\d.]+)\)", block)]
    strongest = max(abs(w) for e in (at.session_state[state.EXPLAIN_RESULT].lime,
                                     at.session_state[state.EXPLAIN_RESULT].occlusion)
                    for _, w in e.token_weights)
    assert strongest < explain_view.FULL_SHADE_POINTS / 100 and max(shades) < 0.85
    assert not [m.value for m in at.markdown if "badge[" in m.value]

    max_tokens = run_store.spec(trained_binary_run)["model"]["max_tokens"]
    long_text = " ".join(["great product works well"] * max_tokens)  # 4 x max_tokens words
    at.text_area(key=state.W_EXPLAIN_TEXT).set_value(long_text).run()
    assert not at.warning
    assert (f"The model reads only the first {max_tokens:,} of these {4 * max_tokens:,} words"
            in page_text(at))

    pasted = "good " * 1000  # 5,000 characters: the box's own limit refused it before
    at.text_area(key=state.W_EXPLAIN_TEXT).set_value(pasted).run()
    assert not at.exception
    assert (f"Only the first {explain_view.MAX_TEXT_CHARS:,} of its 5,000 characters are "
            "explained") in page_text(at)
    at.button(key=state.W_EXPLAIN_GO).click().run()
    result = at.session_state[state.EXPLAIN_RESULT]
    assert result.key[1] == pasted[:explain_view.MAX_TEXT_CHARS]
    assert len(tokenize(result.key[1])) == explain_view.MAX_TEXT_CHARS // 5


def test_words_past_those_the_model_reads_get_no_weight(run_store, trained_binary_run):
    """Browser QA: LIME's copies of a long text, with words removed, pulled later words into
    the part the model reads, and words 74–155 led a model reading 60."""
    max_tokens = run_store.spec(trained_binary_run)["model"]["max_tokens"]
    past = "terrible awful broke waste excellent love"
    text = " ".join(f"item{i}" for i in range(max_tokens)) + " " + past
    at = open_page("explain", {state.W_EXPLAIN_RUN: trained_binary_run,
                               state.W_EXPLAIN_SOURCE: explain_view.SOURCE_OWN,
                               state.W_EXPLAIN_TEXT: text})
    explain(at)
    result = at.session_state[state.EXPLAIN_RESULT]
    for weighed in (result.lime, result.occlusion):
        assert not {w.word for w in weighed.words} & set(past.split())
    assert not _bars_words(at) & set(past.split())
    assert all("terrible" not in block for block in highlighted(at))
    assert page_text(at).count("… and 6 more words the model does not read, so they get no "
                               "weight.") == 2  # under LIME's and occlusion's texts


def test_words_the_model_does_not_know_are_marked_in_the_charts(trained_binary_run):
    """QA: Arabic and emoji words the model reads as one "unknown word" got bars of their
    own, like words it knows."""
    at = open_page("explain", {state.W_EXPLAIN_RUN: trained_binary_run,
                               state.W_EXPLAIN_SOURCE: explain_view.SOURCE_OWN,
                               state.W_EXPLAIN_TEXT: "great product works xyzzyq frobnicate"})
    explain(at)
    bars = _bars_words(at)
    assert {"xyzzyq (unknown)", "frobnicate (unknown)"} & bars
    assert not {"great (unknown)", "product (unknown)", "xyzzyq", "frobnicate"} & bars
    assert "“(unknown)”: a word the model does not know." in page_text(at)


def test_changing_the_text_hides_the_old_explanation(trained_binary_run):
    at = open_page("explain", {state.W_EXPLAIN_RUN: trained_binary_run,
                               state.W_EXPLAIN_SOURCE: explain_view.SOURCE_OWN,
                               state.W_EXPLAIN_TEXT: "Broke after two days, awful."})
    explain(at)
    assert highlighted(at)
    at.text_area(key=state.W_EXPLAIN_TEXT).input("Works perfectly, I love it.").run()
    assert not highlighted(at)
    assert "Press **Explain**" in page_text(at)
    explain(at)
    assert "love" in highlighted(at)[0]


def test_the_class_follows_the_prediction_and_can_be_changed(trained_run):
    at = open_page("explain", {state.W_EXPLAIN_RUN: trained_run})
    chosen = at.selectbox(key=state.W_EXPLAIN_CLASS)
    probabilities = at.get("plotly_chart")[0]
    assert chosen.value is not None and probabilities
    other = (chosen.value + 1) % len(chosen.options)
    chosen.set_value(other).run()
    explain(at)
    assert at.selectbox(key=state.W_EXPLAIN_CLASS).value == other
    legend = next(m.value for m in at.markdown if m.value.startswith('<div style="font-size'))
    # Numbered classes are named with their column (QA: "pushed this toward 5 most"), in the
    # class box and on the probability bars too (QA: they read "4").
    assert chosen.options == [f"rating {n}" for n in range(1, 6)]
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["y"]
    assert bars == chosen.options
    assert f"<b>{chosen.options[other]}</b>" in legend
    assert at.session_state[state.EXPLAIN_RESULT].lime.class_name == chosen.options[other]


def test_regression_explains_the_predicted_value(trained_run, regression_run):
    at = open_page("explain", {state.W_EXPLAIN_RUN: regression_run})
    assert [m.label for m in at.metric] == ["Predicted rating"]
    explain(at)
    assert len(highlighted(at)) == 2
    text = page_text(at)
    assert "pushed the predicted *rating* up" in text or "pushed the predicted *rating* down" \
        in text or "No single word changed the predicted *rating*" in text
    assert "toward *rating*" not in text and "toward <b>rating" not in text  # up or down
    axes = [json.loads(chart.proto.spec)["layout"]["xaxis"]["title"]["text"]
            for chart in at.get("plotly_chart")[-2:]]
    assert axes == ["Change in the predicted rating<br>up (+) or down (−)"] * 2
    hovers = [h for chart in _word_charts(at) for h in chart["data"][0]["customdata"]]
    amount = r"(?:[+−]\d+\.\d+|about 0) on the predicted rating"
    assert hovers and all(re.fullmatch(amount, h) for h in hovers), hovers


def explained_kettle(run_id: str):
    """The Explain page after explaining one typed two-sided review with ``run_id``."""
    at = open_page("explain", {state.W_EXPLAIN_RUN: run_id,
                               state.W_EXPLAIN_SOURCE: explain_view.SOURCE_OWN,
                               state.W_EXPLAIN_TEXT: "Great kettle, it boils fast but it leaks"})
    explain(at)
    return at


def _word_charts(at) -> list[dict]:
    """The LIME and leave-one-word-out bars, as plotly JSON."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")[-2:]]


def test_the_word_bars_read_in_points_of_chance_on_one_scale(trained_binary_run):
    """QA: the bars said "Push toward yes" and "+0.234" with no unit, and the two charts side
    by side had different scales, so a short LIME bar could mean more than a long one."""
    at = explained_kettle(trained_binary_run)
    result = at.session_state[state.EXPLAIN_RESULT]
    name = plain(result.lime.class_name)
    figures = _word_charts(at)
    assert [f["layout"]["xaxis"]["title"]["text"] for f in figures] == [
        f"Change in the chance of {name}<br>in percentage points"] * 2
    low, high = figures[0]["layout"]["xaxis"]["range"]
    assert figures[1]["layout"]["xaxis"]["range"] == [low, high]  # one scale for both
    for chart, explanation in zip(figures, (result.lime, result.occlusion)):
        trace = chart["data"][0]
        weights = {w.word: w.weight for w in explanation.words}
        points = decoded(trace["x"])
        assert all(low <= x <= high for x in points)
        for word, x, hover in zip(trace["y"], points, trace["customdata"]):
            weight = weights[html.unescape(word).removesuffix(" (unknown)")]
            assert abs(x - 100 * weight) < 1e-6  # a share of 1, in percentage points
            assert re.fullmatch(r"[+−]\d+\.\d+ points|about 0 points", hover), hover
            signed = float(hover.split()[0].replace("−", "-")) if hover[0] in "+−" else 0.0
            assert abs(signed - x) <= 0.05
    assert "%{customdata}" in figures[0]["data"][0]["hovertemplate"]
    said = f" points on the chance of {html.escape(result.lime.class_name)}"  # as the bars
    hovers = re.findall(r'title="([^"]*)"', highlighted(at)[0])  # the LIME highlights
    assert hovers and all(h.endswith(said) for h in hovers)


def test_the_stability_checks_seed_0_run_reuses_limes_scored_copies():
    import numpy as np

    asked = []

    def removal_scores(pieces, piece_words, keep):
        asked.append(keep.copy())
        return np.tile([0.3, 0.7], (len(keep), 1))

    memo = explain_view.LastCallMemo(lambda texts: np.zeros((len(texts), 2)), removal_scores)
    pieces, piece_words = ["kettle", " ", "leaks"], np.array([0, -1, 1])
    keep = np.array([[True, True], [False, True], [True, False]])
    first = memo.removal_scores(pieces, piece_words, keep)
    assert memo.removal_scores(pieces, piece_words, keep.copy()) is first  # seed 0 again
    other = keep.copy()
    other[1] = [True, False]
    memo.removal_scores(pieces, piece_words, other)  # another seed's copies
    memo.removal_scores(["kettle", " ", "boils"], piece_words, other)  # another text
    assert len(asked) == 3
    assert explain_view.LastCallMemo(lambda texts: None).removal_scores(
        pieces, piece_words, keep) is None  # no scorer: LIME builds the copies as texts


def test_case_variants_are_one_word_for_a_model_that_lowercases(trained_binary_run):
    at = open_page("explain", {state.W_EXPLAIN_RUN: trained_binary_run,
                               state.W_EXPLAIN_SOURCE: explain_view.SOURCE_OWN,
                               state.W_EXPLAIN_TEXT: "Great kettle. GREAT price, great lid"})
    explain(at)
    bars = _bars_words(at)
    assert "Great" in bars and not bars & {"GREAT", "great"}


def test_a_run_still_training_says_its_answers_come_from_a_checkpoint(training_run,
                                                                       trained_binary_run):
    at = open_page("explain", {state.W_EXPLAIN_RUN: training_run})
    assert STILL_TRAINING in [i.value for i in at.info]
    at = open_page("explain", {state.W_EXPLAIN_RUN: trained_binary_run})
    assert not [i for i in at.info if "still training" in i.value]  # finished: no note


def test_a_run_too_new_to_have_a_model_is_named_not_silently_replaced(run_store, training_run,
                                                                      trained_run):
    """Exploratory QA: with the session's run still before its first epoch, Explain showed an
    older run without a word."""
    run_store.model_path(training_run).unlink()  # no checkpoint yet
    name = run_store.info(training_run).name
    for page in ("explain", "predict"):  # Evaluate has its own note
        at = open_page(page, {state.CURRENT_RUN: training_run})
        assert f"“{name}” is still training and has no saved model yet" in page_text(at), page
        assert at.selectbox[0].value != training_run
    run_store.update_status(training_run, status="queued")
    at = open_page("explain", {state.CURRENT_RUN: training_run})
    assert f"“{name}” is waiting to train and has no saved model yet" in page_text(at)


def test_with_only_a_run_before_its_first_epoch_the_page_names_it(no_runs, tmp_path):
    import psutil

    from core.runs import RUNNING, write_json_atomic
    from ui import services

    store = services.store()
    folder = store.path("first-run")
    folder.mkdir(parents=True)
    me = psutil.Process()
    write_json_atomic(folder / "spec.json", {"name": "my first <b>run</b>", "created": 1.0})
    write_json_atomic(folder / "status.json", {"status": RUNNING, "pid": me.pid,
                                               "pid_created": me.create_time()})
    at = open_page("explain", {state.CURRENT_RUN: "first-run"})
    assert ("“my first <b>run</b>” is still training and has no saved model yet"
            in shown_text(page_text(at)))
    assert "No trained model yet" not in page_text(at)


# Browser QA at 1024 px: the right-hand column showed "Thorough (5,000 sample…", that is 22
# characters of label beside the switch (about 7) and the help icon (about 4).
RIGHT_COLUMN_CHARS_AT_1024_PX = 34


def test_the_thorough_switch_fits_a_1024_px_window_and_says_what_it_costs(trained_binary_run):
    at = open_page("explain")
    switch = at.toggle(key=state.W_EXPLAIN_THOROUGH)
    assert len(switch.label) + 7 + 4 <= RIGHT_COLUMN_CHARS_AT_1024_PX
    assert "slower" in switch.label and "5,000" in switch.help


def test_the_answer_is_said_in_words_as_on_predict(run_store, trained_binary_run):
    """QA: at a threshold the answer can be the shorter bar, and Explain said it nowhere."""
    text = "Broke after two days. Awful."
    run_id = copy_run(run_store, trained_binary_run, "threshold run")
    try:
        at = open_page("explain", {state.W_EXPLAIN_RUN: run_id,
                                   state.W_EXPLAIN_SOURCE: explain_view.SOURCE_OWN,
                                   state.W_EXPLAIN_TEXT: text})
        bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
        shares = dict(zip(bars["y"], decoded(bars["x"])))
        likelier = max(shares, key=shares.get)
        assert f"The model says **{likelier}** ({shares[likelier]:.0%} sure)." in page_text(at)
        other = next(name for name in shares if name != likelier)
        run_store.save_threshold_choice(run_id, likelier, 0.99)  # out of its reach
        at.run()
        assert (f"The model says **{other}** at this run's threshold, though it gives "
                f"“{other}” only {shares[other]:.0%} and “{likelier}” "
                f"{shares[likelier]:.0%}.") in page_text(at)
    finally:
        run_store.delete(run_id)


def test_short_leave_one_out_bars_are_explained_in_words(trained_binary_run, monkeypatch):
    """Both charts share one scale, so leave-one-out bars far shorter than LIME's need a word:
    no single word decides the answer (browser check: a 98%-sure answer). The thresholds are
    set so that this model's bars fall on each side in turn (test_word_bars checks them)."""
    from core import word_bars

    def notes(at):
        return [c.value for c in at.caption if c.value.startswith("Leaving out any one word")]

    monkeypatch.setattr(word_bars, "SMALL_SHARE", 0.0)  # never short enough
    at = explained_kettle(trained_binary_run)
    assert not notes(at)
    monkeypatch.setattr(word_bars, "SMALL_SHARE", 1e9)
    monkeypatch.setattr(word_bars, "SMALL_POINTS", 1e9)  # always short enough
    monkeypatch.setattr(word_bars, "LONG_POINTS", 0.0)
    at.run()
    result = at.session_state[state.EXPLAIN_RESULT]
    moves = max(abs(100 * w.weight) for w in result.occlusion.words)
    by = f"{moves:.1f} points at most" if moves >= 0.05 else "less than 0.1 points"
    assert notes(at) == [f"Leaving out any one word moves the chance of *{result.lime.class_name}* "
                         f"by {by}: no single word decides it, several point the same way. "
                         "LIME removes many words at once, so its bars can be longer."]


def _a_repeated_text_handed_over_as_the_fourth():
    import streamlit as st

    from ui import explain_view, state

    st.session_state[state.EXPLAIN_NUMBER] = 3  # Evaluate's "#4"
    explain_view.place_handoff("Late again.", ["Fine.", "Late again.", "Good.", "Late again."],
                               ["yes", "no", "yes", "no"], "label")


def test_a_text_that_repeats_in_the_test_split_opens_under_the_number_evaluate_gave_it():
    """Files with duplicated rows: Evaluate's "#4" opened on Explain as "#2", its first copy."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_a_repeated_text_handed_over_as_the_fourth)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state[state.W_EXPLAIN_TEST_INDEX].startswith("#4 · no · Late again.")
    assert state.EXPLAIN_NUMBER not in at.session_state  # taken once


def test_both_highlights_are_shaded_on_one_scale(trained_binary_run):
    """QA: leave-one-out's words were shaded as deep as LIME's beside bars far shorter."""
    from core import highlight

    at = explained_kettle(trained_binary_run)
    result = at.session_state[state.EXPLAIN_RESULT]
    both = (result.lime, result.occlusion)
    strongest = max(abs(w) for e in both for _, w in e.token_weights)
    assert max(abs(w) for _, w in result.lime.token_weights) != pytest.approx(
        max(abs(w) for _, w in result.occlusion.token_weights))  # else this shows nothing
    shown = [m.value for m in at.markdown]
    for e in both:
        assert highlight.highlight_html(e.token_weights, e.class_name, False, strongest) in shown


def test_an_unstable_badge_stays_short_and_says_what_to_do_beside_it(trained_binary_run,
                                                                    monkeypatch):
    """A badge does not wrap: on a 390 px phone the old one was cut at "agree o…"."""
    from core import explain as explain_lib

    monkeypatch.setattr(explain_lib, "STABLE_AGREEMENT", 1.01)  # no agreement is enough
    at = explained_kettle(trained_binary_run)
    badges = [m.value for m in at.markdown if "badge[" in m.value]
    assert len(badges) == 1 and "Unstable: 3 LIME tries disagree (" in badges[0]
    assert any(c.value.endswith("Try “Thorough (slower)”: more tries.") for c in at.caption)


def test_both_word_charts_leave_the_same_room_for_their_labels(trained_binary_run):
    """One scale to the pixel: plot areas of one width (QA: 138 px against 130 px for 0-50)."""
    at = explained_kettle(trained_binary_run)
    result = at.session_state[state.EXPLAIN_RESULT]
    from core import word_bars

    room = word_bars.label_room((result.lime, result.occlusion))
    assert [f["layout"]["margin"]["l"] for f in _word_charts(at)] == [room, room]


def test_the_caption_says_a_repeated_word_is_left_out_with_all_its_copies():
    """QA: "great" 500 times got +52 points from leaving it out and +10 from LIME, each of
    its highlighted copies hovering the whole +52, and nothing said why."""
    for regression in (False, True):
        assert "a word that repeats: every copy at once" in explain_view.bars_caption(
            "yes", regression)


def test_an_imported_model_says_why_there_are_no_test_texts_to_pick(run_store, trained_run):
    """QA19: a radio of one choice, "Type your own", and no word why "A test text" was missing."""
    from core import importer

    run_id = importer.import_model(run_store, run_store.model_path(trained_run).read_bytes(),
                                   "from a colleague.keras")
    try:
        at = open_page("explain", {state.W_EXPLAIN_RUN: run_id})
        assert not at.exception and not at.radio
        assert ("This model was imported from a file, so there are no test texts to pick: type a "
                "text to explain.") in [c.value for c in at.caption]
        at.text_area(key=state.W_EXPLAIN_TEXT).set_value("Soft and warm, fits well").run()
        assert "The model says" in page_text(at)
    finally:
        run_store.delete(run_id)
