"""The seed tutorial's snippets, run unchanged with ``import jwtlite as jwt``.

The tutorial uses a 15-byte secret and ``datetime.utcnow()``; both warn (the first with
jwtlite's InsecureKeyLengthWarning, RFC 7518 §3.2; the second is deprecated since Python 3.12,
and as a naive ``exp`` it raises jwtlite's NaiveDatetimeWarning: it is read as UTC, which is
right here). The snippets are kept verbatim, so those warnings are expected here.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

import jwtlite as jwt

pytestmark = [
    pytest.mark.filterwarnings("ignore::jwtlite.InsecureKeyLengthWarning"),
    pytest.mark.filterwarnings("ignore:datetime.datetime.utcnow:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::jwtlite.NaiveDatetimeWarning"),
]

TUTORIAL_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwia"
    "WF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


def test_decoding_without_verification() -> None:
    token = TUTORIAL_TOKEN
    decoded = jwt.decode(token, options={"verify_signature": False})
    assert decoded == {"sub": "1234567890", "name": "John Doe", "iat": 1516239022}


def test_creating_a_jwt() -> None:
    secret_key = "your_secret_key"
    payload = {
        "user_id": 123,
        "name": "John Doe",
        "exp": datetime.datetime.utcnow() + datetime.timedelta(minutes=30),
    }
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        token = jwt.encode(payload, secret_key, algorithm="HS256")
    assert isinstance(token, str)
    assert token.count(".") == 2
    claims = jwt.decode(token, secret_key, algorithms=["HS256"])
    assert claims["user_id"] == 123
    assert (
        29 * 60 <= claims["exp"] - datetime.datetime.now(datetime.timezone.utc).timestamp() <= 1800
    )


def verify(token: str) -> str:
    """The tutorial's verification snippet, returning what it would print."""
    secret_key = "your_secret_key"
    try:
        decoded = jwt.decode(token, secret_key, algorithms=["HS256"])
        return repr(decoded)
    except jwt.ExpiredSignatureError:
        return "Token has expired."
    except jwt.InvalidTokenError:
        return "Invalid token."


def test_verifying_a_jwt() -> None:
    secret_key = "your_secret_key"
    good = jwt.encode(
        {"user_id": 1, "exp": datetime.datetime.utcnow() + datetime.timedelta(minutes=1)},
        secret_key,
    )
    assert verify(good) == repr(
        {"user_id": 1, "exp": jwt.decode(good, options={"verify_signature": False})["exp"]}
    )
    expired = jwt.encode(
        {"exp": datetime.datetime.utcnow() - datetime.timedelta(seconds=1)}, secret_key
    )
    assert verify(expired) == "Token has expired."
    assert verify(TUTORIAL_TOKEN) == "Invalid token."  # another secret
    assert verify("your_jwt_token_here") == "Invalid token."
    assert verify("") == "Invalid token."


def make_tutorial_app() -> Any:
    """The tutorial's Flask exercise, verbatim apart from ``import jwtlite as jwt``."""
    from flask import Flask, jsonify, request

    app = Flask(__name__)
    secret_key = "your_secret_key"

    @app.route("/login", methods=["POST"])
    def login() -> Any:
        auth = request.json
        if auth["username"] == "admin" and auth["password"] == "password":
            token = jwt.encode({
                "user": auth["username"],
                "exp": datetime.datetime.utcnow() + datetime.timedelta(minutes=30)
            }, secret_key, algorithm="HS256")  # fmt: skip
            return jsonify({"token": token})
        return jsonify({"message": "Invalid credentials"}), 401

    @app.route("/protected", methods=["GET"])
    def protected() -> Any:
        token = request.headers.get("Authorization").split(" ")[1]  # type: ignore[union-attr]
        try:
            decoded = jwt.decode(token, secret_key, algorithms=["HS256"])
            return jsonify({"message": "Welcome!", "user": decoded["user"]})
        except jwt.ExpiredSignatureError:
            return jsonify({"message": "Token has expired"}), 401
        except jwt.InvalidTokenError:
            return jsonify({"message": "Invalid token"}), 401

    return app


def test_flask_exercise() -> None:
    pytest.importorskip("flask")
    client = make_tutorial_app().test_client()
    bad = client.post("/login", json={"username": "admin", "password": "nope"})
    assert bad.status_code == 401
    response = client.post("/login", json={"username": "admin", "password": "password"})
    assert response.status_code == 200
    token = response.get_json()["token"]
    ok = client.get("/protected", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    assert ok.get_json() == {"message": "Welcome!", "user": "admin"}
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    denied = client.get("/protected", headers={"Authorization": f"Bearer {tampered}"})
    assert denied.status_code == 401
    assert denied.get_json() == {"message": "Invalid token"}
    expired = jwt.encode(
        {"user": "admin", "exp": datetime.datetime.utcnow() - datetime.timedelta(minutes=1)},
        "your_secret_key",
    )
    late = client.get("/protected", headers={"Authorization": f"Bearer {expired}"})
    assert late.status_code == 401
    assert late.get_json() == {"message": "Token has expired"}
