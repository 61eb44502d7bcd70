"""Load: 1,000 uploads, 8 at a time, with 5% random transient faults; none lost.

Every object is read back from the sandbox and compared by SHA-256. The retries it took
are counted two ways (UploadResult.attempts and the sandbox's request log) and printed,
so the CI log shows them (``pytest -s`` or the ``-rP`` summary).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from typing import Any

import pytest

from qapps_nb import QAppsError, UploadResult, upload_many
from qapps_nb.sandbox.faults import TRANSIENT_KINDS

UPLOADS = 1000
WORKERS = 8
RATE = 0.05


@pytest.mark.slow
def test_thousand_uploads_with_random_faults_lose_nothing(qapps_sandbox: Any,
                                                          target: dict[str, Any]) -> None:
    sb = qapps_sandbox
    payloads = [os.urandom(512 + (i * 7919) % 4096) for i in range(UPLOADS)]
    sb.inject_random(RATE, kinds=TRANSIENT_KINDS, seed=20261125)
    started = time.monotonic()
    results = upload_many(payloads, max_workers=WORKERS, return_exceptions=True, **target)
    elapsed = time.monotonic() - started
    sb.inject_random(0)

    # A failure after every retry is reported in its place, never dropped: count and redo.
    failed = [i for i, r in enumerate(results) if not isinstance(r, UploadResult)]
    assert all(isinstance(results[i], QAppsError) for i in failed)
    failures = [str(results[i]) for i in failed]
    assert len(failed) <= 2, [str(results[i]) for i in failed]  # ~0.6% chance of even one
    if failed:
        redone = upload_many([payloads[i] for i in failed], **target)
        for i, result in zip(failed, redone, strict=False):
            results[i] = result

    # 0 lost: every input has its own object, byte-exact by SHA-256.
    assert len({r.file_id for r in results}) == UPLOADS
    stored = {o.file_id: o for o in sb.objects()}
    for data, result in zip(payloads, results, strict=False):
        assert result.file_id in stored
        assert hashlib.sha256(sb.read_object(result.file_id)).digest() == \
            hashlib.sha256(data).digest()
        assert stored[result.file_id].size == len(data)
    assert len(stored) == UPLOADS  # no stray object from a retried request

    log = sb.requests
    faults = Counter(r.fault for r in log if r.fault)
    by_service = Counter(r.service for r in log)
    attempts = Counter(r.attempts for r in results)
    s3_retries = sum(a - 1 for a in (r.attempts for r in results))
    api_retries = by_service["qapps"] - UPLOADS
    assert sum(faults.values()) > 0.02 * len(log)  # the faults really happened
    if not failed:  # each injected fault cost exactly one retry, on its own service
        assert by_service["s3"] == UPLOADS + s3_retries  # every S3 retry is in the log
        assert api_retries >= faults["throttle"] + faults["api_error"]  # botocore's own
        assert s3_retries == faults["s3_error"] + faults["slow_down"] + faults["reset"]
    print(f"\n{UPLOADS} uploads, {WORKERS} workers, {RATE:.0%} faults: {elapsed:.1f} s; "
          f"requests {dict(by_service)}; faults {dict(faults)}; "
          f"UploadResult.attempts {dict(sorted(attempts.items()))}; "
          f"S3 retries {s3_retries}; Q Apps retries {api_retries}; "
          f"failed after all retries (redone) {len(failed)} {failures}")
    assert elapsed < 60
