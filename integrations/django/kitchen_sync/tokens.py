"""Device tokens (HS256 JWTs): relay tokens the relay verifies with its --secret-file secret,
socket tokens central's outlet socket verifies with a secret of its own, and relay credentials
central verifies for uploads and the downlink."""

import re
import time

import jwt

from .errors import KitchenSyncError
from .settings import ks_setting, relay_credential_secret, relay_secret, socket_token_secret

# board: a pickup board, which reads like monitor but gets orders without guest data.
ROLES = ("pos", "kitchen", "monitor", "board", "admin")
# The relay's limits (packages/relay/src/auth/tokenExpiry.ts, protocol LIMITS.TOKEN_MAX_LENGTH):
# a token that lives longer cannot be revoked short of rotating the secret, and the relay's
# socket handshake refuses a longer one.
MAX_TOKEN_LIFETIME = 400 * 24 * 60 * 60
TOKEN_MAX_LENGTH = 4096
# A browser WebSocket cannot send headers but can offer subprotocols: the client offers
# SOCKET_SUBPROTOCOL and, beside it, SOCKET_BEARER_PREFIX + its token. In the URL (``?token=``,
# what clients before it send) the token is printed to the browser's console when the socket
# fails, and written to any reverse proxy's access log.
SOCKET_SUBPROTOCOL = "kitchen-sync"
SOCKET_BEARER_PREFIX = SOCKET_SUBPROTOCOL + ".bearer."
# In ``websocket_url``: tells a client that this central reads the token from the subprotocol.
# The token stays in the URL too, for clients from before it (they dial the URL as it is).
TOKEN_IN_SUBPROTOCOL = ("token_in", "subprotocol")
# Used with fullmatch: "$" would let a trailing newline through ("kds\n").
_DEVICE = re.compile(r"[A-Za-z0-9._:@-]{1,64}")
_ID = re.compile(r".{1,64}", re.S)


def wire_id(value):
    """Ids go out as the relay spells them: an int when the value is one, else a string."""
    if isinstance(value, bool):
        raise KitchenSyncError("invalid_payload", "an id cannot be a boolean")
    if isinstance(value, int):
        return value
    text = str(value)
    if not _ID.fullmatch(text):
        raise KitchenSyncError("invalid_payload", "an id must be 1 to 64 characters")
    # "7" becomes 7 (how the relay and the client spell numeric ids); "007" stays a string,
    # since 7 would be another id by string form.
    if text.isdigit() and len(text) < 16 and str(int(text)) == text:
        return int(text)
    return text


def mint_relay_token(*, device, role, outlet, tenants=None, ttl=None, now=None):
    """A token for one device: ``sub`` is the device, so the relay tells two kitchens apart
    (acks, presence); ``tenants`` limits a food-court kitchen to its stalls. Signed with
    RELAY_SECRET: for the relay only, central's socket refuses it (see ``mint_socket_token``)."""
    return _device_token(device, role, outlet, tenants, ttl, now, relay_secret())


def mint_socket_token(*, device, role, outlet, tenants=None, ttl=None, now=None):
    """The same claims as ``mint_relay_token``, signed with SOCKET_TOKEN_SECRET: the token of
    central's outlet socket (the settings view's ``websocket_url``). A relay cannot mint one."""
    return _device_token(device, role, outlet, tenants, ttl, now, socket_token_secret())


def _device_token(device, role, outlet, tenants, ttl, now, secret):
    if role not in ROLES:
        raise KitchenSyncError("invalid_payload", f"role must be one of {', '.join(ROLES)}")
    if not isinstance(device, str) or not _DEVICE.fullmatch(device):
        raise KitchenSyncError(
            "invalid_payload", "device must be 1 to 64 letters, digits or . _ : @ -"
        )
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": device,
        "role": role,
        "outlet": wire_id(outlet),
        "iat": issued,
        "exp": issued + int(ttl if ttl is not None else ks_setting("RELAY_TOKEN_TTL")),
    }
    if tenants is not None:
        claims["tenants"] = [wire_id(t) for t in tenants]
    token = _signed(claims, secret)
    # The relay's handshake would refuse it ("token is too long"), and a kitchen would loop on
    # refreshing it: refused here, with the relay's CLI's code, where a person is watching.
    if len(token) > TOKEN_MAX_LENGTH:
        raise KitchenSyncError(
            "token_too_long",
            f"the token would be {len(token)} characters, over the {TOKEN_MAX_LENGTH} the "
            "relay's socket handshake accepts: give fewer tenants (none = every tenant of the "
            "outlet) or a shorter device",
            token_length=len(token),
        )
    return token


def _signed(claims, secret):
    # A token the verifiers would refuse is better refused here.
    if claims["exp"] - claims["iat"] > MAX_TOKEN_LIFETIME:
        raise KitchenSyncError("invalid_payload", "ttl is over the 400-day maximum")
    if claims["exp"] <= claims["iat"]:
        raise KitchenSyncError("invalid_payload", "ttl must be positive")
    token = jwt.encode(claims, secret, algorithm="HS256")
    # PyJWT 1.x returned bytes.
    return token.decode("ascii") if isinstance(token, bytes) else token


def verify_relay_token(token):
    """The claims of a valid relay token (RELAY_SECRET); ``KitchenSyncError("unauthorized")``
    for anything else. Central's socket uses ``verify_socket_token``."""
    return _device_claims(_decode(token, "token", relay_secret()))


def verify_socket_token(token):
    """The claims of a valid token of central's outlet socket (SOCKET_TOKEN_SECRET);
    ``unauthorized`` for anything else, a relay token signed with RELAY_SECRET included (unless
    SOCKET_TOKEN_SECRET is unset, see system check W003)."""
    return _device_claims(_decode(token, "token", socket_token_secret()))


def socket_token_offered(subprotocols):
    """The token in a ``kitchen-sync.bearer.<token>`` subprotocol, or None."""
    for protocol in subprotocols or ():
        if protocol.startswith(SOCKET_BEARER_PREFIX):
            return protocol[len(SOCKET_BEARER_PREFIX):]
    return None


def _device_claims(claims):
    if claims.get("role") not in ROLES or "outlet" not in claims:
        raise KitchenSyncError("unauthorized", "the token lacks role or outlet")
    tenants = claims.get("tenants")
    if tenants is not None and not isinstance(tenants, list):
        raise KitchenSyncError("unauthorized", "tenants must be a list")
    return claims


# The relay's own credential for central (uplink, downlink). Not one of ROLES: the relay
# refuses it on its sockets, and the outlet consumer refuses it too.
RELAY_ROLE = "relay"


def mint_relay_credential(*, outlet, relay="relay", ttl=None, now=None):
    """The token an outlet's relay presents to central (``--central-token-file``)."""
    if not isinstance(relay, str) or not _DEVICE.fullmatch(relay):
        raise KitchenSyncError("invalid_payload", "relay must be 1 to 64 letters, digits or . _ : @ -")
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": relay,
        "role": RELAY_ROLE,
        "outlet": wire_id(outlet),
        "iat": issued,
        "exp": issued + int(ttl if ttl is not None else ks_setting("RELAY_CREDENTIAL_TTL")),
    }
    return _signed(claims, relay_credential_secret())


def verify_relay_credential(token):
    """The claims of a valid relay credential; ``unauthorized`` for anything else (a device
    token included)."""
    claims = _decode(token, "relay credential", relay_credential_secret())
    if claims.get("role") != RELAY_ROLE or "outlet" not in claims:
        raise KitchenSyncError("unauthorized", "not a relay credential")
    return claims


def _decode(token, what, secret, now=None):
    """The signed claims of ``token`` (HS256 with ``secret``, ``exp`` and ``sub`` required,
    ``exp`` at most 400 days ahead and after ``iat``, as the relay has it); ``unauthorized``
    naming ``what`` for anything else."""
    if not isinstance(token, str) or not token:
        raise KitchenSyncError("unauthorized", f"a {what} is required")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            leeway=ks_setting("TOKEN_LEEWAY"),
            options={"require": ["exp", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise KitchenSyncError("unauthorized", f"invalid {what}: {error}") from None
    exp, iat = claims["exp"], claims.get("iat")
    if isinstance(iat, (int, float)) and not isinstance(iat, bool) and exp <= iat:
        raise KitchenSyncError("unauthorized", f"invalid {what}: it expires before it was issued")
    # A token that never expires could only be revoked by rotating the secret.
    if exp - (now if now is not None else time.time()) > MAX_TOKEN_LIFETIME:
        raise KitchenSyncError("unauthorized", f"invalid {what}: its lifetime is over the 400-day maximum")
    return claims
