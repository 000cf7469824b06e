"""Every KITCHEN_SYNC setting with its default, in one place.

Read them with ``ks_setting("NAME")``: the project's ``settings.KITCHEN_SYNC`` dict wins,
looked up at each call so ``override_settings`` works in tests.
"""

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

DEFAULTS = {
    # HS256 secret shared with the relay (the content of its --secret-file). Signs relay
    # tokens (``relay_token``), which only the relay verifies.
    "RELAY_SECRET": None,
    # HS256 secret that signs and verifies the tokens central's own outlet socket accepts (the
    # token in the settings view's ``websocket_url``). Set it to one only central holds: every
    # outlet's relay holds RELAY_SECRET, which is used when this is None, so any relay could
    # mint a token for another outlet's socket and read its orders (system check
    # kitchen_sync.W003).
    "SOCKET_TOKEN_SECRET": None,
    # HS256 secret that signs and verifies relay credentials (what an outlet's relay presents to
    # central: uploads, downlink). Set it to one only central holds: every outlet's relay holds
    # RELAY_SECRET, which is used when this is None, so any relay could mint a credential for
    # another outlet (system check kitchen_sync.W002).
    "RELAY_CREDENTIAL_SECRET": None,
    # Lifetime of a relay token, in seconds (30 days).
    "RELAY_TOKEN_TTL": 30 * 24 * 60 * 60,
    # Lifetime of a relay credential (role "relay", what the relay presents to central), in
    # seconds (365 days; the relay refuses tokens that live longer than 400 days anyway).
    "RELAY_CREDENTIAL_TTL": 365 * 24 * 60 * 60,
    # Seconds: uploads of one outlet that alternate between two relay epochs within this are
    # two relays with one credential (a cloned PC), logged as a warning at most once per window.
    "EPOCH_OVERLAP_WINDOW": 600,
    # Seconds each check of the health view (database, channel layer) may take.
    "HEALTH_TIMEOUT": 2,
    # Most events a relay may upload in one request.
    "UPLOAD_BATCH_MAX": 500,
    # Largest order (bytes of JSON) central publishes: the outlets' relays refuse bigger ones
    # (their --max-message-bytes, 64 KiB by default), so central refuses them first.
    "MAX_MESSAGE_BYTES": 65_536,
    # Events per page when the outlet socket replays the log after ?since= (one query each).
    "SOCKET_REPLAY_PAGE": 200,
    # An outlet socket without ?since= (a new screen, or one whose browser data was cleared), or
    # one reset, gets the outlet's open orders before caught_up, unless the relay is delivering
    # (RELAY_DELIVERING_WITHIN). Only orders among the outlet's last SOCKET_OPEN_ORDERS_SCAN
    # events whose latest event central logged within SOCKET_OPEN_ORDERS_WINDOW seconds.
    "SOCKET_OPEN_ORDERS_SCAN": 5000,
    "SOCKET_OPEN_ORDERS_WINDOW": 12 * 60 * 60,
    # Seconds since the relay's last answered downlink poll within which it counts as bringing
    # central's orders to the outlet (its own snapshot shows them): more than
    # OUTLET_CONTACT_WRITE_INTERVAL, as polls are written that often (system check W004).
    "RELAY_DELIVERING_WITHIN": 60,
    # Clock difference tolerated when the consumer verifies a token, in seconds.
    "TOKEN_LEEWAY": 30,
    # Channel layer groups are "<prefix>_<outlet>" and "<prefix>_<outlet>_t_<tenant>".
    "GROUP_PREFIX": "outlet",
    # Base of the websocket_url the settings view hands out, e.g. "wss://api.example.com";
    # None: the host and scheme of the request.
    "WEBSOCKET_BASE_URL": None,
    # Whether the outlet settings view requires an authenticated Django user.
    "SETTINGS_REQUIRE_AUTH": True,
    # Origins allowed to open the outlet socket (besides ALLOWED_HOSTS); "*" allows all.
    # A client that sends no Origin (a native app, a script) is always allowed: the socket is
    # authenticated by its token, not by a cookie, so there is nothing to forge.
    "ALLOWED_ORIGINS": [],
    # Paths (prefixes) whose POSTs the idempotency middleware guards.
    "IDEMPOTENT_PATHS": ["/api/public/order-groups/"],
    # Longest accepted Idempotency-Key.
    "IDEMPOTENCY_KEY_MAX_LENGTH": 128,
    # Seconds an outlet may go without a contact that can bring it an order (a downlink poll
    # central answered, a kitchen socket) before central refuses new orders for it with 503
    # outlet_offline; None turns the guard off. Its relay's uploads and POS sockets alone do
    # not count. An outlet whose relay never reached central is not guarded (outlet_contact).
    "OUTLET_OFFLINE_AFTER": 600,
    # Seconds between two writes of one outlet's last contact by one process: the downlink
    # polls every second, and a row written that often would cost more than it tells.
    "OUTLET_CONTACT_WRITE_INTERVAL": 30,
    # Days prune_outlet_log keeps an outlet's log events by default (a whole number from 1
    # to 99999; system check kitchen_sync.E002). It keeps older ones some consumer may still need.
    "OUTLET_LOG_RETENTION_DAYS": 30,
    # Master-data pages: rows per page when the client asks for none, and the cap.
    "PAGE_DEFAULT": 2000,
    "PAGE_MAX": 5000,
}


def ks_setting(name):
    if name not in DEFAULTS:
        raise KeyError(f"unknown KITCHEN_SYNC setting {name!r}")
    configured = getattr(django_settings, "KITCHEN_SYNC", {}) or {}
    return configured.get(name, DEFAULTS[name])


def relay_secret():
    secret = ks_setting("RELAY_SECRET")
    if not secret or not isinstance(secret, str):
        raise ImproperlyConfigured(
            "KITCHEN_SYNC['RELAY_SECRET'] must be the relay's secret (a non-empty string)"
        )
    return secret.strip()


def socket_token_secret():
    """SOCKET_TOKEN_SECRET, or RELAY_SECRET where it is not set (see DEFAULTS)."""
    return _own_secret("SOCKET_TOKEN_SECRET")


def relay_credential_secret():
    """RELAY_CREDENTIAL_SECRET, or RELAY_SECRET where it is not set (see DEFAULTS)."""
    return _own_secret("RELAY_CREDENTIAL_SECRET")


def _own_secret(name):
    secret = ks_setting(name)
    if secret is None:
        return relay_secret()
    if not isinstance(secret, str) or not secret.strip():
        raise ImproperlyConfigured(f"KITCHEN_SYNC[{name!r}] must be a non-empty string (or unset)")
    return secret.strip()
