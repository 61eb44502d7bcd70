"""Run JupyterLab on loopback for browser tests: private dirs, a notebook, clean shutdown."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
_HIDDEN = ("QAPPS_", "AWS_")
BUILD = Path(__file__).resolve().parents[2] / "build"
"""Screenshots and the throughput note land here (git-ignored)."""


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    kernel_tmp: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}&reset"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_notebook(path: Path, cells: list[str]) -> None:
    """A notebook with metadata.kernelspec, so Lab does not ask which kernel to use."""
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                   "outputs": [], "source": src} for i, src in enumerate(cells)],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")


@contextmanager
def jupyter_lab(base: Path, extra_env: Mapping[str, str]) -> Iterator[Lab]:
    """Start ``jupyter lab`` (private config, settings and workspaces); stop it afterwards."""
    with jupyter_server(base, extra_env, [
            sys.executable, "-m", "jupyterlab", "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={base / 'settings'}",
            f"--LabApp.workspaces_dir={base / 'workspaces'}"], "ServerApp") as server:
        yield server


@contextmanager
def jupyter_server(base: Path, extra_env: Mapping[str, str], command: list[str],
                   app: str) -> Iterator[Lab]:
    """Run a Jupyter front end's server on loopback with private dirs; ``app`` names its
    configurable (``ServerApp`` for Lab and Notebook 7, ``NotebookApp`` for Notebook 6)."""
    root, config, kernel_tmp = base / "root", base / "config", base / "kernel-tmp"
    for d in (root, config / "labconfig", kernel_tmp, base / "settings", base / "workspaces",
              base / "runtime"):
        d.mkdir(parents=True, exist_ok=True)
    # no "get Jupyter news?" toast over the screenshots
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(_HIDDEN)}
    env.update(extra_env)
    env.update({"JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
                "TMPDIR": str(kernel_tmp), "PYTHONUNBUFFERED": "1"})
    port, token = free_port(), secrets.token_hex(16)
    log = open(base / "jupyter.log", "wb")  # noqa: SIM115 - closed below
    root_option = "notebook_dir" if app == "NotebookApp" else "root_dir"
    proc = subprocess.Popen(
        [*command, "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--{app}.token={token}", "--allow-root", f"--{app}.{root_option}={root}"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("jupyter did not start: " +
                                       (base / "jupyter.log").read_text()[-2000:]) from None
                time.sleep(0.3)
        yield Lab(url=url, token=token, root=root, kernel_tmp=kernel_tmp)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
