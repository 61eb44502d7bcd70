"""The quick benchmark runs end to end, so the scripts never rot. Timings are never asserted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = (
    "SHA-256 of",
    "POST of",
    "qapps_nb.upload() of",
    "peak RSS growth, upload() of 1 MiB",
    "peak RSS growth, upload() of 4 MiB",
    "peak RSS growth, upload() of 16 MiB",
    "files of 10 KB",
    "%load_ext qapps_nb",
    "widget, browser → kernel",
    "upload(app=TITLE) ×20 to one app",
    "DataFrame rows, ",
    "GetQAppSession calls for a session",
    "rows with 5% random faults",
)

needs_anchors = pytest.mark.skipif(
    not (shutil.which("openssl") and shutil.which("curl")),
    reason="the anchors (openssl, curl) are not installed")


@needs_anchors
def test_quick_benchmark_prints_every_row() -> None:
    """Its report stays in build/bench-quick.md: CI prints it rather than run it again."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "QAPPS_"))}
    out = ROOT / "build" / "bench-quick.md"
    out.parent.mkdir(exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| work ")
    for row in ROWS:
        assert sum(row in line for line in table[1:]) == 1, f"no row for {row!r}"
    assert len(table) == 1 + len(ROWS)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert out.read_text().strip() == proc.stdout.strip()


def test_sink_answers_like_q_apps_and_s3() -> None:
    """The sink's two faces: a createPresignedUrl answer, and 204 after draining a body."""
    from benchmarks import sink

    with sink.running() as url:
        request = urllib.request.Request(
            url + "/apps.createPresignedUrl", method="POST",
            data=json.dumps({"fileContentsSha256": "x" * 43 + "=", "fileName": "a.txt"}).encode())
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read())
        assert answer["presignedUrl"].startswith("http://127.0.0.1:")
        assert answer["presignedUrlFields"]["x-amz-checksum-sha256"] == "x" * 43 + "="
        body = b"y" * (5 * 1024 * 1024 + 3)
        post = urllib.request.Request(answer["presignedUrl"], data=body, method="POST")
        with urllib.request.urlopen(post, timeout=10) as response:
            assert response.status == 204
        assert sink.stats(url)["body_bytes"] >= len(body)
