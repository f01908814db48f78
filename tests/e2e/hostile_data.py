"""A small two-class CSV whose texts, class name and file name try to inject HTML, script and markdown."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
BOLD_TAG = "<b>bold?</b>"
JS_LINK = "[click](javascript:alert(1))"
MD_BOLD = "**not bold**"
PAYLOADS = (SCRIPT, IMG, BOLD_TAG, JS_LINK, MD_BOLD)
TYPED_ATTACK = '<img src=x onerror="window.__pwned=3"> great'

# One class name is itself markup: it reaches selectboxes, charts and sentences.
GOOD, BAD = "<i>good</i>", "bad"
FILE_NAME = "reviews **bold** [x](javascript:alert(2)).csv"
ROWS_PER_CLASS = 16

_GOOD_WORDS = ("great", "wonderful", "lovely", "excellent")
_BAD_WORDS = ("awful", "boring", "terrible", "dreadful")
_THINGS = ("film", "story", "acting", "music")


def hostile_rows() -> list[tuple[str, str]]:
    """Every text carries every payload, so any preview of any split shows them all."""
    payload = " ".join(PAYLOADS)
    rows = []
    for label, words in ((GOOD, _GOOD_WORDS), (BAD, _BAD_WORDS)):
        pairs = itertools.islice(itertools.product(words, _THINGS, (1, 2)), ROWS_PER_CLASS)
        for word, thing, n in pairs:
            ordinary = f"The {thing} was {word}, really {word}" + (" again" if n == 2 else "")
            rows.append((f"{ordinary}. {payload}", label))
    return rows


def write_hostile_csv(folder: Path) -> Path:
    path = folder / FILE_NAME
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(hostile_rows())
    return path
