"""Run notebook cells in a real in-process IPython shell and record what the user would see."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class CellOutcome:
    """A cell's value, stdout, stderr and the tracebacks IPython rendered."""

    result: Any
    error: BaseException | None
    out: str
    err: str
    tracebacks: list[Any] = field(default_factory=list)
    rendered: list[list[str]] = field(default_factory=list)
    """The lines IPython showed for each traceback (its structured traceback)."""

    @property
    def interrupted(self) -> str:
        """The one line shown for an interrupt: a KeyboardInterrupt, not a usage error."""
        from IPython.core.error import UsageError

        assert isinstance(self.error, KeyboardInterrupt), (self.error, self.err)
        assert not isinstance(self.error, UsageError)
        assert len(self.rendered) == 1, self.rendered
        assert self.rendered[0] == [f"KeyboardInterrupt: {self.error}"], self.rendered
        assert "Traceback" not in self.err + self.out
        return str(self.error)

    @property
    def usage_error(self) -> str:
        """The one-line message the user saw, asserting it really was one line, no traceback."""
        from IPython.core.error import UsageError

        assert isinstance(self.error, UsageError), (self.error, self.err)
        assert not self.tracebacks, "a traceback was rendered for an expected error"
        assert "Traceback" not in self.err + self.out
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert lines == [f"UsageError: {self.error}"], self.err
        return str(self.error)


def cell_runner(ip: Any, capsys: pytest.CaptureFixture[str],
                monkeypatch: pytest.MonkeyPatch) -> Callable[[str], CellOutcome]:
    """``run(source)`` executes a cell as a notebook does and returns its CellOutcome."""
    tracebacks: list[Any] = []
    rendered: list[list[str]] = []

    def record(etype: Any, evalue: Any, stb: Any) -> None:
        tracebacks.append(sys.exc_info()[1])
        rendered.append(list(stb))

    monkeypatch.setattr(ip, "_showtraceback", record)

    def run_cell(source: str) -> CellOutcome:
        capsys.readouterr()
        tracebacks.clear()
        rendered.clear()
        res = ip.run_cell(source, store_history=True)
        captured = capsys.readouterr()
        return CellOutcome(res.result, res.error_in_exec or res.error_before_exec,
                           captured.out, captured.err, list(tracebacks), list(rendered))

    return run_cell
