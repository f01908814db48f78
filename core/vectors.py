"""Pre-trained word vectors (GloVe text format) for the embedding layer."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import zipfile
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

import numpy as np

from core.errors import SpecError
from core.model import PAD_ID


def load_glove(path: str | Path, vocabulary: list[str], seed: int = 0) -> tuple[np.ndarray, int]:
    """Embedding matrix for [pad, unk] + vocabulary from a GloVe-format text file.

    Words missing from the file get small random vectors. Returns (matrix, words found).
    """
    vectors, dim = _read_vector_file(Path(path), set(vocabulary))
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0, 0.1, size=(len(vocabulary) + 2, dim)).astype("float32")
    matrix[PAD_ID] = 0.0
    found = 0
    for i, word in enumerate(vocabulary, start=2):
        if word in vectors:
            matrix[i] = vectors[word]
            found += 1
    return matrix, found


def check_vectors(path: str | Path, words: list[str]) -> tuple[int, int]:
    """(numbers per word, how many of ``words`` have a vector) for an uploaded vectors file.

    SpecError for a file that is not in GloVe format, or that has none of ``words``:
    its vectors would add nothing, which is most likely the wrong file or language.
    """
    matrix, found = load_glove(path, words)
    if not found:
        raise SpecError(f"None of the {len(words):,} most frequent words of your texts is in this "
                        "vectors file, so it would add nothing. Check that it is for the same "
                        "language (and has lowercase words if your texts are lowercased).")
    return int(matrix.shape[1]), found


LOW_COVERAGE = 0.5  # below this share of the frequent words, most words start random


def coverage_warning(found: int, checked: int) -> str | None:
    """A plain warning when few of the most frequent training words have a vector."""
    if not checked or found / checked >= LOW_COVERAGE:
        return None
    return (f"Only {found:,} of the {checked:,} most frequent words of your texts "
            f"{'has' if found == 1 else 'have'} a vector "
            "in this file, so most words still start random and the vectors can help little. A file for the "
            "same language usually covers most of them: check the language, and keep "
            "“Lowercase everything” on (Data page) for lowercase vectors such as GloVe.")


STORED_PREFIX = re.compile(r"^[0-9a-f]{12}-")  # stored_name's content hash


def stored_name(content: bytes, upload_name: str) -> str:
    """The file name an uploaded vectors file is kept under: its content's hash (one copy
    per content), then its own name; a .gz or .zip keeps its suffix (read by content)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(upload_name).stem)[:60] or "vectors"
    suffix = Path(upload_name).suffix.lower()
    return (f"{hashlib.sha1(content).hexdigest()[:12]}-{stem}"
            f"{suffix if suffix in ('.gz', '.zip') else '.txt'}")


def uploaded_name(path: str | Path) -> str:
    """The upload's own name, as stored_name keeps it, from the stored file's path."""
    return STORED_PREFIX.sub("", Path(str(path).replace("\\", "/")).name)


CHECKED_VECTOR_LINES = 20  # lines read as numbers even for unwanted words: the format check
GLOVE_FORMAT = ("Use a GloVe-format text file: a word, then its numbers, separated by spaces, "
                "the same count on every line.")
SEPARATORS = re.compile(r"[ \t]+")  # tabs and double spaces too (QA: a tab file had "no vectors")


def _read_vector_file(path: Path, wanted: set[str]) -> tuple[dict[str, np.ndarray], int]:
    """The vectors of ``wanted`` words, and the numbers per word.

    Only wanted words' numbers are parsed (a GloVe file has ~400,000 lines), except
    on the first CHECKED_VECTOR_LINES lines, so that a file of plain text is refused.
    """
    vectors: dict[str, np.ndarray] = {}
    dim, one_number_lines = None, 0
    try:
        with ExitStack() as stack:
            for line_no, line in enumerate(_text_lines(path, stack), start=1):
                parts = _fields(line)
                if len(parts) < 3:  # blank lines or a word2vec "count dim" header
                    one_number_lines += len(parts) == 2
                    continue
                if dim is None:
                    dim = len(parts) - 1
                elif len(parts) - 1 != dim:
                    raise SpecError(f"The vectors file is inconsistent: line {line_no} has "
                                    f"{len(parts) - 1} numbers but earlier lines have {dim}. "
                                    + GLOVE_FORMAT)
                if parts[0] in wanted or line_no <= CHECKED_VECTOR_LINES:
                    values = _numbers(parts[1:], line_no)
                    if parts[0] in wanted:
                        vectors[parts[0]] = values
    except (OSError, EOFError, zipfile.BadZipFile) as exc:  # gzip's BadGzipFile is an OSError
        reason = getattr(exc, "strerror", None) or "it is damaged or cut short"
        raise SpecError(f"The vectors file could not be read: {reason}.") from exc
    if dim is None:
        raise SpecError("Each line of the vectors file has a word and only one number, but a "
                        "word vector has several (GloVe's have 50 to 300). " + GLOVE_FORMAT
                        if one_number_lines else
                        "The vectors file has no vectors in it. " + GLOVE_FORMAT)
    return vectors, dim


def _fields(line: str) -> list[str]:
    line = line.strip(" \t\r\n")
    parts = line.split(" ")
    if "\t" in line or "" in parts:  # rare: the regular expression costs 3x on every line
        parts = SEPARATORS.split(line)
    return parts


def _text_lines(path: Path, stack: ExitStack) -> io.TextIOWrapper:
    """The file's lines: plain, gzip-compressed or a zip of one file; UTF-8 or UTF-16."""
    stream = _unpacked(stack.enter_context(open(path, "rb")), stack)
    utf16 = stream.peek(2)[:2] in (b"\xff\xfe", b"\xfe\xff")  # its byte order mark
    if b"\0" in stream.peek(512)[:512] and not utf16:
        raise SpecError("The vectors file is not a text file. " + GLOVE_FORMAT)
    encoding = "utf-16" if utf16 else "utf-8-sig"
    return stack.enter_context(io.TextIOWrapper(stream, encoding=encoding, errors="replace"))


def _unpacked(raw: BinaryIO, stack: ExitStack) -> io.BufferedReader:
    """GloVe downloads come zipped (QA: a .gz or .zip was refused without a word on why)."""
    magic = raw.read(4)
    raw.seek(0)
    if magic[:2] == b"\x1f\x8b":
        return io.BufferedReader(stack.enter_context(gzip.open(raw)))
    if magic != b"PK\x03\x04":
        return io.BufferedReader(raw)
    archive = stack.enter_context(zipfile.ZipFile(raw))
    files = [name for name in archive.namelist() if not name.endswith("/")]
    if len(files) != 1:
        listed = ", ".join(files[:4]) + (", …" if len(files) > 4 else "")
        raise SpecError(f"The zip file holds {len(files)} files ({listed}). Unzip it and "
                        "upload the one vectors file you want (the 50- or 100-number one "
                        "trains fastest).")
    return io.BufferedReader(stack.enter_context(archive.open(files[0])))


def _numbers(texts: list[str], line_no: int) -> np.ndarray:
    try:
        values = np.asarray(texts, dtype="float32")
    except ValueError:
        bad = next(text for text in texts if not _is_number(text))
        shown = "".join(c for c in bad[:20] if c.isprintable())
        raise SpecError(f"Line {line_no} of the vectors file has “{shown}” where a number "
                        "should be. " + GLOVE_FORMAT) from None
    _check_finite(values, line_no)
    return values


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_finite(values: np.ndarray, line_no: int) -> None:
    """QA: one "nan" in a vector made every loss NaN, and the run still said "Finished"."""
    if not np.isfinite(values).all():
        raise SpecError(f"The vectors file has a value that is not a usable number on line "
                        f"{line_no} (nan or inf). Fix or remove that line, or use another file.")
