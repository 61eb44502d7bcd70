"""A row's reason speaks the widget's language: no option the widget does not have."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import pytest
from widget_helpers import send_file

from qapps_nb.errors import ApiError, ConfigurationError, S3UploadError, ValidationError
from qapps_nb.widget import UploadWidget
from qapps_nb.widget.messages import for_widget

APP = "11111111-2222-4333-8444-555555555555"
CARD = "66666666-7777-4888-9999-aaaaaaaaaaaa"
NOT_HERE = re.compile(r"=\s*/\s*--|\s--[a-z]|max_workers"
                      r"|(?<![(\w])(?:region|profile|session|timeout|attach)=")
"""Options of the Python API or the magic: a widget row must never name them."""


def _failed_reason(w: UploadWidget) -> str:
    send_file(w, "t1", b"data")
    assert w.wait(timeout=60) == []
    (error,) = w.errors
    return str(error["error"])


@pytest.fixture
def spooled(new_widget: Callable[..., UploadWidget]) -> Any:
    """Widgets that list no apps."""
    return functools.partial(new_widget, load_apps=False)


def test_no_region_says_how_to_give_the_widget_one(spooled: Any) -> None:
    reason = _failed_reason(spooled(instance_id="inst", app_id=APP, card_id=CARD))
    assert "region" in reason
    assert "UploadWidget(region=...)" in reason
    assert not NOT_HERE.search(reason), reason


def test_unknown_profile_names_the_widget_argument(spooled: Any) -> None:
    reason = _failed_reason(spooled(instance_id="inst", app_id=APP, card_id=CARD,
                                    profile="nope", region="us-east-1"))
    assert "nope" in reason
    assert not NOT_HERE.search(reason), reason


@pytest.mark.slow  # botocore's own backoff between its five tries
def test_throttling_does_not_mention_max_workers(spooled: Any, qapps_sandbox: Any) -> None:
    sb = qapps_sandbox
    sb.inject("throttle", times=5, operation="CreatePresignedUrl")
    reason = _failed_reason(spooled(instance_id=sb.instance_id, app_id=sb.app_id,
                                    card_id=sb.card_id, session=sb.boto3_session(),
                                    endpoint_url=sb.endpoint_url))
    assert "[ThrottlingException]" in reason
    assert not NOT_HERE.search(reason), reason


@pytest.mark.parametrize(("error", "expected"), [
    (ConfigurationError("no AWS region for Amazon Q Apps",
                        hint="pass region=/--region or set AWS_REGION (e.g. us-east-1)"),
     "no AWS region for Amazon Q Apps — make the widget with UploadWidget(region=...) or set "
     "AWS_REGION (e.g. us-east-1)"),
    (ConfigurationError("no AWS credentials found",
                        hint="pass session= or profile=/--profile, or run aws sso login"),
     "no AWS credentials found — make the widget with UploadWidget(session=...) or "
     "(profile=...), or run aws sso login"),
    (ApiError("Q Apps create_presigned_url failed: Rate exceeded", code="ThrottlingException",
              hint="Q Apps is throttling requests; wait a moment, or lower max_workers"),
     "Q Apps create_presigned_url failed: Rate exceeded [ThrottlingException] — Q Apps is "
     "throttling requests; wait a moment"),
    (S3UploadError("S3 did not answer in time; gave up after 4 attempts", code="Timeout",
                   hint="the network or S3 is slow; try again (or raise timeout=)"),
     "S3 did not answer in time; gave up after 4 attempts [Timeout] — the network or S3 is "
     "slow; try again"),
    (ValidationError("app 'X' has 2 file-upload cards: 'A', 'B'; pass card=/--card"),
     "app 'X' has 2 file-upload cards: 'A', 'B'; pick the card"),
    (ValidationError("only the owner can set it — drop attach=True / --attach to just upload"),
     "only the owner can set it — untick \"Make it the card's default file\" to just upload"),
    (RuntimeError("boom"), "unexpected error: RuntimeError: boom"),
])
def test_rewrites(error: BaseException, expected: str) -> None:
    assert for_widget(error) == expected
    assert not NOT_HERE.search(for_widget(error))
