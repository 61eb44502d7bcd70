"""The upload widget: pick files in the browser, store them in a Q Apps file card.

``UploadWidget`` (``upload_widget.py``) is an anywidget whose front end lives in
``static/``; files travel to the kernel in flow-controlled chunks (``receiver.py`` speaks
the protocol, ``transfer.py`` reassembles, hashes and spools) and then go through
:func:`qapps_nb.upload` in a worker thread. ``rows.py`` keeps the table's rows.
"""

from __future__ import annotations

from .transfer import TransferError
from .upload_widget import UploadWidget

__all__ = ["TransferError", "UploadWidget"]
