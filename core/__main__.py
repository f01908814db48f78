"""Command line: ``python -m core {train,train-run,evaluate,predict,explain} ...``.

Results are JSON on stdout (for ``train``, its last line). A user mistake exits
with code 2 and one plain line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from core import config
from core.errors import StudioError

EXIT_USER_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="LSTM Studio engine")
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train a model in the foreground")
    train.add_argument("--csv", required=True)
    train.add_argument("--text", action="append", required=True, help="text column (repeatable)")
    train.add_argument("--label", required=True)
    train.add_argument("--task", choices=config.TASKS)
    train.add_argument("--epochs", type=int)
    train.add_argument("--config", help="JSON file with optional 'data', 'model', 'train' keys")
    train.add_argument("--runs-dir")
    train.add_argument("--name")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    worker = sub.add_parser("train-run", help="(internal) train a queued run folder")
    worker.add_argument("run_dir")
    sub.add_parser("train-standby", help="(internal) import TensorFlow, then train the run "
                                         "folder read from stdin")

    for name in ("evaluate", "predict", "explain"):
        cmd = sub.add_parser(name)
        cmd.add_argument("run")
        cmd.add_argument("--runs-dir")
    sub.choices["predict"].add_argument("--csv", required=True)
    sub.choices["predict"].add_argument("--out", required=True)
    sub.choices["predict"].add_argument(
        "--text", action="append", metavar="COLUMN",
        help="a column with the texts (repeat to join several); default: the columns the "
             "run was trained on, else the file's likeliest text column")
    sub.choices["explain"].add_argument("--text", required=True)
    sub.choices["explain"].add_argument("--class-name")
    sub.choices["explain"].add_argument("--samples", type=int, default=1000)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "train-run":
        from core import training

        training.yield_to_pages()
        return training.run_worker(Path(args.run_dir))
    if args.command == "train-standby":
        from core import training

        training.yield_to_pages()
        return training.standby_worker()
    try:
        result = COMMANDS[args.command](args)
    except StudioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _store(args):
    from core.runs import RunStore

    return RunStore(args.runs_dir) if args.runs_dir else RunStore()


def _read_config(path: str | None) -> dict:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StudioError(f"The config file '{path}' is not readable JSON.") from exc
    if not isinstance(data, dict):
        raise StudioError("The config file must hold a JSON object.")
    return data


def _section(cfg: dict, name: str) -> dict:
    section = cfg.get(name, {})
    if not isinstance(section, dict):
        raise StudioError(f"The config file's '{name}' must be a JSON object, such as {{}}.")
    return dict(section)


def cmd_train(args) -> dict:
    from core import data as data_lib
    from core import jobs, presets
    from core.config import data_from_dict, model_from_dict, train_from_dict

    cfg = _read_config(args.config)
    data_cfg = {**_section(cfg, "data"), "text_columns": args.text, "label_column": args.label}
    if args.task:  # otherwise the config's task, or the one the labels suggest
        data_cfg["task"] = args.task
    data_spec = data_from_dict(data_cfg)
    model_spec = model_from_dict(_section(cfg, "model"))
    train_cfg = _section(cfg, "train")
    if args.epochs is not None:
        train_cfg["epochs"] = args.epochs
    train_spec = train_from_dict(train_cfg)
    dataset = data_lib.prepare_dataset(data_lib.read_csv(args.csv), data_spec)
    store = _store(args)
    # Named as the page names its runs (unnamed, the Runs page showed the run's id).
    name = args.name or f"{presets.architecture_name(model_spec)} · {Path(args.csv).name}"
    run_id = jobs.create_run(store, dataset, data_spec, model_spec, train_spec, name=name[:80],
                             source=str(args.csv))
    code = _train_with_progress(store, run_id, quiet=args.quiet)
    state = store.status(run_id)
    if code != 0 or state.get("status") not in ("finished", "stopped"):
        raise StudioError(state.get("error") or f"Training failed (exit code {code}).")
    return _train_summary(store, run_id)


def _train_with_progress(store, run_id: str, quiet: bool) -> int:
    import subprocess

    from core import training

    proc = subprocess.Popen(training.worker_command(store.path(run_id)),
                            env=training.worker_env(), stdout=subprocess.DEVNULL)
    offset, last = 0, None
    while proc.poll() is None:
        time.sleep(0.5)
        records, offset = store.read_metrics(run_id, offset)
        last = records[-1] if records else last
        if not quiet and last:
            _draw_progress(last, store.status(run_id))
    if not quiet:
        print(file=sys.stderr)
    return proc.returncode


def _draw_progress(record: dict, state: dict) -> None:
    total = max(1, int(state.get("total_epochs") or 1))
    per_epoch = max(1, int(state.get("batches_per_epoch") or 1))
    done = (record.get("epoch", 1) - 1) * per_epoch + (record.get("batch") or per_epoch)
    share = min(1.0, done / (total * per_epoch))
    bar = "#" * int(30 * share)
    loss = record.get("loss", float("nan"))
    print(f"\r[{bar:<30}] epoch {record.get('epoch')}/{total} loss {loss:.4f}",
          end="", file=sys.stderr, flush=True)


def _train_summary(store, run_id: str) -> dict:
    spec, state = store.spec(run_id), store.status(run_id)
    report = store.read_json(run_id, "eval.json", {})
    metrics, base = report.get("metrics", {}), report.get("baseline", {})
    summary = {"run_id": run_id, "task": spec["task"], "status": state.get("status"),
               "epoch_seconds": state.get("epoch_seconds", []),
               "best_epoch": state.get("best_epoch")}
    if spec["task"] == config.TASK_REGRESSION:
        summary.update(test_rmse=metrics.get("rmse"), test_mae=metrics.get("mae"),
                       baseline_rmse=base.get("rmse"))
    else:
        summary.update(test_accuracy=metrics.get("accuracy"),
                       baseline_accuracy=base.get("accuracy"))
        if metrics.get("ordinal_rmse") is not None:  # ordered classes (ratings) only
            summary.update(test_rmse=metrics["ordinal_rmse"], baseline_rmse=base.get("rmse"))
    return summary


def cmd_evaluate(args) -> dict:
    store = _store(args)
    report = store.read_json(args.run, "eval.json")
    if report is None:
        raise StudioError(f"The run '{args.run}' has no evaluation yet (is it still training?).")
    return {"run_id": args.run, "status": store.status(args.run).get("status"),
            "metrics": report["metrics"], "baseline": report["baseline"]}


def cmd_predict(args) -> dict:
    from core import labels, predict_csv

    store = _store(args)
    predictor = _predictor(store, args.run)
    frame = predict_csv.read_texts(args.csv)  # no label column needed
    # As the page: the trained columns the file has, else its likeliest text columns.
    trained = (store.spec(args.run).get("data") or {}).get("text_columns") or []
    columns = args.text or predict_csv.first_text_columns(frame, list(trained))
    # At the run's saved threshold, as the page answers (it said 50% here).
    choice = predict_csv.saved_choice(store, args.run, predictor)
    result = predict_csv.predict_frame(predictor, frame, columns, choice=choice,
                                       label_column=labels.label_column_name(store.spec(args.run)))
    Path(args.out).write_bytes(predict_csv.csv_bytes(result))  # as the page's download
    return {"run_id": args.run, "rows": len(result), "text_columns": list(columns),
            "out": str(args.out)}


def cmd_explain(args) -> dict:
    from core import explain

    store = _store(args)
    predictor = _predictor(store, args.run)
    names = predictor.class_names or ("value",)
    if args.class_name:
        if args.class_name not in names:
            raise StudioError(f"Unknown class '{args.class_name}'. Classes: {', '.join(names)}.")
        index = names.index(args.class_name)
    else:
        index = int(predictor.predict_fn([args.text])[0].argmax())
    # No HTML pieces and no words past its max tokens: the model never sees them.
    text = predictor.part_read(predictor.text_as_read(args.text))
    result = explain.explain_lime(predictor.predict_fn, text, index, names,
                                  num_samples=args.samples,
                                  removal_scores=predictor.removal_scores,
                                  fold_case=predictor.clean.lowercase)
    return {"run_id": args.run, **result.to_dict(), "sentence": explain.summary_sentence(result)}


def _predictor(store, run_id: str):
    from core import predictor as predictor_lib

    meta = predictor_lib.run_metadata(store.spec(run_id))
    return predictor_lib.load_predictor(store.model_path(run_id), meta)


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict,
            "explain": cmd_explain}

if __name__ == "__main__":
    sys.exit(main())
