"""With a botocore older than the floor installed: an upload and the magic each fail with
one ConfigurationError line naming the version needed (no AttributeError, no traceback).

Run by ``.ci/floors.py`` after ``pip install --no-deps botocore==<old>``.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from contextlib import redirect_stderr
from pathlib import Path

import botocore
from IPython.testing.globalipapp import start_ipython

import qapps_nb
from qapps_nb.errors import ConfigurationError
from qapps_nb.sandbox import running

old = sys.argv[1]
assert botocore.__version__ == old, (botocore.__version__, old)
expected = (f"botocore {old} is too old for Amazon Q Apps: qapps-nb needs botocore >= 1.35.74"
            " — upgrade it: pip install -U boto3 botocore")
with running() as sb, tempfile.TemporaryDirectory() as tmp:
    target = {"instance_id": sb.instance_id, "app_id": sb.app_id, "card_id": sb.card_id,
              "session": sb.boto3_session(), "endpoint_url": sb.endpoint_url}
    failure: ConfigurationError | None = None
    try:
        qapps_nb.upload(b"hello", **target)
    except ConfigurationError as exc:
        failure = exc
    assert failure is not None, "an upload with an old botocore did not fail"
    assert str(failure) == expected, str(failure)

    os.environ.update(sb.env())
    shell = start_ipython()
    shell.run_line_magic("load_ext", "qapps_nb")
    path = Path(tmp) / "notes.txt"
    path.write_text("hello")
    err = io.StringIO()
    with redirect_stderr(err):
        shell.run_cell(f"%qapps_upload -q '{path}'")
    assert err.getvalue() == f"UsageError: {expected}\n", err.getvalue()
    assert not [r for r in sb.requests if r.operation], "a request reached the sandbox"
print(f"old botocore {old}: {expected}")
