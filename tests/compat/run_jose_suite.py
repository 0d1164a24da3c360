"""Run python-jose 3.5.0's own test suite against jwtlite, installed as ``jose``.

Downloads the python-jose sdist through pip (pinned by version and sha256), unpacks its
``tests/``, and runs them in fresh virtualenvs that hold jwtlite, pytest and nothing of
python-jose or its dependencies (``ecdsa``, ``rsa``, ``pyasn1``). A pytest plugin injected next
to the tests (loaded with ``-p``) calls ``jwtlite.install_as_jose()`` first.

Three runs:
  crypto    cryptography installed, jwtlite's cryptography backend;
  pure      cryptography installed (the tests build keys with it, and the face hands back
            cryptography key objects as python-jose does) but JWTLITE_BACKEND=pure: every
            signature, key wrap and cipher is computed by jwtlite's pure-Python backend;
  nocrypto  cryptography not installed: python-jose's tests that need it skip themselves.
In every run ``jose.backends.rsa_backend`` and ``ecdsa_backend`` are jwtlite's pure backend,
so python-jose's cross-backend tests compare jwtlite's two backends.

A run fails unless every test passes or is skipped, except the tests listed in
``jose-expected-failures.txt`` (one line each: test id, whitespace, reason; a ``[nocrypto]``
prefix limits a line to the run without cryptography, ``[crypto]`` to the two runs with it).
A listed test that passes is reported as an unexpected pass: a warning, not a failure, so that
fixing a divergence never breaks CI; remove its line then.

Usage: python tests/compat/run_jose_suite.py [--run crypto|pure|nocrypto|all] [--workdir DIR]
This file is not collected by pytest (its name does not start with ``test_``).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # loaded by path (tests/test_compat_runner.py), not as a script
    sys.path.insert(0, str(HERE))

import _suite_runner as shared  # noqa: E402
from _suite_runner import RUNS, Outcomes  # noqa: E402

JOSE_VERSION = "3.5.0"
JOSE_SHA256 = "fb4eaa44dbeb1c26dcc69e4bd7ec54a1cb8dd64d3b4d81ef08d90ff453f2b01b"
#: Tests collected in each run. python-jose 3.5.0 itself collects 470 (with ``rsa`` and
#: ``ecdsa`` installed): importing its ``rsa_backend`` drops RSA-OAEP from
#: ``ALGORITHMS.SUPPORTED``, which removes 20 parametrized cases that jwtlite's pure backend
#: runs here, and one case needs the ``ecdsa`` package.
JOSE_TOTAL = {"crypto": 489, "pure": 489, "nocrypto": 489}
#: At least this many must pass with cryptography (95% of the 458 python-jose passes itself).
JOSE_MIN_PASSED = 435
EXPECTED_FILE = HERE / "jose-expected-failures.txt"
#: A line's tag -> the runs it applies to.
TAGS = {"[crypto]": ("crypto", "pure"), "[nocrypto]": ("nocrypto",)}
#: Packages python-jose depends on; none may be importable in the suite's virtualenv.
FORBIDDEN = ("jose", "ecdsa", "rsa", "pyasn1")

PLUGIN_NAME = "jwtlite_as_jose"
PLUGIN = shared.plugin_source("run_jose_suite.py", "jose", "install_as_jose")
# python-jose's own pytest settings (its pytest.ini: the markers), with the test directory as
# root and the plugin first.
PYTEST_INI = """\
[pytest]
addopts = -ra -p no:cacheprovider -p jwtlite_as_jose
markers =
    pycrypto: marks tests as applicable with PyCrypto backend
    pycryptodome: marks tests as applicable with PyCryptodome backend
    ecdsa: marks tests as applicable with ecdsa backend
    cryptography: marks tests as applicable with cryptography backend
    backend_compatibility: mark tests as testing compatibility between backends
testpaths = tests
"""


def read_expected(path: Path = EXPECTED_FILE) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Test id -> (reason, the runs it is expected to fail in)."""
    lines = shared.read_tagged_lines(path, tuple(TAGS), "[tag] <test id> <reason>")
    return {
        test_id: (reason, TAGS[tag] if tag is not None else tuple(RUNS))
        for test_id, (reason, tag) in lines.items()
    }


def fetch_tests(workdir: Path) -> Path:
    """Download and verify the sdist; unpack its tests/ under ``workdir``; return that root."""
    plugin = (PLUGIN_NAME, PLUGIN)
    return shared.fetch_tests("python-jose", JOSE_VERSION, JOSE_SHA256, workdir, plugin, PYTEST_INI)


def make_venv(path: Path, *, crypto: bool) -> Path:
    """A virtualenv with jwtlite and pytest, with or without cryptography, never python-jose
    or its dependencies."""
    return shared.make_venv(path, crypto=crypto, forbidden=FORBIDDEN)


def run_suite(python: Path, suite: Path, run: str) -> Outcomes:
    """Run the suite; return test id -> outcome (passed, failed, skipped)."""
    return shared.run_pytest(python, suite, run, f"python-jose {JOSE_VERSION}")


def report(run: str, outcomes: Outcomes, expected: dict[str, tuple[str, tuple[str, ...]]]) -> bool:
    """Print the counts and any surprises; True when the run is acceptable."""
    listed = {t for t, (_, runs) in expected.items() if run in runs}
    ok, counts = shared.report_counts(run, outcomes, listed, JOSE_TOTAL[run])
    if RUNS[run][0] and counts["passed"] < JOSE_MIN_PASSED:
        print(f"[{run}] only {counts['passed']} passed; the goal is at least {JOSE_MIN_PASSED}")
        ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    expected = read_expected()
    return shared.main(
        argv,
        description=__doc__.splitlines()[0],
        label="python-jose",
        tmp_prefix="jwtlite-jose-",
        fetch=fetch_tests,
        venv_for=lambda path, crypto: make_venv(path, crypto=crypto),
        run_suite=run_suite,
        verdict=lambda run, outcomes: report(run, outcomes, expected),
    )


if __name__ == "__main__":
    sys.exit(main())
