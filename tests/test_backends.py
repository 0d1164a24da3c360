"""Backend selection: set_backend, JWTLITE_BACKEND, the automatic choice, and life without
cryptography.

The cryptography adapter and the cryptography-object bridge are tested in
test_backend_cryptography.py; Wycheproof runs against both backends in the RSA and EC test
modules (through the ``backend`` fixture).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING, Callable

import pytest
from conftest import BACKEND_NAMES

from jwtlite import backends as backends_mod
from jwtlite.backends import available_backends, get_backend, set_backend
from jwtlite.exceptions import BackendUnavailableError

if TYPE_CHECKING:
    pass

HAS_CRYPTOGRAPHY = importlib.util.find_spec("cryptography") is not None


def _run_python(
    code: str, *, block_cryptography: bool = False, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter, so module-level selection state starts empty.

    ``block_cryptography`` makes ``import cryptography`` fail there, as if it were not installed.
    """
    environ = {k: v for k, v in os.environ.items() if k != "JWTLITE_BACKEND"}
    environ.update(env)
    prefix = "import sys; sys.modules['cryptography'] = None\n" if block_cryptography else ""
    return subprocess.run(
        [sys.executable, "-c", prefix + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        check=False,
    )


# --- selection -------------------------------------------------------------------------------


@pytest.fixture
def fresh_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the process-wide choice; monkeypatch puts the old one back afterwards."""
    monkeypatch.setattr(backends_mod, "_chosen", None)
    monkeypatch.delenv("JWTLITE_BACKEND", raising=False)


@pytest.mark.usefixtures("fresh_selection")
def test_automatic_selection_prefers_cryptography() -> None:
    expected = "cryptography" if HAS_CRYPTOGRAPHY else "pure"
    assert get_backend().name == expected
    assert get_backend() is get_backend()


@pytest.mark.usefixtures("fresh_selection")
@pytest.mark.parametrize("name", BACKEND_NAMES)
@pytest.mark.parametrize("spelling", [str, str.upper, lambda name: f" {name}\n"])
def test_environment_overrides(
    monkeypatch: pytest.MonkeyPatch, name: str, spelling: Callable[[str], str]
) -> None:
    monkeypatch.setenv("JWTLITE_BACKEND", spelling(name))
    assert get_backend().name == name


@pytest.mark.usefixtures("fresh_selection")
def test_environment_unknown_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWTLITE_BACKEND", "openssl")
    with pytest.raises(BackendUnavailableError, match="unknown backend 'openssl'"):
        get_backend()


@pytest.mark.usefixtures("fresh_selection")
@pytest.mark.parametrize("name", BACKEND_NAMES)
def test_set_backend_beats_environment(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    other = "pure" if name == "cryptography" else "cryptography"
    monkeypatch.setenv("JWTLITE_BACKEND", other if HAS_CRYPTOGRAPHY else "pure")
    chosen = set_backend(name)
    assert chosen is not None
    assert chosen.name == name
    assert get_backend() is chosen
    assert set_backend(None) is None
    assert get_backend().name == (other if HAS_CRYPTOGRAPHY else "pure")


@pytest.mark.usefixtures("fresh_selection")
def test_set_backend_unknown_name_keeps_choice() -> None:
    before = get_backend()
    with pytest.raises(BackendUnavailableError, match="choose one of pure, cryptography"):
        set_backend("libsodium")
    assert get_backend() is before


def test_get_backend_by_name_does_not_change_the_choice() -> None:
    current = get_backend()
    for name in BACKEND_NAMES:
        assert get_backend(name).name == name
        assert get_backend(name) is get_backend(name)
    assert get_backend() is current


def test_available_backends() -> None:
    assert available_backends() == BACKEND_NAMES


def test_without_cryptography() -> None:
    result = _run_python(
        """
        from jwtlite.backends import available_backends, get_backend, set_backend
        from jwtlite.exceptions import BackendUnavailableError
        print(get_backend().name, available_backends())
        for ask in (lambda: set_backend("cryptography"), lambda: get_backend("cryptography")):
            try:
                ask()
            except BackendUnavailableError as exc:
                print("refused:", exc)
        """,
        block_cryptography=True,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "pure ['pure']"
    assert len(lines) == 3
    for line in lines[1:]:
        assert line.startswith("refused: the 'cryptography' backend was requested")


def test_environment_asking_for_missing_cryptography() -> None:
    code = "from jwtlite.backends import get_backend; get_backend()"
    result = _run_python(code, block_cryptography=True, JWTLITE_BACKEND="cryptography")
    assert result.returncode == 1
    assert "BackendUnavailableError" in result.stderr


def test_fresh_process_honours_environment_and_never_imports_cryptography() -> None:
    result = _run_python(
        """
        import sys
        import jwtlite, jwtlite.keys, jwtlite.backends
        from jwtlite._crypto_objects import from_cryptography_key
        assert from_cryptography_key(object()) is None
        assert from_cryptography_key(b"-----BEGIN PUBLIC KEY-----") is None
        print(jwtlite.backends.get_backend().name)
        print(sorted(m for m in sys.modules if m.split(".")[0] == "cryptography"))
        """,
        JWTLITE_BACKEND="pure",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["pure", "[]"]
