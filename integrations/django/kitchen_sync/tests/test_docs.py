"""No untested Python in the docs: every ```python block of docs/*.md must be a verbatim
excerpt (consecutive lines, indentation included) of the package or the test project,
which these tests run."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
SOURCES = [
    path
    for base in (ROOT / "integrations/django/kitchen_sync", ROOT / "integrations/django/testproject")
    for path in base.rglob("*.py")
    if "tests" not in path.relative_to(base).parts and "migrations" not in path.parts
]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def blocks():
    for doc in sorted((ROOT / "docs").glob("*.md")):
        for index, match in enumerate(BLOCK.finditer(doc.read_text())):
            yield pytest.param(match.group(1), id=f"{doc.name}#{index + 1}")


def is_excerpt(block, text):
    wanted = [line.rstrip() for line in block.strip("\n").splitlines()]
    lines = [line.rstrip() for line in text.splitlines()]
    return any(lines[i : i + len(wanted)] == wanted for i in range(len(lines) - len(wanted) + 1))


def test_the_docs_have_python_blocks_to_check():
    assert len(list(blocks())) >= 5


@pytest.mark.parametrize("block", blocks())
def test_python_in_docs_is_tested_code(block):
    assert any(is_excerpt(block, path.read_text()) for path in SOURCES), block
