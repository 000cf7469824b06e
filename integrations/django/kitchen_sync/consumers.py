"""The outlet socket: ws/outlet/{outlet_id}/?token=<relay token>[&tenant=<id>]."""

import json
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer

from .errors import KitchenSyncError
from .events import outlet_group, tenant_group
from .tokens import verify_relay_token

# Close codes in the application range, so a client can tell why (4000 + HTTP status).
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403


def _same_id(a, b):
    return str(a) == str(b)


class OutletConsumer(AsyncWebsocketConsumer):
    """Joins the outlet's group (or its tenants' groups) and forwards order events.

    Authentication is the token the client got in ``websocket_url`` from the outlet
    settings view: a browser WebSocket cannot send headers, so it rides in the query
    string. Its ``outlet`` must be this outlet; a token with ``tenants`` (a food-court
    kitchen) only receives those tenants' events; ``?tenant=`` narrows further.
    """

    groups_joined = ()

    def _query(self):
        raw = self.scope.get("query_string", b"").decode("latin-1")
        return {k: v[-1] for k, v in parse_qs(raw).items()}

    def _scope_groups(self):
        outlet_id = self.scope["url_route"]["kwargs"]["outlet_id"]
        query = self._query()
        claims = verify_relay_token(query.get("token"))
        if not _same_id(claims["outlet"], outlet_id):
            raise KitchenSyncError("forbidden", "the token is for another outlet")
        allowed = claims.get("tenants")
        wanted = query.get("tenant")
        if wanted:
            if allowed is not None and not any(_same_id(t, wanted) for t in allowed):
                raise KitchenSyncError("forbidden", "the token does not cover this tenant")
            return [tenant_group(outlet_id, wanted)]
        if allowed is not None:
            return [tenant_group(outlet_id, t) for t in allowed]
        return [outlet_group(outlet_id)]

    async def connect(self):
        try:
            groups = self._scope_groups()
        except KitchenSyncError as error:
            code = CLOSE_FORBIDDEN if error.code == "forbidden" else CLOSE_UNAUTHORIZED
            await self.close(code=code)
            return
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = tuple(groups)
        await self.accept()

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = ()

    async def receive(self, text_data=None, bytes_data=None):
        # Any frame is survivable: binary, non-JSON, an array, a number. Only a ping is
        # answered; everything else is ignored rather than closing the socket with 1011.
        if text_data is None:
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            return
        if isinstance(message, dict) and message.get("type") == "ping":
            await self.send(
                text_data=json.dumps({"type": "pong", "timestamp": message.get("timestamp")})
            )

    async def kitchen_sync_event(self, message):
        await self.send(text_data=json.dumps({"event": message["event"], "data": message["data"]}))
