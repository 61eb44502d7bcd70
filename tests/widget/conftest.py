"""Fixtures for widget tests: every widget gets a recording comm instead of a front end."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import comm
import pytest
from widget_helpers import RecordingComm


@pytest.fixture(autouse=True)
def recording_comm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: RecordingComm(*a, **k))


@pytest.fixture
def spool_dir(tmp_path: Any) -> Iterator[Any]:
    path = tmp_path / "spool"
    path.mkdir()
    yield path
    assert os.listdir(path) == [], "a spool file was left behind"
