"""UploadWidget traits: defaults like the magic, validation as typed, small synced state."""

from __future__ import annotations

import json
from typing import Any

import pytest
import traitlets
from widget_helpers import state_text

from qapps_nb.errors import QAppsError, ValidationError
from qapps_nb.widget import UploadWidget

APP = "11111111-2222-4333-8444-555555555555"
CARD = "66666666-7777-4888-9999-aaaaaaaaaaaa"
SESSION = "0b5e2c4d-1f2a-4b3c-9d4e-5f6a7b8c9d0e"


def _shell() -> Any:
    """The one global test shell (start_ipython() returns None once it was started)."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    return start_ipython() or get_ipython()


def test_explicit_ids_are_valid() -> None:
    w = UploadWidget(instance_id="inst-1", app_id=APP, card_id=CARD)
    assert (w.instance_id, w.app_id, w.card_id, w.scope) == ("inst-1", APP, CARD, "APPLICATION")
    assert w.field_errors == {}
    assert w.results == []
    assert w.file_ids == []
    assert w.errors == []
    assert w.rows == []


def test_ids_default_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QAPPS_INSTANCE_ID", "inst-env")
    monkeypatch.setenv("QAPPS_APP_ID", APP)
    monkeypatch.setenv("QAPPS_CARD_ID", CARD)
    monkeypatch.setenv("QAPPS_SESSION_ID", SESSION)
    w = UploadWidget(card_id="22222222-3333-4444-8555-666666666666")
    assert w.instance_id == "inst-env"
    assert w.app_id == APP
    assert w.card_id == "22222222-3333-4444-8555-666666666666"  # explicit wins
    assert w.session_id == SESSION
    assert w.scope == "SESSION"  # a known session id means session scope


def test_ids_default_to_percent_config(monkeypatch: pytest.MonkeyPatch) -> None:
    shell = _shell()
    monkeypatch.setenv("QAPPS_APP_ID", "33333333-3333-4333-8333-333333333333")
    shell.run_line_magic("load_ext", "qapps_nb")
    magics = shell.magics_manager.registry["QAppsMagics"]
    try:
        shell.run_line_magic("config", f"QAppsMagics.app_id = '{APP}'")
        shell.run_line_magic("config", "QAppsMagics.instance_id = 'inst-config'")
        w = UploadWidget(instance_id="inst-explicit")
        assert w.app_id == APP                  # %config beats the environment
        assert w.instance_id == "inst-explicit"  # an argument beats %config
    finally:
        magics.app_id = None
        magics.instance_id = None
        shell.config.QAppsMagics.pop("app_id", None)
        shell.config.QAppsMagics.pop("instance_id", None)


def test_field_errors_follow_the_values() -> None:
    w = UploadWidget(instance_id="", app_id="not-a-uuid", card_id=CARD.upper())
    assert set(w.field_errors) == {"instance_id", "app_id", "card_id"}
    assert w.field_errors["instance_id"] == "required: the Amazon Q Business application id"
    assert "not a Q Apps id" in w.field_errors["app_id"]
    w.instance_id, w.app_id, w.card_id = "inst", APP, CARD
    assert w.field_errors == {}
    w.instance_id = " inst"
    assert "spaces or control characters" in w.field_errors["instance_id"]


def test_session_scope_needs_a_session_id() -> None:
    w = UploadWidget(instance_id="i", app_id=APP, card_id=CARD, session_id="junk")
    assert w.scope == "SESSION"
    assert "not a Q Apps id" in w.field_errors["session_id"]
    w.scope = "application"
    assert w.scope == "APPLICATION"
    assert w.field_errors == {}  # the session field is ignored with application scope
    w.scope = "session"
    w.session_id = SESSION
    assert w.field_errors == {}


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValidationError, match="scope 'FOO' is not one of"):
        UploadWidget(instance_id="i", app_id=APP, card_id=CARD, scope="foo")
    w = UploadWidget(instance_id="i", app_id=APP, card_id=CARD)
    with pytest.raises(traitlets.TraitError, match="max_file_size"):
        w.max_file_size = 6 * 1000**3
    with pytest.raises(traitlets.TraitError, match="chunk_size"):
        w.chunk_size = 9 * 1024 * 1024
    with pytest.raises(traitlets.TraitError, match="window"):
        w.window = 0
    w.max_file_size = 1000
    assert UploadWidget(instance_id="i", app_id=APP, card_id=CARD,
                        max_file_size=10).max_file_size == 10


def test_synced_state_is_small_and_holds_no_aws_settings() -> None:
    w = UploadWidget(instance_id="i", app_id=APP, card_id=CARD, profile="secret-profile",
                     endpoint_url="http://127.0.0.1:1/")
    state: dict[str, Any] = w.get_state()
    for name in ("results", "errors", "file_ids"):
        assert name not in state  # observable in Python; the table draws from `rows`
    text = state_text(w)
    assert "secret-profile" not in text
    assert "127.0.0.1" not in text
    assert len(text) < 4000
    assert json.loads(text)["max_file_size"] == 5 * 1000**3


def test_magic_without_source_shows_the_widget_prefilled(monkeypatch: pytest.MonkeyPatch) -> None:
    shell = _shell()
    monkeypatch.setenv("QAPPS_INSTANCE_ID", "inst-env")
    shell.run_line_magic("load_ext", "qapps_nb")
    w = shell.run_line_magic("qapps_upload", f"--app-id {APP} --card-id {CARD}")
    try:
        assert isinstance(w, UploadWidget)
        assert (w.instance_id, w.app_id, w.card_id, w.scope) == ("inst-env", APP, CARD,
                                                                 "APPLICATION")
        assert w.field_errors == {}
    finally:
        w.close()


def test_a_refused_percent_config_value_is_not_prefilled(ip: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QAPPS_APP_ID", APP)
    ip.run_line_magic("config", "QAppsMagics.app_id = '1234-not-a-uuid'")  # logs the refusal
    assert ip.magics_manager.registry["QAppsMagics"].app_id is None
    assert ip.config.QAppsMagics.app_id == "1234-not-a-uuid"  # the shell's config keeps it
    w = UploadWidget(instance_id="i", card_id=CARD, load_apps=False)
    assert w.app_id == APP  # what the magic uses: the environment, not the refused value
    assert w.field_errors == {}
    ip.run_line_magic("config", f"QAppsMagics.card_id = '{CARD}'")
    assert UploadWidget(instance_id="i", load_apps=False).card_id == CARD


def test_titles_from_percent_config_and_the_environment(ip: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QAPPS_APP_ID", APP)
    ip.run_line_magic("config", "QAppsMagics.app = 'Meeting Brief'")
    w = UploadWidget(instance_id="i", load_apps=False)
    assert w.app_id == ""  # %config's title beats the environment's id; looked up when listed
    assert w._wanted["app_id"] == "Meeting Brief"
    monkeypatch.setenv("QAPPS_CARD", CARD)  # a "title" that is an id is an id
    assert UploadWidget(instance_id="i", load_apps=False).card_id == CARD
    with pytest.raises(QAppsError, match="give app= or app_id=, not both"):
        UploadWidget(instance_id="i", app="X", app_id=APP, load_apps=False)


def test_max_workers_follows_percent_config(ip: Any) -> None:
    ip.run_line_magic("config", "QAppsMagics.max_workers = 7")
    w = UploadWidget(instance_id="i", app_id=APP, card_id=CARD, load_apps=False)
    assert w._jobs._executor._max_workers == 7
    w2 = UploadWidget(instance_id="i", app_id=APP, card_id=CARD, load_apps=False, max_workers=2)
    assert w2._jobs._executor._max_workers == 2


def test_text_repr_is_one_line_without_settings_or_secrets() -> None:
    w = UploadWidget(instance_id="inst-1", app_id=APP, card_id=CARD, profile="secret-profile",
                     endpoint_url="http://127.0.0.1:9/", load_apps=False)
    text = repr(w)
    assert text == ("<UploadWidget: app 11111111…, card 66666666…, application scope; "
                    "no uploads yet>")
    bundle = w._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle  # (data, metadata) or data
    assert data["text/plain"] == text  # what a notebook saved without a browser shows
    assert "object at 0x" not in text
    w._rows.add("r1", "a.csv", 3, status="done")
    w._rows.add("r2", "b.csv", 3, status="failed")
    assert repr(w).endswith("application scope; 1 done, 1 failed>")
    blank = UploadWidget(instance_id="", load_apps=False)
    assert repr(blank) == "<UploadWidget: no app chosen, application scope; no uploads yet>"
