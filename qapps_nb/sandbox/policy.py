"""SigV4 POST policies: build and sign them (Q Apps side), verify and evaluate (S3 side).

S3 signs a POST policy by HMAC-ing the Base64 policy text with the SigV4 signing key
for ``<date>/<region>/s3/aws4_request``; conditions are ``{"field": value}``,
``["eq", "$field", value]``, ``["starts-with", "$field", prefix]`` and
``["content-length-range", min, max]``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

ALGORITHM = "AWS4-HMAC-SHA256"
# Form fields S3 never requires a condition for.
EXEMPT_FIELDS = frozenset({"file", "policy", "x-amz-signature"})


class PolicyViolation(Exception):
    """A form that the policy does not allow; the message is S3's wording."""


def iso_ms(moment: datetime) -> str:
    """``2025-01-31T12:00:00.000Z`` — the format of S3 policy expirations."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def amz_date(moment: datetime) -> str:
    """``20250131T120000Z`` — SigV4's ``x-amz-date`` format."""
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def parse_expiration(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def signing_key(secret: str, datestamp: str, region: str, service: str = "s3") -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (datestamp, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def sign(policy_b64: str, secret: str, datestamp: str, region: str) -> str:
    """The hex ``x-amz-signature`` of a Base64 policy."""
    key = signing_key(secret, datestamp, region)
    return hmac.new(key, policy_b64.encode(), hashlib.sha256).hexdigest()


def verify(policy_b64: str, signature: str, secret: str, datestamp: str, region: str) -> bool:
    return hmac.compare_digest(sign(policy_b64, secret, datestamp, region), signature.lower())


def encode_policy(expiration: datetime, bucket: str, fields: Mapping[str, str],
                  max_size: int) -> str:
    """A Base64 policy with a condition for every field, the bucket and a size range."""
    conditions: list[Any] = [{"bucket": bucket}]
    conditions += [{name: value} for name, value in fields.items()]
    conditions.append(["content-length-range", 1, max_size])
    doc = {"expiration": iso_ms(expiration), "conditions": conditions}
    return base64.b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()


def decode_policy(policy_b64: str) -> dict[str, Any]:
    """The policy document; ValueError when it is not Base64 JSON with the right shape."""
    try:
        doc = json.loads(base64.b64decode(policy_b64, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("Invalid Policy: Invalid JSON.") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("conditions"), list):
        raise ValueError("Invalid Policy: Policy missing conditions.")
    if not isinstance(doc.get("expiration"), str):
        raise ValueError("Invalid Policy: Policy missing expiration.")
    try:
        parse_expiration(doc["expiration"])
    except ValueError as exc:
        raise ValueError("Invalid Policy: Invalid 'expiration' value.") from exc
    return doc


def _describe(condition: Any) -> str:
    if isinstance(condition, dict):
        (name, value), = condition.items()
        return json.dumps(["eq", f"${name}", value])
    return json.dumps(condition)


def check_form(doc: Mapping[str, Any], form: Mapping[str, str], bucket: str,
               now: datetime) -> tuple[int, int] | None:
    """Enforce expiration, every condition and "no extra fields", like S3.

    ``form`` maps lower-cased field names to values. Returns the
    ``content-length-range`` (min, max) or None. Raises :class:`PolicyViolation`.
    """
    if parse_expiration(doc["expiration"]) <= now:
        raise PolicyViolation("Invalid according to Policy: Policy expired.")
    values = {**form, "bucket": bucket}
    covered: set[str] = set()
    size_range: tuple[int, int] | None = None
    for condition in doc["conditions"]:
        if isinstance(condition, dict) and len(condition) == 1:
            (name, expected), = condition.items()
            op, field = "eq", str(name).lower()
        elif isinstance(condition, list) and len(condition) == 3:
            op = str(condition[0]).lower()
            if op == "content-length-range":
                size_range = (int(condition[1]), int(condition[2]))
                continue
            field, expected = str(condition[1]).lower().removeprefix("$"), condition[2]
        else:
            raise PolicyViolation(f"Invalid Policy: Invalid Condition: {_describe(condition)}")
        covered.add(field)
        actual = values.get(field)
        ok = actual is not None and (
            actual == str(expected) if op == "eq"
            else op == "starts-with" and actual.startswith(str(expected)))
        if not ok:
            raise PolicyViolation(
                f"Invalid according to Policy: Policy Condition failed: {_describe(condition)}")
    extra = [name for name in form
             if name not in covered and name not in EXEMPT_FIELDS
             and not name.startswith("x-ignore-")]
    if extra:
        raise PolicyViolation("Invalid according to Policy: Extra input fields: "
                              + ", ".join(extra))
    return size_range
