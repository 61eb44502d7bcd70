"""The CLI: ``run -- CMD`` (env for a child only), unset lines, a log line per request,
the program name in --help, --apps and decimal --max-size."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

SCRIPT = Path(sys.executable).with_name("qapps-sandbox")

CHILD = """
import json, os, boto3
c = boto3.client("qapps")
apps = c.list_q_apps(instanceId=os.environ["QAPPS_INSTANCE_ID"])["apps"]
print(json.dumps({"titles": [a["title"] for a in apps],
                  "token": os.environ.get("AWS_SESSION_TOKEN"),
                  "profile": os.environ.get("AWS_PROFILE"),
                  "scope": os.environ.get("QAPPS_SCOPE"),
                  "no_proxy": os.environ.get("NO_PROXY"),
                  "key": os.environ["AWS_ACCESS_KEY_ID"]}))
"""


def _cli(*args: str, env: dict[str, str] | None = None,
         timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qapps_nb.sandbox", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_run_gives_the_child_the_sandbox_env_only() -> None:
    env = {**os.environ, "AWS_SESSION_TOKEN": "real-token", "AWS_PROFILE": "real-profile",
           "AWS_ACCESS_KEY_ID": "AKIAREALKEY", "QAPPS_SCOPE": "session",
           "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "example.com"}
    proc = _cli("run", "--", sys.executable, "-c", CHILD, env=env)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen["titles"] == ["Dataset Profiler", "Contract Summarizer", "Meeting Brief"]
    assert seen["token"] is None
    assert seen["profile"] is None
    assert seen["key"] != "AKIAREALKEY"
    assert seen["scope"] is None
    assert seen["no_proxy"] == "example.com,127.0.0.1,localhost,::1"  # the proxy was bypassed
    log = [line for line in proc.stderr.splitlines() if line.startswith("sandbox: ")]
    assert len(log) == 1
    assert " GET /apps.list ListQApps 200 " in log[0]
    assert "Traceback" not in proc.stderr


def test_run_returns_the_child_status_and_needs_a_command() -> None:
    assert _cli("-q", "run", "--", sys.executable, "-c", "raise SystemExit(3)").returncode == 3
    missing = _cli("run")
    assert missing.returncode == 2
    assert "run needs a command after --" in missing.stderr
    nothing = _cli("run", "--", "/no/such/program")
    assert nothing.returncode == 127
    assert "cannot run '/no/such/program'" in nothing.stderr


def test_serve_prints_run_hint_unset_line_and_logs_requests(tmp_path: Path) -> None:
    env = {**os.environ, "AWS_PROFILE": "mine"}
    proc = subprocess.Popen([sys.executable, "-m", "qapps_nb.sandbox"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out: list[str] = []
    for line in proc.stdout:
        out.append(line)
        if line.startswith("# undo"):
            break
    try:
        exports = dict(line[len("export "):].strip().split("=", 1)
                       for line in out if line.startswith("export "))
        endpoint = exports["AWS_ENDPOINT_URL_QAPPS"]
        requests.get(f"{endpoint}/_sandbox/apps", timeout=10)
        requests.get(f"{endpoint}/_sandbox/settings", timeout=10)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    text = "".join(out)
    assert "run -- jupyter lab" in text
    assert "This shell has AWS_PROFILE set" in text
    assert out[-1].strip() == f"# undo in that shell: unset {' '.join(exports)}"
    lines = [line for line in err.splitlines() if line.startswith("sandbox: ")]
    assert [line.split()[2:4] for line in lines] == [["GET", "/_sandbox/apps"],
                                                     ["GET", "/_sandbox/settings"]]


def test_help_names_the_console_script() -> None:
    assert SCRIPT.exists()
    help_text = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True,
                               timeout=30).stdout
    assert help_text.startswith("usage: qapps-sandbox [options]")
    assert "python -m" not in help_text
    assert "5,000,000,000 bytes = 5 GB" in help_text
    assert _cli("--help").stdout.startswith("usage: python -m qapps_nb.sandbox")


@pytest.mark.parametrize(("given", "expected"), [("1000", 1000), ("10MB", 10_000_000),
                                                 ("1.5 GB", 1_500_000_000),
                                                 ("2KiB", 2048)])
def test_max_size_units(given: str, expected: int) -> None:
    from qapps_nb.sandbox.__main__ import _size

    assert _size(given) == expected


def test_default_max_size_is_the_package_limit() -> None:
    from qapps_nb.sandbox.state import DEFAULT_MAX_SIZE
    from qapps_nb.validation import MAX_UPLOAD_BYTES

    assert DEFAULT_MAX_SIZE == MAX_UPLOAD_BYTES == 5_000_000_000


def test_bad_max_size_and_apps_file(tmp_path: Path) -> None:
    bad = _cli("--max-size", "5 parsecs")
    assert bad.returncode == 2
    assert "is not a size" in bad.stderr
    path = tmp_path / "apps.json"
    path.write_text('[{"title": "x"}]', encoding="utf-8")
    refused = _cli("--apps", str(path))
    assert refused.returncode == 2
    assert "cannot start: app 'x' needs a list of cards" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_apps_file_via_cli(tmp_path: Path) -> None:
    path = tmp_path / "apps.json"
    path.write_text(json.dumps([{"title": "From File", "cards": [
        {"textInput": {"title": "Q"}}]}]), encoding="utf-8")
    code = ("import os, boto3; c = boto3.client('qapps'); "
            "print([a['title'] for a in c.list_q_apps("
            "instanceId=os.environ['QAPPS_INSTANCE_ID'])['apps']][-1])")
    proc = _cli("-q", "--apps", str(path), "run", "--", sys.executable, "-c", code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "From File"
    assert "sandbox: " not in proc.stderr  # -q


def test_model_latency_option_survives_reset() -> None:
    code = ("import os, requests; u = os.environ['AWS_ENDPOINT_URL_QAPPS'] + '/_sandbox'; "
            "requests.put(u + '/settings', json={'model_latency': 9}, timeout=10); "
            "requests.post(u + '/reset', timeout=10); "
            "print(requests.get(u + '/settings', timeout=10).json()['model_latency'])")
    proc = _cli("-q", "--model-latency", "0.25", "run", "--", sys.executable, "-c", code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0.25"
