"""Queued faults: the next matching request fails the way AWS or the network would.

Each injected fault hits ``times`` requests of its service (Q Apps API or S3), first
queued first served, then disappears. Kinds and their parameters:

- Q Apps: ``throttle`` (429, ``Retry-After``; ``retry_after=1``), ``api_error`` (500),
  ``access_denied`` (403), ``unauthorized`` (401), ``validation`` (400; ``message``),
  ``expired_url`` (the presigned URL returned is already expired; CreatePresignedUrl
  only). Each takes ``operation="GetQAppSession"`` (a model operation name) to hit only
  requests of that operation; without it, any Q Apps request takes it.
- Sessions: ``card_error`` (the next q-query card that would complete ends in ERROR;
  ``message``) and ``stuck_waiting`` (the next session started keeps its input cards
  WAITING whatever values arrive).
- S3: ``s3_error`` (500 InternalError), ``slow_down`` (503), ``request_timeout`` (400),
  ``s3_access_denied`` (403), ``policy_expired`` (403 "Policy expired" for a URL that
  looked valid), ``reset`` (RST after ``after`` bytes of the body), ``slow_reader``
  (stall ``delay=5`` seconds before reading, so client timeouts fire).
Every kind takes ``message`` to override the error text.

Load tests use :meth:`FaultQueue.inject_random`: besides the queue, each request fails
with probability ``rate`` with one of ``kinds`` (those of its service), from a seeded RNG.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import ApiError, S3Error

API_FAULTS: frozenset[str] = frozenset(
    {"throttle", "api_error", "access_denied", "unauthorized", "validation", "expired_url"})
S3_FAULTS: frozenset[str] = frozenset(
    {"s3_error", "slow_down", "request_timeout", "s3_access_denied", "policy_expired",
     "reset", "slow_reader"})
SESSION_FAULTS: frozenset[str] = frozenset({"card_error", "stuck_waiting"})
FAULT_KINDS: frozenset[str] = API_FAULTS | S3_FAULTS | SESSION_FAULTS
TRANSIENT_KINDS: tuple[str, ...] = ("s3_error", "slow_down", "reset", "throttle", "api_error")
"""Faults a client must ride out by retrying: the default mix of ``inject_random``."""

FaultService = Literal["qapps", "s3"]


@dataclass(frozen=True)
class Fault:
    """One fault as taken by a request."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def number(self, name: str, default: float, *aliases: str) -> float:
        for key in (name, *aliases):
            if key in self.params:
                return float(self.params[key])
        return default


@dataclass
class _Queued:
    kind: str
    remaining: int
    params: dict[str, Any]


class FaultQueue:
    """Thread-safe queue of faults; requests ``take`` the first one for their service."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Queued] = []
        self._rate = 0.0
        self._random_kinds: tuple[str, ...] = ()
        self._rng = random.Random()  # noqa: S311 - fault injection, not security

    def inject(self, kind: str, times: int = 1, **params: Any) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose from {sorted(FAULT_KINDS)}")
        if not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a positive integer, not {times!r}")
        _check_operation(kind, params)
        with self._lock:
            self._queue.append(_Queued(kind, times, dict(params)))

    def inject_random(self, rate: float, kinds: Iterable[str] = TRANSIENT_KINDS,
                      seed: int | None = None) -> None:
        """Fail each request with probability ``rate`` (0 turns it off) with one of ``kinds``."""
        chosen = tuple(kinds)
        unknown = sorted(set(chosen) - FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {unknown}; choose from {sorted(FAULT_KINDS)}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, not {rate!r}")
        with self._lock:
            self._rate = float(rate)
            self._random_kinds = chosen
            self._rng.seed(seed)

    def take(self, service: FaultService, operation: str | None = None) -> Fault | None:
        """The first queued fault for this service (and operation); else maybe a random one."""
        kinds = API_FAULTS if service == "qapps" else S3_FAULTS
        with self._lock:
            queued = self._take_first(lambda q: q.kind in kinds
                                      and q.params.get("operation") in (None, operation))
            if queued is not None:
                return queued
            candidates = [k for k in self._random_kinds if k in kinds]
            if self._rate and candidates and self._rng.random() < self._rate:
                return Fault(self._rng.choice(candidates))
        return None

    def take_kind(self, kind: str) -> Fault | None:
        """Consume one queued fault of ``kind`` (session faults are taken this way)."""
        with self._lock:
            return self._take_first(lambda q: q.kind == kind)

    def _take_first(self, matches: Callable[[_Queued], bool]) -> Fault | None:
        """Consume one use of the first queued fault that ``matches`` (lock held)."""
        for item in self._queue:
            if matches(item):
                item.remaining -= 1
                if item.remaining <= 0:
                    self._queue.remove(item)
                return Fault(item.kind, dict(item.params))
        return None

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [{"kind": q.kind, "times": q.remaining, **q.params} for q in self._queue]

    def clear(self) -> None:
        """Drop queued faults and turn random faults off."""
        with self._lock:
            self._queue.clear()
            self._rate = 0.0
            self._random_kinds = ()


def _check_operation(kind: str, params: dict[str, Any]) -> None:
    """``operation=`` names a model operation, and only Q Apps faults take it."""
    if kind == "expired_url":
        params.setdefault("operation", "CreatePresignedUrl")
        if params["operation"] != "CreatePresignedUrl":
            raise ValueError("expired_url only applies to CreatePresignedUrl")
    operation = params.get("operation")
    if operation is None:
        return
    if kind not in API_FAULTS:
        raise ValueError(f"{kind} does not take operation= (only Q Apps API faults do)")
    from .model import operations

    if operation not in operations():
        raise ValueError(f"unknown operation {operation!r}; use a Q Apps operation name such "
                         "as 'GetQApp' or 'StartQAppSession'")


def iam_action(operation: str | None) -> str:
    """The IAM action behind an operation (CreatePresignedUrl is qapps:ImportDocument)."""
    if operation in (None, "CreatePresignedUrl"):
        return "qapps:ImportDocument"
    return f"qapps:{operation}"


def api_fault_error(fault: Fault, operation: str | None = None) -> ApiError | None:
    """The error a Q Apps fault answers with; None for faults that alter a success."""
    kind = fault.kind
    message = str(fault.params.get("message", ""))
    if kind == "throttle":
        retry_after = fault.number("retry_after", 1)
        return ApiError(429, "ThrottlingException", message or "Rate exceeded",
                        headers={"Retry-After": f"{retry_after:g}"},
                        extra={"serviceCode": "qapps", "quotaCode": "sandbox-quota"})
    if kind == "api_error":
        return ApiError(500, "InternalServerException",
                        message or "An internal error occurred (sandbox fault).")
    if kind == "access_denied":
        return ApiError(403, "AccessDeniedException", message or "User is not authorized "
                        f"to perform: {iam_action(operation)} (sandbox fault)")
    if kind == "unauthorized":
        return ApiError(401, "UnauthorizedException",
                        message or "The security token is expired (sandbox fault).")
    if kind == "validation":
        return ApiError(400, "ValidationException",
                        message or "1 validation error detected: sandbox fault")
    return None


def s3_fault_error(fault: Fault) -> S3Error | None:
    """The S3 error answer for a fault; None for network faults (reset, slow_reader)."""
    kind = fault.kind
    message = fault.params.get("message")
    table = {
        "s3_error": (500, "InternalError",
                     "We encountered an internal error. Please try again."),
        "slow_down": (503, "SlowDown", "Please reduce your request rate."),
        "request_timeout": (400, "RequestTimeout",
                            "Your socket connection to the server was not read from or "
                            "written to within the timeout period. Idle connections will "
                            "be closed."),
        "s3_access_denied": (403, "AccessDenied", "Access Denied"),
        # S3's clock says the policy expired although the URL looked valid to the client
        "policy_expired": (403, "AccessDenied", "Invalid according to Policy: Policy expired."),
    }
    if kind not in table:
        return None
    status, code, default = table[kind]
    return S3Error(status, code, str(message) if message else default)
