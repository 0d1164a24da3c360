"""The README's quickstart runs as a newcomer would run it; the FastAPI example follows
FastAPI's conventions (its HTTP contract is tests/test_flask_example.py's)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_asgi

QUICKSTART = Path(__file__).parent.parent / "docs" / "examples" / "quickstart.py"


def test_quickstart_runs_and_shows_each_step() -> None:
    result = subprocess.run(
        [sys.executable, str(QUICKSTART)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "HS256 token: eyJ" in out
    assert "verified claims: {'sub': 'alice'" in out
    assert "expired: rejected (ExpiredSignatureError" in out
    assert "tampered: rejected (InvalidSignatureError" in out
    assert "junk: rejected (DecodeError" in out
    assert "-----BEGIN PUBLIC KEY-----" in out
    assert "EdDSA verified: {'sub': 'alice'" in out
    assert result.stderr == ""


EXAMPLES = QUICKSTART.parent


@pytest.fixture
def fastapi_example() -> Iterator[Any]:
    """docs/examples/fastapi_app.py, imported as its own folder would import it."""
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    sys.path.insert(0, str(EXAMPLES))
    try:
        yield importlib.import_module("fastapi_app")
    finally:
        sys.path.remove(str(EXAMPLES))
        sys.modules.pop("fastapi_app", None)




ENV = {"JWT_SECRET": "s" * 40}


def test_fastapi_example_documents_its_bodies_and_refusals(fastapi_example: Any) -> None:
    schemas: list[dict[str, Any]] = []

    async def scenario(client: Any) -> None:
        schemas.append((await client.get("/openapi.json")).json())

    run_asgi(fastapi_example.create_app(ENV), scenario)
    schema = schemas[0]
    login = schema["paths"]["/login"]["post"]["requestBody"]
    ref = login["content"]["application/json"]["schema"]["$ref"]
    credentials = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert credentials["required"] == ["username", "password"]
    assert set(credentials["properties"]) == {"username", "password"}
    assert "security" not in schema["paths"]["/login"]["post"]
    token = schema["paths"]["/token"]["post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in token
    assert schema["components"]["securitySchemes"]["JWT"]["flows"] == {
        "password": {"tokenUrl": "/token", "scopes": {}}
    }
    assert schema["paths"]["/refresh"]["post"]["security"] == [{"JWTRefresh": []}]
    for path, method in (("/protected", "get"), ("/logout", "post"), ("/refresh", "post")):
        assert {"400", "401", "503"} <= set(schema["paths"][path][method]["responses"])


def test_fastapi_example_password_flow(fastapi_example: Any) -> None:
    grant = {"grant_type": "password", "username": "admin", "password": "password"}

    async def scenario(client: Any) -> None:
        reply = await client.post("/token", data=grant)  # what the Authorize button sends
        assert reply.status_code == 200, reply.text
        token = reply.json()["access_token"]
        me = await client.get("/protected", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["sub"] == "admin"
        wrong = await client.post("/token", data={**grant, "password": "guess"})
        assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
        other = await client.post("/token", data={**grant, "grant_type": "refresh_token"})
        assert other.json()["error"] == "unsupported_grant_type"
        # The JSON login refuses text it could not hash.
        bad = await client.post("/login", content=b'{"username": "\\ud800", "password": "x"}',
                                headers={"Content-Type": "application/json"})
        assert (bad.status_code, bad.json()["error"]) == (400, "invalid_request")

    run_asgi(fastapi_example.create_app(ENV), scenario)

    async def cookies(client: Any) -> None:
        # In cookie mode the password flow (tokens in the body) is not offered.
        assert (await client.post("/token", data=grant)).status_code == 404
        schema = (await client.get("/openapi.json")).json()
        assert schema["components"]["securitySchemes"]["JWT"]["scheme"] == "bearer"

    run_asgi(fastapi_example.create_app({**ENV, "AUTH_COOKIES": "1"}), cookies)
