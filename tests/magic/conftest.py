"""A real in-process IPython shell with the extension loaded, pointed at the sandbox.

``run(cell)`` executes a cell the way a notebook does and records what the user would
see: the value, stdout, stderr, and whether a full traceback was rendered.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class Outcome:
    result: Any
    error: BaseException | None
    out: str
    err: str
    tracebacks: list[Any] = field(default_factory=list)

    @property
    def usage_error(self) -> str:
        """The one-line message the user saw, asserting it really was one short line."""
        from IPython.core.error import UsageError

        assert isinstance(self.error, UsageError), (self.error, self.err)
        assert not self.tracebacks, "a traceback was rendered for an expected error"
        assert "Traceback" not in self.err + self.out
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert lines == [f"UsageError: {self.error}"], self.err
        return str(self.error)


@pytest.fixture(scope="session")
def _shell() -> Any:
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    return start_ipython() or get_ipython()  # None when another test module started it


@pytest.fixture
def ip(_shell: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[Any]:
    """The shell with a fresh ``QAppsMagics`` (default traits) and a clean namespace."""
    from qapps_nb import magic

    monkeypatch.chdir(tmp_path)
    before = set(_shell.user_ns)
    _shell.config.pop("QAppsMagics", None)  # %config values live in the shell's config
    magic.load_ipython_extension(_shell)
    yield _shell
    magic.unload_ipython_extension(_shell)
    _shell.extension_manager.loaded.discard("qapps_nb")  # a later %load_ext really loads
    _shell.config.pop("QAppsMagics", None)
    for name in set(_shell.user_ns) - before:
        _shell.user_ns.pop(name, None)


@pytest.fixture
def magics(ip: Any) -> Any:
    return ip.magics_manager.registry["QAppsMagics"]


@pytest.fixture
def sb(qapps_sandbox_env: Any) -> Any:
    """The sandbox, with its ids and endpoint in the environment (as sandbox.start() does)."""
    return qapps_sandbox_env


@pytest.fixture
def run(ip: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    tracebacks: list[Any] = []

    def record(*args: Any, **kwargs: Any) -> None:
        tracebacks.append(sys.exc_info()[1])

    monkeypatch.setattr(ip, "_showtraceback", record)

    def run_cell(source: str) -> Outcome:
        capsys.readouterr()
        tracebacks.clear()
        res = ip.run_cell(source, store_history=True)
        captured = capsys.readouterr()
        return Outcome(res.result, res.error_in_exec or res.error_before_exec, captured.out,
                       captured.err, list(tracebacks))

    return run_cell
