"""What a Sandbox says about itself, running and stopped (repr and notebook HTML)."""

from __future__ import annotations

import os

import pytest

import qapps_nb.sandbox as sandbox_pkg
from qapps_nb.sandbox import Sandbox


def test_running_banner_says_uploads_go_here() -> None:
    with sandbox_pkg.running() as sb:
        assert repr(sb).startswith("<SANDBOX — not AWS: running at ")
        page = sb._repr_html_()
        assert "(running)" in page
        assert "never reach Amazon Q Apps" in page
        assert "objects stored" in page


def test_stopped_banner_says_it_is_stopped() -> None:
    with sandbox_pkg.running() as sb:
        url = sb.endpoint_url
    text = repr(sb)
    assert text == f"<SANDBOX — not AWS: stopped (was at {url}); uploads no longer go to it>"
    page = sb._repr_html_()
    assert "(stopped)" in page
    assert "uploads no longer go to it" in page
    assert "go to a local stand-in" not in page
    assert "objects stored" not in page


def test_stopping_a_started_sandbox_directly_restores_the_env(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "mine")
    monkeypatch.delenv("AWS_ENDPOINT_URL_QAPPS", raising=False)
    sb = sandbox_pkg.start()
    try:
        assert os.environ["AWS_ENDPOINT_URL_QAPPS"] == sb.endpoint_url
    finally:
        sb.stop()  # not qapps_nb.sandbox.stop(): the environment comes back all the same
    assert os.environ["AWS_ACCESS_KEY_ID"] == "mine"
    assert "AWS_ENDPOINT_URL_QAPPS" not in os.environ
    assert sandbox_pkg.current() is None
    assert "still points at it" not in repr(sb)
    sandbox_pkg.stop()  # nothing left to stop: a no-op


def test_stopped_banner_tells_how_to_restore_when_env_still_points_at_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    sb = Sandbox()
    monkeypatch.setenv("AWS_ENDPOINT_URL_QAPPS", sb.endpoint_url)  # set by hand, say
    sb.stop()
    assert "this process's environment still points at it" in repr(sb)
    assert "qapps_nb.sandbox.stop()</code> to restore" in sb._repr_html_()
