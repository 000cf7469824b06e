"""The package's error codes are the wire protocol's, with the same HTTP statuses."""

import re
from pathlib import Path

from kitchen_sync.errors import HTTP_STATUS_BY_CODE

PROTOCOL_ERRORS = Path(__file__).resolve().parents[4] / "packages" / "protocol" / "src" / "errors.ts"


def protocol_statuses():
    source = PROTOCOL_ERRORS.read_text()
    block = source.split("HTTP_STATUS_BY_CODE", 1)[1].split("};", 1)[0]
    return {code: int(status) for code, status in re.findall(r"(\w+): (\d{3}),", block)}


def test_every_protocol_code_with_its_status():
    statuses = protocol_statuses()
    assert len(statuses) >= 10
    assert HTTP_STATUS_BY_CODE == statuses
