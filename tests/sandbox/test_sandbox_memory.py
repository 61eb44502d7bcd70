"""A 200 MB upload streamed from an iterable body: the sandbox's memory stays flat."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time

import psutil
import requests
from sbx_util import b64sha256, presign, streamed_body

from qapps_nb.sandbox import Sandbox

MiB = 1024 * 1024


def test_200mb_upload_keeps_memory_flat(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    chunk = os.urandom(MiB)
    count = 200
    digest = hashlib.sha256()
    for _ in range(count):
        digest.update(chunk)
    sha = base64.b64encode(digest.digest()).decode()
    r = presign(sb, b"", fileContentsSha256=sha, file_name="big.bin")
    body, ctype = streamed_body(r["presignedUrlFields"], chunk, count)

    proc = psutil.Process()
    base = proc.memory_info().rss
    peak = base
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, proc.memory_info().rss)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        resp = requests.post(r["presignedUrl"], data=body, timeout=120,
                             headers={"Content-Type": ctype})
    finally:
        done.set()
        watcher.join()
    assert resp.status_code == 204, resp.text
    (obj,) = sb.objects()
    assert obj.size == count * MiB
    assert obj.sha256 == sha != b64sha256(b"")
    # client and server share this process: both must stay far below the body size
    assert peak - base < 64 * MiB, f"RSS grew by {(peak - base) / MiB:.0f} MiB"
