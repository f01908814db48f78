"""python -m core: JSON output and exit codes, run as a real subprocess."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from core.config import PROJECT_ROOT
from core.runs import RunStore


def run_cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=timeout)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    runs_dir = tmp_path_factory.mktemp("cli_runs")
    config = tmp_path_factory.mktemp("cfg") / "spec.json"
    config.write_text(json.dumps({
        "model": {"units": [8], "embedding_dim": 16, "max_tokens": 60, "bidirectional": False,
                  "dropout": 0.0},
        "train": {"batch_size": 32, "learning_rate": 0.01, "early_stopping_patience": None},
        "data": {"task": "regression"}}))  # the 1-5 ratings would be read as classes otherwise
    result = run_cli("train", "--csv", "sample_data/reviews/reviews.csv", "--text", "title",
                     "--text", "review", "--label", "rating", "--epochs", "2",
                     "--config", str(config), "--runs-dir", str(runs_dir), "--quiet")
    return result, runs_dir


def test_train_prints_one_json_summary_as_its_last_line(cli_run):
    result, _ = cli_run
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["task"] == "regression"
    assert {"run_id", "test_rmse", "baseline_rmse", "epoch_seconds", "best_epoch"} <= set(summary)
    assert len(summary["epoch_seconds"]) == 2 and summary["best_epoch"] in (1, 2)
    assert 0 < summary["test_rmse"] < 3 and 0 < summary["baseline_rmse"] < 3
    # Named as the page names its runs (it was its id on the Runs page).
    runs = RunStore(cli_run[1])
    assert runs.info(summary["run_id"]).name == "LSTM 8 · reviews.csv"


def test_evaluate_predict_and_explain_print_json(cli_run, tmp_path):
    result, runs_dir = cli_run
    run_id = json.loads(result.stdout.strip().splitlines()[-1])["run_id"]
    evaluated = run_cli("evaluate", run_id, "--runs-dir", str(runs_dir))
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["metrics"]["rmse"] > 0

    source = tmp_path / "in.csv"
    source.write_text('title,review\nGreat,"Love it, works perfectly"\nBad,"Broke in a day"\n')
    out = tmp_path / "out.csv"
    predicted = run_cli("predict", run_id, "--csv", str(source), "--out", str(out),
                        "--runs-dir", str(runs_dir))
    assert predicted.returncode == 0, predicted.stderr
    assert json.loads(predicted.stdout)["rows"] == 2
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 that Excel reads as such
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("title,") and lines[0].endswith("prediction") and len(lines) == 3

    explained = run_cli("explain", run_id, "--text",
                        "Terrible quality, it broke at once &lt;b&gt; IT BROKE",
                        "--samples", "200", "--runs-dir", str(runs_dir))
    assert explained.returncode == 0, explained.stderr
    payload = json.loads(explained.stdout)
    assert payload["method"] == "lime" and payload["words"]
    words = {w["word"] for w in payload["words"]}  # as the model reads it: no HTML, one "it"
    assert "it" in words and not words & {"lt", "gt", "b", "IT", "BROKE"}


@pytest.mark.parametrize("args,message", [
    (["train", "--csv", "missing.csv", "--text", "t", "--label", "l"], "cannot find the file"),
    (["train", "--csv", "sample_data/news/news.csv", "--text", "nope", "--label", "topic"], "nope"),
    (["evaluate", "../../etc"], "not valid"),
    (["explain", "20990101-000000-abcdef", "--text", "x"], "no run called"),
])
def test_bad_input_exits_2_with_one_plain_line(args, message, tmp_path):
    result = run_cli(*args, "--runs-dir", str(tmp_path), timeout=120)
    assert_one_plain_error(result, message)


@pytest.mark.parametrize("config,message", [
    ({"model": {"units": 64}}, "Setting 'model.units' must be a list of whole numbers, such as "
                               "[64], not 64."),
    ({"model": {"bidirectional": "no"}}, "Setting 'model.bidirectional' must be true or false"),
    ({"model": {"dropout": None}}, "Setting 'model.dropout' must be a number, not null."),
    ({"train": {"learning_rate": "fast"}}, "Setting 'train.learning_rate' must be a number"),
    ({"train": {"batch_size": 0}}, "Batch size must be between 1 and"),
    ({"train": {"epochs": 0}}, "Epochs must be between 1 and"),
    ({"data": {"valid_fraction": "0.2"}}, "Setting 'data.valid_fraction' must be a number"),
    ({"data": {"clean": {"lowercase": 1}}}, "Setting 'data.clean.lowercase' must be true or"),
    ({"train": ["x"]}, "The config file's 'train' must be a JSON object"),
])
def test_a_config_with_wrong_settings_exits_2_with_one_plain_line(config, message, tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(config))
    result = run_cli("train", "--csv", "sample_data/news/news.csv", "--text", "title",
                     "--label", "topic", "--config", str(path), "--runs-dir", str(tmp_path),
                     timeout=120)
    assert_one_plain_error(result, message)
    assert not list(tmp_path.glob("2*"))  # refused before any run folder was made


def assert_one_plain_error(result, message: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert message.lower() in lines[0].lower()
    assert "Traceback" not in result.stderr


def predicted_file(run_store, run_id: str, tmp_path, csv_text: str) -> pd.DataFrame:
    """`python -m core predict` on a CSV of ``csv_text``: the file it wrote."""
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(csv_text)
    predicted = run_cli("predict", run_id, "--csv", str(source), "--out", str(out),
                        "--runs-dir", str(run_store.home))
    assert predicted.returncode == 0, predicted.stderr
    return pd.read_csv(out, encoding="utf-8-sig")


def test_predict_answers_at_the_runs_saved_threshold(run_store, trained_binary_run, tmp_path):
    """As the Predict page does (the command line answered at 50%)."""
    first, _ = run_store.spec(trained_binary_run)["class_names"]
    run_store.save_threshold_choice(trained_binary_run, first, 0.01)  # nearly all say "first"
    written = predicted_file(run_store, trained_binary_run, tmp_path, 'title,review\nGreat,'
                             '"Love it, works perfectly"\nBad,"Broke in a day"\n')
    assert list(written["prediction"]) == [first, first]
    assert list(written["threshold"]) == [f"{first} from 1% sure"] * 2


def test_predict_names_numbered_classes_as_the_page_does(run_store, trained_run, tmp_path):
    """QA21: "probability 1" … "probability 5", where every page says "rating 1"."""
    written = predicted_file(run_store, trained_run, tmp_path,
                             'title,review\nGreat,"Love it, works perfectly"\n')
    assert [c for c in written.columns if c.startswith("probability")] == [
        f"probability rating {n}" for n in range(1, 6)]
    assert written["prediction"].isin(range(1, 6)).all()  # the file's own numbers


def test_predict_reads_the_texts_from_the_column_given_or_the_likeliest_one(
        run_store, trained_binary_run, tmp_path):
    """QA: a CSV whose only column is "text" failed ("no column named 'title', 'review'"),
    and there was no way to name the column."""
    source = tmp_path / "in.csv"
    source.write_text('id,text\n1,"Love it, works perfectly"\n2,Broke in a day\n')
    for extra, expected in (([], ["text"]), (["--text", "text"], ["text"]),
                            (["--text", "id", "--text", "text"], ["id", "text"])):
        out = tmp_path / "out.csv"
        predicted = run_cli("predict", trained_binary_run, "--csv", str(source), "--out",
                            str(out), "--runs-dir", str(run_store.home), *extra)
        assert predicted.returncode == 0, predicted.stderr
        assert json.loads(predicted.stdout.splitlines()[-1])["text_columns"] == expected
        assert len(pd.read_csv(out, encoding="utf-8-sig")) == 2
    missing = run_cli("predict", trained_binary_run, "--csv", str(source), "--out", str(out),
                      "--runs-dir", str(run_store.home), "--text", "body")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert missing.stderr.strip().splitlines()[-1] == (
        "error: This file has no column named 'body'. Its columns: id, text.")
