"""A self-contained HTML report of one run: settings, scores, charts and mistakes.

The file opens offline: plotly.js is embedded once (with the first chart) and
every other chart reuses it. Every string that comes from the user (run name,
column and class names, texts, error messages) goes through ``html.escape``;
chart labels are already made inert by ``core.charts.plain``.
"""

from __future__ import annotations

import html
import time

import numpy as np

from core import charts, compare, evaluation, presets, vectors
from core import results as results_lib
from core import runs as runs_lib
from core.errors import StudioError

MISTAKES_SHOWN = 10
NUMBERED = ("Each text keeps its test-text number, such as #7: the one the Evaluate and "
            "Explain pages list it under.")
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1100px; padding: 0 1rem; color: #1e293b; line-height: 1.5; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #e2e8f0; }
.muted { color: #64748b; } .headline { font-size: 1.25rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.95rem; }
th, td { border: 1px solid #e2e8f0; padding: 0.3rem 0.6rem; text-align: left;
         vertical-align: top; }
th { background: #f8fafc; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.error { background: #fef2f2; border: 1px solid #fecaca; padding: 0.6rem; border-radius: 4px; }
@media (max-width: 600px) { table { display: block; overflow-x: auto; } }
"""
# On a phone a wide table scrolls by itself: it made the whole page scroll sideways (QA).


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _share(value) -> "_Percent | None":
    return None if value is None else _Percent(value)


def _number(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return f"{float(value):.{digits}f}"


class _Percent(float):
    """A share shown as "87.5%" in a table cell."""


class _TwoDecimals(float):
    """An error or prediction shown as "3.04", as Evaluate shows it."""


class _AsWritten(float):
    """A true value shown as the data holds it: "1", "4.5"."""


def _two(value) -> "_TwoDecimals | None":
    return None if value is None else _TwoDecimals(value)


_CELL_FORMATS = {_Percent: evaluation.percent, _TwoDecimals: lambda v: f"{v:,.2f}",
                 _AsWritten: lambda v: f"{v:g}"}


def _table(header: list[str], rows: list[list]) -> str:
    """An HTML table; numbers right-aligned, everything escaped."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for cell in row:
            numeric = isinstance(cell, (int, float, np.integer, np.floating)) \
                and not isinstance(cell, bool)
            if numeric:
                shown = _CELL_FORMATS.get(type(cell), _number)(cell)
                cells.append(f'<td class="num">{shown}</td>')
            else:
                cells.append(f"<td>{_e('–' if cell is None else cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class _Figures:
    """Turns plotly figures into HTML divs; only the first one carries plotly.js."""

    def __init__(self, include_plotlyjs: bool | str):
        self.include = include_plotlyjs

    def __call__(self, fig) -> str:
        div = fig.to_html(full_html=False, include_plotlyjs=self.include,
                          config={"displaylogo": False, "responsive": True},
                          default_height="460px")
        if self.include is True:
            self.include = False
        return div


def _epochs(train: dict, status: dict) -> str:
    """Epochs as trained (early stopping, Stop and Train more all change the plan)."""
    done, planned = status.get("epochs_done"), train.get("epochs")
    if done is None:
        return f"{planned} planned"
    target = status.get("target_epochs") or planned
    text = f"{done} trained" + (f" of {target} planned" if target and target != done else "")
    best = status.get("best_epoch")
    return text + (f"; the model from epoch {best} is kept" if best else "")


def _embedding_words(model: dict) -> str:
    """QA: "GloVe vectors" alone named no file, size, or whether training changed them."""
    size = model.get("embedding_dim")
    if not model.get("glove_path"):
        return f"{size} values per word, learned"
    name = vectors.uploaded_name(model["glove_path"])
    kept = "fine-tuned while training" if model.get("trainable_embedding", True) else \
        "kept as uploaded"
    return f"GloVe vectors from {name}, {size} values per word, {kept}"


def _settings_rows(spec: dict, status: dict, ordered: bool = False) -> list[list]:
    """``ordered``: classes scored as a scale too (QA21: the report never said so)."""
    data, model, train = spec.get("data") or {}, spec.get("model") or {}, spec.get("train") or {}
    rows = [["Text column(s)", ", ".join(map(str, data.get("text_columns") or []))],
            ["Label column", data.get("label_column")], ["Task", runs_lib.task_words(spec)]]
    if spec.get("class_names"):
        rows.append(["Classes", ", ".join(map(str, spec["class_names"])) + (
            " (a scale: how far off an answer is counts too)" if ordered else "")])
    if spec.get("source"):
        rows.append(["Data source", spec["source"]])
    if spec.get("rows"):
        rows.append(["Texts (train / validation / test)",
                     " / ".join(f"{spec['rows'].get(k, 0):,}" for k in ("train", "valid", "test"))])
    if model:
        rows += [["Architecture", compare.architecture(model)],
                 ["Each text summarised by",
                  presets.POOLING_WORDS.get(model.get("pooling", "last"), model.get("pooling"))],
                 ["Embedding", _embedding_words(model)],
                 ["Vocabulary / tokens kept per text",
                  f"{model.get('vocab_size'):,} words / {model.get('max_tokens')}"],
                 ["Minimum word frequency", model.get("min_freq", 1)],
                 ["Dropout / recurrent dropout",
                  f"{model.get('dropout')} / {model.get('recurrent_dropout', 0.0)}"]]
    if train:
        rows += [["Optimizer / learning rate", f"{train.get('optimizer')} / {train.get('learning_rate')}"],
                 ["Batch size", train.get("batch_size")],
                 ["Epochs", _epochs(train, status)],
                 ["Early stopping patience", train.get("early_stopping_patience") or "off"],
                 ["Class weights", "on" if train.get("class_weights") else "off"],
                 ["Seed", train.get("seed")]]
    if spec.get("imported"):
        rows.append(["Origin", "Imported model file"])
    # As text, so every value sits on the left: a number among words was pushed right (QA).
    return [[name, value if value is None else str(value)] for name, value in rows]


Choice = tuple[str, float]  # (the class the threshold is about, the threshold on it)


def _saved_choice(store: runs_lib.RunStore, res: results_lib.RunResults) -> Choice | None:
    """The threshold saved on Evaluate for a two-class run, if it names one of its classes."""
    choice = store.threshold_choice(res.run_id) if res.is_binary else None
    # cut_on_second_class ignores any other; the report must not then claim to use it.
    return evaluation.usable_choice(res.class_names, choice)


def _threshold_sentence(res: results_lib.RunResults, choice: Choice | None) -> str:
    """Which cut-off the numbers below follow, in the words of the Evaluate page."""
    positive, value = choice or (res.class_names[1], evaluation.DEFAULT_THRESHOLD)
    other = res.class_names[1 - res.class_names.index(positive)]
    which = (f"the {value:.0%} threshold chosen on the Evaluate page" if choice else
             f"the usual {value:.0%} threshold (another can be chosen on the Evaluate page)")
    return (f"<p>Scored at {which}: a text counts as {_e(positive)} when the model is at "
            f"least {value:.0%} sure it is, otherwise as {_e(other)}.</p>")


def _scores_section(res: results_lib.RunResults, m: evaluation.EvalResult, threshold: str) -> str:
    base = res.baseline
    rows = []
    if res.is_regression:
        rows += [["RMSE (lower is better)", _two(m.rmse), _two(base.rmse if base else None)],
                 ["Average error (MAE)", _two(m.mae), _two(base.mae if base else None)]]
    else:
        rows.append(["Accuracy", _share(m.accuracy), _share(base.accuracy) if base else None])
        if m.roc_auc is not None:
            rows.append(["ROC area", m.roc_auc, None])
        if m.ordinal_rmse is not None:
            rows += [["RMSE of the predicted class", _two(m.ordinal_rmse),
                      _two(base.rmse if base else None)],
                     ["Average error (MAE)", _two(m.ordinal_mae),
                      _two(base.mae if base else None)]]
    parts = [f'<p class="headline">{_e(evaluation.headline(m))}</p>', threshold]
    if base:
        parts.append(f"<p>{_e(base.summary())}</p>")
    parts.append(_table(["Measure", "This model", "Baseline"], rows))
    if m.report:
        never = res.never_predicted(m)  # their precision has no value: "–"
        per_class = [[name, None if name in never else _share(m.report[name]["precision"]),
                      *(_share(m.report[name][k]) for k in ("recall", "f1-score")),
                      int(m.report[name]["support"])]
                     for name in res.class_names if name in m.report]
        parts.append("<h3>Per class</h3>" + _table(
            ["Class", "Precision", "Recall", "F1", "Test texts"], per_class))
    return "".join(parts)


def _charts_section(res: results_lib.RunResults, m: evaluation.EvalResult,
                    choice: Choice | None, records: list[dict], figure: _Figures) -> str:
    second = "rmse" if res.is_regression else "accuracy"
    parts = [figure(charts.training_curves(records, "loss")),
             figure(charts.training_curves(records, second))]
    if m.confusion is not None:
        parts.append(figure(charts.confusion_heatmap(m.confusion, res.class_names,
                                                     normalized=False, what=res.class_word)))
    if res.is_binary:
        # The curves from the class the threshold is about, as Evaluate draws them.
        positive, value = choice or (res.class_names[1], evaluation.DEFAULT_THRESHOLD)
        index = res.class_names.index(positive)
        is_positive, p_positive = (np.asarray(res.y) == index).astype(int), res.scores[:, index]
        curves = evaluation.threshold_curves(is_positive, p_positive)
        at = evaluation.metrics_at_threshold(is_positive, p_positive, value)  # exact when thinned
        roc, pr = charts.roc_pr(curves, threshold=value, at=at)
        parts += [figure(roc), figure(pr)]
    values = res.true_and_predicted_values()
    if values is not None:
        parts.append(figure(charts.predicted_vs_true(*values, predicted_classes=res.is_ordinal)))
    return "".join(parts)


def _mistakes_section(res: results_lib.RunResults, cut: float) -> str:
    mistakes = res.mistakes(n=MISTAKES_SHOWN, threshold=cut)
    if not mistakes:
        return "<p>The model got every test text right.</p>"
    return _mistakes_table(res, cut, mistakes) + f'<p class="muted">{NUMBERED}</p>'


def _mistakes_table(res: results_lib.RunResults, cut: float, mistakes: list) -> str:
    """The first column is each text's number on Evaluate and Explain ("#7")."""
    first = ["Test text", "Text"]
    if res.is_regression:
        rows = [[results_lib.mistake_number(m), m.text, _AsWritten(m.true_label),
                 _two(m.predicted_label), _two(m.error)] for m in mistakes]
        return _table(first + ["True value", "Predicted", "Off by"], rows)
    if res.is_ordinal:  # sorted as Evaluate sorts them: the furthest off first
        rows = [[results_lib.mistake_number(m), m.text, m.true_label, m.predicted_label,
                 _AsWritten(m.error), _share(m.confidence)] for m in mistakes]
        return (f"<p>{results_lib.FURTHEST_OFF_FIRST}</p>"
                + _table(first + ["True class", "Predicted class", "Off by", "Confidence"],
                         rows))
    rows = [[results_lib.mistake_number(m), m.text, m.true_label, m.predicted_label,
             _share(m.confidence)] for m in mistakes]
    if res.is_binary and cut != evaluation.DEFAULT_THRESHOLD:
        # As on Evaluate: at another threshold an answer can have a chance under 50%, which
        # "confidence" would misstate, and worst_mistakes sorts by the distance past it.
        return ("<p>These wrong answers are the furthest past the threshold, furthest first. "
                "At a threshold other than 50% the model can give its answer under 50%.</p>"
                + _table(first + ["True class", "Predicted class", "Chance of its answer"],
                         rows))
    return _table(first + ["True class", "Predicted class", "Confidence"], rows)


def build_report(store: runs_lib.RunStore, run_id: str,
                 include_plotlyjs: bool | str = True) -> str:
    """The whole report as one HTML document (``include_plotlyjs="cdn"`` makes it small)."""
    info = store.info(run_id)
    figure = _Figures(include_plotlyjs)
    created = time.strftime("%d %B %Y, %H:%M", time.localtime(info.created)) if info.created else ""
    status = compare.status_words(info)
    body = [f"<h1>{_e(info.name)}</h1>",
            f'<p class="muted">LSTM Studio run report · status: {_e(status)} · '
            f"created {_e(created)}</p>"]
    if info.state.get("error"):
        body.append(f'<p class="error">{_e(info.state["error"])}</p>')
    unreadable = ""
    try:
        res = results_lib.load_results(store, run_id) if results_lib.has_results(store, run_id) else None
    except StudioError as exc:
        res, unreadable = None, f"<p>{_e(exc)}</p>"
    rows = _settings_rows(info.spec, info.state, ordered=bool(res and res.is_ordinal))
    body += ["<h2>Settings</h2>", _table(["Setting", "Value"], rows), unreadable]
    if res is None:
        why = (" yet: it is still training or waiting to train, and they are written when "
               "it ends" if info.is_active else "")  # QA: a training run's report said only this
        body.append(f"<h2>Results</h2><p>This run has no test results{why}.</p>")
    else:
        records, _ = store.read_metrics(run_id)
        # Two classes: every number, chart and mistake follows the threshold saved on Evaluate.
        choice = _saved_choice(store, res)
        cut = evaluation.cut_on_second_class(res.class_names, choice)  # on p(class_names[1])
        m = res.at_threshold(cut)
        threshold = _threshold_sentence(res, choice) if res.is_binary else ""
        body += ["<h2>How well it does on the test texts</h2>", _scores_section(res, m, threshold),
                 "<h2>Charts</h2>", _charts_section(res, m, choice, records, figure),
                 "<h2>The texts it got most wrong</h2>", _mistakes_section(res, cut)]
    body.append(f'<p class="muted">Made with LSTM Studio on '
                f'{_e(time.strftime("%d %B %Y, %H:%M"))}.</p>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(info.name)} · LSTM Studio report</title>"
            f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n")


def report_file_name(name: str) -> str:
    return safe_file_stem(name) + "-report.html"


def safe_file_stem(name: str, fallback: str = "run") -> str:
    """A file name part with only letters, digits, '-' and '_' (at most 60 characters)."""
    stem = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-"
                   for ch in str(name)).strip("-")
    while "--" in stem:
        stem = stem.replace("--", "-")
    return stem[:60] or fallback
