"""PyJWT's ``jwt.help``: versions for a bug report (``python -m jwtlite.pyjwt.help``)."""

from __future__ import annotations

import importlib.metadata
import json
import platform
import sys

from ._version import PYJWT_API_VERSION, jwtlite_version

__all__ = ["info", "main"]


def _cryptography_version() -> str:
    try:
        return importlib.metadata.version("cryptography")
    except importlib.metadata.PackageNotFoundError:
        return ""


def info() -> dict[str, dict[str, str]]:
    """Platform, Python implementation, cryptography and library versions: PyJWT's keys, with
    ``pyjwt`` naming the PyJWT API the face follows, plus ``jwtlite``'s own version."""
    try:
        platform_info = {"system": platform.system(), "release": platform.release()}
    except OSError:
        platform_info = {"system": "Unknown", "release": "Unknown"}
    return {
        "platform": platform_info,
        "implementation": {
            "name": platform.python_implementation(),
            "version": platform.python_version(),
        },
        "cryptography": {"version": _cryptography_version()},
        "pyjwt": {"version": PYJWT_API_VERSION},
        "jwtlite": {"version": jwtlite_version},
    }


def main() -> None:
    """Print :func:`info` as JSON."""
    sys.stdout.write(json.dumps(info(), sort_keys=True, indent=2) + "\n")


if __name__ == "__main__":
    main()
