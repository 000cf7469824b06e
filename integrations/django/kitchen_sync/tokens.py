"""Relay tokens: HS256 JWTs the relay verifies with its --secret-file secret."""

import re
import time

import jwt

from .errors import KitchenSyncError
from .settings import ks_setting, relay_credential_secret, relay_secret

ROLES = ("pos", "kitchen", "monitor", "admin")
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
    (acks, presence); ``tenants`` limits a food-court kitchen to its stalls."""
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
    token = jwt.encode(claims, relay_secret(), algorithm="HS256")
    # PyJWT 1.x returned bytes.
    return token.decode("ascii") if isinstance(token, bytes) else token


def verify_relay_token(token):
    """The claims of a valid token; ``KitchenSyncError("unauthorized")`` for anything else."""
    claims = _decode(token, "token", relay_secret())
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
    token = jwt.encode(claims, relay_credential_secret(), algorithm="HS256")
    return token.decode("ascii") if isinstance(token, bytes) else token


def verify_relay_credential(token):
    """The claims of a valid relay credential; ``unauthorized`` for anything else (a device
    token included)."""
    claims = _decode(token, "relay credential", relay_credential_secret())
    if claims.get("role") != RELAY_ROLE or "outlet" not in claims:
        raise KitchenSyncError("unauthorized", "not a relay credential")
    return claims


def _decode(token, what, secret):
    """The signed claims of ``token`` (HS256 with ``secret``, ``exp`` and ``sub`` required);
    ``unauthorized`` naming ``what`` for anything else."""
    if not isinstance(token, str) or not token:
        raise KitchenSyncError("unauthorized", f"a {what} is required")
    try:
        return jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            leeway=ks_setting("TOKEN_LEEWAY"),
            options={"require": ["exp", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise KitchenSyncError("unauthorized", f"invalid {what}: {error}") from None
