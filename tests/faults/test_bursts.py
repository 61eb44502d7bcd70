"""Bursts of faults across a batch: 300 files, 8 workers, bursts of 10 and 20 consecutive
faults on each side (Q Apps throttle/500, S3 503/500), at the start and mid-batch: 0 lost.

A service that keeps failing still fails every file, in bounded time, each with one line
that says what happened and how many attempts it took. Delays are made small with
``pacing.configure`` (the same algorithm, shorter waits) so this runs in CI. The retry
counts are printed (``pytest -s`` or the ``-rP`` summary) and checked against the
sandbox's request log.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fault_helpers import api_calls, assert_one_line, s3_posts, wait_until

from qapps_nb import ApiError, BatchUploadError, UploadResult, pacing, upload, upload_many

FILES = 300
WORKERS = 8
class _InjectMidBatch(threading.Thread):
    """Queues faults once ``after`` S3 POSTs have been stored: a burst in the middle."""

    def __init__(self, sb: Any, after: int, faults: list[tuple[str, int]]) -> None:
        super().__init__(name="test-burst-injector", daemon=True)
        self.sb, self.after, self.faults = sb, after, faults
        self.fired = threading.Event()
        self.stop = threading.Event()
        self.start()

    def run(self) -> None:
        while not self.stop.is_set():
            if sum(r.status == 204 for r in s3_posts(self.sb)) >= self.after:
                for kind, times in self.faults:
                    self.sb.inject(kind, times=times)
                self.fired.set()
                return
            time.sleep(0.005)

    def finish(self) -> None:
        self.stop.set()
        self.join(timeout=5)


@pytest.mark.slow
@pytest.mark.parametrize("burst", [10, 20])
def test_bursts_on_both_sides_lose_nothing(qapps_sandbox: Any, target: dict[str, Any],
                                           fast_pacing: None, burst: int) -> None:
    sb = qapps_sandbox
    payloads = [os.urandom(200 + (i * 7919) % 800) for i in range(FILES)]
    sb.inject("throttle", times=burst)   # 429 ThrottlingException, Retry-After: 1
    sb.inject("slow_down", times=burst)  # 503 SlowDown
    mid = _InjectMidBatch(sb, after=FILES // 2,
                          faults=[("api_error", burst), ("s3_error", burst)])
    started = time.monotonic()
    try:
        results = upload_many(payloads, max_workers=WORKERS, **target)  # raises if any failed
    finally:
        mid.finish()
    elapsed = time.monotonic() - started
    assert mid.fired.is_set(), "the mid-batch burst was never injected"

    # 0 lost: every input has its own object, byte-exact, and nothing else was stored.
    assert all(isinstance(r, UploadResult) for r in results)
    assert len({r.file_id for r in results}) == FILES
    stored = {o.file_id: o for o in sb.objects()}
    assert len(stored) == FILES
    for data, result in zip(payloads, results, strict=True):
        assert hashlib.sha256(sb.read_object(result.file_id)).digest() == \
            hashlib.sha256(data).digest()

    # Every burst really hit (the sandbox fails the next N requests of that side, so
    # each burst was N consecutive faults) and each fault cost exactly one retry.
    faults = Counter(r.fault for r in sb.requests if r.fault)
    assert faults == {"throttle": burst, "slow_down": burst, "api_error": burst,
                      "s3_error": burst}
    api, s3 = len(api_calls(sb)), len(s3_posts(sb))
    assert api == FILES + 2 * burst
    assert s3 == FILES + 2 * burst

    # Retry counts: per result, for the batch, and both agree with the request log.
    stats = results.stats
    assert stats is not None
    assert (stats.files, stats.stored) == (FILES, FILES)
    assert stats.api_retries == sum(r.api_attempts - 1 for r in results) == api - FILES
    assert stats.s3_resends == sum(r.attempts - 1 for r in results) == s3 - FILES
    worst_api = max(r.api_attempts for r in results)
    worst_s3 = max(r.attempts for r in results)
    api_spread = dict(sorted(Counter(r.api_attempts for r in results).items()))
    s3_spread = dict(sorted(Counter(r.attempts for r in results).items()))
    print(f"\n{FILES} files, {WORKERS} workers, bursts of {burst} on each side twice: "
          f"{elapsed:.1f} s; {stats}; most tries of one file: {worst_api} Q Apps, "
          f"{worst_s3} S3; api_attempts {api_spread}; attempts {s3_spread}")


@pytest.mark.parametrize(("kind", "side", "code"), [
    ("s3_error", "S3", "InternalError"),
    ("api_error", "Q Apps", "InternalServerException"),
])
def test_a_service_that_keeps_failing_fails_every_file_in_bounded_time(
        qapps_sandbox: Any, target: dict[str, Any], fast_pacing: None, kind: str, side: str,
        code: str) -> None:
    """Every answer is a 500: each file fails with one honest line, and soon."""
    sb = qapps_sandbox
    sb.inject(kind, times=100_000)
    started = time.monotonic()
    with pytest.raises(BatchUploadError) as info:
        upload_many([os.urandom(300) for _ in range(60)], max_workers=WORKERS, **target)
    elapsed = time.monotonic() - started
    sb.clear_faults()
    error = info.value
    assert len(error.failures) == 60
    assert sb.objects() == []
    # Bounded: until the service counts as down (give_up_after), plus a few rounds.
    fast = pacing.policy("qapps" if side == "Q Apps" else "s3")  # as fast_pacing set it
    assert elapsed < fast.give_up_after + 10 * fast.max_delay, elapsed
    lines = [assert_one_line(str(err)) for _, _, err in error.failures]
    assert {err.code for _, _, err in error.failures} == {code}
    tried = [line for line in lines if "gave up after" in line]
    refused = [line for line in lines if " not sent: " in line]
    assert len(tried) + len(refused) == 60, lines
    assert tried, lines
    assert refused, lines  # the rest were not sent once the service counted as down
    for line in refused:
        assert f" not sent: every {side} request failed for the last " in line, line
        assert "in a row" in line
    requests = len(s3_posts(sb) if side == "S3" else api_calls(sb))
    budget = pacing.policy("s3" if side == "S3" else "qapps").max_attempts
    assert requests <= 60 * budget  # nobody went beyond its own budget
    assert error.stats.stored == 0
    print(f"\npermanent {kind}: 60 files failed in {elapsed:.1f} s; {requests} {side} "
          f"requests; {len(tried)} gave up after trying, {len(refused)} not sent; "
          f"e.g. {refused[-1]}")


def test_a_single_upload_still_gives_up_after_its_attempts(
        qapps_sandbox: Any, target: dict[str, Any], fast_pacing: None) -> None:
    """Nothing else succeeds meanwhile: no extra retries beyond the file's own budget."""
    sb = qapps_sandbox
    sb.inject("api_error", times=1000)
    started = time.monotonic()
    with pytest.raises(ApiError) as info:
        upload(b"x", **target)
    sb.clear_faults()
    line = assert_one_line(str(info.value))
    assert "gave up after 5 attempts [InternalServerException]" in line
    assert len(api_calls(sb)) == 5
    assert time.monotonic() - started < 10


@pytest.fixture(autouse=True)
def _quiet_after(qapps_sandbox: Any) -> Iterator[None]:
    yield
    assert wait_until(lambda: not [t for t in threading.enumerate()
                                   if t.name.startswith("qapps-upload")], timeout=5)
