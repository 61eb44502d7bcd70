"""Starting and stopping: running(), start()/stop() in a notebook kernel, storage, repr."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import requests
from sbx_util import upload

import qapps_nb.sandbox as sandbox_pkg
from qapps_nb.sandbox import Sandbox, running


def test_running_cleans_up_its_temp_dir() -> None:
    with running() as sb:
        root = sb.storage_dir
        assert upload(sb)[1].status_code == 204
        session = requests.Session()
        assert session.get(f"{sb.endpoint_url}/_sandbox", timeout=5).ok  # keep-alive open
    assert not sb.running
    assert not root.exists()
    with pytest.raises(requests.ConnectionError):
        session.get(f"{sb.endpoint_url}/_sandbox", timeout=2)


def test_storage_dir_is_kept_and_reloaded(tmp_path: Path) -> None:
    with running(storage_dir=tmp_path) as sb:
        r, _ = upload(sb, b"kept")
    assert (tmp_path / "index.json").is_file()
    with running(storage_dir=tmp_path) as sb2:
        (obj,) = sb2.objects()
        assert obj.file_id == r["fileId"]
        assert sb2.read_object(r["fileId"]) == b"kept"


def test_read_missing_object(qapps_sandbox: Sandbox) -> None:
    with pytest.raises(KeyError):
        qapps_sandbox.read_object("nope")


def test_bad_settings() -> None:
    with pytest.raises(ValueError, match="max_size"):
        Sandbox(max_size=0)
    with pytest.raises(ValueError, match="port"):
        Sandbox(port=-1)


def test_dropped_sandbox_stops() -> None:
    sb = Sandbox()
    url, root = sb.endpoint_url, sb.storage_dir
    del sb
    gc.collect()
    assert not root.exists()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_sandbox", timeout=2)


def test_start_routes_env_and_stop_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "mine")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "my-token")
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")  # would break every client
    monkeypatch.setenv("QAPPS_SCOPE", "SESSION")  # would send uploads to a session
    monkeypatch.delenv("AWS_ENDPOINT_URL_QAPPS", raising=False)
    sb = sandbox_pkg.start()
    try:
        assert sandbox_pkg.start() is sb
        assert sandbox_pkg.current() is sb
        assert os.environ["AWS_ENDPOINT_URL_QAPPS"] == sb.endpoint_url
        assert os.environ["QAPPS_APP_ID"] == sb.app_id
        assert "AWS_SESSION_TOKEN" not in os.environ
        assert "AWS_PROFILE" not in os.environ
        assert "QAPPS_SCOPE" not in os.environ
        import boto3

        c = boto3.client("qapps")  # plain client, configured only by the environment
        assert c.meta.endpoint_url == sb.endpoint_url
        r = c.create_presigned_url(
            instanceId=os.environ["QAPPS_INSTANCE_ID"], appId=os.environ["QAPPS_APP_ID"],
            cardId=os.environ["QAPPS_CARD_ID"],
            fileContentsSha256="LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=",
            fileName="a", scope="APPLICATION")
        assert r["ResponseMetadata"]["HTTPHeaders"]["x-qapps-sandbox"] == "true"
    finally:
        sandbox_pkg.stop()
    assert os.environ["AWS_ACCESS_KEY_ID"] == "mine"
    assert os.environ["AWS_SESSION_TOKEN"] == "my-token"
    assert os.environ["AWS_PROFILE"] == "no-such-profile"
    assert os.environ["QAPPS_SCOPE"] == "SESSION"
    assert "AWS_ENDPOINT_URL_QAPPS" not in os.environ
    assert sandbox_pkg.current() is None
    sandbox_pkg.stop()  # twice is fine


def test_repr_says_sandbox_and_hides_the_secret(qapps_sandbox: Sandbox) -> None:
    secret = qapps_sandbox.env()["AWS_SECRET_ACCESS_KEY"]
    for text in (repr(qapps_sandbox), qapps_sandbox._repr_html_()):
        assert "SANDBOX — not AWS" in text
        assert qapps_sandbox.endpoint_url in text
        assert qapps_sandbox.app_id in text
        assert secret not in text


def test_import_is_light() -> None:
    code = textwrap.dedent("""
        import sys
        import qapps_nb.sandbox
        heavy = [m for m in ("boto3", "botocore", "python_multipart", "http.server")
                 if m in sys.modules]
        print(heavy)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_pytest_plugin_for_users(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(textwrap.dedent("""
        import boto3
        pytest_plugins = ["qapps_nb.sandbox.pytest_plugin"]

        def test_one(qapps_sandbox_env):
            qapps_sandbox_env.inject("throttle")
            assert qapps_sandbox_env.faults

        def test_two(qapps_sandbox):
            assert qapps_sandbox.faults == []  # reset between tests

        def test_env(qapps_sandbox_env):
            assert boto3.client("qapps").meta.endpoint_url == qapps_sandbox_env.endpoint_url
    """))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(tmp_path)], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert "3 passed" in proc.stdout, proc.stdout + proc.stderr


def test_boto3_session_ignores_a_shell_profile(qapps_sandbox: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A profile in the shell (even a missing one) must not break sandbox clients."""
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "no-such-profile-either")
    apps = qapps_sandbox.client().list_q_apps(instanceId=qapps_sandbox.instance_id)["apps"]
    assert {a["title"] for a in apps} >= {"Dataset Profiler", "Contract Summarizer"}
