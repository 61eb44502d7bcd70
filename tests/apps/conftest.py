"""Apps tests talk HTTP to the sandbox; ``api`` sends there explicitly, ``ops`` reads its log."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def sb(qapps_sandbox: Any) -> Any:
    return qapps_sandbox


@pytest.fixture
def api(sb: Any) -> dict[str, Any]:
    """Keyword arguments that reach the sandbox, with no app or card."""
    return {"instance_id": sb.instance_id, "session": sb.boto3_session(),
            "endpoint_url": sb.endpoint_url}


@pytest.fixture
def ops(sb: Any) -> Any:
    """``ops()``: the Q Apps operations the sandbox saw, in order (S3 POSTs as "S3")."""
    def seen() -> list[str]:
        return [r.operation if r.service == "qapps" else "S3"
                for r in sb.requests if r.service != "control"]

    return seen
