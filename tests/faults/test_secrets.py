"""No presigned field value and no credential in a saved notebook, a repr, a log or an error;
user-supplied names escaped in every HTML output.

A real kernel (nbclient, widget state stored) uploads through the magic, the widget (kernel
side, fed simulated browser chunks and an ipywidgets.FileUpload) and the Python API, with
INFO logging on, injected faults, failed cells and a verbose traceback; the saved .ipynb is
then searched for every secret shape the sandbox can produce (see fault_helpers).
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from fault_helpers import (
    UUID,
    SecretShapes,
    real_presigned_fields,
    send_file,
    widget_traffic,
)
from nbclient import NotebookClient
from notebook_cells import new_notebook

import qapps_nb
from qapps_nb import QAppsError, Text, upload, upload_many
from qapps_nb.magics import UploadResults
from qapps_nb.service.presign import create_presigned_url, get_client
from qapps_nb.sources import Payload

EVIL = '<img src=x onerror="alert(1)">.txt'
EVIL2 = "<svg onload=alert(2)>&amp;.csv"
RAW_HTML = ("<img", "<svg", "<script", "onerror=\"alert")  # tags and raw attributes

SETUP = f'''\
import logging, os, requests
logging.basicConfig(level=logging.INFO, force=True)
logging.getLogger("qapps_nb").setLevel(logging.DEBUG)
import qapps_nb
ENDPOINT = os.environ["AWS_ENDPOINT_URL_QAPPS"]
EVIL = {EVIL!r}

def fault(kind, times=1, **params):
    """Queue a sandbox fault through its HTTP control route."""
    requests.post(f"{{ENDPOINT}}/_sandbox/faults", json={{"kind": kind, "times": times, **params}},
                  timeout=10).raise_for_status()

with open("data.csv", "w") as f:
    f.write("city,t\\nOslo,1\\n" * 80000)  # 1.1 MB: progress bars appear
x = b"bytes from a variable"
'''

WIDGET = '''\
import ipywidgets
from datetime import datetime, timezone
from qapps_nb.widget import UploadWidget

def deliver(w, content, buffers=()):
    w._handle_msg({"content": {"comm_id": w.comm.comm_id,
                               "data": {"method": "custom", "content": content}},
                   "buffers": [memoryview(b) for b in buffers]})

w = UploadWidget()
data = os.urandom(300_000)
deliver(w, {"type": "begin", "transfer": "t1", "name": EVIL, "size": len(data)})
for seq, start in enumerate(range(0, len(data), 65536)):
    deliver(w, {"type": "chunk", "transfer": "t1", "seq": seq, "offset": start},
            [data[start:start + 65536]])
fault("s3_access_denied")
deliver(w, {"type": "begin", "transfer": "t2", "name": "refused.bin", "size": 5})
deliver(w, {"type": "chunk", "transfer": "t2", "seq": 0, "offset": 0}, [b"12345"])
w.wait(60)
fu = ipywidgets.FileUpload()
fu.value = ({"name": "picked.txt", "type": "text/plain", "size": 3, "content": memoryview(b"abc"),
             "last_modified": datetime.now(timezone.utc)},)
w2 = UploadWidget(file_upload=fu)
w2.wait(60)
print(w.results, w.errors, w2.results)
assert len(w.results) == 1 and len(w.errors) == 1 and len(w2.results) == 1
w
'''

CELLS: list[tuple[str, bool]] = [  # (source, raises)
    (SETUP, False),
    ("%load_ext qapps_nb", False),
    ("%qapps_upload data.csv", False),  # tqdm bars (widgets), then the result
    ("%qapps_upload -q -o many data.csv x", False),  # the list table
    (f"%qapps_upload -q -n '{EVIL}' x", False),
    ("r = qapps_nb.upload(qapps_nb.Text('hello'), file_name=EVIL)\nr", False),
    ("print(repr(r)); print(r.to_dict()); r.card_value", False),
    ("fault('throttle', 2); fault('s3_error'); fault('reset'); fault('expired_url')\n"
     "qapps_nb.upload(b'retried', file_name='retried.bin', progress=False)", False),
    ("fault('s3_access_denied')\n%qapps_upload -q data.csv", True),
    ("fault('unauthorized')\nqapps_nb.upload(b'x', progress=False)", True),
    ("%xmode Verbose", False),
    ("fault('policy_expired', 2)\nqapps_nb.upload(b'x', progress=False)", True),
    ("fault('s3_access_denied', 2)\n"
     "qapps_nb.upload_many([b'a', qapps_nb.Text('b')], max_workers=1, progress=False)", True),
    ("%xmode Context", False),
    (WIDGET, False),
    ("%qapps_upload", False),  # the widget, prefilled from the environment
    ("import qapps_nb.progress as p\n"
     "bar = p.TqdmReporter(EVIL)\nbar('hashing', 0, 2 << 20)\n"
     "label = bar._bar.container.children[0].value\nbar.close()\n"
     "assert '<img' not in label and '&lt;img' in label, label\nlabel", False),
    ("print(repr(w), repr(qapps_nb), w.get_state().keys())", False),
]


def _notebook() -> Any:
    return new_notebook(*CELLS)


def _html_outputs(nb: Any) -> list[str]:
    return [out["data"]["text/html"] for cell in nb.cells for out in cell.get("outputs", [])
            if "data" in out and "text/html" in out["data"]]


@pytest.mark.slow
def test_executed_notebook_holds_no_secret(qapps_sandbox_env: Any, tmp_path: Path) -> None:
    sb = qapps_sandbox_env
    shapes = SecretShapes.of(sb)
    shapes.assert_matches_real_fields(real_presigned_fields(sb))
    nb = _notebook()
    client = NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    saved = tmp_path / "executed.ipynb"
    nbformat.write(nb, saved)
    text = saved.read_text(encoding="utf-8")

    # It really did what it claims: uploads, failures, a traceback, widgets.
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert len(set(UUID.findall(outputs))) >= 6
    assert "[AccessDenied]" in outputs
    assert "UsageError" in outputs
    assert "UnauthorizedException" in outputs
    assert "Traceback" in outputs
    assert "expired again" in outputs
    assert "INFO:qapps_nb:stored" in outputs  # INFO logging was on and captured
    assert "INFO:qapps_nb:presigned URL for" in outputs or "expired" in outputs
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = {m["model_name"] for m in state.values()}
    assert "AnyModel" in models or any("UploadWidget" in json.dumps(m) for m in state.values())
    assert len(sb.objects()) >= 7

    shapes.assert_absent(text, "the saved notebook")
    shapes.assert_absent(json.dumps(nb.metadata), "the widget state")
    for page in _html_outputs(nb):
        for raw in RAW_HTML:
            assert raw not in page, f"unescaped {raw!r} in an HTML output: {page[:300]}"
    assert html.escape(EVIL) in "".join(_html_outputs(nb))


def test_reprs_errors_and_logs_hold_no_secret(qapps_sandbox: Any, target: dict[str, Any],
                                            caplog: pytest.LogCaptureFixture) -> None:
    sb = qapps_sandbox
    shapes = SecretShapes.of(sb)
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="qapps_nb")
    client = get_client(target["session"], None, None, target["endpoint_url"])
    presigned = create_presigned_url(
        client, instance_id=sb.instance_id, app_id=sb.app_id, card_id=sb.card_id,
        file_name="p.txt", sha256=Payload.from_bytes(b"p").ensure_hashed(),
        scope="APPLICATION", session_id=None)
    shapes.assert_matches_real_fields(presigned.fields)  # the detectors see real values
    seen = [repr(presigned), str(presigned)]

    result = upload(Text("hi"), file_name=EVIL, **target)
    seen += [repr(result), str(result), result._repr_html_(), json.dumps(result.to_dict()),
             repr(result.card_value)]
    failures: list[BaseException] = []
    for kind in ("s3_access_denied", "access_denied", "unauthorized", "validation"):
        sb.inject(kind, times=5)
        try:
            upload(b"x", **target)
        except QAppsError as exc:
            failures.append(exc)
        sb.clear_faults()
    sb.inject("policy_expired", times=2)
    with pytest.raises(QAppsError) as expired:
        upload(b"x", **target)
    failures.append(expired.value)
    sb.inject("s3_access_denied")
    batch = upload_many([b"a", b"b"], max_workers=1, return_exceptions=True, **target)
    failures += [r for r in batch if isinstance(r, BaseException)]
    assert len(failures) == 6
    for exc in failures:
        seen += [repr(exc), str(exc), repr(exc.__dict__), repr(exc.__reduce__())]
    seen.append(UploadResults([result, *failures])._repr_html_())
    seen.append(caplog.text)
    assert "presigned upload for" in caplog.text  # the INFO lines were captured
    for i, text in enumerate(seen):
        shapes.assert_absent(text, f"output #{i}: {text[:80]!r}")


def test_widget_messages_and_state_hold_no_secret(qapps_sandbox: Any, make_widget: Any) -> None:
    sb = qapps_sandbox
    widget = make_widget()
    send_file(widget, "ok", b"fine", name=EVIL)
    sb.inject("s3_access_denied")
    send_file(widget, "no", b"refused", name="refused.bin")
    widget.wait(timeout=30)
    assert len(widget.results) == 1
    assert len(widget.errors) == 1
    text = widget_traffic(widget)
    SecretShapes.of(sb).assert_absent(text, "the widget's traffic")
    assert not re.search(r'"(policy|x-amz-[a-z-]+)"\s*:', text)


def test_every_html_output_escapes_names(qapps_sandbox: Any, target: dict[str, Any]) -> None:
    one = upload(b"1", file_name=EVIL, **target)
    two = upload(b"2", file_name=EVIL2, **target)
    refused = QAppsError(f"file name {EVIL!r} was refused", code="X")
    pages = {
        "UploadResult": one._repr_html_(),
        "UploadResult (2)": two._repr_html_(),
        "magic list table": UploadResults([one, two, refused])._repr_html_(),
        "sandbox banner": qapps_sandbox._repr_html_(),
    }
    for where, page in pages.items():
        for raw in RAW_HTML:
            assert raw not in page, f"{where}: unescaped {raw!r}"
    assert html.escape(EVIL) in pages["UploadResult"]
    assert "&amp;amp;" in pages["UploadResult (2)"]  # '&' itself is escaped once more


def test_widget_front_end_never_renders_names_as_html() -> None:
    """The widget's rows reach the page through textContent only (checked in its JS)."""
    static = Path(qapps_nb.__file__).parent / "widget" / "static"
    for js in static.glob("*.js"):
        source = js.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                     "createContextualFragment"):
            assert sink not in source, f"{js.name} uses {sink}"


def test_logging_at_info_does_not_leak_through_botocore(qapps_sandbox: Any,
                                                        target: dict[str, Any],
                                                        caplog: pytest.LogCaptureFixture) -> None:
    """Root logger at INFO (what basicConfig(level=INFO) gives): botocore stays quiet."""
    caplog.set_level(logging.INFO)
    upload(b"logged", **target)
    assert caplog.records, "nothing was logged at INFO"
    SecretShapes.of(qapps_sandbox).assert_absent(caplog.text, "INFO logs")
    assert os.environ.get("AWS_SECRET_ACCESS_KEY") is None or \
        os.environ["AWS_SECRET_ACCESS_KEY"] not in caplog.text
