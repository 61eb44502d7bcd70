"""Where ids and AWS settings come from, shared by the API, the magic and the widget.

Precedence, highest first: explicit option > ``%config QAppsMagics.x`` > ``QAPPS_*``
environment > default. AWS profile, region and endpoint are left to boto3's own
resolution (``AWS_PROFILE``, ``AWS_REGION``, ``AWS_ENDPOINT_URL_QAPPS``) when not given.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

ENV_VARS: Mapping[str, str] = {
    "instance_id": "QAPPS_INSTANCE_ID",
    "app_id": "QAPPS_APP_ID",
    "card_id": "QAPPS_CARD_ID",
    "session_id": "QAPPS_SESSION_ID",
    "scope": "QAPPS_SCOPE",
}
"""Setting name → environment variable."""

OPTION_NAMES: Mapping[str, str] = {
    "instance_id": "--instance-id",
    "app_id": "--app-id",
    "card_id": "--card-id",
    "session_id": "--session-id",
    "scope": "--scope",
}


def from_environment(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The ``QAPPS_*`` value for a setting, or None when unset or blank."""
    env = os.environ if environ is None else environ
    value = env.get(ENV_VARS[name], "").strip()
    return value or None


def resolve(name: str, explicit: Any = None, configured: Any = None,
            environ: Mapping[str, str] | None = None) -> Any:
    """Pick one setting by precedence: explicit > configured (``%config``) > environment."""
    for value in (explicit, configured):
        if value is not None and value != "":
            return value
    return from_environment(name, environ) if name in ENV_VARS else None


def how_to_set(name: str) -> str:
    """The three ways to set a missing id, for error messages."""
    label = name.replace("_", " ")
    return (
        f"no {label}: pass {name}= (magic: {OPTION_NAMES.get(name, name)}), "
        f"run %config QAppsMagics.{name} = '...', or set {ENV_VARS.get(name, name.upper())}"
    )
