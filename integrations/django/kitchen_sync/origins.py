"""Origin checking for the outlet socket that lets a PWA on its own origin in."""

from channels.security.websocket import OriginValidator
from django.conf import settings

from .settings import ks_setting


class KitchenSyncOriginValidator(OriginValidator):
    """Channels' AllowedHostsOriginValidator refuses a PWA served from a host that is not
    in ALLOWED_HOSTS, and any client that sends no Origin. This one allows the hosts of
    ALLOWED_HOSTS, the origins of KITCHEN_SYNC["ALLOWED_ORIGINS"] and of
    CORS_ALLOWED_ORIGINS (django-cors-headers), and clients without an Origin: the socket
    is authenticated by its token, not by a cookie, so a missing Origin forges nothing."""

    def __init__(self, application):
        super().__init__(application, allowed_origins=[])

    def valid_origin(self, parsed_origin):
        if parsed_origin is None:
            return True
        hosts = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not hosts:
            hosts = [".localhost", "127.0.0.1", "[::1]"]
        patterns = (
            hosts
            + list(ks_setting("ALLOWED_ORIGINS"))
            + list(getattr(settings, "CORS_ALLOWED_ORIGINS", []))
        )
        return any(
            pattern == "*" or self.match_allowed_origin(parsed_origin, pattern)
            for pattern in patterns
        )
