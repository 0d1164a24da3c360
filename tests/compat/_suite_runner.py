"""What the suite runners in tests/compat share: the pinned sdist download, the virtualenvs,
the lists of expected failures, the junit reading and the verdict printing.

Imported by run_pyjwt_suite.py, run_jose_suite.py and run_dependent_suites.py, which run as
scripts (their folder is then ``sys.path[0]``) or are loaded by path from
tests/test_compat_runner.py (they put their folder on ``sys.path`` themselves).
This file is not collected by pytest (its name does not start with ``test_``).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import venv
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent.parent
#: run name -> (cryptography installed, JWTLITE_BACKEND)
RUNS = {"crypto": (True, "cryptography"), "pure": (True, "pure"), "nocrypto": (False, "pure")}
#: A test id -> its outcome: passed, failed or skipped.
Outcomes = dict[str, str]


def plugin_source(runner: str, top: str, installer: str) -> str:
    """The pytest plugin injected next to a suite's tests (loaded with ``-p``): ``top`` (the
    library's module, ``jwt`` or ``jose``) is jwtlite from then on, and the report header says
    which backend runs and whether cryptography is installed."""
    return f'''\
"""Injected by jwtlite's tests/compat/{runner}: ``{top}`` is jwtlite from here on."""
import jwtlite
import jwtlite.algorithms
import jwtlite.backends

jwtlite.{installer}()


def pytest_report_header(config):
    backend = jwtlite.backends.get_backend().name
    crypto = jwtlite.algorithms.has_crypto
    return f"{top} is jwtlite {{jwtlite.__version__}}: backend {{backend}}, cryptography {{crypto}}"
'''


def read_tagged_lines(
    path: Path, tags: tuple[str, ...], form: str
) -> dict[str, tuple[str, str | None]]:
    """Test id -> (reason, its tag or None), from a list of expected failures: one line each,
    ``[tag] <test id> <reason>`` (the tag optional), blank lines and ``#`` comments skipped.
    ``form`` is the line's form, for the message on a bad line."""
    expected: dict[str, tuple[str, str | None]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        found: str | None = None
        for tag in tags:
            if text.startswith(tag):
                found, text = tag, text[len(tag) :].strip()
        test_id, _, reason = text.partition(" ")
        if not reason.strip() or "::" not in test_id:
            raise SystemExit(f"{path.name}:{number}: expected '{form}'")
        if test_id in expected:
            raise SystemExit(f"{path.name}:{number}: {test_id} is listed twice")
        expected[test_id] = (reason.strip(), found)
    return expected


def unpack_sdist(
    name: str,
    version: str,
    sha256: str,
    workdir: Path,
    folder: str = "tests",
    data: tuple[str, ...] = (),
) -> tuple[Path, Path]:
    """Download ``name==version``'s sdist through pip, check its sha256, and unpack its
    ``folder`` (only that: the package itself must not be importable from the suite's
    directory) under ``workdir / "suite"``, and the files of the folders ``data`` that are not
    Python (resources a test reads by its path in the sdist). Returns (the sdist, the suite
    directory)."""
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
    top = archive.name[: -len(".tar.gz")]
    wanted = (f"{top}/{folder}/", *(f"{top}/{d}/" for d in data))
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.name.startswith(wanted) or not (member.isfile() or member.isdir()):
                continue
            if not member.name.startswith(wanted[0]) and member.name.endswith(".py"):
                continue  # a data folder's code: the installed package is the one under test
            relative = member.name[len(top) + 1 :]
            if ".." in Path(relative).parts:
                raise SystemExit(f"{archive.name}: refusing the member {member.name!r}")
            target = suite / relative
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            target.write_bytes(source.read())
    return archive, suite


def fetch_tests(
    name: str, version: str, sha256: str, workdir: Path, plugin: tuple[str, str], ini: str
) -> Path:
    """Download and verify the sdist; unpack its tests/ under ``workdir`` with the plugin
    ``(module name, source)`` and the pytest.ini next to them; return that root."""
    _archive, suite = unpack_sdist(name, version, sha256, workdir)
    (suite / f"{plugin[0]}.py").write_text(plugin[1], encoding="utf-8")
    (suite / "pytest.ini").write_text(ini, encoding="utf-8")
    return suite


def refuse_modules(python: Path, modules: tuple[str, ...], where: Path) -> None:
    """Exit unless none of ``modules`` is importable by ``python``: the library a face stands
    in for must not be what the suite ends up testing."""
    probe = f"import importlib.util as u; print([m for m in {modules!r} if u.find_spec(m)])"
    out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True)
    if out.stdout.strip() != "[]":
        raise SystemExit(f"{where}: {out.stdout.strip()} installed; none of them may be")


def make_venv(path: Path, *, crypto: bool, forbidden: tuple[str, ...]) -> Path:
    """A virtualenv with jwtlite and pytest, with or without cryptography, and none of the
    ``forbidden`` modules."""
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
    refuse_modules(python, forbidden, path)
    return python


def run_pytest(python: Path, suite: Path, run: str, title: str) -> Outcomes:
    """Run the suite's tests under ``RUNS[run]``'s backend; return test id -> outcome."""
    junit = suite / f"junit-{run}.xml"
    env_backend = RUNS[run][1]
    print(f"\n=== {title} suite, run {run!r} (JWTLITE_BACKEND={env_backend}) ===")
    # Offline: tests/compat/_offline.py refuses and logs what is not for loopback.
    offline = suite / f"offline-{run}.log"
    offline.unlink(missing_ok=True)
    shutil.copyfile(Path(__file__).with_name("_offline.py"), suite / "jwtlite_offline.py")
    env = {"JWTLITE_BACKEND": env_backend, "PATH": "/usr/bin:/bin", "HOME": str(suite)}
    subprocess.run(
        [str(python), "-m", "pytest", "-p", "jwtlite_offline", "--tb=no", "-rN",
         f"--junitxml={junit}", "tests"],
        cwd=suite, env={**env, "JWTLITE_OFFLINE_LOG": str(offline)}, check=False,
    )  # fmt: skip
    outcomes: Outcomes = {}
    for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314 - our own file
        test_id = _test_id(case.get("classname", "").split("."), case.get("name", ""))
        if case.find("skipped") is not None:
            outcomes[test_id] = "skipped"
        elif case.find("failure") is not None or case.find("error") is not None:
            outcomes[test_id] = "failed"
        else:
            outcomes[test_id] = "passed"
    # A network attempt fails the run even when the suite caught the error: it shows as an
    # unexpected failure, and the total no longer matches.
    if offline.is_file():
        for attempt in offline.read_text(encoding="utf-8").splitlines():
            outcomes[f"offline::reached for the network (refused): {attempt}"] = "failed"
    return outcomes


def _test_id(classname: list[str], name: str) -> str:
    # junit classname "tests.test_api_jws.TestJWS" -> "tests/test_api_jws.py::TestJWS::name"
    parts = [p for p in classname if p]
    for cut in range(len(parts), 0, -1):
        if parts[cut - 1].startswith("test_"):
            return "::".join(["/".join(parts[:cut]) + ".py", *parts[cut:], name])
    return "::".join([*parts, name])


def report_counts(
    run: str, outcomes: Outcomes, listed: set[str], total_expected: int, note: str = ""
) -> tuple[bool, dict[str, int]]:
    """Print the counts and any surprises against the tests ``listed`` as expected to fail
    in this run; return (no unexpected failure and the expected total, the counts)."""
    kinds = ("passed", "failed", "skipped")
    counts = {kind: sum(1 for v in outcomes.values() if v == kind) for kind in kinds}
    total = len(outcomes)
    print(f"[{run}] {total} tests: {counts['passed']} passed, {counts['failed']} failed,"
          f" {counts['skipped']} skipped{note}")  # fmt: skip
    unexpected = sorted(t for t, o in outcomes.items() if o == "failed" and t not in listed)
    listed_passing = sorted(t for t, o in outcomes.items() if o == "passed" and t in listed)
    for test_id in unexpected:
        print(f"[{run}] UNEXPECTED FAILURE: {test_id}")
    for test_id in listed_passing:
        print(f"[{run}] warning: unexpected pass of a listed test (remove its line): {test_id}")
    for test_id in sorted(t for t in listed if t not in outcomes):
        print(f"[{run}] warning: listed test not found in the suite: {test_id}")
    expected_failed = sum(1 for t, o in outcomes.items() if o == "failed" and t in listed)
    print(f"[{run}] expected failures: {expected_failed} ({len(listed)} listed for this run)")
    if total != total_expected:
        print(f"[{run}] collected {total} tests, expected {total_expected}")
    return not unexpected and total == total_expected, counts


def main(
    argv: list[str] | None,
    *,
    description: str,
    label: str,
    tmp_prefix: str,
    fetch: Callable[[Path], Path],
    venv_for: Callable[[Path, bool], Path],
    run_suite: Callable[[Path, Path, str], Outcomes],
    verdict: Callable[[str, Outcomes], bool],
) -> int:
    """A runner's command line: ``--run`` one of RUNS or all, ``--workdir`` to keep the
    download and venvs; one virtualenv with cryptography and one without, made when needed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--run", choices=(*RUNS, "all"), default="all")
    parser.add_argument("--workdir", type=Path, help="keep the download and venvs here")
    args = parser.parse_args(argv)
    runs = tuple(RUNS) if args.run == "all" else (args.run,)
    results: dict[str, bool] = {}
    with tempfile.TemporaryDirectory(prefix=tmp_prefix) as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        suite = fetch(workdir)
        venvs: dict[bool, Path] = {}
        for run in runs:
            crypto = RUNS[run][0]
            if crypto not in venvs:
                name = "venv-crypto" if crypto else "venv-nocrypto"
                venvs[crypto] = venv_for(workdir / name, crypto)
            results[run] = verdict(run, run_suite(venvs[crypto], suite, run))
    print()
    for run, ok in results.items():
        print(f"{label} suite, run {run}: {'OK' if ok else 'FAILED'}")
    return 0 if all(results.values()) else 1
