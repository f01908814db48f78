"""Import an uploaded ``.keras`` model as a new (finished) run in the store.

The file is loaded exactly as Predict and Explain will load it (safe mode, our
end-to-end layout), so anything refused here could never have worked there.
Every refusal is a ``ModelFileError`` with a plain message.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import shutil
import tempfile
import threading
import time
import zipfile
import zlib
from pathlib import Path

from core import config, evaluation
from core import model as model_lib
from core import predictor as predictor_lib
from core import runs as runs_lib
from core.config import TASK_BINARY, TASK_MULTICLASS, TASK_REGRESSION, CleanSpec
from core.errors import ModelFileError, RunError, SpecError, StudioError

MAX_NAME_CHARS = 60


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:,.0f} KB"


def _check_file(data: bytes, max_bytes: int) -> None:
    if not data:
        raise ModelFileError("The model file is empty.")
    if len(data) > max_bytes:
        shown, limit = _megabytes(len(data)), _megabytes(max_bytes)
        over = f"is {shown}; the limit is {limit}" if shown != limit else \
            f"is slightly too big: the limit is {limit}"
        raise ModelFileError(f"This model file {over}.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ModelFileError("This is not a valid .keras model file: it is not a zip archive, "
                             "or it is damaged or incomplete. Upload a model downloaded from "
                             "LSTM Studio.")
    _check_archive(data)


def _check_archive(data: bytes) -> None:
    """A zip from another program, or one whose contents fail their checksums."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "config.json" not in archive.namelist():
                raise ModelFileError("This zip file is not a Keras model: it has no model "
                                     "description inside. Upload a .keras file downloaded "
                                     "from LSTM Studio.")
            damaged = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError,
            NotImplementedError):
        damaged = "?"  # unreadable members (e.g. encrypted or broken compression)
    if damaged is not None:
        raise ModelFileError("This model file is damaged (its contents fail their checksum). "
                             "Download or copy it again, then upload it.")


def _clean_spec(raw) -> CleanSpec:
    """The cleaning settings from the metadata, with any odd value left at its default."""
    defaults = CleanSpec()
    if not isinstance(raw, dict):
        return defaults
    changes = {}
    for field in dataclasses.fields(CleanSpec):
        value = raw.get(field.name)
        if field.name == "max_words":
            if value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0):
                changes[field.name] = value
        elif isinstance(value, bool):
            changes[field.name] = value
    return dataclasses.replace(defaults, **changes)


def _valid_metadata(raw) -> dict | None:
    """The embedded metadata if it is well-formed, else None (the head is read instead)."""
    if not isinstance(raw, dict) or raw.get("task") not in config.TASKS:
        return None
    names = raw.get("class_names")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    if raw["task"] != TASK_REGRESSION and len(names) < 2:
        return None
    valid = {"task": raw["task"], "class_names": [n[:200] for n in names],
             "clean": dataclasses.asdict(_clean_spec(raw.get("clean")))}
    value_range = predictor_lib.value_range_of(raw)  # None unless two finite, ordered numbers
    if value_range:
        valid["value_range"] = list(value_range)
    return valid


def _check_outputs(predictor) -> None:
    units = int(predictor.int_model.output_shape[-1])
    task, names = predictor.task, predictor.class_names
    expected = {TASK_BINARY: 1, TASK_REGRESSION: 1, TASK_MULTICLASS: len(names)}[task]
    if units != expected or (task == TASK_BINARY and len(names) != 2):
        raise ModelFileError("The description stored in this model file does not match the "
                             "model's output, so its predictions could not be read correctly.")
    try:
        predictor.scores(["a short test sentence"])
    except Exception as exc:  # a model that loads but cannot predict is of no use
        raise ModelFileError("This model loads but cannot make predictions on text.") from exc


def _guessed_metadata(path: Path) -> dict:
    """Task and class names read from the output layer, for files without usable metadata."""
    _, int_model = model_lib.split_end_to_end(model_lib.load_model(path))
    return predictor_lib.guess_metadata(int_model)


def load_uploaded(path: Path):
    """(predictor, metadata) for a model file on disk; ModelFileError if refused."""
    raw = predictor_lib.read_metadata(path)
    metadata = _valid_metadata(raw)
    try:
        if metadata is None and raw is not None:
            # load_predictor would trust the malformed member; read the head instead.
            metadata = _guessed_metadata(path)
        predictor = predictor_lib.load_predictor(path, metadata)
    except StudioError:
        raise
    except Exception as exc:  # anything else Keras throws means the file is not usable
        raise ModelFileError("This model file could not be loaded. Only .keras files exported "
                             "from LSTM Studio are supported.") from exc
    _check_outputs(predictor)
    columns = raw.get("text_columns") if isinstance(raw, dict) else None
    if not (isinstance(columns, list) and columns and all(isinstance(c, str) for c in columns)):
        columns = ["text"]
    label_column = raw.get("label_column") if isinstance(raw, dict) else None
    metadata = {"task": predictor.task, "class_names": list(predictor.class_names),
                "clean": dataclasses.asdict(predictor.clean), "text_columns": columns,
                # What the answers are called ("rating"): Explain and the report name it.
                "label_column": label_column[:200] if isinstance(label_column, str) else ""}
    if predictor.value_range:
        metadata["value_range"] = list(predictor.value_range)
    choice = _threshold_choice(raw, predictor)
    if choice:
        metadata["threshold"] = {"positive": choice[0], "threshold": choice[1]}
    metadata["model"] = _architecture(raw)
    return predictor, metadata


def _architecture(raw) -> dict:
    """The settings the model was built with, for the Runs table; {} if absent or odd.

    Only a description: the file's own layers are what predicts.
    """
    described = raw.get("model") if isinstance(raw, dict) else None
    if not isinstance(described, dict) or not {"rnn", "units"} <= described.keys():
        return {}  # absent, or too little to describe the network (defaults would fill in)
    try:
        spec = config.model_from_dict(described)
    except (SpecError, TypeError):
        return {}
    return predictor_lib.model_description(config.to_dict(spec))


def _threshold_choice(raw, predictor) -> tuple[str, float] | None:
    """The two-class threshold an exported run carried, if it fits this model."""
    choice = runs_lib.threshold_from(raw.get("threshold")) if isinstance(raw, dict) else None
    if predictor.task != TASK_BINARY:
        return None
    return evaluation.usable_choice(predictor.class_names, choice)


def _run_name(file_name: str) -> str:
    stem = " ".join(str(file_name).split()) or "model.keras"  # no newlines or tabs
    return f"Imported: {stem[:MAX_NAME_CHARS]}"


# One import at a time in this server: a double click's two script runs overlap, and each
# would find no earlier import of the file and store its own copy.
_IMPORTING = threading.Lock()


def import_model(store: runs_lib.RunStore, data: bytes, file_name: str,
                 max_bytes: int = config.MAX_MODEL_BYTES) -> str:
    """Check, load and store an uploaded model as a finished run; returns the run id
    (for file bytes imported before, that run's: see import_or_find)."""
    return import_or_find(store, data, file_name, max_bytes)[0]


def import_or_find(store: runs_lib.RunStore, data: bytes, file_name: str,
                   max_bytes: int = config.MAX_MODEL_BYTES) -> tuple[str, bool]:
    """(run id, True) for a model imported now; (the earlier run, False) for the same
    file bytes imported before, which are not stored twice."""
    _check_file(data, max_bytes)
    digest = file_digest(data)
    with _IMPORTING:
        earlier = imported_before(store, digest)
        if earlier:
            return earlier, False
        try:
            with tempfile.TemporaryDirectory(prefix="lstm-studio-import-") as folder:
                path = Path(folder) / "model.keras"  # Keras insists on the .keras suffix
                path.write_bytes(data)
                _, metadata = load_uploaded(path)
                return _store_run(store, path, metadata, file_name, digest), True
        except OSError as exc:  # a full disk or an unwritable folder, not a bad file
            raise RunError(f"Could not save the model: {exc.strerror or exc}. Check the disk "
                           "space and permissions of the runs folder.") from exc


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def imported_before(store: runs_lib.RunStore, digest: str) -> str | None:
    """The run that the file with this file_digest was imported as, if still in the store."""
    return next((run.run_id for run in store.list_runs()
                 if run.spec.get("imported") and run.spec.get("file_sha256") == digest), None)


def _store_run(store: runs_lib.RunStore, path: Path, metadata: dict, file_name: str,
               digest: str) -> str:
    spec = {"task": metadata["task"], "class_names": metadata["class_names"],
            "data": {"text_columns": metadata["text_columns"],
                     "label_column": metadata["label_column"], "clean": metadata["clean"]},
            "model": metadata.get("model") or {}, "train": {}, "imported": True,
            "source": str(file_name)[:200], "file_sha256": digest, "rows": {}}
    if metadata.get("value_range"):
        spec["value_range"] = metadata["value_range"]
    run_id = store.create(spec, name=_run_name(file_name))
    try:
        target = store.model_path(run_id)
        temp = target.with_name(".model.import.keras")
        shutil.copyfile(path, temp)
        os.replace(temp, target)
        if metadata.get("threshold"):
            store.save_threshold_choice(run_id, metadata["threshold"]["positive"],
                                        metadata["threshold"]["threshold"])
        store.update_status(run_id, status=runs_lib.FINISHED, ended=time.time(),
                            imported=True, message="Imported from a model file.")
    except BaseException:
        shutil.rmtree(store.path(run_id), ignore_errors=True)
        raise
    return run_id


def exported_model(store: runs_lib.RunStore, run_id: str) -> bytes:
    """The run's model file as users download it, with what it was trained on inside.

    The text columns (files of runs trained before they were embedded lack them) and
    the chosen threshold: imported on another LSTM Studio, the model then reads the
    same columns of a CSV and answers at the same threshold.
    """
    data = store.model_path(run_id).read_bytes()
    changes = {}
    spec = store.spec(run_id)
    columns = (spec.get("data") or {}).get("text_columns")
    label_column = (spec.get("data") or {}).get("label_column")
    embedded = predictor_lib.read_metadata(io.BytesIO(data)) or {}
    if columns and embedded.get("text_columns") != columns:
        changes["text_columns"] = list(columns)
    if label_column and embedded.get("label_column") != label_column:  # older files lack it
        changes["label_column"] = label_column
    if spec.get("model") and "model" not in embedded:  # files from before it was inside
        changes["model"] = predictor_lib.model_description(spec["model"])  # for a Runs table
    choice = store.threshold_choice(run_id)
    if choice is not None:
        changes["threshold"] = {"positive": choice[0], "threshold": choice[1]}
    return predictor_lib.with_metadata(data, changes) if changes else data
