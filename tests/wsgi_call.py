"""Calling the app as a WSGI server such as waitress calls it, without the Flask test client.

The benchmarks time the server's own side this way, and tests that look at what one request leaves
behind use it so that the test client's own objects do not count.
"""

from __future__ import annotations

import io

from werkzeug.test import EnvironBuilder


def wsgi_post(app, path: str, body: bytes, content_type: str = "application/json"):
    """A function that POSTs ``body`` to ``path`` and gives (status line, answer bytes): the environ is
    made once, the body is a fresh stream on each call, the answer is read and closed."""
    environ = EnvironBuilder(path=path, method="POST", data=body, content_type=content_type).get_environ()

    def call() -> tuple[str, bytes]:
        status = []
        answer = app({**environ, "wsgi.input": io.BytesIO(body)}, lambda code, headers, exc=None: status.append(code))
        try:
            data = b"".join(answer)
        finally:
            answer.close()
        return status[0], data

    return call
