"""Predicting a CSV file of new texts: reading it, and one answer per row of the file."""

import io

import numpy as np
import pandas as pd
import pytest

from core import data, predict_csv
from core import predictor as predictor_lib
from core.errors import DataError

ONE_COLUMN = b"review\nnice product works great\nawful broke in a day\n"
# The Predict page's bug report: an all-empty row and a whitespace-only row among texts.
WITH_EMPTY_ROWS = (b"title,review\nStriker scores twice,The striker scored twice in the final.\n"
                   b",\n   ,   \nMarkets fall,\n")


@pytest.fixture(scope="module")
def predictor(run_store, trained_run):
    """The session's really trained review-ratings model (text columns title and review)."""
    meta = predictor_lib.run_metadata(run_store.spec(trained_run))
    return predictor_lib.load_predictor(run_store.model_path(trained_run), meta)


def test_a_one_column_file_of_texts_is_read_and_predicted(predictor):
    frame = predict_csv.read_texts(ONE_COLUMN, name="'pred_review_only.csv'")
    assert list(frame.columns) == ["review"]
    assert list(frame["review"]) == ["nice product works great", "awful broke in a day"]
    out = predict_csv.predict_frame(predictor, frame, ["review"])
    assert list(out["review"]) == list(frame["review"])
    assert out["prediction"].isin(predictor.class_names).all() and len(out) == 2
    assert "note" not in out.columns and out.attrs["rows_without_text"] == 0


def test_the_data_page_still_needs_a_label_column():
    with pytest.raises(DataError, match="needs at least two: one with the text and one with "
                                        "the label"):
        data.read_csv(ONE_COLUMN, name="'reviews.csv'")


@pytest.mark.parametrize("content, message", [
    (b"", r"^'new\.csv' is empty\. Choose a CSV file with a header row and the texts to "
          r"predict, one per row\.$"),
    (b"review\n", r"^'new\.csv' has a header row but no texts below it\. Add the texts to "
                  r"predict, one per row, and try again\.$"),
    (b"review\n\n\n", r"no texts below it"),
])
def test_reading_errors_talk_about_texts_to_predict(content, message):
    with pytest.raises(DataError, match=message) as caught:
        predict_csv.read_texts(content, name="'new.csv'")
    assert "label" not in str(caught.value)


def test_every_line_with_cells_stays_a_row_in_its_place():
    frame = predict_csv.read_texts(WITH_EMPTY_ROWS, name="'new.csv'")
    assert len(frame) == 4  # the "," row is a row of empty cells, not dropped
    assert list(frame["title"].iloc[[0, 3]]) == ["Striker scores twice", "Markets fall"]
    assert frame.iloc[1].isna().all() and frame["title"].iloc[2].strip() == ""
    # The training reader keeps dropping rows with nothing in them, as before.
    assert len(data.read_csv(WITH_EMPTY_ROWS)) == 3


def test_blank_lines_are_rows_only_in_a_one_column_file():
    several = predict_csv.read_texts(b"title,review\n\na,b\n\nc,d\n\n", name="'new.csv'")
    assert list(several["title"]) == ["a", "c"]  # a blank line has no cells to line up
    # A spreadsheet saves an empty cell of a one-column sheet as a blank line; blank lines
    # before the header and after the last text are not rows.
    one = predict_csv.read_texts(b"\n\nreview\nfirst\n\nthird\n\"\"\nfifth\n\n\n", name="'new.csv'")
    assert list(one.columns) == ["review"]
    assert one["review"].tolist()[::2] == ["first", "third", "fifth"]
    assert one["review"].iloc[[1, 3]].isna().all() and len(one) == 5


def test_rows_without_text_get_no_made_up_prediction(predictor):
    frame = pd.DataFrame({"title": ["Striker scores twice", None, "   ", "Markets fall", "!!!"],
                          "review": ["The striker scored twice in the final.", None, "   ",
                                     None, "..."]}, dtype=object)
    out = predict_csv.predict_frame(predictor, frame, ["title", "review"])
    assert len(out) == 5 and list(out["title"].iloc[[0, 3]]) == ["Striker scores twice",
                                                                 "Markets fall"]
    assert out["prediction"].iloc[[0, 3]].isin(predictor.class_names).all()
    assert list(out["prediction"].iloc[[1, 2, 4]]) == ["", "", ""]
    probabilities = out[[f"probability {name}" for name in predictor.class_names]]
    assert probabilities.iloc[[1, 2, 4]].isna().all(axis=None)
    assert np.allclose(probabilities.iloc[[0, 3]].sum(axis=1), 1, atol=1e-3)
    assert list(out["note"]) == ["", predict_csv.NO_TEXT, predict_csv.NO_TEXT, "",
                                 predict_csv.NO_TEXT]
    assert out.attrs["rows_without_text"] == 3


def test_typed_text_and_csv_rows_share_one_rule_for_no_words(predictor):
    texts = ["!!! ???", "<script>alert(1)</script>", "<b>Lovely</b> and soft!"]
    out = predict_csv.predict_frame(predictor, pd.DataFrame({"review": texts}), ["review"])
    assert list(out["note"]) == [predict_csv.NO_TEXT, predict_csv.NO_TEXT, ""]
    assert [predictor.reads_words(t) for t in texts] == [False, False, True]  # typed: the same


def test_rows_of_words_the_model_never_saw_keep_their_answer_and_are_marked(predictor):
    """QA: an emoji-only row and a made-up one got "no, 54%" with nothing said, where the
    same text typed gets "The model knows none of the words it reads here"."""
    texts = ["🙂🙂 😀", "zxqvw blorfin quazzle", "nice product works great", ""]
    out = predict_csv.predict_frame(predictor, pd.DataFrame({"review": texts}), ["review"])
    assert list(out["note"]) == [predict_csv.NO_KNOWN_WORD, predict_csv.NO_KNOWN_WORD, "",
                                 predict_csv.NO_TEXT]
    assert out["prediction"].iloc[:3].isin(predictor.class_names).all()
    assert out.attrs["rows_without_known_words"] == 2 and out.attrs["rows_without_text"] == 1
    read, unknown = zip(*(predictor.reading(t)[1:] for t in texts[:3]))
    assert [r > 0 and r == u for r, u in zip(read, unknown)] == [True, True, False]  # typed


def test_the_answers_do_not_depend_on_the_empty_rows_around_them(predictor):
    texts = ["nice product works great", "awful broke in a day"]
    alone = predict_csv.predict_frame(predictor, pd.DataFrame({"review": texts}), ["review"])
    mixed = predict_csv.predict_frame(
        predictor, pd.DataFrame({"review": [None, texts[0], " ", texts[1]]}, dtype=object),
        ["review"])
    assert list(mixed["prediction"].iloc[[1, 3]]) == list(alone["prediction"])
    column = f"probability {predictor.class_names[0]}"
    assert np.allclose(mixed[column].iloc[[1, 3]], alone[column], atol=1e-4)


def test_a_file_where_no_row_has_text_is_predicted_as_all_empty(predictor):
    frame = predict_csv.read_texts(b"title,review\n,\n ,\n", name="'new.csv'")
    out = predict_csv.predict_frame(predictor, frame, ["title", "review"])
    assert list(out["prediction"]) == ["", ""] and out.attrs["rows_without_text"] == 2


def test_the_download_has_probabilities_to_four_decimals(predictor):
    frame = pd.DataFrame({"title": ["Soft"], "review": ["Lovely and soft, fits well"]})
    written = predict_csv.predict_frame(predictor, frame, ["title", "review"]).to_csv(index=False)
    numbers = written.splitlines()[1].split(",")[3:]
    assert numbers and all(len(n.split(".")[-1]) <= 4 for n in numbers), written


def test_the_users_own_columns_are_never_overwritten(predictor):
    frame = pd.DataFrame({"text": ["Lovely and soft", ""], "prediction": ["mine", "mine too"],
                          "note": ["keep", "this"]})
    out = predict_csv.predict_frame(predictor, frame, ["text"])
    assert out["prediction"].tolist() == ["mine", "mine too"]
    assert out["note"].tolist() == ["keep", "this"]
    assert out["prediction (model)"].iloc[0] in predictor.class_names
    assert out["note (model)"].tolist() == ["", predict_csv.NO_TEXT]
    assert out.attrs["note_column"] == "note (model)"  # what the page's message names


def test_the_download_is_utf8_with_a_bom_that_excel_and_the_reader_both_read(predictor):
    frame = pd.DataFrame({"title": ["Café"], "review": ["Lovely café, soft crème brûlée"]})
    written = predict_csv.csv_bytes(predict_csv.predict_frame(predictor, frame,
                                                              ["title", "review"]))
    assert written.startswith("\ufeff".encode()) and "Café".encode() in written
    again = predict_csv.read_texts(written, name="'café-predictions.csv'")
    assert list(again.columns[:3]) == ["title", "review", "prediction"]  # no mark in a name
    assert again["review"].tolist() == ["Lovely café, soft crème brûlée"]


def test_cells_a_spreadsheet_would_run_as_formulas_are_written_as_text(predictor):
    """CSV injection (CWE-1236): browser QA saw "=HYPERLINK(…)" from an uploaded file go into
    the download unchanged, where a spreadsheet would run it. Numbers keep their sign."""
    frame = pd.DataFrame({
        "review": ['=HYPERLINK("http://x.example","click")', "+cmd|' /C calc'!A0",
                   "@SUM(1+1)", "- soft, but it shrank", "\tTabbed", "Lovely and soft"],
        "code": ["-3", "+4", "-1.5e3", "=1+1", "ok", "-"]})
    out = predict_csv.predict_frame(predictor, frame, ["review"])
    assert out.attrs["formula_like_cells"] == 7  # 5 reviews, "=1+1" and "-"
    assert out["review"].tolist() == frame["review"].tolist()  # the page shows them as typed
    again = pd.read_csv(io.BytesIO(predict_csv.csv_bytes(out)), dtype=str, keep_default_na=False,
                        encoding=predict_csv.CSV_ENCODING)
    assert again["review"].tolist() == ["'" + t for t in frame["review"][:5]] + ["Lovely and soft"]
    assert again["code"].tolist() == ["-3", "+4", "-1.5e3", "'=1+1", "ok", "'-"]


def test_a_file_without_formula_like_cells_is_written_as_it_is(predictor):
    frame = pd.DataFrame({"review": ["Lovely and soft", None], "stars": [-1, 5]})
    out = predict_csv.predict_frame(predictor, frame, ["review"])
    assert out.attrs["formula_like_cells"] == 0
    assert predict_csv.csv_bytes(out) == out.to_csv(index=False).encode(predict_csv.CSV_ENCODING)


def _frame(columns: list[str]) -> pd.DataFrame:
    long_text = "a sentence long enough to read as a text and not as a label {}"
    return pd.DataFrame({c: ([long_text.format(i) for i in range(20)] if c != "id"
                             else list(range(20))) for c in columns})


@pytest.mark.parametrize("file_columns, trained, guess", [
    (["id", "title", "review"], ["title", "body"], ["title", "review"]),  # one shared, one guessed
    (["id", "comment"], ["title", "review"], ["comment"]),  # nothing shared: the likeliest
    (["id", "comment"], [], ["comment"]),  # an imported model that names no columns
    (["review", "title"], ["title", "body"], ["title", "review"]),  # the model's order first
])
def test_the_first_guess_keeps_the_columns_the_file_shares_with_the_run(file_columns, trained,
                                                                        guess):
    assert predict_csv.first_text_columns(_frame(file_columns), trained) == guess


@pytest.mark.parametrize("file_columns, trained, guess", [
    (["headline", "text", "tag"], ["title", "body"], ["headline", "text"]),
    (["id", "text", "headline"], ["title", "text"], ["headline", "text"]),  # a slot each
    (["c2", "c1", "c3"], ["title", "body"], ["c1", "c2"]),  # names that say nothing: shorter first
    # QA23: a run on "text" read a reviews file's title, not its "Review Text".
    (["Title", "Review Text"], ["text"], ["Review Text"]),
    (["headline", "Body"], ["title", "body"], ["headline", "Body"]),
])
def test_guessed_text_columns_take_the_places_of_the_missing_ones(file_columns, trained, guess):
    """QA: a run on title + text read a file's headline after its text, as guesses were
    added after the columns the file shared with the run, and its answers changed."""
    short = "Stocks rally as markets cheer {}"
    long_text = "The bank cut its rates again today, and the markets answered at once {}"
    texts = {"headline": short, "c1": short, "text": long_text, "c2": long_text,
             "Title": short, "Review Text": long_text, "Body": long_text}
    frame = pd.DataFrame({c: [texts[c].format(i) if c in texts else
                              (i if c == "id" else "xy"[i % 2]) for i in range(20)]
                          for c in file_columns})
    assert predict_csv.first_text_columns(frame, trained) == guess


def test_a_two_class_file_is_answered_at_the_saved_threshold_and_says_so(run_store,
                                                                       trained_binary_run):
    """QA: a row read "negative" beside "probability positive" 0.5983, and nothing in the
    file said the run answers "negative" from 40%. At 50% no column is added."""
    spec = run_store.spec(trained_binary_run)
    binary = predictor_lib.load_predictor(run_store.model_path(trained_binary_run),
                                          predictor_lib.run_metadata(spec))
    first, second = binary.class_names
    frame = pd.DataFrame({"title": ["Fine", "Meh", "Great", ""],
                          "review": ["works as promised", "it is okay i guess",
                                     "love it, works perfectly", ""]})
    assert predict_csv.saved_choice(run_store, trained_binary_run, binary) is None
    plain = predict_csv.predict_frame(binary, frame, ["title", "review"])
    assert predict_csv.THRESHOLD_COLUMN not in plain.columns

    run_store.save_threshold_choice(trained_binary_run, first, 0.05)
    choice = predict_csv.saved_choice(run_store, trained_binary_run, binary)
    assert choice == (first, 0.05)
    out = predict_csv.predict_frame(binary, frame, ["title", "review"], choice=choice)
    said = out[f"probability {first}"] >= 0.05
    assert list(out["prediction"][:3]) == [first if s else second for s in said[:3]]
    assert list(out[predict_csv.THRESHOLD_COLUMN]) == [f"{first} from 5% sure"] * 3 + [""]
    assert out["prediction"][3] == ""  # no text, no answer, no rule


def test_ids_and_one_word_codes_are_not_guessed_as_texts(predictor):
    """Browser QA: for a run on title + body, "id,text,source" was read as text + id (and
    "title;source" as title + source), and an empty text answered as its id."""
    lines = ["id,text,source"] + [f"{i},a long enough sentence about item {i} and more,web"
                                  for i in range(1, 21)]
    lines[3] = "3,,web"
    frame = predict_csv.read_texts("\n".join(lines).encode(), name="new.csv")
    columns = predict_csv.first_text_columns(frame, ["title", "body"])
    assert columns == ["text"]
    out = predict_csv.predict_frame(predictor, frame, columns)
    assert out["prediction"].iloc[2] == "" and out["note"].iloc[2] == predict_csv.NO_TEXT
