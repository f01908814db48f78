"""The optimizer's state beside each best checkpoint, so Train more continues it.

Adam keeps running averages of each weight's gradients and counts its steps. A
restart sets them to zero, and its first steps then move every weight by about
the learning rate: that shakes a trained network. So each best checkpoint also
writes ``optimizer.npz``, and Train more puts it back before fitting on.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from core import runs

FILE = "optimizer.npz"


def save(optimizer, path: Path) -> None:
    """The optimizer's step count and running averages, written atomically next to model.keras."""
    arrays = {f"v{i}": np.asarray(v.numpy()) for i, v in enumerate(optimizer.variables)}
    runs.replace_atomically(path, lambda tmp: np.savez(tmp, **arrays), suffix=".npz")


def restore(trainer, path: Path) -> bool:
    """Put a saved optimizer state back into ``trainer``'s compiled optimizer.

    The learning rate itself is left as the run's spec says. Returns False, changing
    nothing, when there is no state, it is unreadable or it belongs to another network:
    training then goes on with a fresh optimizer, as it did before this file existed.
    """
    try:
        with np.load(path) as saved:
            arrays = [saved[f"v{i}"] for i in range(len(saved.files))]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return False
    optimizer = trainer.optimizer
    optimizer.build(trainer.trainable_variables)
    if len(arrays) != len(optimizer.variables) or any(
            a.shape != tuple(v.shape) for a, v in zip(arrays, optimizer.variables)):
        return False
    for variable, value in zip(optimizer.variables, arrays):
        if variable.name != "learning_rate":
            variable.assign(value)
    return True
