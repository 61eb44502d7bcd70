"""The front end's validation mirrors validation.py: same verdicts for the same values.

Runs the widget's ES module in Node (the one Playwright ships), no browser needed.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from qapps_nb import validation
from qapps_nb.errors import ValidationError
from qapps_nb.widget import UploadWidget
from qapps_nb.widget.upload_widget import _bundle

IDS = ["00000000-0000-4000-8000-00000000a001", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
       "1A2B3C4D-5E6F-4A7B-8C9D-0E1F2A3B4C5D", "1a2b3c4d-5e6f-3a7b-8c9d-0e1f2a3b4c5d",
       "1a2b3c4d-5e6f-4a7b-Bc9d-0e1f2a3b4c5d", "1a2b3c4d-5e6f-4a7b-cc9d-0e1f2a3b4c5d",
       " 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "1a2b3c4d5e6f4a7b8c9d0e1f2a3b4c5d", "", "x"]
INSTANCES = ["inst-1", "", " inst", "inst\t1", "a b", "qapps-sandbox-instance", "in\x85st"]
SIZES = [0, 12, 999, 1000, 1049, 999_949, 999_999, 1_000_000, 10_000_000, 10_485_760, 30_000_000,
         284_000_000, 500_000_000, 999_999_999, 5_000_000_000, 5_368_709_120]
"""Sizes where rounding or a unit boundary could make the two disagree."""
OVER = [(1001, 1000), (1_000_049, 1_000_000), (1_200_000, 1_000_000),
        (5_000_000_001, 5_000_000_000), (10_000_001, 10_000_000)]
NAMES = ["a.txt", "<b>x</b>.txt", "a\\b", "x" * 100, "x" * 101, ".", "..", "tab\there",
         "<img src=x>.txt", "日本語.csv"]


def _node() -> Path:
    import playwright

    node = Path(playwright.__file__).parent / "driver" / "node"
    if not node.exists():
        pytest.skip("Playwright's bundled node is not available")
    return node


def _py_ok(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except ValidationError:
        return False
    return True


def _widget_problem(size: int, limit: int) -> str:
    """What the kernel answers for a file above ``max_file_size`` (the browser says the same)."""
    w = UploadWidget(instance_id="i", app_id=IDS[0], card_id=IDS[1], max_file_size=limit,
                     load_apps=False)
    try:
        return w._problem("a.bin", size) or ""
    finally:
        w.close()


def test_js_rules_match_python(tmp_path: Path) -> None:
    bundle = tmp_path / "widget.mjs"
    bundle.write_text(_bundle(), encoding="utf-8")
    cases = {"ids": IDS, "instances": INSTANCES, "names": NAMES}
    script = tmp_path / "check.mjs"
    script.write_text(
        f"import * as m from {json.dumps(bundle.as_uri())};\n"
        f"const c = {json.dumps(cases)};\n"
        "console.log(JSON.stringify({\n"
        "  ids: c.ids.map(v => m.fieldError('app_id', v, 'APPLICATION') === ''),\n"
        "  instances: c.instances.map(v => m.fieldError('instance_id', v, 'APPLICATION') === ''),\n"
        "  names: c.names.map(v => m.fileProblem({name: v, size: 1}, 10) === ''),\n"
        f"  size: {json.dumps(SIZES)}.map(n => m.formatSize(n)),\n"
        f"  exact: {json.dumps(SIZES)}.map(n => m.formatSize(n, true)),\n"
        "  warn: m.WARN_SIZE,\n"
        f"  over: {json.dumps(OVER)}.map(([n, limit]) => m.shownOver(n, limit)),\n"
        f"  refused: {json.dumps(OVER)}.map(([n, limit]) => m.fileProblem("
        "{name: 'a.bin', size: n}, limit)),\n"
        "}));\n", encoding="utf-8")
    out = subprocess.run([str(_node()), str(script)], capture_output=True, text=True,
                         timeout=60, check=True)
    js = json.loads(out.stdout)
    from qapps_nb.result import format_size

    assert js["ids"] == [_py_ok(validation.check_uuid, v, "app id") for v in IDS]
    assert js["instances"] == [_py_ok(validation.check_instance_id, v) for v in INSTANCES]
    assert js["names"] == [_py_ok(validation.check_file_name, v) for v in NAMES]
    assert js["size"] == [format_size(n) for n in SIZES]
    assert js["exact"] == [format_size(n, exact=True) for n in SIZES]
    assert js["warn"] == validation.WARN_UPLOAD_BYTES  # the ⚠ in the table: Python's limit
    assert js["over"] == [validation.shown_over(n, limit) for n, limit in OVER]
    assert js["refused"] == [_widget_problem(n, limit) for n, limit in OVER]
