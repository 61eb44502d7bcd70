"""One call in a notebook: a sandbox for this kernel, with boto3 routed to it.

:func:`start` sets ``os.environ`` so every boto3 client created afterwards in this kernel
talks to the sandbox, and remembers the old values; :func:`stop` (or stopping that
sandbox any other way, e.g. ``sb.stop()``) puts them back.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from .core import AppsSource, Sandbox
from .isolation import isolated_names, isolation_settings
from .state import DEFAULT_MAX_SIZE, DEFAULT_MODEL_LATENCY, DEFAULT_URL_TTL

_lock = threading.RLock()
_current: Sandbox | None = None
_saved_env: dict[str, str | None] = {}
_set_env: dict[str, str] = {}


def current() -> Sandbox | None:
    """The sandbox :func:`start` started in this process, if it is running."""
    return _current if _current is not None and _current.running else None


def start(*, port: int = 0, url_ttl: float = DEFAULT_URL_TTL,
          max_size: int = DEFAULT_MAX_SIZE, storage_dir: str | Path | None = None,
          clock_skew: float = 0.0, apps: AppsSource | None = None,
          model_latency: float = DEFAULT_MODEL_LATENCY) -> Sandbox:
    """Start this kernel's sandbox (or return the running one) and route boto3 to it.

    ``apps``: more apps besides the demo ones (a JSON file or a list of dicts).
    """
    global _current
    with _lock:
        if _current is not None and _current.running:
            return _current
        sandbox = Sandbox(port=port, url_ttl=url_ttl, max_size=max_size,
                          storage_dir=storage_dir, clock_skew=clock_skew, apps=apps,
                          model_latency=model_latency)
        # The shell's AWS_*/QAPPS_* settings (a profile, a session token, a scope...) are
        # hidden while the sandbox runs: none of them may change or break a sandbox call.
        hidden = isolated_names(os.environ)
        env = {**isolation_settings(os.environ), **sandbox.env()}
        _saved_env.clear()
        for name in {*env, *hidden}:
            _saved_env[name] = os.environ.get(name)
        for name in hidden:
            os.environ.pop(name, None)
        os.environ.update(env)
        _set_env.clear()
        _set_env.update(env)
        _current = sandbox
        sandbox.on_stop(_restore_env)
        return sandbox


def stop() -> None:
    """Stop the sandbox from :func:`start` and restore the environment as it was."""
    with _lock:
        sandbox = _current
        if sandbox is None:
            return
        sandbox.stop()  # calls _restore_env (registered by start())


def _restore_env() -> None:
    global _current
    with _lock:
        _current = None
        for name, value in _saved_env.items():
            if os.environ.get(name) != _set_env.get(name):
                continue  # changed by the user since start(): theirs now, leave it
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _saved_env.clear()
        _set_env.clear()
