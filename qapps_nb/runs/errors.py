"""How a run can end other than COMPLETED: each one line, each keeping the run it is about.

Nothing is hidden: an error raised after a session started carries the run (``.run``:
session id, every card's state) and its message says whether the session was stopped or
is still there, and how to resume when resuming makes sense.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import QAppsError

if TYPE_CHECKING:
    from .run import QAppRun


class RunError(QAppsError):
    """A run failed: an ERROR card, a session stuck WAITING, a failed upload or call.

    ``run`` is the :class:`~qapps_nb.runs.QAppRun` when a session had started (else None).
    """

    def __init__(self, message: str, *, run: QAppRun | None = None, code: str | None = None,
                 hint: str | None = None) -> None:
        self.run = run
        super().__init__(message, code=code, hint=hint)

    @property
    def session_id(self) -> str | None:
        return self.run.session_id if self.run is not None else None


class RunTimeout(RunError):
    """``timeout=`` passed while the session was still running; it keeps running in Q Apps.

    ``err.run.wait()`` waits again for the same session.
    """


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (or Interrupt kernel) while a run was waiting; still a ``KeyboardInterrupt``.

    ``run`` is the run when one was waiting (``run.wait()`` resumes it); ``runs`` holds a
    ``run_many`` batch as far as it got (a run, an exception or None per row).
    """

    def __init__(self, message: str, *, run: QAppRun | None = None,
                 runs: list[Any] | None = None, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        self.run = run
        self.runs = runs
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class BatchRunError(QAppsError):
    """Some runs of :func:`~qapps_nb.run_many` failed; the others completed.

    ``result`` is what ``return_exceptions=True`` would have returned: for a list of rows,
    a run or an exception per row; for a DataFrame, the result frame (``error`` column set
    on the failed rows). ``failures`` lists ``(row label, exception)``.
    """

    def __init__(self, result: Any, failures: list[tuple[Any, BaseException]],
                 total: int) -> None:
        self.result = result
        self.failures = failures
        done = total - len(failures)
        shown = "; ".join(f"row {label}: {_first_line(err)}" for label, err in failures[:3])
        more = f"; and {len(failures) - 3} more" if len(failures) > 3 else ""
        super().__init__(f"{len(failures)} of {total} runs failed ({done} completed): "
                         f"{shown}{more}",
                         hint="every row's outcome is in the error's .result")


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


__all__ = ["BatchRunError", "RunError", "RunInterrupted", "RunTimeout"]
