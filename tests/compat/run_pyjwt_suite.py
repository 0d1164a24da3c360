"""Run PyJWT 2.15.1's own test suite against jwtlite, installed as ``jwt``.

Downloads the PyJWT sdist through pip (pinned by version and sha256), unpacks its ``tests/``,
and runs them in fresh virtualenvs that hold jwtlite, pytest and nothing of PyJWT. A pytest
plugin injected next to the tests (loaded with ``-p``, before pytest reads PyJWT's warning
filters, which name ``jwt.warnings``) calls ``jwtlite.install_as_pyjwt()`` first.

Three runs:
  crypto    cryptography installed, jwtlite's cryptography backend;
  pure      cryptography installed (the tests build their keys with it, and the face hands back
            cryptography key objects as PyJWT does) but JWTLITE_BACKEND=pure: every signature
            is made and checked by jwtlite's pure-Python backend;
  nocrypto  cryptography not installed: PyJWT's tests marked crypto_required are skipped.

A run fails unless every test passes or is skipped, except the tests listed in
``pyjwt-expected-failures.txt`` (one line each: test id, whitespace, reason; a ``[nocrypto]``
prefix limits a line to the run without cryptography). A listed test that passes is reported
as an unexpected pass: a warning, not a failure, so that fixing a divergence never breaks CI;
remove its line then.

Usage: python tests/compat/run_pyjwt_suite.py [--run crypto|pure|nocrypto|all] [--workdir DIR]
This file is not collected by pytest (its name does not start with ``test_``).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # loaded by path (tests/test_compat_runner.py), not as a script
    sys.path.insert(0, str(HERE))

import _suite_runner as shared  # noqa: E402
from _suite_runner import Outcomes  # noqa: E402

PYJWT_VERSION = "2.15.1"
PYJWT_SHA256 = "4f259e80cdfb6b3fc18a7de51fd1ef9ec79652f25019bae68975ca2468a34df8"
#: Tests the suite collects: 471 that run with cryptography installed, and 4 marked
#: no_crypto_required that run only without it.
PYJWT_TOTAL = 475
EXPECTED_FILE = HERE / "pyjwt-expected-failures.txt"
NOCRYPTO_TAG = "[nocrypto]"

PLUGIN_NAME = "jwtlite_as_pyjwt"
PLUGIN = shared.plugin_source("run_pyjwt_suite.py", "jwt", "install_as_pyjwt")
# PyJWT's own pytest settings (its pyproject.toml), with the test directory as root.
PYTEST_INI = """\
[pytest]
addopts = -ra -p no:cacheprovider -p jwtlite_as_pyjwt
filterwarnings =
    error
    ignore::jwt.warnings.InsecureKeyLengthWarning
testpaths = tests
"""


def read_expected(path: Path = EXPECTED_FILE) -> dict[str, tuple[str, bool]]:
    """Test id -> (reason, only without cryptography), from the expected-failures file."""
    lines = shared.read_tagged_lines(path, (NOCRYPTO_TAG,), "<test id> <reason>")
    return {test_id: (reason, tag is not None) for test_id, (reason, tag) in lines.items()}


def fetch_tests(workdir: Path) -> Path:
    """Download and verify the sdist; unpack its tests/ under ``workdir``; return that root."""
    plugin = (PLUGIN_NAME, PLUGIN)
    return shared.fetch_tests("pyjwt", PYJWT_VERSION, PYJWT_SHA256, workdir, plugin, PYTEST_INI)


def make_venv(path: Path, *, crypto: bool) -> Path:
    """A virtualenv with jwtlite and pytest, with or without cryptography, never PyJWT."""
    return shared.make_venv(path, crypto=crypto, forbidden=("jwt",))


def run_suite(python: Path, suite: Path, run: str) -> Outcomes:
    """Run the suite; return test id -> outcome (passed, failed, skipped)."""
    return shared.run_pytest(python, suite, run, f"PyJWT {PYJWT_VERSION}")


def report(run: str, outcomes: Outcomes, expected: dict[str, tuple[str, bool]]) -> bool:
    """Print the counts and any surprises; True when the run is acceptable."""
    listed = {t for t, (_, nocrypto) in expected.items() if run == "nocrypto" or not nocrypto}
    note = f" (PyJWT {PYJWT_VERSION} ships {PYJWT_TOTAL})"
    ok, _counts = shared.report_counts(run, outcomes, listed, PYJWT_TOTAL, note)
    return ok


def main(argv: list[str] | None = None) -> int:
    expected = read_expected()
    return shared.main(
        argv,
        description=__doc__.splitlines()[0],
        label="PyJWT",
        tmp_prefix="jwtlite-pyjwt-",
        fetch=fetch_tests,
        venv_for=lambda path, crypto: make_venv(path, crypto=crypto),
        run_suite=run_suite,
        verdict=lambda run, outcomes: report(run, outcomes, expected),
    )


if __name__ == "__main__":
    sys.exit(main())
