"""The fault matrix: every fault through the Python API, the magic and the widget (kernel side).

Each case ends in one of two ways, and the test proves which:

- success: the stored object is byte-exact, exactly one object exists, and the request log
  shows the retries / URL renewals that got there;
- failure: one line naming the AWS/S3 code and what to do, no traceback, no result (no
  false success) and no object stored (no half state).

The rows here are the troubleshooting table in docs/troubleshooting.md.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fault_helpers import (
    UUID,
    SecretShapes,
    api_calls,
    assert_one_line,
    s3_posts,
    send_file,
    wait_until,
    widget_row,
    widget_traffic,
)

from qapps_nb import QAppsError, UploadResult, transport, upload

DATA = os.urandom(1024 * 1024 + 17)  # 1 MiB: a reset lands in the middle of the body
SHORT_TIMEOUT = (5.0, 1.0)  # (connect, read): a 3 s stall is a read timeout


@dataclass(frozen=True)
class Case:
    name: str
    faults: tuple[tuple[str, int, dict[str, Any]], ...] = ()
    code: str | None = None  # None: the upload must succeed
    hint: str = ""           # the "what to do" part of the line
    api: int | None = None   # Q Apps calls the sandbox saw
    s3: int | None = None    # S3 POSTs the sandbox saw
    attempts: int | None = None  # UploadResult.attempts (S3 sends + URL renewals)
    max_size: int | None = None
    mutate: bool = False     # rewrite the file (same size) after it was hashed
    short_timeout: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("throttled-twice", (("throttle", 2, {}),), api=3, s3=1, attempts=1),
    Case("api-500", (("api_error", 1, {}),), api=2, s3=1, attempts=1),
    Case("s3-500", (("s3_error", 1, {}),), api=1, s3=2, attempts=2),
    Case("s3-503-slowdown", (("slow_down", 1, {}),), api=1, s3=2, attempts=2),
    Case("reset-mid-body", (("reset", 1, {"after": 256 * 1024}),), api=1, s3=2, attempts=2),
    Case("read-timeout", (("slow_reader", 1, {"delay": 3}),), api=1, s3=2, attempts=2,
         short_timeout=True),
    Case("url-expired-before-sending", (("expired_url", 1, {}),), api=2, s3=1, attempts=2),
    Case("policy-expired-403", (("policy_expired", 1, {}),), api=2, s3=2, attempts=2),
    Case("s3-access-denied-403", (("s3_access_denied", 1, {}),), code="AccessDenied",
         hint="request a new one by uploading again", api=1, s3=1),
    Case("api-access-denied-403", (("access_denied", 1, {}),), code="AccessDeniedException",
         hint="needs qapps:ImportDocument", api=1, s3=0),
    Case("unauthorized-401", (("unauthorized", 1, {}),), code="UnauthorizedException",
         hint="aws sso login", api=1, s3=0),
    Case("validation-400", (("validation", 1, {}),), code="ValidationException",
         hint="check the ids, scope and file name", api=1, s3=0),
    Case("entity-too-large", code="EntityTooLarge", hint="larger than this Q App accepts",
         api=1, s3=1, max_size=1024),
    Case("bad-digest-changed-after-hashing", code="BadDigest", hint="upload it again",
         api=1, s3=1, mutate=True),
]

# Faults that persist past every retry: the line the user ends up with (Python API).
PERSISTENT = [
    # total_max_attempts=5 in presign.py: 5 calls in all
    Case("throttled-persistently", (("throttle", 5, {}),), code="ThrottlingException",
         hint="lower max_workers", api=5, s3=0),
    Case("api-500-persistently", (("api_error", 5, {}),), code="InternalServerException",
         hint="try again shortly", api=5, s3=0),
    Case("s3-500-persistently", (("s3_error", 4, {}),), code="InternalError",
         hint="after 4 attempts", api=1, s3=4),
    Case("s3-503-persistently", (("slow_down", 4, {}),), code="SlowDown",
         hint="wait a moment and try again", api=1, s3=4),
    Case("reset-persistently", (("reset", 4, {"after": 256 * 1024}),), code="ConnectionError",
         hint="check the network and try again", api=1, s3=4),
    Case("read-timeout-persistently", (("slow_reader", 4, {"delay": 2}),), code="Timeout",
         hint="raise timeout=", api=1, s3=4, short_timeout=True),
    Case("request-timeout-400-persistently", (("request_timeout", 4, {}),),
         code="RequestTimeout", hint="check the network", api=1, s3=4),
    Case("policy-expired-twice", (("policy_expired", 2, {}),), code="AccessDenied",
         hint="slower than the URL lifetime", api=2, s3=2),
    Case("url-expired-twice", (("expired_url", 2, {}),), code="AccessDenied",
         hint="check the network or your clock", api=2, s3=0),
]


@dataclass
class Outcome:
    file_id: str | None
    message: str | None
    attempts: int | None = None
    code: str | None = None


def _arrange(sb: Any, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    for kind, times, params in case.faults:
        sb.inject(kind, times=times, **params)
    if case.max_size is not None:
        sb.settings.max_size = case.max_size
    if case.short_timeout:  # the magic and widget have no timeout option: set the default
        monkeypatch.setattr(transport, "DEFAULT_TIMEOUT", SHORT_TIMEOUT)
    if case.mutate:
        sb.set_latency(api=1.0)  # hashing is done; the presign call is in flight


def _mutate_later(find: Any) -> threading.Timer:
    """0.4 s in (during the 1 s presign call, after hashing): same size, other bytes."""
    def change() -> None:
        path = find()
        with open(path, "r+b") as f:
            f.write(bytes(b ^ 0xFF for b in DATA[:64]))

    timer = threading.Timer(0.4, change)
    timer.start()
    return timer


def _check(sb: Any, case: Case, outcome: Outcome) -> None:
    if case.s3:  # a stalled request the client gave up on is logged when the stall ends
        wait_until(lambda: len(s3_posts(sb)) >= (case.s3 or 0), timeout=10)
        time.sleep(0.2)  # ... and anything stored by it lands now, not in the next test
    posts, calls = s3_posts(sb), api_calls(sb)
    if case.api is not None:
        assert len(calls) == case.api, [(r.status, r.code) for r in calls]
    if case.s3 is not None:
        assert len(posts) == case.s3, [(r.status, r.code) for r in posts]
    if case.code is None:
        assert outcome.message is None, outcome.message
        assert outcome.file_id is not None
        assert sb.read_object(outcome.file_id) == DATA  # byte-exact
        assert [o.file_id for o in sb.objects()] == [outcome.file_id]
        if case.attempts is not None and outcome.attempts is not None:
            assert outcome.attempts == case.attempts
        return
    assert outcome.file_id is None, "a false success"
    assert outcome.message is not None
    message = assert_one_line(outcome.message)
    assert f"[{case.code}]" in message, message
    assert case.hint in message, message
    if outcome.code is not None:
        assert outcome.code == case.code
    assert sb.objects() == [], "half state: an object was stored although the upload failed"
    SecretShapes.of(sb).assert_absent(message, "the error line")


def _via_api(sb: Any, case: Case, target: dict[str, Any], tmp_path: Path) -> Outcome:
    path = tmp_path / "data.bin"
    path.write_bytes(DATA)
    timer = _mutate_later(lambda: path) if case.mutate else None
    try:
        result = upload(path, timeout=SHORT_TIMEOUT if case.short_timeout else None, **target)
    except QAppsError as exc:
        return Outcome(None, str(exc), code=exc.code)
    finally:
        if timer:
            timer.join()
    assert isinstance(result, UploadResult)
    return Outcome(result.file_id, None, result.attempts)


@pytest.mark.parametrize("case", CASES + PERSISTENT, ids=lambda c: c.name)
def test_python_api(qapps_sandbox: Any, target: dict[str, Any], tmp_path: Path,
                    monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    _arrange(qapps_sandbox, case, monkeypatch)
    _check(qapps_sandbox, case, _via_api(qapps_sandbox, case, target, tmp_path))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_magic(qapps_sandbox_env: Any, run: Any, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    sb = qapps_sandbox_env
    (tmp_path / "data.bin").write_bytes(DATA)
    _arrange(sb, case, monkeypatch)
    timer = _mutate_later(lambda: tmp_path / "data.bin") if case.mutate else None
    try:
        cell = run("%qapps_upload -q data.bin")
    finally:
        if timer:
            timer.join()
    if cell.error is None:
        assert isinstance(cell.result, UploadResult), cell
        assert not cell.tracebacks
        outcome = Outcome(cell.result.file_id, None, cell.result.attempts)
    else:
        outcome = Outcome(None, cell.usage_error)
        assert cell.result is None
        assert not UUID.search(cell.out), "a fileId was shown for a failed upload"
    _check(sb, case, outcome)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_widget(qapps_sandbox: Any, make_widget: Any, monkeypatch: pytest.MonkeyPatch,
                case: Case) -> None:
    sb = qapps_sandbox
    widget = make_widget()
    _arrange(sb, case, monkeypatch)
    send_file(widget, "t1", DATA, name="data.bin")
    spool = make_widget.spool_dir
    timer = _mutate_later(lambda: next(spool.iterdir())) if case.mutate else None
    try:
        widget.wait(timeout=60)
    finally:
        if timer:
            timer.join()
    row = widget_row(widget, "t1")
    if case.code is None:
        assert row["status"] == "done", row
        assert widget.errors == []
        (result,) = widget.results
        assert widget.file_ids == [result["file_id"]] == [row["file_id"]]
        outcome = Outcome(result["file_id"], None, result["attempts"])
    else:
        assert row["status"] == "failed", row
        assert widget.results == []
        assert widget.file_ids == []
        assert row["file_id"] == ""
        assert widget.errors[-1]["error"] == row["error"]
        outcome = Outcome(None, row["error"])
    _check(sb, case, outcome)
    SecretShapes.of(sb).assert_absent(widget_traffic(widget), "the widget's messages/state")
    assert list(spool.iterdir()) == [], "the spool was left behind"


def test_file_shrinking_after_hashing_is_caught_by_the_client(
        qapps_sandbox: Any, target: dict[str, Any], tmp_path: Path) -> None:
    """A size change is caught before S3 would see it: BadDigest, nothing stored."""
    sb = qapps_sandbox
    path = tmp_path / "shrinks.bin"
    path.write_bytes(DATA)
    sb.set_latency(api=1.0)
    timer = threading.Timer(0.4, lambda: path.write_bytes(DATA[:1000]))
    timer.start()
    with pytest.raises(QAppsError) as info:
        upload(path, **target)
    timer.join()
    message = assert_one_line(str(info.value))
    assert info.value.code == "BadDigest"
    assert "changed size after it was hashed" in message
    assert sb.objects() == []
