"""The pytest plugin in another project: its fixtures pass whatever the user's shell holds
(AWS_DEFAULT_PROFILE, QAPPS_SCOPE, QAPPS_SESSION_ID...), and the port can be chosen."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SESSION = "5c0e8f8e-1b1a-4c37-9d7e-2f6a1c9b7d10"
USER_TESTS = textwrap.dedent('''
    import os

    import qapps_nb
    from qapps_nb.sandbox.isolation import SAFE_SETTINGS


    def test_upload_through_the_env_fixture(qapps_sandbox_env):
        result = qapps_nb.upload(b"hello", file_name="hello.txt", progress=False)
        assert result.scope == "APPLICATION"
        assert result.session_id is None
        assert qapps_sandbox_env.read_object(result.file_id) == b"hello"


    def test_upload_with_an_explicit_session(qapps_sandbox):
        sb = qapps_sandbox
        result = qapps_nb.upload(b"data", instance_id=sb.instance_id, app_id=sb.app_id,
                                 card_id=sb.card_id, session=sb.boto3_session(),
                                 endpoint_url=sb.endpoint_url, progress=False)
        assert result.scope == "APPLICATION"
        assert sb.read_object(result.file_id) == b"data"


    def test_boto3_session_and_client_work(qapps_sandbox):
        session = qapps_sandbox.boto3_session()
        assert session.region_name == qapps_sandbox.region
        sb = qapps_sandbox
        answer = sb.client().create_presigned_url(
            instanceId=sb.instance_id, appId=sb.app_id, cardId=sb.card_id,
            fileContentsSha256="LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564=",
            fileName="x.txt", scope="APPLICATION")
        assert answer["presignedUrl"].startswith("http://127.0.0.1:")


    def test_the_shell_environment_is_hidden(qapps_sandbox):
        leaked = sorted(n for n in os.environ
                        if n.startswith(("AWS_", "QAPPS_")) and n not in SAFE_SETTINGS)
        assert leaked == []
        assert os.environ["AWS_CONFIG_FILE"] == os.devnull
        assert "127.0.0.1" in os.environ["NO_PROXY"].split(",")


    def test_each_test_starts_clean(qapps_sandbox):
        assert qapps_sandbox.objects() == [] and qapps_sandbox.requests == []
        qapps_sandbox.inject("throttle", times=5)


    def test_faults_do_not_carry_over(qapps_sandbox):
        assert qapps_sandbox.faults == []


    def test_the_port(qapps_sandbox):
        assert qapps_sandbox.port == int(os.environ.get("EXPECTED_PORT", qapps_sandbox.port))


    def test_the_environment_is_back_after_the_fixtures():
        assert os.environ["AWS_DEFAULT_PROFILE"] == "no-such-profile"
        assert os.environ["QAPPS_SCOPE"] == "session"
''')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_user_project(project: Path, *args: str, expected_port: int | None = None) -> str:
    env = dict(os.environ)
    env.update({
        "AWS_DEFAULT_PROFILE": "no-such-profile",  # in no config file: boto3 would refuse
        "AWS_PROFILE": "no-such-profile",
        "QAPPS_SCOPE": "session",
        "QAPPS_SESSION_ID": SESSION,
        "QAPPS_APP": "Someone Else's App",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # a port nothing listens on
        "AWS_SESSION_TOKEN": "a-real-looking-token",
        "AWS_MAX_ATTEMPTS": "1",
    })
    env["AWS_CONFIG_FILE"] = str(project / "aws-config")  # a real file, without that profile
    if expected_port is not None:
        env["EXPECTED_PORT"] = str(expected_port)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's own project: one test file, no conftest; the plugin comes from the
    installed package's entry point."""
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    (tmp_path / "aws-config").write_text("[default]\nregion = eu-west-1\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    return tmp_path


def test_fixtures_pass_with_the_users_environment_set(project: Path) -> None:
    out = run_user_project(project)
    assert "8 passed" in out


def test_port_from_the_ini_file_and_from_the_command_line(project: Path) -> None:
    port = free_port()
    (project / "pytest.ini").write_text(f"[pytest]\nqapps_sandbox_port = {port}\n")
    assert "8 passed" in run_user_project(project, expected_port=port)
    other = free_port()
    out = run_user_project(project, f"--qapps-sandbox-port={other}", expected_port=other)
    assert "8 passed" in out


def test_a_busy_port_is_one_clear_line(project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             f"--qapps-sandbox-port={port}", "-k", "explicit_session"],
            cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert f"qapps sandbox: cannot listen on port {port}" in done.stdout
    assert "Traceback" not in done.stdout


def test_a_missing_default_profile_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside the fixtures, AWS_DEFAULT_PROFILE naming no profile is one line naming it
    (it used to read "AWS profile None not found")."""
    import qapps_nb
    from qapps_nb.errors import ConfigurationError

    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "no-such-profile")
    with pytest.raises(ConfigurationError) as caught:
        qapps_nb.upload(b"x", instance_id="i", app_id=SESSION, card_id=SESSION,
                        region="us-east-1", progress=False)
    assert str(caught.value).startswith("AWS profile 'no-such-profile' not found")
