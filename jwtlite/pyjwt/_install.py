"""``install_as_pyjwt()``: this face under the module names ``jwt`` and ``jwt.<submodule>``.

The pattern of PyMySQL's ``install_as_MySQLdb()``: after the call, ``import jwt`` anywhere in
the process (a framework, a library) gets jwtlite. A different ``jwt`` that is already
imported is never replaced: objects of both would then meet in one process.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from .._install_face import install_modules
from . import SUBMODULES

__all__ = ["install_as_pyjwt"]

_FACE = __name__.rpartition(".")[0]


def install_as_pyjwt() -> None:
    """Register jwtlite's PyJWT face as ``jwt`` and every ``jwt.<submodule>``; idempotent.

    Raises:
        ModuleConflictError: a different module is already imported as ``jwt`` (or as one of
            its submodules), for example PyJWT itself. Call this before anything imports jwt.
    """
    wanted: dict[str, ModuleType] = {"jwt": import_module(_FACE)}
    for name in SUBMODULES:
        wanted[f"jwt.{name}"] = import_module(f"{_FACE}.{name}")
    install_modules(wanted, installer="install_as_pyjwt", top="jwt")
