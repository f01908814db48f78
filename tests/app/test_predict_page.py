"""The Predict page: a typed text, a CSV file, and model files in and out."""

import io
import json

import numpy as np
import pandas as pd
import pytest

from core import config, predict_csv
from tests.app.conftest import (STILL_TRAINING, copy_run, decoded, open_page, page_text,
                                shown_percentages, shown_text, shows_empty_cells_empty)
from ui import state, widgets

REVIEWS_CSV = (config.SAMPLE_DATA_DIR / "reviews" / "reviews.csv").read_bytes()


def upload(at, key: str, name: str, content: bytes):
    at.file_uploader(key=key).set_value((name, content, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


def import_model(at, name: str, content: bytes):
    upload(at, state.W_MODEL_UPLOAD, name, content)
    at.button(key=state.W_MODEL_IMPORT).click().run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def lambda_model(tmp_path_factory) -> bytes:
    import keras

    inputs = keras.Input((4,))
    path = tmp_path_factory.mktemp("models") / "lambda.keras"
    keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs)).save(path)
    return path.read_bytes()


def test_without_runs_it_offers_training_and_import(no_runs):
    at = open_page("predict")
    assert "No trained model yet" in page_text(at)
    import_model(at, "notes.keras", b"just some text, not a model")
    assert "not a valid .keras model file" in shown_text(at.error[0].value)


def test_a_typed_text_shows_class_probabilities(trained_binary_run):
    at = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run,
                               state.W_PREDICT_TEXT: "Broke after two days. Awful."})
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    probabilities = list(decoded(bars["x"]))
    assert len(probabilities) == 2 and sum(probabilities) == pytest.approx(1, abs=1e-5)
    winner = ["no", "yes"][int(np.argmax(probabilities))]
    assert f"The model says **{winner}**" in page_text(at)


def test_an_empty_box_says_how_a_typed_text_is_applied(trained_binary_run):
    """QA23: on Predict and Explain nothing happened until Ctrl+Enter or a click outside the
    box, and only the box's small hint said so."""
    at = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run})
    at.text_area(key=state.W_PREDICT_TEXT).set_value("").run()  # the example box emptied
    assert any("then press Ctrl+Enter or click outside the box to see the model's answer"
               in i.value for i in at.info)


def test_numbered_classes_are_named_with_their_column(trained_run):
    """QA: the answer and the bars read "4" where Explain said "rating 4"."""
    at = open_page("predict", {state.W_PREDICT_RUN: trained_run,
                               state.W_PREDICT_TEXT: "Lovely kettle, boils fast and quietly."})
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert bars["y"] == [f"rating {n}" for n in range(1, 6)]
    assert "The model says **rating " in page_text(at)


def test_numbered_classes_of_a_model_without_its_label_column_read_class_n(run_store,
                                                                            trained_run):
    """A model exported before the label column's name travelled in the file: "value 4"."""
    legacy = copy_run(run_store, trained_run, "legacy export")
    spec_file = run_store.path(legacy) / "spec.json"
    spec = json.loads(spec_file.read_text())
    spec_file.write_text(json.dumps({**spec, "data": {}}))
    try:
        at = open_page("predict", {state.W_PREDICT_RUN: legacy,
                                   state.W_PREDICT_TEXT: "Lovely kettle, boils fast."})
        bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
        assert bars["y"] == [f"class {n}" for n in range(1, 6)]
        assert "The model says **class " in page_text(at)
    finally:
        run_store.delete(legacy)


@pytest.mark.parametrize("text, why", [
    ("!!! ???", widgets.NO_WORDS_FOR_MODEL),
    # Exploratory QA: Predict said "only spaces or punctuation" where Explain said HTML.
    ("<script>alert(1)</script>", widgets.NO_WORDS_BUT_HTML),
    ("<b></b>", widgets.NO_WORDS_BUT_HTML),
])
def test_a_typed_text_without_words_for_the_model_gets_no_answer(trained_binary_run, text, why):
    # The same texts as CSV rows are marked "no text" (test_predict_csv): no made-up answer.
    at = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run,
                               state.W_PREDICT_TEXT: text})
    assert [shown_text(i.value) for i in at.info] == [why]
    assert not at.get("plotly_chart") and "The model says" not in page_text(at)


def test_a_text_of_words_the_model_never_saw_says_its_answer_rests_on_none(trained_binary_run):
    at = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run,
                               state.W_PREDICT_TEXT: "zyxx qwop flurb"})
    # No word weights here; and the answer's sureness means nothing (browser check).
    assert at.warning[0].value == widgets.NO_KNOWN_WORDS + widgets.NO_KNOWN_WORDS_ANSWER
    assert "The model says" in page_text(at)  # still answered, with the reason to doubt it


def test_one_unknown_word_of_two_is_said_in_the_singular(trained_binary_run):
    """Browser QA: "1 of the 2 words the model reads are unknown to it"."""
    at = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run,
                               state.W_PREDICT_TEXT: "great zzzqx"})
    assert ("1 of the 2 words the model reads is unknown to it; it sees it as the “unknown "
            "word”.") in [shown_text(c.value) for c in at.caption]


def test_regression_shows_the_predicted_value(regression_run):
    at = open_page("predict", {state.W_PREDICT_RUN: regression_run})
    assert [m.label for m in at.metric] == ["Predicted rating"]
    assert 0 < float(at.metric[0].value) < 7


def test_a_predicted_number_stays_within_the_training_labels(run_store, regression_run):
    import dataclasses

    from core import data as data_lib
    from core import importer
    from core import predictor as predictor_lib

    spec = run_store.spec(regression_run)
    ratings = data_lib.load_dataset(run_store.path(regression_run)).train.y
    assert spec["value_range"] == [float(ratings.min()), float(ratings.max())]
    model = predictor_lib.load_predictor(run_store.model_path(regression_run),
                                         predictor_lib.run_metadata(spec))
    assert model.value_range == tuple(spec["value_range"])
    texts = ["perfect amazing love " * 30, "broke awful refund " * 30, "ok", "fine fabric"]
    free = dataclasses.replace(model, value_range=None).scores(texts)
    narrow = (float(np.median(free)) - 0.01, float(np.median(free)) + 0.01)
    kept = dataclasses.replace(model, value_range=narrow).scores(texts)
    np.testing.assert_allclose(kept, np.clip(free, *narrow))  # clipped, nothing else changed
    assert (kept != free).any()  # these texts reach outside so narrow a range
    stored = run_store.read_json(regression_run, "eval.json")["test_scores"]
    assert spec["value_range"][0] <= min(stored) and max(stored) <= spec["value_range"][1]

    at = open_page("predict", {state.W_PREDICT_RUN: regression_run,
                               state.W_PREDICT_TEXT: "Lovely dress, fits perfectly."})
    assert "Answers stay between 1 and 5, the lowest and highest" in page_text(at)

    imported = importer.import_model(run_store, run_store.model_path(regression_run).read_bytes(),
                                     "ratings.keras")  # an exported file keeps the range
    try:
        assert run_store.spec(imported)["value_range"] == spec["value_range"]
    finally:
        run_store.delete(imported)


def test_a_csv_with_the_trained_columns_is_predicted_and_downloadable(trained_run):
    at = open_page("predict", {state.W_PREDICT_RUN: trained_run})
    upload(at, state.W_PREDICT_CSV, "reviews.csv", REVIEWS_CSV)
    at.button(key=state.W_PREDICT_GO).click().run()
    result = at.dataframe[0].value
    assert len(result) == len(pd.read_csv(io.BytesIO(REVIEWS_CSV)))
    assert result["prediction"].isin(["1", "2", "3", "4", "5"]).all()
    # Numbered classes named as on the rest of the page (QA21: "probability 1"); the answers
    # stay the file's numbers, for a spreadsheet to sort.
    assert {f"probability rating {c}" for c in "12345"} <= set(result.columns)
    shown = shown_percentages(at.dataframe[0])  # as on every other page, not 0.3282
    assert set(shown) == {f"probability rating {c}" for c in "12345"}
    assert all(text.endswith("%") and "." in text for texts in shown.values() for text in texts)
    assert json.loads(at.dataframe[0].proto.columns)["_index"]["hidden"]  # no 0-based row numbers
    # The answers come first: after the long texts they were off the right edge (QA10).
    order = list(at.dataframe[0].proto.column_order)
    assert order[:6] == ["prediction", *(f"probability rating {c}" for c in "12345")]
    assert sorted(order) == sorted(result.columns)  # every column, the file's own after them
    assert [d.label for d in at.get("download_button")][0] == "Download the predictions (CSV)"


def test_formula_like_cells_are_written_as_text_and_the_page_says_so(trained_binary_run):
    """CSV injection: a text such as "=HYPERLINK(…)" went into the download unchanged."""
    at = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run})
    upload(at, state.W_PREDICT_CSV, "tricky.csv", b'title,review\nOk,"=HYPERLINK(""x"")"\n'
                                                  b"Fine,Soft and warm\n")
    at.button(key=state.W_PREDICT_GO).click().run()
    assert at.dataframe[0].value["review"].tolist() == ['=HYPERLINK("x")', "Soft and warm"]
    assert ("1 cell starts with =, +, -, @ or a tab, as a spreadsheet formula does. In the "
            "download it begins with an apostrophe (')") in page_text(at)
    written = at.session_state[state.PREDICT_RESULT]["csv"]  # what the download button serves
    assert b"\"'=HYPERLINK(\"\"x\"\")\"" in written and b",Soft and warm," in written


def test_a_predicted_csv_is_still_there_after_another_page(trained_binary_run):
    """QA20: leaving Predict emptied the uploader, and the file, its predictions and the
    download were gone on coming back (a teacher checking the threshold on Evaluate)."""
    at = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run})
    upload(at, state.W_PREDICT_CSV, "mine.csv", b"id,comment\n1,Soft and warm\n2,Broke\n")
    read = at.session_state[state.PREDICT_FILE][2]
    at.button(key=state.W_PREDICT_GO).click().run()
    assert len(at.dataframe[0].value) == 2
    assert at.session_state[state.PREDICT_FILE][2] is read  # not read again on each click
    # Another page and back: the uploader is empty; what the session keeps stays.
    kept = (state.W_PREDICT_RUN, state.PREDICT_FILE, state.PREDICT_RESULT,
            state.W_PREDICT_COLUMNS, state.PREDICT_COLUMNS_FOR, state.PREDICT_HEADER_FILE)
    back = open_page("predict", {key: at.session_state[key] for key in kept})
    assert "In use: **mine.csv** (2 rows), uploaded earlier. Upload a file to use another." in [
        shown_text(c.value) for c in back.caption]
    assert back.multiselect(key=state.W_PREDICT_COLUMNS).value == ["comment"]
    assert back.dataframe[0].value["comment"].tolist() == ["Soft and warm", "Broke"]
    assert [d.label for d in back.get("download_button")][0] == "Download the predictions (CSV)"


def test_a_csv_without_them_asks_which_column_holds_the_text(trained_binary_run):
    at = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run})
    upload(at, state.W_PREDICT_CSV, "other.csv",
           b"id,comment\n1,Stopped working after a week\n2,Brilliant and sturdy\n")
    assert "has no columns named 'title', 'review'" in shown_text(at.warning[0].value)
    assert at.multiselect(key=state.W_PREDICT_COLUMNS).value == ["comment"]
    at.button(key=state.W_PREDICT_GO).click().run()
    result = at.dataframe[0].value
    assert list(result["comment"]) == ["Stopped working after a week", "Brilliant and sturdy"]
    assert result["prediction"].isin(["no", "yes"]).all()


def run_reading(run_store, run_id: str, columns: list[str]) -> str:
    """A copy of ``run_id`` whose settings say it read ``columns`` (the model is the same)."""
    copy = copy_run(run_store, run_id, "+".join(columns))
    spec = run_store.read_json(copy, "spec.json")
    spec["data"]["text_columns"] = columns
    run_store.write_json(copy, "spec.json", spec)
    return copy


def test_the_columns_guessed_for_one_run_are_guessed_again_for_the_next(
        run_store, trained_binary_run):
    """Browser QA: after switching to a run on title + body, a title,review file kept
    only "review" selected. The columns the file shares with the run come first, then a
    likely text column for each one missing; each run gets its own guess."""
    review_only = run_reading(run_store, trained_binary_run, ["review"])
    title_and_body = run_reading(run_store, trained_binary_run, ["title", "body"])
    try:
        _columns_follow_the_run(review_only, title_and_body)
    finally:
        run_store.delete(review_only)
        run_store.delete(title_and_body)


def _columns_follow_the_run(review_only: str, title_and_body: str) -> None:
    file = b"title,comment\nStopped working,It broke after a week\nSturdy,Brilliant and sturdy\n"
    at = open_page("predict", {state.W_PREDICT_RUN: review_only})
    upload(at, state.W_PREDICT_CSV, "other.csv", file)
    assert at.multiselect(key=state.W_PREDICT_COLUMNS).value == ["comment"]
    at.selectbox(key=state.W_PREDICT_RUN).set_value(title_and_body).run()
    assert "has no column named 'body'" in shown_text(at.warning[0].value)
    assert at.multiselect(key=state.W_PREDICT_COLUMNS).value == ["title", "comment"]
    at.button(key=state.W_PREDICT_GO).click().run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 2


def test_the_model_can_be_downloaded(trained_run):
    at = open_page("predict", {state.W_PREDICT_RUN: trained_run})
    button = at.get("download_button")
    assert any(b.label.startswith("Download the model (") for b in button)


def test_a_lambda_model_is_refused_with_a_plain_error(trained_run, lambda_model):
    at = open_page("predict", {state.W_PREDICT_RUN: trained_run})
    import_model(at, "custom.keras", lambda_model)
    assert "Lambda layer" in shown_text(at.error[0].value)


def test_an_exported_model_imports_as_a_new_selected_run(run_store, trained_binary_run):
    at = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run})
    before = {r.run_id for r in run_store.list_runs()}
    import_model(at, "shared <model>.keras", run_store.model_path(trained_binary_run).read_bytes())
    new = {r.run_id for r in run_store.list_runs()} - before
    try:
        assert len(new) == 1
        (run_id,) = new
        assert at.selectbox(key=state.W_PREDICT_RUN).value == run_id
        assert "Imported as" in at.success[0].value
        assert run_store.info(run_id).name == "Imported: shared <model>.keras"
        assert at.get("plotly_chart")  # the imported model predicts right away
        # Browser QA: a second click (the file is still in the box) made "… (2)".
        at.selectbox(key=state.W_PREDICT_RUN).set_value(trained_binary_run).run()
        at.button(key=state.W_MODEL_IMPORT).click().run()
        assert not at.exception, at.exception
        assert {r.run_id for r in run_store.list_runs()} - before == new
        assert shown_text(at.success[0].value).startswith(
            "This file is already imported as “Imported: shared <model>.keras”.")
        assert at.selectbox(key=state.W_PREDICT_RUN).value == run_id
    finally:
        for run_id in new:
            run_store.delete(run_id)


def test_a_one_column_csv_of_texts_is_predicted(trained_run):
    """A file of new texts needs no label column (the run reads title and review)."""
    at = open_page("predict", {state.W_PREDICT_RUN: trained_run})
    upload(at, state.W_PREDICT_CSV, "pred_review_only.csv",
           b"review\nnice product works great\nawful broke in a day\n")
    assert not at.error, at.error[0].value
    assert "the label" not in page_text(at) and "answer to learn" not in page_text(at)
    assert "has no column named 'title'" in shown_text(at.warning[0].value)
    assert at.multiselect(key=state.W_PREDICT_COLUMNS).value == ["review"]
    assert at.button(key=state.W_PREDICT_GO).label == "Predict all 2 rows"
    at.button(key=state.W_PREDICT_GO).click().run()
    result = at.dataframe[0].value
    assert list(result["review"]) == ["nice product works great", "awful broke in a day"]
    assert result["prediction"].isin(["1", "2", "3", "4", "5"]).all()


def test_a_reading_error_talks_about_texts_to_predict(trained_run):
    at = open_page("predict", {state.W_PREDICT_RUN: trained_run})
    upload(at, state.W_PREDICT_CSV, "header_only.csv", b"review\n")
    message = shown_text(at.error[0].value)
    assert "no texts below it" in message and "label" not in message


def test_rows_without_text_keep_their_place_and_get_no_prediction(trained_run):
    at = open_page("predict", {state.W_PREDICT_RUN: trained_run})
    upload(at, state.W_PREDICT_CSV, "gaps.csv",
           b"title,review\nStriker scores twice,The striker scored twice in the final.\n"
           b",\n   ,   \nMarkets fall,\n")
    assert at.button(key=state.W_PREDICT_GO).label == "Predict all 4 rows"
    at.button(key=state.W_PREDICT_GO).click().run()
    assert not at.exception, at.exception
    result = at.dataframe[0].value
    assert len(result) == 4 and result["title"].iloc[3] == "Markets fall"
    assert list(result["prediction"].iloc[[1, 2]]) == ["", ""]
    assert result["prediction"].iloc[[0, 3]].isin(["1", "2", "3", "4", "5"]).all()
    assert list(result["note"]) == ["", "no text", "no text", ""]
    assert "2 of the 4 rows have no text" in page_text(at)
    # An empty cell shows empty in the browser, not the word "None" (a value stays missing).
    assert shows_empty_cells_empty(at.dataframe[0]) and pd.isna(result["review"].iloc[3])


def test_rows_of_words_the_model_never_saw_are_named_on_the_page(trained_run):
    at = open_page("predict", {state.W_PREDICT_RUN: trained_run})
    upload(at, state.W_PREDICT_CSV, "odd.csv", "title,review\nGreat shovel,Works well\n"
           "🙂🙂,😀\nzxqvw,blorfin quazzle\n".encode())
    at.button(key=state.W_PREDICT_GO).click().run()
    assert list(at.dataframe[0].value["note"]) == ["", predict_csv.NO_KNOWN_WORD,
                                                   predict_csv.NO_KNOWN_WORD]
    assert at.warning[0].value.startswith("The model knows none of the words of 2 of the 3 rows,"
                                          " so their answers rest on no word of their text")


def test_rows_that_cannot_be_read_are_named(trained_run):
    at = open_page("predict", {state.W_PREDICT_RUN: trained_run})
    upload(at, state.W_PREDICT_CSV, "ragged.csv",
           b"title,review\nGreat,Works well\nBad,Broke,after,a day\nFine,Does the job\n")
    assert "1 row of this file could not be read" in at.warning[0].value
    assert at.button(key=state.W_PREDICT_GO).label == "Predict all 2 rows"


def test_unticking_the_header_box_predicts_the_first_text_too(trained_run):
    """Short texts without a header: the guess takes the first for a column name; the box fixes it."""
    at = open_page("predict", {state.W_PREDICT_RUN: trained_run})
    upload(at, state.W_PREDICT_CSV, "short.csv", b"great product\nbroke fast\nlove it\nworks well\n")
    box = at.checkbox(key=state.W_PREDICT_HAS_HEADER)
    assert box.value is True  # the reader's guess
    assert at.button(key=state.W_PREDICT_GO).label == "Predict all 3 rows"
    box.uncheck().run()
    assert not at.error and not at.exception
    assert at.multiselect(key=state.W_PREDICT_COLUMNS).value == ["column_1"]
    assert at.button(key=state.W_PREDICT_GO).label == "Predict all 4 rows"
    at.button(key=state.W_PREDICT_GO).click().run()
    result = at.dataframe[0].value
    assert list(result["column_1"]) == ["great product", "broke fast", "love it", "works well"]
    assert at.checkbox(key=state.W_PREDICT_HAS_HEADER).value is False  # the choice stays


def test_a_new_file_gets_a_fresh_header_guess_and_a_broken_one_no_box(trained_run):
    at = open_page("predict", {state.W_PREDICT_RUN: trained_run})
    upload(at, state.W_PREDICT_CSV, "short.csv", b"great product\nbroke fast\nlove it\n")
    at.checkbox(key=state.W_PREDICT_HAS_HEADER).uncheck().run()
    upload(at, state.W_PREDICT_CSV, "reviews.csv", REVIEWS_CSV)
    assert at.checkbox(key=state.W_PREDICT_HAS_HEADER).value is True
    assert at.button(key=state.W_PREDICT_GO).label.startswith("Predict all")
    upload(at, state.W_PREDICT_CSV, "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert at.error and not at.exception
    assert not [c for c in at.checkbox if c.key == state.W_PREDICT_HAS_HEADER]


def test_an_answer_against_the_likelier_class_says_why(run_store, trained_binary_run):
    """At a threshold other than 50%, "no (31% sure)" beside a 69% "yes" bar read as a contradiction."""
    text = "Broke after two days. Awful."
    at = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run, state.W_PREDICT_TEXT: text})
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    shares = dict(zip(["no", "yes"], decoded(bars["x"])))
    likelier = max(shares, key=shares.get)
    other = "yes" if likelier == "no" else "no"
    run_store.save_threshold_choice(trained_binary_run, likelier, 0.99)  # out of its reach
    at = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run, state.W_PREDICT_TEXT: text})
    said = page_text(at)
    assert (f"The model says **{other}** at this run's threshold, though it gives “{other}” only "
            f"{shares[other]:.0%} and “{likelier}” {shares[likelier]:.0%}.") in said
    assert "chosen on the Evaluate page" in said


def test_an_imported_run_says_its_threshold_came_in_the_model_file(run_store, trained_binary_run):
    from core import importer

    run_store.save_threshold_choice(trained_binary_run, "yes", 0.7)
    imported = importer.import_model(run_store, importer.exported_model(run_store, trained_binary_run),
                                     "shared.keras")
    try:
        at = open_page("predict", {state.W_PREDICT_RUN: imported,
                                   state.W_PREDICT_TEXT: "Broke after two days. Awful."})
        said = page_text(at)
        assert "At the threshold saved in the model file it was imported from" in said
        assert "Evaluate page" not in said
    finally:
        run_store.delete(imported)


def test_a_run_still_training_says_its_answers_come_from_a_checkpoint(training_run,
                                                                       trained_binary_run):
    at = open_page("predict", {state.W_PREDICT_RUN: training_run})
    assert STILL_TRAINING in [i.value for i in at.info]
    at = open_page("predict", {state.W_PREDICT_RUN: trained_binary_run})
    assert not [i for i in at.info if "still training" in i.value]  # finished: no note


def test_a_line_left_out_of_the_predictions_is_named(trained_run):
    """Browser QA: "1 row of this file could not be read … and is left out" did not say which,
    while the Data page names such lines."""
    at = open_page("predict", {state.W_PREDICT_RUN: trained_run})
    upload(at, state.W_PREDICT_CSV, "ragged.csv",
           b"title,review\nGood,works well\nBad,broke,at once,really\nFine,as described\n")
    assert ("1 row of this file could not be read (more cells than the header row) and is left "
            "out of the predictions (line 3).") in [shown_text(w.value) for w in at.warning]


def test_the_open_tab_stays_open_when_a_note_appears_above_the_tabs(run_store, trained_run):
    """QA: a run deleted in another tab put a note above the tabs, and the browser went back
    from "Predict a CSV file" to "Type a text". A keyed tab container keeps its identity (and
    its open tab) wherever it moves on the page."""
    doomed = copy_run(run_store, trained_run, "Deleted while predicting")
    at = open_page("predict", {state.CURRENT_RUN: doomed})

    def tab_container_id():
        ids = [node.proto.id for node in at.main.children.values()
               if node.type == "tab_container"]
        assert len(ids) == 1
        return ids[0]

    before = tab_container_id()
    run_store.delete(doomed)  # in another tab
    at.run()
    assert "deleted" in " ".join(w.value for w in at.warning)  # the note above the tabs
    assert before.endswith(state.W_PREDICT_TABS) and tab_container_id() == before


def test_a_deleted_run_is_noted_once_per_page_not_on_every_click(run_store, trained_run):
    """QA19: the note stayed above Predict through every later click until a model was
    imported. Each page says it at its first draw after the deletion (QA: a page that said
    nothing let a student read another model's answers as theirs)."""
    doomed = copy_run(run_store, trained_run, "Deleted elsewhere")
    at = open_page("predict", {state.CURRENT_RUN: doomed})
    run_store.delete(doomed)  # in another tab
    at.run()
    assert sum("“Deleted elsewhere”" in w.value for w in at.warning) == 1
    at.text_area(key=state.W_PREDICT_TEXT).set_value("Soft and warm").run()
    assert not any("was deleted" in w.value for w in at.warning) and not at.exception
    said = at.session_state[state.DELETED_RUN_NOTES]
    evaluate = open_page("evaluate", {state.CURRENT_RUN: doomed, state.DELETED_RUN_NOTES: said})
    assert sum("was deleted" in w.value for w in evaluate.warning) == 1  # not said there yet


def test_a_model_asked_for_a_run_deleted_meanwhile_says_why_no_file_came(run_store,
                                                                         trained_run):
    """QA: the click gave no file and no word (the file is built after the click)."""
    doomed = copy_run(run_store, trained_run, "Deleted before the download")
    at = open_page("predict", {state.CURRENT_RUN: doomed})
    run_store.delete(doomed)  # in another tab
    download = next(b for b in at.get("download_button") if b.key == state.W_MODEL_DOWNLOAD)
    download.click().run()
    assert not at.exception
    assert ("“Deleted before the download” was deleted, perhaps in another tab or by someone "
            "else, so its model could not be downloaded.") in [w.value for w in at.warning]
