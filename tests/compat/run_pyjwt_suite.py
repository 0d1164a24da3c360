"""Run PyJWT 2.15.1's own test suite against jwtlite, installed as ``jwt``.

Downloads the PyJWT sdist through pip (pinned by version and sha256), unpacks its ``tests/``,
and runs them in fresh virtualenvs that hold jwtlite, pytest and nothing of PyJWT: once with
the ``cryptography`` backend and once without ``cryptography`` (the pure backend). A pytest
plugin injected next to the tests (loaded with ``-p``, before pytest reads PyJWT's warning
filters, which name ``jwt.warnings``) calls ``jwtlite.install_as_pyjwt()`` first.

The run fails unless every test passes or is skipped, except the tests listed in
``pyjwt-expected-failures.txt`` (one line each: test id, whitespace, reason). A listed test
that passes is reported as an unexpected pass: a warning, not a failure, because a few listed
tests pass on one backend and are skipped or fail on the other.

Usage: python tests/compat/run_pyjwt_suite.py [--backend crypto|pure|both] [--workdir DIR]
This file is not collected by pytest (its name does not start with ``test_``).
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tarfile
import tempfile
import venv
import xml.etree.ElementTree as ET
from pathlib import Path

PYJWT_VERSION = "2.15.1"
PYJWT_SHA256 = "4f259e80cdfb6b3fc18a7de51fd1ef9ec79652f25019bae68975ca2468a34df8"
PYJWT_TOTAL = 471
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXPECTED_FILE = HERE / "pyjwt-expected-failures.txt"

PLUGIN_NAME = "jwtlite_as_pyjwt"
PLUGIN = '''\
"""Injected by jwtlite's tests/compat/run_pyjwt_suite.py: ``jwt`` is jwtlite from here on."""
import jwtlite

jwtlite.install_as_pyjwt()
'''
# PyJWT's own pytest settings (its pyproject.toml), with the test directory as root.
PYTEST_INI = """\
[pytest]
addopts = -ra -p no:cacheprovider -p jwtlite_as_pyjwt
filterwarnings =
    error
    ignore::jwt.warnings.InsecureKeyLengthWarning
testpaths = tests
"""


def read_expected(path: Path = EXPECTED_FILE) -> dict[str, str]:
    """Test id -> reason, from the expected-failures file (``#`` starts a comment line)."""
    expected: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        test_id, _, reason = text.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: {test_id} has no reason")
        if test_id in expected:
            raise SystemExit(f"{path.name}:{number}: {test_id} is listed twice")
        expected[test_id] = reason.strip()
    return expected


def fetch_tests(workdir: Path) -> Path:
    """Download and verify the sdist; unpack its tests/ under ``workdir``; return that root."""
    dist = workdir / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", f"pyjwt=={PYJWT_VERSION}",
         "--no-binary", ":all:", "--no-deps", "--dest", str(dist)],
        check=True,
    )  # fmt: skip
    archive = dist / f"pyjwt-{PYJWT_VERSION}.tar.gz"
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != PYJWT_SHA256:
        raise SystemExit(f"sha256 mismatch for {archive.name}: {digest}")
    suite = workdir / "pyjwt-suite"
    prefix = f"pyjwt-{PYJWT_VERSION}/tests/"
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.name.startswith(prefix) or not (member.isfile() or member.isdir()):
                continue
            target = suite / "tests" / member.name[len(prefix) :]
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            target.write_bytes(source.read())
    (suite / f"{PLUGIN_NAME}.py").write_text(PLUGIN, encoding="utf-8")
    (suite / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
    return suite


def make_venv(path: Path, *, crypto: bool) -> Path:
    """A virtualenv with jwtlite and pytest, with or without cryptography, never PyJWT."""
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
    probe = "import importlib.util as u; print(u.find_spec('jwt') is None)"
    out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True)
    if out.stdout.strip() != "True":
        raise SystemExit(f"{path}: a module named jwt is installed; PyJWT must not be")
    return python


def run_suite(python: Path, suite: Path, backend: str) -> dict[str, str]:
    """Run the suite; return test id -> outcome (passed, failed, skipped)."""
    junit = suite / f"junit-{backend}.xml"
    env_backend = "cryptography" if backend == "crypto" else "pure"
    subprocess.run(
        [str(python), "-m", "pytest", "-q", "--tb=line", f"--junitxml={junit}", "tests"],
        cwd=suite,
        env={"JWTLITE_BACKEND": env_backend, "PATH": "/usr/bin:/bin", "HOME": str(suite)},
        check=False,
    )
    outcomes: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314 - our own file
        module = case.get("classname", "").split(".")
        test_id = _test_id(module, case.get("name", ""))
        if case.find("skipped") is not None:
            outcomes[test_id] = "skipped"
        elif case.find("failure") is not None or case.find("error") is not None:
            outcomes[test_id] = "failed"
        else:
            outcomes[test_id] = "passed"
    return outcomes


def _test_id(classname: list[str], name: str) -> str:
    # junit classname "tests.test_api_jws.TestJWS" -> "tests/test_api_jws.py::TestJWS::name"
    parts = [p for p in classname if p]
    for cut in range(len(parts), 0, -1):
        if parts[cut - 1].startswith("test_"):
            return "::".join(["/".join(parts[:cut]) + ".py", *parts[cut:], name])
    return "::".join([*parts, name])


def report(backend: str, outcomes: dict[str, str], expected: dict[str, str]) -> bool:
    """Print the counts and any surprises; True when the backend's run is acceptable."""
    kinds = ("passed", "failed", "skipped")
    counts = {kind: sum(1 for v in outcomes.values() if v == kind) for kind in kinds}
    total = len(outcomes)
    print(f"\n[{backend}] {total} tests: {counts['passed']} passed, {counts['failed']} failed,"
          f" {counts['skipped']} skipped (PyJWT {PYJWT_VERSION} ships {PYJWT_TOTAL})")  # fmt: skip
    unexpected = sorted(t for t, o in outcomes.items() if o == "failed" and t not in expected)
    listed_passing = sorted(t for t, o in outcomes.items() if o == "passed" and t in expected)
    missing = sorted(t for t in expected if t not in outcomes)
    for test_id in unexpected:
        print(f"[{backend}] UNEXPECTED FAILURE: {test_id}")
    for test_id in listed_passing:
        print(f"[{backend}] warning: listed as expected failure but passed: {test_id}")
    for test_id in missing:
        print(f"[{backend}] warning: listed test not found in the suite: {test_id}")
    expected_failed = sum(1 for t, o in outcomes.items() if o == "failed" and t in expected)
    print(f"[{backend}] expected failures: {expected_failed} of {len(expected)} listed")
    ok = not unexpected and total == PYJWT_TOTAL
    if total != PYJWT_TOTAL:
        print(f"[{backend}] collected {total} tests, expected {PYJWT_TOTAL}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("crypto", "pure", "both"), default="both")
    parser.add_argument("--workdir", type=Path, help="keep the download and venvs here")
    args = parser.parse_args(argv)
    expected = read_expected()
    backends = ("crypto", "pure") if args.backend == "both" else (args.backend,)
    with tempfile.TemporaryDirectory(prefix="jwtlite-pyjwt-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        suite = fetch_tests(workdir)
        results = []
        for backend in backends:
            python = make_venv(workdir / f"venv-{backend}", crypto=backend == "crypto")
            results.append(report(backend, run_suite(python, suite, backend), expected))
    if all(results):
        print("\nPyJWT suite: OK (every failure is listed in pyjwt-expected-failures.txt)")
        return 0
    print("\nPyJWT suite: FAILED")
    return 1


if __name__ == "__main__":
    sys.exit(main())
