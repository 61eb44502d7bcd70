"""``attach=True``: the uploaded file becomes the card's default; nothing else changes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import qapps_nb
from qapps_nb.errors import (
    ApiError,
    AttachError,
    BatchUploadError,
    ConfigurationError,
)
from qapps_nb.service.definition import to_update_input

CHANGING = ("appVersion", "updatedAt", "updatedBy")
"""GetQApp members an update changes by nature; everything else must stay."""


def _app(sb: Any, title: str) -> dict[str, Any]:
    [app] = [a for a in sb.apps() if a["title"] == title]
    return copy.deepcopy(app)


def _card(app: dict[str, Any], title: str) -> dict[str, Any]:
    [card] = [c for union in app["appDefinition"]["cards"] for c in union.values()
              if c["title"] == title]
    return card


def _assert_only_the_default_changed(before: dict[str, Any], after: dict[str, Any],
                                     card_title: str, file_id: str, file_name: str) -> None:
    assert after["appVersion"] == before["appVersion"] + 1
    for member in set(before) | set(after):
        if member not in CHANGING and member != "appDefinition":
            assert after.get(member) == before.get(member), member
    old, new = before["appDefinition"], after["appDefinition"]
    assert set(new) == set(old)
    for member in old:
        if member != "cards":
            assert new[member] == old[member], member
    assert len(new["cards"]) == len(old["cards"])
    for was, now in zip(old["cards"], new["cards"], strict=True):
        (kind, card), = was.items()
        if card["title"] == card_title:
            expected = {**card, "fileId": file_id, "filename": file_name}
            assert now == {kind: expected}
        else:
            assert now == was, card["title"]


def test_attach_changes_only_the_cards_default_file(sb: Any, api: dict[str, Any],
                                                    ops: Any) -> None:
    before = _app(sb, "Meeting Brief")
    result = qapps_nb.upload(b"agenda: budget", file_name="agenda.txt", app="Meeting Brief",
                             card="Notes", attach=True, progress=False, **api)
    after = _app(sb, "Meeting Brief")
    _assert_only_the_default_changed(before, after, "Notes", result.file_id, "agenda.txt")
    assert result.attached
    assert result.app_version == after["appVersion"]
    assert result.app_version == before["appVersion"] + 1
    assert sb.read_object(result.file_id) == b"agenda: budget"
    # re-read just before the update (not from the cache), and the cache forgotten after
    assert ops() == ["ListQApps", "GetQApp", "CreatePresignedUrl", "S3", "GetQApp",
                     "UpdateQApp"]
    app = qapps_nb.get_app("Meeting Brief", **api)
    assert app.version == result.app_version
    assert app.card("Notes").default_file_id == result.file_id
    assert "agenda.txt" in app._repr_html_()
    # a second attach to the other card keeps the first default
    second = qapps_nb.upload(b"tone", file_name="a.txt", app="Meeting Brief", card="Agenda",
                             attach=True, progress=False, **api)
    final = _app(sb, "Meeting Brief")
    _assert_only_the_default_changed(after, final, "Agenda", second.file_id, "a.txt")
    assert _card(final, "Notes")["fileId"] == result.file_id
    assert second.app_version == result.app_version + 1


def test_attach_keeps_allow_override_prompt_and_defaults(sb: Any, api: dict[str, Any]) -> None:
    app_id = sb.add_app(
        "Audit", [
            {"textInput": {"title": "Scope", "type": "text-input", "defaultValue": "all",
                           "placeholder": "what to audit"}},
            {"fileUpload": {"title": "Ledger", "type": "file-upload", "allowOverride": False}},
            {"qQuery": {"title": "Findings", "type": "q-query", "outputSource": "llm",
                        "prompt": "List the findings"}},
        ], description="Audits a ledger", initial_prompt="Build an audit app")
    before = sb.app(app_id)
    result = qapps_nb.upload(b"ledger", file_name="ledger.csv", app="audit", attach=True,
                             progress=False, **api)
    after = sb.app(app_id)
    _assert_only_the_default_changed(copy.deepcopy(before), copy.deepcopy(after), "Ledger",
                                     result.file_id, "ledger.csv")
    assert _card(after, "Ledger")["allowOverride"] is False
    assert after["initialPrompt"] == "Build an audit app"
    assert after["description"] == "Audits a ledger"


def test_attach_keeps_a_change_made_after_the_app_was_cached(sb: Any,
                                                             api: dict[str, Any]) -> None:
    qapps_nb.get_app("Meeting Brief", **api)  # cached
    client = sb.client()
    app = _app(sb, "Meeting Brief")
    definition = to_update_input(app, client.meta.service_model)
    for union in definition["cards"]:  # someone changes the Tone default meanwhile
        for card in union.values():
            if card["title"] == "Tone":
                card["defaultValue"] = "formal"
    client.update_q_app(instanceId=sb.instance_id, appId=app["appId"], appDefinition=definition)
    qapps_nb.upload(b"n", app="Meeting Brief", card="Notes", attach=True, progress=False,
                    **api)
    assert _card(_app(sb, "Meeting Brief"), "Tone")["defaultValue"] == "formal"


def test_attach_shows_the_new_default_inline(sb: Any, api: dict[str, Any]) -> None:
    result = qapps_nb.upload(b"x", app="Contract Summarizer", attach=True, progress=False,
                             **api)
    line = f"set as the default file of card 'Contract' (app version {result.app_version})"
    assert result.attached_text() == line
    assert line.replace("'", "&#x27;") in result._repr_html_()
    assert result.to_dict()["app_version"] == result.app_version


def test_not_the_owner_is_refused_before_uploading(sb: Any, api: dict[str, Any],
                                                   ops: Any) -> None:
    sb.add_app("Shared app", [{"fileUpload": {"title": "Input", "type": "file-upload"}}],
               owned=False)
    with pytest.raises(ConfigurationError) as info:
        qapps_nb.upload(b"x", app="Shared app", attach=True, **api)
    assert str(info.value) == (
        "only the owner of app 'Shared app' can set its default file (you cannot edit it); "
        "nothing was uploaded — drop attach=True / --attach to just upload")
    assert ops() == ["ListQApps", "GetQApp"]
    assert sb.objects() == []
    # without attach the upload itself is allowed
    assert qapps_nb.upload(b"x", app="Shared app", progress=False, **api).card_title == "Input"


def test_access_denied_on_update_says_the_file_is_uploaded(sb: Any, api: dict[str, Any],
                                                           ops: Any) -> None:
    before = _app(sb, "Contract Summarizer")
    sb.inject("access_denied", operation="UpdateQApp")
    with pytest.raises(AttachError) as info:
        qapps_nb.upload(b"contract", file_name="msa.pdf", app="Contract Summarizer",
                        attach=True, progress=False, **api)
    error = info.value
    file_id = error.result.file_id
    assert str(error) == (
        "only the owner of app 'Contract Summarizer' can set its default file; the file IS "
        f"uploaded: fileId {file_id} [AccessDeniedException] — ask the app's owner to make "
        "it the default")
    assert isinstance(error, ApiError)
    assert error.operation == "update_q_app"
    assert error.file_id == file_id
    assert error.code == "AccessDeniedException"
    assert sb.read_object(file_id) == b"contract"
    assert _app(sb, "Contract Summarizer") == before  # unchanged
    assert ops()[-2:] == ["GetQApp", "UpdateQApp"]


def test_access_denied_in_a_batch(sb: Any, api: dict[str, Any]) -> None:
    sb.inject("access_denied", operation="UpdateQApp")
    with pytest.raises(BatchUploadError) as info:
        qapps_nb.upload_many([b"one"], app="Contract Summarizer", attach=True, progress=False,
                             **api)
    [failed] = info.value.results
    assert isinstance(failed, AttachError)
    assert sb.read_object(failed.file_id) == b"one"
    [result] = qapps_nb.upload_many([b"two"], app="Contract Summarizer", attach=True,
                                    progress=False, **api)
    assert result.attached


def test_other_update_failures_keep_the_file_id(sb: Any, api: dict[str, Any]) -> None:
    sb.inject("api_error", times=10, operation="UpdateQApp")
    with pytest.raises(AttachError) as info:
        qapps_nb.upload(b"x", file_name="x.txt", app="Contract Summarizer", attach=True,
                        progress=False, **api)
    text = str(info.value)
    assert text.startswith(f"uploaded x.txt (fileId {info.value.file_id}), but setting it as "
                           "the default file of card 'Contract' failed: ")
    assert "[InternalServerException]" in text
    assert sb.read_object(info.value.file_id) == b"x"
