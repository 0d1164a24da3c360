"""The package's shape: its import graph, read from the source with ``ast``.

Every module has a layer (docs/architecture.md); a module imports only from its own layer or
below, the graph has no circle, every module imports on its own in a fresh interpreter, and an
import inside a function is allowed only with a ``noqa: PLC0415`` comment that gives its reason
(the optional ``cryptography`` and framework packages, or a measured import-time cost).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "jwtlite"

#: The layers of docs/architecture.md, bottom (0) to top (9). A new module must be placed here.
LAYERS: dict[str, int] = {
    # 0 foundations: no parsing of keys, no crypto
    "jwtlite.exceptions": 0,
    "jwtlite._cache": 0,
    "jwtlite._curves": 0,
    "jwtlite._der": 0,
    "jwtlite._pem": 0,
    "jwtlite.b64url": 0,
    "jwtlite._json": 0,
    "jwtlite._keymodel": 0,
    "jwtlite._jwa": 0,
    "jwtlite._options": 0,
    "jwtlite._install_face": 0,
    "jwtlite._values": 0,
    "jwtlite.types": 0,
    "jwtlite._hmac_guard": 0,
    "jwtlite._hints": 0,
    "jwtlite._rsacheck": 0,
    "jwtlite._escape": 0,
    "jwtlite._jwe_limits": 0,
    "jwtlite._uri": 0,
    # 1 backends and the cryptography-object bridge
    "jwtlite._crypto_objects": 1,
    "jwtlite.backends": 1,
    "jwtlite.backends._aes_sizes": 1,
    "jwtlite.backends._cryptography_aes": 1,
    "jwtlite.backends._cryptography_keys": 1,
    "jwtlite.backends.cryptography": 1,
    "jwtlite.backends.pure": 1,
    "jwtlite.backends.pure.aes": 1,
    "jwtlite.backends.pure.cbc": 1,
    "jwtlite.backends.pure.gcm": 1,
    "jwtlite.backends.pure.keywrap": 1,
    "jwtlite.backends.pure._edwards": 1,
    "jwtlite.backends.pure._primes": 1,
    "jwtlite.backends.pure._rfc6979": 1,
    "jwtlite.backends.pure._weierstrass": 1,
    "jwtlite.backends.pure.ec": 1,
    "jwtlite.backends.pure.ed25519": 1,
    "jwtlite.backends.pure.ed448": 1,
    "jwtlite.backends.pure.rsa": 1,
    "jwtlite.backends.pure.rsa_encryption": 1,
    "jwtlite.backends.pure.xdh": 1,
    # 2 key formats
    "jwtlite._keyformats": 2,
    "jwtlite._ssh": 2,
    "jwtlite._jwkformat": 2,
    # 3 loading
    "jwtlite.keys": 3,
    # 4 algorithms
    "jwtlite.algorithms": 4,
    "jwtlite._key_export": 4,
    "jwtlite._jwe_crypto": 4,
    "jwtlite._jwe_keymgmt": 4,
    # 5 JWK objects and key selection
    "jwtlite.jwk": 5,
    "jwtlite.jwk_set": 5,
    "jwtlite._jwe_keys": 5,
    # 6 the JWS engine
    "jwtlite.jws": 6,
    "jwtlite._jws_header": 6,
    "jwtlite._jws_keys": 6,
    "jwtlite._jws_json": 6,
    "jwtlite._jwe_serial": 6,
    "jwtlite._jwe_produce": 6,
    "jwtlite.jwe": 6,
    # 7 the PyJWT-shaped face: claims and payload JSON
    "jwtlite.claims": 7,
    "jwtlite.api": 7,
    "jwtlite.jwe_jwt": 7,
    # 8 the package, the life cycle, clients, tools
    "jwtlite": 8,
    "jwtlite.__main__": 8,
    "jwtlite.bearer": 8,
    "jwtlite.cli": 8,
    "jwtlite.jwks_client": 8,
    "jwtlite.jwks_client_async": 8,
    "jwtlite._jwks_cache": 8,
    "jwtlite._jwks_http": 8,
    "jwtlite.oidc": 8,
    "jwtlite._oidc_discovery": 8,
    "jwtlite._oidc_metadata": 8,
    "jwtlite._oidc_claims": 8,
    "jwtlite.keygen": 8,
    "jwtlite.revocation": 8,
    "jwtlite._redis_store": 8,
    "jwtlite._redis_connect": 8,
    "jwtlite._sqlite_store": 8,
    "jwtlite._store_common": 8,
    "jwtlite.tokens": 8,
    "jwtlite.access_token": 8,
    "jwtlite.x5c": 8,
    "jwtlite._guard": 8,
    "jwtlite._guard_bodies": 8,
    "jwtlite._guard_failures": 8,
    "jwtlite._openapi": 8,
    "jwtlite.flask": 8,
    "jwtlite.starlette": 8,
    "jwtlite._starlette_nonce": 8,
    "jwtlite._starlette_openapi": 8,
    "jwtlite.dpop": 8,
    "jwtlite._dpop_nonce": 8,
    "jwtlite._dpop_proof": 8,
    "jwtlite.dpop_client": 8,
    "jwtlite._guard_dpop": 8,
    # 9 PyJWT's module tree (the face installed as ``jwt``): the top layer. Nothing below
    # imports it; ``jwtlite.install_as_pyjwt`` loads it by name, like the lazy exports.
    "jwtlite.pyjwt": 9,
    "jwtlite.pyjwt._install": 9,
    "jwtlite.pyjwt._keys": 9,
    "jwtlite.pyjwt._version": 9,
    "jwtlite.pyjwt.algorithms": 9,
    "jwtlite.pyjwt.api_jwk": 9,
    "jwtlite.pyjwt.api_jws": 9,
    "jwtlite.pyjwt.api_jwt": 9,
    "jwtlite.pyjwt.exceptions": 9,
    "jwtlite.pyjwt.help": 9,
    "jwtlite.pyjwt.jwk_set_cache": 9,
    "jwtlite.pyjwt.jwks_client": 9,
    "jwtlite.pyjwt.types": 9,
    "jwtlite.pyjwt.utils": 9,
    "jwtlite.pyjwt.warnings": 9,
    # 9 python-jose's module tree (the face installed as ``jose``), beside PyJWT's; nothing
    # below imports it; ``jwtlite.install_as_jose`` loads it by name.
    "jwtlite.jose": 9,
    "jwtlite.jose._install": 9,
    "jwtlite.jose.backends": 9,
    "jwtlite.jose.backends._asn1": 9,
    "jwtlite.jose.backends._asymmetric": 9,
    "jwtlite.jose.backends._keys": 9,
    "jwtlite.jose.backends._symmetric": 9,
    "jwtlite.jose.backends.base": 9,
    "jwtlite.jose.backends.cryptography_backend": 9,
    "jwtlite.jose.backends.ecdsa_backend": 9,
    "jwtlite.jose.backends.native": 9,
    "jwtlite.jose.backends.rsa_backend": 9,
    "jwtlite.jose.constants": 9,
    "jwtlite.jose.exceptions": 9,
    "jwtlite.jose.jwe": 9,
    "jwtlite.jose.jwk": 9,
    "jwtlite.jose.jws": 9,
    "jwtlite.jose.jwt": 9,
    "jwtlite.jose.utils": 9,
}
#: Imports inside functions must name one of these packages or carry a measured reason.
OPTIONAL_PACKAGES = (
    "cryptography", "flask", "starlette", "fastapi", "uvicorn", "redis", "httpx", "requests",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    if node.level == 0:
        return node.module or ""
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, path: Path) -> set[str]:
    """The jwtlite modules that ``module`` names in any import statement, anywhere."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, path, node)
            submodules = {f"{target}.{alias.name}" for alias in node.names}
            found.update(submodules)
            if not submodules <= set(MODULES):  # some name is taken from the module itself
                found.add(target)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def test_the_graph_was_read() -> None:
    assert len(MODULES) >= 40
    assert sum(len(targets) for targets in GRAPH.values()) >= 80
    assert "jwtlite._keymodel" in GRAPH["jwtlite.keys"]
    assert "jwtlite._keymodel" in GRAPH["jwtlite.backends.pure.ec"]  # three levels up


def test_every_module_has_a_layer() -> None:
    assert sorted(set(MODULES) - set(LAYERS)) == []
    assert sorted(set(LAYERS) - set(MODULES)) == []


def test_no_module_imports_from_a_higher_layer() -> None:
    upward = [
        f"{module} (layer {LAYERS[module]}) -> {target} (layer {LAYERS[target]})"
        for module, targets in GRAPH.items()
        for target in targets
        if LAYERS.get(target, -1) > LAYERS.get(module, -1)
    ]
    assert upward == []


def _find_cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return []


def test_the_import_graph_has_no_circle() -> None:
    assert _find_cycle(GRAPH) == []


def test_the_cycle_finder_finds_a_planted_circle() -> None:
    planted = {name: set(targets) for name, targets in GRAPH.items()}
    planted["jwtlite._keymodel"].add("jwtlite.keys")
    cycle = _find_cycle(planted)
    assert cycle[0] == cycle[-1]
    assert "jwtlite.keys" in cycle


def test_imports_inside_functions_say_why() -> None:
    unexplained = []
    for module, path in MODULES.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for func in ast.walk(ast.parse(source)):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if not isinstance(node, (ast.Import, ast.ImportFrom)):
                    continue
                line = lines[node.lineno - 1]
                named = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                optional = (named or "").split(".")[0] in OPTIONAL_PACKAGES
                reason = line.partition("noqa: PLC0415")[2].strip(" -")
                if "noqa: PLC0415" not in line or not reason:
                    unexplained.append(f"{module}:{node.lineno}")
                elif not optional and "measured" not in line and "measured" not in (
                    lines[node.lineno - 2]
                ):
                    unexplained.append(f"{module}:{node.lineno} (not optional, not measured)")
    assert unexplained == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    code = f"import importlib, sys; importlib.import_module({module!r})"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    missing_optional = any(
        f"No module named '{name}" in result.stderr for name in OPTIONAL_PACKAGES
    )
    if result.returncode != 0 and missing_optional:
        pytest.skip(f"{module} needs an optional package that is not installed")
    assert result.returncode == 0, result.stderr
