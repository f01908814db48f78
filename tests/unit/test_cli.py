"""python -m core: JSON output and exit codes, run as a real subprocess."""

import json
import subprocess
import sys

import pytest

from core.config import PROJECT_ROOT


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
        "train": {"batch_size": 32, "learning_rate": 0.01, "early_stopping_patience": None}}))
    result = run_cli("train", "--csv", "sample_data/reviews/reviews.csv", "--text", "title",
                     "--text", "review", "--label", "rating", "--task", "regression",
                     "--epochs", "2", "--config", str(config), "--runs-dir", str(runs_dir),
                     "--quiet")
    return result, runs_dir


def test_train_prints_one_json_summary_as_its_last_line(cli_run):
    result, _ = cli_run
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["task"] == "regression"
    assert {"run_id", "test_rmse", "baseline_rmse", "epoch_seconds", "best_epoch"} <= set(summary)
    assert len(summary["epoch_seconds"]) == 2 and summary["best_epoch"] in (1, 2)
    assert 0 < summary["test_rmse"] < 3 and 0 < summary["baseline_rmse"] < 3


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
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message.lower() in lines[0].lower()
    assert "Traceback" not in result.stderr
