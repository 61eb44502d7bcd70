"""Every option, and the precedence option > %config > QAPPS_* environment > default."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from magic_ids import OTHER_APP, OTHER_CARD, SESSION

THIRD_APP = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
THIRD_CARD = "12345678-1234-4234-a234-123456789abc"
ENV = {"instance_id": "QAPPS_INSTANCE_ID", "app_id": "QAPPS_APP_ID",
       "card_id": "QAPPS_CARD_ID"}
SHORT = {"instance_id": "-i", "app_id": "-a", "card_id": "-c"}
LONG = {"instance_id": "--instance-id", "app_id": "--app-id", "card_id": "--card-id"}
VALUES = {"instance_id": ("inst-env", "inst-config", "inst-option"),
          "app_id": (OTHER_APP, THIRD_APP, "bbbbbbbb-cccc-4ddd-9eee-ffffffffffff"),
          "card_id": (OTHER_CARD, THIRD_CARD, "cccccccc-dddd-4eee-afff-000000000000")}


@pytest.mark.parametrize("name", ["instance_id", "app_id", "card_id"])
def test_id_precedence_all_four_levels(sb: Any, ip: Any, run: Any, magics: Any,
                                       monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    ip.user_ns["x"] = b"x"
    env_value, config_value, option_value = VALUES[name]
    monkeypatch.delenv(ENV[name])
    if name == "card_id":  # default: the app's only file-upload card, read with GetQApp
        assert run("%qapps_upload -q x").result.card_id == sb.card_id
        assert [r.operation for r in sb.requests if r.service == "qapps"] == [
            "GetQApp", "CreatePresignedUrl"]
        # the sandbox checks cards of the apps it holds; an ad-hoc app id takes any card
        monkeypatch.setenv("QAPPS_APP_ID", OTHER_APP)
    else:  # default: there is none, and the error names every way to set it
        message = run("%qapps_upload x").usage_error
        for way in (LONG[name], f"%config QAppsMagics.{name}", ENV[name]):
            assert way in message
        assert sb.requests == []
    # environment
    monkeypatch.setenv(ENV[name], env_value)
    assert getattr(run("%qapps_upload -q x").result, name) == env_value
    # %config beats the environment
    run(f"%config QAppsMagics.{name} = {config_value!r}")
    assert getattr(magics, name) == config_value
    assert getattr(run("%qapps_upload -q x").result, name) == config_value
    # an option beats %config, in its short and long spelling
    assert getattr(run(f"%qapps_upload -q {SHORT[name]} {option_value} x").result,
                   name) == option_value
    result = run(f"%qapps_upload -q {LONG[name]}={option_value} x").result
    assert getattr(result, name) == option_value
    [stored] = [o for o in sb.objects() if o.file_id == result.file_id]
    assert sb.read_object(result.file_id) == b"x"
    if name == "app_id":
        assert stored.key.split("/")[1] == option_value


def test_scope_and_session_precedence(sb: Any, ip: Any, run: Any, magics: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    ip.user_ns["x"] = b"x"
    default = run("%qapps_upload -q x").result
    assert (default.scope, default.session_id) == ("APPLICATION", None)
    monkeypatch.setenv("QAPPS_SESSION_ID", SESSION)  # a session id alone means SESSION
    from_env = run("%qapps_upload -q x").result
    assert (from_env.scope, from_env.session_id) == ("SESSION", SESSION)
    monkeypatch.setenv("QAPPS_SCOPE", "session")
    assert run("%qapps_upload -q x").result.scope == "SESSION"
    monkeypatch.delenv("QAPPS_SESSION_ID")
    monkeypatch.setenv("QAPPS_SCOPE", "application")
    run("%config QAppsMagics.scope = 'Session'")
    run(f"%config QAppsMagics.session_id = {SESSION!r}")
    assert magics.scope == "SESSION"
    configured = run("%qapps_upload -q x").result
    assert (configured.scope, configured.session_id) == ("SESSION", SESSION)
    # an explicit --scope application drops the configured session id
    explicit = run("%qapps_upload -q --scope APPLICATION x").result
    assert (explicit.scope, explicit.session_id) == ("APPLICATION", None)
    # an explicit session id implies session scope even if %config says application
    run("%config QAppsMagics.scope = 'application'")
    run("%config QAppsMagics.session_id = None")
    other = "0b5e2c4d-1f2a-4b3c-9d4e-000000000001"
    by_option = run(f"%qapps_upload -q -s {other} x").result
    assert (by_option.scope, by_option.session_id) == ("SESSION", other)
    long_form = run(f"%qapps_upload -q --session-id {other} --scope session x").result
    assert (long_form.scope, long_form.session_id) == ("SESSION", other)
    [obj] = [o for o in sb.objects() if o.file_id == long_form.file_id]
    assert (obj.scope, obj.session_id) == ("SESSION", other)


def test_name_sets_the_file_name(sb: Any, ip: Any, run: Any) -> None:
    ip.user_ns["x"] = b"abc"
    for option in ("-n", "--name"):
        result = run(f"%qapps_upload -q {option} 'final report.bin' x").result
        assert result.file_name == "final report.bin"
        [obj] = [o for o in sb.objects() if o.file_id == result.file_id]
        assert obj.file_name == "final report.bin"


def test_out_stores_the_result(sb: Any, ip: Any, run: Any, tmp_path: Path) -> None:
    ip.user_ns["x"] = b"abc"
    outcome = run("%qapps_upload -q -o saved x")
    assert ip.user_ns["saved"] is outcome.result
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    many = run("%qapps_upload -q --out both *.txt")
    assert ip.user_ns["both"] == many.result
    assert [r.file_name for r in ip.user_ns["both"]] == ["a.txt", "b.txt"]


def test_assignment_and_semicolon(sb: Any, ip: Any, run: Any) -> None:
    ip.user_ns["x"] = b"abc"
    run("r = %qapps_upload -q x")
    assert sb.read_object(ip.user_ns["r"].file_id) == b"abc"
    silenced = run("%qapps_upload -q x;")
    assert silenced.error is None, silenced.err
    assert silenced.result is None
    assert "UploadResult" not in silenced.out
    shown = run("%qapps_upload -q x")
    assert "UploadResult" in shown.out
    assert shown.result.file_id in shown.out


def _big(ip: Any) -> None:
    ip.user_ns["big"] = b"\x01" * (2 * 1024 * 1024)


def test_progress_bars_unless_quiet_or_configured_off(sb: Any, ip: Any, run: Any) -> None:
    _big(ip)
    shown = run("%qapps_upload big")
    assert shown.error is None, shown.err
    assert "uploading big.bin" in shown.err
    for cell in ("%qapps_upload -q big", "%qapps_upload --quiet big"):
        quiet = run(cell)
        assert quiet.error is None
        assert quiet.err == ""
    run("%config QAppsMagics.show_progress = False")
    configured = run("%qapps_upload big")
    assert configured.error is None
    assert configured.err == ""
    assert sb.read_object(configured.result.file_id) == ip.user_ns["big"]


def test_max_workers_precedence(sb: Any, ip: Any, run: Any) -> None:
    for i in range(4):
        ip.user_ns[f"v{i}"] = f"value {i}".encode()
    sb.set_latency(0.3, 0)

    def timed(cell: str) -> float:
        start = time.perf_counter()
        outcome = run(cell)
        assert outcome.error is None, outcome.err
        assert [sb.read_object(r.file_id) for r in outcome.result] == [
            f"value {i}".encode() for i in range(4)]
        return time.perf_counter() - start

    try:
        assert timed("%qapps_upload -q v0 v1 v2 v3") < 1.0  # default 4 at once
        run("%config QAppsMagics.max_workers = 1")
        assert timed("%qapps_upload -q v0 v1 v2 v3") >= 1.2
        assert timed("%qapps_upload -q --max-workers 4 v0 v1 v2 v3") < 1.0
    finally:
        sb.set_latency(0, 0)


def test_endpoint_url_precedence(sb: Any, ip: Any, run: Any,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ip.user_ns["x"] = b"e"
    dead = "http://127.0.0.1:9"
    monkeypatch.setenv("AWS_ENDPOINT_URL_QAPPS", dead)
    run(f"%config QAppsMagics.endpoint_url = {sb.endpoint_url!r}")
    assert sb.read_object(run("%qapps_upload -q x").result.file_id) == b"e"
    run(f"%config QAppsMagics.endpoint_url = {dead!r}")
    ok = run(f"%qapps_upload -q --endpoint-url {sb.endpoint_url} x")
    assert ok.error is None, ok.err
    failed = run(f"%qapps_upload -q --endpoint-url {dead} x")
    assert "could not reach Amazon Q Apps at http://127.0.0.1:9" in failed.usage_error


def test_region_precedence(sb: Any, ip: Any, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ip.user_ns["x"] = b"r"
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert "--region" in run("%qapps_upload -q x").usage_error
    assert run("%qapps_upload -q --region us-east-1 x").error is None
    run("%config QAppsMagics.region = 'us-east-1'")
    assert run("%qapps_upload -q x").error is None
    run("%config QAppsMagics.region = None")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # what botocore reads
    assert run("%qapps_upload -q x").error is None


def test_profile_precedence(sb: Any, ip: Any, run: Any, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    env = sb.env()
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[sandbox]\naws_access_key_id = {env['AWS_ACCESS_KEY_ID']}\n"
        f"aws_secret_access_key = {env['AWS_SECRET_ACCESS_KEY']}\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    ip.user_ns["x"] = b"p"
    assert "credentials" in run("%qapps_upload -q x").usage_error
    monkeypatch.setenv("AWS_PROFILE", "sandbox")
    assert sb.read_object(run("%qapps_upload -q x").result.file_id) == b"p"
    monkeypatch.setenv("AWS_PROFILE", "missing-env")
    run("%config QAppsMagics.profile = 'sandbox'")
    assert run("%qapps_upload -q x").error is None
    run("%config QAppsMagics.profile = 'missing-config'")
    assert run("%qapps_upload -q --profile sandbox x").error is None
    assert "'missing-option' not found" in run(
        "%qapps_upload -q --profile missing-option x").usage_error


def test_help(ip: Any, run: Any) -> None:
    for cell in ("%qapps_upload --help", "%qapps_upload -h"):
        outcome = run(cell)
        assert outcome.error is None
        assert outcome.result is None
        for option in ("--instance-id", "--app-id", "--card-id", "--session-id", "--scope",
                       "--name", "--out", "--profile", "--region", "--endpoint-url", "--quiet",
                       "--max-workers", "SOURCE"):
            assert option in outcome.out
    doc = ip.find_line_magic("qapps_upload").__doc__
    assert "--max-workers" in doc
    assert "%%qapps_upload" in doc
