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
#: Tests the suite collects: 471 that run with cryptography installed, and 4 marked
#: no_crypto_required that run only without it.
PYJWT_TOTAL = 475
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXPECTED_FILE = HERE / "pyjwt-expected-failures.txt"
NOCRYPTO_TAG = "[nocrypto]"
#: run name -> (cryptography installed, JWTLITE_BACKEND)
RUNS = {"crypto": (True, "cryptography"), "pure": (True, "pure"), "nocrypto": (False, "pure")}

PLUGIN_NAME = "jwtlite_as_pyjwt"
PLUGIN = '''\
"""Injected by jwtlite's tests/compat/run_pyjwt_suite.py: ``jwt`` is jwtlite from here on."""
import jwtlite
import jwtlite.algorithms
import jwtlite.backends

jwtlite.install_as_pyjwt()


def pytest_report_header(config):
    backend = jwtlite.backends.get_backend().name
    crypto = jwtlite.algorithms.has_crypto
    return f"jwt is jwtlite {jwtlite.__version__}: backend {backend}, cryptography {crypto}"
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


def read_expected(path: Path = EXPECTED_FILE) -> dict[str, tuple[str, bool]]:
    """Test id -> (reason, only without cryptography), from the expected-failures file."""
    expected: dict[str, tuple[str, bool]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        nocrypto = text.startswith(NOCRYPTO_TAG)
        if nocrypto:
            text = text[len(NOCRYPTO_TAG) :].strip()
        test_id, _, reason = text.partition(" ")
        if not reason.strip() or "::" not in test_id:
            raise SystemExit(f"{path.name}:{number}: expected '<test id> <reason>'")
        if test_id in expected:
            raise SystemExit(f"{path.name}:{number}: {test_id} is listed twice")
        expected[test_id] = (reason.strip(), nocrypto)
    return expected


def unpack_sdist(name: str, version: str, sha256: str, workdir: Path) -> tuple[Path, Path]:
    """Download ``name==version``'s sdist through pip, check its sha256, and unpack its
    ``tests/`` (only that: the package itself must not be importable from the suite's
    directory) under ``workdir / "suite"``. Returns (the sdist, the suite directory)."""
    dist = workdir / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", f"{name}=={version}",
         "--no-binary", ":all:", "--no-deps", "--dest", str(dist)],
        check=True,
    )  # fmt: skip
    [archive] = [p for p in dist.glob("*.tar.gz") if p.name.endswith(f"-{version}.tar.gz")]
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != sha256:
        raise SystemExit(f"sha256 mismatch for {archive.name}: {digest}")
    suite = workdir / "suite"
    prefix = archive.name[: -len(".tar.gz")] + "/tests/"
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.name.startswith(prefix) or not (member.isfile() or member.isdir()):
                continue
            relative = member.name[len(prefix) :]
            if ".." in Path(relative).parts:
                raise SystemExit(f"{archive.name}: refusing the member {member.name!r}")
            target = suite / "tests" / relative
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            target.write_bytes(source.read())
    return archive, suite


def fetch_tests(workdir: Path) -> Path:
    """Download and verify the sdist; unpack its tests/ under ``workdir``; return that root."""
    _archive, suite = unpack_sdist("pyjwt", PYJWT_VERSION, PYJWT_SHA256, workdir)
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


def run_suite(python: Path, suite: Path, run: str) -> dict[str, str]:
    """Run the suite; return test id -> outcome (passed, failed, skipped)."""
    junit = suite / f"junit-{run}.xml"
    env_backend = RUNS[run][1]
    print(f"\n=== PyJWT {PYJWT_VERSION} suite, run {run!r} (JWTLITE_BACKEND={env_backend}) ===")
    subprocess.run(
        [str(python), "-m", "pytest", "--tb=no", "-rN", f"--junitxml={junit}", "tests"],
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


def report(run: str, outcomes: dict[str, str], expected: dict[str, tuple[str, bool]]) -> bool:
    """Print the counts and any surprises; True when the run is acceptable."""
    listed = {t for t, (_, nocrypto) in expected.items() if run == "nocrypto" or not nocrypto}
    kinds = ("passed", "failed", "skipped")
    counts = {kind: sum(1 for v in outcomes.values() if v == kind) for kind in kinds}
    total = len(outcomes)
    print(f"[{run}] {total} tests: {counts['passed']} passed, {counts['failed']} failed,"
          f" {counts['skipped']} skipped (PyJWT {PYJWT_VERSION} ships {PYJWT_TOTAL})")  # fmt: skip
    unexpected = sorted(t for t, o in outcomes.items() if o == "failed" and t not in listed)
    listed_passing = sorted(t for t, o in outcomes.items() if o == "passed" and t in listed)
    missing = sorted(t for t in listed if t not in outcomes)
    for test_id in unexpected:
        print(f"[{run}] UNEXPECTED FAILURE: {test_id}")
    for test_id in listed_passing:
        print(f"[{run}] warning: unexpected pass of a listed test (remove its line): {test_id}")
    for test_id in missing:
        print(f"[{run}] warning: listed test not found in the suite: {test_id}")
    expected_failed = sum(1 for t, o in outcomes.items() if o == "failed" and t in listed)
    print(f"[{run}] expected failures: {expected_failed} ({len(listed)} listed for this run)")
    if total != PYJWT_TOTAL:
        print(f"[{run}] collected {total} tests, expected {PYJWT_TOTAL}")
    return not unexpected and total == PYJWT_TOTAL


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", choices=(*RUNS, "all"), default="all")
    parser.add_argument("--workdir", type=Path, help="keep the download and venvs here")
    args = parser.parse_args(argv)
    expected = read_expected()
    runs = tuple(RUNS) if args.run == "all" else (args.run,)
    results: dict[str, bool] = {}
    with tempfile.TemporaryDirectory(prefix="jwtlite-pyjwt-") as tmp:
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
        print(f"PyJWT suite, run {run}: {'OK' if ok else 'FAILED'}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
