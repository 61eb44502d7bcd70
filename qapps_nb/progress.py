"""Progress reporting for the pipeline: user callbacks or tqdm bars, one phase at a time.

The core only calls ``reporter(phase, done, total)``; what that shows is decided here, so
the pipeline knows nothing of notebooks, terminals or widgets.

Bars are for a person watching. A kernel run by papermill, nbclient (``make demo``) or
Voila has nobody watching: a bar there is saved in the notebook frozen at "0%", so those
runs get no bar at all (the result line says what was uploaded). Sizes use decimal units
(1 MB = 1000 kB), like every message (``result.format_size``).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

Reporter = Callable[[str, int, int], None]
BAR_THRESHOLD = 1024 * 1024
"""Below this a bar would only flash; tiny uploads show no bar."""
PHASE_LABELS = {"hashing": "hashing", "sending": "uploading"}
BAR_FORMAT = ("{l_bar}{bar}| {n_fmt}B/{total_fmt}B "
              "[{elapsed}<{remaining}, {rate_fmt}{postfix}]")
"""tqdm's default layout with byte units spelled out: ``284MB/500MB``, ``12.0MB/s``."""


def make_reporter(progress: Any, label: str) -> Reporter | None:
    """``None`` → tqdm bars when someone watches, ``False`` → nothing, a callable → it."""
    if progress is False:
        return None
    if progress is None or progress is True:
        return TqdmReporter(label) if someone_watches() else None
    if not callable(progress):
        raise TypeError("progress must be None, False or a callable(bytes_done, bytes_total)")
    if _takes_phase(progress):
        return lambda phase, done, total: progress(done, total, phase=phase)
    return lambda phase, done, total: progress(done, total)


def new_bar(total: int, desc: str, **options: Any) -> Any:
    """A tqdm.auto bar that is removed when closed (the result stays).

    ``desc`` is plain text: tqdm's notebook bar escapes it itself, so escaping it here
    would show ``R&amp;D`` for ``R&D``.
    """
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=False, **options)


def someone_watches() -> bool:
    """False in a Jupyter kernel whose current cell came from a front end without a person.

    Every interactive front end (JupyterLab, Notebook 6 and 7, VS Code) runs cells with
    ``allow_stdin`` so that ``input()`` works; nbclient (and so papermill and ``make
    demo``) and Voila run them without, because nobody could answer. ipykernel keeps that
    flag of the running request as ``kernel._allow_stdin`` (ipykernel 6 and 7). Outside a
    kernel (terminal IPython, scripts) tqdm writes to stderr as usual.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return True
    return getattr(kernel, "_allow_stdin", True) is not False


def _takes_phase(func: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return "phase" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class TqdmReporter:
    """One tqdm.auto bar per phase, removed when the phase ends (the result stays)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self._bar: Any = None
        self._phase: str | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if total < BAR_THRESHOLD:
            return
        if phase != self._phase or self._bar is None or done == 0:
            self.close()
            self._phase = phase
            self._bar = new_bar(total, f"{PHASE_LABELS.get(phase, phase)} {self.label}",
                                unit="B", unit_scale=True, unit_divisor=1000,
                                bar_format=BAR_FORMAT, mininterval=0.2)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
