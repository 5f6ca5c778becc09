"""What every request costs around a view (server/security.py), done with less work and the same result.

- :class:`server.security.CookieSessions` opens and saves sessions as Flask's signed-cookie sessions do
  (compared over requests with and without cookies, valid, tampered and empty ones, and over every
  state of a session), and builds no cookie signer for a request without the session cookie.
- The security headers are added as ``headers.setdefault`` added them, whichever of them a response
  already has, in whatever case.
"""

from __future__ import annotations

import itertools
import re

import pytest
from flask import Flask
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface
from werkzeug.test import EnvironBuilder

from server.security import HEADERS
from server.security import CookieSessions

# Sessions ----------------------------------------------------------------------------------------


def _app(secret_key) -> Flask:
    app = Flask(__name__)
    app.secret_key = secret_key
    return app


def _cookie(app: Flask, data: dict) -> str:
    return SecureCookieSessionInterface().get_signing_serializer(app).dumps(data)


def _requests(app: Flask) -> list:
    """Requests with no cookies, other cookies, a valid, tampered, empty or foreign session cookie."""
    made = {"a": 1, "login_id": "x"}
    valid = _cookie(app, made) if app.secret_key else "x.y.z"
    foreign = _cookie(_app("another key"), made)
    cookies = [
        None,
        "",
        "theme=dark",
        f"session={valid}",
        f"theme=dark; session={valid}",
        f"session={valid[:-2]}xx",
        "session=",
        f"session={foreign}",
        f"Session={valid}",
    ]
    requests = []
    for cookie in cookies:
        headers = {} if cookie is None else {"Cookie": cookie}
        environ = EnvironBuilder(path="/api/v1/validate", method="POST", headers=headers).get_environ()
        requests.append(app.request_class(environ))
    return requests


def _state(session) -> tuple | None:
    if session is None:
        return None
    return type(session), dict(session), session.modified, session.accessed, session.permanent


@pytest.mark.parametrize("secret_key", ["a secret", b"bytes secret", "", None])
def test_sessions_open_as_flask_opens_them(secret_key):
    app = _app(secret_key)
    for request in _requests(app):
        ours = CookieSessions().open_session(app, request)
        flask = SecureCookieSessionInterface().open_session(app, request)
        assert _state(ours) == _state(flask), request.headers.get("Cookie")


def _sessions() -> list:
    """A session in each state: untouched, read, emptied, filled, permanent."""
    untouched = SecureCookieSession()
    read = SecureCookieSession()
    read.get("account_id")
    emptied = SecureCookieSession({"a": 1})
    emptied.clear()
    filled = SecureCookieSession()
    filled["account_id"] = 3
    permanent = SecureCookieSession({"account_id": 3})
    permanent.permanent = True
    loaded = SecureCookieSession({"account_id": 3})
    return [untouched, read, emptied, filled, permanent, loaded]


def _headers(response) -> list:
    """The response's headers, the signed session value (it holds the time) left out."""
    return [(name, re.sub(r"^session=[^;]*", "session=…", value)) for name, value in response.headers]


@pytest.mark.parametrize("refresh", [True, False])
def test_sessions_save_as_flask_saves_them(refresh):
    app = _app("a secret")
    app.config["SESSION_REFRESH_EACH_REQUEST"] = refresh
    for session in _sessions():
        ours, flask = app.response_class("x"), app.response_class("x")
        with app.test_request_context():
            CookieSessions().save_session(app, session, ours)
            SecureCookieSessionInterface().save_session(app, session, flask)
        assert _headers(ours) == _headers(flask)


def test_an_api_call_builds_no_cookie_signer_and_sets_no_cookie(client, monkeypatch):
    built = []
    original = CookieSessions.get_signing_serializer

    def counting(self, app):
        built.append(app)
        return original(self, app)

    monkeypatch.setattr(CookieSessions, "get_signing_serializer", counting)
    assert isinstance(client.application.session_interface, CookieSessions)
    response = client.post("/api/v1/validate", json={"version": "2021", "values": {}})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert built == []
    client.set_cookie("theme", "dark")  # other cookies, no session cookie: still none
    assert client.post("/api/v1/validate", json={"version": "2021", "values": {}}).status_code == 200
    assert built == []


# Security headers --------------------------------------------------------------------------------


def _reference(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _preset() -> list[list[tuple[str, str]]]:
    """Responses' own headers: none, some of the security headers (any case, twice), others."""
    names = list(HEADERS)
    cases = [[], [("Cache-Control", "no-store")], [("Content-Disposition", "attachment")]]
    for count in range(1, len(names) + 1):
        for chosen in itertools.combinations(names, count):
            cases.append([(name, "own") for name in chosen])
    cases += [
        [("x-frame-options", "SAMEORIGIN")],
        [("CONTENT-SECURITY-POLICY", "default-src 'none'"), ("Cache-Control", "no-store")],
        [("Referrer-Policy", "no-referrer"), ("referrer-policy", "origin")],
    ]
    return cases


def test_security_headers_are_added_as_setdefault_added_them(app):
    (hook,) = [f for f in app.after_request_funcs[None] if f.__name__ == "_headers"]
    for preset in _preset():
        ours, reference = app.response_class("x"), app.response_class("x")
        for response in (ours, reference):
            for name, value in preset:
                response.headers.add(name, value)
        assert hook(ours) is ours
        assert list(ours.headers) == list(_reference(reference).headers), preset


def test_every_door_answers_with_the_security_headers(client):
    answers = [
        client.post("/api/v1/validate", json={"version": "2021", "values": {}}),
        client.post("/api/v1/validate", json={"version": "2030", "values": {}}),
        client.get("/api/v1/forms"),
        client.get("/"),
        client.get("/nothing/here"),
    ]
    for response in answers:
        assert {name: response.headers.get(name) for name in HEADERS} == HEADERS
