"""The IPython magics: ``%qapps_upload`` (more to come), one ``QAppsMagics`` for settings.

``core.py`` holds the configurable class and thin entry points; each magic's parsing and
rendering lives in its own module (``upload.py`` with ``upload_args.py`` and
``sources.py``). ``%load_ext qapps_nb`` calls :func:`load_ipython_extension`.
"""

from __future__ import annotations

from ..result import UploadResults
from .core import QAppsMagics, load_ipython_extension, unload_ipython_extension

__all__ = ["QAppsMagics", "UploadResults", "load_ipython_extension", "unload_ipython_extension"]
