"""``install_as_jose()``: this face under the module names ``jose`` and ``jose.<submodule>``.

As ``install_as_pyjwt()`` does for ``jwt``: after the call, ``import jose`` anywhere in the
process gets jwtlite. A different ``jose`` that is already imported (python-jose itself) is
never replaced: objects of both would then meet in one process.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from .._install_face import install_modules
from . import SUBMODULES

__all__ = ["install_as_jose"]

_FACE = __name__.rpartition(".")[0]


def _face_modules() -> dict[str, ModuleType]:
    wanted: dict[str, ModuleType] = {"jose": import_module(_FACE)}
    for name in SUBMODULES:
        try:
            wanted[f"jose.{name}"] = import_module(f"{_FACE}.{name}")
        except ImportError:
            if name != "backends.cryptography_backend":
                raise
            # Without cryptography, ``import jose.backends.cryptography_backend`` fails, as
            # in python-jose; callers test for that ImportError.
    return wanted


def install_as_jose() -> None:
    """Register jwtlite's python-jose face as ``jose`` and every ``jose.<submodule>``;
    idempotent.

    Raises:
        ModuleConflictError: a different module is already imported as ``jose`` (or as one
            of its submodules), for example python-jose itself. Call this before anything
            imports jose.
    """
    wanted = _face_modules()
    install_modules(wanted, installer="install_as_jose", top="jose")
