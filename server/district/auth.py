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


GENERATED_METHOD = "pbkdf2:sha256:1000"
"""The hash of passwords this service generates (see docs/security.md, 生成的密码).

They are random (12 characters of 54, about 69 bits), so guessing one from a
stolen hash takes centuries even at a fast hash's speed; 1,000 rounds of
salted PBKDF2 cost 0.4 ms instead of scrypt's 100+ ms, so registering
10,000 units takes seconds instead of twenty minutes. Passwords a person
chooses keep the slow default.
"""


def hash_password(password: str) -> str:
    """A salted, slow hash of a password a person chose."""
    return generate_password_hash(password)


def hash_generated_password(password: str) -> str:
    """A salted hash of a password made by :func:`new_password` (random and long: fast hashing is safe)."""
    return generate_password_hash(password, method=GENERATED_METHOD)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether a password matches its stored hash (any method werkzeug knows: older hashes keep working).

    A refusal against a fast hash also pays one slow check, so that a wrong
    password takes as long to refuse for every account and for unknown names.
    """
    if check_password_hash(stored_hash, password):
        return True
    if stored_hash.startswith(GENERATED_METHOD + "$"):
        no_password_matches(password)
    return False


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
