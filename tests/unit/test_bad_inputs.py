"""Bad-input matrix: malformed or awkward files, each refused in plain words or read right.

Every row of CASES feeds one input through the same core functions the app uses
(core.data for CSVs, core.vectors for vectors, core.importer for model
uploads) and states what must happen: a specific plain-language StudioError, or
correct handling checked value by value.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import re
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from core import data, importer, text
from core import model as model_lib
from core import runs as runs_lib
from core import vectors as vectors_lib
from core.config import CleanSpec, DataSpec, ModelSpec
from core.errors import DataError, ModelFileError, NoDataRowsError, SpecError
from tests.bad_files import PNG, zipped

MB = 1024 * 1024
RTL_AND_EMOJI = ("مرحبا بالعالم 😀 جميل", "שלום עולם 🎉 יפה", "日本語 テキスト 🍣", "naïve café 👍🏽 ok")


# ---------------------------------------------------------------- building inputs

def table(texts, labels, sep: str = ",", header=("text", "label")) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(zip(texts, labels))
    return out.getvalue()


def two_classes(n: int = 40, sep: str = ",", text: str = "message number {i} about things") -> str:
    return table([text.format(i=i) for i in range(n)], ["ab"[i % 2] for i in range(n)], sep)


# ---------------------------------------------------------------- actions

def read(content: bytes | str, **kwargs) -> Callable[[Path], object]:
    """Read the bytes as an upload called upload.csv; returns the frame."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return lambda tmp_path: data.read_csv(raw, name="upload.csv", **kwargs)


def prepare(content: bytes | str, text_columns=("text",), label="label", task=None,
            clean: CleanSpec = CleanSpec()) -> Callable[[Path], object]:
    """Read, then prepare as the Data page does; returns (frame, dataset)."""
    def action(tmp_path):
        frame = read(content)(tmp_path)
        spec = DataSpec(text_columns=tuple(text_columns), label_column=label, task=task, clean=clean)
        return frame, data.prepare_dataset(frame, spec)
    return action


def glove(content: str | bytes, vocabulary=("good", "bad")) -> Callable[[Path], object]:
    def action(tmp_path):
        path = tmp_path / "vectors.txt"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return vectors_lib.load_glove(path, list(vocabulary))
    return action


GOOD_VECTORS = "good 0.1 0.2 0.3\nbad 1 2 3\n"


def zip_of(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def upload_model(make: Callable[[], bytes], **kwargs) -> Callable[[Path], object]:
    """Import the bytes into an empty store; returns (store, run id)."""
    def action(tmp_path):
        store = runs_lib.RunStore(tmp_path / "runs")
        try:
            return store, importer.import_model(store, make(), "upload.keras", **kwargs)
        except ModelFileError:
            assert store.list_runs() == []  # a refusal leaves nothing half-made behind
            raise
    return action


# ---------------------------------------------------------------- real, small Keras models

TINY = ModelSpec(units=(4,), embedding_dim=8, max_tokens=20, vocab_size=50, bidirectional=False)


def _saved(model) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


@functools.cache
def studio_model() -> bytes:
    """An untrained end-to-end model exactly as the worker saves one (no training needed)."""
    vectorizer = model_lib.build_vectorizer(["good", "bad", "great"], TINY)
    network = model_lib.build_model(TINY, "binary", 2, vectorizer.vocabulary_size())
    return _saved(model_lib.end_to_end(vectorizer, network))


def damaged_model() -> bytes:
    raw = bytearray(studio_model())
    middle = len(raw) // 2
    raw[middle:middle + 64] = bytes(b ^ 0xFF for b in raw[middle:middle + 64])
    return bytes(raw)


def model_without_vectorizer() -> bytes:
    import keras

    return _saved(keras.Sequential([
        keras.Input((None,), dtype="int32"), keras.layers.Embedding(50, 8, mask_zero=True),
        keras.layers.LSTM(4), keras.layers.Dense(1, activation="sigmoid")]))


def model_with_lambda() -> bytes:
    import keras

    vectorizer = model_lib.build_vectorizer(["good", "bad"], TINY)
    network = model_lib.build_model(TINY, "binary", 2, vectorizer.vocabulary_size())
    text_in = keras.Input(shape=(1,), dtype="string")
    scaled = keras.layers.Lambda(lambda x: x * 1.0)(network(vectorizer(text_in)))
    return _saved(keras.Model(text_in, scaled))


# ---------------------------------------------------------------- checks of correct handling

def check_frame(texts: dict[int, str] | None = None, delimiter=None, rows=None):
    """Columns text and label, the separator found, the row count and exact cell values."""
    def check(frame):
        assert list(frame.columns) == ["text", "label"]
        assert delimiter is None or frame.attrs["delimiter"] == delimiter
        assert rows is None or len(frame) == rows
        for row, value in (texts or {}).items():
            assert frame["text"].iloc[row] == value
    return check


# Line 3 opens a quote that the next line's first quote closes: two rows read as one.
QUOTE_CLOSED_LATER = ('text,label\nfine words,a\n"opened and never closed,b\n'
                      '"a quoted row",a\nlast words,b\n"a text\nover two lines",a\n')


def check_merged_rows(frame):
    assert len(frame) == 4 and frame.attrs["merged_lines"] == [3]  # not the two-line text


def check_ragged(result):
    frame, dataset = result
    assert frame.attrs["skipped_rows"] == 2
    assert frame.attrs["skipped_lines"] == [42, 43]  # the file's lines, header included
    assert dataset.summary.rows_in == 40 and dataset.summary.rows_used == 40


def check_quoted_newlines(result):
    frame, dataset = result
    assert frame["text"].iloc[0] == "first line\nsecond line 0"
    everything = [t for part in dataset.splits().values() for t in part.texts]
    assert "first line second line 0" in everything  # cleaning collapses the newline


def check_duplicate_columns(result):
    frame, dataset = result
    assert list(frame.columns) == ["text", "text (2)", "label"]
    everything = {t for part in dataset.splits().values() for t in part.texts}
    assert "title 0. body 0" in everything


def check_missing_labels(result):
    _, dataset = result
    assert dataset.summary.dropped_missing_label == 20  # 10 empty cells + 10 blank strings
    assert dataset.summary.rows_used == 40 and dataset.class_names == ("a", "b")


def check_regression(values):
    def check(result):
        _, dataset = result
        assert dataset.task == "regression" and dataset.class_names == ()
        every = np.concatenate([part.y for part in dataset.splits().values()])
        assert every.dtype == np.float32 and set(np.unique(every)) == set(values)
    return check


def check_ratings_as_classes(result):
    _, dataset = result
    assert dataset.task == "multiclass" and dataset.class_names == ("1", "2", "3", "4", "5")


def check_truncated(max_words):
    def check(result):
        _, dataset = result
        lengths = [len(t.split()) for part in dataset.splits().values() for t in part.texts]
        assert max(lengths) == max_words
    return check


def check_long_texts_kept(result):
    frame, dataset = result
    assert frame["text"].str.len().min() >= 100_000
    assert min(len(t) for t in dataset.train.texts) >= 99_000  # lower-cased, never cut


def check_rtl_and_emoji(result):
    _, dataset = result
    cleaned = {t.rsplit(" ", 1)[0] for t in dataset.train.texts}
    assert {t.lower() for t in RTL_AND_EMOJI} <= cleaned  # ASCII/Latin lower-cased, rest intact
    vocabulary = text.build_vocabulary(dataset.train.texts, 100)
    assert {"مرحبا", "😀", "שלום", "🎉", "日本語", "🍣", "naïve", "👍🏽"} <= set(vocabulary)
    with tempfile.TemporaryDirectory() as folder:
        data.save_dataset(dataset, Path(folder))
        again = data.load_dataset(Path(folder))
    assert again.train.texts == dataset.train.texts and again.test.texts == dataset.test.texts


def check_glove_header_skipped(result):
    matrix, found = result
    assert matrix.shape == (4, 3) and found == 2
    np.testing.assert_allclose(matrix[2], [0.1, 0.2, 0.3])


check_good_vectors_read = check_glove_header_skipped  # the same two vectors, read whole


# ---------------------------------------------------------------- the matrix

@dataclass(frozen=True)
class Case:
    name: str
    action: Callable[[Path], object]
    error: tuple[type, str] | None = None  # (StudioError subclass, regex of the message)
    check: Callable[[object], None] | None = None


MANY = 5000
STOPWORD_TEXTS = ["the of and to", "it is was", "a an the"]

CASES = [
    # -- files that are not usable tables
    Case("empty file", read(b""), (DataError, r"^upload\.csv is empty\. Choose a CSV file")),
    Case("only blank lines", read(b"\n \r\n\t\n"), (DataError, r"^upload\.csv is empty\.")),
    Case("header only", read("text,label\n"), (NoDataRowsError, r"has a header row but no data rows")),
    Case("PNG renamed .csv", read(PNG), (DataError, r"\(it contains binary data\)\. Save your")),
    Case("binary data behind a UTF-16 byte-order mark",
         read(b"\xff\xfe\x00\x01garbage\x00\x00binary"),
         (DataError, r"^This does not look like a CSV text file \(it contains binary data\)")),
    Case("zip archive renamed .csv", read(zipped("reviews.csv")),
         (DataError, r"^This is a compressed zip archive, not a CSV file\. Unzip it")),
    Case("Excel workbook renamed .csv", read(zipped("[Content_Types].xml", "xl/workbook.xml")),
         (DataError, r"Excel workbook.*Save As > CSV UTF-8")),
    Case("one column only", read("text\nhello\nworld\nagain\n"),
         (DataError, r"has only one column.*one with the text and one with the label")),
    Case("quote closed on a later line", read(QUOTE_CLOSED_LATER), check=check_merged_rows),
    Case("unbalanced quote", read('text,label\nfine,a\n"never closed,b\nmore,a\n'),
         (DataError, r'quotation mark \("\) near line 3 opens a text that is never closed')),
    Case("over the size limit (bytes)", read(two_classes(200), max_bytes=1000),
         (DataError, r"^upload\.csv is 6\.\d KB; the limit is 1,000 bytes\. Use a smaller")),
    Case("over the size limit (MB)", read(b"x" * (3 * MB), max_bytes=2 * MB),
         (DataError, r"^upload\.csv is 3 MB; the limit is 2 MB\.")),
    Case("just over the size limit", read(b"x" * (2 * MB + 100), max_bytes=2 * MB),
         (DataError, r"^upload\.csv is slightly too big: the limit is 2 MB\.")),
    # -- encodings and separators that must simply work
    Case("UTF-16 with BOM", read(table(["naïve café 😀", "b"], ["x", "y"]).encode("utf-16")),
         check=check_frame({0: "naïve café 😀"})),
    Case("latin-1 accents", read(table(["café in España", "niño"], ["x", "y"]).encode("latin-1")),
         check=check_frame({0: "café in España", 1: "niño"})),
    Case("UTF-8 BOM", read(b"\xef\xbb\xbf" + two_classes(5).encode()),
         check=check_frame(rows=5)),
    Case("semicolons with commas in text", read(two_classes(5, ";", "one, two {i}")),
         check=check_frame({0: "one, two 0"}, ";")),
    Case("tabs", read(two_classes(5, "\t", "one; two, {i}")),
         check=check_frame({1: "one; two, 1"}, "\t")),
    Case("Excel sep= line", read("sep=;\n" + two_classes(5, ";", "one, two {i}")),
         check=check_frame({0: "one, two 0"}, ";", rows=5)),
    Case("old Mac line endings", read(two_classes(6).replace("\n", "\r")),
         check=check_frame(rows=6)),
    Case("ragged rows", prepare(two_classes(40) + "extra,a,b,c\nmore,b,c,d\n"), check=check_ragged),
    Case("quoted newlines", prepare(two_classes(40, text="first line\nsecond line {i}")),
         check=check_quoted_newlines),
    Case("duplicate column names",
         prepare("text,text,label\n" + "".join(f"title {i},body {i},{'ab'[i % 2]}\n" for i in range(40)),
                 text_columns=("text", "text (2)")),
         check=check_duplicate_columns),
    # -- columns that cannot be learned from
    Case("numeric text column", prepare(table(range(40), ["ab"[i % 2] for i in range(40)])),
         (DataError, r"^The text column 'text' contains only numbers, not text\.")),
    Case("labels with blanks", prepare(table([f"message {i}" for i in range(60)],
                                             [("", "  ", "a", "b", "a", "b")[i % 6] for i in range(60)])),
         check=check_missing_labels),
    Case("labels all blank", prepare(table([f"message {i}" for i in range(30)], ["  "] * 30)),
         (DataError, r"^The label column 'label' is empty in every row\.")),
    Case("a single class", prepare(table([f"message {i}" for i in range(30)], ["yes"] * 30)),
         (DataError, r"only one class \('yes'\)\. A classifier needs at least two")),
    Case("a class with one row",
         prepare(table([f"message {i}" for i in range(41)], ["ab"[i % 2] for i in range(40)] + ["rare"])),
         (DataError, r"^The class 'rare' has only 1 row; at these shares each class needs at least 10 rows")),
    Case("5,000 text labels", prepare(table([f"m {i}" for i in range(MANY)], [f"c{i}" for i in range(MANY)])),
         (DataError, r"has 5,000 different values; .*\(at most 50 different values\)\. Regression "
                     r"is not possible either")),
    Case("5,000 numeric labels as classes",
         prepare(table([f"m {i}" for i in range(MANY)], range(MANY)), task="multiclass"),
         (DataError, r"has 5,000 different values; .*, or choose regression to predict the number\.")),
    Case("5,000 numeric labels decided", prepare(table([f"m {i}" for i in range(MANY)], range(MANY))),
         check=check_regression(set(range(MANY)))),
    Case("ratings 1-5 are classes", prepare(table([f"m {i}" for i in range(100)], [1 + i % 5 for i in range(100)])),
         check=check_ratings_as_classes),
    Case("ratings written 1.0-5.0", prepare(table([f"m {i}" for i in range(100)],
                                                  [f"{1 + i % 5}.0" for i in range(100)])),
         check=check_ratings_as_classes),
    Case("ratings forced to regression",
         prepare(table([f"m {i}" for i in range(100)], [1 + i % 5 for i in range(100)]), task="regression"),
         check=check_regression({1, 2, 3, 4, 5})),
    Case("words forced to regression", prepare(two_classes(40), task="regression"),
         (DataError, r"^Predicting a number needs numbers in the column 'label', but it contains values such as 'a', 'b'")),
    Case("only HTML tags", prepare(two_classes(40, text="<p><br/></p><!-- {i} -->")),
         (DataError, "^" + re.escape(data.NO_WORDS_LEFT))),
    Case("only punctuation", prepare(table(["!?" + "." * (i + 1) for i in range(40)], ["ab"[i % 2] for i in range(40)])),
         (DataError, "^" + re.escape(data.NO_WORDS_LEFT))),
    Case("only stopwords", prepare(table([STOPWORD_TEXTS[i % 3] for i in range(40)], ["ab"[i % 2] for i in range(40)]),
                                   clean=CleanSpec(remove_stopwords=True)),
         (DataError, "^" + re.escape(data.NO_WORDS_LEFT))),
    Case("100k-character texts, max words", prepare(two_classes(40, text="{i} " + "word " * 20_000),
                                                    clean=CleanSpec(max_words=200, drop_duplicates=False)),
         check=check_truncated(200)),
    Case("100k-character texts, kept", prepare(two_classes(40, text="{i} " + "word " * 20_000)),
         check=check_long_texts_kept),
    Case("right-to-left scripts and emoji",
         prepare(table([f"{RTL_AND_EMOJI[i % 4]} n{i}" for i in range(80)], ["ab"[i % 2] for i in range(80)])),
         check=check_rtl_and_emoji),
    # -- uploaded word vectors
    Case("GloVe with inconsistent dimension", glove("good 0.1 0.2 0.3\nok 1 2 3\nbad 0.1 0.2\n"),
         (SpecError, r"line 3 has 2 numbers but earlier lines have 3")),
    Case("GloVe with words for numbers", glove("good 0.1 0.2 0.3\nbad 0.1 zero 0.3\n"),
         (SpecError, r"Line 2 of the vectors file has “zero” where a number should be")),
    Case("GloVe that is binary", glove(PNG), (SpecError, r"is not a text file")),
    Case("GloVe with tabs (QA: 'no vectors')", glove(GOOD_VECTORS.replace(" ", "\t")),
         check=check_good_vectors_read),
    Case("GloVe with double spaces", glove(GOOD_VECTORS.replace(" ", "  ")),
         check=check_good_vectors_read),
    Case("GloVe in UTF-16", glove(GOOD_VECTORS.encode("utf-16")), check=check_good_vectors_read),
    Case("GloVe gzipped (QA: refused by type)", glove(gzip.compress(GOOD_VECTORS.encode())),
         check=check_good_vectors_read),
    Case("GloVe zipped, one file", glove(zip_of({"glove.50d.txt": GOOD_VECTORS})),
         check=check_good_vectors_read),
    Case("GloVe zipped, several files", glove(zip_of({f"glove.{d}d.txt": GOOD_VECTORS
                                                      for d in (50, 100, 200, 300)})),
         (SpecError, r"The zip file holds 4 files \(glove.50d.txt, .*\)\. Unzip it")),
    Case("GloVe gzipped, cut short", glove(gzip.compress(GOOD_VECTORS.encode() * 50)[:40]),
         (SpecError, r"could not be read: it is damaged or cut short")),
    Case("GloVe of one number per word", glove("good 0.1\nbad 0.2\n"),
         (SpecError, r"only one number, but a word vector has several")),
    Case("GloVe with a nan (QA: every loss NaN, run 'Finished')", glove("good 0.1 0.2 0.3\nbad 0.1 nan 0.3\n"),
         (SpecError, r"not a usable number on line 2 \(nan or inf\)")),
    Case("GloVe with an infinity", glove("good 0.1 -inf 0.3\n"),
         (SpecError, r"not a usable number on line 1 \(nan or inf\)")),
    Case("word2vec text header", glove("2 3\ngood 0.1 0.2 0.3\nbad 1 2 3\n"),
         check=check_glove_header_skipped),
    # -- uploaded model files
    Case("model over the size limit", upload_model(studio_model, max_bytes=1000),
         (ModelFileError, r"^This model file is \d+ KB; the limit is 1 KB\.")),
    Case("corrupt model", upload_model(damaged_model),
         (ModelFileError, r"^This model file is damaged \(its contents fail their checksum\)")),
    Case("zip from another app", upload_model(lambda: zipped("[Content_Types].xml", "word/document.xml")),
         (ModelFileError, r"^This zip file is not a Keras model")),
    Case("Keras model without TextVectorization", upload_model(model_without_vectorizer),
         (ModelFileError, r"not made by LSTM Studio: it has no text vectorizer")),
    Case("Keras model with a Lambda layer", upload_model(model_with_lambda),
         (ModelFileError, r"custom code \(a Lambda layer\).*refuses to load for safety")),
]


def assert_plain(message: str) -> None:
    """One or two sentences for a person: no traceback, errno or exception names."""
    assert "\n" not in message and len(message) < 400, message
    for jargon in ("Traceback", "Errno", "Exception", "pandas", "None", "NaN", "dtype"):
        assert jargon not in message, message


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path):
    if case.error:
        kind, pattern = case.error
        with pytest.raises(kind, match=pattern) as raised:
            case.action(tmp_path)
        assert type(raised.value) is kind
        assert_plain(str(raised.value))
    else:
        case.check(case.action(tmp_path))


def test_the_matrix_is_wide():
    assert len(CASES) >= 25 and len({c.name for c in CASES}) == len(CASES)


def test_rtl_and_emoji_reach_the_model_vectorizer_as_known_tokens(tmp_path):
    """Keras' TextVectorization must see the same tokens as core.text (no [UNK] for them)."""
    from core.predictor import vectorize

    _, dataset = prepare(table([f"{RTL_AND_EMOJI[i % 4]} n{i}" for i in range(80)],
                               ["ab"[i % 2] for i in range(80)]))(tmp_path)
    vectorizer = model_lib.build_vectorizer(text.build_vocabulary(dataset.train.texts, 100), TINY)
    ids = vectorize(vectorizer, [RTL_AND_EMOJI[0], RTL_AND_EMOJI[1]])
    assert (ids[:, :4] > 1).all(), ids  # four real, known tokens each: 0 = pad, 1 = unknown


@pytest.mark.slow
def test_a_million_short_rows_read_and_prepare(tmp_path):
    """7 s on a quiet 2-core machine, 25 s on a busy one (reading ~1 s; per-row cleaning dominates)."""
    path = tmp_path / "million.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("text,label\n")
        handle.writelines(f"w{i % 100} x,{i % 2}\n" for i in range(1_000_000))
    start = time.perf_counter()
    frame = data.read_csv(path)
    read_seconds = time.perf_counter() - start
    dataset = data.prepare_dataset(frame, DataSpec(text_columns=("text",), label_column="label",
                                                   clean=CleanSpec(drop_duplicates=False)))
    total = time.perf_counter() - start
    print(f"\n1,000,000 rows: read {read_seconds:.1f} s, read + prepare {total:.1f} s")
    assert frame.shape == (1_000_000, 2)
    assert dataset.task == "binary" and dataset.summary.rows_used == 1_000_000
    assert [len(part.texts) for part in dataset.splits().values()] == [800_000, 100_000, 100_000]
    assert dataset.train.texts[0].startswith("w") and dataset.train.texts[0].endswith(" x")
