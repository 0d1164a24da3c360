"""What `pip install jwtlite[...]` publishes, and the lower bounds CI tests (requirements/)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

tomllib = pytest.importorskip("tomllib")  # 3.11+; the layout is the same on every Python

ROOT = Path(__file__).resolve().parent.parent
PROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
EXTRAS: dict[str, list[str]] = PROJECT["optional-dependencies"]
#: Packages a user of the library never needs: tools of this repository only.
TOOLS = {"pytest", "hypothesis", "coverage", "ruff", "mypy", "mutmut", "build", "twine",
         "uvicorn", "httpx", "pyjwt", "flask-jwt-extended"}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower()


def _lower_bound(requirement: str) -> str:
    match = re.search(r">=\s*([0-9][0-9.]*)", requirement)
    assert match, f"{requirement!r} states no lower bound"
    return match.group(1)


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for raw in path.read_text("utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def test_extras_hold_no_tool_and_no_server() -> None:
    published = {_name(r) for reqs in EXTRAS.values() for r in reqs}
    assert set(EXTRAS) == {"crypto", "redis", "flask", "fastapi"}
    assert not published & TOOLS, published & TOOLS
    assert [_name(r) for r in EXTRAS["fastapi"]] == ["fastapi"]


def test_every_extra_has_a_lower_bound_that_ci_pins() -> None:
    pins = _pins(ROOT / "requirements" / "oldest.txt")
    checked = 0
    for reqs in EXTRAS.values():
        for requirement in reqs:
            name = _name(requirement)
            assert pins.get(name) is not None, f"requirements/oldest.txt does not pin {name}"
            # The pin is the bound itself (3.4.8 for >=3.4.8), or its first release (2.3.0).
            bound = _lower_bound(requirement)
            assert pins[name] in (bound, f"{bound}.0"), (name, pins[name], bound)
            checked += 1
    assert checked == 4


def test_the_test_requirements_allow_the_oldest_pins() -> None:
    wanted = {_name(r): _lower_bound(r) for reqs in EXTRAS.values() for r in reqs}
    test_reqs = (ROOT / "requirements" / "test-core.txt").read_text("utf-8").splitlines()
    bounds = {_name(r): _lower_bound(r) for r in test_reqs if r and not r.startswith("#")}
    for name in ("flask", "fastapi", "redis"):
        assert bounds[name] == wanted[name], name


def test_the_oldest_run_installs_no_peer_that_needs_a_newer_cryptography() -> None:
    core = (ROOT / "requirements" / "test-core.txt").read_text("utf-8")
    full = (ROOT / "requirements" / "test.txt").read_text("utf-8")
    assert "-r test-core.txt" in full
    for peer in ("jwcrypto", "joserfc"):
        assert peer in full and peer not in core


def test_wheel_licences_are_only_the_projects_own() -> None:
    # The wheel holds jwtlite/ alone: the vectors' licences ship with the vectors, in the sdist.
    assert PROJECT["license-files"] == ["LICENSE"]


def test_python_versions_declared() -> None:
    classifiers = set(PROJECT["classifiers"])
    for minor in range(9, 15):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert PROJECT["requires-python"] == ">=3.9"


def test_readme_test_command_uses_the_requirements_file() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    command = 'python -m pip install -e ".[crypto]" -r requirements/test.txt && python -m pytest'
    assert command in readme
