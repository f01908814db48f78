"""The Data page's "See what the model sees": the validation texts as the model reads them."""

from __future__ import annotations

import dataclasses
import html

import streamlit as st

from core import data, text
from core.config import ModelSpec
from ui import state

PREVIEW_TEXTS = 3
PREVIEW_CHARS = 600
TOKEN_CSS = ("<style>.lsv-tok{background:#dbeafe;border-radius:4px;padding:0 5px;margin:2px;font-size:0.9em;"
             "display:inline-block}.lsv-unk{background:#fee2e2;color:#991b1b;"
             "border:1px dashed #dc2626;text-decoration:line-through}"
             ".lsv-text{margin:0.8em 0 0.2em 0;color:#475569}</style>")


def _reading_settings() -> ModelSpec:
    """The defaults, with the vocabulary and tokens read chosen on Model & Train, if any
    (QA: at vocabulary 100 and 10 tokens this view still showed the defaults' words)."""
    spec, chosen = ModelSpec(), st.session_state.get
    return dataclasses.replace(spec, vocab_size=int(chosen(state.W_VOCAB, spec.vocab_size)),
                               max_tokens=int(chosen(state.W_MAX_TOKENS, spec.max_tokens)),
                               min_freq=int(chosen(state.W_MIN_FREQ, spec.min_freq)))


def _preview_vocabulary(dataset: data.Dataset, lowercase: bool,
                        spec: ModelSpec) -> tuple[set[str], float]:
    """The vocabulary of the training split, remembered per dataset and settings."""
    remembered = st.session_state.get(state.PREVIEW_VOCAB)
    settings = (spec.vocab_size, spec.min_freq, lowercase)
    if remembered is not None and remembered[0] is dataset and remembered[1] == settings:
        return remembered[2], remembered[3]
    vocabulary = set(text.build_vocabulary(dataset.train.texts, spec.vocab_size, spec.min_freq,
                                           lowercase))
    rate = text.oov_rate(dataset.valid.texts, vocabulary, lowercase)
    st.session_state[state.PREVIEW_VOCAB] = (dataset, settings, vocabulary, rate)
    return vocabulary, rate


def tokens_html(tokens: list[tuple[str, bool]]) -> str:
    """Token boxes; every token is escaped, unknown ones are struck through in red."""
    spans = []
    for token, known in tokens:
        css, tip = ("lsv-tok", "in the vocabulary") if known else \
            ("lsv-tok lsv-unk", "not in the vocabulary: the model sees [UNK]")
        spans.append(f'<span class="{css}" title="{tip}">{html.escape(token)}</span>')
    return " ".join(spans)


def model_view(dataset: data.Dataset, lowercase: bool) -> None:
    spec = _reading_settings()
    # Worked out only while open: the vocabulary of 800,000 training texts took 4 s on every
    # click of the Data page, folded or not (1M-row upload, one-off profile).
    box = st.expander("See what the model sees", icon=":material/visibility:",
                      key=state.W_MODEL_SEES_BOX, on_change="rerun")
    if not box.open:
        return
    with box:
        vocabulary, rate = _preview_vocabulary(dataset, lowercase, spec)
        st.markdown(
            f"Each text becomes a list of words (tokens) without punctuation: the marks are "
            f"dropped, not replaced by spaces, so “don't” becomes “dont” and “e-mail” becomes "
            f"“email”, exactly as the model reads them. The model knows the "
            f"{len(vocabulary):,} most frequent words of the training texts (its vocabulary, "
            "as set on Model & Train); "
            f"{rate:.0%} of the words in the validation texts are not among them "
            "(<span class='lsv-tok lsv-unk'>struck through</span>: "
            "the model only sees 'unknown word' there). These are texts held back from training, "
            "like the new texts the model will meet." + TOKEN_CSS, unsafe_allow_html=True)
        for raw in dataset.valid.texts[:PREVIEW_TEXTS]:
            tokens = text.tokenize(raw, lowercase)
            marked = text.mark_oov(raw, vocabulary, lowercase, max_tokens=spec.max_tokens)
            cut = len(tokens) - len(marked)
            shown = raw if len(raw) <= PREVIEW_CHARS else raw[:PREVIEW_CHARS] + "…"
            more = (f"<br><small>…and {cut:,} more tokens the model does not read "
                    f"(it keeps the first {spec.max_tokens}).</small>") if cut > 0 else ""
            st.markdown(f"<div class='lsv-text'>{html.escape(shown)}</div>"
                        f"<div>{tokens_html(marked)}{more}</div>", unsafe_allow_html=True)
