"""The time a protected Flask route adds per request: jwtlite.flask vs flask-jwt-extended.

Run: ``python tests/benchmarks/bench_flask.py`` (needs ``flask``; ``flask-jwt-extended`` and
``pyjwt`` for its rows). A report, not a test: it always exits 0.

Three apps in one process serve the same route, ``GET /me`` returning ``{"sub": ...}``, through
Flask's test client:

- ``unprotected``: no authentication; the cost of Flask and the test client alone;
- ``jwtlite.flask``: ``@jwt.required()`` on a ``TokenService`` (HS256, memory revocation store:
  the ``typ``, ``iss``, ``aud``, ``exp``, ``iat`` checks and three revocation lookups);
- ``flask-jwt-extended``: ``@jwt_required()`` on PyJWT, with the same secret, issuer and
  audience checks; and the same with a ``token_in_blocklist_loader`` over a set, the closest
  equivalent to jwtlite's revocation check.

Every app gets the same HS256 access token (issued once by the ``TokenService``), and each
answer is checked before timing. The time a guard adds is its per-request time minus the
unprotected route's.
"""

from __future__ import annotations

from datetime import timedelta
from importlib.metadata import version
from typing import Any

import _timing

import jwtlite
from jwtlite.tokens import TokenService

SECRET = "jwtlite benchmark secret, 32+ bytes long"
ISSUER = _timing.ISSUER
AUDIENCE = _timing.AUDIENCE


def _unprotected(flask: Any) -> Any:
    app = flask.Flask("unprotected")

    @app.get("/me")
    def me() -> Any:
        return {"sub": "alice"}

    return app


def _jwtlite_app(flask: Any, service: TokenService) -> Any:
    # jwtlite.flask imports Flask, which is optional: imported only once Flask was found.
    from jwtlite.flask import JWTManager, current_identity

    app = flask.Flask("jwtlite")
    jwt = JWTManager(app, service)

    @app.get("/me")
    @jwt.required()
    def me() -> Any:
        return {"sub": current_identity()}

    return app


def _fje_app(flask: Any, fje: Any, *, blocklist: bool) -> Any:
    app = flask.Flask("fje")
    app.config.update(
        JWT_SECRET_KEY=SECRET,
        JWT_ALGORITHM="HS256",
        JWT_DECODE_ALGORITHMS=["HS256"],
        JWT_DECODE_AUDIENCE=AUDIENCE,
        JWT_DECODE_ISSUER=ISSUER,
        JWT_TOKEN_LOCATION=["headers"],
    )
    manager = fje.JWTManager(app)
    if blocklist:
        revoked: set[str] = set()

        @manager.token_in_blocklist_loader
        def check(_header: Any, payload: dict[str, Any]) -> bool:
            return payload["jti"] in revoked

    @app.get("/me")
    @fje.jwt_required()
    def me() -> Any:
        return {"sub": fje.get_jwt_identity()}

    return app


def _contenders(flask: Any, fje: Any, token: str, service: TokenService) -> list[Any]:
    headers = {"Authorization": f"Bearer {token}"}
    apps = [("unprotected", _unprotected(flask)), ("jwtlite.flask", _jwtlite_app(flask, service))]
    if fje is not None:
        apps.append(("flask-jwt-extended", _fje_app(flask, fje, blocklist=False)))
        apps.append(("flask-jwt-extended + blocklist", _fje_app(flask, fje, blocklist=True)))
    contenders = []
    for name, app in apps:
        client = app.test_client()

        def call(client: Any = client) -> Any:
            return client.get("/me", headers=headers)

        reply = call()
        if reply.status_code != 200 or reply.get_json() != {"sub": "alice"}:
            raise SystemExit(f"{name} did not accept the token: {reply.get_data(as_text=True)}")
        contenders.append((name, call))
    return contenders


def main() -> None:
    _timing.header_line("bench_flask.py: a protected Flask route, per request")
    flask = _timing.optional_import("flask", "Flask")
    if flask is None:
        return
    fje = _timing.optional_import("flask_jwt_extended", "flask-jwt-extended")
    versions = {"jwtlite": jwtlite.__version__, "flask": _version("flask")}
    if fje is not None:
        versions["flask-jwt-extended"] = _version("flask-jwt-extended")
        versions["PyJWT"] = _version("pyjwt")
    _timing.print_machine(versions)

    service = TokenService(
        SECRET, "HS256", issuer=ISSUER, audience=AUDIENCE, access_ttl=timedelta(hours=1)
    )
    token = service.issue("alice").access_token
    print(f"token: {len(token)} characters (issued by TokenService, accepted by every app)\n")
    stats = _timing.run(_contenders(flask, fje, token, service))
    _timing.print_table("GET /me through the Flask test client", stats, "unprotected")

    base = stats["unprotected"]
    print("Time the guard adds per request (minus the unprotected route):")
    for name, s in stats.items():
        if name != "unprotected":
            added = (s.best - base.best, s.median - base.median)
            print(f"  {name:<31} best {_timing.fmt_time(added[0])}"
                  f"   median {_timing.fmt_time(added[1])}")  # fmt: skip
    if fje is not None:
        ours = stats["jwtlite.flask"].best - base.best
        theirs = stats["flask-jwt-extended"].best - base.best
        print(f"\njwtlite.flask adds {ours / theirs:.2f}x the time flask-jwt-extended adds"
              f" (goal: less than 1x): {'PASS' if ours < theirs else 'FAIL'}")  # fmt: skip


def _version(dist: str) -> str:
    return version(dist)


if __name__ == "__main__":
    main()
