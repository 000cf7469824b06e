"""No undefined names anywhere in the package or the test project (the sketches had
async_to_sync, get_channel_layer, timezone, json, settings... used but never imported).
A pyflakes-like check with the standard library's symtable: pyflakes is not installed."""

import builtins
import symtable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    p for base in ("kitchen_sync", "testproject") for p in (ROOT / base).rglob("*.py")
)
MODULE_NAMES = {"__file__", "__name__", "__doc__", "__spec__", "__path__", "__package__"}


def undefined_names(path):
    table = symtable.symtable(path.read_text(), str(path), "exec")
    module_level = {
        s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()
    }
    missing = set()

    def visit(scope):
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            unbound = not (symbol.is_assigned() or symbol.is_imported() or symbol.is_parameter())
            looked_up_globally = symbol.is_global() or scope.get_type() != "function"
            if symbol.is_referenced() and unbound and looked_up_globally and not symbol.is_free():
                if name not in module_level and name not in MODULE_NAMES and not hasattr(builtins, name):
                    missing.add(name)
        for child in scope.get_children():
            visit(child)

    visit(table)
    return missing


def test_the_check_finds_an_undefined_name(tmp_path):
    sketch = tmp_path / "utils.py"
    sketch.write_text(
        "def broadcast(order):\n"
        "    async_to_sync(get_channel_layer().group_send)('g', {'ts': timezone.now()})\n"
    )
    assert undefined_names(sketch) == {"async_to_sync", "get_channel_layer", "timezone"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_undefined_names(path):
    assert undefined_names(path) == set()
