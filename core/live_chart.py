"""The live training curves as an Apache ECharts option (a plain dict).

The Model & Train page redraws these every second while a run trains. A keyed
``st.echarts_chart`` updates the same chart in place; a plotly chart is rebuilt
from scratch on every data change (its element id includes the figure). Watching
a run took the browser 0.25 of a core with plotly and 0.17 with this chart
(bench/page_overhead.py). Static charts stay plotly (core/charts.py).

Every string here is fixed text: ECharts draws option strings as plain text,
and no user data reaches this chart.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

from core.charts import (MARKED_POINTS_MAX, MUTED_COLOR, TRAIN_COLOR, VALID_COLOR, curve_series,
                         metric_label)

HEIGHT = 360  # pixels, close to the plotly charts around it, with the legend's own line
LEGEND_TOP = 30  # pixels: under the 16 px title


def _series(name: str, xs: list, ys: list, color: str, symbols: bool) -> dict:
    # Points that are not numbers are left out: one NaN made Streamlit refuse the option,
    # which crashed the page (QA: a run that diverged, before its records left NaN out).
    data = [[x, round(y, 6)] for x, y in zip(xs, ys) if math.isfinite(y)]
    return {"type": "line", "name": name, "data": data, "color": color,
            "showSymbol": symbols and len(data) <= MARKED_POINTS_MAX, "symbolSize": 6}


def training_curves_option(records: Sequence[Mapping], metric: str = "loss",
                           per: str = "epoch") -> dict:
    """Training vs validation ``metric``, like charts.training_curves, for the live view."""
    title = f"{metric_label(metric)} during training"
    x_label, train, valid = curve_series(records, metric, per)
    option = {
        "animation": False,  # an animated redraw every second would cost the CPU training needs
        "title": {"text": title, "left": 0, "textStyle": {"fontSize": 16, "fontWeight": "normal"}},
        # The legend sits on its own line under the title: beside it, the two overlapped
        # in a half-width chart of an 800 px window (browser QA).
        "grid": {"left": 50, "right": 20, "top": LEGEND_TOP + 40, "bottom": 50},
        "xAxis": {"type": "value", "name": x_label, "nameLocation": "middle", "nameGap": 28,
                  "minInterval": 1},
        "yAxis": {"type": "value", "name": metric_label(metric), "scale": True,
                  # A share never passes 100%; a "nice" bound drew the axis up to 1.1 (QA).
                  **({"max": 1} if metric.endswith("accuracy") else {})},
        "tooltip": {"trigger": "axis", "valueFormatter": "%.4f"},
        "legend": {"left": 0, "top": LEGEND_TOP},
        "series": [],
    }
    if train[0]:
        option["series"].append(_series("Training", *train, TRAIN_COLOR, symbols=per != "batch"))
    if valid[0]:
        option["series"].append(_series("Validation", *valid, VALID_COLOR, symbols=True))
    if not option["series"]:
        option["graphic"] = [{"type": "text", "left": "center", "top": "middle",
                              "style": {"text": "No data yet", "fontSize": 16,
                                        "fill": MUTED_COLOR}}]
    return option


def describe(option: dict) -> str:
    """A text alternative for screen readers (and browser tests): each line's length and last value."""
    lines = [f"{line['name']}, {len(line['data'])} point{'s' if len(line['data']) != 1 else ''}, "
             f"latest {line['data'][-1][1]:.4f}" for line in option["series"] if line["data"]]
    return f"{option['title']['text']}: " + ("; ".join(lines) if lines else "no data yet") + "."
