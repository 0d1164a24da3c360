"""Run the test suites of packages built on PyJWT against jwtlite, installed as ``jwt``.

Each dependent's sdist is downloaded through pip (pinned by version and sha256) and installed
with ``--no-deps`` into a fresh virtualenv that holds jwtlite (with ``cryptography``), the
dependent's other requirements and pytest, and nothing of PyJWT. A pytest plugin loaded with
``-p`` calls ``jwtlite.install_as_pyjwt()`` before the dependent is imported, which is the one
line a user adds. A dependent passes only when every test of its suite passes or is skipped:
there is no list of expected failures here.

Dependents:
  flask-jwt-extended 4.7.1   its 181 tests (one is skipped by the suite itself)
  oauthlib 4.0.1             its 719 tests (two are skipped by the suite itself); OAuth 1.0a's
                             RSA-SHA1 signs through ``jwt.algorithms.RSAAlgorithm(hashes.SHA1)``

Usage: python tests/compat/run_dependent_suites.py [--workdir DIR]
This file is not collected by pytest (its name does not start with ``test_``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # loaded by path, not run as a script
    sys.path.insert(0, str(HERE))

from _suite_runner import ROOT, refuse_modules, unpack_sdist  # noqa: E402


class Dependent(NamedTuple):
    name: str
    version: str
    sha256: str
    requirements: tuple[str, ...]  # besides jwtlite and pytest
    tests: int  # how many the suite collects: an empty or partial collection fails


DEPENDENTS = (
    Dependent(
        "flask-jwt-extended",
        "4.7.1",
        "8085d6757505b6f3291a2638c84d207e8f0ad0de662d1f46aa2f77e658a0c976",
        ("Flask>=2.0,<4", "Werkzeug>=0.14", "python-dateutil"),
        181,
    ),
    Dependent(
        "oauthlib",
        "4.0.1",
        "3d73febdb6faa00f277c81fb04be7b7586fb96fc3b7f0b9c772dada69a25ede7",
        ("blinker>=1.4.0",),  # its "signals" extra, which its suite exercises
        719,
    ),
)

PLUGIN_NAME = "jwtlite_as_pyjwt"
PLUGIN = '''\
"""Injected by jwtlite's tests/compat/run_dependent_suites.py: ``jwt`` is jwtlite."""
import jwtlite

jwtlite.install_as_pyjwt()
'''


def make_venv(path: Path, dependent: Dependent, sdist: Path) -> Path:
    """A virtualenv with jwtlite, the dependent (without its PyJWT requirement) and pytest."""
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(path)], check=True)
    python = path / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, f"{ROOT}[crypto]", "pytest>=8.4.2,<9", *dependent.requirements],
                   check=True)  # fmt: skip
    subprocess.run([*pip, "--no-deps", str(sdist)], check=True)
    refuse_modules(python, ("jwt",), path)
    return python


def run_dependent(dependent: Dependent, workdir: Path) -> bool:
    label = f"{dependent.name} {dependent.version}"
    print(f"\n=== {label}: its own suite, with jwtlite installed as jwt ===")
    sdist, suite = unpack_sdist(
        dependent.name, dependent.version, dependent.sha256, workdir / dependent.name
    )
    (suite / f"{PLUGIN_NAME}.py").write_text(PLUGIN, encoding="utf-8")
    python = make_venv(workdir / f"venv-{dependent.name}", dependent, sdist)
    # Only the sdist's tests/ is unpacked: the installed copy of the package (installed
    # without its PyJWT requirement) is the one under test.
    collected = subprocess.run(
        [str(python), "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-p", PLUGIN_NAME, "tests"],
        cwd=suite, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(suite)},
        check=False,
    )  # fmt: skip
    count = sum(1 for line in collected.stdout.splitlines() if "::" in line)
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", PLUGIN_NAME,
         "-W", "ignore::DeprecationWarning", "tests"],
        cwd=suite,
        env={"PATH": "/usr/bin:/bin", "HOME": str(suite)},
        check=False,
    )  # fmt: skip
    ok = result.returncode == 0 and count == dependent.tests
    print(f"[{label}] collected {count} tests (expected {dependent.tests}); pytest exit code"
          f" {result.returncode}: {'OK' if ok else 'FAILED'}")  # fmt: skip
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="keep the downloads and venvs here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jwtlite-dependents-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        results = {d.name: run_dependent(d, workdir) for d in DEPENDENTS}
    print()
    for name, ok in results.items():
        print(f"Dependent suite, {name}: {'OK' if ok else 'FAILED'}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
