"""Where the widget's id fields come from: the same places as ``%qapps_upload``.

Precedence (``qapps_nb.config.resolve``): explicit argument > ``%config QAppsMagics.x`` (or
the loaded magics instance) > ``QAPPS_*`` environment. Outside IPython only arguments and
the environment count.
"""

from __future__ import annotations

from typing import Any

from .. import config

SETTINGS = ("instance_id", "app_id", "card_id", "session_id", "scope",
            "profile", "region", "endpoint_url")


def configured(name: str) -> Any:
    """The ``QAppsMagics`` value for ``name`` in the running IPython, or None."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    if shell is None:
        return None
    magics = getattr(getattr(shell, "magics_manager", None), "registry", {}).get("QAppsMagics")
    if magics is not None and name in getattr(magics, "trait_names", lambda: [])():
        value = getattr(magics, name, None)
        if value not in (None, ""):
            return value
    section = shell.config.get("QAppsMagics") if hasattr(shell, "config") else None
    if section is not None and hasattr(section, "get"):
        value = section.get(name)
        if value not in (None, ""):
            return value
    return None


def resolve_all(explicit: dict[str, Any]) -> dict[str, Any]:
    """Every setting by precedence; scope defaults to SESSION when a session id is known."""
    values = {name: config.resolve(name, explicit.get(name), configured(name))
              for name in SETTINGS}
    scope = values["scope"]
    if not scope:
        scope = "SESSION" if values["session_id"] else "APPLICATION"
    values["scope"] = str(scope).strip().upper()
    return values
