"""The wire protocol's payload rules in Python: what an outlet's relay refuses, central refuses.

A port of the protocol's valibot schemas (``packages/protocol/src/schemas/``), its key and depth
scan (``safety.ts``) and the relay's size and text checks (``packages/relay/src/core/
messageRefusal.ts``). Issue paths are the protocol's one spelling (``issue_path``:
``data.items.0.price``), and a rule is checked where valibot checks it (a line-id check only on an order whose fields all have their types).
The cases of ``packages/relay/test/fixtures/central-events.json`` run through both sides
(``tests/test_payload_rules.py`` here, ``centralEvents.test.ts`` in the relay), so the two
cannot drift apart unnoticed.
"""

import json
import math
import re

from .errors import KitchenSyncError

# packages/protocol/src/constants.ts (tests/test_payload_rules.py compares them).
ORDER_STATUSES = ("pending", "preparing", "ready", "completed", "cancelled")
PRIORITIES = ("normal", "rush")
FORBIDDEN_KEYS = frozenset(("__proto__", "constructor", "prototype"))
ID_MAX_LENGTH = 64
TEXT_MAX_LENGTH = 500
ITEMS_MAX = 500
QUANTITY_MAX = 100_000
MAX_DEPTH = 16
HOLDS_MAX = 20
MAX_SAFE_INTEGER = 2**53 - 1
# Issues listed in one refusal, as the protocol's validate(); the message says how many there were.
MAX_ISSUES = 20

# Event types whose data is an order (all but presence), and those the relay applies as a status.
ORDER_EVENT_TYPES = (
    "new_order", "order_updated", "order_completed", "order_cancelled", "order_acknowledged",
    "order_item_updated", "order_held", "order_fired", "order_recalled", "order_rushed",
)
STATUS_EVENT_TYPES = ("order_updated", "order_completed", "order_cancelled")

# With fullmatch and [0-9]: Python's \d takes any Unicode digit and "$" a trailing newline,
# JavaScript's (without the u or m flags) neither.
UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_DECIMAL = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,6})?")
_ISO_8601 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    r"(?:Z|[+-]([0-9]{2}):?([0-9]{2}))"
)
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]{0,9}")
# JavaScript's undefined: String() of a missing key is "undefined", which a hold's course may match.
_ABSENT = object()


def js_length(text):
    """A string's length as JavaScript (and valibot's maxLength) counts it: in UTF-16 units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def js_string(value):
    """``String(value)`` of a JSON value as JavaScript parsed it: ids compare by it (1.0 is "1")."""
    if value is _ABSENT:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def _js_keys(obj):
    """``Object.keys`` order: array-index keys ascending first, then the others as inserted."""
    indexes = sorted(
        (k for k in obj if isinstance(k, str) and _ARRAY_INDEX.fullmatch(k) and int(k) < 2**32 - 1),
        key=int,
    )
    return indexes + [k for k in obj if k not in set(indexes)]


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_safe_integer(value):
    if not _is_number(value):
        return False
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return False
    return abs(value) <= MAX_SAFE_INTEGER


def _is_calendar_timestamp(match):
    """What ``Date.parse`` (V8) and the protocol's ``isCalendarDate`` both accept of a string
    the regex matched: 24:00 only as the day's end, offsets below 24 h, real calendar days."""
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    fraction = match.group(7) or ""
    if hour > 24 or minute > 59 or second > 59:
        return False
    if hour == 24 and (minute or second or fraction.strip("0")):
        return False
    if match.group(8) is not None and (int(match.group(8)) > 23 or int(match.group(9)) > 59):
        return False
    if not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return 1 <= day <= days


# Checkers: ``check(value, path, issues) -> typed``, valibot's schemas. ``typed`` is False when
# the value is not even of the schema's type; validation rules (lengths, patterns) add issues
# but leave it typed, and run only on typed values, as in a valibot pipe.


def string(non_empty=False, max_length=None, pattern=None, message=None):
    def check(value, path, issues):
        if not isinstance(value, str):
            issues.append((path, message or "must be a string"))
            return False
        length = js_length(value)
        if non_empty and length == 0:
            issues.append((path, "must not be empty"))
        if max_length is not None and length > max_length:
            issues.append((path, f"must be at most {max_length} characters"))
        if pattern is not None and not pattern.fullmatch(value):
            issues.append((path, message))
        return True

    return check


def number(min_value=None, max_value=None):
    """A safe integer (every number of the protocol is one) within the bounds."""

    def check(value, path, issues):
        if not _is_number(value) or (isinstance(value, float) and math.isnan(value)):
            issues.append((path, "must be a number"))
            return False
        if not _is_safe_integer(value):
            issues.append((path, "must be an integer"))
        if min_value is not None and value < min_value:
            issues.append((path, f"must be at least {min_value}"))
        if max_value is not None and value > max_value:
            issues.append((path, f"must be at most {max_value}"))
        return True

    return check


def text_or_integer(text, message):
    """valibot's union of a string schema and a safe integer: the issues of the one whose type
    the value has, or one issue for the union when it has neither type."""

    def check(value, path, issues):
        if _is_number(value):
            if not _is_safe_integer(value):
                issues.append((path, "must be an integer or a string"))
            return True
        if isinstance(value, str):
            return text(value, path, issues)
        issues.append((path, message))
        return False

    return check


def picklist(options, message):
    def check(value, path, issues):
        if isinstance(value, str) and value in options:
            return True
        issues.append((path, message))
        return False

    return check


def nullable(inner):
    def check(value, path, issues):
        return True if value is None else inner(value, path, issues)

    return check


def anything(value, path, issues):
    return True


def obj(entries, strict=False):
    """``entries``: ``{key: (checker, required)}``. A loose object keeps other keys as they are;
    a strict one refuses the first (one issue, as valibot's strictObject)."""

    def check(value, path, issues):
        if not isinstance(value, dict):
            issues.append((path, "must be an object"))
            return False
        typed = True
        for key, (inner, required) in entries.items():
            if key in value:
                typed = inner(value[key], path + (key,), issues) and typed
            elif required:
                issues.append((path + (key,), "is required"))
                typed = False
        if strict:
            unknown = next((k for k in _js_keys(value) if k not in entries), _ABSENT)
            if unknown is not _ABSENT:
                issues.append((path + (unknown,), "is not allowed here"))
                typed = False
        return typed

    return check


def array(item, min_length=None, max_length=None, min_message=None):
    def check(value, path, issues):
        if not isinstance(value, list):
            issues.append((path, "must be an array"))
            return False
        typed = True
        for index, element in enumerate(value):
            typed = item(element, path + (index,), issues) and typed
        if typed and min_length is not None and len(value) < min_length:
            issues.append((path, min_message or f"must have at least {min_length} items"))
        if typed and max_length is not None and len(value) > max_length:
            issues.append((path, f"must have at most {max_length} items"))
        return typed

    return check


def timestamp(value, path, issues):
    if not isinstance(value, str):
        issues.append((path, "must be a string"))
        return False
    match = _ISO_8601.fullmatch(value)
    if match is None:
        issues.append((path, "must be an ISO 8601 timestamp"))
    elif not _is_calendar_timestamp(match):
        issues.append((path, "must be a valid date"))
    return True


# packages/protocol/src/schemas/primitives.ts, line.ts, order.ts, publishedOrder.ts, envelope.ts
ID = text_or_integer(
    string(non_empty=True, max_length=ID_MAX_LENGTH),
    f"must be an integer or a non-empty string of at most {ID_MAX_LENGTH} characters",
)
UUID_STRING = string(pattern=UUID, message="must be a UUID")
DECIMAL_STRING = string(
    pattern=_DECIMAL, message='must be a decimal string such as "150000" or "12.50"'
)
TEXT = string(max_length=TEXT_MAX_LENGTH)
SHORT_TEXT = string(max_length=ID_MAX_LENGTH * 2)
LINE_ID = string(non_empty=True, max_length=ID_MAX_LENGTH)
ORDER_STATUS = picklist(ORDER_STATUSES, "must be a known order status")

ORDER_ITEM = {
    "product_id": (ID, True),
    "name": (string(non_empty=True, max_length=200), True),
    "quantity": (number(1, QUANTITY_MAX), True),
    "price": (DECIMAL_STRING, False),
    "modifiers": (array(SHORT_TEXT, max_length=50), False),
    "notes": (TEXT, False),
    "station": (string(max_length=ID_MAX_LENGTH), False),
}
PUBLISHED_ITEM = {**ORDER_ITEM, "line_id": (LINE_ID, False), "course": (ID, False)}
HOLD = obj({"course": (ID, False), "fire_at": (timestamp, False)}, strict=True)

_NO_ITEMS = "an order needs at least one item"
ORDER = {
    "order_id": (UUID_STRING, True),
    "order_number": (string(non_empty=True, max_length=ID_MAX_LENGTH), True),
    "outlet_id": (ID, True),
    "tenant_id": (ID, True),
    "tenant_name": (SHORT_TEXT, False),
    "status": (ORDER_STATUS, True),
    "items": (array(obj(ORDER_ITEM), 1, ITEMS_MAX, _NO_ITEMS), True),
    "total_amount": (DECIMAL_STRING, True),
    "created_at": (timestamp, True),
    "source": (SHORT_TEXT, False),
    "table": (text_or_integer(SHORT_TEXT, "must be a string or an integer"), False),
    "customer_name": (SHORT_TEXT, False),
    "priority": (picklist(PRIORITIES, "must be normal or rush"), False),
    "notes": (TEXT, False),
}
PUBLISHED_ORDER = {
    **ORDER,
    "items": (array(obj(PUBLISHED_ITEM), 1, ITEMS_MAX, _NO_ITEMS), True),
    "hold": (array(HOLD, max_length=HOLDS_MAX), False),
}
ORDER_STATE = {
    **ORDER,
    "version": (number(1), True),
    "updated_at": (timestamp, False),
    "received_at": (timestamp, False),
    "acknowledged_by": (array(string()), False),
    "status_reason": (TEXT, False),
    "status_at": (timestamp, False),
    "status_version": (number(1), False),
}
# What an order event other than new_order may carry: any part of the order's state (clients
# merge it into the order they hold), each field as the protocol has it.
ORDER_STATE_FIELDS = {key: (inner, False) for key, (inner, _) in ORDER_STATE.items()}


def _line_id_at(order_id, item, index):
    given = item.get("line_id")
    return given if isinstance(given, str) and given != "" else f"{order_id}:{index}"


def published_order(value, path, issues):
    """``PublishedOrderSchema``: an order as a POS (or central) publishes it, with v1.1 lines."""
    typed = obj(PUBLISHED_ORDER)(value, path, issues)
    if not typed:
        return False
    line_ids = [_line_id_at(value["order_id"], item, i) for i, item in enumerate(value["items"])]
    if len(set(line_ids)) != len(line_ids):
        issues.append((path + ("items",), "line ids must be unique within the order"))
    courses = {js_string(item.get("course", _ABSENT)) for item in value["items"]}
    for hold in value.get("hold", []):
        if "course" in hold and js_string(hold["course"]) not in courses:
            issues.append((path + ("hold",), "a hold names a course that no item of the order has"))
            break
    return True


ENVELOPE = {
    "event_id": (UUID_STRING, True),
    "type": (
        picklist(ORDER_EVENT_TYPES + ("kitchen_status_changed",), "must be a protocol event type"),
        True,
    ),
    "outlet_id": (ID, True),
    "tenant_id": (nullable(ID), True),
    "order_id": (UUID_STRING, False),
    "data": (anything, True),
    "ts": (timestamp, True),
    "origin": (string(), False),
}


def event_type_for_status(status):
    """The protocol's ``eventTypeForStatus``: the event a change to ``status`` is."""
    types = {"completed": "order_completed", "cancelled": "order_cancelled", "pending": "new_order"}
    return types.get(status, "order_updated")


def find_unsafe(value, max_depth=MAX_DEPTH):
    """The protocol's ``findUnsafe``, in its order: ``(path, message)`` of the first forbidden
    key (``__proto__``, ``constructor``, ``prototype``) or of nesting ``max_depth`` deep; else
    None."""
    stack = [(value, 0, ())]
    while stack:
        item, depth, path = stack.pop()
        if not isinstance(item, (dict, list)):
            continue
        if depth >= max_depth:
            return path, f"nesting deeper than {max_depth} levels"
        if isinstance(item, list):
            stack.extend((child, depth + 1, path + (i,)) for i, child in enumerate(item))
            continue
        for key in _js_keys(item):
            if key in FORBIDDEN_KEYS:
                return path + (key,), f'key "{key}" is not allowed'
            stack.append((item[key], depth + 1, path + (key,)))
    return None


def unstorable(value):
    """``[(path, message)]`` for what PostgreSQL cannot store (text and jsonb hold no U+0000,
    nor a lone surrogate; jsonb has no NaN or Infinity) and JSON.parse cannot read, anywhere in
    ``value``, keys included (``path`` is then the key's own, as the relay names it)."""
    found, stack = [], [(value, (), "")]
    while stack:
        item, path, whose = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                stack.append((key, path + (key,), "a key "))
                stack.append((child, path + (key,), ""))
        elif isinstance(item, list):
            stack.extend((child, path + (i,), "") for i, child in enumerate(item))
        elif isinstance(item, str):
            if "\x00" in item:
                found.append((path, f"{whose}must not contain U+0000"))
            else:
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    found.append((path, f"{whose}must be valid Unicode (a lone surrogate)"))
        elif isinstance(item, float) and not math.isfinite(item):
            found.append((path, "must be a finite number"))
    return found


ROOT_PATH = "(root)"


def issue_path(steps):
    """The protocol's one spelling of ``issues[].path`` (its ``issuePath``): keys and array
    indexes joined by dots, ``data.items.0.price``; ``(root)`` for the value itself. The relay
    names fields the same way, so an app highlights the field whichever side refused it."""
    return ".".join(str(step) for step in steps) or ROOT_PATH


def path_within(parent, path):
    """``path`` (of a value) once that value sits at ``parent`` (the protocol's
    ``pathWithin``): ``items.0.name`` of the order at ``orders.1`` is
    ``orders.1.items.0.name``."""
    return parent if path == ROOT_PATH else f"{parent}.{path}"


def order_path(path):
    """An issue path of an event central built from an order, as that order's field:
    ``data.items.0.name`` is ``items.0.name``, as the relay names it in an order a POS
    publishes. The envelope's other fields (``event_id``, ``outlet_id``, ``order_id``...) come
    from the order or the call's keywords under the same names, and keep them."""
    if path == "data":
        return ROOT_PATH
    return path[len("data."):] if path.startswith("data.") else path


def json_size(value):
    """Bytes of ``value`` as compact JSON: what the relay measures against --max-message-bytes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return len(text.encode("utf-8", "surrogatepass"))


def central_event_refusal(envelope, *, logged, max_message_bytes):
    """``(code, message, [(path, message)])`` when the protocol refuses ``envelope``, an event
    central makes, else None. In the order the relay checks: size, text, keys and depth, then
    the schemas; then what would make the outlet pass the event over, then the state machine.

    ``logged``: the event goes into the outlet log (and the relay's downlink), which presence
    (``kitchen_status_changed``) never does.
    """
    if not isinstance(envelope, dict):
        return "invalid_payload", None, [("(root)", "an event must be an object")]
    event_type = envelope.get("type")
    data = envelope.get("data")
    if event_type == "new_order" and isinstance(data, dict):
        # What the relay's downlink publishes: the order with the event's id.
        payload = {**data, **({"event_id": envelope["event_id"]} if "event_id" in envelope else {})}
        if json_size(payload) > max_message_bytes:
            return (
                "too_large",
                f"the order is over {max_message_bytes} bytes as JSON, more than the outlet's relay "
                "takes (KITCHEN_SYNC['MAX_MESSAGE_BYTES'], its --max-message-bytes)",
                [],
            )
    issues = [(issue_path(path), message) for path, message in unstorable(envelope)]
    if issues:
        return "invalid_payload", None, issues
    # The envelope adds one level to the order: the relay checks the order at 15 levels.
    unsafe = find_unsafe(envelope, MAX_DEPTH)
    if unsafe:
        return "invalid_payload", None, [(issue_path(unsafe[0]), unsafe[1])]
    found = []
    obj(ENVELOPE)(envelope, (), found)
    if event_type in ORDER_EVENT_TYPES and "order_id" not in envelope:
        # Optional in the envelope (presence has none); a client applies an order event by it.
        found.append((("order_id",), "is required: every order event is about one order"))
    if logged and event_type == "kitchen_status_changed":
        found.append((("type",), "presence is never logged: send it with broadcast_order_event"))
    if not isinstance(data, dict):
        found.append((("data",), "must be an object"))
    elif event_type == "new_order":
        published_order(data, ("data",), found)
    elif event_type in ORDER_EVENT_TYPES:
        obj(ORDER_STATE_FIELDS)(data, ("data",), found)
        if event_type in STATUS_EVENT_TYPES and "status" not in data:
            found.append((("data", "status"), "is required: the relay applies it as this status"))
    if found:
        return "invalid_payload", None, _unique(found)
    if event_type in ORDER_EVENT_TYPES:
        found = _mismatches(envelope, data, event_type)
        if found:
            return "invalid_payload", None, found
    if event_type == "new_order" and data["status"] != "pending":
        return "invalid_transition", None, [("data.status", "a new order must arrive as pending")]
    return None


def _unique(found):
    seen, issues = set(), []
    for path, message in found:
        key = (path if isinstance(path, str) else issue_path(path), message)
        if key not in seen:
            seen.add(key)
            issues.append(key)
    return issues


def _mismatches(envelope, data, event_type):
    """Where ``data`` contradicts its envelope: the outlet's relay passes an order of another
    outlet over, and the tenant and order are the envelope's for central's sockets."""
    found = []
    for key in ("outlet_id", "tenant_id"):
        if key in data and js_string(data[key]) != js_string(envelope.get(key)):
            found.append((f"data.{key}", f"must be the event's {key} ({envelope.get(key)!r})"))
    if "order_id" in data and data["order_id"] != envelope.get("order_id"):
        found.append(("data.order_id", "must be the event's order_id"))
    if event_type in STATUS_EVENT_TYPES and event_type_for_status(data["status"]) != event_type:
        found.append(
            ("data.status", f"a {event_type} event cannot carry {data['status']!r} (that is "
                            f"{event_type_for_status(data['status'])})")
        )
    return found


def refusal(code, issues, message=None):
    """``KitchenSyncError(code)`` with the protocol's ``issues`` (``[{"path", "message"}]``, the
    first MAX_ISSUES); its message starts with the first and says how many there were."""
    if message is None:
        path, first = issues[0]
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        message = f"{path}: {first}{more}"
    if not issues:
        return KitchenSyncError(code, message)
    listed = [{"path": p, "message": m} for p, m in issues[:MAX_ISSUES]]
    return KitchenSyncError(code, message, issues=listed)


def check_central_event(envelope, *, logged, of_order=False):
    """Raises ``KitchenSyncError`` (``invalid_payload`` with ``issues``, ``too_large`` or
    ``invalid_transition``) for an event central makes that the protocol refuses.

    ``of_order``: the caller gave the order, not the envelope; the issues name the order's
    fields (``order_path``), which a kiosk that sent it can highlight.
    """
    from .settings import ks_setting

    refused = central_event_refusal(
        envelope, logged=logged, max_message_bytes=ks_setting("MAX_MESSAGE_BYTES")
    )
    if refused is not None:
        code, message, issues = refused
        if of_order:
            issues = _unique([(order_path(path), text) for path, text in issues])
        raise refusal(code, issues, message)
