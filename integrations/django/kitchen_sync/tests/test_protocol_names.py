"""The package's error codes, event types and board fields are the wire protocol's."""

import re
from pathlib import Path

from kitchen_sync.board_view import BOARD_ORDER_FIELDS
from kitchen_sync.errors import HTTP_STATUS_BY_CODE
from kitchen_sync.events import EVENT_TYPES

PROTOCOL_SRC = Path(__file__).resolve().parents[4] / "packages" / "protocol" / "src"


def protocol_statuses():
    source = (PROTOCOL_SRC / "errors.ts").read_text()
    block = source.split("HTTP_STATUS_BY_CODE", 1)[1].split("};", 1)[0]
    return {code: int(status) for code, status in re.findall(r"(\w+): (\d{3}),", block)}


def test_every_protocol_code_with_its_status():
    statuses = protocol_statuses()
    assert len(statuses) >= 10
    assert HTTP_STATUS_BY_CODE == statuses


def test_every_protocol_event_type():
    source = (PROTOCOL_SRC / "constants.ts").read_text()
    block = source.split("EVENT_TYPE_VALUES: EventType[] = [", 1)[1].split("];", 1)[0]
    types = re.findall(r"'(\w+)'", block)
    assert "order_item_updated" in types
    assert list(EVENT_TYPES) == types


def test_the_fields_a_board_gets_are_the_protocols():
    source = (PROTOCOL_SRC / "boardView.ts").read_text()
    block = source.split("BOARD_ORDER_FIELDS = [", 1)[1].split("]", 1)[0]
    fields = re.findall(r"'(\w+)'", block)
    assert "display_number" in fields
    assert list(BOARD_ORDER_FIELDS) == fields
