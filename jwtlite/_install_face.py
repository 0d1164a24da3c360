"""Registering a face (jwtlite's PyJWT or python-jose API) under another library's module
names, refusing to replace one already imported: what ``install_as_pyjwt()`` and
``install_as_jose()`` share.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from types import ModuleType

from .exceptions import ModuleConflictError

__all__ = ["install_modules"]


def install_modules(wanted: Mapping[str, ModuleType], *, installer: str, top: str) -> None:
    """Put ``wanted`` (module name -> the face's module) into ``sys.modules``, all or none.

    A different module already imported under one of the names (the real library) is never
    replaced: objects of both would then meet in one process. ``installer`` (the public
    function's name) and ``top`` (the library's top-level module) are for the message.

    Raises:
        ModuleConflictError: a different module is already imported under one of the names.
    """
    for name, module in wanted.items():
        present = sys.modules.get(name)
        if present is not None and present is not module:
            origin = getattr(present, "__file__", None) or repr(present)
            raise ModuleConflictError(
                f"{installer}(): a different module is already imported as {name!r}"
                f" ({origin}). Call jwtlite.{installer}() before anything imports {top}."
            )
    sys.modules.update(wanted)
