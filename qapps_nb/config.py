"""Where ids and AWS settings come from, shared by the API, the magic and the widget.

Precedence, highest first: explicit option > ``%config QAppsMagics.x`` > ``QAPPS_*``
environment > default. AWS profile, region and endpoint are left to boto3's own
resolution (``AWS_PROFILE``, ``AWS_REGION``, ``AWS_ENDPOINT_URL_QAPPS``) when not given.

The app and the card each have two forms: ``app`` (a title or an id) and ``app_id`` (an
id), ``card`` and ``card_id``. For each pair, the highest level that sets either form
wins, and one level setting both forms is an error (there is no telling which was meant).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ConfigurationError

ENV_VARS: Mapping[str, str] = {
    "instance_id": "QAPPS_INSTANCE_ID",
    "app_id": "QAPPS_APP_ID",
    "app": "QAPPS_APP",
    "card_id": "QAPPS_CARD_ID",
    "card": "QAPPS_CARD",
    "session_id": "QAPPS_SESSION_ID",
    "scope": "QAPPS_SCOPE",
}
"""Setting name → environment variable."""

OPTION_NAMES: Mapping[str, str] = {
    "instance_id": "--instance-id",
    "app_id": "--app-id",
    "app": "--app",
    "card_id": "--card-id",
    "card": "--card",
    "session_id": "--session-id",
    "scope": "--scope",
    "profile": "--profile",
    "region": "--region",
    "endpoint_url": "--endpoint-url",
}

PAIRS: Mapping[str, str] = {"app": "app_id", "card": "card_id"}
"""The title-or-id form of a setting → its id-only form."""

LEVELS = ("option", "%config", "environment", "AWS config file", "default")
"""Where a value can come from, highest precedence first (the AWS config file: region)."""

AWS_ENV: Mapping[str, tuple[str, ...]] = {
    "profile": ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"),
    "region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "endpoint_url": ("AWS_ENDPOINT_URL_QAPPS", "AWS_ENDPOINT_URL"),
}
"""boto3's own environment variables for the AWS settings, in the order boto3 reads them."""


@dataclass(frozen=True)
class Setting:
    """One setting's value in effect and where it came from."""

    name: str
    """The form that supplied the value (``app`` or ``app_id`` for the app pair)."""
    value: Any
    origin: str
    """One of :data:`LEVELS`."""
    variable: str | None = None
    """The environment variable or file that supplied it, when ``origin`` says so."""
    problem: str | None = None
    """Why no value is in effect although one was set (both forms of a pair at one level)."""

    @property
    def level(self) -> int:
        return LEVELS.index(self.origin) if self.origin in LEVELS else len(LEVELS)

    @property
    def source(self) -> str:
        """Where exactly, for messages: ``app=``, ``%config QAppsMagics.app``, ``QAPPS_APP``."""
        if self.origin == "option":
            return f"{self.name}= / {OPTION_NAMES.get(self.name, self.name)}"
        if self.origin == "%config":
            return f"%config QAppsMagics.{self.name}"
        if self.origin in ("environment", "AWS config file"):
            return self.variable or ENV_VARS.get(self.name, self.name.upper())
        return "default"

    @property
    def by_id(self) -> bool:
        return self.name.endswith("_id")


def _given(value: Any) -> bool:
    return value is not None and value != ""


def from_environment(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The ``QAPPS_*`` value for a setting, or None when unset or blank."""
    env = os.environ if environ is None else environ
    value = env.get(ENV_VARS[name], "").strip()
    return value or None


def resolve(name: str, explicit: Any = None, configured: Any = None,
            environ: Mapping[str, str] | None = None) -> Any:
    """Pick one setting by precedence: explicit > configured (``%config``) > environment."""
    return setting(name, explicit, configured, environ).value


def setting(name: str, explicit: Any = None, configured: Any = None,
            environ: Mapping[str, str] | None = None) -> Setting:
    """One setting by precedence, with where it came from."""
    if _given(explicit):
        return Setting(name, explicit, "option")
    if _given(configured):
        return Setting(name, configured, "%config")
    if name in ENV_VARS:
        value = from_environment(name, environ)
        if value is not None:
            return Setting(name, value, "environment", ENV_VARS[name])
    return Setting(name, None, "default")


def choose(kind: str, *, explicit: Any = None, explicit_id: Any = None,
           configured: Any = None, configured_id: Any = None,
           environ: Mapping[str, str] | None = None) -> Setting:
    """The app (``kind="app"``) or card by precedence across its two forms.

    The highest level that sets either ``kind`` (title or id) or ``kind_id`` wins; both
    forms at that one level is a :class:`ConfigurationError`.
    """
    id_name = PAIRS[kind]
    levels = (("option", explicit, explicit_id), ("%config", configured, configured_id),
              ("environment", from_environment(kind, environ),
               from_environment(id_name, environ)))
    for origin, ref, ident in levels:
        if _given(ref) and _given(ident):
            raise ConfigurationError(_both_forms(kind, origin))
        variable = origin == "environment"
        if _given(ref):
            return Setting(kind, ref, origin, ENV_VARS[kind] if variable else None)
        if _given(ident):
            return Setting(id_name, ident, origin, ENV_VARS[id_name] if variable else None)
    return Setting(kind, None, "default")


def _both_forms(kind: str, origin: str) -> str:
    id_name = PAIRS[kind]
    if origin == "option":
        return (f"give {kind}= or {id_name}=, not both ({kind}= takes a title or an id; "
                f"magic: {OPTION_NAMES[kind]} or {OPTION_NAMES[id_name]})")
    if origin == "%config":
        return (f"%config QAppsMagics.{kind} and QAppsMagics.{id_name} are both set: unset "
                f"one (%config QAppsMagics.{id_name} = None)")
    return (f"the environment sets both {ENV_VARS[kind]} and {ENV_VARS[id_name]}: unset one "
            f"({ENV_VARS[kind]} takes a title or an id)")


def how_to_set(name: str) -> str:
    """The ways to set a missing setting, for error messages."""
    if name in PAIRS:
        id_name = PAIRS[name]
        listing = "; %qapps_apps lists your apps" if name == "app" else ""
        return (
            f"no {name}: pass {name}= (its title or id) or {id_name}= (magic: "
            f"{OPTION_NAMES[name]} or {OPTION_NAMES[id_name]}), run %config "
            f"QAppsMagics.{id_name} = '...' (or .{name}), or set {ENV_VARS[id_name]} "
            f"(or {ENV_VARS[name]}){listing}")
    if name == "region":
        return ("no AWS region: pass region= (magic: --region), run %config "
                "QAppsMagics.region = 'us-east-1', or set AWS_REGION")
    if name == "credentials":
        return ("no AWS credentials: run aws sso login, or pass session= or profile= "
                "(magic: --profile), run %config QAppsMagics.profile = '...', or set "
                "AWS_PROFILE")
    label = name.replace("_", " ")
    if name == "instance_id":
        label = "instance id (the Amazon Q Business application id)"
    return (
        f"no {label}: pass {name}= (magic: {OPTION_NAMES.get(name, name)}), "
        f"run %config QAppsMagics.{name} = '...', or set {ENV_VARS.get(name, name.upper())}"
    )


def missing_message(lines: list[str]) -> str:
    """Everything missing in one line, each part saying how to set it."""
    if len(lines) == 1:
        return lines[0]
    return f"{len(lines)} settings missing: " + "; ".join(
        f"({i}) {line}" for i, line in enumerate(lines, 1))


def effective(configured: Mapping[str, Any], defaults: Mapping[str, Any] | None = None,
              environ: Mapping[str, str] | None = None) -> dict[str, Setting]:
    """Every setting as a magic with no options uses it, and where each came from.

    ``configured`` holds the ``%config QAppsMagics`` values (None: unset); ``defaults`` the
    traits' defaults, to tell a configured Bool/Int from its default. Both forms of the
    app (``app``, ``app_id``) map to the same winning :class:`Setting`; so do the card's.
    Used by ``%config QAppsMagics`` and the widget, so both show what the magic would use.
    """
    env = os.environ if environ is None else environ
    found: dict[str, Setting] = {}
    for name in ("instance_id", "session_id"):
        found[name] = setting(name, None, configured.get(name), env)
    for kind, id_name in PAIRS.items():
        try:
            chosen = choose(kind, configured=configured.get(kind),
                            configured_id=configured.get(id_name), environ=env)
        except ConfigurationError as exc:
            chosen = Setting(kind, None, "default", problem=exc.message)
        found[kind] = found[id_name] = chosen
    scope = setting("scope", None, configured.get("scope"), env)
    if scope.value is None:
        scope = Setting("scope", "SESSION" if found["session_id"].value else "APPLICATION",
                        "default")
    found["scope"] = scope
    for name, variables in AWS_ENV.items():
        found[name] = _aws_setting(name, configured.get(name), variables, env)
    if found["region"].value is None:
        found["region"] = _config_file_region(found["profile"].value, env)
    for name, default in (defaults or {}).items():
        if name not in found:
            value = configured.get(name, default)
            found[name] = Setting(name, value, "default" if value == default else "%config")
    return found


def _aws_setting(name: str, configured: Any, variables: tuple[str, ...],
                 env: Mapping[str, str]) -> Setting:
    if _given(configured):
        return Setting(name, configured, "%config")
    for variable in variables:
        value = env.get(variable, "").strip()
        if value:
            return Setting(name, value, "environment", variable)
    return Setting(name, None, "default")


def _config_file_region(profile: str | None, env: Mapping[str, str]) -> Setting:
    """The region boto3 would read from the profile in the AWS config file, if any."""
    import botocore.session
    from botocore.exceptions import BotoCoreError

    path = env.get("AWS_CONFIG_FILE") or "~/.aws/config"
    try:
        session = botocore.session.Session(profile=profile)
        region = session.get_scoped_config().get("region")
    except BotoCoreError as exc:
        return Setting("region", None, "default", problem=str(exc))
    if region:
        return Setting("region", region, "AWS config file", path)
    return Setting("region", None, "default")
