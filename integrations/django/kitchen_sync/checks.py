"""System checks (``manage.py check``, and every runserver/migrate start)."""

import difflib

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .outlet_contact import offline_after
from .outlet_log_retention import retention_days
from .settings import DEFAULTS, ks_setting


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


def _shares_relay_secret(name):
    """Whether KITCHEN_SYNC[name] is unset or equal to RELAY_SECRET, which every outlet's relay
    holds (False when RELAY_SECRET itself is not set: there is nothing to compare)."""
    configured = getattr(settings, "KITCHEN_SYNC", None) or {}
    if not isinstance(configured, dict) or not configured.get("RELAY_SECRET"):
        return False
    own = configured.get(name)
    return not own or str(own).strip() == str(configured["RELAY_SECRET"]).strip()


@checks.register()
def check_credential_secret(app_configs=None, **kwargs):
    """``kitchen_sync.W002``: relay credentials signed with the secret every outlet's relay
    holds, so one relay could mint a credential for another outlet's uploads and downlink."""
    if not _shares_relay_secret("RELAY_CREDENTIAL_SECRET"):
        return []
    return [
        checks.Warning(
            "relay credentials are signed with RELAY_SECRET, which every outlet's relay holds: "
            "any relay can mint a credential for another outlet",
            hint="set KITCHEN_SYNC['RELAY_CREDENTIAL_SECRET'] to a secret only central holds, "
            "then issue every relay a new credential (mint_relay_credential)",
            obj="settings.KITCHEN_SYNC",
            id="kitchen_sync.W002",
        )
    ]


@checks.register()
def check_socket_token_secret(app_configs=None, **kwargs):
    """``kitchen_sync.W003``: central's outlet socket accepts tokens signed with the secret
    every outlet's relay holds, so one outlet's relay PC could mint a token for another
    outlet's socket and read its orders."""
    if not _shares_relay_secret("SOCKET_TOKEN_SECRET"):
        return []
    return [
        checks.Warning(
            "central's outlet socket accepts tokens signed with RELAY_SECRET, which every "
            "outlet's relay holds: any relay can mint a token for another outlet's socket",
            hint="set KITCHEN_SYNC['SOCKET_TOKEN_SECRET'] to a secret only central holds; "
            "then reload every open screen: its socket token is void and it fetches new "
            "outlet settings only when reloaded",
            obj="settings.KITCHEN_SYNC",
            id="kitchen_sync.W003",
        )
    ]


@checks.register()
def check_offline_after(app_configs=None, **kwargs):
    """``kitchen_sync.E001``: an OUTLET_OFFLINE_AFTER the order guard cannot use, found at
    start rather than at a guest's checkout."""
    try:
        offline_after()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), obj="settings.KITCHEN_SYNC", id="kitchen_sync.E001")]
    return []


@checks.register()
def check_outlet_log_retention_days(app_configs=None, **kwargs):
    """``kitchen_sync.E002``: an OUTLET_LOG_RETENTION_DAYS prune_outlet_log cannot use, found at
    start rather than by the nightly prune."""
    try:
        retention_days()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), obj="settings.KITCHEN_SYNC", id="kitchen_sync.E002")]
    return []


@checks.register()
def check_relay_delivering_within(app_configs=None, **kwargs):
    """``kitchen_sync.W004``: a RELAY_DELIVERING_WITHIN that a relay polling every second can
    miss, as its polls are written only every OUTLET_CONTACT_WRITE_INTERVAL: a new screen would
    then get central's copies of the open orders beside the relay's."""
    within = ks_setting("RELAY_DELIVERING_WITHIN")
    interval = ks_setting("OUTLET_CONTACT_WRITE_INTERVAL")
    if float(within) > float(interval):
        return []
    return [
        checks.Warning(
            f"RELAY_DELIVERING_WITHIN ({within} s) is not more than "
            f"OUTLET_CONTACT_WRITE_INTERVAL ({interval} s): a relay that is delivering can look "
            "as if it is not",
            hint="set RELAY_DELIVERING_WITHIN to at least twice OUTLET_CONTACT_WRITE_INTERVAL",
            obj="settings.KITCHEN_SYNC",
            id="kitchen_sync.W004",
        )
    ]
