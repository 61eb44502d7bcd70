"""``%qapps_upload`` with no SOURCE: the upload widget, prefilled with the resolved ids."""

from __future__ import annotations

from typing import Any

import pytest
from magic_ids import OTHER_APP, SESSION


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
