"""System checks (``manage.py check``, and every runserver/migrate start)."""

import difflib

from django.conf import settings
from django.core import checks

from .settings import DEFAULTS


@checks.register()
def check_settings(app_configs=None, **kwargs):
    """``kitchen_sync.W001`` per unknown key of ``settings.KITCHEN_SYNC``: ``ks_setting`` only
    reads the names it knows, so a misspelled one would be ignored without a word."""
    configured = getattr(settings, "KITCHEN_SYNC", None) or {}
    if not isinstance(configured, dict):
        return []
    warnings = []
    for key in sorted(configured, key=str):
        if key in DEFAULTS:
            continue
        close = difflib.get_close_matches(str(key), DEFAULTS, n=1)
        warnings.append(
            checks.Warning(
                f"unknown KITCHEN_SYNC setting {key!r}: it is ignored",
                hint=f"did you mean {close[0]!r}?" if close else
                f"the settings are: {', '.join(sorted(DEFAULTS))}",
                obj="settings.KITCHEN_SYNC",
                id="kitchen_sync.W001",
            )
        )
    return warnings
