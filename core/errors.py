"""User-facing errors.

Every problem a user can cause (a bad file, a wrong column, an impossible
setting) is raised as a ``StudioError`` whose message is one or two plain
sentences a non-programmer understands. Pages show ``str(error)`` with
``st.error``; the CLI prints it on stderr and exits with code 2.
"""


class StudioError(Exception):
    """Base class: the message is meant for the end user, as is."""


class DataError(StudioError):
    """The CSV or the chosen columns cannot be used."""


class NoDataRowsError(DataError):
    """The file's only row was read as column names; reading it as data may be what the
    user meant (the Data page then offers that choice)."""


class SpecError(StudioError):
    """A model or training setting is impossible."""


class RunError(StudioError):
    """A run cannot be found, started, stopped or loaded."""


class RunGoneError(RunError):
    """The run's folder is gone: deleted, perhaps by another session while a page drew it."""

    def __init__(self, run_id: str):
        super().__init__(f"There is no run called '{run_id}'. It may have been deleted.")
        self.run_id = run_id


class ModelFileError(StudioError):
    """An uploaded or stored model file cannot be loaded safely."""


class TrainingError(StudioError):
    """Training itself went wrong in a way the user's settings can avoid (it diverged)."""
