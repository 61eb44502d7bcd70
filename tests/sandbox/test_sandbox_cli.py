"""``python -m qapps_nb.sandbox``: serves, prints exports, stops on SIGINT and SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
import requests


def _start(tmp_path: object, *args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "qapps_nb.sandbox", "--url-ttl", "60", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    exports: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("export "):
            name, _, value = line[len("export "):].strip().partition("=")
            exports[name] = value
            if name == "QAPPS_CARD_ID":
                break
    return proc, exports


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_serves_and_stops(tmp_path: os.PathLike[str], sig: signal.Signals) -> None:
    storage = os.path.join(tmp_path, "store")
    proc, exports = _start(tmp_path, "--storage-dir", storage, "--max-size", "1000")
    try:
        assert set(exports) >= {"AWS_ENDPOINT_URL_QAPPS", "AWS_ACCESS_KEY_ID",
                                "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "QAPPS_INSTANCE_ID",
                                "QAPPS_APP_ID", "QAPPS_CARD_ID"}
        endpoint = exports["AWS_ENDPOINT_URL_QAPPS"]
        assert endpoint.startswith("http://127.0.0.1:")
        info = requests.get(f"{endpoint}/_sandbox", timeout=10).json()
        assert info["settings"]["max_size"] == 1000
        assert info["settings"]["url_ttl"] == 60
        assert os.path.isdir(os.path.join(storage, "objects"))
    finally:
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in err
    assert "Traceback" not in err
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{endpoint}/_sandbox", timeout=2)


def test_cli_bad_port() -> None:
    proc = subprocess.run([sys.executable, "-m", "qapps_nb.sandbox", "--port", "70000"],
                          capture_output=True, text=True, timeout=20)
    assert proc.returncode == 2
    assert "cannot start" in proc.stderr
