"""GetQApp output → UpdateQApp input, checked by botocore's own model (Stubber).

The sandbox tests show the round trip keeps a definition intact; these show the converted
input is exactly what the UpdateQApp input shape accepts, for every card kind, including
the members only GetQApp has (which botocore refuses as unknown parameters).
"""

from __future__ import annotations

import copy
from typing import Any

import boto3
import pytest
from botocore.exceptions import ParamValidationError
from botocore.stub import Stubber

from qapps_nb.service.definition import to_update_input, with_default_file

APP = "7212ff04-de7b-4831-bd80-45d6975ba1b0"
TXT = "4cf94d96-8819-45c2-98cc-58c56b35c72f"
FILE = "82f69028-22a9-4bea-8727-0eabf58e9fed"
QQ = "18870b94-1e63-40e0-8c12-669c90ac5acc"
PLUGIN = "9a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
FORM = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
FID = "412aa1b4-341c-45af-936d-da52f8a1a3b4"
SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
FILTER = {"andAllFilters": [
    {"equalsTo": {"name": "team", "value": {"stringValue": "legal"}}},
    {"notFilter": {"containsAny": {"name": "tags", "value": {"stringListValue": ["draft"]}}}}]}

GET_Q_APP: dict[str, Any] = {
    "appId": APP, "appArn": f"arn:aws:qapps:us-east-1:123456789012:application/i/qapp/{APP}",
    "title": "Contract Summarizer", "description": "Summarize an uploaded contract",
    "initialPrompt": "Create an app that summarizes a contract for an audience.",
    "appVersion": 3, "status": "DRAFT", "createdAt": "2024-05-14T00:11:54Z",
    "createdBy": "a841e300", "updatedAt": "2024-05-17T23:15:08Z", "updatedBy": "a841e300",
    "requiredCapabilities": ["FileUpload", "CreatorMode"],
    "appDefinition": {"appDefinitionVersion": "1", "canEdit": True, "cards": [
        {"textInput": {"id": TXT, "title": "Audience", "dependencies": [], "type": "text-input",
                       "placeholder": "e.g. legal team", "defaultValue": "legal"}},
        {"fileUpload": {"id": FILE, "title": "Contract", "dependencies": [],
                        "type": "file-upload", "allowOverride": False, "filename": "old.pdf",
                        "fileId": "00000000-0000-4000-8000-000000000001"}},
        {"qQuery": {"id": QQ, "title": "Summary", "dependencies": [TXT, FILE],
                    "type": "q-query", "prompt": f"Summarize @{FILE} for @{TXT}.",
                    "outputSource": "approved-sources", "attributeFilter": FILTER,
                    "memoryReferences": [TXT]}},
        {"qPlugin": {"id": PLUGIN, "title": "Ticket", "dependencies": [QQ], "type": "q-plugin",
                     "prompt": f"Open a ticket with @{QQ}", "pluginType": "JIRA",
                     "pluginId": "0c6a7e43-bc1c-4a3e-9f1d-2b3c4d5e6f70",
                     "actionIdentifier": "create-issue"}},
        {"formInput": {"id": FORM, "title": "Reviewer", "dependencies": [], "type": "form-input",
                       "metadata": {"schema": SCHEMA}, "computeMode": "append"}},
    ]}}

EXPECTED_INPUT = {
    "initialPrompt": "Create an app that summarizes a contract for an audience.",
    "cards": [
        {"textInput": {"id": TXT, "title": "Audience", "type": "text-input",
                       "placeholder": "e.g. legal team", "defaultValue": "legal"}},
        {"fileUpload": {"id": FILE, "title": "Contract", "type": "file-upload",
                        "allowOverride": False, "filename": "old.pdf",
                        "fileId": "00000000-0000-4000-8000-000000000001"}},
        {"qQuery": {"id": QQ, "title": "Summary", "type": "q-query",
                    "prompt": f"Summarize @{FILE} for @{TXT}.",
                    "outputSource": "approved-sources", "attributeFilter": FILTER}},
        {"qPlugin": {"id": PLUGIN, "title": "Ticket", "type": "q-plugin",
                     "prompt": f"Open a ticket with @{QQ}",
                     "pluginId": "0c6a7e43-bc1c-4a3e-9f1d-2b3c4d5e6f70",
                     "actionIdentifier": "create-issue"}},
        {"formInput": {"id": FORM, "title": "Reviewer", "type": "form-input",
                       "metadata": {"schema": SCHEMA}, "computeMode": "append"}},
    ]}
APP_META = {"appId": APP, "appArn": GET_Q_APP["appArn"], "title": "Contract Summarizer",
            "appVersion": 4, "status": "DRAFT", "createdAt": "2024-05-14T00:11:54Z",
            "createdBy": "a841e300", "updatedAt": "2024-05-18T00:00:00Z", "updatedBy": "a841e300"}


@pytest.fixture
def client() -> Any:
    session = boto3.Session(aws_access_key_id="AKIDSTUB", aws_secret_access_key="stub",
                            region_name="us-east-1")
    return session.client("qapps")


def test_the_five_rules_and_nothing_else(client: Any) -> None:
    before = copy.deepcopy(GET_Q_APP)
    converted = to_update_input(GET_Q_APP, client.meta.service_model)
    assert converted == EXPECTED_INPUT
    assert before == GET_Q_APP  # the app's own answer is not modified


def test_botocore_accepts_the_converted_definition(client: Any) -> None:
    body = with_default_file(to_update_input(GET_Q_APP, client.meta.service_model),
                             FILE, FID, "msa-2024.pdf")
    with Stubber(client) as stub:
        stub.add_response("update_q_app", APP_META,
                          {"instanceId": "inst", "appId": APP, "appDefinition": body})
        answer = client.update_q_app(instanceId="inst", appId=APP, appDefinition=body)
    assert answer["appVersion"] == 4
    [_, card, *_] = body["cards"]
    assert card["fileUpload"] == {"id": FILE, "title": "Contract", "type": "file-upload",
                                  "allowOverride": False, "filename": "msa-2024.pdf",
                                  "fileId": FID}
    assert body["cards"][0] == EXPECTED_INPUT["cards"][0]
    assert body["cards"][2:] == EXPECTED_INPUT["cards"][2:]


@pytest.mark.parametrize("member", ["dependencies", "appDefinitionVersion", "canEdit",
                                    "memoryReferences", "pluginType"])
def test_botocore_refuses_each_output_only_member(client: Any, member: str) -> None:
    """What the conversion guards against: each output-only member is an unknown parameter."""
    body = to_update_input(GET_Q_APP, client.meta.service_model)
    if member in ("appDefinitionVersion", "canEdit"):
        body[member] = GET_Q_APP["appDefinition"][member]
    else:
        kind = {"memoryReferences": "qQuery", "pluginType": "qPlugin"}.get(member, "textInput")
        [card] = [c[kind] for c in body["cards"] if kind in c]
        card[member] = [] if member != "pluginType" else "JIRA"
    with Stubber(client) as stub:
        stub.add_response("update_q_app", APP_META)  # reached only if botocore accepted it
        with pytest.raises(ParamValidationError, match=member):
            client.update_q_app(instanceId="inst", appId=APP, appDefinition=body)


def test_initial_prompt_moves_into_the_definition(client: Any) -> None:
    answer = {**GET_Q_APP, "appDefinition": {"cards": [], "appDefinitionVersion": "1"}}
    assert to_update_input(answer, client.meta.service_model) == {
        "cards": [], "initialPrompt": GET_Q_APP["initialPrompt"]}
    no_prompt = {k: v for k, v in answer.items() if k != "initialPrompt"}
    assert to_update_input(no_prompt, client.meta.service_model) == {"cards": []}


def test_with_default_file_only_touches_that_file_card() -> None:
    with pytest.raises(LookupError):
        with_default_file(EXPECTED_INPUT, TXT, FID, "x.txt")  # not a file card
    changed = with_default_file(EXPECTED_INPUT, FILE, FID, "x.txt")
    assert changed["cards"][1]["fileUpload"]["fileId"] == FID
    assert EXPECTED_INPUT["cards"][1]["fileUpload"]["fileId"] != FID  # a copy was changed
