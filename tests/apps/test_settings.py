"""Where the app and card come from, and every missing setting reported at once.

No test here needs a lookup: each checks that bad or missing settings fail before any
request (the sandbox's request log stays empty).
"""

from __future__ import annotations

from typing import Any

import pytest

import qapps_nb
from qapps_nb import config
from qapps_nb.errors import ConfigurationError, MissingSettingsError, ValidationError
from qapps_nb.targeting import plan

APP_ID = "11111111-2222-4333-8444-555555555555"
OTHER_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


def test_the_highest_level_setting_either_form_wins() -> None:
    env = {"QAPPS_APP_ID": APP_ID}
    chosen = config.choose("app", environ=env)
    assert (chosen.name, chosen.value, chosen.origin, chosen.source) == (
        "app_id", APP_ID, "environment", "QAPPS_APP_ID")
    chosen = config.choose("app", configured="Dataset Profiler", environ=env)
    assert (chosen.name, chosen.value, chosen.origin) == ("app", "Dataset Profiler", "%config")
    chosen = config.choose("app", explicit_id=OTHER_ID, configured="Dataset Profiler",
                           environ=env)
    assert (chosen.name, chosen.value, chosen.origin) == ("app_id", OTHER_ID, "option")
    chosen = config.choose("card", explicit="Notes", configured_id=OTHER_ID,
                           environ={"QAPPS_CARD": "Agenda"})
    assert (chosen.name, chosen.value, chosen.origin) == ("card", "Notes", "option")
    assert config.choose("card", environ={}).value is None


@pytest.mark.parametrize(("level", "kwargs", "message"), [
    ("option", {"explicit": "X", "explicit_id": APP_ID},
     "give app= or app_id=, not both (app= takes a title or an id; magic: --app or --app-id)"),
    ("%config", {"configured": "X", "configured_id": APP_ID},
     "%config QAppsMagics.app and QAppsMagics.app_id are both set: unset one"),
    ("environment", {"environ": {"QAPPS_APP": "X", "QAPPS_APP_ID": APP_ID}},
     "the environment sets both QAPPS_APP and QAPPS_APP_ID: unset one"),
])
def test_both_forms_at_one_level_is_an_error(level: str, kwargs: dict[str, Any],
                                              message: str) -> None:
    kwargs.setdefault("environ", {})
    with pytest.raises(ConfigurationError) as info:
        config.choose("app", **kwargs)
    assert str(info.value).startswith(message)


def test_both_forms_in_the_api_send_nothing(qapps_sandbox: Any) -> None:
    with pytest.raises(ConfigurationError, match="give card= or card_id=, not both"):
        qapps_nb.upload(b"x", instance_id="i", app_id=APP_ID, card="Dataset",
                        card_id=OTHER_ID, endpoint_url=qapps_sandbox.endpoint_url)
    assert qapps_sandbox.requests == []


def test_everything_missing_is_reported_at_once(qapps_sandbox: Any) -> None:
    with pytest.raises(MissingSettingsError) as info:
        qapps_nb.upload(b"x", endpoint_url=qapps_sandbox.endpoint_url, progress=False)
    error = info.value
    assert error.missing == ("instance_id", "app", "region", "credentials")
    text = str(error)
    assert "\n" not in text
    assert text.startswith("4 settings missing: (1) no instance id (the Amazon Q Business "
                           "application id): pass instance_id= (magic: --instance-id)")
    for how in ("%config QAppsMagics.instance_id", "QAPPS_INSTANCE_ID",  # instance id
                "(2) no app: pass app= (its title or id) or app_id=", "QAPPS_APP",
                "%qapps_apps lists your apps",
                "(3) no AWS region: pass region= (magic: --region)",  # region, with %config
                "%config QAppsMagics.region = 'us-east-1'", "AWS_REGION",
                "(4) no AWS credentials: run aws sso login", "AWS_PROFILE"):
        assert how in text, how
    assert "card" not in text  # optional: the app's only file-upload card
    assert qapps_sandbox.requests == []


def test_region_and_credentials_together_when_the_ids_are_set(qapps_sandbox: Any) -> None:
    sb = qapps_sandbox
    with pytest.raises(MissingSettingsError) as info:
        qapps_nb.upload(b"x", instance_id=sb.instance_id, app_id=sb.app_id,
                        card_id=sb.card_id, endpoint_url=sb.endpoint_url, progress=False)
    assert info.value.missing == ("region", "credentials")
    assert str(info.value).startswith("2 settings missing: (1) no AWS region")
    assert sb.requests == []


def test_credentials_alone(qapps_sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sb = qapps_sandbox
    monkeypatch.setenv("AWS_REGION", sb.region)
    with pytest.raises(MissingSettingsError) as info:
        qapps_nb.upload(b"x", instance_id=sb.instance_id, app_id=sb.app_id,
                        card_id=sb.card_id, endpoint_url=sb.endpoint_url, progress=False)
    assert info.value.missing == ("credentials",)
    assert str(info.value).startswith("no AWS credentials: run aws sso login")


def test_an_unknown_profile_says_which_and_where(qapps_sandbox: Any) -> None:
    with pytest.raises(ConfigurationError) as info:
        qapps_nb.upload(b"x", profile="nope", endpoint_url=qapps_sandbox.endpoint_url)
    text = str(info.value)
    assert "AWS profile 'nope' not found in " in text
    assert "aws configure list-profiles" in text
    assert "pass profile=" not in text
    assert "--profile" not in text
    assert "no instance id" in text  # reported with the rest
    assert qapps_sandbox.requests == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"app": "Bad <title>"}, "app 'Bad <title>' cannot be a Q Apps title: titles never "
                             "contain < >"),
    ({"app": "x" * 101}, "app title is 101 characters; Q Apps titles have at most 100"),
    ({"app": "Dataset Profiler", "card": "tab\there"}, "card 'tab\\there' contains control"),
    ({"app_id": "Dataset Profiler"}, "app id 'Dataset Profiler' is not a Q Apps id"),
    ({"app": "Dataset Profiler", "card_id": "Dataset"}, "card id 'Dataset' is not a Q Apps id"),
    ({"app": "Dataset Profiler", "attach": True, "session_id": APP_ID},
     "attach=True makes the file the card's default file: it needs scope APPLICATION"),
])
def test_bad_names_fail_before_any_request(qapps_sandbox: Any, kwargs: dict[str, Any],
                                           message: str) -> None:
    sb = qapps_sandbox
    with pytest.raises(ValidationError) as info:
        qapps_nb.upload(b"x", instance_id=sb.instance_id, session=sb.boto3_session(),
                        endpoint_url=sb.endpoint_url, progress=False, **kwargs)
    assert message in str(info.value)
    assert sb.requests == []


def test_attach_takes_one_source_in_upload_many(qapps_sandbox: Any) -> None:
    sb = qapps_sandbox
    with pytest.raises(ValidationError, match="attach=True makes one file the card's default: "
                                              "give one source, not 2"):
        qapps_nb.upload_many([b"a", b"b"], instance_id=sb.instance_id, app="Dataset Profiler",
                             attach=True, session=sb.boto3_session(),
                             endpoint_url=sb.endpoint_url, progress=False)
    assert sb.requests == []


def test_ids_as_ids_need_no_lookup() -> None:
    chosen = plan(instance_id="i", app=APP_ID, card_id=OTHER_ID)
    assert not chosen.needs_lookup
    assert chosen.ids_only().app_id == APP_ID
    assert plan(instance_id="i", app_id=APP_ID).needs_lookup  # no card: read the app
    assert plan(instance_id="i", app="Dataset Profiler", card_id=OTHER_ID).needs_lookup
    assert plan(instance_id="i", app_id=APP_ID, card_id=OTHER_ID, attach=True).needs_lookup


def test_effective_settings_say_where_each_value_came_from(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QAPPS_INSTANCE_ID", "inst-env")
    monkeypatch.setenv("QAPPS_APP_ID", APP_ID)
    monkeypatch.setenv("QAPPS_CARD", "Dataset")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    found = config.effective({"card_id": OTHER_ID, "profile": "dev"},
                             defaults={"max_workers": 4, "show_progress": True})
    assert (found["instance_id"].value, found["instance_id"].source) == ("inst-env",
                                                                          "QAPPS_INSTANCE_ID")
    assert found["app"] is found["app_id"]
    assert (found["app"].name, found["app"].origin) == ("app_id", "environment")
    assert (found["card"].name, found["card"].value, found["card"].origin) == (
        "card_id", OTHER_ID, "%config")  # %config beats the environment's QAPPS_CARD
    assert (found["region"].value, found["region"].source) == ("eu-west-1", "AWS_DEFAULT_REGION")
    assert (found["profile"].value, found["profile"].origin) == ("dev", "%config")
    assert (found["scope"].value, found["scope"].origin) == ("APPLICATION", "default")
    assert (found["max_workers"].value, found["max_workers"].origin) == (4, "default")
    monkeypatch.setenv("QAPPS_APP", "Dataset Profiler")
    assert "both QAPPS_APP and QAPPS_APP_ID" in (config.effective({})["app"].problem or "")
