"""Finished runs written with the real core functions but without training (no TensorFlow).

The scores stand in for a model's test predictions; everything else (the saved
split, the metrics, the TF-IDF baseline, the metrics log) is what a worker writes.
"""

import numpy as np

from core import baseline, evaluation
from core import data as data_lib
from core import runs as runs_lib
from core.config import ModelSpec, TrainSpec, to_dict

EVIL_NAME = "<script>alert('name')</script>"
EVIL_TEXT = "<img src=x onerror=alert(1)> broken & useless"
EVIL_CLASSES = ("<b>no</b>", "yes & more")


def _texts(n: int) -> tuple[list[str], np.ndarray]:
    good = ["great product works well", "love it excellent", "really good value"]
    bad = ["terrible broke quickly", "awful waste of money", EVIL_TEXT]
    texts = [(good if i % 2 else bad)[i % 3] + f" item {i}" for i in range(n)]
    return texts, np.array([i % 2 for i in range(n)], dtype=np.int64)


def binary_run(store: runs_lib.RunStore, name: str = EVIL_NAME,
               class_names=EVIL_CLASSES, n: int = 40, written: bool = False) -> str:
    """A finished binary run whose user strings (name, classes, texts) are hostile HTML.

    ``written``: its texts as written start with a capital, as a run trained now keeps them.
    """
    texts, y = _texts(n)
    split = data_lib.Split(texts, y, [t.capitalize() for t in texts] if written else None)
    dataset = data_lib.Dataset("binary", tuple(class_names), split, split, split,
                               data_lib.PrepSummary(3 * n, 3 * n, 0, 0, 0))
    spec = {"task": "binary", "class_names": list(class_names),
            "data": {"text_columns": ["<i>review</i>"], "label_column": "<u>label</u>"},
            "model": to_dict(ModelSpec(units=(50, 60), bidirectional=False)),
            "train": to_dict(TrainSpec()), "rows": {"train": n, "valid": n, "test": n}}
    run_id = store.create(spec, name=name)
    data_lib.save_dataset(dataset, store.path(run_id))
    # Right on most texts, confidently wrong on every 5th one.
    p = np.where(y == 1, 0.8, 0.2)
    p[::5] = 1 - p[::5]
    scores = np.column_stack([1 - p, p])
    metrics = evaluation.evaluate_predictions("binary", class_names, y, scores)
    store.write_json(run_id, "eval.json", {
        "metrics": metrics.to_dict(), "baseline": baseline.run_baseline(dataset).to_dict(),
        "test_scores": scores.tolist(), "predict_seconds": 0.01})
    store.append_metrics(run_id, [
        {"kind": "epoch", "epoch": e, "loss": 0.7 / e, "val_loss": 0.8 / e,
         "accuracy": 0.5 + e / 10, "val_accuracy": 0.45 + e / 10} for e in (1, 2, 3)])
    store.update_status(run_id, status=runs_lib.FINISHED, epochs_done=3, best_epoch=3,
                        epoch_seconds=[9.0, 2.0, 4.0])
    return run_id


def numbered_class_run(store: runs_lib.RunStore, label_column: str, ordered: bool | None,
                       ordinal_metrics: bool = True, never_answers: str | None = None) -> str:
    """A finished 4-class run whose classes are the numbers "1".."4".

    ``ordinal_metrics``: its eval.json holds ordinal errors, as every numbered-class run
    scored before DataSpec.ordered existed did (topic codes included).
    ``never_answers``: a class the model never predicts (its texts go to the next class).
    """
    names = ("1", "2", "3", "4")
    texts = [f"topic {i % 4} text {i}" for i in range(40)]
    y = np.array([i % 4 for i in range(40)], dtype=np.int64)
    split = data_lib.Split(texts, y, None)
    dataset = data_lib.Dataset("multiclass", names, split, split, split,
                               data_lib.PrepSummary(120, 120, 0, 0, 0))
    data_spec = {"text_columns": ["text"], "label_column": label_column}
    if ordered is not None:
        data_spec["ordered"] = ordered
    run_id = store.create({"task": "multiclass", "class_names": list(names), "data": data_spec,
                           "model": to_dict(ModelSpec()), "train": to_dict(TrainSpec())},
                          name=f"numbered {label_column}")
    data_lib.save_dataset(dataset, store.path(run_id))
    predicted = (y + (np.arange(40) % 5 == 0) * 2) % 4  # every 5th: off by 2
    if never_answers is not None:
        skipped = names.index(never_answers)
        predicted[predicted == skipped] = (skipped + 1) % 4
    scores = np.eye(4)[predicted] * 0.7 + 0.075
    metrics = evaluation.evaluate_predictions("multiclass", names, y, scores,
                                              ordered=ordinal_metrics)
    base = baseline.run_baseline(dataset, ordered=ordinal_metrics)
    store.write_json(run_id, "eval.json", {"metrics": metrics.to_dict(), "baseline": base.to_dict(),
                                           "test_scores": scores.tolist(), "predict_seconds": 0.01})
    store.update_status(run_id, status=runs_lib.FINISHED, epochs_done=1, best_epoch=1,
                        epoch_seconds=[1.0])
    return run_id
