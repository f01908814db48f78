"""Read a user's CSV robustly: encoding, delimiter and header row are detected.

Every problem is raised as ``DataError`` with a message a non-programmer understands;
no pandas or csv exception escapes ``read_csv``.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import warnings
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from core import config
from core.errors import DataError, NoDataRowsError

SNIFF_CHARS = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
_SKIPPED_LINE = re.compile(r"Skipping line (\d+)")
_UNCLOSED_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")
# Excel may start a CSV with a "sep=;" line naming its separator.
_SEPARATOR_HINT = re.compile(r'\A"?sep=([^\r\n"])"?[ \t]*\r?\n', re.IGNORECASE)
BINARY_FILE = ("This does not look like a CSV text file (it contains binary data). "
               "Save your spreadsheet as CSV (UTF-8) and try again.")
def _human_size(n_bytes: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n_bytes >= scale:
            value = n_bytes / scale
            shown = f"{value:,.0f}" if value >= 10 else f"{value:.1f}".removesuffix(".0")
            return f"{shown} {unit}"
    return f"{n_bytes:,} bytes"


def _subject(name: str) -> str:
    return name[:1].upper() + name[1:] if name.startswith("the ") else name


def _empty_file(name: str, for_prediction: bool = False) -> DataError:
    wanted = "the texts to predict, one per row" if for_prediction else \
        "at least a few rows of data"
    return DataError(f"{_subject(name)} is empty. Choose a CSV file with a header row "
                     f"and {wanted}.")


def _check_size(size: int, max_bytes: int, name: str) -> None:
    if size > max_bytes:
        shown, limit = _human_size(size), _human_size(max_bytes)
        # Rounding can make both sizes read the same ("200 MB; the limit is 200 MB").
        over = f"is {shown}; the limit is {limit}" if shown != limit else \
            f"is slightly too big: the limit is {limit}"
        raise DataError(f"{_subject(name)} {over}. Use a smaller sample of your data.")


def _read_bytes(source, max_bytes: int, name: str) -> bytes:
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            found = path.is_file()
        except OSError:  # e.g. a name too long for the file system
            found = False
        if not found:
            raise DataError(f"Cannot find the file '{path.name}'. Check the name and try again.")
        _check_size(path.stat().st_size, max_bytes, name)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise DataError(f"Cannot open '{path.name}': {exc.strerror or exc}.") from exc
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        size = getattr(source, "size", None)
        if isinstance(size, int):
            _check_size(size, max_bytes, name)
        data = source.getvalue() if hasattr(source, "getvalue") else source.read()
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    _check_size(len(data), max_bytes, name)
    return data


def _utf16_without_bom(head: bytes) -> str | None:
    even, odd = head[0::2], head[1::2]
    if len(odd) > 8 and odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if len(even) > 8 and even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _is_utf8(data: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # Chunked so a 200 MB file never becomes a 800 MB str just to be checked.
        for start in range(0, len(data), 8 * 1024 * 1024):
            decoder.decode(data[start:start + 8 * 1024 * 1024])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _detect_encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if data.startswith(b"PK\x03\x04"):
        raise _zip_error(data)
    head = data[:SNIFF_CHARS]
    if b"\x00" in head:
        encoding = _utf16_without_bom(head)
        if encoding is None:
            raise DataError(BINARY_FILE)
        return encoding
    if _is_utf8(data):
        return "utf-8"
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _zip_error(data: bytes) -> DataError:
    """Excel workbooks are zips; any other readable zip gets its own advice."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        names = None
    if names is not None and not any(n.startswith("xl/") for n in names):
        return DataError("This is a compressed zip archive, not a CSV file. Unzip it and "
                         "upload the CSV file that is inside.")
    return DataError("This looks like an Excel workbook, not a CSV file. In Excel choose "
                     "File > Save As > CSV UTF-8, then upload that file.")


def _text_sample(data: bytes, encoding: str) -> tuple[str, bool]:
    """The first ~64 KB of text, cut at a line end, and whether it is cut."""
    sample = data[: SNIFF_CHARS * 4].decode(encoding, errors="ignore")
    truncated = len(sample) > SNIFF_CHARS or len(data) > SNIFF_CHARS * 4
    if truncated:
        sample = sample[:SNIFF_CHARS]
        sample = sample[: sample.rfind("\n") + 1] or sample
    controls = sum(sample.count(c) for c in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x1a\x1b")
    if controls > max(2, len(sample) // 100):
        raise DataError(BINARY_FILE)
    return sample.lstrip("\ufeff"), truncated


def _sample_rows(sample: str, delimiter: str, truncated: bool) -> list[list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
    except csv.Error:
        return []
    if truncated and len(rows) > 1:
        rows = rows[:-1]  # may have been cut in the middle of a record
    return [row for row in rows if any(cell.strip() for cell in row)][:200]


def _modal_width(rows: list[list[str]]) -> tuple[int, float]:
    if not rows:
        return 0, 0.0
    width, hits = Counter(len(row) for row in rows).most_common(1)[0]
    return width, hits / len(rows)


def _sniff_delimiter(sample: str, truncated: bool) -> str:
    try:
        guess = csv.Sniffer().sniff(sample[:16384], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        guess = ","
    order = [guess] + [d for d in DELIMITERS if d != guess]
    scores = []
    for rank, delimiter in enumerate(order):
        width, consistency = _modal_width(_sample_rows(sample, delimiter, truncated))
        scores.append((width > 1, round(consistency, 2), -rank, delimiter))
    return max(scores)[-1]


def _is_number(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False


def _cell_verdict(cell: str, column: list[str]) -> str:
    """'header', 'data!' (sure), 'data' (plausible) or '?' for one first-row cell."""
    if sum(map(_is_number, column)) >= 0.9 * len(column):
        return "data!" if _is_number(cell) else "header"
    distinct = set(column)
    if cell in distinct and len(distinct) <= config.MAX_CLASSES and len(distinct) < len(column):
        return "data!"
    median_length = float(np.median([len(value) for value in column]))
    if median_length >= 20 and len(cell) >= 0.5 * median_length and len(cell.split()) >= 3:
        return "data"
    return "?"


def _first_row_is_data(rows: list[list[str]]) -> bool:
    if len(rows) < 3:
        return False
    verdicts = []
    for i, cell in enumerate(rows[0]):
        column = [row[i].strip() for row in rows[1:] if i < len(row) and row[i].strip()]
        if cell.strip() and column:
            verdicts.append(_cell_verdict(cell.strip(), column))
    if not verdicts or "header" in verdicts:
        return False
    return "data!" in verdicts or "?" not in verdicts


def _unique_names(raw: list[str], width: int) -> list[str]:
    names: list[str] = []
    for i in range(width):
        base = (raw[i].strip() if i < len(raw) else "") or f"column_{i + 1}"
        candidate, copy = base, 1
        while candidate in names:
            copy += 1
            candidate = f"{base} ({copy})"
        names.append(candidate)
    return names


def _raise_if_unclosed_quote(exc: Exception) -> None:
    found = _UNCLOSED_QUOTE.search(str(exc))
    if found:
        line = int(found.group(1)) + 1
        raise DataError(f"A quotation mark (\") near line {line:,} opens a text that is never "
                        "closed, so the rest of the file cannot be read. Fix that line in a "
                        "spreadsheet or text editor, save as CSV and try again.") from exc


def _parse(data: bytes, encoding: str, options: dict) -> tuple[pd.DataFrame, int]:
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = pd.read_csv(io.BytesIO(data), encoding=encoding, engine="c",
                             on_bad_lines="warn", **options)
        return df, [int(n) for w in caught for n in _SKIPPED_LINE.findall(str(w.message))]
    except (pd.errors.ParserError, ValueError, csv.Error, UnicodeError) as exc:
        _raise_if_unclosed_quote(exc)  # the python engine would silently drop the rest
    bad_lines: list = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = pd.read_csv(io.BytesIO(data), encoding=encoding, engine="python",
                         on_bad_lines=lambda line: bad_lines.append(line), **options)
    return df, [None] * len(bad_lines)  # this engine does not say where they were


def read_csv(source, *, max_bytes: int = config.MAX_CSV_BYTES, name: str = "the file",
             for_prediction: bool = False, header: bool | None = None) -> pd.DataFrame:
    """Read a user's CSV as strings; see ``df.attrs`` for how it was read.

    ``header`` says whether the first row holds column names; None guesses it (the guess
    is in ``df.attrs["has_header"]``), True or False is the user's correction of a guess.
    Without a header the columns are named column_1, column_2, ...
    ``for_prediction`` reads a file of new texts (the Predict page): one column is enough,
    as no label is needed, and rows are kept in place (see ``_prediction_rows``).
    """
    data = _read_bytes(source, max_bytes, name)
    if not data or data.isspace():
        raise _empty_file(name, for_prediction)
    encoding = _detect_encoding(data)
    sample, truncated = _text_sample(data, encoding)
    if not sample.strip():
        raise _empty_file(name, for_prediction)
    hint = _SEPARATOR_HINT.match(sample)
    if hint:
        sample = sample[hint.end():]
    delimiter = hint.group(1) if hint else _sniff_delimiter(sample, truncated)
    rows = _sample_rows(sample, delimiter, truncated)
    has_header = not _first_row_is_data(rows) if header is None else header
    width = max(len(rows[0]) if rows else 0, _modal_width(rows)[0])
    names = _unique_names(rows[0] if has_header and rows else [], width)
    one_column = for_prediction and width == 1
    skip = (1 if hint else 0) + (_leading_blank_lines(sample) if one_column else 0)
    options = dict(sep=delimiter, header=0 if has_header else None, names=names, dtype=str,
                   keep_default_na=True, index_col=False, skip_blank_lines=not one_column,
                   skiprows=skip or None)
    try:
        df, skipped = _parse(data, encoding, options)
    except DataError:
        raise
    except UnicodeError as exc:  # e.g. a UTF-16 byte-order mark in front of binary data
        raise DataError(BINARY_FILE) from exc
    except Exception as exc:  # any parser failure is a problem with the file, not a crash
        raise DataError(f"{_subject(name)} could not be read as a CSV table ({exc}). "
                        "Open it in a spreadsheet, save it as CSV (UTF-8) and try again.") from exc
    df = _prediction_rows(df, one_column) if for_prediction else df.dropna(how="all")
    df = df.reset_index(drop=True)
    if for_prediction:
        _check_texts_shape(df, name)
    else:
        _check_shape(df, name)
    header_width = len(rows[0]) if has_header and rows else width
    df.attrs.update(skipped_rows=len(skipped), skipped_lines=[n for n in skipped if n],
                    # A file of new texts has no label column to tell a row's end by.
                    merged_lines=[] if for_prediction else _rows_read_as_one(
                        df, data, encoding, delimiter),
                    encoding=encoding, delimiter=delimiter, has_header=has_header,
                    unnamed_columns=names[header_width:],
                    # Header cells left empty (QA: a silent "column_2"), when it is a header.
                    nameless_columns=[names[i] for i, cell in enumerate(rows[0] if rows else [])
                                      if has_header and not cell.strip()])
    return df


def _rows_read_as_one(df: pd.DataFrame, data: bytes, encoding: str, delimiter: str) -> list[int]:
    """The file's lines where a quotation mark left open swallowed the rest of the row.

    Such a quote runs on to the next one, often on the next line: two rows become one
    text with no error (browser QA: 59 rows read from 60). The sign: a text whose first
    line is a whole row by itself, ending in one of the last column's values.
    """
    last = df.iloc[:, -1].dropna() if df.shape[1] >= 2 else pd.Series(dtype=object)
    answers = set(last.unique()) if 0 < last.nunique() <= config.MAX_CLASSES else set()
    firsts = []
    for position in range(df.shape[1] - 1 if answers else 0):
        column = df.iloc[:, position].dropna().astype(str)
        for cell in column[column.str.contains("\n", regex=False)]:
            first = cell.split("\n", 1)[0]
            fields = next(csv.reader([first], delimiter=delimiter), [])
            if len(fields) == df.shape[1] - position and fields[-1].strip() in answers:
                firsts.append(first)
    if not firsts:
        return []
    text = data.decode(encoding, errors="replace")
    starts = (text.find(first) for first in firsts)
    return sorted({text.count("\n", 0, start) + 1 for start in starts if start >= 0})


def _check_shape(df: pd.DataFrame, name: str) -> None:
    if df.shape[1] < 2:
        raise DataError(f"{_subject(name)} has only one column. LSTM Studio needs at least two: "
                        "one with the text and one with the label (the answer to learn). "
                        "If your file uses another separator, save it as a comma-separated CSV.")
    if len(df) == 0:
        raise NoDataRowsError(f"{_subject(name)} has a header row but no data rows. "
                        "Add rows of data below the header and try again.")


def _leading_blank_lines(sample: str) -> int:
    return re.match(r"(?:[ \t]*\r?\n)*", sample).group(0).count("\n")


def _prediction_rows(df: pd.DataFrame, one_column: bool) -> pd.DataFrame:
    """The rows of a file of texts to predict, one per row of the file, in order.

    Predictions must line up with the user's file, so no row is dropped for being empty:
    a line with a separator or quotes (",", "\"\"") is a row even when all its cells are
    empty. A completely blank line has no cells: in a file of several columns it is
    padding and is skipped (as pandas does), but in a one-column file it is how a
    spreadsheet saves an empty cell, so there it is an empty row (read with
    skip_blank_lines off). Empty rows after the last text are not rows of data (a file
    may end in blank lines), so a one-column file drops those.
    """
    if not one_column:
        return df
    filled = np.flatnonzero(df.notna().any(axis=1).to_numpy())
    return df.iloc[: filled[-1] + 1 if len(filled) else 0]


def _check_texts_shape(df: pd.DataFrame, name: str) -> None:
    if len(df) == 0:
        raise NoDataRowsError(f"{_subject(name)} has a header row but no texts below it. "
                        "Add the texts to predict, one per row, and try again.")
