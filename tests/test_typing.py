"""The public API's types, checked by running mypy --strict on tests/typecheck/."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "typecheck"


def _marked_lines(path: Path) -> set[int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {number for number, line in enumerate(lines, 1) if line.endswith("# error")}


def test_mypy_accepts_good_and_reports_every_mistake(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--show-error-codes",
            "--cache-dir", str(tmp_path), "good.py", "bad.py",
        ],
        cwd=HERE, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    reported: dict[str, set[int]] = {"good.py": set(), "bad.py": set()}
    for match in re.finditer(r"^(good|bad)\.py:(\d+): error:", result.stdout, re.MULTILINE):
        reported[f"{match[1]}.py"].add(int(match[2]))
    assert reported["good.py"] == set(), result.stdout
    expected = _marked_lines(HERE / "bad.py")
    assert len(expected) == 4
    assert reported["bad.py"] == expected, result.stdout
    assert result.returncode == 1
