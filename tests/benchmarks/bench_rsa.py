"""RS256 on a 2048-bit key: the pure backend against the bare arithmetic, and the
``cryptography`` backend against PyJWT (issue 3).

Run: ``python tests/benchmarks/bench_rsa.py``. A report, not a test: it always exits 0.

The floors are the modular exponentiations no RSA implementation can skip: one
``pow(s, 65537, n)`` to verify, and the CRT pair ``pow(m, dp, p)``, ``pow(m, dq, q)`` to sign.
The key is ``tests/vectors/keys/rsa2048.pem``; the public PEM string (SPKI, from
``formats.json``) is passed to every decode call, as a web service reading its key from
configuration would.
"""

from __future__ import annotations

from typing import Any

import _timing

import jwtlite
from jwtlite.backends import get_backend, set_backend
from jwtlite.keys import RSAPrivateKey, RSAPublicKey

KEYS = _timing.KEYS
PRIVATE_PEM = (KEYS / "rsa2048.pem").read_text()
PUBLIC_PEM = _timing.FORMATS["rsa2048"]["spki_pem"]
PAYLOAD = _timing.PAYLOAD
CHECKS = _timing.CHECKS


def _pure_section(key: RSAPrivateKey, rsa_mod: Any) -> tuple[dict[str, _timing.Stats], ...]:
    set_backend("pure")
    backend = get_backend("pure")
    token = jwtlite.encode(PAYLOAD, PRIVATE_PEM, algorithm="RS256")
    head, body, sig = token.split(".")
    message = f"{head}.{body}".encode()
    s = int.from_bytes(jwtlite.b64url.b64url_decode(sig), "big")
    n = key.n
    assert jwtlite.decode(token, PUBLIC_PEM, algorithms=["RS256"], **CHECKS) == PAYLOAD
    public = key.public_key()
    verify = _timing.run(
        [
            ("pure jwtlite.decode", lambda: jwtlite.decode(
                token, PUBLIC_PEM, algorithms=["RS256"], **CHECKS)),
            ("pure rsa_pkcs1v15_verify", lambda: backend.rsa_pkcs1v15_verify(
                public, "sha256", message, jwtlite.b64url.b64url_decode(sig))),
            ("bare pow(s, 65537, n)", lambda: pow(s, 65537, n)),
        ]
    )  # fmt: skip
    _timing.print_table("RS256 verify, pure backend", verify, "bare pow(s, 65537, n)")

    m = int.from_bytes(message[:200], "big") % n  # any value below n costs the same
    p, q, dp, dq = key.p, key.q, key.dp, key.dq
    contenders: list[tuple[str, Any]] = [
        ("pure rsa_pkcs1v15_sign", lambda: backend.rsa_pkcs1v15_sign(key, "sha256", message)),
        ("pure jwtlite.encode", lambda: jwtlite.encode(PAYLOAD, PRIVATE_PEM, algorithm="RS256")),
        ("bare CRT pow pair", lambda: (pow(m, dp, p), pow(m, dq, q))),
    ]
    if rsa_mod is not None:
        peer_key = rsa_mod.PrivateKey(key.n, key.e, key.d, key.p, key.q)
        contenders.append(
            ("python-rsa rsa.sign", lambda: rsa_mod.sign(message, peer_key, "SHA-256"))
        )
    sign = _timing.run(contenders)
    _timing.print_table("RS256 sign, pure backend", sign, "bare CRT pow pair")
    return verify, sign


def _cryptography_section(pyjwt: Any) -> dict[str, _timing.Stats] | None:
    try:
        set_backend("cryptography")
    except jwtlite.exceptions.BackendUnavailableError:
        print("SKIP: the cryptography backend is unavailable; its rows are omitted\n")
        return None
    backend = get_backend("cryptography")
    token = jwtlite.encode(PAYLOAD, PRIVATE_PEM, algorithm="RS256")
    head, body, sig = token.split(".")
    message, signature = f"{head}.{body}".encode(), jwtlite.b64url.b64url_decode(sig)
    public = jwtlite.load_key(PUBLIC_PEM)
    assert isinstance(public, RSAPublicKey)
    contenders: list[tuple[str, Any]] = [
        ("cryptography jwtlite.decode", lambda: jwtlite.decode(
            token, PUBLIC_PEM, algorithms=["RS256"], **CHECKS)),
        ("cryptography rsa_pkcs1v15_verify", lambda: backend.rsa_pkcs1v15_verify(
            public, "sha256", message, signature)),
    ]  # fmt: skip
    if pyjwt is not None:
        contenders.append(
            ("PyJWT decode", lambda: pyjwt.decode(
                token, PUBLIC_PEM, algorithms=["RS256"], **CHECKS)),
        )  # fmt: skip
    for name, fn in contenders:
        if fn() not in (PAYLOAD, True):
            raise SystemExit(f"{name} did not return the payload")
    stats = _timing.run(contenders)
    _timing.print_table(
        "RS256 decode, PEM string passed on every call", stats, "cryptography jwtlite.decode"
    )
    return stats


def main() -> None:
    _timing.header_line("bench_rsa.py: RS256, 2048-bit key")
    pyjwt = _timing.optional_import("jwt", "PyJWT")
    rsa_mod = _timing.optional_import("rsa", "python-rsa")
    crypto = _timing.optional_import("cryptography", "cryptography")
    versions = {"jwtlite": jwtlite.__version__}
    for label, mod in (("PyJWT", pyjwt), ("python-rsa", rsa_mod), ("cryptography", crypto)):
        if mod is not None:
            versions[label] = mod.__version__
    _timing.print_machine(versions)

    key = jwtlite.load_key(PRIVATE_PEM)
    assert isinstance(key, RSAPrivateKey)
    verify, sign = _pure_section(key, rsa_mod)
    remote = _cryptography_section(pyjwt)
    set_backend(None)

    _timing.print_goals(
        [
            _timing.Goal(
                "pure RS256 decode <= 1.3x bare pow(s, e, n)",
                "pure jwtlite.decode", "bare pow(s, 65537, n)", 1.3,
            ),
        ],
        verify,
    )  # fmt: skip
    _timing.print_goals(
        [
            _timing.Goal(
                "pure RS256 sign (backend call) <= 1.3x bare CRT pow pair",
                "pure rsa_pkcs1v15_sign", "bare CRT pow pair", 1.3,
            ),
            _timing.Goal(
                "pure full jwtlite.encode vs bare CRT pow pair",
                "pure jwtlite.encode", "bare CRT pow pair", 1.3, info=True,
            ),
            _timing.Goal(
                "python-rsa rsa.sign vs pure rsa_pkcs1v15_sign",
                "python-rsa rsa.sign", "pure rsa_pkcs1v15_sign", 0, info=True,
            ),
        ],
        sign,
    )  # fmt: skip
    _timing.print_goals(
        [
            _timing.Goal(
                "cryptography RS256 decode, PEM each call, <= 0.4x PyJWT",
                "cryptography jwtlite.decode", "PyJWT decode", 0.4,
            ),
        ],
        remote or {},
    )  # fmt: skip


if __name__ == "__main__":
    main()
