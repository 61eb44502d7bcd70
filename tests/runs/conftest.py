"""Run tests talk HTTP to the sandbox; q-query cards answer after a short model latency."""

from __future__ import annotations

from typing import Any

import pytest

MODEL_LATENCY = 0.2
"""Seconds a q-query card stays IN_PROGRESS here (the sandbox default is 1 s)."""


@pytest.fixture
def sb(qapps_sandbox: Any) -> Any:
    """The sandbox with a short model latency (tests set it otherwise when they need to)."""
    qapps_sandbox.settings.model_latency = MODEL_LATENCY
    return qapps_sandbox


@pytest.fixture
def aws(sb: Any) -> dict[str, Any]:
    """Keyword arguments that point run_app/run_many at the sandbox explicitly."""
    return {"instance_id": sb.instance_id, "session": sb.boto3_session(),
            "endpoint_url": sb.endpoint_url, "progress": False}


@pytest.fixture
def sb_env(qapps_sandbox_env: Any) -> Any:
    """The sandbox in this process's environment (as qapps_nb.sandbox.start() does)."""
    qapps_sandbox_env.settings.model_latency = MODEL_LATENCY
    return qapps_sandbox_env
