"""HS256 decode and encode: jwtlite vs PyJWT vs a bare stdlib floor (issue 2).

Run: ``python tests/benchmarks/bench_hmac.py``. A report, not a test: it always exits 0.

Every contender gets the same token, the same payload (``sub``, ``name``, ``iat``, ``exp``,
``iss``, ``aud``) and the same 32-byte key. Both libraries decode with ``audience=`` and
``issuer=`` checking. The floor does only the unavoidable work (split, base64url, JSON, HMAC)
with no checks at all, so no real decoder can beat it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import _timing

import jwtlite

KEY = hashlib.sha256(b"jwtlite benchmark key").digest()  # 32 bytes, fixed for reproducibility
ISSUER = _timing.ISSUER
AUDIENCE = _timing.AUDIENCE
PAYLOAD = _timing.PAYLOAD


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def floor_decode(token: str) -> dict[str, Any]:
    """The stdlib floor: no size limit, no strictness, no claim checks."""
    header_b64, payload_b64, sig_b64 = token.split(".")
    json.loads(_b64decode(header_b64))
    payload: dict[str, Any] = json.loads(_b64decode(payload_b64))
    signing_input = f"{header_b64}.{payload_b64}".encode()
    expected = hmac.digest(KEY, signing_input, "sha256")
    if not hmac.compare_digest(expected, _b64decode(sig_b64)):
        raise ValueError("bad signature")
    return payload


def _decode_contenders(token: str, pyjwt: Any) -> list[tuple[str, Any]]:
    contenders: list[tuple[str, Any]] = [
        (
            "jwtlite.decode",
            lambda: jwtlite.decode(
                token, KEY, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER
            ),
        ),
        ("stdlib floor", lambda: floor_decode(token)),
    ]
    if pyjwt is not None:
        contenders.insert(
            1,
            (
                "PyJWT decode",
                lambda: pyjwt.decode(
                    token, KEY, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER
                ),
            ),
        )
    for name, fn in contenders:
        if fn() != PAYLOAD:  # every contender must do the same job before it is timed
            raise SystemExit(f"{name} did not return the payload")
    return contenders


def _encode_contenders(pyjwt: Any) -> list[tuple[str, Any]]:
    contenders: list[tuple[str, Any]] = [
        ("jwtlite.encode", lambda: jwtlite.encode(PAYLOAD, KEY, algorithm="HS256")),
    ]
    if pyjwt is not None:
        contenders.append(("PyJWT encode", lambda: pyjwt.encode(PAYLOAD, KEY, algorithm="HS256")))
        same = contenders[0][1]() == contenders[1][1]()
        print(f"jwtlite and PyJWT produce byte-identical tokens: {same}")
    return contenders


def main() -> None:
    _timing.header_line("bench_hmac.py: HS256")
    pyjwt = _timing.optional_import("jwt", "PyJWT")
    versions = {"jwtlite": jwtlite.__version__}
    if pyjwt is not None:
        versions["PyJWT"] = pyjwt.__version__
    _timing.print_machine(versions)

    token = jwtlite.encode(PAYLOAD, KEY, algorithm="HS256")
    print(f"token: {len(token)} characters, key: {len(KEY)} bytes\n")

    decode = _timing.run(_decode_contenders(token, pyjwt))
    _timing.print_table("HS256 decode (audience + issuer checked)", decode, "jwtlite.decode")
    encode = _timing.run(_encode_contenders(pyjwt))
    _timing.print_table("HS256 encode", encode, "jwtlite.encode")

    _timing.print_goals(
        [
            _timing.Goal("decode <= 0.33x PyJWT", "jwtlite.decode", "PyJWT decode", 0.33),
            _timing.Goal("decode <= 1.5x stdlib floor", "jwtlite.decode", "stdlib floor", 1.5),
        ],
        decode,
    )
    _timing.print_goals(
        [_timing.Goal("encode <= 0.67x PyJWT", "jwtlite.encode", "PyJWT encode", 0.67)], encode
    )


if __name__ == "__main__":
    main()
