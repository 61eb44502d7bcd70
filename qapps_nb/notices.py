"""Notices: warnings shown as one line that names the file, every time it happens.

A notice is a real ``warnings`` warning (category :class:`QAppsWarning`), so the standard
ways silence it: ``warnings.filterwarnings("ignore", category=qapps_nb.SizeWarning)`` in
code, pytest's ``filterwarnings``, or ``python -W ignore::UserWarning:qapps_nb`` (``-W`` is
read before site-packages can be imported, hence the built-in category and the module
``qapps_nb`` that every notice is issued from). What differs from a plain
``warnings.warn``:

- it is shown every time, not once per code location (each big file deserves its line):
  it is issued with a fresh registry, so only filters can hide it, never a previous one;
- it shows as ``SizeWarning: data/big.csv is 12.6 MB; ...``: no path into qapps-nb's
  source, no source line, no ``sys:1`` in scripts. Only our category's formatting
  changes (``warnings.formatwarning`` delegates every other warning unchanged);
- the pipeline issues it in the calling thread before any progress bar starts, so it is
  never glued onto a bar or reported from a worker thread.
"""

from __future__ import annotations

import warnings
from typing import Any


class QAppsWarning(UserWarning):
    """Base class of the notices qapps-nb shows (silence them all with this category)."""


class SizeWarning(QAppsWarning):
    """A file above Amazon Q Business' 10 MB per-file limit may not be usable in the app."""


def notify(message: str, category: type[QAppsWarning] = SizeWarning) -> None:
    """Show ``message`` as one ``Category: message`` line, unless a filter hides it."""
    _install_format()
    warnings.warn_explicit(category(message), category, filename="qapps_nb", lineno=0,
                           module="qapps_nb", registry={})


def _install_format() -> None:
    current = warnings.formatwarning
    if getattr(current, "_qapps_nb", False):
        return

    def formatwarning(message: Any, category: type[Warning], filename: str, lineno: int,
                      line: str | None = None) -> str:
        if isinstance(category, type) and issubclass(category, QAppsWarning):
            return f"{category.__name__}: {message}\n"
        return current(message, category, filename, lineno, line)

    formatwarning._qapps_nb = True  # type: ignore[attr-defined]
    warnings.formatwarning = formatwarning


__all__ = ["QAppsWarning", "SizeWarning", "notify"]
