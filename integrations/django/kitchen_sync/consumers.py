"""The outlet socket: ws/outlet/{outlet_id}/[?tenant=<id>][&since=<seq>[&since_event=<id>]], its
socket token offered as the subprotocol ``kitchen-sync.bearer.<token>`` (or, from older clients, in
``?token=``)."""

import asyncio
import json
import logging
import re
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from .board_view import BOARD_ROLES, board_envelope
from .errors import KitchenSyncError
from .events import outlet_group, tenant_group
from .open_orders import open_order_candidates, open_order_envelopes
from .outlet_contact import CONTACT_ROLES, DELIVERY_ROLES, record_contact, relay_delivering
from .outlet_log import event_id_at, events_for_socket, log_bounds
from .outlet_log_retention import pruned_through
from .settings import ks_setting
from .tokens import SOCKET_SUBPROTOCOL, socket_token_offered, verify_socket_token

logger = logging.getLogger("kitchen_sync.consumers")

# Close codes in the application range, so a client can tell why (4000 + HTTP status).
CLOSE_INVALID = 4400
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
# The log read failed (the database is down): the client retries with its cursor.
CLOSE_UNAVAILABLE = 4503

# An open socket whose token expired is closed (4401) this long after ``exp`` + TOKEN_LEEWAY,
# as the relay drops it (its EXPIRED_CONNECTION_GRACE_MS): a screen that refreshes its
# settings within a minute misses nothing.
EXPIRED_SOCKET_GRACE = 60


def _now():
    return time.time()


# With fullmatch: "$" would accept "5\n".
_CURSOR = re.compile(r"[0-9]{1,18}")


def _same_id(a, b):
    return str(a) == str(b)


def channel_layer_down(error):
    """Whether ``error`` is the channel layer's server being unreachable (Redis stopped or
    restarting), as opposed to a bug that deserves its traceback."""
    if isinstance(error, (OSError, asyncio.TimeoutError)):
        return True
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:
        return False
    return isinstance(error, (RedisConnectionError, RedisTimeoutError))


def parse_cursor(value):
    """``?since=``: None when absent, else a non-negative integer (at most 18 digits)."""
    if value is None:
        return None
    if not _CURSOR.fullmatch(value):
        raise KitchenSyncError("invalid_payload", "since must be a non-negative integer")
    return int(value)


def parse_since_event(value):
    """``?since_event=``: the ``event_id`` the client applied at ``since``; None when absent."""
    if value is not None and len(value) > 64:
        raise KitchenSyncError("invalid_payload", "since_event must be at most 64 characters")
    return value


class OutletConsumer(AsyncWebsocketConsumer):
    """Joins the outlet's group (or its tenants' groups) and forwards order events.

    Authentication is the token the client got in ``websocket_url`` from the outlet
    settings view: a browser WebSocket cannot send headers, so the client offers it as a
    subprotocol (``kitchen-sync.bearer.<token>`` beside ``kitchen-sync``, which the socket is
    accepted with), or, a client from before that, in the query string. Its ``outlet`` must
    be this outlet; a token with ``tenants`` (a food-court
    kitchen) only receives those tenants' events; ``?tenant=`` narrows further.

    Resuming: after joining, the consumer reads the outlet log's head, sends the log's events
    after ``?since=`` up to it (in pages), then ``{"type": "caught_up", "seq": head, "event_id":
    <the event at head>}`` (no ``event_id`` while the log is empty), then live events. Live
    events that arrive meanwhile wait in ``pending``; those at or below the head were in the
    replay (or before the cursor) and are not sent again. Without ``?since=``,
    or after a reset, the outlet's open orders up to the head go first instead (without
    ``seq``), unless its relay is delivering them (``_send_open_orders``). ``?since_event=``,
    the ``event_id`` the client applied at ``since``, resets it when the log holds another
    event there: the log went back (a database restore) and new events took those seqs again.
    """

    groups_joined = ()
    pending = None
    replayed_up_to = 0
    catch_up = None
    since_event = None
    expiry = None
    accepted = False
    # A pos or kitchen token: this socket shows the outlet is online (outlet_contact).
    shows_contact = False
    # A kitchen token: central's new orders reach the outlet through this socket.
    delivers = False
    # A board token: every event goes out without the guests' data (board_view).
    board = False

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except Exception as error:
            if not channel_layer_down(error):
                raise
            # The layer is down (joining, or the socket's receive loop): the client gets the
            # documented 4503 and retries with its cursor; one line here, not daphne's traceback.
            outlet = scope.get("url_route", {}).get("kwargs", {}).get("outlet_id")
            logger.warning(
                "outlet %s: the channel layer is unavailable (%r): socket closed with %s",
                outlet, error, CLOSE_UNAVAILABLE,
            )
            await self._close_unavailable()

    async def _close_unavailable(self):
        if self.catch_up is not None:
            self.catch_up.cancel()
            self.catch_up = None
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None
        # Accepted first: a close before accepting is an HTTP 403 at the handshake.
        if not self.accepted:
            await self.accept()
        await self.close(code=CLOSE_UNAVAILABLE)
        for group in self.groups_joined:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                # The layer is down; its group memberships expire on their own.
                break
        self.groups_joined = ()

    async def accept(self, subprotocol=None):
        # Every accept, the refusals' too: a browser that offered subprotocols fails a handshake
        # answered with none, and would never read the 4401 that follows. Never the bearer one:
        # the answer would carry the token back.
        if subprotocol is None and SOCKET_SUBPROTOCOL in self.scope.get("subprotocols", ()):
            subprotocol = SOCKET_SUBPROTOCOL
        await super().accept(subprotocol)
        self.accepted = True

    def _query(self):
        raw = self.scope.get("query_string", b"").decode("latin-1")
        return {k: v[-1] for k, v in parse_qs(raw).items()}

    def _scope(self):
        """``(groups, tenants)``: the groups to join, and the tenants the log replay is limited
        to (None: the whole outlet)."""
        outlet_id = self.scope["url_route"]["kwargs"]["outlet_id"]
        query = self._query()
        offered = socket_token_offered(self.scope.get("subprotocols"))
        claims = verify_socket_token(offered if offered is not None else query.get("token"))
        self.expires_at = claims["exp"]
        if not _same_id(claims["outlet"], outlet_id):
            raise KitchenSyncError("forbidden", "the token is for another outlet")
        self.shows_contact = claims.get("role") in CONTACT_ROLES
        self.delivers = claims.get("role") in DELIVERY_ROLES
        # A pickup board reads every order but none of the guests' data.
        self.board = claims.get("role") in BOARD_ROLES
        allowed = claims.get("tenants")
        wanted = query.get("tenant")
        if wanted:
            if allowed is not None and not any(_same_id(t, wanted) for t in allowed):
                raise KitchenSyncError("forbidden", "the token does not cover this tenant")
            return [tenant_group(outlet_id, wanted)], [wanted]
        if allowed is not None:
            return [tenant_group(outlet_id, t) for t in allowed], list(allowed)
        return [outlet_group(outlet_id)], None

    async def _send_json(self, frame):
        await self.send(text_data=json.dumps(frame))

    async def connect(self):
        try:
            groups, tenants = self._scope()
        except KitchenSyncError as error:
            code = CLOSE_FORBIDDEN if error.code == "forbidden" else CLOSE_UNAUTHORIZED
            # Accepted first: a close before accepting becomes an HTTP 403 handshake refusal
            # (daphne), and the client never sees the code. Nothing is joined or sent.
            await self.accept()
            await self.close(code=code)
            return
        try:
            since = parse_cursor(self._query().get("since"))
            self.since_event = parse_since_event(self._query().get("since_event"))
        except KitchenSyncError as error:
            # Accepted first so the client can read why; it must not retry with this cursor.
            await self.accept()
            await self._send_json({"type": "error", "code": error.code, "message": error.message})
            await self.close(code=CLOSE_INVALID)
            return
        self.outlet_id = self.scope["url_route"]["kwargs"]["outlet_id"]
        self.tenants = tenants
        # Joined before the log is read: an event committed after the read arrives live.
        self.pending = []
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined += (group,)
        await self.accept()
        self.expiry = asyncio.ensure_future(self._close_when_expired())
        await self._contact()
        # A task, so live messages keep being taken off the layer (into pending) while a long
        # backlog is sent: the layer's per-channel capacity would drop them otherwise.
        self.catch_up = asyncio.ensure_future(self._catch_up(since))

    async def _close_when_expired(self):
        """Closes the socket with 4401 once its token is expired past the grace: a token is
        checked only at the handshake, and a revoked screen must not listen for ever."""
        delay = self.expires_at + ks_setting("TOKEN_LEEWAY") + EXPIRED_SOCKET_GRACE - _now()
        if delay > 0:
            await asyncio.sleep(delay)
        await self.close(code=CLOSE_UNAUTHORIZED)

    async def _catch_up(self, since):
        try:
            oldest, head = await database_sync_to_async(log_bounds)(self.outlet_id)
            # The event at the head: the client keeps it as its cursor's since_event, so a log
            # that goes back after this is seen even if no event reaches the client meanwhile.
            at_head = await self._named_at(head)
            behind_log = since is not None and (
                (oldest is not None and since < oldest - 1) or await self._pruned_past(since)
            )
            if since is not None and (
                since > head or behind_log or await self._replaced_at(since, head)
            ):
                await self._reset(head, at_head)
            elif since is not None:
                await self._replay(since, head)
                # A prune that committed during the replay may have taken events before their
                # page was read; its mark commits with it, so it shows now.
                if await self._pruned_past(since):
                    await self._reset(head, at_head)
            else:
                await self._send_open_orders(head)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("outlet %s: the log replay failed", self.outlet_id)
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        self.replayed_up_to = head
        await self._send_json({"type": "caught_up", "seq": head, **at_head})
        pending, self.pending = self.pending, None
        for message in pending:
            await self._forward(message)

    async def _reset(self, head, at_head):
        """A cursor of another log (central's database was replaced or restored) or one the log
        no longer reaches (pruned): the client starts again at the head, with the open orders as
        they stand."""
        await self._send_json({"type": "reset", "seq": head, **at_head})
        await self._send_open_orders(head)

    async def _pruned_past(self, since):
        """``prune_outlet_log`` may have deleted events after ``since``."""
        return since < await database_sync_to_async(pruned_through)(self.outlet_id)

    async def _named_at(self, seq):
        """``{"event_id": …}`` of the event the log holds at ``seq``; empty when it holds none
        there (an empty log's head 0)."""
        event_id = await database_sync_to_async(event_id_at)(self.outlet_id, seq) if seq else None
        return {"event_id": event_id} if event_id is not None else {}

    async def _replaced_at(self, since, head):
        """The log holds another event at ``since`` than the client applied there."""
        if not self.since_event or not 0 < since <= head:
            return False
        logged = await database_sync_to_async(event_id_at)(self.outlet_id, since)
        return logged is not None and logged.lower() != self.since_event.lower()

    async def _replay(self, after, head):
        page_size = max(1, int(ks_setting("SOCKET_REPLAY_PAGE")))
        while after < head:
            page = await database_sync_to_async(events_for_socket)(
                self.outlet_id, self.tenants, after, head, page_size
            )
            for seq, envelope in page:
                envelope = self._visible(envelope)
                await self._send_json({"event": envelope.get("type"), "data": envelope, "seq": seq})
            if len(page) < page_size:
                return
            after = page[-1][0]

    async def _send_open_orders(self, head):
        """The scope's open orders up to ``head``, one frame each, ``{"event", "data"}`` without
        ``seq``: a screen without a cursor would otherwise show only orders made after it
        connected (its relay PC down, central up). Not while the outlet's relay is delivering:
        its snapshot shows them, and central's copies may lag behind it."""
        if await database_sync_to_async(relay_delivering)(self.outlet_id):
            return
        candidates = await database_sync_to_async(open_order_candidates)(
            self.outlet_id, self.tenants, head
        )
        page_size = max(1, int(ks_setting("SOCKET_REPLAY_PAGE")))
        for start in range(0, len(candidates), page_size):
            page = await database_sync_to_async(open_order_envelopes)(
                candidates[start:start + page_size]
            )
            for envelope in page:
                envelope = self._visible(envelope)
                await self._send_json({"event": envelope.get("type"), "data": envelope})

    async def _contact(self):
        if self.shows_contact:
            # Throttled in memory: most calls return before any database work.
            outlet_id = self.scope["url_route"]["kwargs"]["outlet_id"]
            await database_sync_to_async(record_contact)(
                outlet_id, "socket", delivers=self.delivers
            )

    async def disconnect(self, code):
        if self.catch_up is not None:
            self.catch_up.cancel()
            self.catch_up = None
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None
        # Open until now: the outlet was in contact up to this moment.
        await self._contact()
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
        except (ValueError, RecursionError):
            # RecursionError: '[' * 100000, nested deeper than the parser's stack.
            return
        if isinstance(message, dict) and message.get("type") == "ping":
            # Before the pong: a client that got its pong is on record.
            await self._contact()
            await self._send_json({"type": "pong", "timestamp": message.get("timestamp")})

    async def kitchen_sync_event(self, message):
        if self.pending is not None:
            self.pending.append(message)
            return
        await self._forward(message)

    def _visible(self, envelope):
        """The event as this socket may receive it: a board's without the guests' data."""
        return board_envelope(envelope) if self.board else envelope

    def _in_scope(self, envelope):
        # Defence in depth behind the group names: whatever reaches this channel, only the
        # socket's own outlet (and tenants) goes out, and no other log's seq moves its cursor.
        if not isinstance(envelope, dict) or not _same_id(envelope.get("outlet_id"), self.outlet_id):
            return False
        if self.tenants is None:
            return True
        tenant = envelope.get("tenant_id")
        return tenant is not None and any(_same_id(tenant, t) for t in self.tenants)

    async def _forward(self, message):
        if not self._in_scope(message.get("data")):
            data = message.get("data") if isinstance(message.get("data"), dict) else {}
            logger.warning(
                "outlet %s: dropped an event of outlet %s tenant %s (seq %s) that reached its socket",
                self.outlet_id, data.get("outlet_id"), data.get("tenant_id"), message.get("seq"),
            )
            return
        seq = message.get("seq")
        frame = {"event": message["event"], "data": self._visible(message["data"])}
        if seq is not None:
            # At or below the head the replay covered: sent already, or before the cursor.
            if seq <= self.replayed_up_to:
                return
            frame["seq"] = seq
        await self._send_json(frame)
