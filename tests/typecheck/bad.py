"""Each line marked ``error`` must be reported by mypy --strict (see tests/test_typing.py)."""

from __future__ import annotations

import jwtlite


def mistakes(token: str) -> None:
    jwtlite.encdoe({"a": 1}, "k")  # error
    jwtlite.generate_key("HS256").public_key()  # error
    jwtlite.decode(token, "k", algorithms=["HS256"], options={"verify_expiry": False})  # error
    jwtlite.PyJWT(options={"require": "exp"})  # error
