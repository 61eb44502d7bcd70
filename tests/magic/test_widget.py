"""``%qapps_upload`` with no SOURCE: the upload widget, prefilled with the resolved ids."""

from __future__ import annotations

import time
from typing import Any

import pytest
from magic_ids import OTHER_APP, SESSION

from qapps_nb.sandbox.demo_apps import MEETING_BRIEF_APP_ID, NOTES_CARD_ID


def test_no_source_shows_the_widget_prefilled(sb: Any, ip: Any, run: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    widget_module = pytest.importorskip("qapps_nb.widget")
    run(f"%config QAppsMagics.app_id = {OTHER_APP!r}")
    outcome = run(f"%qapps_upload -s {SESSION} --endpoint-url {sb.endpoint_url} -o picker")
    assert outcome.error is None, outcome.err
    widget = outcome.result
    assert isinstance(widget, widget_module.UploadWidget)
    assert ip.user_ns["picker"] is widget
    assert widget.instance_id == sb.instance_id  # environment
    assert widget.app_id == OTHER_APP  # %config beats the environment
    assert widget.card_id == sb.card_id
    assert (widget.scope, widget.session_id) == ("SESSION", SESSION)  # option
    assert sb.requests == []  # showing the widget sends nothing


def test_widget_with_bad_option_is_a_usage_error(sb: Any, ip: Any, run: Any) -> None:
    pytest.importorskip("qapps_nb.widget")
    assert "not one of" in run("%qapps_upload --scope everywhere").usage_error
    assert sb.requests == []


def test_no_source_takes_app_and_card_titles_and_attach(sb: Any, ip: Any, run: Any) -> None:
    """--app/--card by title and --attach reach the widget as given (not dropped)."""
    widget_module = pytest.importorskip("qapps_nb.widget")
    outcome = run('%qapps_upload --app "Meeting Brief" --card notes --attach --quiet')
    assert outcome.error is None, outcome.err
    widget = outcome.result
    assert isinstance(widget, widget_module.UploadWidget)
    assert widget.attach is True
    widget.refresh_apps()  # no view here: resolve the titles as a script would
    deadline = time.monotonic() + 20
    while widget.card_id != NOTES_CARD_ID and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (widget.app_id, widget.card_id) == (MEETING_BRIEF_APP_ID, NOTES_CARD_ID)
    widget.close()
