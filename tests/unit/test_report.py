"""core.report: one self-contained, escaped HTML file per run."""

import re

import pytest

from core import report
from core import runs as runs_lib
from tests.unit import synthetic_runs

PLOTLY_BANNER = re.compile(r"plotly\.js v\d")


@pytest.fixture
def store(tmp_path):
    return runs_lib.RunStore(tmp_path / "runs")


def test_report_escapes_every_user_string(store):
    run_id = synthetic_runs.binary_run(store)
    page = report.build_report(store, run_id, include_plotlyjs="cdn")
    # Hostile run name, class names, column names and test texts all arrive as text.
    assert "<script>alert" not in page and "<img src" not in page
    assert "<b>no</b>" not in page and "<i>review</i>" not in page and "<u>label" not in page
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt; broken &amp; useless" in page
    assert "&lt;b&gt;no&lt;/b&gt;" in page and "yes &amp; more" in page


def test_a_wide_table_scrolls_by_itself_on_a_phone(store):
    """QA: at 390 px the mistakes table made the whole report 446 px wide (a one-off check in
    Chromium gave 390 px with this rule)."""
    page = report.build_report(store, synthetic_runs.binary_run(store), include_plotlyjs="cdn")
    assert "@media (max-width: 600px) { table { display: block; overflow-x: auto; } }" in page


def test_report_has_scores_charts_and_mistakes(store):
    run_id = synthetic_runs.binary_run(store, name="Reviews run", class_names=("no", "yes"))
    page = report.build_report(store, run_id, include_plotlyjs="cdn")
    assert "<title>Reviews run · LSTM Studio report</title>" in page
    assert "The model got 80.0% of the 40 test texts right." in page
    assert "TF-IDF + logistic regression" in page  # the baseline beside it
    assert "LSTM 50/60" in page  # the architecture from the spec
    # Loss curve, accuracy curve, confusion matrix, ROC and precision-recall: five charts.
    assert page.count("Plotly.newPlot(") == 5
    assert "Confusion matrix (counts)" in page
    assert "The texts it got most wrong" in page and page.count("<tr>") > 10


def test_the_settings_name_what_tells_runs_apart(store):
    """QA: pooling, minimum frequency, recurrent dropout, class weights and the vectors
    (file, size, frozen or not) were in neither the report nor the runs table."""
    run_id = synthetic_runs.binary_run(store)
    spec = store.spec(run_id)
    spec["model"].update(pooling="max", min_freq=3, recurrent_dropout=0.1, embedding_dim=50,
                         glove_path="/srv/runs/_uploads/0123456789ab-glove.6B.50d.txt",
                         trainable_embedding=False)
    spec["train"]["class_weights"] = True
    rows = dict(report._settings_rows(spec, store.status(run_id)))
    assert "scale" not in rows["Classes"]  # two names, not a scale
    assert rows["Architecture"] == "LSTM 50/60 (strongest signal)"
    assert rows["Each text summarised by"] == "the strongest signal"
    assert rows["Embedding"] == "GloVe vectors from glove.6B.50d.txt, 50 values per word, " \
                                "kept as uploaded"
    assert rows["Minimum word frequency"] == "3"
    assert rows["Dropout / recurrent dropout"].endswith("/ 0.1")
    assert rows["Class weights"] == "on"


def test_the_mistakes_are_the_texts_as_written(store):
    run_id = synthetic_runs.binary_run(store, written=True)
    page = report.build_report(store, run_id, include_plotlyjs="cdn")
    assert "<td>Terrible broke quickly item 0</td>" in page  # the first confident mistake
    assert "terrible broke quickly item 0" not in page


def test_the_epochs_are_those_trained_not_those_planned(store):
    run_id = synthetic_runs.binary_run(store)  # planned: TrainSpec's default epochs
    store.update_status(run_id, epochs_done=17, target_epochs=17, best_epoch=15)
    page = report.build_report(store, run_id, include_plotlyjs="cdn")
    assert "<td>Epochs</td><td>17 trained; the model from epoch 15 is kept</td>" in page
    store.update_status(run_id, epochs_done=6, target_epochs=15, best_epoch=3)  # stopped early
    page = report.build_report(store, run_id, include_plotlyjs="cdn")
    assert "<td>6 trained of 15 planned; the model from epoch 3 is kept</td>" in page


def test_a_run_that_broke_down_says_so_under_its_name(store):
    run_id = synthetic_runs.binary_run(store, name="too fast")
    store.update_status(run_id, diverged_in=2, best_epoch=1)
    assert "status: broke down in epoch 2; epoch 1 kept" in report.build_report(store, run_id)


def test_plotly_js_is_embedded_once_so_the_file_works_offline(store):
    run_id = synthetic_runs.binary_run(store, name="offline")
    page = report.build_report(store, run_id)
    assert len(PLOTLY_BANNER.findall(page)) == 1
    assert page.count("Plotly.newPlot(") == 5  # loss, accuracy, confusion matrix, ROC, precision-recall
    assert "<script src=" not in page and 'src="http' not in page  # nothing to fetch
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_run_without_results_still_gets_a_report(store):
    run_id = store.create({"task": "binary", "class_names": ["a", "b"], "data": {}},
                          name="failed <run>")
    store.update_status(run_id, status=runs_lib.FAILED, error="Out of <memory> & more")
    page = report.build_report(store, run_id, include_plotlyjs="cdn")
    assert "This run has no test results." in page
    assert "Out of &lt;memory&gt; &amp; more" in page
    assert "failed &lt;run&gt;" in page and "Plotly.newPlot(" not in page


def test_a_report_of_a_run_still_to_train_says_why_it_has_no_results(store):
    """QA: a training run's report said only "This run has no test results."."""
    run_id = store.create({"task": "binary", "class_names": ["a", "b"], "data": {}}, name="q")
    store.update_status(run_id, status=runs_lib.QUEUED)
    page = report.build_report(store, run_id, include_plotlyjs="cdn")
    assert ("This run has no test results yet: it is still training or waiting to train, and "
            "they are written when it ends.") in page


@pytest.mark.parametrize("name, expected", [
    ("Reviews BiLSTM 64", "Reviews-BiLSTM-64"),
    ("../../etc/passwd", "etc-passwd"),
    ("<script>x</script>", "script-x-script"),
    ("Été 2024 – notes", "t-2024-notes"),
    ("***", "run"),
])
def test_file_names_are_safe(name, expected):
    assert report.safe_file_stem(name) == expected
    assert report.report_file_name(name) == expected + "-report.html"


@pytest.mark.parametrize("positive, value, called", [
    ("yes", 0.9, "no"),  # no text reaches 90% yes: every one is called "no"
    ("no", 0.9, "yes"),  # the same cut-off seen from the other class
])
def test_the_report_scores_at_the_threshold_saved_on_evaluate(store, monkeypatch,
                                                              positive, value, called):
    run_id = synthetic_runs.binary_run(store, name="Reviews run", class_names=("no", "yes"))
    store.save_threshold_choice(run_id, positive, value)
    drawn = {}

    def recording(name, draw):
        def record(*args, **kwargs):
            drawn[name] = (args, kwargs)
            return draw(*args, **kwargs)
        monkeypatch.setattr(report.charts, name, record)

    recording("confusion_heatmap", report.charts.confusion_heatmap)
    recording("roc_pr", report.charts.roc_pr)
    page = report.build_report(store, run_id, include_plotlyjs="cdn")
    other = "no" if positive == "yes" else "yes"
    assert (f"Scored at the 90% threshold chosen on the Evaluate page: a text counts as "
            f"{positive} when the model is at least 90% sure it is, otherwise as {other}.") in page
    # Scores, confusion matrix, ROC/PR mark and mistakes all follow the same cut-off.
    assert "The model got 50.0% of the 40 test texts right." in page
    assert f'<td>{called}</td><td class="num">50.0%</td><td class="num">100.0%</td>' in page
    everything_called = [[0, 20], [0, 20]] if called == "yes" else [[20, 0], [20, 0]]
    assert drawn["confusion_heatmap"][0][0] == everything_called
    (curves,), marked = drawn["roc_pr"]
    assert marked["threshold"] == value and marked["at"]["recall"] == 0.0  # none called positive
    wrong = "yes" if called == "no" else "no"
    assert page.count(f"<td>{wrong}</td><td>{called}</td>") == report.MISTAKES_SHOWN
    assert "Chance of its answer" in page and "<th>Confidence</th>" not in page


def test_without_a_saved_threshold_the_report_says_it_used_50(store):
    run_id = synthetic_runs.binary_run(store, name="Reviews run", class_names=("no", "yes"))
    page = report.build_report(store, run_id, include_plotlyjs="cdn")
    assert "Scored at the usual 50% threshold" in page
    assert "The model got 80.0% of the 40 test texts right." in page
    store.save_threshold_choice(run_id, "a class it does not have", 0.9)  # unusable: ignored
    assert "Scored at the usual 50% threshold" in report.build_report(store, run_id, "cdn")


def _regression_run(store):
    """A finished rating run predicted as a number: every "1" is taken for 3.037."""
    import numpy as np

    from core import baseline, evaluation
    from core import data as data_lib
    from core.config import ModelSpec, TrainSpec, to_dict

    texts = [f"review number {i} was {'good' if i % 2 else 'bad'}" for i in range(30)]
    y = np.array([1.0 + 4 * (i % 2) for i in range(30)], dtype=np.float32)
    split = data_lib.Split(texts, y, None)
    dataset = data_lib.Dataset("regression", (), split, split, split,
                               data_lib.PrepSummary(90, 90, 0, 0, 0))
    run_id = store.create({"task": "regression", "data": {"text_columns": ["text"],
                           "label_column": "stars"}, "model": to_dict(ModelSpec()),
                           "train": to_dict(TrainSpec())}, name="ratings")
    data_lib.save_dataset(dataset, store.path(run_id))
    predicted = np.where(y > 3, 4.7, 3.037)  # every "1" is off by 2.037
    metrics = evaluation.evaluate_predictions("regression", (), y, predicted)
    store.write_json(run_id, "eval.json", {
        "metrics": metrics.to_dict(), "baseline": baseline.run_baseline(dataset).to_dict(),
        "test_scores": predicted.tolist(), "predict_seconds": 0.01})
    store.update_status(run_id, status=runs_lib.FINISHED, epochs_done=1)
    return run_id, metrics


def test_a_regression_report_writes_its_numbers_as_evaluate_does(store):
    """Exploratory QA: the report said true 1.000, predicted 3.037, "Mean absolute error"
    where Evaluate says 1, 3.04 and "Average error (MAE)"."""
    run_id, metrics = _regression_run(store)
    page = report.build_report(store, run_id, include_plotlyjs="cdn")
    assert '<td class="num">1</td><td class="num">3.04</td><td class="num">2.04</td>' in page
    assert f'<td class="num">{metrics.rmse:.2f}</td>' in page and "Average error (MAE)" in page
    assert "3.037" not in page and "Mean absolute error" not in page


def test_each_mistake_keeps_the_number_evaluate_and_explain_give_it(store):
    """Evaluate and Explain call a test text "#7"; the report listed its mistakes unnumbered,
    so a reader could not find one of them on either page."""
    import html

    from core import evaluation
    from core import results as results_lib

    at_ninety = synthetic_runs.binary_run(store, class_names=("no", "yes"))
    store.save_threshold_choice(at_ninety, "yes", 0.9)  # the other binary table
    runs = [synthetic_runs.binary_run(store), at_ninety, _regression_run(store)[0],
            synthetic_runs.numbered_class_run(store, "stars", ordered=True)]
    kinds = set()
    for run_id in runs:
        res = results_lib.load_results(store, run_id)
        kinds.add("regression" if res.is_regression else "ordinal" if res.is_ordinal else "classes")
        cut = evaluation.cut_on_second_class(res.class_names, report._saved_choice(store, res))
        mistakes = res.mistakes(n=report.MISTAKES_SHOWN, threshold=cut)
        page = report.build_report(store, run_id, include_plotlyjs="cdn")
        assert mistakes and "<thead><tr><th>Test text</th><th>Text</th>" in page, run_id
        rows = re.findall(r"<tr><td>#(\d+)</td><td>([^<]*)</td>", page)
        assert rows == [(str(m.index + 1), html.escape(m.text)) for m in mistakes]
    assert kinds == {"regression", "ordinal", "classes"}  # every table the report draws


def test_a_rating_report_lists_the_furthest_off_answers_first(run_store, trained_run):
    """As Evaluate does for classes on a scale (QA: both listed the surest first)."""
    from core import results as results_lib

    res = results_lib.load_results(run_store, trained_run)
    page = report.build_report(run_store, trained_run, include_plotlyjs="cdn")
    assert res.is_ordinal and "these wrong answers are the furthest off, furthest first" in page
    assert "<th>Confidence</th>" in page  # Evaluate's word (QA: "Model's confidence" here)
    assert "<td>Batch size</td><td>32</td>" in page and "<td>Seed</td><td>42</td>" in page
    # QA21: nothing in the settings said the classes were scored as a scale.
    assert "<td>Classes</td><td>1, 2, 3, 4, 5 (a scale: how far off an answer is counts too)" in page
    first = res.mistakes(1)[0]
    assert first.error == max(m.error for m in res.mistakes(len(res.y)))
    assert (f"<td>{first.true_label}</td><td>{first.predicted_label}</td>"
            f'<td class="num">{first.error:.0f}</td>') in page
