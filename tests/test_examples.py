"""The README's quickstart runs as a newcomer would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

QUICKSTART = Path(__file__).parent.parent / "docs" / "examples" / "quickstart.py"


def test_quickstart_runs_and_shows_each_step() -> None:
    result = subprocess.run(
        [sys.executable, str(QUICKSTART)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "HS256 token: eyJ" in out
    assert "verified claims: {'sub': 'alice'" in out
    assert "expired: rejected (ExpiredSignatureError" in out
    assert "tampered: rejected (InvalidSignatureError" in out
    assert "junk: rejected (DecodeError" in out
    assert "-----BEGIN PUBLIC KEY-----" in out
    assert "EdDSA verified: {'sub': 'alice'" in out
    assert result.stderr == ""
