"""A botocore whose Q Apps model is older than qapps-nb needs: one ConfigurationError line
naming the version to install, and no request sent. (CI also installs a real old botocore:
.ci/too_old_botocore.py.)"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import boto3
import botocore
import botocore.session
import pytest
from botocore.loaders import Loader

import qapps_nb
from qapps_nb.errors import ConfigurationError
from qapps_nb.service.client import MIN_BOTOCORE

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = (f"botocore {botocore.__version__} is too old for Amazon Q Apps: qapps-nb needs "
            "botocore >= 1.35.74 — upgrade it: pip install -U boto3 botocore")


def test_the_check_and_pyproject_name_the_same_floor() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    floor = ".".join(map(str, MIN_BOTOCORE))
    assert f'"botocore>={floor}"' in text
    assert f'"boto3>={floor}"' in text  # boto3 1.35.N requires botocore >= 1.35.N
    assert re.search(r">= " + re.escape(floor), EXPECTED)


def trimmed_model(tmp_path: Path, edit: Any) -> Path:
    """This botocore's own qapps model, edited to look like an older one, as a data path."""
    source = Path(botocore.__file__).parent / "data" / "qapps" / "2023-11-27"
    model = json.loads(gzip.decompress((source / "service-2.json.gz").read_bytes()))
    edit(model)
    target = tmp_path / "data" / "qapps" / "2023-11-27"
    target.mkdir(parents=True)
    (target / "service-2.json").write_text(json.dumps(model))
    return tmp_path / "data"


def no_presign(model: dict[str, Any]) -> None:
    del model["operations"]["CreatePresignedUrl"]


def no_action_identifier(model: dict[str, Any]) -> None:
    del model["shapes"]["QPluginCardInput"]["members"]["actionIdentifier"]


@pytest.mark.parametrize("edit", [no_presign, no_action_identifier])
def test_an_older_qapps_model_is_one_line(edit: Any, tmp_path: Path, qapps_sandbox: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DATA_PATH", str(trimmed_model(tmp_path, edit)))
    sb = qapps_sandbox
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="y",
                            region_name=sb.region)  # reads AWS_DATA_PATH now
    with pytest.raises(ConfigurationError) as caught:
        qapps_nb.upload(b"hello", instance_id=sb.instance_id, app_id=sb.app_id,
                        card_id=sb.card_id, session=session, endpoint_url=sb.endpoint_url,
                        progress=False)
    assert str(caught.value) == EXPECTED
    assert sb.requests == []


def test_a_botocore_without_qapps_at_all_is_the_same_line(qapps_sandbox: Any,
                                                          tmp_path: Path) -> None:
    """botocore before 1.34.120 has no qapps model: a loader that sees all of this
    botocore's data but qapps stands in."""
    data = Path(botocore.__file__).parent / "data"
    for entry in data.iterdir():
        if entry.name != "qapps":
            (tmp_path / entry.name).symlink_to(entry)
    core = botocore.session.get_session()
    core.register_component("data_loader", Loader(extra_search_paths=[str(tmp_path)],
                                                  include_default_search_paths=False))
    session = boto3.Session(botocore_session=core, aws_access_key_id="x",
                            aws_secret_access_key="y", region_name="us-east-1")
    sb = qapps_sandbox
    with pytest.raises(ConfigurationError) as caught:
        qapps_nb.upload(b"hello", instance_id=sb.instance_id, app_id=sb.app_id,
                        card_id=sb.card_id, session=session, endpoint_url=sb.endpoint_url,
                        progress=False)
    assert str(caught.value) == EXPECTED
    assert sb.requests == []


def test_the_magic_shows_it_as_one_usage_error(run: Any, qapps_sandbox_env: Any,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DATA_PATH", str(trimmed_model(tmp_path, no_presign)))
    (Path.cwd() / "notes.txt").write_text("hello")
    assert run("%qapps_upload -q notes.txt").usage_error == EXPECTED
    assert qapps_sandbox_env.requests == []
