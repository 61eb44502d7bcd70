"""How a file reaches a file-upload card of a running session: the one inferred rule.

AWS documents no ``CardValue`` format for file-upload cards. StartQAppSession and
UpdateQAppSession take ``{cardId, value}`` with ``value`` a string, and CreatePresignedUrl
with ``scope=SESSION`` (plus ``sessionId`` and ``cardId``) is documented only as providing
"a file for a single Q App run". What this module does is INFERRED, not documented:

1. upload the file with scope ``SESSION`` for that session id and that card id;
2. send ``UpdateQAppSession(values=[{cardId: <file card id>, value: <the upload's fileId>}])``.

The local sandbox implements the same rule. Every piece of code that depends on it is in
this module (the README says so too); if AWS documents another format, change it here.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any

from ..errors import QAppsError, UploadCancelled
from ..result import UploadResult
from ..service.client import ClientOptions
from ..service.sessions import card_value

SESSION_SCOPE = "SESSION"
"""Files for one run are uploaded with session scope (not as the card's default file)."""


class FileInputFailed(QAppsError):
    """The upload for one file card failed; ``cause`` says why, ``stored`` what did land."""

    def __init__(self, card_id: str, cause: QAppsError,
                 stored: Mapping[str, UploadResult]) -> None:
        self.card_id = card_id
        self.cause = cause
        self.stored = dict(stored)
        super().__init__(str(cause), code=None)


def upload_session_files(payloads: Mapping[str, Any], *, instance_id: str, app_id: str,
                         session_id: str, options: ClientOptions, progress: Any = None,
                         cancel: threading.Event | None = None,
                         max_workers: int = 4) -> dict[str, UploadResult]:
    """Upload each payload (by file card id) for this session, concurrently.

    Returns card id → UploadResult. The first failure cancels the other uploads and is
    raised (each upload closes its payload). On Ctrl-C the workers stop at their next
    chunk and ``KeyboardInterrupt`` propagates; no worker outlives this call.
    """
    from ..pipeline import send
    from ..targeting import Target

    if not payloads:
        return {}
    cancel = cancel or threading.Event()

    def one(card_id: str) -> UploadResult:
        # The payloads passed every local check in prepare_files and the ids come from
        # the app and the session: send them as they are (checking again would show a
        # big file's SizeWarning twice).
        target = Target(instance_id, app_id, card_id, SESSION_SCOPE, session_id)
        try:
            return send(payloads[card_id], target, options, progress=progress, timeout=None,
                        cancel=cancel)
        finally:
            payloads[card_id].close()

    results: dict[str, UploadResult] = {}
    workers = max(1, min(max_workers, len(payloads)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="qapps-run-upload") as pool:
        futures = {card_id: pool.submit(one, card_id) for card_id in payloads}
        try:
            pending = set(futures.values())
            while pending:
                # Wake often: a long blocking wait would not notice Ctrl-C promptly.
                done, pending = wait_futures(pending, timeout=0.1, return_when="FIRST_EXCEPTION")
                if any(f.exception() is not None for f in done):
                    cancel.set()  # no point sending the rest: the run cannot go on
        except BaseException:
            cancel.set()
            for future in futures.values():
                future.cancel()
            raise
    failures: list[tuple[str, QAppsError]] = []
    for card_id, future in futures.items():
        error = future.exception()
        if error is None:
            results[card_id] = future.result()
        elif isinstance(error, QAppsError):
            failures.append((card_id, error))
        else:
            raise error
    if failures:
        # The first real failure, not the "cancelled" that it caused in the other uploads.
        real = [f for f in failures if not isinstance(f[1], UploadCancelled)]
        card_id, error = (real or failures)[0]
        raise FileInputFailed(card_id, error, stored=results)
    return results


def session_card_values(uploads: Mapping[str, UploadResult]) -> list[dict[str, str]]:
    """The ``CardValue`` of each uploaded file card: its SESSION upload's fileId (inferred)."""
    return [card_value(card_id, result.file_id) for card_id, result in uploads.items()]


__all__ = ["SESSION_SCOPE", "FileInputFailed", "session_card_values", "upload_session_files"]
