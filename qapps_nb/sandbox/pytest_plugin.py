"""pytest fixtures for the sandbox. Enable with::

    pytest_plugins = ["qapps_nb.sandbox.pytest_plugin"]

``qapps_sandbox`` gives each test a clean sandbox (no faults, empty log, no objects,
default settings) while one server serves the whole session, so tests stay fast.
``qapps_sandbox_env`` also points this process's boto3 at it (via monkeypatch).
Nothing heavy is imported until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from qapps_nb.sandbox.core import Sandbox


@pytest.fixture(scope="session")
def qapps_sandbox_server() -> Iterator[Sandbox]:
    """One sandbox for the test session (use ``qapps_sandbox`` in tests)."""
    from qapps_nb.sandbox.core import running

    with running() as sandbox:
        yield sandbox


@pytest.fixture
def qapps_sandbox(qapps_sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """A clean sandbox for one test: faults, log, objects and settings reset."""
    qapps_sandbox_server.reset()
    yield qapps_sandbox_server
    qapps_sandbox_server.reset()


@pytest.fixture
def qapps_sandbox_env(qapps_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """``qapps_sandbox`` plus ``os.environ`` routed to it for this test only."""
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in qapps_sandbox.env().items():
        monkeypatch.setenv(name, value)
    return qapps_sandbox
