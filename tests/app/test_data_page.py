"""The Data page, driven through Streamlit's AppTest (real widgets, real core)."""

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import shown_text, shows_empty_cells_empty
from ui import state

PAGE = "../../pages/data.py"  # AppTest resolves it against this file


def open_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    at.run()
    assert not at.exception
    return at


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def two_class_frame(n: int = 40, body: str = "") -> pd.DataFrame:
    words = {"good": "a lovely sunny cheerful day", "bad": "a grim rainy miserable night"}
    rows = [{"message": f"{words[label]} number {i} {body}".strip(), "label": label}
            for i in range(n) for label in ("good", "bad")]
    return pd.DataFrame(rows)


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key=state.W_UPLOAD).set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception
    return at


def texts_on_page(at: AppTest) -> list[str]:
    return [e.value for e in [*at.markdown, *at.caption, *at.info, *at.success]]


def test_opens_without_data_and_offers_two_ways_in():
    at = open_page()
    assert at.button(key=state.W_USE_SAMPLE).label == "Use sample data"
    assert at.file_uploader(key=state.W_UPLOAD)
    assert at.selectbox(key=state.W_SAMPLE).options  # the bundled samples, by title
    assert state.DATASET not in at.session_state
    assert not at.error and not at.get("plotly_chart")


def test_sample_button_prepares_the_news_dataset():
    at = open_page()
    at.button(key=state.W_USE_SAMPLE).click().run()
    assert not at.exception and not at.error
    dataset = at.session_state[state.DATASET]
    assert dataset.task == "multiclass" and dataset.n_classes == 4
    assert at.session_state[state.DATA_SPEC].text_columns == ("title", "body")
    assert at.multiselect(key=state.W_TEXT_COLUMNS).value == ["title", "body"]
    assert at.selectbox(key=state.W_LABEL_COLUMN).value == "topic"
    assert [m.label for m in at.metric][:1] == ["Texts used"]
    assert len(at.get("plotly_chart")) == 2  # class balance and text lengths
    alts = [chart.proto.alt for chart in at.get("plotly_chart")]  # for screen readers (QA19)
    assert alts[0].startswith("How many texts per label. ")
    assert all(f"{name}: " in alts[0] for name in dataset.class_names)
    assert alts[1].startswith("How long the texts are. ") and " texts" in alts[1]
    assert any("Next" in text and "Train" in text for text in texts_on_page(at))


def test_changing_an_option_prepares_again():
    at = open_page()
    at.button(key=state.W_USE_SAMPLE).click().run()
    first = at.session_state[state.DATASET]
    at.slider(key=state.W_TEST_PERCENT).set_value(20).run()
    second = at.session_state[state.DATASET]
    assert second is not first
    assert len(second.test.texts) > len(first.test.texts)
    assert at.session_state[state.DATA_SPEC].test_fraction == pytest.approx(0.2)


def test_rating_sample_can_be_forced_to_regression():
    at = open_page()
    at.selectbox(key=state.W_SAMPLE).set_value("reviews").run()
    at.button(key=state.W_USE_SAMPLE).click().run()
    assert at.session_state[state.DATASET].task == "multiclass"  # decided: ratings 1-5 as classes
    at.radio(key=state.W_TASK).set_value("regression").run()
    assert not at.exception and not at.error
    assert at.session_state[state.DATASET].task == "regression"
    assert at.session_state[state.DATASET].class_names == ()
    # QA19: the only words under the choice were "LSTM Studio would choose several classes".
    captions = [c.value for c in at.caption]
    assert any(c.startswith("The model will predict a number between 1 and 5, scored by how "
                            "far off it is. (LSTM Studio would choose **several classes**: ")
               for c in captions), captions
    at.radio(key=state.W_TASK).set_value("multiclass").run()
    assert "The model will pick one class for each text." in [c.value for c in at.caption]


def test_a_forced_task_goes_back_to_decide_when_the_label_column_changes():
    """QA23: ratings forced to a number stayed a number when the label became the yes/no
    "recommended" column, and a student trained a regression on it."""
    at = open_page()
    at.selectbox(key=state.W_SAMPLE).set_value("reviews").run()
    at.button(key=state.W_USE_SAMPLE).click().run()
    at.radio(key=state.W_TASK).set_value("regression").run()
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("recommended").run()
    assert not at.exception
    assert at.radio(key=state.W_TASK).value == "auto"
    assert at.session_state[state.DATASET].task == "binary"
    assert any("back to “Let LSTM Studio decide”" in t.value for t in at.toast)
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("rating").run()
    assert all("back to" not in t.value for t in at.toast)  # nothing was forced this time


def test_rating_sample_counts_its_numbered_classes_as_a_scale():
    at = open_page()
    at.selectbox(key=state.W_SAMPLE).set_value("reviews").run()
    at.button(key=state.W_USE_SAMPLE).click().run()
    assert at.checkbox(key=state.W_ORDERED).value is True  # guessed from the name "rating"
    assert at.session_state[state.DATA_SPEC].ordered is True
    at.checkbox(key=state.W_ORDERED).uncheck().run()
    assert at.session_state[state.DATA_SPEC].ordered is False


def test_numbered_topic_codes_are_not_taken_for_a_scale():
    """AG News without a header: the topic is a code 1-4 in column_1."""
    rows = "".join(f'{i % 4 + 1},"Headline {i}","story about topic {i % 4} number {i}"\n'
                   for i in range(80))
    at = upload(open_page(), "ag.csv", rows.encode())
    at.multiselect(key=state.W_TEXT_COLUMNS).set_value(["column_3"]).run()
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("column_1").run()
    assert not at.exception and not at.error
    assert at.session_state[state.DATASET].class_names == ("1", "2", "3", "4")
    box = at.checkbox(key=state.W_ORDERED)
    assert box.value is False and "scale" in box.label
    assert at.session_state[state.DATA_SPEC].ordered is False
    box.check().run()  # the user knows better: they are grades
    assert at.session_state[state.DATA_SPEC].ordered is True


def test_text_labels_are_not_asked_about_a_scale():
    at = upload(open_page(), "three.csv", csv_bytes(pd.concat([
        two_class_frame(), pd.DataFrame({"message": [f"so-so text {i}" for i in range(40)],
                                         "label": "meh"})])))
    assert at.session_state[state.DATASET].n_classes == 3
    assert not [box for box in at.checkbox if box.key == state.W_ORDERED]
    assert at.session_state[state.DATA_SPEC].ordered is None


def test_a_file_replaced_by_a_sample_says_so_and_comes_back_in_one_click():
    """Browser QA: after "Use sample data" the upload box still showed the file, as if in use."""
    at = upload(open_page(), "mood.csv", csv_bytes(two_class_frame()))
    assert not [b for b in at.button if b.key == state.W_USE_UPLOAD]  # the file is in use
    at.button(key=state.W_USE_SAMPLE).click().run()
    assert at.session_state[state.FRAME_SOURCE] != "mood.csv"
    assert any(c.value.startswith("Not in use: the page now uses") for c in at.caption)
    at.button(key=state.W_USE_UPLOAD).click().run()
    assert not at.exception and not at.error
    assert at.session_state[state.FRAME_SOURCE] == "mood.csv"
    assert at.session_state[state.DATASET].task == "binary"
    assert not [c for c in at.caption if c.value.startswith("Not in use")]


def test_uploaded_csv_is_read_and_its_columns_suggested():
    at = upload(open_page(), "mood.csv", csv_bytes(two_class_frame()))
    assert at.session_state[state.FRAME_SOURCE] == "mood.csv"
    assert at.multiselect(key=state.W_TEXT_COLUMNS).value == ["message"]
    assert at.selectbox(key=state.W_LABEL_COLUMN).value == "label"
    assert at.session_state[state.DATASET].task == "binary"
    assert any("two classes" in c.value for c in at.caption)
    assert shows_empty_cells_empty(at.dataframe[0])  # an empty cell shows empty, not "None"


def test_a_loaded_sample_or_file_is_confirmed_in_a_toast_once():
    """QA: at 1024×768, "The data is ready" is far below the sample button."""
    at = open_page()
    at.button(key=state.W_USE_SAMPLE).click().run()
    assert [shown_text(t.value) for t in at.toast] == [
        "“News briefs (4 topics)” is ready: next, **Model & Train**."]
    at.run()
    assert not at.toast  # once, for the click
    upload(at, "mood.csv", csv_bytes(two_class_frame(n=3)))  # too few rows for every part
    assert [shown_text(t.value) for t in at.toast] == ["“mood.csv” needs a change: see below."]
    texts = two_class_frame()[["message"]].assign(note=lambda f: [f"a note on day {i}"
                                                                  for i in range(len(f))])
    upload(at, "texts.csv", csv_bytes(texts))  # no column looks like a label: none is chosen
    assert [shown_text(t.value) for t in at.toast] == [
        "“texts.csv” is loaded: choose its columns below."]


def test_labels_that_differ_only_in_capitals_are_one_class_unless_unticked():
    """QA: "Positive", "positive " and "POSITIVE" were 3 of 9 classes; Evaluate then listed
    right answers as mistakes ("true NEGATIVE, predicted negative")."""
    frame = two_class_frame()
    spellings = {"good": ["good", "Good", "GOOD "], "bad": ["bad", "Bad", "bad"]}
    frame["label"] = [spellings[label][i % 3] for i, label in enumerate(frame["label"])]
    at = upload(open_page(), "mood.csv", csv_bytes(frame))
    assert any("differ only in capital letters: “GOOD”, “Good”, “good”; “Bad”, “bad”" in
               shown_text(c.value) for c in at.caption)
    assert at.checkbox(key=state.W_MERGE_CASE).value  # on at first
    dataset = at.session_state[state.DATASET]
    assert dataset.task == "binary" and set(dataset.class_names) == {"bad", "good"}
    assert at.session_state[state.DATA_SPEC].merge_label_case
    at.checkbox(key=state.W_MERGE_CASE).uncheck().run()  # capitals that matter: kept apart
    assert len(at.session_state[state.DATASET].class_names) == 5


def test_a_label_column_of_row_numbers_gets_a_warning():
    """QA: "id" (every row its own number) as the label was "ready" without a word."""
    frame = two_class_frame(n=70)
    frame.insert(0, "id", range(1000, 1000 + len(frame)))
    at = upload(open_page(), "mood.csv", csv_bytes(frame))
    assert not at.warning
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("id").run()
    assert [shown_text(w.value) for w in at.warning] == [
        "Every row has its own number in “id”, so it looks like a row number or id, not an "
        "answer to learn. Choose the column that holds the answers as the label."]


def test_the_label_column_is_read_once_per_file_and_column_not_on_every_page_run():
    """A million row ids as the label took 13 s per click, reading the column every run."""
    frame = two_class_frame(n=70)
    frame.insert(0, "id", range(1000, 1000 + len(frame)))
    at = upload(open_page(), "mood.csv", csv_bytes(frame))
    read_for_label = at.session_state[state.LABEL_FACTS][1]
    at.slider(key=state.W_TEST_PERCENT).set_value(30).run()  # any other click
    assert at.session_state[state.LABEL_FACTS][1] is read_for_label
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("id").run()
    assert at.session_state[state.LABEL_FACTS][1] is not read_for_label
    assert at.session_state[state.LABEL_FACTS][1].row_ids and at.warning


def test_texts_are_cleaned_once_for_several_labels_and_again_for_new_cleaning():
    """Choosing a label on a million rows cleaned every text again: about 1.5 s of 5."""
    frame = two_class_frame(n=70)
    frame["mood"] = frame["label"].map({"good": "up", "bad": "down"})
    frame["message"] = frame["message"].str.capitalize()
    at = upload(open_page(), "mood.csv", csv_bytes(frame))
    cleaned = at.session_state[state.CLEANED_TEXTS][1]
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("mood").run()
    at.slider(key=state.W_TEST_PERCENT).set_value(30).run()
    assert at.session_state[state.DATASET].class_names == ("down", "up")
    assert at.session_state[state.CLEANED_TEXTS][1] is cleaned
    at.checkbox(key=state.W_LOWERCASE).uncheck().run()
    assert at.session_state[state.CLEANED_TEXTS][1] is not cleaned
    assert "A lovely sunny" in " ".join(at.session_state[state.DATASET].train.texts)


def test_the_charts_are_drawn_once_per_prepared_data_and_follow_new_data():
    frame = two_class_frame(n=70).assign(mood=lambda f: f["label"].map({"good": "up",
                                                                         "bad": "down"}))
    at = upload(open_page(), "mood.csv", csv_bytes(frame))
    drawn = at.session_state[state.PREVIEW_CHARTS][1]
    at.selectbox(key=state.W_SAMPLE).set_value(at.selectbox(key=state.W_SAMPLE).options[-1]).run()
    assert at.session_state[state.PREVIEW_CHARTS][1] is drawn  # a click that changes no data
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("mood").run()
    assert '"customdata":["down","up"]' in at.get("plotly_chart")[0].proto.spec


def test_the_label_column_is_never_offered_or_kept_as_a_text_column():
    frame = two_class_frame().assign(title=lambda f: "title " + f["label"])
    at = upload(open_page(), "titled.csv", csv_bytes(frame))
    assert at.selectbox(key=state.W_LABEL_COLUMN).value == "label"
    assert "label" not in at.multiselect(key=state.W_TEXT_COLUMNS).options

    at.multiselect(key=state.W_TEXT_COLUMNS).set_value(["message", "title"]).run()
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("title").run()  # a text column becomes the label
    assert not at.exception and not at.error
    assert at.multiselect(key=state.W_TEXT_COLUMNS).value == ["message"]
    assert at.multiselect(key=state.W_TEXT_COLUMNS).options == ["message", "label"]
    assert "'title' is the label column now, so the model no longer reads it as text." in [
        shown_text(c.value) for c in at.caption]
    assert at.session_state[state.DATA_SPEC].text_columns == ("message",)


def test_a_text_column_made_the_label_returns_to_the_texts_when_the_label_moves_on():
    frame = two_class_frame().assign(title=lambda f: "title " + f["label"])
    at = upload(open_page(), "titled.csv", csv_bytes(frame))
    at.multiselect(key=state.W_TEXT_COLUMNS).set_value(["title", "message"]).run()
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("title").run()
    assert at.multiselect(key=state.W_TEXT_COLUMNS).value == ["message"]

    at.selectbox(key=state.W_LABEL_COLUMN).set_value("label").run()  # a slip, undone
    assert not at.exception and not at.error
    assert at.multiselect(key=state.W_TEXT_COLUMNS).value == ["title", "message"]  # order kept
    assert "'title' is no longer the label, so the model reads it as text again." in [
        shown_text(c.value) for c in at.caption]
    assert at.session_state[state.DATA_SPEC].text_columns == ("title", "message")


def test_a_text_choice_made_after_the_label_took_a_column_is_kept():
    frame = two_class_frame().assign(title=lambda f: "title " + f["label"],
                                     body=lambda f: f["message"] + " more")
    at = upload(open_page(), "titled.csv", csv_bytes(frame))
    at.multiselect(key=state.W_TEXT_COLUMNS).set_value(["title", "message"]).run()
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("title").run()
    at.multiselect(key=state.W_TEXT_COLUMNS).set_value(["body"]).run()  # the user's own choice
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("label").run()
    assert at.multiselect(key=state.W_TEXT_COLUMNS).value == ["body"]


def test_too_few_rows_after_dropping_duplicates_says_so_and_how_to_keep_them():
    frame = pd.DataFrame({"body": ["the same words again"] * 40, "label": ["yes", "no"] * 20})
    at = upload(open_page(), "repeats.csv", csv_bytes(frame))
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("label").run()
    errors = " ".join(shown_text(e.value) for e in at.error)
    assert "Only 2 usable rows are left" in errors
    assert '38 rows repeated another row: keep them by unticking "Drop duplicate rows"' in errors


def test_empty_csv_shows_a_plain_error_and_keeps_the_loaded_data():
    at = open_page()
    at.button(key=state.W_USE_SAMPLE).click().run()
    news = at.session_state[state.DATASET]
    upload(at, "empty.csv", b"")
    assert [shown_text(e.value) for e in at.error] == [
        "empty.csv is empty. Choose a CSV file with a header row and at least a few rows of data."]
    assert at.session_state[state.DATASET] is news
    assert at.session_state[state.FRAME_SOURCE] == "News briefs (4 topics)"


def test_one_class_csv_shows_a_plain_error():
    frame = pd.DataFrame({"review": [f"text number {i} about things" for i in range(30)],
                          "label": ["yes"] * 30})
    at = upload(open_page(), "one_class.csv", csv_bytes(frame))
    assert at.selectbox(key=state.W_LABEL_COLUMN).value is None  # no column looks like labels
    assert any("label column" in i.value for i in at.info)
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("label").run()
    assert not at.exception
    errors = " ".join(shown_text(e.value) for e in at.error)
    assert "only one class ('yes')" in errors and "at least two different labels" in errors
    assert at.session_state[state.DATASET] is None


def open_what_the_model_sees(at: AppTest) -> AppTest:
    at.session_state[state.W_MODEL_SEES_BOX] = True  # as a click on the folded box
    at.run()
    assert not at.exception
    return at


def test_what_the_model_sees_is_worked_out_only_once_opened():
    """A 1M-row upload: its vocabulary took 4 s on every click, the box folded or not."""
    at = upload(open_page(), "mood.csv", csv_bytes(two_class_frame()))
    assert state.PREVIEW_VOCAB not in at.session_state
    assert not [m for m in at.markdown if "lsv-tok" in m.value]
    open_what_the_model_sees(at)
    assert state.PREVIEW_VOCAB in at.session_state
    assert [m for m in at.markdown if "lsv-tok" in m.value]


def test_what_the_model_sees_shows_user_html_as_text():
    frame = two_class_frame(body="<script>alert(1)</script> <b>bold</b>")
    at = open_what_the_model_sees(upload(open_page(), "html.csv", csv_bytes(frame)))
    at.checkbox(key=state.W_STRIP_HTML).uncheck().run()
    assert not at.exception and not at.error
    shown = [m.value for m in at.markdown if "alert" in m.value]
    assert shown, "the preview shows the validation texts"
    for block in shown:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in block
        assert "<script" not in block and "<b>" not in block
    assert any("lsv-tok" in block for block in shown)  # the tokens are drawn as boxes


def test_what_the_model_sees_explains_the_words_punctuation_glues():
    """Browser QA: "dont" and "email" in the token boxes puzzled students."""
    at = open_what_the_model_sees(
        upload(open_page(), "mail.csv", csv_bytes(two_class_frame(body="Don't e-mail"))))
    assert any("“don't” becomes “dont”" in m.value for m in at.markdown)
    boxes = [m.value for m in at.markdown if "lsv-tok" in m.value and "number" in m.value]
    assert boxes and all(">dont</span>" in b and ">email</span>" in b for b in boxes)


def short_texts_without_header(n: int = 20) -> bytes:
    """Short texts and labels, no header; the first row's label is unique, so the reader
    takes that row for column names."""
    rows = ["great product,mixed"] + [f"{('love it', 'broke fast')[i % 2]} {i},{'pn'[i % 2]}"
                                      for i in range(n)]
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_unticking_the_header_box_reads_the_first_row_as_data():
    at = upload(open_page(), "short.csv", short_texts_without_header())
    assert at.checkbox(key=state.W_HAS_HEADER).value is True  # the reader's (wrong) guess
    assert list(at.session_state[state.FRAME].columns) == ["great product", "mixed"]
    assert any("Untick it if your first row is a text" in c.value for c in at.caption)
    rows = len(at.session_state[state.FRAME])
    at.checkbox(key=state.W_HAS_HEADER).uncheck().run()
    assert not at.exception
    frame = at.session_state[state.FRAME]
    assert len(frame) == rows + 1 and frame.loc[0].tolist() == ["great product", "mixed"]
    assert at.selectbox(key=state.W_LABEL_COLUMN).value == "column_2"  # the categories
    assert at.multiselect(key=state.W_TEXT_COLUMNS).options == ["column_1"]  # all but the label
    assert "column_1" in at.selectbox(key=state.W_LABEL_COLUMN).options
    assert any(f"{rows + 1:,} rows, 2 columns" in c.value for c in at.caption)
    at.checkbox(key=state.W_HAS_HEADER).check().run()  # and back to the guess
    assert len(at.session_state[state.FRAME]) == rows
    upload(at, "mood.csv", csv_bytes(two_class_frame()))  # a new file gets a fresh guess
    assert at.checkbox(key=state.W_HAS_HEADER).value is True
    assert list(at.session_state[state.FRAME].columns) == ["message", "label"]


def test_after_leaving_the_page_it_still_says_how_the_first_row_was_read():
    """Streamlit empties the uploader on a page switch, and the header box goes with it."""
    at = upload(open_page(), "short.csv", short_texts_without_header())
    at.checkbox(key=state.W_HAS_HEADER).uncheck().run()
    assert not any("Its first row was read" in c.value for c in at.caption)  # the box says it
    kept = {key: at.session_state[key] for key in (state.FRAME, state.FRAME_KEY, state.FRAME_SOURCE)}
    back = AppTest.from_file(PAGE, default_timeout=30)  # the same data, the uploader empty
    for key, value in kept.items():
        back.session_state[key] = value
    back.run()
    assert not back.exception
    assert not [c for c in back.checkbox if c.key == state.W_HAS_HEADER]
    assert any(c.value.startswith("Its first row was read as data") and "upload the file again"
               in c.value for c in back.caption)


def test_forcing_a_header_that_leaves_no_data_shows_a_plain_error_and_keeps_the_row():
    at = upload(open_page(), "one.csv", b"great product,pos\n")
    assert "one.csv has a header row but no data rows." in shown_text(at.error[0].value)
    # The box under the error says what it is for (QA20: it read as about another file).
    assert shown_text(at.error[0].value).endswith(
        "If that one row is a text, not column names, untick “The first row holds column "
        "names” below.")
    at.checkbox(key=state.W_HAS_HEADER).uncheck().run()  # the only row is data
    assert not at.exception
    frame = at.session_state[state.FRAME]
    assert frame.loc[0].tolist() == ["great product", "pos"]
    at.checkbox(key=state.W_HAS_HEADER).check().run()
    assert not at.exception
    errors = [shown_text(e.value) for e in at.error]
    assert errors[0].startswith("one.csv has a header row but no data rows.")
    assert at.session_state[state.FRAME] is frame  # nothing lost
    assert any("Nothing changed" in shown_text(w.value) for w in at.warning)
    assert at.checkbox(key=state.W_HAS_HEADER).value is True  # shown, so it can be undone


def cleaning_box_title(at: AppTest) -> str:
    return next(e.label for e in at.expander if e.label.startswith("Cleaning and split"))


def test_changed_cleaning_shows_on_the_folded_box_and_goes_back_to_the_defaults():
    """Browser QA: "first 5 words" and a 55/20/25 split silently carried over to the next
    file, with the box folded."""
    at = open_page()
    at.button(key=state.W_USE_SAMPLE).click().run()
    assert cleaning_box_title(at) == "Cleaning and split (optional)"
    at.number_input(key=state.W_MAX_WORDS).set_value(5)
    at.checkbox(key=state.W_STOPWORDS).check()
    at.slider(key=state.W_VALID_PERCENT).set_value(20)
    at.slider(key=state.W_TEST_PERCENT).set_value(25).run()
    changed = "Cleaning and split: first 5 words only, common words removed, split 55/20/25"
    assert cleaning_box_title(at) == changed

    words = {"good": "lovely sunny day", "bad": "grim rainy night"}
    labels = ["good" if i % 2 else "bad" for i in range(80)]
    other = pd.DataFrame({"message": [f"item {i} {words[label]}" for i, label in enumerate(labels)],
                          "label": labels})
    upload(at, "other.csv", csv_bytes(other))  # the settings stay, in sight
    assert cleaning_box_title(at) == changed
    assert at.session_state[state.DATA_SPEC].clean.max_words == 5

    at.button(key=state.W_CLEANING_DEFAULTS).click().run()
    assert cleaning_box_title(at) == "Cleaning and split (optional)"
    assert at.number_input(key=state.W_MAX_WORDS).value == 0
    assert at.session_state[state.DATA_SPEC].clean.max_words is None
    assert state.W_CLEANING_DEFAULTS not in {b.key for b in at.button}


def test_why_rows_were_dropped_is_said_under_the_numbers():
    """Browser QA: keeping the first 5 words made 19 texts the same, and only a tooltip said
    why 19 rows were dropped."""
    at = open_page()
    at.button(key=state.W_USE_SAMPLE).click().run()
    assert not [c for c in at.caption if c.value.startswith("Rows dropped")]
    at.number_input(key=state.W_MAX_WORDS).set_value(2).run()
    dropped = at.session_state[state.DATASET].summary.dropped_duplicates
    assert dropped > 0
    assert f"Rows dropped: {dropped:,} with the same text as another row after cleaning." in \
        [c.value for c in at.caption]


def test_what_the_model_sees_follows_the_vocabulary_and_tokens_set_on_model_and_train():
    """Browser QA: at vocabulary 100 and 10 tokens read, this view still showed the default
    vocabulary of thousands of words and every token."""
    at = open_page()
    at.button(key=state.W_USE_SAMPLE).click().run()
    open_what_the_model_sees(at)
    default_view = "\n".join(texts_on_page(at))
    assert "it keeps the first 10)" not in default_view
    at.session_state[state.W_VOCAB] = 100  # as the Model & Train page leaves them
    at.session_state[state.W_MAX_TOKENS] = 10
    at.run()
    assert not at.exception
    shown = "\n".join(texts_on_page(at))
    assert "The model knows the 98 most frequent words of the training texts" in shown
    assert "more tokens the model does not read (it keeps the first 10)" in shown


def test_a_split_that_leaves_few_texts_to_learn_from_says_so():
    """Browser QA: 15 rows at 40% validation and 40% test left 3 training texts, and the page
    only said "The data is ready"."""
    enough = upload(open_page(), "enough.csv", csv_bytes(two_class_frame(n=80)))
    assert len(enough.session_state[state.DATASET].train.texts) >= 100
    assert not [w for w in enough.warning if "would learn from only" in w.value]
    few = upload(open_page(), "few.csv", csv_bytes(two_class_frame(n=20)))
    training = len(few.session_state[state.DATASET].train.texts)
    assert [w.value for w in few.warning if "would learn from only" in w.value] == [
        f"The model would learn from only {training} training texts: too few to learn much "
        "from, so expect answers not much better than guessing. Add rows, or make the "
        "validation and test shares smaller."]
