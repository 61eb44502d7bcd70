"""``run_many``: run one Q App for every row of a list of inputs or of a DataFrame.

The app is resolved once (one ``GetQApp``) and every row is checked before the first
session starts, so a typo in row 90 costs nothing. Then up to ``max_workers`` runs go at
once, each a whole run (start, upload, wait) on a worker thread; one failure does not stop
the others and order is kept. One progress bar counts runs done.

When some rows fail: ``return_exceptions=True`` returns everything, each failure in its
place (an exception in the list; the ``error`` column of the DataFrame).
``return_exceptions=False`` (the default) raises :class:`BatchRunError` once every row has
finished; its ``.result`` is exactly that same list or frame, so no completed run is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any

from ..errors import ConfigurationError, QAppsError, ValidationError
from ..serialize import dataframe_kind
from ..service.apps import App
from ..service.client import ClientOptions
from .errors import BatchRunError, RunInterrupted
from .flow import load_app, start_run
from .inputs import InputPlan, check_inputs
from .run import QAppRun, card_keys

NOT_STARTED = "NOT_STARTED"
"""``status`` of a DataFrame row whose session never started."""


def run_many(app: str | App, rows: Any, *, max_workers: int = 4,
             return_exceptions: bool = False, instance_id: str | None = None,
             timeout: float | None = 600, progress: Any = None, session: Any = None,
             profile: str | None = None, region: str | None = None,
             endpoint_url: str | None = None) -> Any:
    """Run ``app`` once per row; ``max_workers`` runs at a time, results in row order.

    ``rows``: a list of input dicts (as for ``run_app``) → a list of runs; or a pandas
    DataFrame whose columns are card titles (a column of paths, bytes or objects feeds a
    file card; empty cells are "not given") → a copy with one column per output card plus
    ``session_id`` and ``status`` (and ``error`` when a row failed). ``timeout`` applies to
    each run. ``progress``: None shows a bar counting runs done, False none, a callable
    gets ``(runs_done, runs_total)``.
    """
    if not (progress is None or isinstance(progress, bool) or callable(progress)):
        raise TypeError("progress must be None, False or a callable(runs_done, runs_total)")
    frame = _pandas_frame(rows)
    labels, row_inputs = _rows(frame, rows)
    if not isinstance(max_workers, int) or max_workers < 1:
        raise ConfigurationError("max_workers must be at least 1")
    options = ClientOptions(session, profile, region, endpoint_url)
    the_app = load_app(app, instance_id, options)
    if frame is not None:
        _check_columns(the_app, list(frame.columns))
    plans: list[InputPlan] = []
    for label, inputs in zip(labels, row_inputs, strict=True):
        try:
            plans.append(check_inputs(the_app, inputs))
        except ValidationError as exc:  # nothing started yet for any row
            raise ValidationError(f"row {label}: {exc.message}", code=exc.code,
                                  hint=exc.hint) from None
    outcomes = _run_all(plans, options, max_workers=max_workers, timeout=timeout,
                        progress=progress, label=the_app.title)
    failures = [(label, o) for label, o in zip(labels, outcomes, strict=True)
                if isinstance(o, BaseException)]
    result = outcomes if frame is None else result_frame(frame, the_app, outcomes)
    if failures and not return_exceptions:
        raise BatchRunError(result, failures, len(outcomes))
    return result


def _pandas_frame(rows: Any) -> Any:
    kind = dataframe_kind(rows)
    if kind == "polars":
        raise ValidationError("run_many takes a pandas DataFrame or a list of dicts; for a "
                              "polars DataFrame pass rows.to_dicts() or rows.to_pandas()")
    return rows if kind == "pandas" else None


def _check_columns(app: App, columns: list[Any]) -> None:
    """Every column must be a card (a typo must not silently drop an input)."""
    from .inputs import describe_inputs, find_card

    for column in columns:
        try:
            find_card(app, column if isinstance(column, str) else "")
        except ValidationError as exc:
            inputs = [repr(c.title) for c in app.input_cards]
            raise ValidationError(
                f"column {column!r} is not a card of {app.title!r} (its inputs: "
                f"{describe_inputs(app)}); pass only card columns, e.g. "
                f"rows[[{', '.join(inputs)}]]", code=exc.code) from None


def _rows(frame: Any, rows: Any) -> tuple[list[Any], list[Mapping[str, Any]]]:
    if frame is not None:
        return list(frame.index), frame.to_dict("records")
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Iterable):
        raise ValidationError("rows must be a list of input dicts or a pandas DataFrame, not "
                              f"{type(rows).__name__}")
    listed = list(rows)
    for i, row in enumerate(listed):
        if not isinstance(row, Mapping):
            raise ValidationError(f"row {i}: an input dict was expected, not "
                                  f"{type(row).__name__}")
    return list(range(len(listed))), listed


def _run_all(plans: list[InputPlan], options: ClientOptions, *, max_workers: int,
             timeout: float | None, progress: Any, label: str) -> list[Any]:
    """Every plan run on the pool; each outcome is a QAppRun or the QAppsError it ended in."""
    if not plans:
        return []
    if options.session is None:
        options.client()  # build the shared client once, not in every worker
    cancel = threading.Event()  # Ctrl-C: every worker stops at its next step

    def one(index: int) -> QAppRun:
        run = start_run(plans[index], options, progress=False, cancel=cancel, max_workers=2)
        return run.wait(timeout, cancel=cancel)

    outcomes: list[Any] = [None] * len(plans)
    counter = RunCounter(progress, len(plans), label)
    with ThreadPoolExecutor(max_workers=min(max_workers, len(plans)),
                            thread_name_prefix="qapps-run") as pool:
        futures = [pool.submit(one, i) for i in range(len(plans))]
        try:
            pending = set(futures)
            while pending:
                # Wake often: a long blocking wait would not notice Ctrl-C promptly.
                _, pending = wait_futures(pending, timeout=0.1)
                counter.update(len(futures) - len(pending))
        except BaseException:
            cancel.set()
            for future in futures:
                future.cancel()
            wait_futures(futures)  # the workers stop within a step; none outlives the call
            _collect(futures, outcomes)
            done = sum(isinstance(o, QAppRun) for o in outcomes)
            raise RunInterrupted(f"interrupted: {done} of {len(plans)} runs had completed; "
                                 "runs still waiting keep running in Q Apps (see .runs)",
                                 runs=outcomes) from None
        finally:
            counter.close()
    _collect(futures, outcomes)
    return outcomes


def _collect(futures: list[Any], outcomes: list[Any]) -> None:
    for i, future in enumerate(futures):
        if future.cancelled() or not future.done():
            continue
        error = future.exception()
        if error is None:
            outcomes[i] = future.result()
        elif isinstance(error, (QAppsError, RunInterrupted)):
            outcomes[i] = error
        else:
            raise error  # a bug, not an expected failure: keep its traceback


def result_frame(frame: Any, app: App, outcomes: list[Any]) -> Any:
    """A copy of ``frame`` plus a column per output card, ``session_id``, ``status``, ``error``."""
    result = frame.copy()
    keys = card_keys(app.cards)
    outputs = [keys[c.card_id] for c in app.output_cards]
    runs = [o if isinstance(o, QAppRun) else getattr(o, "run", None) for o in outcomes]
    for key in outputs:
        column = key if key not in frame.columns else f"{key} (output)"
        result[column] = [run.outputs.get(key) if run is not None else None for run in runs]
    result["session_id"] = [run.session_id if run is not None else None for run in runs]
    result["status"] = [run.status if run is not None else NOT_STARTED for run in runs]
    if any(isinstance(o, BaseException) for o in outcomes):
        result["error"] = [str(o) if isinstance(o, BaseException) else None for o in outcomes]
    return result


class RunCounter:
    """Runs done, shown the project's way: tqdm.auto bar, nothing, or a callable."""

    def __init__(self, progress: Any, total: int, label: str) -> None:
        self.total = total
        self._done = -1
        self._bar: Any = None
        self._callback: Any = None
        if progress is False:
            return
        if progress is None or progress is True:
            from ..progress import new_bar, someone_watches

            if someone_watches():  # papermill, nbclient, Voila: a bar would stay at 0%
                self._bar = new_bar(total, f"running {label}", unit="run")
        else:
            self._callback = progress  # run_many has checked that it is callable

    def update(self, done: int) -> None:
        if done == self._done:
            return
        self._done = done
        if self._bar is not None:
            self._bar.update(done - self._bar.n)
        elif self._callback is not None:
            self._callback(done, self.total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


__all__ = ["NOT_STARTED", "RunCounter", "result_frame", "run_many"]
