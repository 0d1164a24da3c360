"""Backend selection: set_backend, JWTLITE_BACKEND, the automatic choice, and life without
cryptography.

The cryptography adapter and the cryptography-object bridge are tested in
test_backend_cryptography.py; Wycheproof runs against both backends in the RSA and EC test
modules (through the ``backend`` fixture).
"""

from __future__ import annotations

import importlib.util
import os
import re
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
from jwtlite._keymodel import OKPPrivateKey
from jwtlite.backends import Backend, available_backends, get_backend, set_backend
from jwtlite.backends.pure import PureBackend
from jwtlite.dpop import DPoPKey, verify_proof
from jwtlite.exceptions import BackendUnavailableError, InvalidKeyError
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
    """Forget the process-wide choice and the loaded backends; monkeypatch puts the old ones
    back afterwards."""
    monkeypatch.setattr(backends_mod, "_chosen", None)
    monkeypatch.setattr(backends_mod, "_instances", {})
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


@pytest.mark.usefixtures("fresh_selection")
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


@pytest.mark.usefixtures("fresh_selection")
def test_without_cryptography_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same as above without a subprocess, so that the selection code runs in this process
    # (mutation testing maps only in-process calls): the adapter module cannot be imported.
    monkeypatch.setitem(sys.modules, "jwtlite.backends.cryptography", None)
    missing = (
        "the 'cryptography' backend was requested but the cryptography package is not "
        "installed (pip install 'jwtlite[crypto]')"
    )
    assert get_backend().name == "pure"
    assert available_backends() == ["pure"]
    for ask in (lambda: set_backend("cryptography"), lambda: get_backend("cryptography")):
        with pytest.raises(BackendUnavailableError, match=f"^{re.escape(missing)}$") as caught:
            ask()
        assert isinstance(caught.value.__cause__, ImportError)
    assert get_backend().name == "pure"
    monkeypatch.setenv("JWTLITE_BACKEND", "cryptography")
    monkeypatch.setattr(backends_mod, "_chosen", None)
    with pytest.raises(BackendUnavailableError, match=f"^{re.escape(missing)}$"):
        get_backend()


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


# --- The pure backend's dispatch (mutation testing: "The pure backend: RSA") ---------------


def _pure_and_reference() -> tuple[Backend, Backend]:
    return PureBackend(), get_backend("cryptography")


@pytest.mark.skipif(not HAS_CRYPTOGRAPHY, reason="compares with the cryptography backend")
def test_pure_dispatch_matches_the_cryptography_backend() -> None:
    # Every PureBackend method hands its arguments, in order, to the right module: each
    # deterministic answer equals the cryptography backend's, randomised ones cross-verify.
    pure, ref = _pure_and_reference()
    assert pure.name == "pure"
    key, iv, aad, text = bytes(range(32)), bytes(range(12)), b"aad", b"plaintext!" * 3
    assert pure.aes_gcm_encrypt(key, iv, text, aad) == ref.aes_gcm_encrypt(key, iv, text, aad)
    ct, tag = ref.aes_gcm_encrypt(key, iv, text, aad)
    assert pure.aes_gcm_decrypt(key, iv, ct, aad, tag) == text
    assert pure.aes_gcm_decrypt(key, iv, ct, b"other", tag) is None
    block_iv = bytes(range(16))
    cbc = ref.aes_cbc_encrypt(key[:16], block_iv, text)
    assert pure.aes_cbc_encrypt(key[:16], block_iv, text) == cbc
    assert pure.aes_cbc_decrypt(key[:16], block_iv, cbc) == text
    wrapped = ref.aes_key_wrap(key[:24], key)
    assert pure.aes_key_wrap(key[:24], key) == wrapped
    assert pure.aes_key_unwrap(key[:24], wrapped) == key
    for curve in ("P-256", "P-384"):
        mine, theirs = pure.generate_ec(curve), ref.generate_ec(curve)
        assert (mine.curve, theirs.curve) == (curve, curve)
        assert pure.ec_public_point(curve, mine.d) == (mine.x, mine.y)
        assert ref.ec_public_point(curve, mine.d) == (mine.x, mine.y)
        shared = pure.ecdh(mine, theirs.public_key())
        assert shared == ref.ecdh(theirs, mine.public_key())
        signature = pure.ecdsa_sign(mine, "sha256", b"m")
        assert ref.ecdsa_verify(mine.public_key(), "sha256", b"m", signature)
        signature = ref.ecdsa_sign(mine, "sha384", b"m")
        assert pure.ecdsa_verify(mine.public_key(), "sha384", b"m", signature)
        assert not pure.ecdsa_verify(mine.public_key(), "sha384", b"n", signature)
    seed = bytes(range(57))
    for curve, size in (("Ed25519", 32), ("Ed448", 57)):
        public = pure.eddsa_public_key(curve, seed[:size])
        assert public == ref.eddsa_public_key(curve, seed[:size])
        mine = pure.generate_okp(curve)
        assert mine.curve == curve
        assert mine.x == ref.eddsa_public_key(curve, mine.d)
        signature = pure.eddsa_sign(mine, b"m")
        assert signature == ref.eddsa_sign(mine, b"m")
        assert pure.eddsa_verify(mine.public_key(), b"m", signature)
        assert not pure.eddsa_verify(mine.public_key(), b"n", signature)
    for curve, size in (("X25519", 32), ("X448", 56)):
        mine, theirs = pure.generate_okp(curve), ref.generate_okp(curve)
        assert mine.curve == curve
        assert pure.xdh_public_key(curve, mine.d) == mine.x
        assert ref.xdh_public_key(curve, mine.d) == mine.x
        shared = pure.xdh(mine, theirs.public_key())
        assert shared == ref.xdh(theirs, mine.public_key())
        assert len(shared) == size


def test_pure_dispatch_refusals() -> None:
    pure = PureBackend()
    x25519 = pure.generate_okp("X25519")
    signature = pure.eddsa_sign(pure.generate_okp("Ed25519"), b"m")
    # RFC 8037 §3.2: an X25519 key is a key-agreement key; it never signs nor verifies.
    with pytest.raises(InvalidKeyError) as info:
        pure.eddsa_sign(x25519, b"m")
    assert str(info.value) == "unsupported OKP curve for EdDSA 'X25519'"
    assert pure.eddsa_verify(x25519.public_key(), b"m", signature) is False
    x448 = OKPPrivateKey("X448", bytes(56), bytes(56)).public_key()
    assert pure.eddsa_verify(x448, b"m", bytes(114)) is False
    with pytest.raises(InvalidKeyError) as info:
        pure.generate_okp("P-256")
    assert str(info.value) == "unsupported OKP curve 'P-256'"
    with pytest.raises(InvalidKeyError) as info:
        pure.eddsa_public_key("X25519", bytes(32))
    assert str(info.value) == "unsupported OKP curve 'X25519'"
    # The AES sizes are checked before any work, naming the mode (_aes_sizes.check_key_and_iv).
    key = bytes(16)
    gcm_iv = "an AES-GCM IV must be 12 bytes, not 16"
    cbc_iv = "an AES-CBC IV must be 16 bytes, not 12"
    key_size = "an AES key must be 16, 24 or 32 bytes, not 15"
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: pure.aes_gcm_encrypt(key, bytes(16), b"", b""), gcm_iv),
        (lambda: pure.aes_gcm_decrypt(key, bytes(16), b"", b"", bytes(16)), gcm_iv),
        (lambda: pure.aes_cbc_encrypt(key, bytes(12), b""), cbc_iv),
        (lambda: pure.aes_cbc_decrypt(key, bytes(12), bytes(16)), cbc_iv),
        (lambda: pure.aes_gcm_encrypt(bytes(15), bytes(12), b"", b""), key_size),
        (lambda: pure.aes_cbc_decrypt(bytes(15), bytes(16), bytes(16)), key_size),
    ]
    for call, text in cases:
        with pytest.raises(InvalidKeyError) as info:
            call()
        assert str(info.value) == text
    assert len(cases) == 6
