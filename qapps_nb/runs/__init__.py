"""Running Q Apps from a notebook: ``run_app``, ``run_many`` and the run they return.

Modules: ``inputs`` (checks before any session), ``file_cards`` (the one inferred rule
for file cards), ``flow`` (start → upload → update), ``waiting`` (polling with backoff),
``run`` (``QAppRun``), ``batch`` (``run_many``), ``display`` (safe Markdown, text).
Session calls themselves are in :mod:`qapps_nb.service.sessions`.
"""

from __future__ import annotations

from .batch import run_many
from .errors import BatchRunError, RunError, RunInterrupted, RunTimeout
from .flow import run_app
from .run import CardState, QAppRun

__all__ = ["BatchRunError", "CardState", "QAppRun", "RunError", "RunInterrupted", "RunTimeout",
           "run_app", "run_many"]
