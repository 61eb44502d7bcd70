"""qapps-nb: get notebook files and data into Amazon Q Apps.

``upload()`` / ``upload_many()`` are the Python API; ``%load_ext qapps_nb`` adds the
``%qapps_upload`` magic; ``UploadWidget`` is the interactive skin. Heavy modules
(boto3, pandas, the widget) load only when first used, so importing stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    ApiError,
    AttachError,
    BatchUploadError,
    ConfigurationError,
    MissingSettingsError,
    QAppsError,
    S3UploadError,
    UploadCancelled,
    ValidationError,
)
from .notices import SizeWarning
from .result import UploadResult, UploadResults

if TYPE_CHECKING:
    from .pipeline import upload, upload_many
    from .service.apps import App, AppList, AppSummary, Card, clear_cache, get_app, list_apps
    from .sources import Payload, Text
    from .widget import UploadWidget

_LAZY = {
    "upload": "pipeline",
    "upload_many": "pipeline",
    "list_apps": "service.apps",
    "get_app": "service.apps",
    "clear_cache": "service.apps",
    "App": "service.apps",
    "AppList": "service.apps",
    "AppSummary": "service.apps",
    "Card": "service.apps",
    "Text": "sources",
    "Payload": "sources",
    "UploadWidget": "widget",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qapps_nb' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext qapps_nb``: register ``%qapps_upload`` (line and cell), ``%qapps_apps``."""
    from .magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .magics import unload_ipython_extension as unload

    unload(ipython)


__all__ = [
    "ApiError",
    "App",
    "AppList",
    "AppSummary",
    "AttachError",
    "BatchUploadError",
    "Card",
    "ConfigurationError",
    "MissingSettingsError",
    "Payload",
    "QAppsError",
    "S3UploadError",
    "SizeWarning",
    "Text",
    "UploadCancelled",
    "UploadResult",
    "UploadResults",
    "UploadWidget",
    "ValidationError",
    "__version__",
    "clear_cache",
    "get_app",
    "list_apps",
    "load_ipython_extension",
    "upload",
    "upload_many",
]
