"""Fixtures for widget tests: every widget gets a recording comm instead of a front end."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import comm
import pytest
from widget_helpers import RecordingComm

from qapps_nb.widget import UploadWidget


@pytest.fixture(autouse=True)
def recording_comm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: RecordingComm(*a, **k))


@pytest.fixture
def spool_dir(tmp_path: Any) -> Iterator[Any]:
    path = tmp_path / "spool"
    path.mkdir()
    yield path
    assert os.listdir(path) == [], "a spool file was left behind"


@pytest.fixture
def new_widget(spool_dir: Any) -> Iterator[Callable[..., UploadWidget]]:
    """Builds widgets that spool to ``spool_dir``; each is closed after the test, and its
    workers waited for (cancelled ones delete their spools)."""
    made: list[UploadWidget] = []

    def build(**kwargs: Any) -> UploadWidget:
        w = UploadWidget(spool_dir=str(spool_dir), **kwargs)
        made.append(w)
        return w

    yield build
    for w in made:
        w.close()
        w.wait(timeout=30)


@pytest.fixture
def widget(qapps_sandbox: Any, new_widget: Callable[..., UploadWidget]) -> UploadWidget:
    """A widget aimed at the sandbox's app and card, not listing apps (none in the log)."""
    sb = qapps_sandbox
    return new_widget(instance_id=sb.instance_id, app_id=sb.app_id, card_id=sb.card_id,
                      session=sb.boto3_session(), endpoint_url=sb.endpoint_url,
                      load_apps=False)
