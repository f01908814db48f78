"""core.data: reading real CSV variants, checking columns and labels, splitting, storing."""

import io
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import data, labels, text
from core.config import (TASK_BINARY, TASK_MULTICLASS, TASK_REGRESSION, CleanSpec,
                         DataSpec)
from core.errors import DataError, NoDataRowsError

AG_NEWS_TEST = Path("/work/shared/data/ag_news/test.csv")
ROWS = "".join(f'"Review number {i} says it was {"good" if i % 2 else "bad"}",{"pos" if i % 2 else "neg"}\n'
               for i in range(6))


def write(tmp_path, content, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# ---------------------------------------------------------------- read_csv variants

def test_reads_utf8_with_bom(tmp_path):
    df = data.read_csv(write(tmp_path, b"\xef\xbb\xbftext,label\n" + ROWS.encode()))
    assert list(df.columns) == ["text", "label"]
    assert len(df) == 6 and df.attrs["has_header"]


def test_reads_latin1_accents(tmp_path):
    content = "text;label\ncafé crème très bon;pos\nà éviter, mauvais;neg\nçà et là;pos\n"
    df = data.read_csv(write(tmp_path, content.encode("latin-1")))
    assert df["text"].tolist()[0] == "café crème très bon"
    assert df.attrs["delimiter"] == ";"


def test_reads_cp1252_quotes_and_euro(tmp_path):
    content = "text,label\n\u201cworth every \u20ac\u201d,pos\nmeh,neg\nok,pos\n"
    df = data.read_csv(write(tmp_path, content.encode("cp1252")))
    assert df.loc[0, "text"] == "\u201cworth every \u20ac\u201d"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_reads_utf16_with_or_without_bom(tmp_path, encoding):
    content = "text\tlabel\nnaïve but fun 🎉\tpos\nboring\tneg\nfine\tpos\n"
    df = data.read_csv(write(tmp_path, content.encode(encoding)))
    assert list(df.columns) == ["text", "label"]
    assert df.loc[0, "text"] == "naïve but fun 🎉"


def test_reads_semicolons_with_commas_inside_text(tmp_path):
    content = "text;label\nslow, loud, broken;neg\nquick, quiet;pos\nfine, I guess;pos\n"
    df = data.read_csv(write(tmp_path, content))
    assert df.shape == (3, 2) and df.loc[0, "text"] == "slow, loud, broken"


def test_reads_tabs_with_commas_inside_text(tmp_path):
    content = "text\tlabel\nslow, loud, broken\tneg\nquick, quiet\tpos\nfine, I guess\tpos\n"
    df = data.read_csv(write(tmp_path, content))
    assert df.attrs["delimiter"] == "\t" and df.loc[1, "label"] == "pos"


def test_detects_missing_header_ag_news_style(tmp_path):
    content = ('"3","Fears for T N pension after talks","Unions representing workers at Turner say"\n'
               '"4","The Race is On: Second Private Team Sets Launch Date","SPACE.com - TORONTO"\n'
               '"4","Ky. Company Wins Grant to Study Peptides (AP)","AP - A company founded by"\n'
               '"2","Olympics go on as planned despite the weather","ATHENS - the games"\n')
    df = data.read_csv(write(tmp_path, content))
    assert list(df.columns) == ["column_1", "column_2", "column_3"]
    assert len(df) == 4 and df.loc[0, "column_1"] == "3"
    assert not df.attrs["has_header"]


def test_detects_missing_header_from_repeated_categories(tmp_path):
    content = "loved it,pos\nhated it,neg\nnot bad,pos\nawful,neg\n"
    df = data.read_csv(write(tmp_path, content))
    assert len(df) == 4 and list(df.columns) == ["column_1", "column_2"]


def test_keeps_a_header_of_names_above_numbers(tmp_path):
    content = "review,rating\ngreat,5\nbad,1\nok,3\n"
    df = data.read_csv(write(tmp_path, content))
    assert list(df.columns) == ["review", "rating"] and len(df) == 3


def test_reads_quoted_newlines_and_crlf(tmp_path):
    content = 'text,label\r\n"line one\r\nline two, with comma",pos\r\n"say ""hi""",neg\r\nplain,pos\r\n'
    df = data.read_csv(write(tmp_path, content))
    assert len(df) == 3
    assert df.loc[0, "text"] == "line one\r\nline two, with comma"
    assert df.loc[1, "text"] == 'say "hi"' and df.loc[2, "label"] == "pos"


def test_skips_ragged_rows_and_counts_them(tmp_path):
    content = "text,label\ngood,pos\ntoo,many,fields\nbad,neg\nshort\nfine,pos\n"
    df = data.read_csv(write(tmp_path, content))
    assert df["text"].tolist() == ["good", "bad", "short", "fine"]
    assert pd.isna(df.loc[2, "label"])
    assert df.attrs["skipped_rows"] == 1


def test_makes_duplicate_column_names_unique(tmp_path):
    content = "text,text,label,\na,b,pos,1\nc,d,neg,2\ne,f,pos,3\n"
    df = data.read_csv(write(tmp_path, content))
    assert list(df.columns) == ["text", "text (2)", "label", "column_4"]


def test_blank_cells_are_missing(tmp_path):
    df = data.read_csv(write(tmp_path, "text,label\nhello,\n,neg\nfine,pos\n"))
    assert df["label"].isna().tolist() == [True, False, False]
    assert df["text"].isna().tolist() == [False, True, False]


def test_reads_bytes_and_uploaded_file_objects():
    class Upload(io.BytesIO):  # the parts of Streamlit's UploadedFile that are used
        size = 40

    content = ("text,label\n" + ROWS).encode()
    assert len(data.read_csv(content)) == 6
    assert len(data.read_csv(Upload(content))) == 6


SHORT_TEXTS = b"great product\nbroke fast\nlove it\nworks fine\nmeh\n"  # no header row
SHORT_TEXTS_AND_LABELS = b"great product,mixed\nbroke fast,neg\nlove it,pos\nworks fine,pos\n"


def test_header_forced_off_keeps_the_first_short_text_as_a_row():
    guessed = data.read_csv(SHORT_TEXTS, for_prediction=True)
    assert guessed.attrs["has_header"]  # the guess is wrong: short texts look like names
    forced = data.read_csv(SHORT_TEXTS, for_prediction=True, header=False)
    assert list(forced.columns) == ["column_1"] and not forced.attrs["has_header"]
    assert forced["column_1"].tolist() == ["great product", "broke fast", "love it",
                                           "works fine", "meh"]


def test_header_forced_off_or_on_overrides_the_guess_for_the_same_bytes():
    guessed = data.read_csv(SHORT_TEXTS_AND_LABELS)
    assert list(guessed.columns) == ["great product", "mixed"]  # the guess is wrong
    off = data.read_csv(SHORT_TEXTS_AND_LABELS, header=False)
    assert list(off.columns) == ["column_1", "column_2"] and len(off) == len(guessed) + 1
    assert off.loc[0].tolist() == ["great product", "mixed"]
    content = "loved it,pos\nhated it,neg\nnot bad,pos\nawful,neg\n"  # guessed: no header
    assert not data.read_csv(content.encode()).attrs["has_header"]
    on = data.read_csv(content.encode(), header=True)
    assert list(on.columns) == ["loved it", "pos"] and len(on) == 3 and on.attrs["has_header"]


def test_forcing_a_header_on_a_single_row_leaves_no_data_in_plain_words():
    row = b"great product,pos\n"
    assert data.read_csv(row, header=False).loc[0].tolist() == ["great product", "pos"]
    with pytest.raises(NoDataRowsError, match=r"^The file has a header row but no data rows\."):
        data.read_csv(row, header=True)


# ---------------------------------------------------------------- read_csv errors

@pytest.mark.parametrize(
    "content, message",
    [
        (b"", r"^The file is empty\. Choose a CSV file with a header row"),
        (b"  \n\n", r"^The file is empty\."),
        (b"text,label\n", r"^The file has a header row but no data rows\."),
        (b"text\nhello\nworld\nagain\n", "one with the text and one with the label"),
        (b'text,label\nfine,pos\n"never closed,pos\nbad,neg\n', r"quotation mark .* near line 3"),
    ],
)
def test_unusable_files_are_refused_in_plain_words(tmp_path, content, message):
    with pytest.raises(DataError, match=message):
        data.read_csv(write(tmp_path, content))


def test_binary_file_is_refused(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4
    with pytest.raises(DataError, match=r"\(it contains binary data\)\. Save your spreadsheet"):
        data.read_csv(write(tmp_path, png, "photo.csv"))


def test_excel_workbook_is_refused_with_advice(tmp_path):
    with pytest.raises(DataError, match="Excel workbook"):
        data.read_csv(write(tmp_path, b"PK\x03\x04" + b"\x00" * 100, "book.csv"))


def test_oversized_file_is_refused_with_readable_sizes(tmp_path):
    path = write(tmp_path, b"text,label\n" + b"x,y\n" * 100)
    with pytest.raises(DataError, match=r"^The file is 411 bytes; the limit is 100 bytes\."):
        data.read_csv(path, max_bytes=100)
    with pytest.raises(DataError, match=r"^The file is 3 MB; the limit is 2 MB\. Use a smaller"):
        data.read_csv(b"x" * (3 * 1024 * 1024), max_bytes=2 * 1024 * 1024)


def test_missing_path_is_refused(tmp_path):
    with pytest.raises(DataError, match="Cannot find the file 'nope.csv'"):
        data.read_csv(tmp_path / "nope.csv")


@pytest.mark.skipif(not AG_NEWS_TEST.exists(), reason="AG News copy not available")
def test_reads_the_real_ag_news_test_file():
    df = data.read_csv(AG_NEWS_TEST)
    assert df.shape == (7600, 3)
    assert not df.attrs["has_header"]
    assert sorted(df["column_1"].unique()) == ["1", "2", "3", "4"]


# ---------------------------------------------------------------- columns

def test_suggests_title_and_body_and_a_named_label():
    df = pd.DataFrame({
        "id": [str(i) for i in range(40)],
        "title": [f"Headline number {i} about things" for i in range(40)],
        "body": [f"A much longer story body number {i} with many more words in it." for i in range(40)],
        "source": ["a", "b"] * 20,
        "topic": ["World", "Sports", "Business", "Tech"] * 10,
    })
    suggestion = data.suggest_columns(df)
    assert suggestion == data.ColumnSuggestion(("title", "body"), "topic")


def test_suggests_single_text_column_and_few_valued_label():
    df = pd.DataFrame({"stars": ["1", "2", "3"] * 10,
                       "comment": [f"comment {i} is rather long and wordy" for i in range(30)]})
    assert data.suggest_columns(df) == data.ColumnSuggestion(("comment",), "stars")


def test_suggests_a_column_of_many_numbers_when_there_are_no_categories():
    texts = [f"review {i} is rather long and wordy" for i in range(80)]
    scores = [f"{1 + i * 0.05:.2f}" for i in range(80)]  # 80 distinct decimals
    ids = [str(i) for i in range(80)]
    df = pd.DataFrame({"row": ids, "text": texts, "score": scores})
    assert data.suggest_columns(df) == data.ColumnSuggestion(("text",), "score")
    # An id column (whole numbers, each once) is nothing to predict.
    assert data.suggest_columns(df[["row", "text"]]).label_column is None


def test_a_column_named_label_is_the_label_even_when_the_text_column_holds_numbers():
    # Browser QA: "label" was the wordiest column left, so it was offered as the text.
    df = pd.DataFrame({"text": [str(40_000 + i) for i in range(40)],
                       "label": ["positive", "negative"] * 20})
    assert data.suggest_columns(df) == data.ColumnSuggestion((), "label")


def test_join_text_columns_skips_empty_parts_and_doubled_periods():
    df = pd.DataFrame({"title": ["Great kettle.", None, "Loud", "Wow!"],
                       "body": ["Boils fast", "Only body", None, "Nice"]})
    joined = data.join_text_columns(df, ["title", "body"]).tolist()
    assert joined == ["Great kettle. Boils fast", "Only body", "Loud", "Wow! Nice"]


def test_join_text_columns_names_a_missing_column():
    df = pd.DataFrame({"a": ["x"], "b": ["y"], "c": ["z"]})
    with pytest.raises(DataError, match=r"^The column 'x' is not in this file\. Available columns: a, b, c\.$"):
        data.join_text_columns(df, ["x"])


def test_join_text_columns_refuses_only_numbers():
    df = pd.DataFrame({"id": ["1", "2", "3"], "text": ["a", "b", "c"]})
    with pytest.raises(DataError, match="only numbers, not text"):
        data.join_text_columns(df, ["id"])
    assert data.join_text_columns(df, ["id", "text"]).tolist()[0] == "1. a"


# ---------------------------------------------------------------- task inference

@pytest.mark.parametrize(
    "values, task",
    [
        (["1", "2", "3", "4", "5"] * 3, TASK_MULTICLASS),
        (["yes", "no", "yes"], TASK_BINARY),
        (["0.5", "3.25", "4.0", "1.75"], TASK_REGRESSION),
        ([str(i) for i in range(80)], TASK_REGRESSION),
        (["sport", "world", "tech", None, " sport "], TASK_MULTICLASS),
    ],
)
def test_infer_task(values, task):
    assert data.infer_task(pd.Series(values, name="label")) == task


def test_infer_task_refuses_a_single_class():
    with pytest.raises(DataError, match=r"only one class \('pos'\).*at least two"):
        data.infer_task(pd.Series(["pos", "pos", None], name="label"))


def test_infer_task_refuses_thousands_of_text_labels():
    labels = pd.Series([f"value {i}" for i in range(5000)], name="label")
    with pytest.raises(DataError, match=r"^The column 'label' has 5,000 different values; pick a column with categories"):
        data.infer_task(labels)


@pytest.mark.parametrize(
    "task, names, column, said, ordered",
    [
        (TASK_MULTICLASS, ("1", "2", "3", "4", "5"), "rating", None, True),
        (TASK_MULTICLASS, ("1", "2", "3", "4", "5"), "Review Score", None, True),
        (TASK_MULTICLASS, ("1", "2", "3", "4"), "column_1", None, False),  # AG News' topic codes
        (TASK_MULTICLASS, ("1", "2", "3", "4"), "column_1", True, True),  # the user says scale
        (TASK_MULTICLASS, ("1", "2", "3", "4", "5"), "stars", False, False),  # ... or names
        (TASK_MULTICLASS, ("bad", "ok", "good"), "rating", True, False),  # no values to subtract
        (TASK_BINARY, ("0", "1"), "score", True, False),  # off by one = wrong: accuracy says it
    ],
)
def test_classes_are_ordered_when_numbered_and_said_or_named_so(task, names, column, said,
                                                               ordered):
    assert labels.classes_are_ordered(task, names, column, said) is ordered


# ---------------------------------------------------------------- prepare_dataset

def frame(n_per_class=(60, 30, 10), seed=0):
    rng = np.random.default_rng(seed)
    rows = [(f"text {name} {i} {rng.integers(10**6)}", name)
            for name, n in zip(("cat", "dog", "eel"), n_per_class) for i in range(n)]
    return pd.DataFrame(rows, columns=["text", "label"])


def spec(**changes):
    return DataSpec(text_columns=("text",), label_column="label", **changes)


def test_prepare_splits_with_class_proportions_kept():
    ds = data.prepare_dataset(frame((300, 150, 50)), spec(valid_fraction=0.1, test_fraction=0.2))
    assert ds.task == TASK_MULTICLASS and ds.class_names == ("cat", "dog", "eel")
    assert (len(ds.train.texts), len(ds.valid.texts), len(ds.test.texts)) == (350, 50, 100)
    for part in (ds.train, ds.valid, ds.test):
        shares = np.bincount(part.y, minlength=3) / len(part.y)
        assert np.allclose(shares, [0.6, 0.3, 0.1], atol=0.03)
        assert part.y.dtype == np.int64


def test_prepare_is_seeded():
    df = frame()
    first, again = data.prepare_dataset(df, spec(seed=1)), data.prepare_dataset(df, spec(seed=1))
    other = data.prepare_dataset(df, spec(seed=2))
    assert first.train.texts == again.train.texts and first.test.texts == again.test.texts
    assert first.train.texts != other.train.texts


def test_prepare_counts_what_it_drops():
    df = pd.concat([frame(), pd.DataFrame({"text": ["<b></b>", "text cat 0 dup", "text cat 0 dup", "x"],
                                           "label": ["cat", "cat", "cat", None]})])
    ds = data.prepare_dataset(df, spec())
    assert ds.summary == data.PrepSummary(rows_in=104, rows_used=101, dropped_missing_label=1,
                                          dropped_empty=1, dropped_duplicates=1)


def test_prepare_orders_numeric_classes_numerically():
    labels = [str(v) for v in (1, 2, 10)] * 20
    df = pd.DataFrame({"text": [f"review {i}" for i in range(60)], "label": labels})
    ds = data.prepare_dataset(df, spec())
    assert ds.class_names == ("1", "2", "10") and ds.n_classes == 3


def test_prepare_regression_gives_float_targets():
    df = pd.DataFrame({"text": [f"review {i}" for i in range(100)],
                       "label": [f"{i / 10:.1f}" for i in range(100)]})
    ds = data.prepare_dataset(df, spec())
    assert ds.task == TASK_REGRESSION and ds.class_names == () and not ds.is_classification
    assert ds.train.y.dtype == np.float32 and len(ds.test.y) == 10
    assert sorted(np.concatenate([ds.train.y, ds.valid.y, ds.test.y]).tolist()) == \
        pytest.approx([i / 10 for i in range(100)])


def test_prepare_applies_cleaning():
    df = frame()
    df.loc[0, "text"] = "<p>The BEST cat</p>"
    clean = CleanSpec(remove_stopwords=True, drop_duplicates=False)
    ds = data.prepare_dataset(df, spec(clean=clean))
    assert "best cat" in ds.train.texts + ds.valid.texts + ds.test.texts


def written_frame() -> pd.DataFrame:
    """frame() with texts in capitals, with HTML, with a line break and escaped twice."""
    df = frame()
    df.loc[0, "text"] = "Apple shares fell in New York"
    df.loc[1, "text"] = "I <b>LOVED</b> it.<br /><br />Really"
    df.loc[2, "text"] = "Two\nLines"
    df.loc[3, "text"] = "&#38lt;b&#38gt;Bold Move"  # stripped twice, it would lose "&lt;b&gt;"
    # Rows dropped before the split: none may shift a written text against its cleaned one.
    dropped = pd.DataFrame({"text": ["<b></b>", "No label"], "label": ["cat", None]})
    repeat = pd.DataFrame({"text": ["APPLE shares fell in new york"], "label": ["cat"]})
    return pd.concat([dropped, df, repeat], ignore_index=True)


def test_prepare_keeps_each_text_as_written_beside_its_cleaned_text():
    ds = data.prepare_dataset(written_frame(), spec())
    assert ds.summary.dropped_empty == ds.summary.dropped_duplicates == 1
    pairs = [pair for part in ds.splits().values()
             for pair in zip(part.texts, part.written, strict=True)]
    written = dict(pairs)
    assert written["apple shares fell in new york"] == "Apple shares fell in New York"  # the first
    assert written["i loved it. really"] == "I LOVED it. Really"  # the markup is no word to read
    assert written["two lines"] == "Two\nLines"
    assert written["&lt;b&gt;bold move"] == "&#38lt;b&#38gt;Bold Move"
    # Each written text cleans to its cleaned text, so the model answers both alike.
    assert all(text.clean_text(shown, CleanSpec()) == cleaned for cleaned, shown in pairs)


def _parts(ds: data.Dataset) -> list:
    return [(part.texts, part.written, part.y.tolist()) for part in ds.splits().values()]


def test_texts_cleaned_once_serve_another_label_and_split_but_not_other_cleaning():
    """A new label on a million rows cleaned every text again (about 1.5 s of each choice)."""
    df = written_frame()
    df["loud"] = df["label"].map({"cat": "purr", "dog": "bark", "eel": "purr"})
    df.loc[1, "loud"] = None  # a row with no label of its own
    cleaned = data.clean_texts(df, spec())
    for later in (spec(), spec(test_fraction=0.3, seed=7), DataSpec(text_columns=("text",), label_column="loud"),
                  spec(clean=CleanSpec(drop_duplicates=False, drop_empty=False))):
        reused = data.prepare_dataset(df, later, cleaned)
        assert _parts(reused) == _parts(data.prepare_dataset(df, later))
        assert reused.summary == data.prepare_dataset(df, later).summary
    # Made with other cleaning, it is not used: the texts are cleaned again.
    kept_case = data.prepare_dataset(df, spec(clean=CleanSpec(lowercase=False)), cleaned)
    assert "Apple shares fell in New York" in kept_case.train.texts + kept_case.test.texts + \
        kept_case.valid.texts
    other_column = data.prepare_dataset(df.assign(t2=df["text"].str.upper()),
                                        DataSpec(text_columns=("t2",), label_column="label"), cleaned)
    assert _parts(other_column) == _parts(data.prepare_dataset(
        df.assign(t2=df["text"].str.upper()), DataSpec(text_columns=("t2",), label_column="label")))


def test_save_and_load_keep_the_written_texts_and_older_runs_show_the_cleaned_ones(tmp_path):
    ds = data.prepare_dataset(written_frame(), spec())
    data.save_dataset(ds, tmp_path / "new")
    loaded = data.load_dataset(tmp_path / "new")
    for part, again in zip(ds.splits().values(), loaded.splits().values()):
        assert again.written == part.written and again.texts == part.texts
    assert data.load_dataset(tmp_path / "new", written=False).test.written is None
    # A run saved before the written texts were kept has no such column.
    table = pd.read_csv(tmp_path / "new" / "data.csv", dtype=str, keep_default_na=False)
    (tmp_path / "old").mkdir()
    table.drop(columns="written").to_csv(tmp_path / "old" / "data.csv", index=False)
    shutil.copy(tmp_path / "new" / "dataset.json", tmp_path / "old")
    old = data.load_dataset(tmp_path / "old")
    assert old.test.written is None and old.test.shown == old.test.texts == ds.test.texts


def test_prepare_refuses_a_class_with_one_row():
    with pytest.raises(DataError, match=r"^The class 'eel' has only 1 row; at these shares each class needs at least 10 rows"):
        data.prepare_dataset(frame((60, 30, 1)), spec())


def test_a_second_class_too_small_is_counted_in_plain_words():
    with pytest.raises(DataError, match=r"\(and 1 more class is too small\).*make the "
                                        r"validation and test shares larger\.$"):
        data.prepare_dataset(frame((60, 1, 1)), spec())


def labelled(counts: dict) -> pd.DataFrame:
    labels = [name for name, n in counts.items() for _ in range(n)]
    return pd.DataFrame({"text": [f"text {name} {i}" for i, name in enumerate(labels)],
                         "label": labels})


@pytest.mark.parametrize("counts, valid, test, message", [
    ({"ham": 190, "spam": 10}, 0.05, 0.40, "the validation part (10 rows) gets no row of the "
     "class 'spam' (10 rows in all). To fix it, make the validation share larger"),
    ({"ham": 190, "spam": 10}, 0.40, 0.05, "the test part (10 rows) gets no row of the class "
     "'spam' (10 rows in all). To fix it, make the test share larger"),
    ({"a": 19, "b": 19, "c": 19, "rare": 3}, 0.40, 0.40, "the training part (12 rows) gets no "
     "row of the class 'rare' (3 rows in all). To fix it, make the validation and test shares "
     "smaller"),
])
def test_uneven_shares_that_leave_a_class_out_of_a_part_are_refused(counts, valid, test,
                                                                    message):
    """Browser QA: these said "The data is ready", with no spam to validate or test on, or no
    'rare' row to learn from."""
    with pytest.raises(DataError, match=re.escape(message)):
        data.prepare_dataset(labelled(counts), spec(valid_fraction=valid, test_fraction=test))


def test_prepare_refuses_all_empty_texts():
    df = pd.DataFrame({"text": ["<br>", "the a", " "] * 5, "label": ["a", "b", "a"] * 5})
    with pytest.raises(DataError, match=f"^{re.escape(data.NO_WORDS_LEFT)}"):
        data.prepare_dataset(df, spec(clean=CleanSpec(remove_stopwords=True)))


def test_texts_of_only_punctuation_have_no_words_for_the_model():
    """Browser QA: such a file was "ready", then the run failed after training."""
    marks = [f"!?{mark}!?{mark}" for mark in ".,;:-_()[]{}<>/|*+=~^@#$%&"]
    df = pd.DataFrame({"text": marks * 2, "label": ["neg", "pos"] * len(marks)})
    with pytest.raises(DataError, match=f"^{re.escape(data.NO_WORDS_LEFT)}"):
        data.prepare_dataset(df, spec())
    words = pd.DataFrame({"text": [f"word{i} here" for i in range(40)], "label": ["a", "b"] * 20})
    ds = data.prepare_dataset(pd.concat([df, words]), spec())
    assert ds.summary.rows_used == 40 and ds.summary.dropped_empty == len(df)


def test_prepare_refuses_too_few_rows():
    with pytest.raises(DataError, match=r"Only 6 usable rows") as refused:
        data.prepare_dataset(frame((3, 3, 0)), spec())
    assert "repeated" not in str(refused.value)  # nothing was dropped: no cause to name


def test_too_few_rows_names_what_was_dropped_and_how_to_keep_it():
    df = pd.DataFrame({"text": ["the same words"] * 40 + ["", "  "] + ["other", "words"] * 2,
                       "label": ["a", "b"] * 20 + ["a", "b"] + ["a", "b", None, "b"]})
    with pytest.raises(DataError) as refused:
        data.prepare_dataset(df, spec())
    message = str(refused.value)
    assert message.startswith("Only 4 usable rows are left after cleaning")
    assert ("39 rows repeated another row: keep them by unticking \"Drop duplicate rows\""
            in message)
    assert "2 rows had no words after cleaning" in message
    assert "1 row had no label." in message


def test_prepare_refuses_the_label_column_as_a_text_column():
    df = frame().assign(title="a title")
    with pytest.raises(DataError, match=r"The label column 'label' is also chosen as a text "
                                        r"column, so the model would read the answer"):
        data.prepare_dataset(df, DataSpec(("title", "label"), "label"))


@pytest.mark.parametrize("valid, test", [(0.0, 0.1), (0.5, 0.45), (-0.1, 0.2)])
def test_prepare_refuses_impossible_shares(valid, test):
    with pytest.raises(DataError, match="validation and test shares"):
        data.prepare_dataset(frame(), spec(valid_fraction=valid, test_fraction=test))


def test_prepare_refuses_forced_tasks_that_do_not_fit():
    with pytest.raises(DataError, match=r"Predicting a number needs numbers in the column "
                                        r"'label'.*'cat'.*\. Choose “Several classes” as what "
                                        r"to predict instead\.$"):
        data.prepare_dataset(frame(), spec(task=TASK_REGRESSION))
    with pytest.raises(DataError, match=r"exactly two labels.*has 3: 'cat', 'dog', 'eel'"):
        data.prepare_dataset(frame(), spec(task=TASK_BINARY))


@pytest.mark.parametrize("labels, advice", [
    (["yes", "no"], r"Choose “Two classes” as what to predict instead\.$"),
    ([f"note {i}" for i in range(60)], r"With 60 different values it cannot be classes either "
                                       r"\(at most 50\): pick a column with categories or numbers"),
])
def test_words_forced_to_a_number_get_advice_that_fits_them(labels, advice):
    """Browser QA: free text forced to "A number" was told to choose classes, which then
    refused it for having too many values."""
    table = pd.DataFrame({"text": [f"text number {i}" for i in range(120)],
                          "label": [labels[i % len(labels)] for i in range(120)]})
    with pytest.raises(DataError, match=advice):
        data.prepare_dataset(table, spec(task=TASK_REGRESSION))


def test_prepare_names_a_missing_label_column():
    with pytest.raises(DataError, match=r"The column 'stars' is not in this file\. Available columns: text, label\."):
        data.prepare_dataset(frame(), DataSpec(("text",), "stars"))


# ---------------------------------------------------------------- save / load

def test_save_and_load_round_trip_exactly(tmp_path):
    tricky = ["a, b", 'say "hi"', "two\nlines", "crlf\r\nend", "emoji 🎉 ü", "", "NA", " padded "]
    ds = data.Dataset(
        task=TASK_BINARY, class_names=("neg", "pos, really"),
        train=data.Split(tricky, np.array([0, 1, 0, 1, 0, 1, 0, 1], dtype=np.int64)),
        valid=data.Split(["v"], np.array([1], dtype=np.int64)),
        test=data.Split(["t"], np.array([0], dtype=np.int64)),
        summary=data.PrepSummary(10, 10, 0, 0, 0),
    )
    data.save_dataset(ds, tmp_path / "run")
    loaded = data.load_dataset(tmp_path / "run")
    assert loaded.train.texts == tricky and loaded.class_names == ds.class_names
    assert np.array_equal(loaded.train.y, ds.train.y) and loaded.train.y.dtype == np.int64
    assert loaded.summary == ds.summary and loaded.task == TASK_BINARY
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["data.csv", "dataset.json"]


def test_save_and_load_regression_targets_exactly(tmp_path):
    df = pd.DataFrame({"text": [f"review {i}" for i in range(50)],
                       "label": [str(1 + i / 7) for i in range(50)]})
    ds = data.prepare_dataset(df, spec())
    data.save_dataset(ds, tmp_path)
    loaded = data.load_dataset(tmp_path)
    assert loaded.test.y.dtype == np.float32 and np.array_equal(loaded.test.y, ds.test.y)
    assert loaded.valid.texts == ds.valid.texts


def test_load_dataset_from_an_empty_folder_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="missing or damaged"):
        data.load_dataset(tmp_path)


# ---------------------------------------------------------------- sample data

def test_sample_datasets_describe_the_shipped_files():
    samples = {s.key: s for s in data.sample_datasets()}
    assert set(samples) == {"news", "reviews", "reviews_recommended"}
    assert samples["news"].text_columns == ("title", "body") and samples["news"].label_column == "topic"
    assert samples["reviews_recommended"].label_column == "recommended"
    with pytest.raises(DataError, match="no sample dataset called 'nope'"):
        data.load_sample("nope")


@pytest.mark.parametrize("key, task", [("news", "multiclass"), ("reviews", "multiclass"),
                                       ("reviews_recommended", "binary")])
def test_sample_datasets_prepare_cleanly_to_the_task_their_labels_suggest(key, task):
    """Every sample starts at "Let LSTM Studio decide" (QA19: news started at "Several
    classes" and reviews at "decide", so their captions read differently)."""
    sample = next(s for s in data.sample_datasets() if s.key == key)
    df = data.load_sample(key)
    ds = data.prepare_dataset(df, DataSpec(sample.text_columns, sample.label_column))
    assert ds.summary.rows_used >= 100
    assert ds.task == task


def test_two_classes_forced_on_five_lists_three_and_counts_the_rest():
    """Browser QA: "has 5: '1', '2', '3', ...." ended with four dots."""
    df = labelled({"1": 20, "2": 20, "3": 20, "4": 20, "5": 20})
    with pytest.raises(DataError, match=re.escape(
            "“Two classes” needs exactly two labels, but the column 'label' has 5: '1', '2', "
            "'3' and 2 more. Choose")):
        data.prepare_dataset(df, spec(task=TASK_BINARY))


def test_a_runs_label_column_name_falls_back_to_a_word_that_reads_right():
    from core import labels

    assert labels.label_column_name({"task": "multiclass", "data": {"label_column": "rating"}}) \
        == "rating"
    # A model imported from before the name travelled in the file.
    assert labels.label_column_name({"task": "multiclass"}) == "class"  # "class 4"
    assert labels.label_column_name({"task": "regression", "data": {}}) == "value"  # "Predicted value"


def test_labels_that_differ_only_in_capitals_merge_into_the_most_used_spelling():
    from core import labels

    column = pd.Series(["Positive", "positive ", "POSITIVE", "positive", "Negative", None, "1x"])
    assert labels.case_variants(labels.canonical_labels(column)) == [
        ["POSITIVE", "Positive", "positive"]]
    assert labels.canonical_labels(column).tolist()[:3] == ["Positive", "positive", "POSITIVE"]
    merged = labels.canonical_labels(column, merge_case=True).tolist()
    assert merged == ["positive", "positive", "positive", "positive", "Negative", None, "1x"]
    assert labels.case_variants(pd.Series(["a", "b"])) == []
    tie = labels.canonical_labels(pd.Series(["Yes", "yes", "no"]), merge_case=True).tolist()
    assert tie == ["Yes", "Yes", "no"]  # a tie: the first in name order


@pytest.mark.parametrize("column", [
    pd.Series([5, 1, 3, 1], name="rating", index=[7, 8, 9, 10]),
    pd.Series([1.0, None, 2.5, np.nan, -0.0, 0.1 + 0.2, 1e20]),
    pd.Series([3, None, 4], dtype="Int64"),
    pd.Series([1.0, np.inf]),  # not a number to as_numbers: stays as written
    pd.Series([True, False, True]),
])
def test_labels_read_as_numbers_are_named_as_the_same_labels_read_as_text(column):
    """The numeric columns' shortcut (no string per row) names labels as the text path does."""
    from core import labels

    as_text = column.astype(object).map(lambda v: None if pd.isna(v) else str(v))
    fast, slow = labels.canonical_labels(column), labels.canonical_labels(as_text)
    assert fast.tolist() == slow.tolist()
    assert (list(fast.index), fast.name, fast.dtype) == (list(column.index), column.name, object)


def _canonical_row_by_row(value):
    """canonical_labels' naming of one label, written out (the function names each distinct
    value once, which is what this checks against)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return (value.strip() if isinstance(value, str) else str(value)) or None


@pytest.mark.parametrize("dtype", [object, "str"])
def test_labels_are_named_per_distinct_value_as_they_would_be_row_by_row(dtype):
    from core import labels

    words = pd.Series([" pos", "neg ", None, "", "pos", "  ", "Neg", "pos"], dtype=dtype,
                      index=range(10, 18), name="mood")
    assert labels.canonical_labels(words).tolist() == [_canonical_row_by_row(v) for v in words]
    numbers = pd.Series(["1.0", " 2", None, "1", "03", "2.50"], dtype=dtype, name="rating")
    assert labels.canonical_labels(numbers).tolist() == ["1", "2", None, "1", "3", "2.5"]
    shown = labels.canonical_labels(words)
    assert (list(shown.index), shown.name, shown.dtype) == (list(range(10, 18)), "mood", object)


def test_label_facts_are_what_the_single_checks_say():
    from core import labels
    from core.errors import DataError

    ids = labels.LabelFacts.read(pd.Series([str(i) for i in range(500)], dtype="str"), "id")
    assert (ids.row_ids, ids.numbered, ids.variants, ids.task(False)) == (
        True, True, [], "regression")
    assert ids.number_range == (0.0, 499.0)  # the Data page's "a number between 0 and 499"
    moods = labels.LabelFacts.read(pd.Series(["Pos", "pos", "neg", "Pos"] * 10), "mood")
    assert moods.variants == [["Pos", "pos"]] and not moods.numbered
    assert (moods.task(False), moods.task(True)) == ("multiclass", "binary")
    assert moods.labels(True).tolist()[:4] == ["Pos", "Pos", "neg", "Pos"]
    assert moods.labels(False).tolist()[:4] == ["Pos", "pos", "neg", "Pos"]
    one = labels.LabelFacts.read(pd.Series(["yes"] * 30, name="answer"), "answer")
    with pytest.raises(DataError, match="only one class"):
        one.task(False)
    assert labels.case_variants(pd.Series(["straße", "STRASSE", "1"])) == [["STRASSE", "straße"]]


def test_a_label_column_of_row_numbers_is_recognised():
    """QA: choosing an "id" column (1000…1319) as the label was accepted without a word."""
    from core import labels

    ids = pd.Series(range(1000, 1320))
    assert labels.looks_like_row_ids(ids, "id")
    assert labels.looks_like_row_ids(ids, "whatever")  # counting up one by one
    # A file's duplicated rows repeat their id (QA's file: 20 of 320 rows).
    assert labels.looks_like_row_ids(pd.concat([ids, ids[:20]]), "id")
    shuffled = pd.Series(np.random.default_rng(0).permutation(300) * 7 + 3)
    assert labels.looks_like_row_ids(shuffled, "customer_id")  # named like one
    assert not labels.looks_like_row_ids(shuffled, "views")  # counts that happen to differ
    assert not labels.looks_like_row_ids(pd.Series(np.linspace(1, 5, 100)), "score")  # not whole
    assert not labels.looks_like_row_ids(pd.Series([1, 2, 3, 4, 5] * 20), "rating")
    assert not labels.looks_like_row_ids(pd.Series(["a", "b"] * 20), "id")


def _numpy_numbers(values):
    """as_numbers as it was before Arrow read the numbers: the rule a value must keep."""
    try:
        numbers = np.asarray(list(values), dtype=str).astype(np.float64)
    except ValueError:
        return None
    return numbers if len(numbers) and np.isfinite(numbers).all() else None


@pytest.mark.parametrize("values", [
    ["1", "2"], ["1.5", "x"], [" 5", "6"], ["1_000"], ["１２"], ["١٢"], ["inf", "1"], ["nan"],
    ["-nan"], ["Infinity"], ["1e400"], ["1e-400"], [None, "1"], [1, 2], [1.5, "2"], [],
    ["-0", "+3", ".5", "5.", "1e-3", "1E3"], ["True", "1"], ["0x10"], ["1,5"], ["", "1"],
    ["0.1", "0.30000000000000004", "123456789012345678901234567890"],
])
def test_numbers_are_read_by_the_same_rule_as_before_arrow(values):
    expected, got = _numpy_numbers(values), labels.as_numbers(values)
    assert (got is None) == (expected is None)
    if expected is not None:
        np.testing.assert_array_equal(got, expected)
