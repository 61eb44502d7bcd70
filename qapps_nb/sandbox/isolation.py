"""The one list of environment variables that could send a sandbox run anywhere else.

The demo's kernel and the pytest plugin's fixtures start from the user's environment
minus these, so nothing from the shell (a profile, real credentials, an endpoint, ids or
a scope) changes what a sandbox run does, and no sandbox run can reach real AWS.

Whole prefixes, not names, so variables added later (``QAPPS_APP``, a new
``AWS_ENDPOINT_URL_<SERVICE>``...) are covered too:

- ``AWS_*``: profiles (``AWS_PROFILE``, ``AWS_DEFAULT_PROFILE``), credentials and session
  tokens, config and credential files, endpoints, region, retry mode and attempts,
  container and web-identity credentials, ``AWS_DATA_PATH``.
- ``QAPPS_*``: ids, scope, session id and every other qapps-nb setting.

Then the shared config/credential files are pointed at an empty file and the EC2
metadata lookup is turned off (boto3 would otherwise find ``~/.aws`` or an instance role),
and the loopback addresses are added to ``NO_PROXY`` (a proxy cannot reach 127.0.0.1).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

ISOLATED_PREFIXES = ("AWS_", "QAPPS_")
SAFE_SETTINGS = {
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def isolated_names(environ: Mapping[str, str]) -> list[str]:
    """The variables of ``environ`` that a sandbox run must not see."""
    return [name for name in environ if name.upper().startswith(ISOLATED_PREFIXES)]


def isolation_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """What to set once :func:`isolated_names` are gone: no AWS files, no proxy for loopback."""
    settings = dict(SAFE_SETTINGS)
    for name in ("NO_PROXY", "no_proxy"):
        present = [h.strip() for h in environ.get(name, "").split(",") if h.strip()]
        settings[name] = ",".join([*present, *(h for h in LOOPBACK if h not in present)])
    return settings


def isolated_environ(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of ``environ`` (default ``os.environ``) fit for a sandbox-only process."""
    source = dict(os.environ if environ is None else environ)
    for name in isolated_names(source):
        del source[name]
    source.update(isolation_settings(source))
    return source
