"""Plotly figure builders. Pages only call these and hand the figure to Streamlit.

Plotly renders a subset of HTML in titles, tick labels, legends and hover text,
so every string that comes from user data goes through ``plain`` first.
Explain's word-weight bars are in ``core.word_bars``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from core import evaluation
from core.compare import curves_on_others

TEMPLATE = "plotly_white"
MARGIN = dict(l=10, r=10, t=50, b=10)
TRAIN_COLOR = "#2563eb"
VALID_COLOR = "#f97316"
POSITIVE_COLOR = "rgb(22, 163, 74)"
NEGATIVE_COLOR = "rgb(220, 38, 38)"
MUTED_COLOR = "#94a3b8"
MAX_LINE_POINTS = 2000  # a live chart redrawn every second must stay light
MAX_SCATTER_POINTS = 5000
DASHES = ("dash", "dot", "dashdot", "longdash")  # runs drawn over another run's curve
# Runs compared side by side: a colour and a marker each. Okabe and Ito's colours, told
# apart with colour blindness too (yellow left out: faint on white), and with plotly's ten
# colours the 11th run was the 1st's blue, and deuteranopia merged pairs of them (QA).
RUN_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
RUN_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "triangle-down",
               "cross", "pentagon", "hexagon")  # 7 x 10: no two of the first 70 runs alike
LEGEND_ROW_PX = 22  # the compared runs' legend grows the chart, not squeezes the plot
COMPARE_HEIGHT = 420  # with one legend row per run on a phone, the plot keeps this much
METRIC_LABELS = {"loss": "Loss", "accuracy": "Accuracy", "rmse": "RMSE", "mae": "MAE"}


def plain(value) -> str:
    """User text made inert for plotly: ``<``, ``>`` and ``&`` are shown, not parsed."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def metric_label(metric: str) -> str:
    """"val_loss" -> "Validation loss", "accuracy" -> "Accuracy"."""
    if metric.startswith("val_"):
        return "Validation " + metric_label(metric[4:]).lower().replace("rmse", "RMSE")
    return METRIC_LABELS.get(metric, metric.replace("_", " ").capitalize())


# Plotly's tool bar keeps zoom, reset and the picture download. With all eight buttons
# it covered the chart titles in a phone-wide window (browser QA).
SPARE_BUTTONS = ("pan", "zoomin", "zoomout", "autoscale", "select", "lasso")


def finish(fig: go.Figure, title: str, **layout) -> go.Figure:
    """The look every chart shares: template, margins and title; axes make room for labels."""
    layout.setdefault("margin", MARGIN)
    fig.update_layout(template=TEMPLATE, title=dict(text=title), modebar_remove=SPARE_BUTTONS,
                      **layout)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def empty_figure(title: str, message: str = "No data yet") -> go.Figure:
    """A valid figure with no traces and a centred message."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font=dict(size=16, color=MUTED_COLOR))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, title)


def _thin(xs: list, ys: list, limit: int = MAX_LINE_POINTS) -> tuple[list, list]:
    """Every k-th point so at most ``limit`` remain; the last point is always kept."""
    if len(xs) <= limit:
        return xs, ys
    step = int(np.ceil(len(xs) / limit))
    keep = list(range(0, len(xs), step))
    if keep[-1] != len(xs) - 1:
        keep.append(len(xs) - 1)
    return [xs[i] for i in keep], [ys[i] for i in keep]


# More points than this and the markers merge into a thick band (QA: 132 epochs); the line
# alone reads better, and hovering still gives each point.
MARKED_POINTS_MAX = 40


def _line(xs, ys, name, color, x_label, markers=True) -> go.Scatter:
    markers = markers and len(xs) <= MARKED_POINTS_MAX
    return go.Scatter(
        x=xs, y=ys, name=name, mode="lines+markers" if markers else "lines",
        # No <extra>: plotly adds the trace name itself, so a run label is never a template.
        line=dict(color=color), hovertemplate=f"{x_label} %{{x}}<br>%{{y:.4f}}",
    )


# ---------------------------------------------------------------- training

def _points(records, kind: str, x_key: str, y_key: str) -> tuple[list, list]:
    rows = [r for r in records if r.get("kind") == kind and r.get(y_key) is not None
            and r.get(x_key) is not None]
    return [r[x_key] for r in rows], [float(r[y_key]) for r in rows]


def _epoch_end_steps(records) -> dict:
    """The last batch step seen in each epoch, where its validation point belongs."""
    ends: dict = {}
    for r in records:
        if r.get("kind") == "batch" and r.get("step") is not None:
            ends[r.get("epoch")] = max(r["step"], ends.get(r.get("epoch"), r["step"]))
    return ends


def _validation_at_steps(records, metric: str) -> tuple[list, list]:
    """Validation points at the step where their epoch ended.

    Epoch records carry that step; older records fall back to the last batch seen.
    """
    ends = _epoch_end_steps(records)
    steps, values = [], []
    for r in records:
        value = r.get("val_" + metric)
        if r.get("kind") != "epoch" or value is None:
            continue
        step = r.get("step", ends.get(r.get("epoch")))
        if step is not None:
            steps.append(step)
            values.append(float(value))
    return steps, values


def _training_at_steps(records, metric: str) -> tuple[list, list]:
    """Batch points at the middle of the batches they average; older runs' as they were.

    Each batch point is the mean over the batches since the point before
    (core.fit_callback.means_since), drawn at their middle ("mid_step"), and the worker
    closes every epoch with one. Runs trained before that wrote Keras' running mean of
    the epoch at its last batch and no closing point, so there the epoch's figure (its
    running mean at the end) ends the epoch's line. Epoch records from before "step" was
    written are left out: their step is unknown.
    """
    rows = [r for r in records if r.get("kind") == "batch" and r.get(metric) is not None
            and r.get("step") is not None]
    points = {r.get("mid_step", r["step"]): float(r[metric]) for r in rows}
    windowed = {r.get("epoch") for r in rows if "mid_step" in r}
    for r in records:
        if (r.get("kind") == "epoch" and r.get("epoch") not in windowed
                and r.get(metric) is not None and r.get("step") is not None):
            points.setdefault(r["step"], float(r[metric]))
    steps = sorted(points)
    return steps, [points[step] for step in steps]


def curve_series(records: Sequence[Mapping], metric: str = "loss", per: str = "epoch"):
    """(x-axis label, training (xs, ys), validation (xs, ys)) of ``metric``, by epoch or batch.

    The one reading of the metric records behind both the plotly figure (report,
    Runs page) and the live chart (core.live_chart).
    """
    if per == "batch":
        return ("Training step (batch)", _thin(*_training_at_steps(records, metric)),
                _validation_at_steps(records, metric))
    return ("Epoch", _points(records, "epoch", "epoch", metric),
            _points(records, "epoch", "epoch", "val_" + metric))


def training_curves(records: Sequence[Mapping], metric: str = "loss",
                    per: str = "epoch") -> go.Figure:
    """Training vs validation ``metric`` by epoch, or by batch step (``per="batch"``)."""
    title = f"{metric_label(metric)} during training"
    x_label, train, valid = curve_series(records, metric, per)
    if not train[0] and not valid[0]:
        return empty_figure(title)
    fig = go.Figure()
    if train[0]:
        fig.add_trace(_line(*train, "Training", TRAIN_COLOR, x_label, markers=per != "batch"))
    if valid[0]:
        fig.add_trace(_line(*valid, "Validation", VALID_COLOR, x_label))
    fig.update_xaxes(title_text=x_label)
    if per == "epoch":
        _whole_epochs(fig)
    fig.update_yaxes(title_text=metric_label(metric))
    # A fixed uirevision keeps the user's zoom while the live chart redraws.
    return finish(fig, title, uirevision=f"training-{metric}-{per}", hovermode="x unified")


def _whole_epochs(fig: go.Figure) -> None:
    # Whole epochs only: with two epochs plotly ticked 1, 1.2, 1.4, … (QA).
    last = max((max(trace.x) for trace in fig.data if len(trace.x)), default=1)
    fig.update_xaxes(tickformat=",d", tick0=1, dtick=1 if last <= 12 else None)


NO_RUN_HAS_IT = "None of these runs has this measure"


def compare_curves(runs: Mapping[str, Sequence[Mapping]], metric: str = "val_loss") -> go.Figure:
    """One line per run (keyed by its label) of ``metric`` by epoch."""
    title = f"{metric_label(metric)} by run"
    fig = go.Figure()
    # A run whose curve lies on a longer one's, or on another's for its first epochs, is
    # dashed, so the line it covers shows through; each in its own pattern, or two dashed
    # runs hid each other (browser QA).
    dashed = {on.run: DASHES[i % len(DASHES)] for i, on in enumerate(curves_on_others(runs, metric))}
    for number, (label, records) in enumerate(runs.items()):
        xs, ys = _points(records, "epoch", "epoch", metric)
        if xs:
            line = _line(xs, ys, plain(label), RUN_COLORS[number % len(RUN_COLORS)], "Epoch")
            line.marker.symbol, line.marker.size = RUN_SYMBOLS[number % len(RUN_SYMBOLS)], 8
            if label in dashed:
                line.line.dash, line.line.width = dashed[label], 3
            fig.add_trace(line)
    if not fig.data:  # QA: "No data yet" read as "wait", for a measure no chosen run has
        return empty_figure(title, NO_RUN_HAS_IT if runs else "No data yet")
    fig.update_xaxes(title_text="Epoch")
    _whole_epochs(fig)
    fig.update_yaxes(title_text=metric_label(metric))
    # The legend names the run even when a chart has one line (a task of its own). Under
    # the chart, run names take no width from it: beside it they left a phone-wide chart
    # 70 px (browser QA). At the foot of the whole figure, not a share of the plot's height
    # below it: with many runs that share shrank and the legend sat on "Epoch" (QA).
    return finish(fig, title, uirevision=f"compare-{metric}", showlegend=True,
                  legend=dict(orientation="h", yref="container", yanchor="bottom", y=0,
                              xanchor="left", x=0),
                  height=COMPARE_HEIGHT + LEGEND_ROW_PX * len(fig.data))


# ---------------------------------------------------------------- evaluation

def confusion_heatmap(matrix, class_names: Sequence[str], normalized: bool,
                      what: str = "class") -> go.Figure:
    """Rows: true class, columns: predicted class, each cell annotated. ``what``: the classes'
    name on the axes, such as "rating" for numbered classes (QA22: a bare "2" elsewhere)."""
    title = "Confusion matrix" + (" (share of each true class)" if normalized else " (counts)")
    z = np.asarray(matrix, dtype=float)
    if z.size == 0:
        return empty_figure(title)
    names = [plain(n) for n in class_names]
    text = [[f"{v:.0%}" if normalized else f"{int(v):,}" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=names, y=names, text=text, colorscale="Blues", showscale=False,
        texttemplate="%{text}" if len(names) <= 20 else None,
        textfont=dict(size=16 if len(names) <= 6 else 12),  # QA: 11 px on a projector
        hovertemplate="True: %{y}<br>Predicted: %{x}<br>%{text}<extra></extra>",
    ))
    fig.update_xaxes(title_text=f"Predicted {plain(what)}", type="category", side="bottom")
    fig.update_yaxes(title_text=f"True {plain(what)}", type="category", autorange="reversed")
    return finish(fig, title)


def roc_pr(curves, threshold: float | None = None,
           at: Mapping | None = None) -> tuple[go.Figure, go.Figure]:
    """The ROC and the precision-recall chart; ``threshold`` marks the current cut-off.

    Two figures, not two subplots of one: side by side on a wide page, one under the other
    on a phone, where one figure's halves were squeezed to slivers (browser QA at 390 px).
    ``at``: the numbers shown beside the charts (evaluation.metrics_at_threshold), so the
    mark sits exactly on them even when the curves were thinned.
    """
    if not curves.roc_fpr:
        message = "Both classes must appear in the test set to draw this curve."
        return empty_figure("ROC curve", message), empty_figure("Precision vs recall", message)
    roc = go.Figure([go.Scatter(x=curves.roc_fpr, y=curves.roc_tpr, name="ROC",
                                line=dict(color=TRAIN_COLOR)),
                     go.Scatter(x=[0, 1], y=[0, 1], name="Chance", mode="lines",
                                line=dict(color=MUTED_COLOR, dash="dash"))])
    pr = go.Figure([go.Scatter(x=curves.pr_recall, y=curves.pr_precision, name="Precision-recall",
                               line=dict(color=VALID_COLOR))])
    if threshold is not None:
        _mark_threshold(roc, pr, curves, threshold, at)
    # A little room past 0 and 1 on both axes: a curve or mark at recall 1, or a curve on a
    # false positive rate of 0, was cut in half (QA22).
    axis = dict(range=[-0.02, 1.02])
    roc.update_layout(xaxis=dict(title_text="False positive rate", **axis),
                      yaxis=dict(title_text="True positive rate (recall)", **axis))
    pr.update_layout(xaxis=dict(title_text="Recall", **axis),
                     yaxis=dict(title_text="Precision", **axis))
    # Two-line titles: on one line they ran past a half-width chart (browser QA at 800 px).
    return (finish(roc, f"ROC curve<br>area {curves.roc_auc:.3f}", showlegend=False,
                   margin={**MARGIN, "t": 70}),
            finish(pr, f"Precision vs recall<br>average precision {curves.pr_auc:.3f}",
                   showlegend=False, margin={**MARGIN, "t": 70}))


def _mark_threshold(roc: go.Figure, pr: go.Figure, curves, threshold: float,
                    at: Mapping | None) -> None:
    """An X where the model stands at ``threshold``: the point its metrics describe."""
    at = at or evaluation.curve_point(curves, threshold)
    marker = dict(color="black", size=10, symbol="x")
    label = f"Threshold {threshold:.2f}"
    # Drawn whole past the axes' edge: at a false positive rate of 0 half of it was cut (QA21).
    roc.add_trace(go.Scatter(x=[at["false_positive_rate"]], y=[at["recall"]], name=label,
                             mode="markers", marker=marker, cliponaxis=False))
    pr.add_trace(go.Scatter(x=[at["recall"]], y=[at["precision"]], name=label,
                            mode="markers", marker=marker, cliponaxis=False))


JITTER_UP_TO = 20  # distinct true values (ratings) whose dots are spread sideways


def _jitter(values: np.ndarray, seed: int = 0) -> np.ndarray:
    """Spread points sitting on a few true values (ratings) so they do not overlap."""
    levels = np.unique(values)
    if len(levels) > JITTER_UP_TO:
        return values
    gap = float(np.min(np.diff(levels))) if len(levels) > 1 else 1.0
    rng = np.random.default_rng(seed)  # fixed: the chart must not wobble on redraw
    return values + rng.uniform(-0.2 * gap, 0.2 * gap, size=len(values))


def predicted_vs_true(y_true, y_pred, predicted_classes: bool = False) -> go.Figure:
    """Each test text as a dot, with the perfect-prediction diagonal.

    ``predicted_classes``: ratings learned as classes; the height is the class the model
    chose, the value its RMSE and MAE measure, spread up and down as the true values are
    spread sideways.
    """
    title = "Predicted vs true value"
    y_true = np.asarray(y_true, dtype=float).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=float).reshape(-1)
    if y_true.size == 0:
        return empty_figure(title)
    if y_true.size > MAX_SCATTER_POINTS:
        keep = np.sort(np.random.default_rng(0).choice(y_true.size, MAX_SCATTER_POINTS, False))
        y_true, y_pred = y_true[keep], y_pred[keep]
    low = float(min(y_true.min(), y_pred.min()))
    high = float(max(y_true.max(), y_pred.max()))
    # Another seed upward: with the same one, every dot moved along the diagonal.
    shown_pred = _jitter(y_pred, seed=1) if predicted_classes else y_pred
    fig = go.Figure([
        go.Scatter(x=_jitter(y_true), y=shown_pred, mode="markers", name="Test texts",
                   marker=dict(color=TRAIN_COLOR, opacity=0.4, size=6),
                   customdata=np.column_stack([y_true, y_pred]),
                   hovertemplate="True %{customdata[0]:.2f}<br>Predicted %{customdata[1]:.2f}"
                                 "<extra></extra>"),
        go.Scatter(x=[low, high], y=[low, high], mode="lines", name="Perfect prediction",
                   line=dict(color=MUTED_COLOR, dash="dash")),
    ])
    spread = len(np.unique(y_true)) <= JITTER_UP_TO  # say so: a 5 drawn at 5.2 puzzled (QA)
    # Short lines: a 390 px phone cut one-line titles at "ots spread a little sideways…".
    fig.update_xaxes(title_text="True value<br>(dots spread a little sideways<br>so they do "
                                "not hide each other)" if spread else "True value")
    fig.update_yaxes(title_text="Predicted class<br>(spread a little up and down)"
                     if predicted_classes else "Predicted value")
    if spread and np.all(y_true == np.round(y_true)):  # ratings: no tick at 1.5 (QA21: the
        fig.update_xaxes(dtick=1)  # report's wider chart had them, the page's not)
        if predicted_classes:
            fig.update_yaxes(dtick=1)
    return finish(fig, title)


def telling_percent(a: float, b: float) -> str:
    """A format spec (".0%", ".1%", …) that writes ``a`` and ``b`` differently where whole
    percents would make a near tie read as a tie (QA: "50% and 50%" for 49.67% and 50.33%)."""
    return next((f".{d}%" for d in range(3) if f"{a:.{d}%}" != f"{b:.{d}%}"), ".3%")


def probability_bars(class_names: Sequence[str], probs, answer: int | None = None) -> go.Figure:
    """How sure the model is about each class for one text; its answer stands out.

    ``answer``: the class given at a threshold (two classes); by default the likeliest.
    """
    probs = np.asarray(probs, dtype=float).reshape(-1)
    if probs.size == 0:
        return empty_figure("How sure the model is")
    best = int(np.argmax(probs)) if answer is None else int(answer)
    colors = [TRAIN_COLOR if i == best else MUTED_COLOR for i in range(probs.size)]
    top_two = np.sort(probs)[-2:]  # the bars a reader compares
    shown = telling_percent(*top_two) if probs.size > 1 else ".0%"
    fig = go.Figure(go.Bar(
        x=probs, y=[plain(n) for n in class_names], orientation="h", marker_color=colors,
        # Beside the bar, upright: plotly turns a label inside a narrow bar on its side.
        text=[f"{p:{shown}}" for p in probs], textposition="outside", textangle=0,
        cliponaxis=False,
        hovertemplate="%{y}: %{x:.1%}<extra></extra>",
    ))
    fig.update_xaxes(range=[0, 1.12], tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0], tickformat=".0%",
                     title_text="Probability")
    fig.update_yaxes(type="category", autorange="reversed")
    return finish(fig, "How sure the model is", height=max(200, 60 + 32 * probs.size))
