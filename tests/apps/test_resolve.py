"""Uploads by app and card title: matching, one-line failures before any presign, the cache."""

from __future__ import annotations

from typing import Any

import pytest

import qapps_nb
from qapps_nb.errors import ValidationError

FILE_CARD = {"fileUpload": {"title": "Data", "type": "file-upload"}}


def _card_id(sb: Any, app_title: str, card_title: str) -> str:
    [app] = [a for a in sb.apps() if a["title"] == app_title]
    [card] = [c for union in app["appDefinition"]["cards"] for c in union.values()
              if c["title"] == card_title]
    return str(card["id"])


def _refused(sb: Any, ops: Any, call: Any, *, allowed: tuple[str, ...]) -> str:
    """The one-line message; nothing was presigned, posted or stored."""
    with pytest.raises(ValidationError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    assert set(ops()) <= set(allowed), ops()
    assert sb.objects() == []
    return message


def test_titles_match_ignoring_case_and_spacing(sb: Any, api: dict[str, Any]) -> None:
    result = qapps_nb.upload(b"x", app="  meeting   BRIEF ", card="notes", progress=False,
                             **api)
    assert result.card_id == _card_id(sb, "Meeting Brief", "Notes")
    assert (result.app_title, result.card_title) == ("Meeting Brief", "Notes")
    assert sb.read_object(result.file_id) == b"x"


def test_the_only_file_card_needs_no_name(sb: Any, api: dict[str, Any], ops: Any) -> None:
    result = qapps_nb.upload(b"contract", app="Contract Summarizer", progress=False, **api)
    assert result.card_id == _card_id(sb, "Contract Summarizer", "Contract")
    assert result.card_title == "Contract"
    assert ops() == ["ListQApps", "GetQApp", "CreatePresignedUrl", "S3"]


def test_an_unknown_title_lists_some_that_exist(sb: Any, api: dict[str, Any],
                                                ops: Any) -> None:
    message = _refused(sb, ops, lambda: qapps_nb.upload(b"x", app="Budget", **api),
                       allowed=("ListQApps",))
    assert message == ("no app titled 'Budget'; apps you can use: 'Dataset Profiler', "
                       "'Contract Summarizer', 'Meeting Brief' (%qapps_apps or "
                       "qapps_nb.list_apps() lists them all)")
    assert ops() == ["ListQApps"]  # one walk, fresh: not read again


def test_an_ambiguous_title_lists_the_matches_with_ids(sb: Any, api: dict[str, Any],
                                                       ops: Any) -> None:
    first = sb.add_app("Budget", [FILE_CARD])
    second = sb.add_app("BUDGET", [FILE_CARD])
    message = _refused(sb, ops, lambda: qapps_nb.upload(b"x", app="budget", **api),
                       allowed=("ListQApps",))
    assert message.startswith("2 apps are titled 'budget': ")
    assert f"'Budget' ({first})" in message
    assert f"'BUDGET' ({second})" in message
    assert message.endswith("; pass the app id")
    # the id settles it
    assert qapps_nb.upload(b"x", app=second, progress=False, **api).app_id == second


def test_several_file_cards_need_a_card(sb: Any, api: dict[str, Any], ops: Any) -> None:
    message = _refused(sb, ops, lambda: qapps_nb.upload(b"x", app="Meeting Brief", **api),
                       allowed=("ListQApps", "GetQApp"))
    assert message == ("app 'Meeting Brief' has 2 file-upload cards: 'Agenda', 'Notes'; "
                       "say which with card= (magic: --card)")


def test_a_card_of_another_type_names_the_file_cards(sb: Any, api: dict[str, Any],
                                                     ops: Any) -> None:
    message = _refused(
        sb, ops, lambda: qapps_nb.upload(b"x", app="Meeting Brief", card="tone", **api),
        allowed=("ListQApps", "GetQApp"))
    assert message == ("card 'Tone' of app 'Meeting Brief' is a text-input card, not a "
                       "file-upload card; its file cards: 'Agenda', 'Notes'")
    tone = _card_id(sb, "Meeting Brief", "Tone")
    assert "is a text-input card" in _refused(
        sb, ops, lambda: qapps_nb.upload(b"x", app="Meeting Brief", card_id=tone, **api),
        allowed=("ListQApps", "GetQApp"))


def test_an_unknown_card(sb: Any, api: dict[str, Any], ops: Any) -> None:
    message = _refused(
        sb, ops, lambda: qapps_nb.upload(b"x", app="Meeting Brief", card="Minutes", **api),
        allowed=("ListQApps", "GetQApp"))
    assert message == ("app 'Meeting Brief' has no card 'Minutes'; its file-upload cards: "
                       "'Agenda', 'Notes'")
    assert ops() == ["ListQApps", "GetQApp"]  # the definition was fresh: not read again


def test_an_app_without_file_cards(sb: Any, api: dict[str, Any], ops: Any) -> None:
    sb.add_app("Just text", [{"textInput": {"title": "Topic", "type": "text-input"}}])
    assert _refused(sb, ops, lambda: qapps_nb.upload(b"x", app="just text", **api),
                    allowed=("ListQApps", "GetQApp")) == (
        "app 'Just text' has no file-upload card, so it takes no files")


def test_ids_as_ids_need_no_lookup(sb: Any, api: dict[str, Any], ops: Any) -> None:
    qapps_nb.upload(b"x", app_id=sb.app_id, card_id=sb.card_id, progress=False, **api)
    qapps_nb.upload(b"x", app=sb.app_id, card=sb.card_id, progress=False, **api)
    assert ops() == ["CreatePresignedUrl", "S3"] * 2
    # an id for the app and a title for the card: the definition, never the listing
    qapps_nb.upload(b"x", app=sb.app_id, card="dataset", progress=False, **api)
    assert ops()[4:] == ["GetQApp", "CreatePresignedUrl", "S3"]


def test_ten_uploads_by_title_cost_one_walk_and_one_definition(
        sb: Any, api: dict[str, Any], ops: Any) -> None:
    for i in range(10):
        qapps_nb.upload(f"row {i}".encode(), app="Meeting Brief", card="Agenda",
                        progress=False, **api)
    qapps_nb.upload_many([b"a", b"b", b"c"], app="meeting brief", card="agenda",
                         progress=False, **api)
    seen = ops()
    assert seen.count("ListQApps") == 1
    assert seen.count("GetQApp") == 1
    assert seen.count("CreatePresignedUrl") == 13


def test_a_new_app_is_found_although_the_listing_was_cached(sb: Any, api: dict[str, Any],
                                                            ops: Any) -> None:
    qapps_nb.list_apps(**api)
    new = sb.add_app("Created just now", [FILE_CARD])
    assert qapps_nb.upload(b"x", app="created just now", progress=False, **api).app_id == new
    assert ops()[:2] == ["ListQApps", "ListQApps"]  # the stale listing was read once more


def test_a_card_set_for_another_app_at_a_lower_level_is_ignored(
        sb: Any, api: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """QAPPS_APP_ID/QAPPS_CARD_ID name the sandbox's default app; app= names another."""
    monkeypatch.setenv("QAPPS_APP_ID", sb.app_id)
    monkeypatch.setenv("QAPPS_CARD_ID", sb.card_id)
    result = qapps_nb.upload(b"x", app="Contract Summarizer", progress=False, **api)
    assert result.card_title == "Contract"
    # ...but a card given at the app's own level must belong to it
    with pytest.raises(ValidationError, match="has no card 'Dataset'"):
        qapps_nb.upload(b"x", app="Contract Summarizer", card="Dataset", **api)
    monkeypatch.setenv("QAPPS_CARD", "Dataset")
    monkeypatch.delenv("QAPPS_CARD_ID")
    monkeypatch.setenv("QAPPS_APP", "Contract Summarizer")
    monkeypatch.delenv("QAPPS_APP_ID")
    with pytest.raises(ValidationError, match=r"has no card 'Dataset'.*\(card from QAPPS_CARD\)"):
        qapps_nb.upload(b"x", **api)
