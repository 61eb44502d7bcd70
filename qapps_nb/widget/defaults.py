"""Where the widget's fields come from: the values ``%qapps_upload`` would use.

Precedence (``qapps_nb.config.resolve``): explicit argument > the loaded ``QAppsMagics``
instance's trait (what ``%config QAppsMagics.x = ...`` set *and its validator accepted*) >
``QAPPS_*`` environment. The shell's raw ``config`` object is never read: it keeps a value
``%config`` refused, and a refused value must not come back prefilled in the widget.
Outside IPython, or before ``%load_ext qapps_nb``, only arguments and the environment count.
"""

from __future__ import annotations

from typing import Any

from .. import config, names

SETTINGS = ("instance_id", "session_id", "scope", "profile", "region", "endpoint_url")
"""Settings with one form; the app and the card (two forms each) are chosen apart."""


def live_magics() -> Any:
    """The ``QAppsMagics`` instance registered in the running IPython, or None."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    registry = getattr(getattr(shell, "magics_manager", None), "registry", None)
    return registry.get("QAppsMagics") if isinstance(registry, dict) else None


def configured(name: str, magics: Any = None) -> Any:
    """The value the loaded magics hold for ``name`` (validated when it was set), or None."""
    magics = live_magics() if magics is None else magics
    if magics is None or name not in magics.trait_names():
        return None
    value = getattr(magics, name, None)
    return None if value in (None, "") else value


def resolve_all(explicit: dict[str, Any]) -> dict[str, Any]:
    """Every setting by precedence; scope defaults to SESSION when a session id is known.

    The app (and the card) is given either by id or by title (``app=``, ``QAPPS_APP``...):
    whichever form comes from the highest level wins, as for ``%qapps_upload``, and both
    forms at one level is a ``ConfigurationError``. A title is looked up once the pickers'
    apps are listed; a "title" that is an id is an id.
    """
    magics = live_magics()
    values = {name: config.resolve(name, explicit.get(name), configured(name, magics))
              for name in SETTINGS}
    for kind, id_name in config.PAIRS.items():
        chosen = config.choose(kind, explicit=explicit.get(kind),
                               explicit_id=explicit.get(id_name),
                               configured=configured(kind, magics),
                               configured_id=configured(id_name, magics))
        value = chosen.value
        is_id = chosen.by_id or (isinstance(value, str) and names.is_id(value))
        values[id_name] = value if is_id else None
        values[kind] = None if is_id else value
    scope = values["scope"]
    if not scope:
        scope = "SESSION" if values["session_id"] else "APPLICATION"
    values["scope"] = str(scope).strip().upper()
    return values


def max_workers(explicit: int | None) -> int:
    """Uploads at once: the argument, else ``%config QAppsMagics.max_workers``, else 4."""
    if explicit is not None:
        return explicit
    value = configured("max_workers")
    return int(value) if isinstance(value, int) and value > 0 else 4
