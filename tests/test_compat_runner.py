"""The suite runners (tests/compat/run_pyjwt_suite.py, run_jose_suite.py,
run_dependent_suites.py) without the network: their lists of expected failures or of tests
not run, their junit reading and their verdicts."""

from __future__ import annotations

import errno
import importlib.util
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent


def _load_runner(name: str) -> Any:
    """A script of tests/compat, loaded by path (it is not a package)."""
    spec = importlib.util.spec_from_file_location(name, HERE / "compat" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = _load_runner("run_pyjwt_suite")

DOC = (HERE.parent / "docs" / "migrating-from-pyjwt.md").read_text(encoding="utf-8")


def test_the_expected_failures_are_few_explained_and_documented() -> None:
    expected = runner.read_expected()
    everywhere = [t for t, (_, nocrypto) in expected.items() if not nocrypto]
    nocrypto_only = [t for t, (_, nocrypto) in expected.items() if nocrypto]
    assert len(everywhere) == 16
    assert len(nocrypto_only) == 6
    # At least 440 of the 471 tests that run with cryptography can pass.
    assert 471 - len(everywhere) >= 440
    for test_id, (reason, _) in expected.items():
        assert test_id.startswith("tests/test_")
        assert len(reason) > 20, test_id
        name = test_id.rpartition("::")[2].partition("[")[0]
        assert f"`{name}`" in DOC, f"{name} is not explained in docs/migrating-from-pyjwt.md"


def test_read_expected_refuses_bad_lines(tmp_path: Path) -> None:
    bad = tmp_path / "list.txt"
    bad.write_text("tests/test_a.py::test_b\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="expected"):
        runner.read_expected(bad)
    bad.write_text("tests/test_a.py::test_b why\ntests/test_a.py::test_b again\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="twice"):
        runner.read_expected(bad)
    good = tmp_path / "good.txt"
    good.write_text("# c\n\n[nocrypto] tests/test_a.py::T::test_b[x] a reason\n", encoding="utf-8")
    assert runner.read_expected(good) == {"tests/test_a.py::T::test_b[x]": ("a reason", True)}


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="tests.test_api_jws.TestJWS" name="test_ok[a-b]" />
<testcase classname="tests.test_api_jws.TestJWS" name="test_bad"><failure message="x"/></testcase>
<testcase classname="tests.test_compressed_jwt" name="test_err"><error message="x"/></testcase>
<testcase classname="tests.test_utils" name="test_skip"><skipped message="x"/></testcase>
</testsuite></testsuites>
"""


def test_run_suite_reads_junit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_run(command: list[str], **kwargs: Any) -> None:
        assert kwargs["env"]["JWTLITE_BACKEND"] == "pure"
        junit = next(arg for arg in command if arg.startswith("--junitxml="))
        Path(junit.partition("=")[2]).write_text(JUNIT, encoding="utf-8")

    monkeypatch.setattr(subprocess, "run", fake_run)
    outcomes = runner.run_suite(Path("python"), tmp_path, "nocrypto")
    assert outcomes == {
        "tests/test_api_jws.py::TestJWS::test_ok[a-b]": "passed",
        "tests/test_api_jws.py::TestJWS::test_bad": "failed",
        "tests/test_compressed_jwt.py::test_err": "failed",
        "tests/test_utils.py::test_skip": "skipped",
    }


def test_run_suite_runs_offline_and_fails_on_a_network_attempt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PyJWT's and python-jose's suites load the offline plugin too; what it refused is a
    # failure even when the suite caught the error.
    def fake_run(command: list[str], **kwargs: Any) -> None:
        assert command[command.index("-p") + 1] == "jwtlite_offline"
        assert (tmp_path / "jwtlite_offline.py").is_file()
        junit = next(arg for arg in command if arg.startswith("--junitxml="))
        Path(junit.partition("=")[2]).write_text(JUNIT, encoding="utf-8")
        log = Path(kwargs["env"]["JWTLITE_OFFLINE_LOG"])
        log.write_text("getaddrinfo 'example.com'\n", encoding="utf-8")

    monkeypatch.setattr(subprocess, "run", fake_run)
    outcomes = runner.run_suite(Path("python"), tmp_path, "crypto")
    attempt = "offline::reached for the network (refused): getaddrinfo 'example.com'"
    assert outcomes[attempt] == "failed"
    assert len(outcomes) == 5


def _outcomes(failed: list[str], passed: int) -> dict[str, str]:
    result = {f"tests/test_x.py::test_{i}": "passed" for i in range(passed)}
    result.update(dict.fromkeys(failed, "failed"))
    return result


def test_report_verdicts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(runner, "PYJWT_TOTAL", 5)
    listed = {"tests/test_x.py::test_a": ("r", False), "tests/test_x.py::test_n": ("r", True)}
    assert runner.report("crypto", _outcomes(["tests/test_x.py::test_a"], 4), listed)
    assert not runner.report("crypto", _outcomes(["tests/test_x.py::test_n"], 4), listed)
    assert runner.report("nocrypto", _outcomes(["tests/test_x.py::test_n"], 4), listed)
    assert not runner.report("crypto", _outcomes(["tests/test_x.py::test_a"], 3), listed)
    ok_with_warning = _outcomes([], 4)
    ok_with_warning["tests/test_x.py::test_a"] = "passed"
    assert runner.report("crypto", ok_with_warning, listed)
    out = capsys.readouterr().out
    assert "UNEXPECTED FAILURE: tests/test_x.py::test_n" in out
    assert "unexpected pass of a listed test (remove its line): tests/test_x.py::test_a" in out


# --- python-jose's suite (tests/compat/run_jose_suite.py) ---------------------------------

sys.modules.setdefault("run_pyjwt_suite", runner)  # what run_jose_suite imports its helpers from
_jose_spec = importlib.util.spec_from_file_location(
    "run_jose_suite", HERE / "compat" / "run_jose_suite.py"
)
assert _jose_spec is not None
assert _jose_spec.loader is not None
jose_runner: Any = importlib.util.module_from_spec(_jose_spec)
_jose_spec.loader.exec_module(jose_runner)

JOSE_DOC = (HERE.parent / "docs" / "migrating-from-python-jose.md").read_text(encoding="utf-8")


def test_the_jose_expected_failures_are_few_explained_and_documented() -> None:
    expected = jose_runner.read_expected()
    for run, listed in (("crypto", 26), ("pure", 26), ("nocrypto", 25)):
        assert sum(1 for _, runs in expected.values() if run in runs) == listed
    # The goal: at least 435 of the tests collected with cryptography pass.
    collected = jose_runner.JOSE_TOTAL["crypto"]
    assert collected - 13 - 26 >= jose_runner.JOSE_MIN_PASSED == 435  # 13 skipped by the suite
    for test_id, (reason, _) in expected.items():
        assert test_id.startswith("tests/")
        assert len(reason) > 20, test_id
        name = test_id.rpartition("::")[2].partition("[")[0]
        assert f"`{name}`" in JOSE_DOC, f"{name} is not explained in migrating-from-python-jose"


def test_jose_read_expected_reads_the_tags(tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text(
        "# c\n[crypto] tests/a.py::t1 why one\n[nocrypto] tests/a.py::t2 why two\n"
        "tests/a.py::t3 why three\n",
        encoding="utf-8",
    )
    assert jose_runner.read_expected(listing) == {
        "tests/a.py::t1": ("why one", ("crypto", "pure")),
        "tests/a.py::t2": ("why two", ("nocrypto",)),
        "tests/a.py::t3": ("why three", ("crypto", "pure", "nocrypto")),
    }
    listing.write_text("[crypto] tests/a.py::t1\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="expected"):
        jose_runner.read_expected(listing)


def test_jose_report_verdicts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(jose_runner, "JOSE_TOTAL", {"crypto": 5, "nocrypto": 5})
    monkeypatch.setattr(jose_runner, "JOSE_MIN_PASSED", 4)
    listed = {"tests/test_x.py::test_a": ("r", ("crypto", "pure"))}
    assert jose_runner.report("crypto", _outcomes(["tests/test_x.py::test_a"], 4), listed)
    # listed for the runs with cryptography only: unexpected without it
    assert not jose_runner.report("nocrypto", _outcomes(["tests/test_x.py::test_a"], 4), listed)
    monkeypatch.setattr(jose_runner, "JOSE_TOTAL", {"crypto": 6})
    # every failure listed, but fewer than JOSE_MIN_PASSED pass with cryptography
    few = _outcomes(["tests/test_x.py::test_a", "tests/test_x.py::test_b"], 3)
    listed["tests/test_x.py::test_b"] = ("r", ("crypto", "pure"))
    assert not jose_runner.report("crypto", few, listed)
    out = capsys.readouterr().out
    assert "UNEXPECTED FAILURE: tests/test_x.py::test_a" in out
    assert "only 3 passed; the goal is at least 4" in out


# --- the suites of packages built on PyJWT (tests/compat/run_dependent_suites.py) -----------

dep_runner = _load_runner("run_dependent_suites")


def test_the_dependents_not_run_are_few_explained_and_documented() -> None:
    names = [(d.name, d.face) for d in dep_runner.DEPENDENTS]
    assert names == [
        ("flask-jwt-extended", "pyjwt"), ("oauthlib", "pyjwt"),
        ("djangorestframework-simplejwt", "pyjwt"), ("social-auth-core", "pyjwt"),
        ("PyGithub", "pyjwt"), ("auth0-python", "pyjwt"), ("fastapi-users", "pyjwt"),
        ("moto", "jose"),
    ]  # fmt: skip
    for dependent in dep_runner.DEPENDENTS:
        doc = JOSE_DOC if dependent.face == "jose" else DOC
        assert len(dependent.sha256) == 64
        assert int(dependent.sha256, 16) >= 0
        assert f"{dependent.name} {dependent.version}" in doc
        assert f"{dependent.name} {dependent.version}" in (dep_runner.__doc__ or "")
        # Few: at most one test in 25 of a suite is left out.
        assert len(dependent.not_run) * 25 <= dependent.tests
        # The library jwtlite stands in for never comes in: not as a requirement, nor through
        # one (those go in no_deps). python-jose's own requirements neither, for its face.
        library = {"pyjwt": ("pyjwt",), "jose": ("python-jose", "ecdsa", "rsa", "pyasn1")}
        for requirement in dependent.requirements:
            assert not requirement.lower().startswith(library[dependent.face]), requirement
        for not_run in dependent.not_run:
            assert "::" in not_run.test_id
            assert len(not_run.reason) > 40, not_run.test_id
            name = not_run.test_id.rpartition("::")[2]
            assert f"`{name}`" in doc, f"{name} is not explained in the migration guide"


def _junit(path: Path, ran: int, skipped: int) -> None:
    """A junit report as pytest writes it: ``ran`` test cases, ``skipped`` of them skipped."""
    cases = "".join(
        f'<testcase classname="tests.test_a" name="t{i}">'
        + ('<skipped message="s"/>' if i < skipped else "")
        + "</testcase>"
        for i in range(ran)
    )
    path.write_text(f'<testsuites><testsuite name="pytest">{cases}</testsuite></testsuites>')


def _fake_dependent_run(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    listing: str,
    exit_code: int,
    *,
    ran: int | None = None,
    skipped: int = 0,
    refused: str = "",
) -> list[list[str]]:
    """Run run_dependent() without the network: the collection prints ``listing``; the run
    writes a junit report of ``ran`` tests (by default, every one listed but those
    deselected), ``skipped`` of them skipped, and ``refused`` in the offline plugin's log."""
    calls: list[list[str]] = []

    def fake_pytest(python: Path, suite: Path, args: list[str]) -> Any:
        calls.append(args)
        if "--collect-only" in args:
            return subprocess.CompletedProcess(args, 0, listing, "")
        [junit] = [a.partition("=")[2] for a in args if a.startswith("--junitxml=")]
        listed = sum(1 for line in listing.partition("\n\n")[0].splitlines() if "::" in line)
        _junit(Path(junit), listed - args.count("--deselect") if ran is None else ran, skipped)
        if refused:
            (suite / dep_runner.OFFLINE_LOG).write_text(refused, encoding="utf-8")
        return subprocess.CompletedProcess(args, exit_code, "", "")

    suite = tmp_path / "suite"
    suite.mkdir(exist_ok=True)
    monkeypatch.setattr(dep_runner, "unpack_sdist", lambda *a: (tmp_path / "x.tar.gz", suite))
    monkeypatch.setattr(dep_runner, "make_venv", lambda *a: Path("python"))
    monkeypatch.setattr(dep_runner, "place_suite", lambda *a: ["tests"])
    monkeypatch.setattr(dep_runner, "run_pytest", fake_pytest)
    return calls


def test_run_dependent_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = dep_runner.NotRun("tests/test_a.py::T::test_b", "a reason")
    dependent = dep_runner.Dependent("pkg", "1.0", "0" * 64, (), 2, not_run=(listed,))
    both = "tests/test_a.py::T::test_b\ntests/test_a.py::T::test_c\n\n2 tests collected\n"
    calls = _fake_dependent_run(monkeypatch, tmp_path, both, 0)
    assert dep_runner.run_dependent(dependent, tmp_path)
    assert calls[1][-3:] == ["--deselect", "tests/test_a.py::T::test_b", "tests"]
    # a failing test, a count that moved, a listed test the suite no longer has
    _fake_dependent_run(monkeypatch, tmp_path, both, 1)
    assert not dep_runner.run_dependent(dependent, tmp_path)
    _fake_dependent_run(monkeypatch, tmp_path, "tests/test_a.py::T::test_b\n\n1 test\n", 0)
    assert not dep_runner.run_dependent(dependent, tmp_path)
    gone = "tests/test_a.py::T::test_c\ntests/test_a.py::T::test_d\n\n2 tests collected\n"
    _fake_dependent_run(monkeypatch, tmp_path, gone, 0)
    assert not dep_runner.run_dependent(dependent, tmp_path)
    out = capsys.readouterr().out
    assert "not in the suite: tests/test_a.py::T::test_b" in out
    assert "collected 1 tests (expected 2)" in out


def test_run_dependent_pins_what_ran_and_what_the_suite_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A suite that starts skipping itself, or runs fewer tests than it collected, fails: a
    # green exit code alone would hide it.
    listing = "tests/a.py::test_a\ntests/a.py::test_b\ntests/a.py::test_c\n\n3 tests\n"
    dependent = dep_runner.Dependent("pkg", "1.0", "0" * 64, (), 3, skipped=1)
    _fake_dependent_run(monkeypatch, tmp_path, listing, 0, skipped=1)
    assert dep_runner.run_dependent(dependent, tmp_path)
    _fake_dependent_run(monkeypatch, tmp_path, listing, 0, skipped=0)
    assert dep_runner.run_dependent(dependent, tmp_path)  # fewer skips: more tests ran
    _fake_dependent_run(monkeypatch, tmp_path, listing, 0, skipped=2)
    assert not dep_runner.run_dependent(dependent, tmp_path)
    assert "2 skipped by the suite (at most 1)" in capsys.readouterr().out
    _fake_dependent_run(monkeypatch, tmp_path, listing, 0, ran=2)
    assert not dep_runner.run_dependent(dependent, tmp_path)
    assert "2 ran (expected 3)" in capsys.readouterr().out


def test_run_dependent_fails_a_suite_that_reached_for_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The offline plugin refuses the attempt; a suite may catch the error and pass, so the
    # plugin's log decides.
    listing = "tests/a.py::test_a\n\n1 test\n"
    dependent = dep_runner.Dependent("pkg", "1.0", "0" * 64, (), 1)
    _fake_dependent_run(monkeypatch, tmp_path, listing, 0, refused="getaddrinfo 'example.com'\n")
    assert not dep_runner.run_dependent(dependent, tmp_path)
    out = capsys.readouterr().out
    assert "reached for the network (refused): getaddrinfo 'example.com'" in out
    assert "1 network attempts" in out
    _fake_dependent_run(monkeypatch, tmp_path, listing, 0)
    assert dep_runner.run_dependent(dependent, tmp_path)  # the former run's log is gone


_OFFLINE_PROBE = """
import socket, sys
sys.path.insert(0, sys.argv[1])
import _offline
def attempt(call):
    try:
        return repr(call())
    except OSError as exc:
        return type(exc).__name__
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
port = server.getsockname()[1]
print(attempt(lambda: socket.create_connection(("localhost", port), timeout=5).close()))
print(attempt(lambda: socket.create_connection(("192.0.2.1", 443), timeout=5)))
print(attempt(lambda: socket.socket().connect(("192.0.2.1", 443))))
print(attempt(lambda: socket.getaddrinfo("example.com", 443)))
print(attempt(lambda: socket.socket().connect_ex(("192.0.2.1", 80))))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print(attempt(lambda: udp.sendto(b"x", ("192.0.2.1", 53))))
print(attempt(lambda: udp.sendto(b"x", ("127.0.0.1", port))))
print(attempt(lambda: socket.gethostbyname("example.com")))
print(attempt(lambda: socket.gethostbyname_ex("example.com")))
print(attempt(lambda: socket.gethostbyaddr("192.0.2.1")))
print(attempt(lambda: socket.getnameinfo(("192.0.2.1", 443), 0)))
print(attempt(lambda: udp.sendmsg([b"x"], [], 0, ("192.0.2.1", 53))))
print(attempt(lambda: udp.sendmsg([b"x"], [], 0, ("127.0.0.1", port))))
print(attempt(lambda: socket.gethostbyname("localhost")))
print(attempt(lambda: socket.getaddrinfo(host="example.com", port=443)))
print(attempt(lambda: bool(socket.getfqdn())))  # looks this machine's own name up
"""


def test_the_offline_plugin_refuses_and_logs_all_but_loopback(tmp_path: Path) -> None:
    # In a child process: the plugin patches the socket module of the process that loads it.
    log = tmp_path / "offline.log"
    env = {"PATH": "/usr/bin:/bin", "JWTLITE_OFFLINE_LOG": str(log)}
    done = subprocess.run(
        [sys.executable, "-c", _OFFLINE_PROBE, str(HERE / "compat")],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )  # fmt: skip
    # getaddrinfo was not the only way to the resolver: gethostbyname(_ex), gethostbyaddr and
    # getnameinfo queried it unguarded, and sendmsg sent a datagram anywhere.
    assert done.stdout.splitlines() == [
        "None", "gaierror", "OSError", "gaierror", str(errno.ENETUNREACH), "OSError", "1",
        "gaierror", "gaierror", "gaierror", "gaierror", "OSError", "1", "'127.0.0.1'",
        "gaierror", "True",
    ]  # fmt: skip
    assert log.read_text(encoding="utf-8").splitlines() == [
        "getaddrinfo '192.0.2.1'",
        "connect ('192.0.2.1', 443)",
        "getaddrinfo 'example.com'",
        "connect ('192.0.2.1', 80)",
        "sendto ('192.0.2.1', 53)",
        "gethostbyname 'example.com'",
        "gethostbyname_ex 'example.com'",
        "gethostbyaddr '192.0.2.1'",
        "getnameinfo '192.0.2.1'",
        "sendmsg ('192.0.2.1', 53)",
        "getaddrinfo 'example.com'",
    ]


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("localhost", True), ("LOCALHOST.", True), ("api.localhost", True), ("127.0.0.1", True),
        ("127.8.9.10", True), ("::1", True), ("[::1]", True), ("0.0.0.0", True), (None, True),
        (b"localhost", True), ("", True), ("::ffff:192.0.2.1", False), ("192.0.2.1", False),
        ("example.com", False), ("localhost.example", False), ("fe80::1%eth0", False), (5, False),
        (socket.gethostname(), True), (socket.gethostname().upper() + ".", True),
    ],
)  # fmt: skip
def test_the_offline_plugin_knows_this_host(host: Any, local: bool) -> None:
    spec = importlib.util.spec_from_file_location("_offline_probe", HERE / "compat" / "_offline.py")
    assert spec is not None
    text = (HERE / "compat" / "_offline.py").read_text(encoding="utf-8")
    # Only the predicate, without the patching at the end of the module.
    namespace: dict[str, Any] = {"__name__": "_offline_probe"}
    exec(compile(text.partition("\n_connect = ")[0], str(spec.origin), "exec"), namespace)  # noqa: S102
    assert namespace["is_local"](host) is local


def test_run_dependent_passes_the_suite_s_own_pytest_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PyGithub's python_files option lives in its pyproject.toml, which is not unpacked.
    dependent = dep_runner.Dependent(
        "pkg", "1.0", "0" * 64, (), 1, pytest_args=("-o", "python_files=tests/*.py")
    )
    calls = _fake_dependent_run(monkeypatch, tmp_path, "tests/a.py::test_a\n\n1 test\n", 0)
    assert dep_runner.run_dependent(dependent, tmp_path)
    for args in calls:  # the collection and the run
        assert args[-3:] == ["-o", "python_files=tests/*.py", "tests"]


def test_run_dependent_installs_the_face_of_its_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A dependent of python-jose gets install_as_jose(), one of PyJWT install_as_pyjwt(); only
    # ``paths`` of the suite run.
    dependent = dep_runner.Dependent(
        "pkg", "1.0", "0" * 64, (), 1, face="jose", paths=("tests/test_a",)
    )
    monkeypatch.setattr(dep_runner, "unpack_sdist", lambda *a: (tmp_path / "x.tar.gz", tmp_path))
    monkeypatch.setattr(dep_runner, "make_venv", lambda *a: Path("python"))
    calls: list[list[str]] = []

    def fake_pytest(python: Path, suite: Path, args: list[str]) -> Any:
        calls.append(args)
        for arg in args:
            if arg.startswith("--junitxml="):
                _junit(Path(arg.partition("=")[2]), 1, 0)
        return subprocess.CompletedProcess(args, 0, "tests/test_a/t.py::test_a\n\n1 test\n", "")

    monkeypatch.setattr(dep_runner, "run_pytest", fake_pytest)
    assert dep_runner.run_dependent(dependent, tmp_path)
    plugin = (tmp_path / "jwtlite_as_jose.py").read_text(encoding="utf-8")
    assert "jwtlite.install_as_jose()" in plugin
    assert not (tmp_path / "jwtlite_as_jwt.py").exists()
    for args in calls:  # the collection and the run
        plugins = [args[i + 1] for i, arg in enumerate(args) if arg == "-p"]
        assert plugins == ["jwtlite_offline", "jwtlite_as_jose"]
        assert args[-1] == "tests/test_a"
    assert dep_runner.FACES["pyjwt"].plugin.endswith("jwtlite.install_as_pyjwt()\n")
    assert dep_runner.FACES["jose"].forbidden == ("jose", "ecdsa", "rsa", "pyasn1")


def test_unpack_sdist_takes_the_suite_and_the_data_files_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto's Cognito tests open moto/cognitoidp/resources/jwks-public.json by its path in the
    # sdist: that folder's data comes along, never its code (the installed package is tested).
    import hashlib
    import io
    import tarfile

    shared = sys.modules["_suite_runner"]
    dist = tmp_path / "work" / "dist"
    dist.mkdir(parents=True)
    archive = dist / "pkg-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in (
            "tests/test_a.py", "pkg/__init__.py", "pkg/res/keys.json", "pkg/res/code.py",
            "pkg/other.json",
        ):  # fmt: skip
            data = name.encode()
            info = tarfile.TarInfo(f"pkg-1.0/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: None)  # the download: already here
    _, suite = shared.unpack_sdist("pkg", "1.0", digest, tmp_path / "work", "tests", ("pkg/res",))
    found = sorted(str(p.relative_to(suite)) for p in suite.rglob("*") if p.is_file())
    assert found == ["pkg/res/keys.json", "tests/test_a.py"]
    with pytest.raises(SystemExit, match="sha256 mismatch"):
        shared.unpack_sdist("pkg", "1.0", "0" * 64, tmp_path / "work")


def test_run_in_children_runs_each_dependent_in_a_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # --jobs 2: one child process per dependent, two at a time, sharing one jwtlite wheel;
    # a child's exit status is its dependent's verdict, its output printed whole.
    started: list[list[str]] = []

    class FakeChild:
        def __init__(self, command: list[str], stdout: Any, stderr: Any) -> None:
            started.append(command)
            self.name = command[command.index("--only") + 1]
            stdout.write(f"output of {self.name}\n".encode())
            self.returncode = 1 if self.name == "b" else 0

        def poll(self) -> int:
            return self.returncode

    monkeypatch.setattr(subprocess, "Popen", FakeChild)
    monkeypatch.setattr(dep_runner.time, "sleep", lambda _: None)
    wheel = tmp_path / "jwtlite-1.0-py3-none-any.whl"
    monkeypatch.setitem(dep_runner._WHEELS, tmp_path, wheel)
    chosen = [dep_runner.Dependent(n, "1.0", "0" * 64, (), 1) for n in ("a", "b", "c")]
    assert dep_runner.run_in_children(chosen, tmp_path, 2) == {"a": True, "b": False, "c": True}
    assert len(started) == 3
    for command in started:
        assert command[command.index("--jwtlite-wheel") + 1] == str(wheel)
    out = capsys.readouterr().out
    assert all(f"output of {n}" in out for n in ("a", "b", "c"))


def test_run_in_children_runs_at_most_jobs_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each child lives two polls: --jobs 2 keeps two running while any wait, never three.
    alive: list[Any] = []
    peak: list[int] = []

    class FakeChild:
        def __init__(self, command: list[str], stdout: Any, stderr: Any) -> None:
            self.polls = 0
            self.returncode: int | None = None
            alive.append(self)
            peak.append(len(alive))

        def poll(self) -> int | None:
            self.polls += 1
            if self.polls >= 2 and self.returncode is None:
                self.returncode = 0
                alive.remove(self)
            return self.returncode

    monkeypatch.setattr(subprocess, "Popen", FakeChild)
    monkeypatch.setattr(dep_runner.time, "sleep", lambda _: None)
    monkeypatch.setitem(dep_runner._WHEELS, tmp_path, tmp_path / "jwtlite-1.0-py3-none-any.whl")
    chosen = [dep_runner.Dependent(n, "1.0", "0" * 64, (), 1) for n in "abcde"]
    assert dep_runner.run_in_children(chosen, tmp_path, 2) == dict.fromkeys("abcde", True)
    assert max(peak) == 2
    assert len(peak) == 5
    assert not alive


def test_run_in_children_kills_a_hung_dependent_and_fails_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A suite that hangs must not hang CI in silence: past the deadline its child is killed,
    # its log printed, and it fails; the other runs on.
    live: list[Any] = []

    class FakeChild:
        def __init__(self, command: list[str], stdout: Any, stderr: Any) -> None:
            self.name = command[command.index("--only") + 1]
            stdout.write(f"output of {self.name}\n".encode())
            self.returncode: int | None = None if self.name == "hung" else 0
            live.append(self)

        def poll(self) -> int | None:
            return self.returncode

        def kill(self) -> None:
            self.returncode = -9

        def wait(self) -> int | None:
            return self.returncode

    clock = [0.0]

    def tick(_: float) -> None:
        clock[0] += 400.0

    monkeypatch.setattr(subprocess, "Popen", FakeChild)
    monkeypatch.setattr(dep_runner.time, "sleep", tick)
    monkeypatch.setattr(dep_runner.time, "monotonic", lambda: clock[0])
    monkeypatch.setitem(dep_runner._WHEELS, tmp_path, tmp_path / "jwtlite-1.0-py3-none-any.whl")
    chosen = [dep_runner.Dependent(n, "1.0", "0" * 64, (), 1) for n in ("ok", "hung")]
    assert dep_runner.run_in_children(chosen, tmp_path, 2) == {"ok": True, "hung": False}
    out = capsys.readouterr().out
    assert "[hung] started" in out
    assert "output of hung" in out
    assert f"[hung] killed after {dep_runner.CHILD_DEADLINE:.0f} s: FAILED" in out
    assert [(c.name, c.returncode) for c in live] == [("hung", -9), ("ok", 0)]
