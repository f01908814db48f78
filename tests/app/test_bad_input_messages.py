"""Bad inputs as the Data page receives them: a plain st.error, no exception, nothing lost.

Files are handed to the real file_uploader widget (as tests/app/test_data_page.py
does) and the page runs the real core functions.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from core import data
from tests.bad_files import PNG, zipped
from tests.app.conftest import shown_text
from ui import state

PAGE = "../../pages/data.py"  # AppTest resolves it against this file


def rows(n: int, text=lambda i: f"a message number {i} about things", label=lambda i: "ab"[i % 2],
         header="message,label") -> bytes:
    lines = [header] + [f"{text(i)},{label(i)}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def open_with_sample() -> AppTest:
    """The page after the news sample was loaded and prepared: the data a mistake must not lose."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    at.button(key=state.W_USE_SAMPLE).click().run()
    assert not at.exception and not at.error
    assert at.session_state[state.DATASET].n_classes == 4
    return at


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key=state.W_UPLOAD).set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def only_error(at: AppTest) -> str:
    """The one error's text as the user reads it (markdown escapes removed)."""
    assert len(at.error) == 1, [e.value for e in at.error]
    return shown_text(at.error[0].value)


# ---------------------------------------------------------------- files that cannot be read

UNREADABLE = [
    ("empty.csv", b"", "empty.csv is empty. Choose a CSV file with a header row"),
    ("header.csv", b"message,label\n", "header.csv has a header row but no data rows."),
    ("photo.csv", PNG, "This does not look like a CSV text file (it contains binary data)."),
    ("archive.csv", zipped("reviews.csv"), "This is a compressed zip archive, not a CSV file."),
    ("book.csv", zipped("[Content_Types].xml", "xl/workbook.xml"), "This looks like an Excel workbook"),
    ("single.csv", b"message\nhello\nworld\nagain\n", "single.csv has only one column."),
    ("quote.csv", b'message,label\nfine,a\n"never closed,b\nmore,a\n',
     'A quotation mark (") near line 3 opens a text that is never closed'),
]


@pytest.mark.parametrize("name, content, phrase", UNREADABLE, ids=[u[0] for u in UNREADABLE])
def test_an_unreadable_file_shows_a_plain_error_and_keeps_the_prepared_data(name, content, phrase):
    at = open_with_sample()
    before, frame = at.session_state[state.DATASET], at.session_state[state.FRAME]
    upload(at, name, content)
    assert phrase in only_error(at)
    assert at.session_state[state.DATASET] is before  # nothing lost
    assert at.session_state[state.FRAME] is frame
    assert at.session_state[state.FRAME_SOURCE] == "News briefs (4 topics)"
    assert [m.label for m in at.metric][:1] == ["Texts used"]  # still shown as prepared
    kept = "Nothing changed: the page below still uses **News briefs (4 topics)**, loaded before."
    assert [shown_text(w.value) for w in at.warning] == [kept]  # the page says which data it still shows
    at.run()  # the same upload is not read again, and its message stays
    assert not at.exception and phrase in only_error(at)
    assert [shown_text(w.value) for w in at.warning] == [kept]
    assert at.session_state[state.DATASET] is before


# ---------------------------------------------------------------- files that read but cannot be learned

def test_numbers_as_the_text_column_are_refused_then_the_right_column_works():
    at = upload(open_with_sample(), "ids.csv", rows(40, text=lambda i: f"{1000 + i},words {i} here",
                                                    header="id,message,label"))
    at.multiselect(key=state.W_TEXT_COLUMNS).set_value(["id"]).run()
    assert not at.exception
    assert only_error(at).startswith("The text column 'id' contains only numbers, not text.")
    assert at.session_state[state.DATASET] is None
    at.multiselect(key=state.W_TEXT_COLUMNS).set_value(["message"]).run()
    assert not at.exception and not at.error
    assert at.session_state[state.DATASET].summary.rows_used == 40  # the file itself was kept


def test_a_class_with_one_row_names_the_class():
    content = rows(41, label=lambda i: "rare" if i == 40 else "ab"[i % 2])
    at = upload(open_with_sample(), "rare.csv", content)
    assert only_error(at).startswith("The class 'rare' has only 1 row; at these shares each class needs at least")
    assert at.session_state[state.FRAME_SOURCE] == "rare.csv" and len(at.session_state[state.FRAME]) == 41


def test_thousands_of_labels_are_counted_with_a_separator():
    at = upload(open_with_sample(), "ids.csv", rows(5000, label=lambda i: f"ticket-{i}"))
    assert at.selectbox(key=state.W_LABEL_COLUMN).value is None  # not suggested as a label
    at.selectbox(key=state.W_LABEL_COLUMN).set_value("label").run()
    assert not at.exception
    message = only_error(at)
    assert "has 5,000 different values" in message and "Regression is not possible" in message


def test_texts_that_clean_to_nothing_say_so():
    at = upload(open_with_sample(), "tags.csv", rows(40, text=lambda i: f"<p><br/></p><!-- {i} -->"))
    at.multiselect(key=state.W_TEXT_COLUMNS).set_value(["message"]).run()
    assert not at.exception
    assert only_error(at).startswith(data.NO_WORDS_LEFT)
    at.checkbox(key=state.W_STRIP_HTML).uncheck().run()  # the advice in the message works
    assert not at.exception and not at.error and at.session_state[state.DATASET] is not None


def test_a_forced_task_that_does_not_fit_is_explained_and_undone():
    at = open_with_sample()
    news = at.session_state[state.DATASET]
    at.radio(key=state.W_TASK).set_value("regression").run()
    assert not at.exception
    assert only_error(at).startswith("Predicting a number needs numbers in the column 'topic'")
    assert "Choose “Several classes”" in only_error(at)  # the option's name on the page
    at.radio(key=state.W_TASK).set_value("binary").run()
    assert "exactly two labels" in only_error(at) and "has 4:" in only_error(at)
    assert only_error(at).startswith("“Two classes” needs") and "“Several classes”" in only_error(at)
    at.radio(key=state.W_TASK).set_value("multiclass").run()
    assert not at.error
    again = at.session_state[state.DATASET]
    assert again.class_names == news.class_names and again.train.texts == news.train.texts


# ---------------------------------------------------------------- hostile text

HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def test_html_in_the_file_is_shown_as_text_never_rendered():
    content = rows(40, text=lambda i: f"{HOSTILE} review {i}",
                   label=lambda i: ("<b>good</b>", "<i>bad</i>")[i % 2])
    fresh = AppTest.from_file(PAGE, default_timeout=60)
    fresh.run()
    at = upload(fresh, "<b>hostile</b>.csv", content)
    at.session_state[state.W_MODEL_SEES_BOX] = True  # "See what the model sees" opened
    at.checkbox(key=state.W_STRIP_HTML).uncheck().run()  # keep the tags in the cleaned texts
    assert not at.exception and not at.error
    assert at.session_state[state.DATASET].class_names == ("<b>good</b>", "<i>bad</i>")
    html_blocks = [m.value for m in at.markdown if m.proto.allow_html]
    assert any("&lt;script&gt;alert(2)&lt;/script&gt;" in block for block in html_blocks)
    for block in html_blocks:
        for raw in ("<img", "<script", "<b>", "<i>"):
            assert raw not in block, block
    assert any("hostile" in c.value for c in at.caption)  # the file name, shown escaped
    for caption in at.caption:  # file name and class names, markdown-escaped
        assert not caption.proto.allow_html and "<b>" not in caption.value, caption.value


def test_html_in_a_class_name_inside_an_error_is_never_rendered_as_html():
    content = rows(41, label=lambda i: "<img src=x onerror=alert(1)>" if i == 40 else "ab"[i % 2])
    at = upload(open_with_sample(), "rare.csv", content)
    assert "onerror" in only_error(at)
    assert at.error[0].proto.format == at.error[0].proto.ERROR  # alerts have no HTML switch
    assert not [m for m in at.markdown if m.proto.allow_html and "onerror" in m.value]


def test_markdown_in_a_class_name_inside_an_error_is_shown_literally():
    content = rows(41, label=lambda i: "[win](https://example.com)" if i == 40 else "ab"[i % 2])
    at = upload(open_with_sample(), "rare.csv", content)
    assert "[win](https://example.com)" in only_error(at)  # what the reader sees
    source = at.error[0].value  # what Streamlit's markdown renderer receives
    assert not re.search(r"(?<!\\)[\[\]():]", source), source  # no live link syntax left


def test_a_column_without_a_name_in_the_header_is_pointed_out():
    """Browser QA: an empty header cell silently became "column_2"."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    nameless = "text,,label\n" + "".join(f"river film storm {i} apple,engine goal {i},"
                                         f"{'y' if i % 2 else 'n'}\n" for i in range(40))
    upload(at, "nameless.csv", nameless.encode())
    assert [shown_text(i.value) for i in at.info if "no name" in i.value] == [
        "A column has no name in the file's header, so it is called “column_2” here, after "
        "its place. Check the preview below."]
    assert list(at.session_state[state.FRAME].columns) == ["text", "column_2", "label"]


def test_columns_beyond_the_header_and_left_out_lines_are_pointed_out():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    semicolons = "text;label\n" + "".join(f"item {i} is {'good' if i % 2 else 'bad'}; really #{i};"
                                          f"{'pos' if i % 2 else 'neg'}\n" for i in range(40))
    upload(at, "semi.csv", semicolons.encode())
    notes = [shown_text(w.value) for w in at.warning]
    assert any("“column_3” got a made-up name" in n and "separator “;”" in n for n in notes)
    clean = at.session_state[state.FRAME]
    assert list(clean.columns) == ["text", "label", "column_3"]  # read, and the data kept

    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    upload(at, "ragged.csv", rows(40) + b"extra,a,b,c\nmore,b,c,d\n")
    assert "2 lines had more fields than the others and were left out (lines 42 and 43)." in \
        [shown_text(w.value) for w in at.warning]
    assert len(at.session_state[state.FRAME]) == 40


def test_a_quote_closed_only_on_a_later_line_is_named():
    """Browser QA: 59 rows were read from a file of 60, two rows made one text, no word said."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    lines = rows(40).decode().splitlines()
    lines[8] = '"this quote never closes,b'
    lines[9] = '"' + lines[9].replace(",", '",', 1)  # the next row quoted as usual
    upload(at, "quotes.csv", ("\n".join(lines) + "\n").encode())
    notes = [shown_text(w.value) for w in at.warning]
    assert any(n.startswith('A quotation mark (") opened on line 9 is not closed on that line')
               for n in notes), notes
    assert len(at.session_state[state.FRAME]) == 39  # read as the file says, and said so


def test_a_text_far_longer_than_the_rest_is_counted_under_the_length_chart():
    """Browser QA: one 100,000-character text squeezed the other bars into one; said in the
    axis title, the count was cut off in the half-width chart."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    long_row = ("\n" + "word " * 20_000 + ",a\n").encode()
    upload(at, "long.csv", rows(60, text=lambda i: f"message {i} " + "x " * (i % 20)) + long_row[1:])
    notes = [shown_text(c.value) for c in at.caption]
    assert "1 text is longer than 21 words (the longest has 20,000); the chart counts it in its " \
        "last bar." in notes, notes
