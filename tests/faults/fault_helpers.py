"""Shared helpers for the fault tests: request-log views, secret detectors, widget driving.

Secret detection works on *shapes* learned from the sandbox itself (its presign access key,
its signing secret, the dummy client secret, and the formats of policy, signature and
security token), so a value that leaked from another process (a notebook kernel) is found
even though the test never saw that exact value.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from waiting import wait_until
from widget_comm import RecordingComm, deliver, send_file

__all__ = ["RecordingComm", "deliver", "send_file", "wait_until"]  # re-exported for the tests

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
SECRET_FIELDS = ("policy", "x-amz-signature", "x-amz-credential", "x-amz-security-token")


def s3_posts(sb: Any) -> list[Any]:
    return [r for r in sb.requests if r.service == "s3"]


def api_calls(sb: Any) -> list[Any]:
    return [r for r in sb.requests if r.service == "qapps"]


def assert_one_line(message: str) -> str:
    """An expected failure is one short line: no line break of any kind, no traceback."""
    assert message, "an empty error message"
    assert len(message.splitlines()) == 1, repr(message)
    assert "Traceback" not in message
    assert len(message) < 600, message
    return message


@dataclass(frozen=True)
class SecretShapes:
    """Regexes matching every presigned secret the sandbox can hand out, and credentials."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def of(cls, sb: Any) -> SecretShapes:
        from qapps_nb.sandbox.state import CLIENT_SECRET_ACCESS_KEY

        state = sb._state  # the sandbox's own presign credentials (server side)
        literal = {
            "presign access key (x-amz-credential)": state.presign_access_key,
            "presign secret": state.presign_secret,
            "client secret key": CLIENT_SECRET_ACCESS_KEY,
        }
        pats = [(k, re.compile(re.escape(v))) for k, v in literal.items()]
        pats += [
            # base64 of '{"expiration":' — every policy document starts so
            ("policy", re.compile(r"eyJleHBpcmF0aW9uIjoi[A-Za-z0-9+/=]{20,}")),
            ("x-amz-signature", re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")),
            ("x-amz-security-token", re.compile(r"SBX[A-Za-z0-9+/]{60,}")),
            ("x-amz-credential", re.compile(r"/s3/aws4_request")),
        ]
        return cls(tuple(pats))

    def find(self, text: str) -> list[str]:
        return [f"{label}: ...{m.group(0)[:12]}..." for label, pat in self.patterns
                for m in [pat.search(text)] if m]

    def assert_absent(self, text: str, where: str) -> None:
        found = self.find(text)
        assert not found, f"secret in {where}: {found}"

    def assert_matches_real_fields(self, fields: dict[str, str]) -> None:
        """Self-check: each detector really matches the value the sandbox issues."""
        for name in SECRET_FIELDS:
            assert self.find(fields[name]), f"no detector matches a real {name}"


def real_presigned_fields(sb: Any) -> dict[str, str]:
    """Ask the sandbox for a presigned POST with boto3, as qapps-nb would (never sent)."""
    import base64
    import hashlib

    client = sb.client()
    response = client.create_presigned_url(
        instanceId=sb.instance_id, appId=sb.app_id, cardId=sb.card_id,
        fileContentsSha256=base64.b64encode(hashlib.sha256(b"x").digest()).decode(),
        fileName="probe.txt", scope="APPLICATION")
    return dict(response["presignedUrlFields"])


# -- widget driving (kernel side, messages as the browser sends them) -----------------------

def widget_row(widget: Any, tid: str) -> dict[str, Any]:
    widget._rows.flush()
    return next(r for r in widget.rows if r["id"] == tid)


def widget_traffic(widget: Any) -> str:
    """Everything that left the kernel for the browser, plus the synced state, as text."""
    published = [(kind, data) for kind, data, _ in widget.comm.published]
    state = {k: v for k, v in widget.get_state().items() if k not in ("_esm", "_css")}
    text = json.dumps([published, state], default=repr)
    return text.replace(json.dumps(widget._esm)[1:-1], "")  # the JS source itself


def upload_threads(prefix: str = "qapps-") -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(prefix) and t.is_alive()
            and not t.name.startswith("qapps-sandbox")]
