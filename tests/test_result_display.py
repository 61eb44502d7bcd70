"""What results show: the fileId (one click selects it), the size, one SANDBOX badge, retries;
the presigned URL's expiry only as what it is, never "expired" beside a stored file."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from qapps_nb import BatchUploadError, UploadResult, UploadResults, upload, upload_many
from qapps_nb.demo import table
from qapps_nb.result import RetryStats, format_size, url_valid_until

FILE_ID = "3f2c9a1e-0b4d-4c6e-8f10-2a3b4c5d6e7f"
WHEN = datetime(2026, 11, 27, 19, 57, 10, 134000, tzinfo=timezone.utc)


def _result(**changes: Any) -> UploadResult:
    values: dict[str, Any] = {
        "file_id": FILE_ID, "expiration": WHEN, "file_name": "sales.csv", "size": 1_234_567,
        "sha256": "x", "scope": "APPLICATION", "instance_id": "i",
        "app_id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "card_id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5e", "sandbox": True}
    values.update(changes)
    return UploadResult(**values)


def test_upload_url_is_labelled_as_what_it_is() -> None:
    today = WHEN - timedelta(minutes=15)
    assert url_valid_until(WHEN, today) == "upload URL valid until 19:57 UTC"
    assert url_valid_until(WHEN, WHEN + timedelta(days=1)) == \
        "upload URL valid until 2026-11-27 19:57 UTC"


def test_repr_is_one_line_without_expiry() -> None:
    text = repr(_result())
    assert text == f"<UploadResult SANDBOX 'sales.csv' file_id={FILE_ID} size=1.2 MB>"
    retried = repr(_result(attempts=2, api_attempts=3, sandbox=False))
    assert retried == (f"<UploadResult 'sales.csv' file_id={FILE_ID} size=1.2 MB "
                       "(1 S3 resend, 2 Q Apps retries)>")


def test_html_of_one_result() -> None:
    page = _result()._repr_html_()
    assert "user-select:all" in page
    assert FILE_ID in page
    assert page.count("SANDBOX") == 1
    assert 'class="qapps-nb-badge"' in page
    assert re.search(r"upload URL valid until (\d\d:\d\d|2026-11-27 19:57) UTC", page)
    for wrong in ("expired", "expires", "134000", "+00:00", "retries"):
        assert wrong not in page, wrong
    assert "1 S3 resend" in _result(attempts=2)._repr_html_()


def test_html_table_of_several_results() -> None:
    error = BatchUploadError([], [])
    results = UploadResults([_result(), _result(file_name="<b>x</b>.csv"), error],
                            stats=RetryStats(3, 2, 4, 1, 0, 2.5),
                            labels=["sales.csv", "<b>x</b>.csv", "gone.csv"])
    page = results._repr_html_()
    assert page.count(">SANDBOX<") == 1  # one badge for the table, not one per row
    assert "(sandbox)" not in page
    assert page.count('class="qapps-nb-id"') == 2
    assert "&lt;b&gt;x&lt;/b&gt;.csv" in page
    assert "<b>x" not in page
    assert "gone.csv" in page
    assert "failed: " in page
    assert "Uploaded 2 files, 1 failed" in page
    assert "2 of 3 stored in 2.5 s; 4 Q Apps retries, 1 S3 resend" in page
    cells = re.findall(r"<t[hd] style=\"([^\"]*)\"", page)
    assert cells
    assert all("text-align:left" in style for style in cells)
    for wrong in ("expire", "134000"):
        assert wrong not in page


def test_mixed_sandbox_and_aws_results_badge_each_sandbox_row() -> None:
    page = UploadResults([_result(), _result(sandbox=False)])._repr_html_()
    assert page.count(">SANDBOX<") == 1


def test_sizes_are_decimal_everywhere() -> None:
    assert format_size(999) == "999 B"
    assert format_size(1_234_567) == "1.2 MB"
    assert format_size(10_000_000, exact=True) == "10 MB"
    assert format_size(5 * 1000**3, exact=True) == "5 GB"


def test_demo_table_says_what_expires() -> None:
    text = table([{"file_name": "a.csv", "file_id": FILE_ID, "size": 1_234_567,
                   "expiration": WHEN.isoformat()}])
    header, rule, row = text.splitlines()
    assert header.split() == ["file", "fileId", "size", "upload", "URL", "valid", "until"]
    assert set(rule.replace(" ", "")) == {"-"}
    until = url_valid_until(WHEN).removeprefix("upload URL valid until ")  # date if not today
    assert row.split() == ["a.csv", FILE_ID, "1.2", "MB", *until.split()]
    assert "expire" not in text
    assert "134000" not in text


def test_real_results_and_batch_stats(qapps_sandbox: Any, target: dict[str, Any]) -> None:
    one = upload(b"one", **target)
    assert (one.attempts, one.api_attempts) == (1, 1)
    qapps_sandbox.inject("slow_down")
    qapps_sandbox.inject("throttle", retry_after=0)
    many = upload_many([b"a", b"b", b"c"], max_workers=1, **target)
    assert isinstance(many, UploadResults)
    assert many.stats is not None
    assert (many.stats.files, many.stats.stored) == (3, 3)
    assert (many.stats.api_retries, many.stats.s3_resends) == (1, 1)
    assert sum(r.attempts - 1 for r in many) == 1
    assert sum(r.api_attempts - 1 for r in many) == 1
    assert many.labels == ["bytes", "bytes", "bytes"]
    assert "1 Q Apps retry, 1 S3 resend" in many._repr_html_()
    assert upload_many([], **target).stats == RetryStats(0, 0, 0, 0, 0, 0.0)
    assert str(RetryStats(2, 2, 0, 0, 0, 0.24)) == "2 of 2 stored in 0.2 s; no retries"


@pytest.mark.parametrize("size", [0, 999])
def test_to_dict_keeps_the_expiration(size: int) -> None:
    data = _result(size=size).to_dict()
    assert data["expiration"] == WHEN.isoformat()
    assert data["api_attempts"] == 1
