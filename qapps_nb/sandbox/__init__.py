"""A local stand-in for Amazon Q Apps ``createPresignedUrl`` and a strict S3 POST endpoint.

For demos, tests and CI without AWS: it answers like Q Apps and S3 do and fails where
they would fail (expired policy, bad checksum, oversize file, throttling...)::

    from qapps_nb.sandbox import running
    with running() as sb:
        client = sb.boto3_session().client("qapps", endpoint_url=sb.endpoint_url)

In a notebook, ``qapps_nb.sandbox.start()`` routes this kernel's boto3 to a sandbox
until ``qapps_nb.sandbox.stop()``. From a shell: ``python -m qapps_nb.sandbox``.
Names are imported lazily so ``import qapps_nb.sandbox`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core import Sandbox, running
    from .notebook import current, start, stop
    from .records import RequestRecord
    from .state import Settings
    from .store import StoredObject

__all__ = ["RequestRecord", "Sandbox", "Settings", "StoredObject", "current", "running",
           "start", "stop"]

_WHERE = {
    "Sandbox": "core", "running": "core", "start": "notebook", "stop": "notebook",
    "current": "notebook", "RequestRecord": "records", "Settings": "state",
    "StoredObject": "store",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
