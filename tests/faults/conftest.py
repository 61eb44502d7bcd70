"""Fixtures for the fault tests: an in-process IPython shell running the magic, widgets with
a recording comm, and the sandbox in the environment (as ``qapps_nb.sandbox.start()`` does).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import comm
import pytest
from fault_helpers import RecordingComm


@dataclass
class CellOutcome:
    result: Any
    error: BaseException | None
    out: str
    err: str
    tracebacks: list[Any] = field(default_factory=list)

    @property
    def usage_error(self) -> str:
        """The one line the user saw; asserts it really was one line without a traceback."""
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

    return start_ipython() or get_ipython()


@pytest.fixture
def ip(_shell: Any, qapps_sandbox_env: Any, monkeypatch: pytest.MonkeyPatch,
       tmp_path: Path) -> Iterator[Any]:
    """The shell with ``%load_ext qapps_nb`` done, cwd in tmp_path, boto3 routed to the sandbox."""
    monkeypatch.chdir(tmp_path)
    before = set(_shell.user_ns)
    _shell.config.pop("QAppsMagics", None)
    _shell.run_line_magic("load_ext", "qapps_nb")
    yield _shell
    from qapps_nb import magic

    magic.unload_ipython_extension(_shell)
    _shell.extension_manager.loaded.discard("qapps_nb")
    for name in set(_shell.user_ns) - before:
        _shell.user_ns.pop(name, None)


@pytest.fixture
def run(ip: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run a cell as a notebook does; record value, stdout, stderr and rendered tracebacks."""
    tracebacks: list[Any] = []
    monkeypatch.setattr(ip, "_showtraceback",
                        lambda *a, **k: tracebacks.append(sys.exc_info()[1]))

    def run_cell(source: str) -> CellOutcome:
        capsys.readouterr()
        tracebacks.clear()
        res = ip.run_cell(source, store_history=True)
        captured = capsys.readouterr()
        return CellOutcome(res.result, res.error_in_exec or res.error_before_exec,
                           captured.out, captured.err, list(tracebacks))

    return run_cell


@pytest.fixture
def make_widget(qapps_sandbox: Any, monkeypatch: pytest.MonkeyPatch,
                tmp_path: Path) -> Iterator[Any]:
    """Build UploadWidgets aimed at the sandbox, each with a recording comm; closed after."""
    from qapps_nb.widget import UploadWidget

    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: RecordingComm(*a, **k))
    spool = tmp_path / "spool"
    spool.mkdir()
    made: list[Any] = []

    def make(**kwargs: Any) -> Any:
        sb = qapps_sandbox
        options = {"instance_id": sb.instance_id, "app_id": sb.app_id, "card_id": sb.card_id,
                   "session": sb.boto3_session(), "endpoint_url": sb.endpoint_url,
                   "spool_dir": str(spool), **kwargs}
        widget = UploadWidget(**options)
        made.append(widget)
        return widget

    make.spool_dir = spool  # type: ignore[attr-defined]
    yield make
    for widget in made:
        widget.close()
        widget.wait(timeout=30)
