"""Fixtures for the fault tests: an in-process IPython shell running the magic, widgets with
a recording comm, and the sandbox in the environment (as ``qapps_nb.sandbox.start()`` does).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import comm
import pytest
from fault_helpers import RecordingComm


@pytest.fixture
def ip(ip: Any, qapps_sandbox_env: Any) -> Any:
    """The shared shell (tests/conftest.py) with boto3 routed to the sandbox."""
    return ip


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
