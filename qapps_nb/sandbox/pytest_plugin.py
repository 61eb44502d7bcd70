"""pytest fixtures for the sandbox, registered when qapps-nb is installed (or with
``pytest_plugins = ["qapps_nb.sandbox.pytest_plugin"]``).

``qapps_sandbox`` gives each test a clean sandbox (no faults, empty log, no objects,
default settings) while one server serves the whole session, so tests stay fast.
``qapps_sandbox_env`` also points this process's boto3 and qapps-nb at it.

Both fixtures hide the user's AWS and qapps-nb environment from the test (every
``AWS_*`` and ``QAPPS_*`` variable, ``~/.aws``; see :mod:`.isolation`) and restore it
afterwards: a profile, a scope or a session id set in the shell must not change what a
test does. The server listens on a free port unless ``--qapps-sandbox-port N`` or the
ini option ``qapps_sandbox_port = N`` says otherwise (for a firewall rule, a proxy
exception, or a second process that must find it).

Nothing heavy is imported until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from qapps_nb.sandbox.core import Sandbox

_PORT_HELP = "port for the qapps_sandbox fixtures' server (default 0: any free port)"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("qapps-sandbox", "qapps-nb sandbox fixtures")
    group.addoption("--qapps-sandbox-port", dest="qapps_sandbox_port", type=int,
                    default=None, metavar="PORT", help=_PORT_HELP)
    parser.addini("qapps_sandbox_port", _PORT_HELP, default="0")


def _port(config: pytest.Config) -> int:
    option = config.getoption("qapps_sandbox_port")
    raw = option if option is not None else config.getini("qapps_sandbox_port")
    try:
        port = int(str(raw).strip() or 0)
    except ValueError:
        raise pytest.UsageError(f"qapps_sandbox_port: {raw!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise pytest.UsageError(f"qapps_sandbox_port: {port} is not in 0-65535")
    return port


@pytest.fixture(scope="session")
def qapps_sandbox_server(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """One sandbox for the test session (use ``qapps_sandbox`` in tests)."""
    from qapps_nb.sandbox.core import Sandbox

    port = _port(request.config)
    try:
        sandbox = Sandbox(port=port)
    except OSError as exc:
        pytest.fail(f"qapps sandbox: cannot listen on port {port}: {exc.strerror} "
                    "(choose another with --qapps-sandbox-port, or 0 for any)", pytrace=False)
    try:
        yield sandbox
    finally:
        sandbox.stop()


def isolate_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide every AWS_* / QAPPS_* variable and ~/.aws for this test (undone afterwards)."""
    import os

    from qapps_nb.sandbox.isolation import isolated_names, isolation_settings

    for name in isolated_names(os.environ):
        monkeypatch.delenv(name)
    for name, value in isolation_settings(os.environ).items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def qapps_sandbox(qapps_sandbox_server: Sandbox,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A clean sandbox for one test: faults, log, objects and settings reset; the
    user's AWS/qapps-nb environment hidden."""
    isolate_environment(monkeypatch)
    qapps_sandbox_server.reset()
    yield qapps_sandbox_server
    qapps_sandbox_server.reset()


@pytest.fixture
def qapps_sandbox_env(qapps_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """``qapps_sandbox`` plus ``os.environ`` routed to it for this test only."""
    for name, value in qapps_sandbox.env().items():
        monkeypatch.setenv(name, value)
    return qapps_sandbox
