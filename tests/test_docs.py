"""Every fenced ``python`` block in README.md and docs/*.md runs, as a reader would run it.

The blocks of one file run in order in one fresh interpreter, sharing one namespace (later
blocks may use names defined by earlier ones), in an empty temporary directory. A block that is
not meant to run (a signature, a sketch needing a live service) says so with the info string
``python no-run``; any other info string after ``python`` is an error, so a typo cannot
silently skip a block.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The blocks in the docs when this test was written; more may be added, none silently lost.
MIN_BLOCKS = 45
# An opening fence (possibly indented, inside a list item), its info string, the code, and the
# closing fence at the same indentation.
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<code>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)

_RUNNER = """
import json, sys, traceback
blocks = json.load(sys.stdin)
namespace = {"__name__": "docs_block"}  # so `if __name__ == "__main__": app.run()` waits
for line, code in blocks:
    try:
        exec(compile(code, f"<block at line {line}>", "exec"), namespace)
    except BaseException:
        traceback.print_exc()
        print(f"FAILED: the block at line {line}", file=sys.stderr)
        sys.exit(1)
    print(f"ran block at line {line}")
"""


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    code: str
    runs: bool


def collect(path: Path, text: str | None = None) -> list[Block]:
    """The ``python`` blocks of one Markdown file; refuses unknown info strings."""
    text = path.read_text(encoding="utf-8") if text is None else text
    blocks = []
    for match in _FENCE.finditer(text):
        words = match.group("info").split()
        if not words or words[0] != "python":
            continue
        assert words[1:] in ([], ["no-run"]), f"{path.name}: unknown info string {words}"
        line = text.count("\n", 0, match.start("code")) + 1
        code = textwrap.dedent(match.group("code"))
        blocks.append(Block(path, line, code, runs=words[1:] == []))
    return blocks


ALL = {path: collect(path) for path in FILES}


def test_blocks_are_collected() -> None:
    total = sum(len(blocks) for blocks in ALL.values())
    assert total >= MIN_BLOCKS
    assert sum(block.runs for blocks in ALL.values() for block in blocks) >= MIN_BLOCKS - 5
    # The collector sees a block exactly as written, info string and all.
    sample = "x\n```python\na = 1\n```\n```python no-run\nb(\n```\n```sh\nls\n```\n"
    path = ROOT / "tests" / "sample.md"
    blocks = [Block(path, 3, "a = 1\n", True), Block(path, 6, "b(\n", False)]
    assert collect(path, sample) == blocks
    with pytest.raises(AssertionError, match="unknown info string"):
        collect(path, "```python norun\nx\n```\n")


@pytest.mark.parametrize("path", [p for p in FILES if ALL[p]], ids=lambda p: p.name)
def test_docs_blocks_run(path: Path, tmp_path: Path) -> None:
    runnable = [(block.line, block.code) for block in ALL[path] if block.runs]
    if not runnable:
        pytest.skip(f"{path.name}: every block is marked no-run")
    result = subprocess.run(
        [sys.executable, "-c", _RUNNER], input=json.dumps(runnable), capture_output=True,
        text=True, cwd=tmp_path, timeout=300, check=False,
    )
    assert result.returncode == 0, f"{path.name}:\n{result.stderr}"
    assert result.stdout.count("ran block at line") == len(runnable), result.stdout


def test_readme_links_are_absolute() -> None:
    # The README is the PyPI page, where relative links lead nowhere.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert links
    assert [link for link in links if not link.startswith("https://")] == []
