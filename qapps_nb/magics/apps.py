"""``%qapps_apps [APP]``: the apps you can see, or one app's cards, as a table.

The tables come from :func:`qapps_nb.list_apps` / :func:`qapps_nb.get_app` (their
``_repr_html_``); this module only parses the line and picks settings by precedence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import apps_args
from .args import HelpShown

if TYPE_CHECKING:
    from .core import QAppsMagics


def run(magics: QAppsMagics, line: str) -> Any:
    """One ``%qapps_apps`` call: an ``AppList`` or, given APP, an ``App``."""
    from ..names import check_ref
    from ..service import apps

    try:
        args = apps_args.parse(line)
    except HelpShown:
        return None
    options = magics.client_options(args)
    app_ref = check_ref(args.app, "app") if args.app is not None else None
    instance = apps.instance_of(args.instance_id, options, configured=magics.instance_id)
    result: Any
    if app_ref is None:
        result = apps.fetch_apps(instance, options, refresh=args.refresh)
    else:
        result = apps.resolve_app(app_ref, instance, options, refresh=args.refresh)
    magics.store(args.out, result)
    return result
