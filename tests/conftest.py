"""Shared fixtures: the sandbox (a real local HTTP server) and a clean AWS/QAPPS environment."""

from __future__ import annotations

import os
from typing import Any

import pytest

pytest_plugins = ["qapps_nb.sandbox.pytest_plugin"]

_ISOLATED = ("QAPPS_INSTANCE_ID", "QAPPS_APP_ID", "QAPPS_CARD_ID", "QAPPS_SESSION_ID",
             "QAPPS_SCOPE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION",
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
