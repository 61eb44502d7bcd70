"""Magic tests use the shared shell fixtures ``ip``, ``run`` and ``magics`` (tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def sb(qapps_sandbox_env: Any) -> Any:
    """The sandbox, with its ids and endpoint in the environment (as sandbox.start() does)."""
    return qapps_sandbox_env
