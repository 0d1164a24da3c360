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

import argparse
import subprocess
import sys
import tempfile
import venv
import xml.etree.ElementTree as ET
from pathlib import Path

from run_pyjwt_suite import ROOT, _test_id, unpack_sdist

JOSE_VERSION = "3.5.0"
JOSE_SHA256 = "fb4eaa44dbeb1c26dcc69e4bd7ec54a1cb8dd64d3b4d81ef08d90ff453f2b01b"
#: Tests collected in each run. python-jose 3.5.0 itself collects 470 (with ``rsa`` and
#: ``ecdsa`` installed): importing its ``rsa_backend`` drops RSA-OAEP from
#: ``ALGORITHMS.SUPPORTED``, which removes 20 parametrized cases that jwtlite's pure backend
#: runs here, and one case needs the ``ecdsa`` package.
JOSE_TOTAL = {"crypto": 489, "pure": 489, "nocrypto": 489}
#: At least this many must pass with cryptography (95% of the 458 python-jose passes itself).
JOSE_MIN_PASSED = 435
HERE = Path(__file__).resolve().parent
EXPECTED_FILE = HERE / "jose-expected-failures.txt"
#: run name -> (cryptography installed, JWTLITE_BACKEND)
RUNS = {"crypto": (True, "cryptography"), "pure": (True, "pure"), "nocrypto": (False, "pure")}
#: A line's tag -> the runs it applies to.
TAGS = {"[crypto]": ("crypto", "pure"), "[nocrypto]": ("nocrypto",)}
#: Packages python-jose depends on; none may be importable in the suite's virtualenv.
FORBIDDEN = ("jose", "ecdsa", "rsa", "pyasn1")

PLUGIN_NAME = "jwtlite_as_jose"
PLUGIN = '''\
"""Injected by jwtlite's tests/compat/run_jose_suite.py: ``jose`` is jwtlite from here on."""
import jwtlite
import jwtlite.algorithms
import jwtlite.backends

jwtlite.install_as_jose()


def pytest_report_header(config):
    backend = jwtlite.backends.get_backend().name
    crypto = jwtlite.algorithms.has_crypto
    return f"jose is jwtlite {jwtlite.__version__}: backend {backend}, cryptography {crypto}"
'''
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
    expected: dict[str, tuple[str, tuple[str, ...]]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        runs: tuple[str, ...] = tuple(RUNS)
        for tag, tagged in TAGS.items():
            if text.startswith(tag):
                runs, text = tagged, text[len(tag) :].strip()
        test_id, _, reason = text.partition(" ")
        if not reason.strip() or "::" not in test_id:
            raise SystemExit(f"{path.name}:{number}: expected '[tag] <test id> <reason>'")
        if test_id in expected:
            raise SystemExit(f"{path.name}:{number}: {test_id} is listed twice")
        expected[test_id] = (reason.strip(), runs)
    return expected


def fetch_tests(workdir: Path) -> Path:
    """Download and verify the sdist; unpack its tests/ under ``workdir``; return that root."""
    _archive, suite = unpack_sdist("python-jose", JOSE_VERSION, JOSE_SHA256, workdir)
    (suite / f"{PLUGIN_NAME}.py").write_text(PLUGIN, encoding="utf-8")
    (suite / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
    return suite


def make_venv(path: Path, *, crypto: bool) -> Path:
    """A virtualenv with jwtlite and pytest, with or without cryptography, never python-jose
    or its dependencies."""
    venv.create(path, with_pip=True, clear=True)
    python = path / "bin" / "python"
    extra = "[crypto]" if crypto else ""
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"{ROOT}{extra}", "pytest>=8.4.2,<9"],
        check=True,
    )  # fmt: skip
    if not crypto:
        subprocess.run(
            [str(python), "-m", "pip", "uninstall", "--quiet", "-y", "cryptography"], check=False
        )
    probe = f"import importlib.util as u; print([m for m in {FORBIDDEN!r} if u.find_spec(m)])"
    out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True)
    if out.stdout.strip() != "[]":
        raise SystemExit(f"{path}: {out.stdout.strip()} installed; none of them may be")
    return python


def run_suite(python: Path, suite: Path, run: str) -> dict[str, str]:
    """Run the suite; return test id -> outcome (passed, failed, skipped)."""
    junit = suite / f"junit-{run}.xml"
    env_backend = RUNS[run][1]
    print(f"\n=== python-jose {JOSE_VERSION} suite, run {run!r}"
          f" (JWTLITE_BACKEND={env_backend}) ===")  # fmt: skip
    subprocess.run(
        [str(python), "-m", "pytest", "--tb=no", "-rN", f"--junitxml={junit}", "tests"],
        cwd=suite,
        env={"JWTLITE_BACKEND": env_backend, "PATH": "/usr/bin:/bin", "HOME": str(suite)},
        check=False,
    )
    outcomes: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314 - our own file
        test_id = _test_id(case.get("classname", "").split("."), case.get("name", ""))
        if case.find("skipped") is not None:
            outcomes[test_id] = "skipped"
        elif case.find("failure") is not None or case.find("error") is not None:
            outcomes[test_id] = "failed"
        else:
            outcomes[test_id] = "passed"
    return outcomes


def report(
    run: str, outcomes: dict[str, str], expected: dict[str, tuple[str, tuple[str, ...]]]
) -> bool:
    """Print the counts and any surprises; True when the run is acceptable."""
    listed = {t for t, (_, runs) in expected.items() if run in runs}
    kinds = ("passed", "failed", "skipped")
    counts = {kind: sum(1 for v in outcomes.values() if v == kind) for kind in kinds}
    total = len(outcomes)
    print(f"[{run}] {total} tests: {counts['passed']} passed, {counts['failed']} failed,"
          f" {counts['skipped']} skipped")  # fmt: skip
    unexpected = sorted(t for t, o in outcomes.items() if o == "failed" and t not in listed)
    listed_passing = sorted(t for t, o in outcomes.items() if o == "passed" and t in listed)
    for test_id in unexpected:
        print(f"[{run}] UNEXPECTED FAILURE: {test_id}")
    for test_id in listed_passing:
        print(f"[{run}] warning: unexpected pass of a listed test (remove its line): {test_id}")
    for test_id in sorted(t for t in listed if t not in outcomes):
        print(f"[{run}] warning: listed test not found in the suite: {test_id}")
    print(f"[{run}] expected failures: {len(listed) - len(listed_passing)} ({len(listed)} listed)")
    ok = not unexpected and total == JOSE_TOTAL[run]
    if total != JOSE_TOTAL[run]:
        print(f"[{run}] collected {total} tests, expected {JOSE_TOTAL[run]}")
    if RUNS[run][0] and counts["passed"] < JOSE_MIN_PASSED:
        print(f"[{run}] only {counts['passed']} passed; the goal is at least {JOSE_MIN_PASSED}")
        ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", choices=(*RUNS, "all"), default="all")
    parser.add_argument("--workdir", type=Path, help="keep the download and venvs here")
    args = parser.parse_args(argv)
    expected = read_expected()
    runs = tuple(RUNS) if args.run == "all" else (args.run,)
    results: dict[str, bool] = {}
    with tempfile.TemporaryDirectory(prefix="jwtlite-jose-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        suite = fetch_tests(workdir)
        venvs: dict[bool, Path] = {}
        for run in runs:
            crypto = RUNS[run][0]
            if crypto not in venvs:
                name = "venv-crypto" if crypto else "venv-nocrypto"
                venvs[crypto] = make_venv(workdir / name, crypto=crypto)
            results[run] = report(run, run_suite(venvs[crypto], suite, run), expected)
    print()
    for run, ok in results.items():
        print(f"python-jose suite, run {run}: {'OK' if ok else 'FAILED'}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
