"""Progress reporting for the pipeline: user callbacks or tqdm bars, one phase at a time.

The core only calls ``reporter(phase, done, total)``; what that shows is decided here, so
the pipeline knows nothing of notebooks, terminals or widgets.
"""

from __future__ import annotations

import html
import inspect
from collections.abc import Callable
from typing import Any

Reporter = Callable[[str, int, int], None]
BAR_THRESHOLD = 1024 * 1024
"""Below this a bar would only flash; tiny uploads show no bar."""
PHASE_LABELS = {"hashing": "hashing", "sending": "uploading"}


def make_reporter(progress: Any, label: str) -> Reporter | None:
    """``None`` → tqdm.auto bars, ``False`` → nothing, a callable → that callable."""
    if progress is False:
        return None
    if progress is None or progress is True:
        return TqdmReporter(label)
    if not callable(progress):
        raise TypeError("progress must be None, False or a callable(bytes_done, bytes_total)")
    if _takes_phase(progress):
        return lambda phase, done, total: progress(done, total, phase=phase)
    return lambda phase, done, total: progress(done, total)


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
            from tqdm.auto import tqdm

            self._phase = phase
            desc = f"{PHASE_LABELS.get(phase, phase)} {self.label}"
            if tqdm.__module__.startswith("tqdm.notebook"):
                desc = html.escape(desc)  # the notebook bar shows desc in an HTML widget
            self._bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                             desc=desc, leave=False, mininterval=0.2)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
