"""Pre-trained word vectors (GloVe text format) for the embedding layer."""

from __future__ import annotations

from pathlib import Path

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
    return (f"Only {found:,} of the {checked:,} most frequent words of your texts have a vector "
            "in this file, so most words still start random and the vectors can help little. A file for the "
            "same language usually covers most of them: check the language, and keep "
            "“Lowercase everything” on (Data page) for lowercase vectors such as GloVe.")


CHECKED_VECTOR_LINES = 20  # lines read as numbers even for unwanted words: the format check


def _read_vector_file(path: Path, wanted: set[str]) -> tuple[dict[str, np.ndarray], int]:
    """The vectors of ``wanted`` words, and the numbers per word.

    Only wanted words' numbers are parsed (a GloVe file has ~400,000 lines), except
    on the first CHECKED_VECTOR_LINES lines, so that a file of plain text is refused.
    """
    vectors: dict[str, np.ndarray] = {}
    dim = None
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line_no, line in enumerate(handle, start=1):
                parts = line.rstrip().split(" ")
                if len(parts) < 3:
                    continue  # blank lines or a word2vec "count dim" header
                if dim is None:
                    dim = len(parts) - 1
                elif len(parts) - 1 != dim:
                    raise SpecError(f"The vectors file is inconsistent: line {line_no} has "
                                    f"{len(parts) - 1} numbers but earlier lines have {dim}. "
                                    "Use a GloVe-format file: a word, then the same number of values on every line.")
                if parts[0] in wanted or line_no <= CHECKED_VECTOR_LINES:
                    values = np.asarray(parts[1:], dtype="float32")
                    _check_finite(values, line_no)
                    if parts[0] in wanted:
                        vectors[parts[0]] = values
    except ValueError as exc:
        raise SpecError("The vectors file has values that are not numbers. "
                        "Use a GloVe-format text file (a word followed by numbers).") from exc
    except OSError as exc:
        raise SpecError(f"The vectors file could not be read: {exc.strerror}.") from exc
    if dim is None:
        raise SpecError("The vectors file has no vectors in it. Use a GloVe-format text file.")
    return vectors, dim


def _check_finite(values: np.ndarray, line_no: int) -> None:
    """QA: one "nan" in a vector made every loss NaN, and the run still said "Finished"."""
    if not np.isfinite(values).all():
        raise SpecError(f"The vectors file has a value that is not a usable number on line "
                        f"{line_no} (nan or inf). Fix or remove that line, or use another file.")
