"""The widget's queue rides out bursts of faults like upload_many: the same shared pacing.

Each widget upload is a ``qapps_nb.upload`` call in a worker thread, so it counts as an
upload in flight for ``pacing.py`` (a file in company keeps trying while the batch makes
progress) and waits for the same per-endpoint hold as every other upload in the process.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from widget_helpers import file_entry

from qapps_nb.widget import UploadWidget


@pytest.mark.slow
def test_a_burst_on_each_side_loses_no_widget_upload(qapps_sandbox: Any,
                                                     fast_pacing: None) -> None:
    sb = qapps_sandbox
    files = {f"f{i:02d}.bin": os.urandom(100 + i) for i in range(24)}
    burst = 20  # more than one file's own budget (5 API calls, 4 S3 sends) on each side
    sb.inject("throttle", times=burst, operation="CreatePresignedUrl")
    sb.inject("slow_down", times=burst)
    w = UploadWidget(instance_id=sb.instance_id, app_id=sb.app_id, card_id=sb.card_id,
                     session=sb.boto3_session(), endpoint_url=sb.endpoint_url,
                     max_workers=8, load_apps=False)
    try:
        w.upload_from([file_entry(name, data) for name, data in files.items()])
        results = w.wait(timeout=120)
    finally:
        w.close()
    assert w.errors == []
    assert len(results) == len(files)
    for result in results:
        assert sb.read_object(result["file_id"]) == files[result["file_name"]]
    consumed = [r.fault for r in sb.requests if r.fault]
    assert consumed.count("throttle") == burst
    assert consumed.count("slow_down") == burst
    api_retries = sum(r["api_attempts"] - 1 for r in results)
    s3_resends = sum(r["attempts"] - 1 for r in results)
    print(f"\nwidget queue, 24 files, 8 at once, bursts of {burst}: "
          f"{api_retries} Q Apps retries, {s3_resends} S3 resends, 0 lost")
    assert api_retries == burst
    assert s3_resends == burst
