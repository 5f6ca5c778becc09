"""What every response and request of the web app gets for safety (see docs/security.md).

- Response headers: the pages may not be framed (X-Frame-Options, CSP
  ``frame-ancestors``), load scripts and styles only from this server (CSP: no
  inline script or style, the pages need none), no MIME sniffing, and no full
  address sent to other sites (Referrer-Policy).
- The session cookie: SameSite=Lax always, Secure when SESSION_COOKIE_SECURE is set.
- Behind TRUSTED_PROXIES reverse proxies the client address and scheme are taken
  from X-Forwarded-For / X-Forwarded-Proto (login throttling counts per address).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
"""Everything from this server only; ``data:`` images for the empty favicon of base.html."""

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def configure(app: Flask) -> None:
    """Cookie settings that hold whatever the configuration layers said (called before the doors register)."""
    # Flask defines SESSION_COOKIE_SAMESITE as None, so a setdefault would never take effect.
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config["SESSION_COOKIE_SECURE"])
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def init_app(app: Flask) -> None:
    """Add the security headers to every response (pages, JSON, downloads, errors)."""

    @app.after_request
    def _headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
