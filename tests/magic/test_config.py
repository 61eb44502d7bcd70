"""``%config QAppsMagics`` and ipython_config.py: traits, help text and validators."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from magic_ids import OTHER_APP
from traitlets import TraitError

from qapps_nb.magics import QAppsMagics

TRAITS = ("instance_id", "app_id", "card_id", "session_id", "scope", "profile", "region",
          "endpoint_url", "show_progress", "max_workers")


def test_every_trait_is_configurable_with_help() -> None:
    traits = QAppsMagics.class_traits(config=True)
    assert set(TRAITS) <= set(traits)
    for name in TRAITS:
        assert len(traits[name].help) > 20, name


def test_config_lists_traits_with_help(ip: Any, run: Any) -> None:
    out = run("%config QAppsMagics").out
    for name in TRAITS:
        assert f"QAppsMagics.{name}" in out
    assert "QAPPS_APP_ID" in out
    assert "QAppsMagics" in run("%config").out


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("app_id", "not-a-uuid", "QAppsMagics.app_id: app id 'not-a-uuid' is not a Q Apps id"),
        ("card_id", "1234", "QAppsMagics.card_id: card id '1234' is not a Q Apps id"),
        ("session_id", "x", "QAppsMagics.session_id: session id 'x' is not a Q Apps id"),
        ("instance_id", " padded ", "QAppsMagics.instance_id: instance id ' padded ' has spaces"),
        ("scope", "global", "QAppsMagics.scope: 'global' is not one of: application, session"),
        ("max_workers", 0, "QAppsMagics.max_workers: 0 is out of range 1..64"),
        ("max_workers", 65, "out of range 1..64"),
        ("region", "US East", "QAppsMagics.region: 'US East' is not an AWS region"),
        ("endpoint_url", "localhost:9000", "is not an http(s) URL"),
    ],
)
def test_validators_refuse_bad_values(ip: Any, run: Any, magics: Any, caplog: Any, name: str,
                                      value: Any, message: str) -> None:
    before = getattr(magics, name)
    with pytest.raises(TraitError, match=message.replace("(", r"\(").replace(")", r"\)")):
        setattr(magics, name, value)
    outcome = run(f"%config QAppsMagics.{name} = {value!r}")
    assert message in caplog.text + outcome.err + outcome.out
    assert getattr(magics, name) == before
    assert not outcome.tracebacks


def test_validators_normalize_and_accept_unset(magics: Any) -> None:
    magics.scope = " Session "
    assert magics.scope == "SESSION"
    magics.app_id = OTHER_APP
    magics.app_id = ""
    assert magics.app_id is None
    magics.app_id = None
    magics.max_workers = 64
    magics.region = "eu-central-1"
    magics.endpoint_url = "https://data.qapps.eu-central-1.amazonaws.com"


def test_ipython_config_file_loads_extension_and_traits(tmp_path: Path) -> None:
    """c.InteractiveShellApp.extensions and c.QAppsMagics.* in a real profile."""
    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_config.py").write_text(
        'c.InteractiveShellApp.extensions = ["qapps_nb"]\n'
        f'c.QAppsMagics.app_id = "{OTHER_APP}"\n'
        'c.QAppsMagics.scope = "session"\n'
        "c.QAppsMagics.max_workers = 2\n"
    )
    code = ("ip = get_ipython(); m = ip.magics_manager.registry['QAppsMagics']; "
            "print(m.app_id, m.scope, m.max_workers, 'qapps_upload' in ip.magics_manager"
            ".magics['line'], 'qapps_upload' in ip.magics_manager.magics['cell'])")
    done = subprocess.run(
        [sys.executable, "-m", "IPython", f"--ipython-dir={tmp_path / 'ipython'}",
         "--profile=default", "--no-banner", "--colors=nocolor", "-c", code],
        capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert f"{OTHER_APP} SESSION 2 True True" in done.stdout, done.stdout + done.stderr


def test_ipython_config_bad_value_is_refused(tmp_path: Path) -> None:
    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_config.py").write_text(
        'c.InteractiveShellApp.extensions = ["qapps_nb"]\nc.QAppsMagics.card_id = "nope"\n'
        f'c.QAppsMagics.app_id = "{OTHER_APP}"\n')
    code = ("m = get_ipython().magics_manager.registry['QAppsMagics']; "
            "print('loaded', m.card_id, m.app_id)")
    done = subprocess.run(
        [sys.executable, "-m", "IPython", f"--ipython-dir={tmp_path / 'ipython'}",
         "--no-banner", "--colors=nocolor", "-c", code],
        capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    # the refused value is reported and ignored; the magic loads with the good values
    assert "QAppsMagics.card_id: card id 'nope' is not a Q Apps id" in done.stderr
    assert f"loaded None {OTHER_APP}" in done.stdout, done.stdout + done.stderr
