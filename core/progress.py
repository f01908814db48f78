"""How far a training run is, and the line that says how it ended: the live view's words.

Plain functions of the run's status and metric records (no page code), so the page and
its tests share them.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import runs as runs_lib


@dataclass(frozen=True)
class Progress:
    fraction: float
    epoch: int
    total_epochs: int
    batch: int
    batches: int
    eta_seconds: float | None


def progress(status: dict, records: list[dict], now: float) -> Progress:
    """How far the worker is, and a time estimate from this start's own pace."""
    total = int(status.get("total_epochs") or status.get("target_epochs") or 1)
    batches = int(status.get("batches_per_epoch") or 1)
    done_epochs = int(status.get("epochs_done") or 0)
    recent = [r for r in records if (r.get("time") or 0) >= float(status.get("started") or 0)]
    batch_records = [r for r in recent if r.get("kind") == "batch"]
    last = batch_records[-1] if batch_records else None
    if last and last["epoch"] > done_epochs:
        epoch, batch = int(last["epoch"]), int(last["batch"])
    else:
        epoch, batch = min(done_epochs + 1, total), 0
    done = min(done_epochs * batches + (batch if epoch > done_epochs else 0), total * batches)
    return Progress(done / (total * batches), epoch, total, batch, batches,
                    _eta(recent, total * batches, now))


def progress_text(p: Progress) -> str:
    """The progress bar's words; between two epochs no batch of the new one is done yet."""
    eta = f" · about {_duration(p.eta_seconds)} left" if p.eta_seconds is not None else ""
    where = f"batch {p.batch} of {p.batches}" if p.batch else "starting the epoch"
    return f"Training: epoch {p.epoch} of {p.total_epochs} · {where}{eta}"


def _eta(recent: list[dict], total_steps: int, now: float) -> float | None:
    """Seconds left at the pace since the first record (validation passes included).

    The first record is only a starting point: the first batch also builds the
    TensorFlow graph, which would make the estimate far too long.
    """
    points = [(r["time"], r["step"]) for r in recent
              if r.get("time") is not None and r.get("step") is not None]
    if len(points) < 2:
        return None
    (t0, s0), (t1, s1) = points[0], points[-1]
    if s1 <= s0 or t1 <= t0:
        return None
    return max(0.0, (total_steps - s1) * (t1 - t0) / (s1 - s0) - (now - t1))


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def ended_line(status_name: str, status: dict, by_you: str = "") -> str:
    """"Finished after 6 epochs." or, when Stop cut the last epoch short, where it stopped;
    ``by_you``: " by you" when this session stopped it."""
    epochs = int(status.get("epochs_done") or 0)
    batches, per_epoch = status.get("last_epoch_batches"), status.get("batches_per_epoch")
    if status_name != runs_lib.STOPPED:
        patience = status.get("early_stopped_patience")
        if not patience:
            return f"Finished after {epochs} epoch{'s' if epochs != 1 else ''}."
        of_total = f" of {status['total_epochs']}" if status.get("total_epochs") else ""
        return (f"Finished after {epochs}{of_total} epochs: early stopping ended it, as the "
                f"validation loss had not improved for {patience} epoch"
                f"{'s' if patience != 1 else ''}.")
    if epochs and batches and per_epoch and batches < per_epoch:
        return (f"Stopped{by_you} during epoch {epochs}, after {batches} of {per_epoch} "
                "batches.")
    return f"Stopped{by_you} after {epochs} epoch{'s' if epochs != 1 else ''}."
