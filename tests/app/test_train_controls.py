"""Model & Train controls: uploaded word vectors across pages, pooling, labels that fit."""

from __future__ import annotations

import dataclasses
import gzip
import json
import re

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Column

from core import config
from core.runs import RunStore
from tests.app.conftest import TIMEOUT, page_text, shown_text
from ui import network_view, services, state, train_view

APP = str(config.PROJECT_ROOT / "app.py")
VECTORS = "\n".join(f"{word} " + " ".join(["0.5"] * 8)
                    for word in ("the", "market", "match", "storm")).encode()


def open_train_page(news) -> AppTest:
    """The whole app (as a browser gets it), switched to Model & Train with the news sample."""
    dataset, spec, source = news
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[state.DATASET] = dataset
    at.session_state[state.DATA_SPEC] = spec
    at.session_state[state.FRAME_SOURCE] = source
    at.run()
    at.switch_page("pages/train.py").run()
    assert not at.exception, at.exception
    return at


def walkthrough(at: AppTest) -> str:
    """The shape walk-through as it reads on screen (escaped: it can name a class)."""
    return shown_text(next(m.value for m in at.markdown if "Embedding →" in m.value))


def trained_spec(at: AppTest, studio_home) -> dict:
    """Press Train; the spec.json of the run it queued (the run is stopped right after)."""
    at.button(key=state.W_TRAIN).click().run()
    assert not at.exception, at.exception
    run_id = at.session_state[state.CURRENT_RUN]
    try:
        return RunStore(studio_home).spec(run_id)
    finally:
        services.job_queue().stop(run_id)
        services.job_queue().wait(run_id, timeout=TIMEOUT)


def test_uploaded_vectors_stay_in_use_after_leaving_the_page_until_removed(news, studio_home):
    at = open_train_page(news)
    at.selectbox(key=state.W_PRESET).set_value("tiny").run()
    at.number_input(key=state.W_EPOCHS).set_value(1).run()
    at.text_input(key=state.W_RUN_NAME).set_value("with my vectors").run()
    at.file_uploader(key=state.W_GLOVE).set_value(("my glove.txt", VECTORS, "text/plain")).run()
    assert not at.exception and not at.error
    assert "Using 8-number vectors from the uploaded file" in page_text(at)
    assert re.match(r"Only 4 of the [\d,]+ most frequent words of your texts have a vector",
                    at.warning[0].value)

    at.switch_page("pages/evaluate.py").run()
    at.switch_page("pages/train.py").run()
    assert not at.exception, at.exception
    shown = shown_text(page_text(at))
    assert "8-number vectors from the uploaded file **my glove.txt**" in shown
    assert "Trains with the word vectors from my glove.txt" in shown  # outside the expander
    assert at.number_input(key=state.W_VECTOR_SIZE_SHOWN).value == 8
    assert at.number_input(key=state.W_VECTOR_SIZE_SHOWN).disabled
    # QA21: not said where they came from; QA22: nor that the words missing stay random.
    assert ("× 8: each number becomes a vector of 8 values: the uploaded file's for the words it "
            "has, random for the others, all fine-tuned while training" in walkthrough(at))
    assert at.text_input(key=state.W_RUN_NAME).value == "with my vectors"  # kept too
    spec = trained_spec(at, studio_home)
    assert spec["name"] == "with my vectors"
    # Browser QA: the name stayed in the box and named the next run too.
    assert at.text_input(key=state.W_RUN_NAME).value == ""
    assert spec["model"]["embedding_dim"] == 8
    assert spec["model"]["glove_path"].endswith("my_glove.txt")

    at.button(key=state.W_GLOVE_REMOVE).click().run()
    assert not at.exception, at.exception
    assert "my glove.txt" not in shown_text(page_text(at))
    assert at.file_uploader(key=state.W_GLOVE).value is None  # ready for another file
    size = at.number_input(key=state.W_EMBEDDING_DIM)
    assert size.value == 32 and not size.disabled  # the tiny preset's own size, not the file's
    assert "× 32: each number becomes a vector of 32 values" in walkthrough(at)
    at.switch_page("pages/evaluate.py").run()
    at.switch_page("pages/train.py").run()
    assert "my glove.txt" not in shown_text(page_text(at))


def test_vectors_longer_than_the_size_box_allows_show_their_own_size(news):
    """Browser QA: a file of 1,100 numbers per word showed "2" in the disabled size box."""
    wide = "the " + " ".join(["0.5"] * 1100)
    at = open_train_page(news)
    at.file_uploader(key=state.W_GLOVE).set_value(("wide.txt", wide.encode(), "text/plain"))
    at.run()
    shown = at.number_input(key=state.W_VECTOR_SIZE_SHOWN)
    assert shown.value == 1100 and (shown.max is None or shown.max >= 1100)
    assert "× 1100: each number becomes a vector of 1100 values: the uploaded file's" in walkthrough(at)
    assert "most frequent training words has one;" in page_text(at)  # "the" alone: singular


def test_zipped_vectors_are_used_as_downloaded(news, studio_home):
    """Browser QA: GloVe's .gz and .zip downloads got Streamlit's "files are not allowed"."""
    at = open_train_page(news)
    at.file_uploader(key=state.W_GLOVE).set_value(
        ("glove.8d.txt.gz", gzip.compress(VECTORS), "application/gzip")).run()
    assert not at.error and "Using 8-number vectors from the uploaded file" in page_text(at)
    at.number_input(key=state.W_EPOCHS).set_value(1).run()
    assert trained_spec(at, studio_home)["model"]["glove_path"].endswith("glove.8d.txt.gz")


def test_a_bad_vectors_file_is_refused_and_not_used(news):
    at = open_train_page(news)
    at.file_uploader(key=state.W_GLOVE).set_value(("bad.txt", b"the 0.1 zero 0.3\n", "text/plain"))
    at.run()
    assert "where a number should be" in shown_text(at.error[0].value)
    assert not at.number_input(key=state.W_EMBEDDING_DIM).disabled
    at.switch_page("pages/evaluate.py").run()
    at.switch_page("pages/train.py").run()
    assert not at.error and "bad.txt" not in page_text(at)


def test_a_vectors_file_of_plain_text_or_other_words_is_refused(news):
    at = open_train_page(news)
    at.file_uploader(key=state.W_GLOVE).set_value(
        ("notes.txt", b"not a glove file\nhello 1 2 x\n", "text/plain")).run()
    assert "where a number should be" in shown_text(at.error[0].value)
    # QA21: nothing said what Train would do instead.
    assert shown_text(at.error[0].value).endswith(train_view.VECTORS_NOT_USED)
    at.file_uploader(key=state.W_GLOVE).set_value(
        ("other.txt", b"zzyzx 0.1 0.2\nqwxqw 0.3 0.4\n", "text/plain")).run()
    assert "None of the" in shown_text(at.error[0].value)
    assert not at.number_input(key=state.W_EMBEDDING_DIM).disabled  # neither file is in use


def summary_line(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "parameters" in m.value)


def test_a_minimum_frequency_that_leaves_few_or_no_known_words_is_said_or_refused(news):
    """Browser QA: minimum frequency 1,000 trained a model that knew "1 known words"."""
    at = open_train_page(news)
    assert not at.warning and re.search(r"· [\d,]+ words known$", summary_line(at))
    at.number_input(key=state.W_MIN_FREQ).set_value(80).run()
    few = summary_line(at)
    count = int(re.search(r"· ([\d,]+) words? known$", few).group(1))
    assert 0 < count < network_view.FEW_KNOWN_WORDS
    assert at.warning[0].value.startswith(f"Only {count} word") and "“the”" in at.warning[0].value
    assert not at.button(key=state.W_TRAIN).disabled
    at.number_input(key=state.W_MIN_FREQ).set_value(1000).run()  # "the" only, in the sample
    assert re.search(r"· 1 word known$", summary_line(at))
    assert at.warning[0].value.startswith("Only 1 word appears at least 1,000 times")

    dataset, spec, source = news
    train = dataclasses.replace(dataset.train, texts=dataset.train.texts[:60],
                                y=dataset.train.y[:60], written=None)
    at = open_train_page((dataclasses.replace(dataset, train=train), spec, source))
    at.number_input(key=state.W_MIN_FREQ).set_value(1000).run()
    assert shown_text(at.error[0].value).startswith("No word appears 1,000 times in the training "
                                                    "texts, so the model would know no word")
    assert at.button(key=state.W_TRAIN).disabled
    at.number_input(key=state.W_MIN_FREQ).set_value(1).run()
    assert not at.error and not at.warning and not at.button(key=state.W_TRAIN).disabled


def test_frozen_uploaded_vectors_are_not_counted_as_learned(news):
    """Browser QA: "16,029 parameters (the numbers it learns)" with 1,725 trainable."""
    at = open_train_page(news)
    at.file_uploader(key=state.W_GLOVE).set_value(("my glove.txt", VECTORS, "text/plain")).run()
    assert "(the numbers it learns)" in summary_line(at)
    at.toggle(key=state.W_TRAINABLE_EMBEDDING).set_value(False).run()
    total, learned = re.search(r"([\d,]+) parameters, of which it learns ([\d,]+) \(the "
                               r"uploaded word vectors stay as they are\)", summary_line(at)).groups()
    assert f"Total parameters: {total} ({learned} learned in training)." in [c.value for c in at.caption]


def test_pooling_is_a_control_that_reaches_the_trained_spec(news, studio_home):
    at = open_train_page(news)
    at.selectbox(key=state.W_PRESET).set_value("tiny").run()
    at.number_input(key=state.W_EPOCHS).set_value(1).run()
    pooling = at.selectbox(key=state.W_POOLING)
    assert pooling.value == "last"
    assert pooling.options == ["The final state (default)", "The average over all words",
                               "The strongest signal"]
    assert "Summary over the words" not in walkthrough(at)
    pooling.set_value("mean").run()
    assert not at.exception, at.exception
    assert ("Summary over the words → 32 × 16: for each of the 16 numbers the last LSTM gives "
            "per word, its average over the text" in walkthrough(at))
    assert trained_spec(at, studio_home)["model"]["pooling"] == "mean"
    at.selectbox(key=state.W_POOLING).set_value("max").run()
    assert "its strongest value over the text" in walkthrough(at)
    at.selectbox(key=state.W_PRESET).set_value("lstm50").run()  # a preset sets it back
    assert at.selectbox(key=state.W_POOLING).value == "last"


def test_the_network_table_shows_every_layer_and_the_batch_the_data_can_fill(news):
    """Browser QA: with dense layers the output layer was cut off; parameters read 32000;
    the walk-through showed "2048 texts" in a batch of a 441-text training part."""
    at = open_train_page(news)
    training_texts = len(news[0].train.texts)
    at.select_slider(key=state.W_BATCH_SIZE).set_value(2048).run()
    at.text_input(key=state.W_DENSE).set_value("64, 32").run()
    assert not at.exception, at.exception
    assert walkthrough(at).startswith(f"1. {training_texts} texts × ")
    layers = next(frame for frame in at.dataframe if "Output shape" in frame.value.columns)
    assert layers.value["Keras layer"].iloc[-1] == "Dense" and len(layers.value) >= 5
    parameters = json.loads(layers.proto.columns)["Parameters"]
    assert parameters["type_config"]["format"] == "localized"


# Measured in Chromium at 1400 px (tests/e2e/server.py's VIEWPORT): a third of the
# "Adjust the network" expander holds about 44 characters of label. The help icon takes
# about 4 characters' room and a toggle or checkbox about 7. "Bidirectional (read each text
# both ways)" (40 + 7) was cut, and so was "Early stopping" (14 + 7 + 4) in half a third.
CHARS_PER_THIRD = 44
HELP_ICON_CHARS = 4
SWITCH_CHARS = 7


def _labels_with_room(node, share: float = 1.0):
    """(kind, label, help, characters of room) for every labelled widget under ``node``."""
    for child in getattr(node, "children", {}).values():
        if isinstance(child, Column):
            yield from _labels_with_room(child, share * child.weight)
        elif getattr(child, "label", None):
            yield type(child).__name__, child.label, child.help, CHARS_PER_THIRD * 3 * share
        else:
            yield from _labels_with_room(child, share)


def test_every_label_in_adjust_the_network_fits_a_1400_px_window(news):
    at = open_train_page(news)
    at.number_input(key=state.W_LAYERS).set_value(4).run()  # the narrowest units boxes
    at.file_uploader(key=state.W_GLOVE).set_value(("tiny.txt", VECTORS, "text/plain")).run()
    widgets = list(_labels_with_room(at.expander[0]))
    assert {"Toggle", "Checkbox", "NumberInput", "Selectbox"} <= {w[0] for w in widgets}
    too_long = [(label, round(room)) for kind, label, help_text, room in widgets
                if len(label) + (SWITCH_CHARS if kind in ("Toggle", "Checkbox") else 0)
                + (HELP_ICON_CHARS if help_text else 0) > room]
    assert not too_long
    # The shorter labels keep their meaning, with the detail in the help text.
    assert "both ways" in at.toggle(key=state.W_BIDIRECTIONAL).label
    assert "right to left" in at.toggle(key=state.W_BIDIRECTIONAL).help
    assert "validation loss has not improved" in at.toggle(key=state.W_EARLY_STOP).help
