"""Shared fixtures: the sandbox (a real local HTTP server) and a clean AWS/QAPPS environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from ipython_cells import cell_runner

pytest_plugins = ["qapps_nb.sandbox.pytest_plugin"]

_ISOLATED = ("QAPPS_INSTANCE_ID", "QAPPS_APP_ID", "QAPPS_APP", "QAPPS_CARD_ID", "QAPPS_CARD",
             "QAPPS_SESSION_ID", "QAPPS_SCOPE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION",
             "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_QAPPS",
             "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: Any) -> None:
    """No test sees the developer's AWS profile or ids, and none can reach real AWS."""
    for name in _ISOLATED:
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path_factory.getbasetemp() / "no-aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", os.fspath(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.fspath(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    from qapps_nb.service.apps import clear_cache

    clear_cache()  # app listings and definitions are cached per process for 60 s


@pytest.fixture(autouse=True)
def _fresh_pacing() -> Iterator[None]:
    """Retry pacing is shared per endpoint in a process: each test starts without a hold."""
    from qapps_nb import pacing

    pacing.reset()
    yield
    pacing.reset()


@pytest.fixture
def target(qapps_sandbox: Any) -> dict[str, Any]:
    """Keyword arguments that send an upload to the sandbox explicitly (no environment)."""
    return {
        "instance_id": qapps_sandbox.instance_id,
        "app_id": qapps_sandbox.app_id,
        "card_id": qapps_sandbox.card_id,
        "session": qapps_sandbox.boto3_session(),
        "endpoint_url": qapps_sandbox.endpoint_url,
        "progress": False,
    }


@pytest.fixture(scope="session")
def _shell() -> Any:
    """One in-process IPython shell for the whole run (IPython allows one per process)."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    return start_ipython() or get_ipython()  # None when something else started it first


@pytest.fixture
def ip(_shell: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[Any]:
    """The shell with ``%load_ext qapps_nb`` done, default traits, a clean namespace."""
    from qapps_nb import magics as magic

    monkeypatch.chdir(tmp_path)
    before = set(_shell.user_ns)
    _shell.config.pop("QAppsMagics", None)  # %config values live in the shell's config
    _shell.run_line_magic("load_ext", "qapps_nb")
    yield _shell
    magic.unload_ipython_extension(_shell)
    _shell.extension_manager.loaded.discard("qapps_nb")  # a later %load_ext really loads
    _shell.config.pop("QAppsMagics", None)
    for name in set(_shell.user_ns) - before:
        _shell.user_ns.pop(name, None)


@pytest.fixture
def magics(ip: Any) -> Any:
    """The shell's QAppsMagics instance (its traits are what %config sets)."""
    return ip.magics_manager.registry["QAppsMagics"]


@pytest.fixture
def run(ip: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """``run(cell)`` executes a cell as a notebook does; see ipython_cells.CellOutcome."""
    return cell_runner(ip, capsys, monkeypatch)


FAST_PACING = {"base_delay": 0.02, "max_delay": 0.4, "retry_after_cap": 0.2,
               "give_up_after": 1.5}
"""Test-sized retry delays (the same algorithm); production: 0.25 s base, 8 s cap,
Retry-After up to 20 s, a service down after 30 s of failures."""


@pytest.fixture
def fast_pacing() -> Iterator[None]:
    """Small retry delays for one test (bursts, a dead service)."""
    from qapps_nb import pacing

    previous = pacing.configure(**FAST_PACING)
    yield
    pacing.restore(previous)
