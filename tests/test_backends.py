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
from typing import TYPE_CHECKING, Any, Callable

import pytest
from conftest import BACKEND_NAMES, key_pem

import jwtlite
from jwtlite import backends as backends_mod
from jwtlite import dpop as dpop_mod
from jwtlite._cache import cache_sizes
from jwtlite.backends import available_backends, get_backend, set_backend
from jwtlite.dpop import DPoPKey, verify_proof
from jwtlite.exceptions import BackendUnavailableError
from jwtlite.keys import load_key

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


def _record_ecdsa_verify(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each backend's ECDSA verification records its name in the list returned, then answers."""
    answered: list[str] = []
    for name in BACKEND_NAMES:
        kind = type(get_backend(name))

        def recording(self: Any, *args: Any, _verify: Any = kind.ecdsa_verify) -> bool:
            answered.append(self.name)
            return bool(_verify(self, *args))

        monkeypatch.setattr(kind, "ecdsa_verify", recording)
    return answered


@pytest.mark.skipif(len(BACKEND_NAMES) < 2, reason="needs both backends")
@pytest.mark.usefixtures("fresh_selection")
def test_set_backend_rebinds_a_dpop_proof_key_seen_before(monkeypatch: pytest.MonkeyPatch) -> None:
    # The DPoP proof-key cache keeps, per proof header, the verifier bound to the backend
    # chosen when the header was first seen: after set_backend, every client seen before was
    # still verified by the old backend. Each backend records the calls it answers.
    answered = _record_ecdsa_verify(monkeypatch)
    jwtlite.clear_caches()
    htu = "https://rs.example/things"
    proof = DPoPKey(load_key(key_pem("ec_p256.pem"))).proof("GET", htu, iat=1_700_000_000)
    order = ["pure", "cryptography", "pure"]
    for name in order:
        set_backend(name)
        verify_proof(proof, htm="GET", htu=htu, store=None, now=1_700_000_000)
    assert answered == order
    # Only what holds a backend's objects is dropped: the parsed key texts stay.
    secret = "s" * 32
    jwtlite.decode(jwtlite.encode({}, secret), secret, algorithms=["HS256"])
    before = cache_sizes()
    assert before["DPoP proof keys"][0] == before["bound verifiers"][0] == 1
    set_backend("cryptography")
    after = cache_sizes()
    assert after["DPoP proof keys"][0] == after["bound verifiers"][0] == 0
    assert after["parsed key texts"] == before["parsed key texts"] != (0, 256)


@pytest.mark.skipif(len(BACKEND_NAMES) < 2, reason="needs both backends")
@pytest.mark.usefixtures("fresh_selection")
def test_a_switch_while_a_proof_key_is_built_does_not_keep_the_old_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # set_backend() empties the proof-key cache, but a verification running in another thread
    # may have built its verifier on the old backend just before, and store it just after: the
    # entry then outlived the switch, and that client stayed on the old backend for good. Here
    # the switch lands between the build and the store.
    answered = _record_ecdsa_verify(monkeypatch)
    build = dpop_mod._load_proof_key

    def switching_after_build(*args: Any) -> Any:
        built = build(*args)
        set_backend("cryptography")  # what another thread does meanwhile
        return built

    jwtlite.clear_caches()
    set_backend("pure")
    htu = "https://rs.example/things"
    proof = DPoPKey(load_key(key_pem("ec_p256.pem"))).proof("GET", htu, iat=1_700_000_000)
    monkeypatch.setattr(dpop_mod, "_load_proof_key", switching_after_build)
    verify_proof(proof, htm="GET", htu=htu, store=None, now=1_700_000_000)
    monkeypatch.setattr(dpop_mod, "_load_proof_key", build)
    verify_proof(proof, htm="GET", htu=htu, store=None, now=1_700_000_000)
    assert answered == ["pure", "cryptography"]
