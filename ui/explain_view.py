"""The Explain page's pieces: choosing a text, running the explainers, showing the words."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core import explain, highlight, word_bars
from core import data as data_lib
from core import labels as labels_lib
from core import results as results_lib
from core.errors import StudioError
from core.explain import escape_markdown
from core.text import isolate_direction, one_line_preview
from ui import plots, state, widgets

SOURCE_TEST, SOURCE_OWN = "A test text", "Type your own"
MAX_TEST_OPTIONS = 1000
MAX_TEXT_CHARS = 3000
PREVIEW_CHARS = 80
SAMPLES, THOROUGH_SAMPLES = 1000, 5000


@dataclass(frozen=True)
class ExplainResult:
    key: tuple  # (run id, text, class index): what was explained
    lime: explain.Explanation
    occlusion: explain.Explanation
    stability: explain.Stability
    seconds: float


class LastCallMemo:
    """Remembers the last batch a model scored, as texts or as LIME's word removals.

    LIME with a fixed seed draws the same copies of the text, so the stability
    check's seed-0 run can reuse the batch the first LIME step already scored.
    """

    def __init__(self, predict_fn, removal_scores=None):
        self.predict_fn = predict_fn
        self._removal_scores = removal_scores
        self.texts: list[str] | None = None
        self.output = None
        self._removals_key = None
        self._removals_output = None

    def __call__(self, texts):
        texts = list(texts)
        if texts != self.texts:
            self.output = np.asarray(self.predict_fn(texts))
            self.texts = texts
        return self.output

    def removal_scores(self, pieces, piece_words, keep):
        if self._removal_scores is None:
            return None
        key = (tuple(pieces), keep.shape, keep.tobytes())
        if key != self._removals_key:
            self._removals_output = self._removal_scores(pieces, piece_words, keep)
            self._removals_key = key
        return self._removals_output


@st.cache_data(max_entries=4, show_spinner=False)
def _test_split(_store, home: str, run_id: str, version: float) -> tuple[list[str], list[str]]:
    dataset = data_lib.load_dataset(_store.path(run_id))
    if dataset.is_classification:
        labels = [dataset.class_names[i] for i in dataset.test.y]
    else:
        labels = [f"{v:g}" for v in dataset.test.y]
    return dataset.test.shown, labels


def test_split(store, run_id: str) -> tuple[list[str], list[str]]:
    """The run's test texts as written (as Evaluate lists them, so a mistake sent from there
    is found) and their true labels; empty for imported models."""
    path = store.path(run_id) / data_lib.DATA_FILE
    if not path.exists():
        return [], []
    try:
        return _test_split(store, str(store.home), run_id, path.stat().st_mtime)
    except StudioError:
        return [], []


def take_handoff() -> str | None:
    """A text sent from Evaluate: select its run now (before the picker is drawn)."""
    run_id = st.session_state.pop(state.EXPLAIN_RUN, None)
    text = st.session_state.pop(state.EXPLAIN_TEXT, None)
    if run_id and text:
        state.make_current(run_id)  # the picker shows the current run
        return text
    return None


def place_handoff(text: str, texts: list[str], labels: list[str], label_column: str) -> None:
    """Show a handed-over text as the test text it is, or as typed text otherwise.

    A text that repeats in the test split opens under the number Evaluate gave it, not
    under its first copy's (files with duplicated rows are common)."""
    index = st.session_state.pop(state.EXPLAIN_NUMBER, None)
    listed = texts[:MAX_TEST_OPTIONS]
    if index is None or not 0 <= index < len(listed) or listed[index] != text:
        index = listed.index(text) if text in listed else None
    if index is not None:
        st.session_state[state.W_EXPLAIN_SOURCE] = SOURCE_TEST
        options = test_labels(texts, labels, label_column)
        st.session_state[state.W_EXPLAIN_TEST_INDEX] = options[index]
    else:
        st.session_state[state.W_EXPLAIN_SOURCE] = SOURCE_OWN
        st.session_state[state.W_EXPLAIN_TEXT] = text


def test_labels(texts: list[str], labels: list[str], label_column: str) -> list[str]:
    """"#1 · rating 4 · Good shovel…": numbered labels name their column, as the answer does."""
    shown = labels_lib.named_classes(labels, label_column)
    return [f"{results_lib.test_text_number(i)} · {shown[i]} · "
            f"{one_line_preview(texts[i], PREVIEW_CHARS)}"
            for i in range(min(len(texts), MAX_TEST_OPTIONS))]


def choose_text(texts: list[str], labels: list[str], label_column: str,
                imported: bool = False) -> str:
    """A test text (with its true label) or the user's own text; only the latter for a run
    without test texts (an imported model), with a word why."""
    if not texts:  # QA19: a radio of one choice, "Type your own", and nothing said
        st.caption(("This model was imported from a file" if imported else
                    "This run's test texts are not here") + ", so there are no test texts to "
                   "pick: type a text to explain.")
        return _typed_text()
    if st.session_state.get(state.W_EXPLAIN_SOURCE) not in (SOURCE_TEST, SOURCE_OWN):
        st.session_state[state.W_EXPLAIN_SOURCE] = SOURCE_TEST
    source = st.radio("Text to explain", [SOURCE_TEST, SOURCE_OWN], key=state.W_EXPLAIN_SOURCE,
                      horizontal=True)
    if source == SOURCE_TEST:
        # The labels are the options, so another run gets a fresh list (not a stale label).
        options = test_labels(texts, labels, label_column)
        if st.session_state.get(state.W_EXPLAIN_TEST_INDEX) not in options:
            st.session_state[state.W_EXPLAIN_TEST_INDEX] = options[0]
        choice = st.selectbox(f"Test text ({len(texts):,} in this run's test split)", options,
                              key=state.W_EXPLAIN_TEST_INDEX)
        index = options.index(choice)
        st.text(texts[index])
        st.caption(f"True {escape_markdown(label_column)}: {escape_markdown(labels[index])}")
        return texts[index]
    return _typed_text()


def _typed_text() -> str:
    # Empty rather than a fixed example: one example cannot suit every model's topic.
    typed = st.text_area("Your text", key=state.W_EXPLAIN_TEXT, height=120,
                         placeholder="Type or paste any text, for example one sentence like "
                         "those the model was trained on.",
                         help="Press Ctrl+Enter (or click outside) to predict.")
    if len(typed) <= MAX_TEXT_CHARS:
        return typed
    # Cut here, with a note: the box's own limit refused a longer paste without a word (QA).
    st.caption(f"Only the first {MAX_TEXT_CHARS:,} of its {len(typed):,} characters are "
               "explained, so the explanation stays quick.")
    return typed[:MAX_TEXT_CHARS]


def choose_class(class_names: tuple[str, ...], predicted: int, run_id: str, text: str,
                 shown: tuple[str, ...]) -> int:
    """The class to explain; it follows the prediction whenever the text or run changes.

    A text sent from Evaluate starts at the answer Evaluate showed for it instead.
    ``shown``: the class names as the page writes them ("rating 5").
    """
    pending = st.session_state.pop(state.EXPLAIN_PENDING_CLASS, None)
    if pending and pending[:2] == (run_id, text) and pending[2] in class_names:
        st.session_state[state.W_EXPLAIN_CLASS] = class_names.index(pending[2])
        st.session_state[state.EXPLAIN_INPUT] = (run_id, text)
        where = " (at the run's threshold there)" if len(class_names) == 2 else ""
        name = shown[class_names.index(pending[2])]
        st.caption(f"Explaining “{escape_markdown(name)}”, the answer the Evaluate page "
                   f"showed for this text{where}.")
    if st.session_state.get(state.EXPLAIN_INPUT) != (run_id, text) or \
            st.session_state.get(state.W_EXPLAIN_CLASS) not in range(len(class_names)):
        st.session_state[state.W_EXPLAIN_CLASS] = predicted
        st.session_state[state.EXPLAIN_INPUT] = (run_id, text)
    return st.selectbox("Class to explain", range(len(class_names)),
                        key=state.W_EXPLAIN_CLASS, format_func=lambda i: shown[i],
                        help="By default the class the model predicted.")


def as_the_model_reads_it(predictor, text: str) -> str | None:
    """The text to explain: without the HTML the model strips, and a note when that differs.

    None, after one plain note, when the model gets no words from it (only HTML, spaces or
    punctuation), so there is no answer to explain: as a CSV row marked "no text" on Predict.
    """
    read = predictor.text_as_read(text)
    if not predictor.reads_words(text):
        st.info(widgets.no_words_message(predictor, text), icon=":material/info:")
        return None
    try:  # before the answer: QA read "The model says no (54% sure)" over an emoji-only
        explain.require_words(read)  # text, then "no words to explain" after Explain
    except StudioError as refusal:
        st.info(widgets.NO_WORDS_BUT_HTML if read != text else str(refusal),
                icon=":material/info:")
        return None
    if read != text:
        st.caption("Explained as the model reads this text: without its HTML tags and "
                   "entities, whose pieces the model never sees.")
    return read


def run_explainers(predict_fn, text: str, class_index: int, class_names, key: tuple,
                   num_samples: int, removal_scores=None, fold_case: bool = False) -> ExplainResult:
    """LIME, then occlusion, then the stability check, with a progress bar.

    ``removal_scores`` (Predictor.removal_scores) scores LIME's copies without texts;
    ``fold_case``: the model lowercases, so "It" and "it" are one word.
    """
    explain.require_words(text)  # before the progress box, which an error would leave open
    started = time.perf_counter()
    scored = LastCallMemo(predict_fn, removal_scores)
    with st.status("Explaining the prediction…", expanded=True) as status:
        bar = st.progress(0.0, text=f"Step 1 of 3: LIME removes words from {num_samples:,} "
                                    "copies of the text…")
        lime = explain.explain_lime(scored, text, class_index, class_names,
                                    num_samples=num_samples, seed=0,
                                    removal_scores=scored.removal_scores, fold_case=fold_case)
        bar.progress(1 / 3, text="Step 2 of 3: leaving out one word at a time…")
        occlusion = explain.explain_occlusion(predict_fn, text, class_index, class_names,
                                              fold_case=fold_case)
        bar.progress(2 / 3, text="Step 3 of 3: checking stability with two more LIME runs…")
        stable = explain.stability(scored, text, class_index, class_names,
                                   num_samples=num_samples, seeds=(0, 1, 2),
                                   removal_scores=scored.removal_scores, fold_case=fold_case)
        seconds = time.perf_counter() - started
        bar.progress(1.0, text="Done.")
        status.update(label=f"Explained in {seconds:.1f} s", state="complete", expanded=False)
    return ExplainResult(key, lime, occlusion, stable, seconds)


def _highlight(explanation: explain.Explanation, not_read: str, regression: bool,
               strongest: float) -> None:
    """``not_read``: the end of the text, past the words the model reads (not weighed);
    ``strongest``: the weight shaded fullest, the same for both explanations (one scale)."""
    # highlight_html escapes every token and the class name: user text never becomes markup.
    st.markdown(highlight.highlight_html(explanation.token_weights, explanation.class_name,
                                         regression, strongest), unsafe_allow_html=True)
    words = len(not_read.split())
    if words:
        st.caption(f"… and {words:,} more word{'s' if words > 1 else ''} the model does not "
                   "read, so they get no weight.")


# Browser QA: "The words that pushed this toward happy most were …" and a green "Stable"
# badge stood under the note that the model knows none of these words.
NO_WORD_MATTERED = ("No word of this text can matter to the model: it knows none of them, so "
                    "each is the same “unknown word” to it. The weights below are close to zero "
                    "and only rank the words.")


FULL_SHADE_POINTS = 5  # a word shaded fully moves the chance by at least this many points


def bars_caption(name: str, regression: bool = False) -> str:
    """How to read the word bars, in the unit they are drawn in (core.word_bars)."""
    shown = f"*{isolate_direction(escape_markdown(name))}*"
    if regression:
        unit = (f"how much the predicted {shown} falls without it: +0.40 means 0.40 lower "
                "without the word, and a red bar that it rises")
    else:
        unit = (f"how much the chance of {shown} falls without it, in percentage points: +20 "
                "means 60% without the word instead of 80%, and a red bar that it rises")
    # QA: "great" 500 times got +52 points here and +10 from LIME, and each copy hovered 52.
    return ("Leave-one-word-out removes each word once (a word that repeats: every copy "
            "at once, so each copy shows the effect of all) and measures " + unit + ". LIME "
            "scores the text many times with random words removed and fits a simple model "
            "that estimates the same change. Both charts share one scale, so their bars "
            "compare. Where both agree, trust the explanation more.")


def no_single_word_note(moves: float, name: str, regression: bool = False) -> str:
    """Why the leave-one-word-out bars are short (word_bars.small_single_word_moves)."""
    shown = f"*{isolate_direction(escape_markdown(name))}*"
    if regression:
        by = f"{moves:.2f} at most" if moves >= 0.005 else "less than 0.01"
        moved = f"the predicted {shown} by {by}"
    else:
        by = f"{moves:.1f} points at most" if moves >= 0.05 else "less than 0.1 points"
        moved = f"the chance of {shown} by {by}"
    return (f"Leaving out any one word moves {moved}: no single word decides it, several "
            "point the same way. LIME removes many words at once, so its bars can be longer.")


def show_result(result: ExplainResult, regression: bool = False, knows_none: bool = False,
                not_read: str = "", unknown: frozenset = frozenset()) -> None:
    """``not_read``: the end of the text past the words the model reads; ``unknown``: the
    words it does not know (marked in the charts)."""
    lime, occlusion = result.lime, result.occlusion
    st.header("Which words mattered")
    if knows_none:
        st.markdown(NO_WORD_MATTERED)
    else:
        st.markdown(explain.summary_sentence(lime, regression=regression, unknown=unknown))
        stable = result.stability.stable
        st.badge(result.stability.label(),
                 icon=":material/check_circle:" if stable else ":material/warning:",
                 color="green" if stable else "orange")
        if result.stability.advice():
            st.caption(result.stability.advice())
    if explain.methods_disagree(lime, occlusion):
        st.warning("Here the two methods below disagree: leaving each word out pushes most of "
                   "LIME's top words the other way. Treat the colours as a rough guide; "
                   "“Thorough (slower)” may settle it.", icon=":material/compare_arrows:")
    st.markdown(highlight.highlight_legend(lime.class_name, regression), unsafe_allow_html=True)
    # One scale for both charts and both highlights: their weights share a unit (see
    # word_bars.shared_range). QA: leave-one-out's words were shaded solid red beside
    # bars too short to see.
    x_range = word_bars.shared_range((lime, occlusion), regression)
    label_px = word_bars.label_room((lime, occlusion), unknown)
    strongest = max((abs(float(w)) for e in (lime, occlusion) for _, w in e.token_weights),
                    default=0.0)
    if not regression:  # QA: words of -0.5 points were shaded solid red, as if they decided
        strongest = max(strongest, FULL_SHADE_POINTS / 100)
    left, right = st.columns(2)
    with left:
        # "tries", as the switch and the badge say (QA: "samples" is jargon)
        st.markdown(f"**LIME** · {lime.num_samples:,} tries")
        _highlight(lime, not_read, regression, strongest)
        plots.plotly(word_bars.word_weight_bars(lime, regression=regression, unknown=unknown,
                                                x_range=x_range, left_margin=label_px),
                     key="explain.lime_bars")
    with right:
        st.markdown(f"**Leave one word out** · each word once, {occlusion.num_samples:,} tries")
        _highlight(occlusion, not_read, regression, strongest)
        plots.plotly(word_bars.word_weight_bars(occlusion, regression=regression,
                                                unknown=unknown, x_range=x_range,
                                                left_margin=label_px),
                     key="explain.occlusion_bars")
    charted = {w.word for e in (lime, occlusion) for w in word_bars.charted_words(e)}
    if unknown & charted and not knows_none:
        st.caption("“(unknown)”: a word the model does not know. It reads every such word as "
                   "the same “unknown word”, so such a word matters only by where it stands.")
    moves = word_bars.small_single_word_moves(lime, occlusion, regression)
    if moves is not None and not knows_none:
        st.caption(no_single_word_note(moves, lime.class_name, regression))
    st.caption(bars_caption(lime.class_name, regression))
    with st.expander("Stability details"):
        top = result.stability.top_words
        st.dataframe(pd.DataFrame({"LIME try": [f"{i} (seed {seed})" for i, seed in
                                                enumerate(result.stability.seeds, start=1)],
                                   "top words": [", ".join(words) for words in top]}),
                     hide_index=True)
        st.caption(f"Explained in {result.seconds:.1f} s.")
