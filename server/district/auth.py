"""Passwords and add-in tokens: generated, hashed, checked. No Flask here."""

from __future__ import annotations

import functools
import hashlib
import secrets

from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

_READABLE = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
MIN_PASSWORD = 8


def new_password(length: int = 12) -> str:
    """A random password without look-alike characters (no 0/O, 1/l/I)."""
    return "".join(secrets.choice(_READABLE) for _ in range(length))


def hash_password(password: str) -> str:
    """A salted, slow hash of a password."""
    return generate_password_hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether a password matches its stored hash."""
    return check_password_hash(stored_hash, password)


def no_password_matches(password: str) -> bool:
    """Check a password against a hash no password matches: a login name that does not
    exist then takes as long to refuse as a wrong password (no way to probe for names)."""
    check_password_hash(_dummy_hash(), password)
    return False


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def new_token() -> str:
    """A random token for the Excel add-in's ``auth``."""
    return "jcnb_" + secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256 (tokens are long and random, so no slow hash is needed)."""
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()
