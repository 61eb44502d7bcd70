"""Apps over HTTP with plain boto3: create, list (pages), get, update, delete, ownership."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sbx_util import client, upload

from qapps_nb.sandbox import Sandbox
from qapps_nb.sandbox import demo_apps as demo


def _card(kind: str, title: str, **extra: Any) -> dict[str, Any]:
    types = {"textInput": "text-input", "fileUpload": "file-upload", "qQuery": "q-query"}
    return {kind: {"id": str(uuid.uuid4()), "title": title, "type": types[kind], **extra}}


def _definition() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    text = _card("textInput", "Topic", placeholder="what about")
    file = _card("fileUpload", "Report", allowOverride=True)
    tid, fid = text["textInput"]["id"], file["fileUpload"]["id"]
    query = _card("qQuery", "Answer", prompt=f"Explain @{fid} about @{tid} (and @{tid}).")
    return text, file, query


def _create(sb: Sandbox, title: str = "Report Explainer", **kw: Any) -> dict[str, Any]:
    cards = kw.pop("cards", None) or list(_definition())
    return dict(client(sb).create_q_app(
        instanceId=sb.instance_id, title=title,
        appDefinition={"cards": cards, "initialPrompt": "Explain a report"}, **kw))


def test_demo_apps_are_there(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    apps = client(sb).list_q_apps(instanceId=sb.instance_id)["apps"]
    assert [a["title"] for a in apps] == ["Dataset Profiler", "Contract Summarizer",
                                          "Meeting Brief"]
    assert apps[0]["appId"] == sb.app_id == demo.DATASET_PROFILER_APP_ID
    profiler = sb.app(sb.app_id)
    cards = profiler["appDefinition"]["cards"]
    assert cards[0]["fileUpload"]["id"] == sb.card_id
    assert cards[0]["fileUpload"]["title"] == "Dataset"
    assert cards[1]["qQuery"]["title"] == "Profile"
    assert cards[1]["qQuery"]["dependencies"] == [sb.card_id]
    brief = sb.app(demo.MEETING_BRIEF_APP_ID)["appDefinition"]["cards"]
    assert [next(iter(c.values()))["title"] for c in brief] == ["Agenda", "Notes", "Tone",
                                                               "Brief"]
    assert brief[2]["textInput"]["defaultValue"] == demo.TONE_DEFAULT
    assert brief[3]["qQuery"]["dependencies"] == [demo.TONE_CARD_ID, demo.AGENDA_CARD_ID,
                                                  demo.NOTES_CARD_ID]


def test_create_then_get_shows_output_shapes(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    text, file, query = _definition()
    created = _create(sb, cards=[text, file, query], description="Reads reports")
    assert created["appVersion"] == 1
    assert created["status"] == "DRAFT"
    assert created["requiredCapabilities"] == ["FileUpload", "RetrievalMode"]
    got = client(sb).get_q_app(instanceId=sb.instance_id, appId=created["appId"])
    assert got["initialPrompt"] == "Explain a report"  # top level in the output
    assert got["description"] == "Reads reports"
    definition = got["appDefinition"]
    assert definition["appDefinitionVersion"] == "1"
    assert definition["canEdit"] is True
    out = [next(iter(c.values())) for c in definition["cards"]]
    assert [c["type"] for c in out] == ["text-input", "file-upload", "q-query"]
    assert out[0]["dependencies"] == []
    assert out[1]["dependencies"] == []
    assert out[2]["dependencies"] == [file["fileUpload"]["id"], text["textInput"]["id"]]
    assert out[2]["outputSource"] == "approved-sources"
    assert got["createdBy"] == got["updatedBy"]
    assert created["appId"] in [a["appId"] for a in sb.apps()]


def test_list_over_several_pages(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    made = [_create(sb, f"App {i}")["appId"] for i in range(7)]
    c = client(sb)
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        kw = {"nextToken": token} if token else {}
        page = c.list_q_apps(instanceId=sb.instance_id, limit=3, **kw)
        assert len(page["apps"]) <= 3
        seen += [a["appId"] for a in page["apps"]]
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    assert pages == 4  # 3 demo apps + 7 = 10 apps, 3 per page
    assert seen[3:] == made
    assert len(set(seen)) == 10
    paged = c.get_paginator("list_q_apps").paginate(
        instanceId=sb.instance_id, PaginationConfig={"PageSize": 4})
    assert [a["appId"] for p in paged for a in p["apps"]] == seen
    with pytest.raises(c.exceptions.ValidationException, match="nextToken"):
        c.list_q_apps(instanceId=sb.instance_id, nextToken="forged")
    with pytest.raises(c.exceptions.ValidationException, match="less than or equal to 100"):
        c.list_q_apps(instanceId=sb.instance_id, limit=101)


def test_update_sets_a_default_file_and_bumps_the_version(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    text, file, query = _definition()
    app_id = _create(sb, cards=[text, file, query])["appId"]
    card = file["fileUpload"]["id"]
    r, resp = upload(sb, b"a,b\n1,2\n", file_name="data.csv", appId=app_id, cardId=card)
    assert resp.status_code == 204
    file["fileUpload"].update(fileId=r["fileId"], filename="data.csv")
    c = client(sb)
    updated = c.update_q_app(instanceId=sb.instance_id, appId=app_id,
                             appDefinition={"cards": [text, file, query],
                                            "initialPrompt": "Explain a report"})
    assert updated["appVersion"] == 2
    got = c.get_q_app(instanceId=sb.instance_id, appId=app_id)
    assert got["appVersion"] == 2
    assert got["appDefinition"]["cards"][1]["fileUpload"]["fileId"] == r["fileId"]
    old = c.get_q_app(instanceId=sb.instance_id, appId=app_id, appVersion=1)
    assert "fileId" not in old["appDefinition"]["cards"][1]["fileUpload"]
    with pytest.raises(c.exceptions.ResourceNotFoundException):
        c.get_q_app(instanceId=sb.instance_id, appId=app_id, appVersion=9)
    title_only = c.update_q_app(instanceId=sb.instance_id, appId=app_id, title="Renamed")
    assert (title_only["appVersion"], title_only["title"]) == (3, "Renamed")
    again = c.get_q_app(instanceId=sb.instance_id, appId=app_id)["appDefinition"]["cards"]
    assert again[1]["fileUpload"]["fileId"] == r["fileId"]  # cards kept


@pytest.mark.parametrize("which", ["never_uploaded", "other_card", "session_scope",
                                   "other_app"])
def test_update_refuses_a_file_not_uploaded_for_this_card(qapps_sandbox: Sandbox,
                                                          which: str) -> None:
    sb = qapps_sandbox
    text, file, query = _definition()
    appendix = _card("fileUpload", "Appendix")
    app_id = _create(sb, cards=[text, file, query, appendix])["appId"]
    card = file["fileUpload"]["id"]
    if which == "never_uploaded":
        file_id = str(uuid.uuid4())
    else:
        kw: dict[str, Any] = {"appId": app_id, "cardId": card}
        if which == "other_card":
            kw["cardId"] = appendix["fileUpload"]["id"]
        elif which == "session_scope":
            kw.update(scope="SESSION", sessionId=str(uuid.uuid4()))
        else:
            kw["appId"] = str(uuid.uuid4())
        file_id = upload(sb, b"x", **kw)[0]["fileId"]
    file["fileUpload"]["fileId"] = file_id
    c = client(sb)
    with pytest.raises(c.exceptions.ValidationException) as info:
        c.update_q_app(instanceId=sb.instance_id, appId=app_id,
                       appDefinition={"cards": [text, file, query, appendix]})
    message = info.value.response["Error"]["Message"]
    assert f"Value '{file_id}' at 'appDefinition.cards.2.member.fileUpload.fileId'" in message
    assert "scope APPLICATION" in message
    assert c.get_q_app(instanceId=sb.instance_id, appId=app_id)["appVersion"] == 1


def test_twenty_one_cards_are_refused(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    c = client(sb)
    cards = [_card("textInput", f"T{i}") for i in range(21)]
    with pytest.raises(c.exceptions.ValidationException,
                       match=r"at 'appDefinition.cards' .*less than or equal to 20"):
        c.update_q_app(instanceId=sb.instance_id, appId=sb.app_id,
                       appDefinition={"cards": cards})
    with pytest.raises(c.exceptions.ValidationException, match="less than or equal to 20"):
        _create(sb, cards=cards)
    assert len(_create(sb, cards=cards[:20])["appId"]) == 36


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda cards: cards[0]["textInput"].update(type="q-query"),
     "Member must be text-input for a textInput card"),
    (lambda cards: cards[1]["fileUpload"].update(id=cards[0]["textInput"]["id"]),
     "Member must be unique"),
    (lambda cards: cards[0]["textInput"].update(title="a<b"),
     "regular expression pattern"),
    (lambda cards: cards[2]["qQuery"].update(outputSource="web"),
     "enum value set: [approved-sources, llm]"),
    (lambda cards: cards[1]["fileUpload"].update(filename="x" * 101),
     "less than or equal to 100"),
])
def test_definition_rules(qapps_sandbox: Sandbox, mutate: Any, expected: str) -> None:
    cards = list(_definition())
    mutate(cards)
    c = client(qapps_sandbox)
    with pytest.raises(c.exceptions.ValidationException, match=expected.replace("[", r"\[")):
        _create(qapps_sandbox, cards=cards)


def test_cards_mentioning_each_other_in_a_circle_are_refused(qapps_sandbox: Sandbox) -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    cards = [{"qQuery": {"id": a, "title": "A", "type": "q-query", "prompt": f"see @{b}"}},
             {"qQuery": {"id": b, "title": "B", "type": "q-query", "prompt": f"see @{a}"}}]
    c = client(qapps_sandbox)
    with pytest.raises(c.exceptions.ValidationException, match="circle"):
        _create(qapps_sandbox, cards=cards)


def test_unknown_app_and_other_instance(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    c = client(sb)
    missing = str(uuid.uuid4())
    with pytest.raises(c.exceptions.ResourceNotFoundException) as info:
        c.get_q_app(instanceId=sb.instance_id, appId=missing)
    error = info.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert (error["resourceId"], error["resourceType"]) == (missing, "QApp")
    with pytest.raises(c.exceptions.ResourceNotFoundException):
        c.get_q_app(instanceId="another-instance", appId=sb.app_id)
    assert c.list_q_apps(instanceId="another-instance")["apps"] == []


def test_delete(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    c = client(sb)
    app_id = _create(sb)["appId"]
    c.delete_q_app(instanceId=sb.instance_id, appId=app_id)
    with pytest.raises(c.exceptions.ResourceNotFoundException):
        c.get_q_app(instanceId=sb.instance_id, appId=app_id)
    with pytest.raises(c.exceptions.ResourceNotFoundException):
        c.delete_q_app(instanceId=sb.instance_id, appId=app_id)


def test_add_app_not_owned(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    app_id = sb.add_app("Shared Helper", [{"textInput": {"title": "Question"}}],
                        description="from the library", owned=False)
    c = client(sb)
    got = c.get_q_app(instanceId=sb.instance_id, appId=app_id)
    assert got["appDefinition"]["canEdit"] is False
    card = got["appDefinition"]["cards"][0]["textInput"]
    assert card["type"] == "text-input"
    assert len(card["id"]) == 36
    listed = {a["appId"]: a for a in c.list_q_apps(instanceId=sb.instance_id)["apps"]}
    assert listed[app_id]["canEdit"] is False
    with pytest.raises(c.exceptions.AccessDeniedException) as info:
        c.update_q_app(instanceId=sb.instance_id, appId=app_id, title="Mine now")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "qapps:UpdateQApp" in info.value.response["Error"]["Message"]


def test_add_app_checks_like_create(qapps_sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="exactly one of"):
        qapps_sandbox.add_app("Bad", [{"textInput": {"title": "a"}, "qQuery": {"title": "b"}}])
    with pytest.raises(ValueError, match="at 'title'"):
        qapps_sandbox.add_app('say "hi"', [])


def test_reset_restores_demo_apps(qapps_sandbox: Sandbox) -> None:
    sb = qapps_sandbox
    added = sb.add_app("Temporary", [])
    client(sb).update_q_app(instanceId=sb.instance_id, appId=sb.app_id, title="Changed")
    client(sb).delete_q_app(instanceId=sb.instance_id, appId=demo.MEETING_BRIEF_APP_ID)
    sb.reset()
    titles = [a["title"] for a in sb.apps()]
    assert titles == ["Dataset Profiler", "Contract Summarizer", "Meeting Brief"]
    assert sb.app(sb.app_id)["appVersion"] == 1
    with pytest.raises(KeyError):
        sb.app(added)
