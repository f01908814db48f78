"""The Data page's cleaning and split settings, in a folded box that names any changes."""

from __future__ import annotations

import streamlit as st

from core.config import CleanSpec
from ui import state, widgets

DEFAULTS = {
    state.W_LOWERCASE: True, state.W_STRIP_HTML: True, state.W_STOPWORDS: False,
    state.W_MAX_WORDS: 0, state.W_DROP_EMPTY: True, state.W_DROP_DUPLICATES: True,
    state.W_VALID_PERCENT: 10, state.W_TEST_PERCENT: 10, state.W_SEED: 42,
}


def changed_cleaning() -> list[str]:
    """The cleaning and split settings that differ from the defaults, in a few words each.

    They stay when another file is loaded; the folded box's title shows them, so a new
    dataset is not cut to five words without a visible hint (browser QA).
    """
    ss = st.session_state
    off = {key: ss[key] != value for key, value in DEFAULTS.items()}
    changed = [words for key, words in (
        (state.W_LOWERCASE, "capitals kept"), (state.W_STRIP_HTML, "HTML kept"),
        (state.W_STOPWORDS, "common words removed"), (state.W_DROP_EMPTY, "empty texts kept"),
        (state.W_DROP_DUPLICATES, "duplicates kept")) if off[key]]
    if off[state.W_MAX_WORDS]:
        changed.insert(0, f"first {ss[state.W_MAX_WORDS]:,} words only")
    if off[state.W_VALID_PERCENT] or off[state.W_TEST_PERCENT]:
        valid, test = ss[state.W_VALID_PERCENT], ss[state.W_TEST_PERCENT]
        changed.append(f"split {100 - valid - test}/{valid}/{test}")
    if off[state.W_SEED]:
        changed.append(f"seed {ss[state.W_SEED]}")
    return changed


def _back_to_defaults() -> None:
    st.session_state.update(DEFAULTS)


def cleaning_and_split() -> tuple[CleanSpec, float, float, int]:
    changed = changed_cleaning()
    title = f"Cleaning and split: {', '.join(changed)}" if changed else \
        "Cleaning and split (optional)"
    with st.expander(title, key=state.W_CLEANING_BOX):
        if changed:
            st.button("Back to the defaults", key=state.W_CLEANING_DEFAULTS,
                      icon=":material/undo:", on_click=_back_to_defaults)
        # Three groups that wrap onto new lines in a narrow window: three columns cut
        # "Remove common words" to one letter at 800 px (browser QA).
        row = widgets.wrapping_row()
        left, middle, right = (row.container(width=widgets.SETTINGS_GROUP_WIDTH) for _ in range(3))
        left.checkbox("Lowercase everything", key=state.W_LOWERCASE)
        left.checkbox("Remove HTML tags and entities", key=state.W_STRIP_HTML)
        left.checkbox("Remove common words (the, of, …)", key=state.W_STOPWORDS,
                      help="Negations such as 'not' are kept.")
        middle.number_input("Keep only the first N words (0 = all)", min_value=0, max_value=100_000,
                            step=50, key=state.W_MAX_WORDS)
        middle.checkbox("Drop rows whose text is empty", key=state.W_DROP_EMPTY)
        middle.checkbox("Drop duplicate rows", key=state.W_DROP_DUPLICATES)
        right.slider("Validation share (%)", 5, 40, key=state.W_VALID_PERCENT,
                     help="Checked after every epoch to see whether the model generalises.")
        right.slider("Test share (%)", 5, 40, key=state.W_TEST_PERCENT,
                     help="Kept aside and scored once at the end.")
        right.number_input("Random seed", min_value=0, max_value=2**31 - 1, key=state.W_SEED,
                           help="The same seed gives the same split every time.")
    ss = st.session_state
    clean = CleanSpec(lowercase=ss[state.W_LOWERCASE], strip_html=ss[state.W_STRIP_HTML],
                      remove_stopwords=ss[state.W_STOPWORDS], max_words=ss[state.W_MAX_WORDS] or None,
                      drop_empty=ss[state.W_DROP_EMPTY], drop_duplicates=ss[state.W_DROP_DUPLICATES])
    return clean, ss[state.W_VALID_PERCENT] / 100, ss[state.W_TEST_PERCENT] / 100, int(ss[state.W_SEED])
