"""Run the test suites of packages built on PyJWT or python-jose against jwtlite, installed
as ``jwt`` or ``jose``.

Each dependent's sdist is downloaded through pip (pinned by version and sha256) and installed
with ``--no-deps`` into a fresh virtualenv that holds jwtlite (with ``cryptography``), the
dependent's other requirements and pytest, and nothing of PyJWT (for a dependent of
python-jose: nothing of python-jose, ``ecdsa``, ``rsa`` or ``pyasn1``). A pytest plugin loaded
with ``-p`` calls ``jwtlite.install_as_pyjwt()`` (or ``install_as_jose()``) before the
dependent is imported, which is the one line a user adds. A dependent passes only when every
test of its suite that runs passes or is skipped (or xfails) by the suite itself: there is no
list of expected failures here. A test is left out (``NotRun``, deselected, never run) only
when it fails against PyJWT 2.15.1 (python-jose 3.5.0) itself, or when it needs a deliberate
divergence listed in docs/migrating-from-pyjwt.md (docs/migrating-from-python-jose.md); each
one has its reason, and a listed test the suite no longer has is an error. The number of tests
collected is pinned: an empty or partial collection fails; so is the number that ran (read
from pytest's junit report) and the most the suite may skip or xfail by its own markers.
The suite runs offline: ``_offline.py``, loaded as a second plugin, refuses every connection,
datagram and name lookup that is not for loopback and logs it, and a dependent with a
logged attempt fails, even when its suite caught the error and passed.

Dependents of PyJWT:
  flask-jwt-extended 4.7.1   its 181 tests (one is skipped by the suite itself)
  oauthlib 4.0.1             its 719 tests (two are skipped by the suite itself); OAuth 1.0a's
                             RSA-SHA1 signs through ``jwt.algorithms.RSAAlgorithm(hashes.SHA1)``
  djangorestframework-simplejwt 5.5.1
                             its 184 tests, 6 not run: they sign ES384 and ES512 with a P-256
                             key, which PyJWT refuses since 2.10 (they fail on PyJWT 2.15.1)
  social-auth-core 7.0.0     its 2557 tests (in ``social_core/tests``, left out of the wheel:
                             copied into the installed package); 265 SAML tests skip themselves
                             (python3-saml needs libxmlsec1), 2 xfail by the suite's own
                             markers, 1 not run: it encodes ``iat: -Infinity``, which jwtlite
                             refuses to write (RFC 8259 §6; listed divergence)
  PyGithub 2.10.0            its 1130 tests, from recorded replay data (no network); a GitHub
                             App authenticates with an RS256 JWT it signs through ``jwt.encode``
  auth0-python 4.13.0        its 410 tests (in ``auth0/test``; the last release that ships
                             them); its ID-token verifier loads a JWK Set through
                             ``RSAAlgorithm.from_jwk``, reads the header unverified and checks
                             the claims itself, with its own error texts; 2 not run: their JWK
                             Set holds an RSA key with an even modulus, which jwtlite refuses
                             to load (listed divergence)
  fastapi-users 15.0.5       231 of its 588 tests: the files that sign and check its tokens
                             (the JWT strategy with HS256, RS256 and ES256 PEM keys and an
                             audience list, the verify and reset-password tokens, the OAuth
                             state token); the others hash passwords and route (80 s in all)
Dependents of python-jose:
  moto 5.0.1                 its Cognito suite (``tests/test_cognitoidp``, 201 tests; the
                             last moto on python-jose, 5.0.2 moved to joserfc): the mock signs
                             ID and access tokens with
                             ``jose.jws.sign`` and a private RSA JWK given as a dict, and the
                             tests check them with ``jws.verify`` and the public JWK, and read
                             them with ``jwt.get_unverified_claims`` and ``_headers``

Usage: python tests/compat/run_dependent_suites.py [--workdir DIR] [--only NAME] [--jobs N]
(``--jobs 2``: two dependents at once, each in a child process whose output is printed whole
when it ends; CI runs so.)
This file is not collected by pytest (its name does not start with ``test_``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # loaded by path, not run as a script
    sys.path.insert(0, str(HERE))

from _suite_runner import ROOT, refuse_modules, unpack_sdist  # noqa: E402


class NotRun(NamedTuple):
    """A test of a dependent's suite that is deselected, with the reason."""

    test_id: str
    reason: str


class Dependent(NamedTuple):
    name: str
    version: str
    sha256: str
    requirements: tuple[str, ...]  # besides jwtlite and pytest
    tests: int  # how many the suite collects: an empty or partial collection fails
    #: The sdist's folder that holds the suite. A folder inside the package (the wheel leaves
    #: it out) is copied into the installed package and run with ``--pyargs``.
    folder: str = "tests"
    #: Requirements that require PyJWT themselves: installed with ``--no-deps`` (their own
    #: requirements go in ``requirements``), so that pip never brings PyJWT in.
    no_deps: tuple[str, ...] = ()
    not_run: tuple[NotRun, ...] = ()
    #: Options of the suite's own pytest configuration, which stays behind in the sdist.
    pytest_args: tuple[str, ...] = ()
    #: The library the dependent is built on: a key of FACES.
    face: str = "pyjwt"
    #: The parts of ``folder`` that run (relative to the suite's directory); all of it when
    #: empty. For a package whose own suite covers far more than its use of the library.
    paths: tuple[str, ...] = ()
    #: Folders of the sdist whose files but Python ones are unpacked next to the suite:
    #: resources that tests open by their path in the sdist.
    data: tuple[str, ...] = ()
    #: The most tests the suite may skip or xfail by its own markers: a suite that starts
    #: skipping itself (a missing optional requirement, a changed environment) fails.
    skipped: int = 0

    @property
    def in_package(self) -> bool:
        return self.folder != "tests"


#: PyJWT 2.10 checks that an EC key's curve is the algorithm's (RFC 7518 §3.4); jwtlite does too.
_SIMPLEJWT_CURVE = (
    "signs ES384 and ES512 with a P-256 key: refused by PyJWT since 2.10 (this test fails on"
    " PyJWT 2.15.1 with the same InvalidKeyError text) and by jwtlite, RFC 7518 §3.4"
)

DEPENDENTS = (
    Dependent(
        "flask-jwt-extended",
        "4.7.1",
        "8085d6757505b6f3291a2638c84d207e8f0ad0de662d1f46aa2f77e658a0c976",
        ("Flask>=2.0,<4", "Werkzeug>=0.14", "python-dateutil"),
        181,
        skipped=1,
    ),
    Dependent(
        "oauthlib",
        "4.0.1",
        "3d73febdb6faa00f277c81fb04be7b7586fb96fc3b7f0b9c772dada69a25ede7",
        ("blinker>=1.4.0",),  # its "signals" extra, which its suite exercises
        719,
        skipped=2,
    ),
    Dependent(
        "djangorestframework-simplejwt",
        "5.5.1",
        "e72c5572f51d7803021288e2057afcbd03f17fe11d484096f40a460abc76e87f",
        # Its "test" extra, less pytest-cov/xdist/tox; python-jose makes one token in
        # tests/test_tokens.py (the real python-jose: it does not import jwt).
        (
            "Django>=4.2,<6",
            "djangorestframework>=3.14,<4",
            "pytest-django>=4.5",
            "freezegun>=1.2",
            "python-jose==3.5.0",
        ),
        184,
        not_run=tuple(
            NotRun(f"tests/test_backends.py::TestTokenBackend::{name}", _SIMPLEJWT_CURVE)
            for name in (
                "test_decode_success",
                "test_decode_with_expiry",
                "test_decode_with_invalid_sig",
                "test_decode_with_invalid_sig_no_verify",
                "test_decode_with_no_expiry",
                "test_decode_with_no_expiry_no_verify",
            )
        ),
    ),
    Dependent(
        "social-auth-core",
        "7.0.0",
        "196f24d693cd83c0a4c45a9c8b0adb9778a3f1254854909903ba9b93f5540935",
        # Its requirements, its google-onetap and shopify extras (ShopifyAPI's own
        # requirements but PyJWT) and its test requirement; not the saml extra, whose
        # python3-saml needs libxmlsec1: those tests skip themselves.
        (
            "cryptography>=46.0.7",
            "defusedxml>=0.7.1",
            "oauthlib>=3.3.1",
            "python3-openid>=3.2.0",
            "requests-oauthlib>=2.0.0",
            "requests>=2.34.0",
            "google-auth>=2.40.0,<2.63",
            "pyactiveresource>=2.2.2",
            "PyYAML>=6.0.1",
            "six",
            "responses>=0.26",
        ),
        2557,
        skipped=267,  # 265 SAML tests (no python3-saml) skip, 2 xfail by its own markers
        folder="social_core/tests",
        no_deps=("ShopifyAPI==12.7.0",),
        not_run=(
            NotRun(
                "social_core/tests/backends/test_mediawiki.py::MediaWikiTest::"
                "test_signed_identity_rejects_nonnumeric_and_nonfinite_iat",
                "encodes iat: -inf, which PyJWT writes as -Infinity and jwtlite refuses to"
                " write (InvalidArgumentError): not JSON (RFC 8259 §6), and a lenient reader"
                " takes exp: Infinity for a token that never expires (listed divergence)",
            ),
        ),
    ),
    Dependent(
        "PyGithub",
        "2.10.0",
        "90ff24ef1cd1bd57124c2a3869cafee9d7b066909129ecdaba2c2d1903bc118d",
        # Its requirements but PyJWT, and its requirements/test.txt less the CI plugins.
        (
            "PyNaCl>=1.4.0",
            "requests>=2.14.0",
            "typing-extensions>=4.5.0",
            "urllib3>=1.26.0",
            "more-itertools",
            "parameterized",
            "pytest-subtests>=0.11.0",
            "responses",
        ),
        1130,
        pytest_args=("-o", "python_files=tests/*.py"),
    ),
    Dependent(
        "auth0-python",
        "4.13.0",
        "72f58bd26b078e3b493e4d24928cc75fa41842aae35cef488ed6f8db0fb701fb",
        # Its requirements but PyJWT, and its dev group less pytest-cov and pipx.
        (
            "aiohttp>=3.10.11",
            "requests>=2.32.3",
            "urllib3>=2.2.3",
            "aioresponses>=0.7.8,<0.8",
            "mock>=5.1.0",
            "pytest-aiohttp>=1.0.4",
            "pytest-asyncio>=0.21.1,<0.24.0",
            "responses>=0.23.3,<0.26.0",
        ),
        410,
        folder="auth0/test",
        not_run=tuple(
            NotRun(
                f"auth0/test/authentication/test_token_verifier.py::TestJwksFetcher::{name}",
                "its JWK Set's second key has an even RSA modulus (n ends in 0xcc), which no"
                " RSA key has (n = pq, RFC 8017 §3.1): PyJWT loads it, jwtlite refuses it at"
                " RSAAlgorithm.from_jwk with InvalidKeyError (listed divergence)",
            )
            for name in (
                "test_fetches_jwks_json_forced_on_cache_miss",
                "test_get_jwks_json_once_on_cache_hit",
            )
        ),
    ),
    Dependent(
        "fastapi-users",
        "15.0.5",
        "097f69701894e650c346df89b1cdb0a09cf139234f4cb9a8ece275af4e98e202",
        # Its requirements but PyJWT, its oauth extra, and what the files that run import.
        (
            "fastapi>=0.65.2",
            "pwdlib[argon2,bcrypt]==0.3.0",
            "email-validator>=1.1.0,<2.4",
            "python-multipart>=0.0.22,<0.1.0",
            "makefun>=1.11.2,<2",
            "httpx-oauth>=0.13",
            "httpx",
            "asgi-lifespan",
            "pytest-asyncio",
            "pytest-mock",
        ),
        231,
        # Its pytest settings, in its pyproject.toml.
        pytest_args=(
            "-o",
            "asyncio_mode=auto",
            "-o",
            "asyncio_default_fixture_loop_scope=session",
            "-W",
            "ignore::pytest.PytestUnknownMarkWarning",
        ),
        # The tests of what signs and checks its tokens (the JWT strategy, the verify and
        # reset-password tokens, the OAuth state); the rest is password hashing and
        # routing (588 tests in all take 80 s, these 17 s).
        paths=(
            "tests/test_jwt.py",
            "tests/test_authentication_strategy_jwt.py",
            "tests/test_manager.py",
            "tests/test_router_oauth.py",
            "tests/test_router_reset.py",
            "tests/test_router_verify.py",
        ),
    ),
    Dependent(
        "moto",
        "5.0.1",
        "62b9798aef9028432194cebb7a671f4064257bb3be662d9c1b83b94411b694bb",
        # Its requirements and its cognitoidp extra but python-jose and ecdsa, and what its
        # Cognito tests import (flask for the server-mode tests).
        (
            # boto3 of moto 5.0.1's time (February 2024): newer botocore models no longer
            # refuse a Cognito SMS configuration without SnsCaller, which a test expects.
            "boto3>=1.34,<1.35",
            "botocore>=1.34,<1.35",
            "requests>=2.5",
            "xmltodict",
            "werkzeug>=0.5,!=2.2.0,!=2.2.1",
            "python-dateutil>=2.1,<3",
            "responses>=0.15.0",
            "Jinja2>=2.10.1",
            "flask",
            "flask-cors",
            "freezegun",
        ),
        201,
        face="jose",
        paths=("tests/test_cognitoidp",),
        data=("moto/cognitoidp/resources",),
    ),
)


class Face(NamedTuple):
    """How jwtlite stands in for a library: the module, the one line a user adds, and the
    modules that may not be installed (the library and what it brings in)."""

    module: str
    installer: str
    forbidden: tuple[str, ...]

    @property
    def plugin_name(self) -> str:
        return f"jwtlite_as_{self.module}"

    @property
    def plugin(self) -> str:
        return (
            f'"""Injected by jwtlite\'s tests/compat/run_dependent_suites.py: ``{self.module}``'
            f' is jwtlite."""\nimport jwtlite\n\njwtlite.{self.installer}()\n'
        )


FACES = {
    "pyjwt": Face("jwt", "install_as_pyjwt", ("jwt",)),
    # python-jose's own requirements are refused too: the face needs none of them.
    "jose": Face("jose", "install_as_jose", ("jose", "ecdsa", "rsa", "pyasn1")),
}


#: workdir -> jwtlite's wheel, built by this process (never one a former run left there).
_WHEELS: dict[Path, Path] = {}


def jwtlite_wheel(workdir: Path) -> Path:
    """jwtlite's wheel, built once a run for all the dependents' virtualenvs (pip would build
    it again, in a build environment of its own, for each)."""
    if workdir not in _WHEELS:
        target = workdir / "jwtlite-wheel"
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--wheel-dir", str(target), str(ROOT)],
            check=True,
        )  # fmt: skip
        [_WHEELS[workdir]] = target.glob("jwtlite-*.whl")
    return _WHEELS[workdir]


def make_venv(path: Path, dependent: Dependent, sdist: Path) -> Path:
    """A virtualenv with jwtlite, the dependent (without its requirement on the library
    jwtlite stands in for) and pytest. It gets no pip of its own: this interpreter's pip
    installs into it (``--python``), which spares a copy of pip in every virtualenv."""
    subprocess.run([sys.executable, "-m", "venv", "--clear", "--without-pip", str(path)],
                   check=True)  # fmt: skip
    python = path / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
           "--disable-pip-version-check"]  # fmt: skip
    wheel = jwtlite_wheel(path.parent)
    subprocess.run([*pip, f"{wheel}[crypto]", "pytest>=8.4.2,<9", *dependent.requirements],
                   check=True)  # fmt: skip
    subprocess.run([*pip, "--no-deps", str(sdist), *dependent.no_deps], check=True)
    refuse_modules(python, FACES[dependent.face].forbidden, path)
    return python


def place_suite(python: Path, dependent: Dependent, suite: Path) -> list[str]:
    """Where pytest finds the suite: ``tests`` in the suite's directory, or the package's
    own tests moved into the installed package (they import themselves by that name)."""
    if not dependent.in_package:
        return list(dependent.paths or ("tests",))
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    target = Path(purelib) / dependent.folder
    shutil.rmtree(target, ignore_errors=True)
    shutil.move(str(suite / dependent.folder), str(target))
    # Nothing of the package may stay next to the plugin, in the suite's directory.
    shutil.rmtree(suite / dependent.folder.split("/")[0])
    return ["--rootdir", purelib, "--pyargs", dependent.folder.replace("/", ".")]


#: The plugin that keeps a suite off the network (tests/compat/_offline.py), by its name next
#: to the suite, and the file where it writes what it refused.
OFFLINE_PLUGIN = "jwtlite_offline"
OFFLINE_LOG = "offline.log"


def run_pytest(python: Path, suite: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    """pytest in the suite's directory, with ``args`` (which load the face's plugin and the
    offline plugin)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(suite),
        "JWTLITE_OFFLINE_LOG": str(suite / OFFLINE_LOG),
    }
    return subprocess.run(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=suite, env=env, capture_output="--collect-only" in args, text=True, check=False,
    )  # fmt: skip


def junit_counts(junit: Path) -> tuple[int, int]:
    """(tests run, tests skipped or xfailed) in pytest's junit report; (0, 0) without one."""
    if not junit.is_file():
        return 0, 0
    cases = list(ET.parse(junit).getroot().iter("testcase"))  # noqa: S314 - pytest's own file
    return len(cases), sum(1 for case in cases if case.find("skipped") is not None)


def run_dependent(dependent: Dependent, workdir: Path) -> bool:
    label = f"{dependent.name} {dependent.version}"
    face = FACES[dependent.face]
    print(f"\n=== {label}: its own suite, with jwtlite installed as {face.module} ===", flush=True)
    started = time.monotonic()
    sdist, suite = unpack_sdist(
        dependent.name, dependent.version, dependent.sha256, workdir / dependent.name,
        dependent.folder, dependent.data,
    )  # fmt: skip
    (suite / f"{face.plugin_name}.py").write_text(face.plugin, encoding="utf-8")
    shutil.copyfile(HERE / "_offline.py", suite / f"{OFFLINE_PLUGIN}.py")
    (suite / OFFLINE_LOG).unlink(missing_ok=True)
    python = make_venv(workdir / f"venv-{dependent.name}", dependent, sdist)
    # Only the sdist's tests are unpacked: the installed copy of the package (installed
    # without its PyJWT requirement) is the one under test.
    plugin = ["-p", OFFLINE_PLUGIN, "-p", face.plugin_name]
    where = [*dependent.pytest_args, *place_suite(python, dependent, suite)]
    collected = run_pytest(python, suite, [*plugin, "--collect-only", "-q", *where])
    # ``--collect-only -q`` prints one test id a line, then a blank line and the summary.
    listing = collected.stdout.partition("\n\n")[0].splitlines()
    ids = {line.strip() for line in listing if "::" in line}
    missing = [n.test_id for n in dependent.not_run if n.test_id not in ids]
    for test_id in missing:
        print(f"[{label}] a test listed as not run is not in the suite: {test_id}")
    for not_run in dependent.not_run:
        print(f"[{label}] not run: {not_run.test_id}\n    ({not_run.reason})")
    deselect = [arg for n in dependent.not_run for arg in ("--deselect", n.test_id)]
    junit = suite / "junit.xml"
    junit.unlink(missing_ok=True)
    quiet = ["-q", "-W", "ignore::DeprecationWarning", f"--junitxml={junit}"]
    result = run_pytest(python, suite, [*plugin, *quiet, *deselect, *where])
    ran, skipped = junit_counts(junit)
    offline = suite / OFFLINE_LOG
    refused = offline.read_text(encoding="utf-8").splitlines() if offline.is_file() else []
    for attempt in refused[:20]:
        print(f"[{label}] reached for the network (refused): {attempt}")
    expected_ran = len(ids) - len(dependent.not_run)
    ok = (
        result.returncode == 0
        and len(ids) == dependent.tests
        and not missing
        and ran == expected_ran
        and skipped <= dependent.skipped
        and not refused
    )
    print(f"[{label}] collected {len(ids)} tests (expected {dependent.tests}),"
          f" {len(dependent.not_run)} not run, {ran} ran (expected {expected_ran}),"
          f" {skipped} skipped by the suite (at most {dependent.skipped}),"
          f" {len(refused)} network attempts; pytest exit code {result.returncode}:"
          f" {'OK' if ok else 'FAILED'} ({time.monotonic() - started:.0f} s)")  # fmt: skip
    return ok


#: The most one dependent may take in a child (CI's whole budget is 30 minutes).
CHILD_DEADLINE = 900.0


def run_in_children(chosen: list[Dependent], workdir: Path, jobs: int) -> dict[str, bool]:
    """Each dependent in a child process of this script, ``jobs`` at a time (most of a
    dependent's time is pip and one pytest process: two overlap well on two cores); each
    child's output is printed whole when it ends, in the order they end."""
    wheel = jwtlite_wheel(workdir)
    # The last listed take longest (moto, fastapi-users): started first, two workers end
    # close together.
    waiting = list(reversed(chosen))
    running: dict[str, tuple[subprocess.Popen[bytes], Path, float]] = {}
    results: dict[str, bool] = {}
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                dependent = waiting.pop(0)
                log = workdir / f"{dependent.name}.log"
                with log.open("wb") as out:
                    command = [sys.executable, __file__, "--workdir", str(workdir),
                               "--only", dependent.name, "--jwtlite-wheel", str(wheel)]  # fmt: skip
                    child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
                running[dependent.name] = (child, log, time.monotonic() + CHILD_DEADLINE)
                print(f"[{dependent.name}] started (log {log})", flush=True)
            time.sleep(0.5)
            for name, (child, log, deadline) in list(running.items()):
                late = child.poll() is None and time.monotonic() > deadline
                if late:  # a hung suite fails the run, and says which one it was
                    child.kill()
                    child.wait()
                if child.poll() is not None:
                    del running[name]
                    sys.stdout.write(log.read_text(encoding="utf-8", errors="replace"))
                    if late:
                        print(f"[{name}] killed after {CHILD_DEADLINE:.0f} s: FAILED")
                    sys.stdout.flush()
                    results[name] = child.returncode == 0 and not late
    finally:
        for child, _, _ in running.values():  # interrupted: leave no suite running
            child.kill()
    return {d.name: results[d.name] for d in chosen}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="keep the downloads and venvs here")
    parser.add_argument("--only", choices=[d.name for d in DEPENDENTS], action="append",
                        help="run this dependent only (may be repeated)")  # fmt: skip
    parser.add_argument("--jobs", type=int, default=1, help="dependents run at once")
    parser.add_argument("--jwtlite-wheel", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    chosen = [d for d in DEPENDENTS if not args.only or d.name in args.only]
    with tempfile.TemporaryDirectory(prefix="jwtlite-dependents-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.jwtlite_wheel:  # a child of run_in_children: the parent built it
            _WHEELS[workdir] = args.jwtlite_wheel
        if args.jobs > 1 and len(chosen) > 1:
            results = run_in_children(chosen, workdir, args.jobs)
        else:
            results = {d.name: run_dependent(d, workdir) for d in chosen}
    print()
    for name, ok in results.items():
        print(f"Dependent suite, {name}: {'OK' if ok else 'FAILED'}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
