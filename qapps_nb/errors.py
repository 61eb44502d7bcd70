"""One error hierarchy for every part of qapps-nb.

Users catch :class:`QAppsError`; the magic turns it into a one-line ``UsageError``.
Every message is one short line: what failed, the AWS/S3 code, what to do.
"""

from __future__ import annotations

from typing import Any


class QAppsError(Exception):
    """Base class of every error qapps-nb raises on purpose (an *expected* failure)."""

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None) -> None:
        self.message = message
        self.code = code
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = self.message
        if self.code and self.code not in text:
            text = f"{text} [{self.code}]"
        if self.hint:
            text = f"{text} — {self.hint}"
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # keep keyword-only args across pickling
        return (_rebuild, (type(self), self.message, self.code, self.hint, self.__dict__))


def _rebuild(cls: type[QAppsError], message: str, code: str | None, hint: str | None,
             state: dict[str, Any]) -> QAppsError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, str(err))
    return err


class ValidationError(QAppsError, ValueError):
    """Bad input (ids, names, scope, source). Raised before any network call."""


class ConfigurationError(QAppsError):
    """Missing ids, region or credentials: the user must set something first."""


class MissingSettingsError(ConfigurationError):
    """Settings are missing; the one line names every one of them and how to set it.

    ``missing`` lists them (``instance_id``, ``app``, ``region``, ``credentials``...).
    """

    def __init__(self, message: str, *, missing: tuple[str, ...] = ()) -> None:
        self.missing = missing
        super().__init__(message)


class ApiError(QAppsError):
    """An Amazon Q Apps call failed; ``code`` is the AWS error code, ``operation`` the call."""

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None,
                 status: int | None = None, request_id: str | None = None,
                 operation: str | None = None) -> None:
        self.status = status
        self.request_id = request_id
        self.operation = operation
        super().__init__(message, code=code, hint=hint)


class AttachError(ApiError):
    """The file was uploaded, but making it the card's default file (UpdateQApp) failed.

    ``result`` is the :class:`~qapps_nb.result.UploadResult` of the stored file: its
    ``file_id`` still works (for a session, or for the app's owner to attach).
    """

    def __init__(self, message: str, *, result: Any, code: str | None = None,
                 hint: str | None = None, status: int | None = None,
                 request_id: str | None = None, operation: str | None = None) -> None:
        self.result = result
        super().__init__(message, code=code, hint=hint, status=status, request_id=request_id,
                         operation=operation)

    @property
    def file_id(self) -> str:
        return str(self.result.file_id)


class S3UploadError(QAppsError):
    """The S3 POST of the bytes failed; ``code`` is S3's error code (e.g. ``BadDigest``)."""

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None,
                 status: int | None = None) -> None:
        self.status = status
        super().__init__(message, code=code, hint=hint)


class UploadCancelled(QAppsError):
    """The user stopped the upload (interrupt or the widget's Cancel). Nothing was stored."""


class BatchUploadError(QAppsError):
    """Some uploads of :func:`qapps_nb.upload_many` failed; the others succeeded.

    ``results`` holds, in input order, an ``UploadResult`` for each success and the
    exception for each failure; ``failures`` lists ``(index, source label, exception)``;
    ``stats`` (a ``RetryStats``) counts the retries the batch took.
    """

    def __init__(self, results: list[Any], failures: list[tuple[int, str, QAppsError]],
                 stats: Any = None) -> None:
        self.results = results
        self.failures = failures
        self.stats = stats
        done = len(results) - len(failures)
        lines = "; ".join(f"{label}: {err}" for _, label, err in failures[:5])
        more = f"; and {len(failures) - 5} more" if len(failures) > 5 else ""
        retried = ""
        if stats is not None and (stats.api_retries or stats.s3_resends):
            retried = f"; {stats.api_retries} Q Apps retries, {stats.s3_resends} S3 resends"
        super().__init__(f"{len(failures)} of {len(results)} uploads failed ({done} succeeded"
                         f"{retried}): {lines}{more}")


__all__ = [
    "ApiError",
    "BatchUploadError",
    "ConfigurationError",
    "QAppsError",
    "S3UploadError",
    "UploadCancelled",
    "ValidationError",
]
