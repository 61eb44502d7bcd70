"""The upload widget: pick files in the browser, store them in a Q Apps file card.

``UploadWidget`` is an anywidget (``static/widget.js``) whose files travel to the kernel
in flow-controlled chunks (``transfer.py``) and then through :func:`qapps_nb.upload`.
"""

from __future__ import annotations

from .transfer import TransferError
from .upload_widget import UploadWidget

__all__ = ["TransferError", "UploadWidget"]
